"""The finance REST API: scoped reads with the shared filters, writes through the services for
bureau staff (and banks for their own pledges), one error shape, history with the API user."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from finance.models import Deal, Pledge
from tests.finance.factories import (
    DealFactory,
    InstitutionFactory,
    InsurancePolicyFactory,
    PatentFactory,
    PaymentFactory,
    PledgeFactory,
    ProductFilingFactory,
    SubsidyFactory,
    make_user,
    region,
    sme,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "finance-deal": DealFactory,
    "finance-payment": PaymentFactory,
    "finance-pledge": PledgeFactory,
    "finance-insurance-policy": InsurancePolicyFactory,
    "finance-subsidy": SubsidyFactory,
    "finance-product-filing": ProductFilingFactory,
}


def api_for(user=None, *, token=False):
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        else:
            client.force_authenticate(user)
    return client


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.mark.parametrize("basename", list(ENDPOINTS))
def test_anonymous_gets_nothing(basename):
    ENDPOINTS[basename]()
    assert api_for().get(url(f"{basename}-list")).status_code in (401, 403)


@pytest.mark.parametrize("basename", list(ENDPOINTS))
def test_list_endpoints_run_a_fixed_number_of_queries(basename, django_assert_max_num_queries):
    client = api_for(make_user("bureau"))
    for _ in range(3):
        ENDPOINTS[basename]()
    with django_assert_max_num_queries(8) as few:
        assert client.get(url(f"{basename}-list")).status_code == 200
    for _ in range(10):
        ENDPOINTS[basename]()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(f"{basename}-list"), {"year": 2023})
    assert response.data["count"] == 13


def test_deal_filters_kind_year_district_organization():
    local = DealFactory(buyer=sme(region=region("150622")), kind=Deal.Kind.TRANSFER)
    license_deal = DealFactory(
        kind=Deal.Kind.LICENSE, license_scope="ordinary", contract_date=dt.date(2022, 2, 1)
    )
    PaymentFactory(deal=local, amount=Decimal("1234.50"))
    client = api_for(make_user("bureau"))

    def ids(**params):
        response = client.get(url("finance-deal-list"), params)
        assert response.status_code == 200, response.data
        return [row["id"] for row in response.data["results"]]

    assert ids(kind="license") == [license_deal.pk]
    assert ids(year=2023) == [local.pk]
    assert ids(district="150622") == [local.pk]
    assert ids(organization=local.buyer_id) == [local.pk]
    assert ids(q=local.deal_no) == [local.pk]
    row = client.get(url("finance-deal-detail", local.pk)).data
    assert row["received_amount"] == "1234.50" and row["patents"] == [local.patents.get().application_no]
    assert client.get(url("finance-deal-list"), {"year": "abc"}).status_code == 400


def test_other_records_filter_kind_by_party_kind_and_year():
    mine = PledgeFactory(borrower=sme())
    PledgeFactory(borrower=InstitutionFactory(), registration_date=dt.date(2022, 1, 5))
    client = api_for(make_user("bureau"))
    response = client.get(url("finance-pledge-list"), {"kind": "sme", "year": 2023})
    assert [row["id"] for row in response.data["results"]] == [mine.pk]


def deal_payload(seller, buyer, patent, **overrides):
    payload = {
        "deal_no": "HT-API-1",
        "kind": "transfer",
        "seller": seller.pk,
        "buyer": buyer.pk,
        "patents": [patent.application_no],
        "contract_date": "2023-05-01",
        "contract_amount": "88000.00",
    }
    return {**payload, **overrides}


def test_bureau_creates_and_registers_a_deal_and_history_records_the_token_user():
    user = make_user("bureau")
    client = api_for(user, token=True)
    seller, buyer = InstitutionFactory(), sme()
    patent = PatentFactory(owner=seller)
    response = client.post(url("finance-deal-list"), deal_payload(seller, buyer, patent), format="json")
    assert response.status_code == 201, response.data
    deal = Deal.objects.get(pk=response.data["id"])
    assert deal.history.get().history_user == user
    response = client.post(url("finance-deal-register", deal.pk), {"registration_no": "R-API"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "registered"
    patent.refresh_from_db()
    assert patent.owner == buyer
    assert [r.history_user for r in deal.history.all()] == [user, user]
    response = client.post(
        url("finance-payment-list"), {"deal": deal.pk, "date": "2023-04-01", "amount": "5"}, format="json"
    )
    assert response.status_code == 400 and "date" in response.data["errors"]


def test_rule_violations_come_back_as_one_error_shape():
    client = api_for(make_user("bureau"))
    seller, buyer = InstitutionFactory(), sme()
    response = client.post(
        url("finance-deal-list"), deal_payload(seller, buyer, PatentFactory()), format="json"
    )
    assert response.status_code == 400
    assert response.data["detail"] == "invalid" and "seller" in response.data["errors"]
    response = client.post(
        url("finance-deal-list"), deal_payload(seller, buyer, PatentFactory(), patents=["123"]), format="json"
    )
    assert response.status_code == 400 and "patents" in response.data["errors"]


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "bank", "insurer"])
def test_only_staff_write_deals(role):
    user = make_user(role)
    client = api_for(user)
    seller, buyer = InstitutionFactory(), sme()
    response = client.post(
        url("finance-deal-list"), deal_payload(seller, buyer, PatentFactory(owner=seller)), format="json"
    )
    assert response.status_code == 403 and not Deal.objects.exists()
    own = DealFactory(buyer=user.membership.organization)
    assert client.get(url("finance-deal-detail", own.pk)).status_code == 200  # a party sees its deal
    assert client.patch(url("finance-deal-detail", own.pk), {"notes": "x"}, format="json").status_code == 403
    assert client.delete(url("finance-deal-detail", own.pk)).status_code == 403
    assert Deal.objects.filter(pk=own.pk, notes="").exists()


def test_bank_writes_its_own_pledges_only():
    user = make_user("bank")
    client = api_for(user)
    borrower = sme()
    patent = PatentFactory(owner=borrower)
    payload = {
        "registration_no": "Y-API-1",
        "borrower": borrower.pk,
        "lender": None,
        "patents": [patent.application_no],
        "amount": "2000000",
        "registration_date": "2023-07-01",
        "term_months": 12,
    }
    response = client.post(url("finance-pledge-list"), payload, format="json")
    assert response.status_code == 201, response.data
    pledge = Pledge.objects.get(pk=response.data["id"])
    assert pledge.lender == user.membership.organization
    response = client.patch(url("finance-pledge-detail", pledge.pk), {"status": "released"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "released"
    other = PledgeFactory()
    assert (
        client.patch(
            url("finance-pledge-detail", other.pk), {"status": "released"}, format="json"
        ).status_code
        == 404
    )
    assert [row["id"] for row in client.get(url("finance-pledge-list")).data["results"]] == [pledge.pk]
    assert client.post(url("finance-subsidy-list"), {}, format="json").status_code == 403


def test_district_officer_writes_within_the_district():
    client = api_for(make_user("district_officer", district="150622"))
    seller = InstitutionFactory()
    patent = PatentFactory(owner=seller)
    response = client.post(url("finance-deal-list"), deal_payload(seller, sme(), patent), format="json")
    assert response.status_code == 403
    response = client.post(
        url("finance-deal-list"), deal_payload(seller, sme(region=region("150622")), patent), format="json"
    )
    assert response.status_code == 201


def test_deleting_a_deal_with_payments_is_refused():
    payment = PaymentFactory()
    client = api_for(make_user("bureau"))
    response = client.delete(url("finance-deal-detail", payment.deal_id))
    assert response.status_code == 400 and "到账" in response.data["detail"]
    assert client.delete(url("finance-payment-detail", payment.pk)).status_code == 204
    assert client.delete(url("finance-deal-detail", payment.deal_id)).status_code == 204


def test_subsidy_cap_through_the_api():
    existing = SubsidyFactory(approved_amount=Decimal("400"))
    client = api_for(make_user("bureau"))
    payload = {
        "organization": existing.organization_id,
        "patent": existing.patent.application_no,
        "official_fees": "1000",
        "requested_amount": "200",
        "approved_amount": "100.01",
        "status": "approved",
        "decision_date": "2023-12-01",
    }
    response = client.post(url("finance-subsidy-list"), payload, format="json")
    assert response.status_code == 400 and "50%" in response.data["errors"]["approved_amount"][0]
    payload["approved_amount"] = "100"
    assert client.post(url("finance-subsidy-list"), payload, format="json").status_code == 201


def test_schema_documents_the_finance_endpoints():
    response = api_for().get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/finance/deals/",
        "/api/finance/deals/{id}/register/",
        "/api/finance/pledges/",
        "/api/finance/subsidies/",
    ):
        assert path in schema


def test_finance_schema_is_valid_and_adds_no_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    from finance.api import urls as finance_api

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include((finance_api.urlpatterns, "api")))])
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert dict(GENERATOR_STATS._warn_cache) == {} and dict(GENERATOR_STATS._error_cache) == {}
    assert "FinanceDealStatusEnum" in schema["components"]["schemas"]
