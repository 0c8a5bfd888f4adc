"""The search box of organization fields (portal:organization-search): JSON for signed-in users
with an organization, within the field's scope of kinds, by name words or credit code prefix, a
bounded number of rows in a bounded number of queries; the forms name their scope."""

import pytest
from django.urls import reverse

from finance.forms import DealForm, PledgeForm
from portal.models import Organization
from portal.selectors import ORGANIZATION_SEARCH_LIMIT
from tests.portal.factories import OrganizationFactory, make_user

pytestmark = pytest.mark.django_db

URL = reverse("portal:organization-search")
Kind = Organization.Kind


@pytest.fixture
def organizations():
    return {
        "sme": OrganizationFactory(name="鄂尔多斯市恒达煤矿装备有限公司", kind=Kind.SME),
        "university": OrganizationFactory(name="内蒙古煤炭大学", kind=Kind.UNIVERSITY),
        "bank": OrganizationFactory(name="鄂尔多斯煤炭银行", kind=Kind.BANK),
        "government": OrganizationFactory(name="鄂尔多斯市煤炭局", kind=Kind.GOVERNMENT),
        "agency": OrganizationFactory(name="煤炭知识产权服务所", kind=Kind.AGENCY),
    }


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.json()


def test_a_party_field_offers_enterprises_and_institutions_only(client, organizations):
    client.force_login(make_user("bank"))
    names = {row["name"] for row in search(client, scope="party", q="煤")["results"]}
    assert names == {"鄂尔多斯市恒达煤矿装备有限公司", "内蒙古煤炭大学"}


def test_a_bank_field_offers_banks_only(client, organizations):
    client.force_login(make_user("bureau"))
    assert [row["name"] for row in search(client, scope="bank", q="煤炭")["results"]] == ["鄂尔多斯煤炭银行"]


def test_every_word_must_match_and_a_credit_code_prefix_finds_its_organization(client, organizations):
    client.force_login(make_user("bureau"))
    assert [r["name"] for r in search(client, scope="party", q="恒达 装备")["results"]] == [
        "鄂尔多斯市恒达煤矿装备有限公司"
    ]
    university = organizations["university"]
    found = search(client, scope="party", q=university.credit_code[:17].lower())["results"]
    assert [row["id"] for row in found] == [university.pk]
    assert found[0]["text"] == f"内蒙古煤炭大学（{university.credit_code}）"


def test_results_are_limited_and_say_there_are_more(client, django_assert_max_num_queries):
    OrganizationFactory.create_batch(ORGANIZATION_SEARCH_LIMIT + 5, kind=Kind.SME)
    client.force_login(make_user("bureau"))
    client.get(URL, {"scope": "party", "q": "测试"})  # the session and the actor, read once
    with django_assert_max_num_queries(4):
        answer = search(client, scope="party", q="测试")
    assert len(answer["results"]) == ORGANIZATION_SEARCH_LIMIT and answer["more"] is True


def test_an_unknown_scope_is_404(client):
    client.force_login(make_user("bureau"))
    assert client.get(URL, {"scope": "everyone", "q": "煤"}).status_code == 404


def test_anonymous_is_sent_to_login_and_a_user_without_organization_is_refused(client, organizations):
    response = client.get(URL, {"scope": "party", "q": "煤"})
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    client.force_login(make_user("none"))
    assert client.get(URL, {"scope": "party", "q": "煤"}).status_code == 403


def test_the_forms_point_their_search_boxes_at_their_scope(organizations):
    borrower = PledgeForm()["borrower"]
    assert f"{URL}?scope=party" in str(borrower)
    assert organizations["bank"].name not in str(borrower)  # without JavaScript: the scoped list
    assert f"{URL}?scope=bank" in str(PledgeForm()["lender"])
    assert set(DealForm().fields["buyer"].queryset) == {organizations["sme"], organizations["university"]}
