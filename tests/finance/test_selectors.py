"""Who sees which finance records (the selectors every page and endpoint reads through)."""

import datetime as dt
from decimal import Decimal

import pytest

from finance import selectors, services
from finance.models import Deal
from portal.permissions import actor_for
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
    insurer,
    make_user,
    region,
    sme,
)
from tests.patents.factories import agency_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    """Records in 准格尔旗 (150622) and in 东胜区 (150602)."""
    local_sme = sme(region=region("150622"))
    other_sme = sme()
    university = InstitutionFactory()
    lender, underwriter = bank(), insurer()
    return {
        "local_sme": local_sme,
        "other_sme": other_sme,
        "university": university,
        "bank": lender,
        "insurer": underwriter,
        "local_deal": DealFactory(seller=university, buyer=local_sme),
        "other_deal": DealFactory(buyer=other_sme),
        "local_pledge": PledgeFactory(borrower=local_sme, lender=lender),
        "other_pledge": PledgeFactory(borrower=other_sme),
        "local_policy": InsurancePolicyFactory(insured=local_sme, insurer=underwriter),
        "other_policy": InsurancePolicyFactory(insured=other_sme),
        "local_subsidy": SubsidyFactory(organization=local_sme),
        "other_subsidy": SubsidyFactory(),
        "local_filing": ProductFilingFactory(organization=local_sme),
        "other_filing": ProductFilingFactory(organization=other_sme),
    }


def visible(user, selector):
    return set(selector(actor=actor_for(user)).values_list("pk", flat=True))


def pks(*objs):
    return {o.pk for o in objs}


def test_city_staff_and_superusers_see_everything(data):
    for user in (make_user("bureau"), make_user("admin")):
        assert visible(user, selectors.deal_list) == pks(data["local_deal"], data["other_deal"])
        assert visible(user, selectors.subsidy_list) == pks(data["local_subsidy"], data["other_subsidy"])


def test_district_officer_sees_records_with_a_party_in_the_district(data):
    officer = make_user("district_officer", district="150622")
    assert visible(officer, selectors.deal_list) == pks(data["local_deal"])
    assert visible(officer, selectors.pledge_list) == pks(data["local_pledge"])
    assert visible(officer, selectors.insurance_policy_list) == pks(data["local_policy"])
    assert visible(officer, selectors.subsidy_list) == pks(data["local_subsidy"])
    assert visible(officer, selectors.product_filing_list) == pks(data["local_filing"])
    # A deal whose seller (not buyer) is in the district counts too.
    seller = InstitutionFactory(region=region("150622"))
    deal = DealFactory(seller=seller)
    assert deal.pk in visible(officer, selectors.deal_list)


def test_bank_sees_its_own_pledges_only(data):
    user = make_user("bank", organization=data["bank"])
    assert visible(user, selectors.pledge_list) == pks(data["local_pledge"])
    assert visible(user, selectors.deal_list) == set()
    assert visible(user, selectors.insurance_policy_list) == set()


def test_insurer_sees_its_own_policies_only(data):
    user = make_user("insurer", organization=data["insurer"])
    assert visible(user, selectors.insurance_policy_list) == pks(data["local_policy"])
    assert visible(user, selectors.pledge_list) == set()


def test_sme_sees_its_own_records(data):
    user = make_user("sme", organization=data["local_sme"])
    assert visible(user, selectors.deal_list) == pks(data["local_deal"])
    assert visible(user, selectors.pledge_list) == pks(data["local_pledge"])
    assert visible(user, selectors.insurance_policy_list) == pks(data["local_policy"])
    assert visible(user, selectors.subsidy_list) == pks(data["local_subsidy"])
    assert visible(user, selectors.product_filing_list) == pks(data["local_filing"])
    payment = PaymentFactory(deal=data["local_deal"])
    PaymentFactory(deal=data["other_deal"])
    assert visible(user, selectors.payment_list) == pks(payment)


def test_institution_sees_deals_on_its_patents_and_its_own(data):
    university = data["university"]
    user = make_user("institution", organization=university)
    # A deal between two others on a patent the university now holds.
    patent = PatentFactory(owner=university)
    on_its_patent = DealFactory(seller=InstitutionFactory(), patents=[patent])
    assert visible(user, selectors.deal_list) == pks(data["local_deal"], on_its_patent)
    # An agency acting for the university sees the deals on its patents too.
    assert on_its_patent.pk in visible(agency_for(university), selectors.deal_list)


def test_after_a_registered_transfer_the_seller_still_sees_its_deal():
    staff = actor_for(make_user("bureau"))
    university, buyer = InstitutionFactory(), sme()
    patent = PatentFactory(owner=university)
    deal = services.deal_create(
        actor=staff,
        deal_no="HT-1",
        kind=Deal.Kind.TRANSFER,
        seller=university,
        buyer=buyer,
        patents=[patent],
        contract_date=dt.date(2023, 5, 1),
        contract_amount=Decimal("1"),
        registration_no="R-1",
    )
    assert visible(make_user("institution", organization=university), selectors.deal_list) == pks(deal)
    assert visible(make_user("sme", organization=buyer), selectors.deal_list) == pks(deal)


@pytest.mark.parametrize("role", ["none"])
def test_users_without_organization_see_nothing(data, role):
    user = make_user(role)
    for selector in (selectors.deal_list, selectors.pledge_list, selectors.subsidy_list):
        assert visible(user, selector) == set()


def test_a_pending_organization_sees_nothing(data):
    user = make_user("sme", verified=False)
    DealFactory(buyer=user.membership.organization)
    assert visible(user, selectors.deal_list) == set()


def test_overview_counts_only_visible_records(data):
    officer = actor_for(make_user("district_officer", district="150622"))
    overview = selectors.finance_overview(actor=officer)
    assert overview["deals"]["count"] == 1 and overview["pledges"]["count"] == 1


def test_subsidy_cap_violations_is_empty_when_records_go_through_the_rules(data):
    assert list(selectors.subsidy_cap_violations()) == []
    # A record written around the services shows up.
    over = SubsidyFactory(approved_amount=Decimal("500"), requested_amount=Decimal("600"))
    SubsidyFactory(
        organization=sme(),
        patent=over.patent,
        approved_amount=Decimal("1"),
        decision_date=dt.date(2023, 10, 1),
    )
    assert [row["patent_id"] for row in selectors.subsidy_cap_violations()] == [over.patent_id]
