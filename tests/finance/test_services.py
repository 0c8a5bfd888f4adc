"""The rules of finance records, through the services, and what follows a registration."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from finance import services
from finance.models import Deal, Payment, Pledge, Subsidy
from patents.models import OpenLicense, Patent
from portal.errors import ApplicationError
from portal.permissions import actor_for
from tests.finance.factories import (
    DealFactory,
    InstitutionFactory,
    PatentFactory,
    PaymentFactory,
    app_no,
    bank,
    insurer,
    make_user,
    region,
    sme,
)

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def staff():
    return actor_for(make_user("bureau"))


@pytest.fixture
def parties():
    university = InstitutionFactory()
    return university, sme(), PatentFactory(owner=university)


def deal_args(parties, **overrides):
    seller, buyer, patent = parties
    args = {
        "deal_no": "HT-2023-0001",
        "kind": Deal.Kind.TRANSFER,
        "seller": seller,
        "buyer": buyer,
        "patents": [patent],
        "contract_date": dt.date(2023, 5, 1),
        "contract_amount": Decimal("100000.00"),
    }
    return {**args, **overrides}


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Deals ----------------------------------------------------------------------------------------


def test_signed_transfer_leaves_the_patent_with_the_seller(staff, parties):
    deal = services.deal_create(actor=staff, **deal_args(parties))
    seller, _buyer, patent = parties
    patent.refresh_from_db()
    assert deal.status == Deal.Status.SIGNED and patent.owner == seller and patent.dormant


def test_registered_transfer_moves_the_patent_to_the_buyer(staff, parties):
    _seller, buyer, patent = parties
    deal = services.deal_create(actor=staff, **deal_args(parties, registration_no="2023990000123"))
    patent.refresh_from_db()
    assert deal.status == Deal.Status.REGISTERED
    assert patent.owner == buyer and patent.transfer_count == 1
    assert patent.last_transferred_on == dt.date(2023, 5, 1) and not patent.dormant


def test_registering_later_moves_the_patent_then(staff, parties):
    _seller, buyer, patent = parties
    deal = services.deal_create(actor=staff, **deal_args(parties))
    services.deal_register(deal=deal, actor=staff, registration_no="2023990000123")
    patent.refresh_from_db()
    deal.refresh_from_db()
    assert deal.status == Deal.Status.REGISTERED and patent.owner == buyer
    with pytest.raises(ApplicationError):
        services.deal_register(deal=deal, actor=staff, registration_no="2023990000999")


def test_equity_contribution_moves_the_patent_when_registered(staff, parties):
    _seller, buyer, patent = parties
    services.deal_create(actor=staff, **deal_args(parties, kind=Deal.Kind.EQUITY, registration_no="R-1"))
    patent.refresh_from_db()
    assert patent.owner == buyer


def test_seller_must_own_the_patents_at_the_contract_date(staff, parties):
    other = InstitutionFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, seller=other))
    assert "不是专利" in errors_of(excinfo)["seller"][0]
    assert not Deal.objects.exists()


def test_after_a_registered_transfer_the_old_owner_cannot_sell_again(staff, parties):
    _seller, buyer, _patent = parties
    services.deal_create(actor=staff, **deal_args(parties, registration_no="R-1"))
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(
            actor=staff, **deal_args(parties, deal_no="HT-2", buyer=sme(), contract_date=dt.date(2023, 6, 1))
        )
    assert "seller" in errors_of(excinfo)
    # The new owner can, later.
    deal = services.deal_create(
        actor=staff,
        **deal_args(parties, deal_no="HT-3", seller=buyer, buyer=sme(), contract_date=dt.date(2023, 7, 1)),
    )
    assert deal.pk


def test_a_transfer_cannot_be_dated_before_a_registered_one(staff, parties):
    _seller, buyer, _patent = parties
    services.deal_create(actor=staff, **deal_args(parties, registration_no="R-1"))
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(
            actor=staff,
            **deal_args(
                parties, deal_no="HT-2", seller=buyer, buyer=sme(), contract_date=dt.date(2023, 1, 1)
            ),
        )
    assert "已登记转让" in errors_of(excinfo)["patents"][0]


def test_buyer_must_differ_from_seller(staff, parties):
    seller, _buyer, _patent = parties
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, buyer=seller))
    assert "buyer" in errors_of(excinfo)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1")])
def test_contract_amount_must_be_positive(staff, parties, amount):
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, contract_amount=amount))
    assert "contract_amount" in errors_of(excinfo)


def test_only_a_fee_waived_deal_may_be_free(staff, parties):
    deal = services.deal_create(
        actor=staff, **deal_args(parties, contract_amount=Decimal("0"), fee_waived=True)
    )
    assert deal.contract_amount == 0


def test_contract_date_not_in_the_future(staff, parties):
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, contract_date=TOMORROW))
    assert "contract_date" in errors_of(excinfo)


def test_license_scope_only_and_always_for_licenses(staff, parties):
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, kind=Deal.Kind.LICENSE))
    assert "license_scope" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, license_scope=Deal.LicenseScope.ORDINARY))
    assert "license_scope" in errors_of(excinfo)


def test_a_deal_needs_patents(staff, parties):
    with pytest.raises(ValidationError) as excinfo:
        services.deal_create(actor=staff, **deal_args(parties, patents=[]))
    assert "patents" in errors_of(excinfo)


def test_registered_license_is_recorded_on_the_patent(staff, parties):
    _seller, _buyer, patent = parties
    services.deal_create(
        actor=staff,
        **deal_args(
            parties, kind=Deal.Kind.LICENSE, license_scope=Deal.LicenseScope.ORDINARY, registration_no="L-1"
        ),
    )
    patent.refresh_from_db()
    assert patent.license_count == 1 and patent.last_licensed_on == dt.date(2023, 5, 1)
    assert not patent.dormant and patent.owner == parties[0]


def test_no_exclusive_license_while_an_open_license_stands(staff, parties):
    _seller, _buyer, patent = parties
    OpenLicense.objects.create(
        patent=patent,
        fee_mode=OpenLicense.FeeMode.ROYALTY,
        royalty_rate=Decimal("3"),
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2025, 1, 1),
    )
    for scope in (Deal.LicenseScope.EXCLUSIVE, Deal.LicenseScope.SOLE):
        with pytest.raises(ValidationError) as excinfo:
            services.deal_create(
                actor=staff, **deal_args(parties, kind=Deal.Kind.LICENSE, license_scope=scope)
            )
        assert "开放许可" in errors_of(excinfo)["patents"][0]
    deal = services.deal_create(
        actor=staff, **deal_args(parties, kind=Deal.Kind.LICENSE, license_scope=Deal.LicenseScope.ORDINARY)
    )
    assert deal.pk


def test_nothing_beside_a_registered_exclusive_license(staff, parties):
    services.deal_create(
        actor=staff,
        **deal_args(
            parties, kind=Deal.Kind.LICENSE, license_scope=Deal.LicenseScope.EXCLUSIVE, registration_no="L-1"
        ),
    )
    with pytest.raises(ValidationError):
        services.deal_create(
            actor=staff,
            **deal_args(
                parties,
                deal_no="HT-2",
                buyer=sme(),
                kind=Deal.Kind.LICENSE,
                license_scope=Deal.LicenseScope.ORDINARY,
                contract_date=dt.date(2023, 6, 1),
            ),
        )


def test_terminating_an_exclusive_license_ends_the_exclusivity(staff, parties):
    _seller, _buyer, patent = parties
    deal = services.deal_create(
        actor=staff,
        **deal_args(
            parties, kind=Deal.Kind.LICENSE, license_scope=Deal.LicenseScope.EXCLUSIVE, registration_no="L-1"
        ),
    )
    services.deal_terminate(deal=deal, actor=staff, terminated_on=dt.date(2023, 8, 1))
    patent.refresh_from_db()
    assert patent.exclusive_license_until == dt.date(2023, 8, 1)


def test_a_registered_deal_keeps_its_parties_and_patents(staff, parties):
    deal = services.deal_create(actor=staff, **deal_args(parties, registration_no="R-1"))
    with pytest.raises(ApplicationError):
        services.deal_update(deal=deal, actor=staff, buyer=sme())
    with pytest.raises(ApplicationError):
        services.deal_update(deal=deal, actor=staff, patents=[PatentFactory(owner=parties[0])])
    with pytest.raises(ValidationError):
        services.deal_update(deal=deal, actor=staff, registration_no="")
    deal = services.deal_update(
        deal=deal, actor=staff, contract_amount=Decimal("120000.00"), notes="更正金额"
    )
    assert deal.contract_amount == Decimal("120000.00")


def test_deleting_a_deal_with_payments_is_refused(staff, parties):
    deal = services.deal_create(actor=staff, **deal_args(parties))
    services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 6, 1), amount=Decimal("1000"))
    with pytest.raises(ApplicationError):
        services.deal_delete(deal=deal, actor=staff)
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_deleting_a_registered_deal_is_refused_and_a_signed_one_is_recorded(staff, parties):
    registered = services.deal_create(actor=staff, **deal_args(parties, registration_no="R-1"))
    with pytest.raises(ApplicationError):
        services.deal_delete(deal=registered, actor=staff)
    other = DealFactory()
    pk = other.pk
    services.deal_delete(deal=other, actor=staff)
    last = Deal.history.filter(id=pk).latest("history_date")
    assert last.history_type == "-" and last.history_user == staff.user


# --- Payments -------------------------------------------------------------------------------------


def test_received_amount_is_the_sum_of_payments(staff):
    deal = DealFactory()
    services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 6, 1), amount=Decimal("30000"))
    services.payment_create(deal=deal, actor=staff, date=dt.date(2024, 1, 5), amount=Decimal("20000.50"))
    assert Deal.objects.with_received_amount().get(pk=deal.pk).received_amount == Decimal("50000.50")
    assert Deal.objects.with_received_amount().get(pk=DealFactory().pk).received_amount == 0


def test_payment_before_the_contract_date_is_refused(staff):
    deal = DealFactory(contract_date=dt.date(2023, 5, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 4, 30), amount=Decimal("1"))
    assert "早于合同日期" in errors_of(excinfo)["date"][0]
    assert services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 5, 1), amount=Decimal("1")).pk


def test_payment_after_termination_is_refused(staff):
    deal = DealFactory()
    services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 6, 1), amount=Decimal("1000"))
    services.deal_terminate(deal=deal, actor=staff, terminated_on=dt.date(2023, 7, 1), reason="协议解除")
    with pytest.raises(ValidationError) as excinfo:
        services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 7, 2), amount=Decimal("1000"))
    assert "终止" in errors_of(excinfo)["date"][0]
    # A payment received before the termination may still be recorded late.
    assert services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 6, 30), amount=Decimal("5")).pk


def test_termination_date_not_before_the_last_payment(staff):
    deal = DealFactory()
    services.payment_create(deal=deal, actor=staff, date=dt.date(2023, 6, 1), amount=Decimal("1000"))
    with pytest.raises(ValidationError) as excinfo:
        services.deal_terminate(deal=deal, actor=staff, terminated_on=dt.date(2023, 5, 15))
    assert "terminated_on" in errors_of(excinfo)


@pytest.mark.parametrize(
    ("date", "amount", "field"),
    [
        (TOMORROW, Decimal("1"), "date"),
        (dt.date(2023, 6, 1), Decimal("0"), "amount"),
        (dt.date(2023, 6, 1), Decimal("-5"), "amount"),
    ],
)
def test_payment_not_in_the_future_and_positive(staff, date, amount, field):
    with pytest.raises(ValidationError) as excinfo:
        services.payment_create(deal=DealFactory(), actor=staff, date=date, amount=amount)
    assert field in errors_of(excinfo)


def test_the_same_payment_twice_is_refused(staff):
    payment = PaymentFactory()
    with pytest.raises(ValidationError):
        services.payment_create(deal=payment.deal, actor=staff, date=payment.date, amount=payment.amount)
    assert Payment.objects.count() == 1


def test_contract_date_cannot_move_after_a_payment(staff):
    payment = PaymentFactory(date=dt.date(2023, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.deal_update(deal=payment.deal, actor=staff, contract_date=dt.date(2023, 6, 2))
    assert "contract_date" in errors_of(excinfo)


# --- Pledges and insurance ------------------------------------------------------------------------


def pledge_args(**overrides):
    borrower = sme()
    lender = bank()
    args = {
        "registration_no": "Y2023000001",
        "borrower": borrower,
        "lender": lender,
        "patents": [PatentFactory(owner=borrower)],
        "amount": Decimal("5000000"),
        "registration_date": dt.date(2023, 7, 1),
        "term_months": 12,
    }
    return {**args, **overrides}


def test_pledge_rules(staff):
    pledge = services.pledge_create(actor=staff, **pledge_args())
    assert pledge.lender_name == pledge.lender.name and pledge.status == Pledge.Status.ACTIVE
    for field, value in [
        ("amount", Decimal("0")),
        ("registration_date", TOMORROW),
        ("term_months", 0),
        ("lender", sme()),
        ("patents", []),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.pledge_create(actor=staff, **pledge_args(registration_no=f"Y-{field}", **{field: value}))
        assert field in errors_of(excinfo), field


def test_a_bank_records_its_own_pledges_only(staff):
    user = make_user("bank")
    actor = actor_for(user)
    pledge = services.pledge_create(actor=actor, **pledge_args(lender=None))
    assert pledge.lender == user.membership.organization
    other = services.pledge_create(actor=staff, **pledge_args(registration_no="Y-OTHER"))
    with pytest.raises(PermissionDenied):
        services.pledge_update(pledge=other, actor=actor, amount=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=actor, **deal_args((InstitutionFactory(), sme(), PatentFactory())))


def test_insurance_rules(staff):
    insured = sme()
    args = {
        "policy_no": "P-1",
        "insured": insured,
        "insurer": insurer(),
        "patents": [PatentFactory(owner=insured)],
        "premium": Decimal("3000"),
        "coverage": Decimal("300000"),
        "start_date": dt.date(2023, 3, 1),
        "premium_subsidy": Decimal("1500"),
    }
    policy = services.insurance_policy_create(actor=staff, **args)
    assert policy.insurer_name == policy.insurer.name
    for field, value in [
        ("premium_subsidy", Decimal("3000.01")),
        ("coverage", Decimal("0")),
        ("start_date", TOMORROW),
        ("insurer", bank()),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.insurance_policy_create(actor=staff, **{**args, "policy_no": f"P-{field}", field: value})
        assert field in errors_of(excinfo), field


def test_product_filing_marks_its_patents_implemented(staff):
    organization = sme()
    patent = PatentFactory()
    assert patent.dormant
    services.product_filing_create(
        actor=staff,
        filing_no="BA-1",
        organization=organization,
        product_name="智能液压支架",
        patents=[patent],
        filing_date=dt.date(2023, 8, 1),
    )
    patent.refresh_from_db()
    assert patent.implemented and not patent.dormant


# --- Subsidies ------------------------------------------------------------------------------------


def subsidy_args(patent, **overrides):
    args = {
        "organization": patent.owner,
        "patent": patent,
        "official_fees": Decimal("1000"),
        "requested_amount": Decimal("500"),
        "approved_amount": Decimal("300"),
        "status": Subsidy.Status.APPROVED,
        "decision_date": dt.date(2023, 9, 1),
    }
    return {**args, **overrides}


def test_subsidies_of_one_patent_total_at_most_half_the_official_fees(staff):
    patent = PatentFactory()
    services.subsidy_create(actor=staff, **subsidy_args(patent))
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(
            actor=staff,
            **subsidy_args(patent, approved_amount=Decimal("200.01"), decision_date=dt.date(2023, 10, 1)),
        )
    message = errors_of(excinfo)["approved_amount"][0]
    assert "50%" in message and "500.00" in message
    # Exactly half is allowed, by another organization too (the cap is per patent).
    subsidy = services.subsidy_create(
        actor=staff,
        **subsidy_args(
            patent, organization=sme(), approved_amount=Decimal("200"), decision_date=dt.date(2023, 10, 1)
        ),
    )
    assert subsidy.pk
    assert Subsidy.objects.counted().filter(patent=patent).count() == 2


def test_the_cap_holds_when_an_approval_is_raised(staff):
    patent = PatentFactory()
    subsidy = services.subsidy_create(actor=staff, **subsidy_args(patent))
    with pytest.raises(ValidationError):
        services.subsidy_update(
            subsidy=subsidy, actor=staff, approved_amount=Decimal("500.01"), requested_amount=Decimal("600")
        )
    subsidy = services.subsidy_update(subsidy=subsidy, actor=staff, approved_amount=Decimal("500"))
    assert subsidy.approved_amount == Decimal("500")


def test_rejected_and_pending_subsidies_do_not_count_towards_the_cap(staff):
    patent = PatentFactory()
    services.subsidy_create(
        actor=staff,
        **subsidy_args(patent, status=Subsidy.Status.APPLIED, approved_amount=None, decision_date=None),
    )
    services.subsidy_create(
        actor=staff,
        **subsidy_args(patent, organization=sme(), status=Subsidy.Status.REJECTED, approved_amount=None),
    )
    assert services.subsidy_create(
        actor=staff, **subsidy_args(patent, organization=sme(), approved_amount=Decimal("500"))
    ).pk


def test_subsidy_paid_only_after_grant(staff):
    pending = PatentFactory(legal_status=Patent.LegalStatus.PENDING, grant_date=None)
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(pending, status=Subsidy.Status.PAID))
    assert "尚未授权" in errors_of(excinfo)["status"][0]
    granted = PatentFactory(grant_date=dt.date(2023, 9, 15))
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(granted, status=Subsidy.Status.PAID))
    assert "decision_date" in errors_of(excinfo)
    paid = services.subsidy_create(
        actor=staff, **subsidy_args(granted, status=Subsidy.Status.PAID, decision_date=dt.date(2023, 9, 15))
    )
    assert paid.status == Subsidy.Status.PAID


def test_subsidies_only_for_invention_patents_including_pct(staff):
    utility = PatentFactory(application_no=app_no(900, type_digit="2"))
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(utility))
    assert "发明专利" in errors_of(excinfo)["patent"][0]
    pct = PatentFactory(application_no=app_no(901, type_digit="8"))
    assert services.subsidy_create(actor=staff, **subsidy_args(pct)).pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"approved_amount": Decimal("600")}, "approved_amount"),
        ({"approved_amount": None}, "approved_amount"),
        ({"decision_date": None}, "decision_date"),
        ({"status": Subsidy.Status.APPLIED}, "approved_amount"),
        ({"official_fees": Decimal("0")}, "official_fees"),
        (
            {"requested_amount": Decimal("0"), "approved_amount": None, "status": Subsidy.Status.REJECTED},
            "requested_amount",
        ),
        ({"decision_date": TOMORROW}, "decision_date"),
    ],
)
def test_subsidy_amounts_dates_and_status(staff, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(PatentFactory(), **overrides))
    assert field in errors_of(excinfo)


# --- Permissions and history ----------------------------------------------------------------------


def test_district_officer_writes_only_records_of_their_district(parties):
    officer = actor_for(make_user("district_officer", district="150622"))
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=officer, **deal_args(parties))
    seller, _buyer, patent = parties
    local_buyer = sme(region=region("150622"))
    deal = services.deal_create(actor=officer, **deal_args((seller, local_buyer, patent)))
    assert deal.pk


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "insurer", "none"])
def test_only_staff_create_deals(parties, role):
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=actor_for(make_user(role)), **deal_args(parties))


def test_every_change_is_one_history_entry_with_user_and_patents(staff, parties):
    deal = services.deal_create(actor=staff, **deal_args(parties))
    second = PatentFactory(owner=parties[0])
    services.deal_update(
        deal=deal, actor=staff, patents=[parties[2], second], contract_amount=Decimal("90000")
    )
    records = list(deal.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert all(r.history_user == staff.user for r in records)
    assert {p.patent_id for p in records[0].patents.all()} == {parties[2].pk}
    assert {p.patent_id for p in records[1].patents.all()} == {parties[2].pk, second.pk}
    assert records[0].contract_amount == Decimal("100000.00") and records[1].contract_amount == Decimal(
        "90000.00"
    )


def test_a_patent_named_by_a_finance_record_cannot_be_deleted():
    from django.db.models import ProtectedError

    from tests.finance.factories import InsurancePolicyFactory, PledgeFactory, ProductFilingFactory

    for record in (DealFactory(), PledgeFactory(), InsurancePolicyFactory(), ProductFilingFactory()):
        patent = record.patents.get()
        with pytest.raises(ProtectedError):
            patent.delete()
        assert record.patents.count() == 1
