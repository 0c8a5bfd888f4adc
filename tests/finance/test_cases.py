"""Typical cases (issue 16, item 6): consent per party, never published without both, withdrawn
at once when a consent is withdrawn; the public pages list published cases only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from finance.models import CaseConsent, Deal, TypicalCase
from finance.services import cases as services
from portal.errors import ApplicationError
from portal.permissions import actor_for
from tests.finance.factories import DealFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    deal = DealFactory(status=Deal.Status.REGISTERED, registration_no="DJ-CASE-1")
    bureau = actor_for(make_user("bureau"))
    seller = actor_for(make_user("institution", organization=deal.seller))
    buyer = actor_for(make_user("sme", organization=deal.buyer))
    case = services.typical_case_create(
        actor=bureau, deal=deal, title="液压支架专利落地准格尔旗", story="一家中小企业通过平台找到了专利。"
    )
    return deal, bureau, seller, buyer, case


def test_only_the_bureau_writes_cases_and_only_of_registered_deals(world):
    deal, bureau, seller, _buyer, _case = world
    with pytest.raises(PermissionDenied):
        services.typical_case_create(actor=seller, deal=DealFactory(), title="x", story="y")
    with pytest.raises(ApplicationError):
        services.typical_case_create(actor=bureau, deal=DealFactory(), title="x", story="y")  # signed only
    with pytest.raises(ApplicationError):
        services.typical_case_create(actor=bureau, deal=deal, title="x", story="y")  # one per deal


def test_not_publishable_without_both_consents(world):
    _deal, bureau, seller, _buyer, case = world
    with pytest.raises(ApplicationError):
        services.typical_case_publish(actor=bureau, case=case)
    services.case_consent_record(actor=seller, case=case, party="seller")
    with pytest.raises(ApplicationError):
        services.typical_case_publish(actor=bureau, case=case)
    # Staff record a consent on a party's behalf only with its evidence.
    with pytest.raises(ApplicationError):
        services.case_consent_record(actor=bureau, case=case, party="buyer")
    consent = services.case_consent_record(
        actor=bureau, case=case, party="buyer", evidence="书面同意书（2024-03-01）"
    )
    assert consent.organization == case.deal.buyer and consent.recorded_by == bureau.user
    case = services.typical_case_publish(actor=bureau, case=case)
    assert case.status == TypicalCase.Status.PUBLISHED and case.published_at


def test_a_party_consents_only_for_itself_and_withdrawing_unpublishes(world):
    _deal, bureau, seller, buyer, case = world
    with pytest.raises(PermissionDenied):  # the buyer cannot consent for the seller
        services.case_consent_record(actor=buyer, case=case, party="seller", evidence="代签")
    services.case_consent_record(actor=seller, case=case, party="seller")
    services.case_consent_record(actor=buyer, case=case, party="buyer")
    services.typical_case_publish(actor=bureau, case=case)
    with pytest.raises(PermissionDenied):
        services.case_consent_withdraw(actor=seller, case=case, party="buyer")
    case = services.case_consent_withdraw(actor=buyer, case=case, party="buyer")
    assert case.status == TypicalCase.Status.WITHDRAWN
    assert CaseConsent.objects.get(case=case, party="buyer").withdrawn_at is not None
    with pytest.raises(ApplicationError):
        services.typical_case_publish(actor=bureau, case=case)
    services.case_consent_record(actor=buyer, case=case, party="buyer")  # given again
    assert services.typical_case_publish(actor=bureau, case=case).status == TypicalCase.Status.PUBLISHED


def test_terminated_deals_are_not_published(world):
    deal, bureau, seller, buyer, case = world
    services.case_consent_record(actor=seller, case=case, party="seller")
    services.case_consent_record(actor=buyer, case=case, party="buyer")
    Deal.objects.filter(pk=deal.pk).update(status=Deal.Status.TERMINATED, terminated_on=deal.contract_date)
    with pytest.raises(ApplicationError):
        services.typical_case_publish(actor=bureau, case=case)


def test_public_pages_show_published_cases_only(client, world):
    _deal, bureau, seller, buyer, case = world
    draft_page = reverse("finance:case-detail", args=[case.pk])
    assert client.get(draft_page).status_code == 404
    assert case.title not in client.get(reverse("finance:case-list")).content.decode()
    client.force_login(buyer.user)  # a party sees the draft, and consents on the page
    assert client.get(draft_page).status_code == 200
    client.post(reverse("finance:case-consent", args=[case.pk]))
    client.force_login(seller.user)
    client.post(reverse("finance:case-consent", args=[case.pk]))
    client.force_login(bureau.user)
    client.post(reverse("finance:case-publish", args=[case.pk]))
    client.logout()
    listing = client.get(reverse("finance:case-list")).content.decode()
    assert case.title in listing
    page = client.get(draft_page).content.decode()
    assert "一家中小企业通过平台找到了专利。" in page and 'id="case-consents"' not in page


def test_case_list_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries, world):
    _deal, bureau, *_rest = world
    for i in range(3):
        deal = DealFactory(status=Deal.Status.REGISTERED, registration_no=f"DJ-CASE-N{i}")
        services.typical_case_create(actor=bureau, deal=deal, title=f"案例{i}", story="故事")
    TypicalCase.objects.update(status=TypicalCase.Status.PUBLISHED, published_at=timezone.now())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("finance:case-list"))
    assert response.content.decode().count("finance/cases/") >= 4


@pytest.mark.parametrize("url", ["/admin/finance/typicalcase/", "/admin/matching/subscription/"])
def test_admin_lists_cases_and_subscriptions_read_only(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert admin_client.get(url + "add/").status_code == 403
