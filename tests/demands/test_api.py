"""REST API /api/demands/: reads per visibility, writes by the owning SME only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from demands.models import Demand

from .factories import DemandFactory, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("api:demand-list")


def url(demand_or_code, action=None):
    code = getattr(demand_or_code, "code", demand_or_code)
    if action:
        return reverse(f"api:demand-{action}", args=[code])
    return reverse("api:demand-detail", args=[code])


@pytest.fixture
def api():
    return APIClient()


def as_role(api, role, **kwargs):
    user = make_user(role, **kwargs)
    api.force_authenticate(user)
    return user


PAYLOAD = {
    "title": "煤矸石制备新型建材技术",
    "description": "利用煤矸石生产免烧砖，需要配方与成型工艺。",
    "industry": "coal",
    "keywords": ["煤矸石", "建材"],
    "ipc_hints": ["C04B"],
    "deal_kinds": ["transfer", "license"],
    "budget_min": "100000.00",
    "budget_max": "500000.00",
    "district": "150622",
}


def test_anonymous_list_shows_summaries_only(api):
    DemandFactory(description="秘密的工艺细节")
    DemandFactory(status=Demand.Status.DRAFT)
    DemandFactory(visibility=Demand.Visibility.VERIFIED)
    response = api.get(LIST)
    assert response.status_code == 200 and response.data["count"] == 1
    row = response.data["results"][0]
    assert row["details_visible"] is False
    assert row["description"] is None and row["organization"] is None and row["ipc_hints"] is None
    assert row["title"] and row["deal_kinds"] == ["transfer", "license"]


def test_verified_institution_sees_details(api):
    demand = DemandFactory(description="秘密的工艺细节", visibility=Demand.Visibility.VERIFIED)
    as_role(api, "institution")
    row = api.get(url(demand)).data
    assert row["description"] == "秘密的工艺细节" and row["organization"]["name"] == demand.organization.name
    assert "contact_phone" not in row["organization"]


def test_list_filters_and_query_count(api, django_assert_max_num_queries):
    for _ in range(15):
        DemandFactory()
    DemandFactory(title="煤矸石综合利用", keywords="煤矸石")
    as_role(api, "bureau")
    with django_assert_max_num_queries(8):
        response = api.get(LIST)
    assert response.data["count"] == 16
    assert api.get(LIST, {"q": "煤矸"}).data["count"] == 1
    assert api.get(LIST, {"deal_kind": "equity"}).data["count"] == 0
    assert api.get(LIST, {"budget_min": "oops"}).status_code == 400


def test_sme_creates_and_edits_its_own(api):
    user = as_role(api, "sme")
    response = api.post(LIST, {**PAYLOAD, "publish": True}, format="json")
    assert response.status_code == 201, response.data
    code = response.data["code"]
    assert code.startswith(f"D{timezone.localdate().year}-")
    assert response.data["status"] == "open" and response.data["details_visible"] is True
    demand = Demand.objects.get(code=code)
    assert demand.organization == user.membership.organization and demand.industry.code == "coal"
    response = api.patch(url(code), {"title": "煤矸石免烧砖技术"}, format="json")
    assert response.status_code == 200 and response.data["title"] == "煤矸石免烧砖技术"
    response = api.post(
        url(code, "renew"), {"deadline": (timezone.localdate() + dt.timedelta(days=300)).isoformat()}
    )
    assert response.status_code == 200
    assert api.post(url(code, "close")).data["status"] == "closed"


def test_validation_and_state_errors_have_one_shape(api):
    as_role(api, "sme")
    response = api.post(LIST, {**PAYLOAD, "budget_min": "900000", "deal_kinds": ["transfer"]}, format="json")
    assert response.status_code == 400 and "budget_max" in response.data["errors"]
    response = api.post(LIST, {**PAYLOAD, "deal_kinds": []}, format="json")
    assert response.status_code == 400 and "deal_kinds" in response.data["errors"]
    code = api.post(LIST, PAYLOAD, format="json").data["code"]
    api.post(url(code, "publish"))
    response = api.post(url(code, "publish"))
    assert response.status_code == 400 and "只有草稿状态的需求可以发布" in response.data["detail"]


def test_another_sme_cannot_read_or_change_a_draft(api):
    draft = DemandFactory(status=Demand.Status.DRAFT)
    as_role(api, "sme")
    assert api.get(url(draft)).status_code == 404
    assert api.patch(url(draft), {"title": "篡改"}, format="json").status_code == 404
    assert api.delete(url(draft)).status_code == 404
    for action in ("publish", "close", "renew"):
        assert api.post(url(draft, action)).status_code == 404
    draft.refresh_from_db()
    assert draft.title != "篡改" and draft.status == Demand.Status.DRAFT


def test_another_sme_cannot_change_an_open_demand(api):
    demand = DemandFactory()
    as_role(api, "sme")
    assert api.get(url(demand)).status_code == 200
    assert api.patch(url(demand), {"title": "篡改"}, format="json").status_code == 403
    assert api.post(url(demand, "close")).status_code == 403


@pytest.mark.parametrize("role", ["institution", "agency", "bank", "district_officer", "bureau", "none"])
def test_only_smes_create(api, role):
    as_role(api, role)
    assert api.post(LIST, PAYLOAD, format="json").status_code == 403
    assert not Demand.objects.exists()


def test_anonymous_cannot_write(api):
    demand = DemandFactory()
    assert api.post(LIST, PAYLOAD, format="json").status_code in (401, 403)
    assert api.patch(url(demand), {"title": "x"}, format="json").status_code in (401, 403)


def test_bureau_closes_but_does_not_edit(api):
    demand = DemandFactory()
    as_role(api, "bureau")
    assert api.patch(url(demand), {"title": "篡改"}, format="json").status_code == 403
    assert api.post(url(demand, "close")).data["status"] == "closed"


def test_owner_deletes_a_draft_but_not_a_published_demand(api):
    user = as_role(api, "sme")
    code = api.post(LIST, PAYLOAD, format="json").data["code"]
    assert api.delete(url(code)).status_code == 204
    demand = DemandFactory(organization=user.membership.organization)
    response = api.delete(url(demand))
    assert response.status_code == 400 and "已发布的需求请关闭" in response.data["detail"]


def test_schema_documents_the_demand_endpoints(api):
    response = api.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/demands/", "/api/demands/{code}/", "/api/demands/{code}/renew/"} <= set(paths)
    params = {p["name"] for p in paths["/api/demands/"]["get"]["parameters"]}
    assert {
        "q",
        "industry",
        "district",
        "deal_kind",
        "budget_min",
        "budget_max",
        "deadline_after",
        "status",
    } <= params
