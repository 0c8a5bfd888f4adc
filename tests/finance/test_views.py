"""Finance pages: who may open them, forms that go through the services, history with the acting
user, and a fixed number of queries on every list page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import Deal, Payment, Pledge
from tests.finance.factories import (
    DealFactory,
    InstitutionFactory,
    InsurancePolicyFactory,
    PatentFactory,
    PaymentFactory,
    PledgeFactory,
    ProductFilingFactory,
    SubsidyFactory,
    bank,
    make_user,
    region,
    sme,
)

pytestmark = pytest.mark.django_db

LISTS = ["deal", "pledge", "insurance", "subsidy", "filing"]
FACTORIES = {
    "deal": DealFactory,
    "pledge": PledgeFactory,
    "insurance": InsurancePolicyFactory,
    "subsidy": SubsidyFactory,
    "filing": ProductFilingFactory,
}


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def bureau(client):
    return login(client, make_user("bureau"))


def test_anonymous_is_sent_to_login_and_users_without_organization_refused(client):
    response = client.get(reverse("finance:home"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    login(client, make_user("none"))
    assert client.get(reverse("finance:home")).status_code == 403


@pytest.mark.parametrize(
    "role", ["bureau", "district_officer", "bank", "insurer", "sme", "institution", "admin"]
)
def test_overview_and_lists_open_for_every_role_with_an_organization(client, role):
    login(client, make_user(role))
    response = client.get(reverse("finance:home"))
    assert response.status_code == 200 and "交易与金融" in response.content.decode()
    for key in LISTS:
        assert client.get(reverse(f"finance:{key}-list")).status_code == 200


@pytest.mark.parametrize("key", LISTS)
def test_list_pages_run_a_fixed_number_of_queries(bureau, django_assert_max_num_queries, key):
    for _ in range(3):
        FACTORIES[key]()
    url = reverse(f"finance:{key}-list")
    with django_assert_max_num_queries(10) as few:
        assert bureau.get(url).status_code == 200
    for _ in range(12):
        FACTORIES[key]()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bureau.get(url, {"q": "", "year": "2023"})
    assert response.status_code == 200 and len(response.context["objects"]) == 15


def test_list_filters_search_and_pagination(bureau):
    local = DealFactory(buyer=sme(region=region("150622")), deal_no="HT-LOCAL")
    DealFactory(deal_no="HT-OTHER", contract_date=dt.date(2022, 3, 1))
    url = reverse("finance:deal-list")
    assert [d.pk for d in bureau.get(url, {"district": "150622"}).context["objects"]] == [local.pk]
    assert [d.pk for d in bureau.get(url, {"year": "2023"}).context["objects"]] == [local.pk]
    assert [d.pk for d in bureau.get(url, {"q": "LOCAL"}).context["objects"]] == [local.pk]
    assert [d.pk for d in bureau.get(url, {"organization": local.buyer_id}).context["objects"]] == [local.pk]
    for _ in range(25):
        DealFactory()
    page = bureau.get(url, {"page": 2})
    assert page.context["page_obj"].number == 2 and len(page.context["objects"]) == 7


def test_detail_pages_show_the_record_and_its_history(bureau):
    for key in LISTS:
        obj = FACTORIES[key]()
        response = bureau.get(reverse(f"finance:{key}-detail", args=[obj.pk]))
        assert response.status_code == 200 and 'id="history"' in response.content.decode()


def test_create_deal_in_the_browser_records_the_user(client):
    user = make_user("bureau")
    login(client, user)
    seller, buyer = InstitutionFactory(), sme()
    patent = PatentFactory(owner=seller)
    data = {
        "deal_no": "HT-WEB-1",
        "kind": "transfer",
        "license_scope": "",
        "seller": seller.pk,
        "buyer": buyer.pk,
        "patents": f"ZL{patent.application_no}\n",
        "contract_date": "2023-05-01",
        "contract_amount": "250000",
        "registration_no": "2023990000777",
    }
    response = client.post(reverse("finance:deal-create"), data)
    deal = Deal.objects.get(deal_no="HT-WEB-1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance:deal-detail", args=[deal.pk]
    )
    assert deal.history.get().history_user == user
    patent.refresh_from_db()
    assert patent.owner == buyer
    page = client.get(response["Location"]).content.decode()
    assert user.username in page or user.get_full_name() in page


def test_service_errors_show_on_the_form_fields(bureau):
    seller, buyer = InstitutionFactory(), sme()
    patent = PatentFactory()  # owned by someone else
    data = {
        "deal_no": "HT-WEB-2",
        "kind": "transfer",
        "seller": seller.pk,
        "buyer": buyer.pk,
        "patents": f"{patent.application_no}\n202110999999.1",
        "contract_date": "2023-05-01",
        "contract_amount": "1",
    }
    response = bureau.post(reverse("finance:deal-create"), data)
    assert response.status_code == 200 and "patents" in response.context["form"].errors
    data["patents"] = patent.application_no
    response = bureau.post(reverse("finance:deal-create"), data)
    assert "转让方在合同日期不是专利" in response.context["form"].errors["seller"][0]
    assert not Deal.objects.exists()


def test_registered_deal_form_locks_the_parties(bureau):
    deal = DealFactory(registration_no="R-1", status=Deal.Status.REGISTERED)
    form = bureau.get(reverse("finance:deal-update", args=[deal.pk])).context["form"]
    assert form.fields["buyer"].disabled and form.fields["patents"].disabled
    assert not form.fields["contract_amount"].disabled
    data = {
        "deal_no": deal.deal_no,
        "kind": "transfer",
        "seller": deal.seller_id,
        "buyer": sme().pk,  # ignored: the field is disabled
        "contract_date": "2023-05-01",
        "contract_amount": "123456",
        "registration_no": "R-1",
    }
    response = bureau.post(reverse("finance:deal-update", args=[deal.pk]), data)
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.contract_amount == Decimal("123456") and deal.buyer_id != data["buyer"]


def test_payments_register_and_terminate_from_the_deal_page(bureau):
    deal = DealFactory()
    url = reverse("finance:payment-create", args=[deal.pk])
    bureau.post(url, {"date": "2023-04-01", "amount": "100"})
    assert not Payment.objects.exists()
    bureau.post(url, {"date": "2023-06-01", "amount": "100"})
    assert Payment.objects.get().amount == Decimal("100")
    bureau.post(
        reverse("finance:deal-terminate", args=[deal.pk]), {"terminated_on": "2023-07-01", "reason": "解除"}
    )
    deal.refresh_from_db()
    assert deal.status == Deal.Status.TERMINATED
    response = bureau.post(reverse("finance:deal-delete", args=[deal.pk]), follow=True)
    assert "不能删除" in response.content.decode() and Deal.objects.filter(pk=deal.pk).exists()


def test_register_from_the_deal_page(bureau):
    deal = DealFactory()
    bureau.post(reverse("finance:deal-register", args=[deal.pk]), {"registration_no": "2023990000888"})
    deal.refresh_from_db()
    assert deal.status == Deal.Status.REGISTERED
    assert deal.patents.get().owner == deal.buyer


def test_bank_records_and_edits_its_own_pledges(client):
    user = make_user("bank")
    login(client, user)
    assert client.get(reverse("finance:deal-create")).status_code == 403
    form = client.get(reverse("finance:pledge-create")).context["form"]
    assert "lender" not in form.fields
    borrower = sme()
    patent = PatentFactory(owner=borrower)
    data = {
        "registration_no": "Y-BANK-1",
        "borrower": borrower.pk,
        "patents": patent.application_no,
        "amount": "3000000",
        "registration_date": "2023-07-01",
        "term_months": "24",
        "has_guarantee": "on",
        "status": "active",
    }
    response = client.post(reverse("finance:pledge-create"), data)
    pledge = Pledge.objects.get(registration_no="Y-BANK-1")
    assert (
        response.status_code == 302 and pledge.lender == user.membership.organization and pledge.has_guarantee
    )
    assert pledge.history.get().history_user == user
    other = PledgeFactory()
    assert client.get(reverse("finance:pledge-update", args=[other.pk])).status_code == 404
    assert client.get(reverse("finance:pledge-update", args=[pledge.pk])).status_code == 200


@pytest.mark.parametrize("role", ["sme", "institution", "insurer", "agency"])
def test_other_roles_cannot_write(client, role):
    user = make_user(role)
    login(client, user)
    deal = DealFactory(buyer=user.membership.organization) if role == "sme" else DealFactory()
    for key in LISTS:
        assert client.get(reverse(f"finance:{key}-create")).status_code == 403
    expected = 403 if role == "sme" else 404  # the SME sees its deal but may not change it
    assert client.get(reverse("finance:deal-update", args=[deal.pk])).status_code == expected
    assert client.post(reverse("finance:deal-delete", args=[deal.pk])).status_code == expected
    assert (
        client.post(
            reverse("finance:payment-create", args=[deal.pk]), {"date": "2023-06-01", "amount": "1"}
        ).status_code
        == expected
    )
    assert not Payment.objects.exists()


def test_district_officer_lists_and_edits_only_their_district(client):
    login(client, make_user("district_officer", district="150622"))
    local = DealFactory(buyer=sme(region=region("150622")))
    other = DealFactory()
    objects = client.get(reverse("finance:deal-list")).context["objects"]
    assert [d.pk for d in objects] == [local.pk]
    assert client.get(reverse("finance:deal-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("finance:deal-update", args=[local.pk])).status_code == 200


def test_sme_sees_its_deal_without_write_controls(client):
    user = make_user("sme")
    login(client, user)
    deal = DealFactory(buyer=user.membership.organization)
    PaymentFactory(deal=deal)
    page = client.get(reverse("finance:deal-detail", args=[deal.pk])).content.decode()
    assert deal.deal_no in page and 'id="edit-link"' not in page and 'id="payment-form"' not in page
    assert 'id="history"' not in page  # the audit trail (naming staff) is for staff and editors


def test_admin_shows_history_and_refuses_deleting_a_deal_with_payments(client):
    login(client, make_user("admin"))
    payment = PaymentFactory()
    deal = payment.deal
    assert client.get(reverse("admin:finance_deal_changelist")).status_code == 200
    assert client.get(reverse("admin:finance_deal_history", args=[deal.pk])).status_code == 200
    assert client.get(reverse("admin:finance_deal_change", args=[deal.pk])).status_code == 200
    assert (
        client.post(reverse("admin:finance_deal_delete", args=[deal.pk]), {"post": "yes"}).status_code == 403
    )
    assert Deal.objects.filter(pk=deal.pk).exists()
    pledge = PledgeFactory(lender=bank())
    client.post(reverse("admin:finance_pledge_delete", args=[pledge.pk]), {"post": "yes"})
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
