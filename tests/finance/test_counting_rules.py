"""Issue 13's counting rules where the finance records are written: one subsidy rule (exact 50%,
granted by the decision date) in the rule function, the service and the import; the deals
import's status and termination date; amount columns with a unit in the header."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from finance import rules, services
from finance.models import Deal, Payment, Subsidy
from portal.permissions import actor_for
from tests.finance.factories import InstitutionFactory, PatentFactory, sme
from tests.finance.test_importers import DEAL_HEADER, SUBSIDY_HEADER, csv_file, deal_row, run, snapshot
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    university = InstitutionFactory()
    buyer = sme()
    patents = [PatentFactory(owner=university) for _ in range(3)]
    return {"university": university, "buyer": buyer, "patents": patents}


# --- the rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved", "fees", "within"),
    [
        ("50.02", "100.03", False),  # 100.04 > 100.03: half-even rounding of the cap said 50.02 was fine
        ("50.01", "100.03", True),
        ("50.015", "100.03", True),  # exactly half
        ("500.00", "1000.00", True),
        ("500.01", "1000.00", False),
    ],
)
def test_within_cap_is_exact(approved, fees, within):
    assert rules.within_cap(Decimal(approved), Decimal(fees)) is within


@pytest.mark.parametrize(
    ("grant_date", "status", "on", "granted"),
    [
        (D(2023, 5, 1), "granted", D(2023, 5, 1), True),  # on the decision date
        (D(2023, 5, 2), "granted", D(2023, 5, 1), False),
        (None, "granted", D(2023, 5, 1), False),  # no grant date: cannot be shown
        (D(2023, 5, 1), "pending", D(2023, 6, 1), False),
        (D(2023, 5, 1), "lapsed", D(2023, 6, 1), True),  # granted then, lapsed since
    ],
)
def test_granted_by(grant_date, status, on, granted):
    assert rules.granted_by(grant_date=grant_date, legal_status=status, on=on) is granted
    assert rules.subsidy_violates(
        approved_total=Decimal(1),
        fees_basis=Decimal(10),
        grant_date=grant_date,
        legal_status=status,
        decision_date=on,
    ) is (not granted)


def subsidy_args(patent, **overrides):
    return {
        "organization": patent.owner,
        "patent": patent,
        "official_fees": Decimal("100.03"),
        "requested_amount": Decimal("60.00"),
        "approved_amount": Decimal("50.01"),
        "status": Subsidy.Status.APPROVED,
        "decision_date": D(2023, 9, 1),
        **overrides,
    }


def test_service_applies_the_exact_cap_and_the_grant_date():
    staff = actor_for(make_user("bureau"))
    patent = PatentFactory(grant_date=D(2023, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(patent, approved_amount=Decimal("50.02")))
    assert "50%" in str(excinfo.value)
    assert services.subsidy_create(actor=staff, **subsidy_args(patent)).pk
    later = PatentFactory(grant_date=D(2023, 10, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.subsidy_create(actor=staff, **subsidy_args(later))  # approved before the grant
    assert "授权公告日" in str(excinfo.value)
    undated = PatentFactory(grant_date=None)
    with pytest.raises(ValidationError):
        services.subsidy_create(actor=staff, **subsidy_args(undated))
    assert services.subsidy_create(
        actor=staff,
        **subsidy_args(undated, status=Subsidy.Status.APPLIED, approved_amount=None, decision_date=None),
    ).pk  # an application may wait for the grant


def test_import_applies_the_same_rule(tmp_path):
    patent = PatentFactory(grant_date=D(2023, 1, 1))
    later = PatentFactory(grant_date=D(2023, 10, 1))
    before = snapshot()
    rows = [
        SUBSIDY_HEADER,
        [patent.owner.credit_code, patent.application_no, "100.03", "60", "50.02", "approved", "2023-09-01"],
        [later.owner.credit_code, later.application_no, "100.03", "60", "50.00", "approved", "2023-09-01"],
    ]
    code, _out, err = run("subsidies", csv_file(tmp_path, "s.csv", rows))
    assert code == 1
    assert "row 2, column approved_amount: " in err and "50%" in err
    assert "row 3, column decision_date: " in err and "授权公告日" in err
    assert snapshot() == before
    rows[1][4] = "50.01"
    rows[2][6] = "2023-10-01"
    assert run("subsidies", csv_file(tmp_path, "ok.csv", rows))[0] == 0
    assert Subsidy.objects.count() == 2


# --- deals: status and termination --------------------------------------------------------------

STATUS_HEADER = [*DEAL_HEADER, "status", "terminated_on"]


def test_deals_import_records_a_termination_and_keeps_it(tmp_path, world):
    rows = [STATUS_HEADER, [*deal_row(world), "", ""]]
    assert run("deals", csv_file(tmp_path, "a.csv", rows))[0] == 0
    deal = Deal.objects.get(deal_no="HT-1")
    Payment.objects.create(deal=deal, date=D(2023, 6, 1), amount=Decimal("100.00"))
    # A termination before the last payment is refused.
    rows = [STATUS_HEADER, [*deal_row(world), "已终止", "2023-05-20"]]
    code, _out, err = run("deals", csv_file(tmp_path, "b.csv", rows))
    assert code == 1 and "row 2, column terminated_on: " in err
    rows = [STATUS_HEADER, [*deal_row(world), "terminated", "2023-07-01"]]
    assert run("deals", csv_file(tmp_path, "c.csv", rows)) == (0, "created 0, updated 1, unchanged 0", "")
    deal.refresh_from_db()
    assert (deal.status, deal.terminated_on) == ("terminated", D(2023, 7, 1))
    assert run("deals", csv_file(tmp_path, "c.csv", rows))[1] == "created 0, updated 0, unchanged 1"
    # Without the columns, a re-import keeps the termination; it cannot be undone.
    assert run("deals", csv_file(tmp_path, "d.csv", [DEAL_HEADER, deal_row(world)]))[0] == 0
    deal.refresh_from_db()
    assert deal.status == "terminated"
    code, _out, err = run(
        "deals", csv_file(tmp_path, "e.csv", [STATUS_HEADER, [*deal_row(world), "signed", ""]])
    )
    assert code == 1 and "row 2, column status: " in err


@pytest.mark.parametrize(
    ("status", "terminated_on", "registration_no", "column"),
    [
        ("terminated", "", "", "terminated_on"),  # a termination needs its date
        ("signed", "2023-06-01", "", "terminated_on"),  # a date only with a termination
        ("registered", "", "", "status"),  # registered needs its number
        ("signed", "", "REG-1", "status"),
        ("void", "", "", "status"),
    ],
)
def test_deal_status_errors(tmp_path, world, status, terminated_on, registration_no, column):
    before = snapshot()
    rows = [STATUS_HEADER, [*deal_row(world, registration_no=registration_no), status, terminated_on]]
    code, _out, err = run("deals", csv_file(tmp_path, "x.csv", rows))
    assert code == 1 and f"row 2, column {column}: " in err, err
    assert snapshot() == before


def test_a_termination_date_alone_terminates(tmp_path, world):
    rows = [STATUS_HEADER, [*deal_row(world), "", "2023-08-01"]]
    assert run("deals", csv_file(tmp_path, "a.csv", rows))[0] == 0
    assert Deal.objects.get().status == "terminated"


def test_terminating_a_registered_exclusive_license_ends_its_exclusivity(tmp_path, world):
    p = world["patents"][0]
    row = deal_row(world, kind="license", license_scope="exclusive", application_nos=p.application_no,
                   registration_no="REG-9")  # fmt: skip
    assert run("deals", csv_file(tmp_path, "a.csv", [STATUS_HEADER, [*row, "", ""]]))[0] == 0
    p.refresh_from_db()
    assert p.exclusive_license_until and p.exclusive_license_until > D(2024, 1, 1)
    assert run("deals", csv_file(tmp_path, "b.csv", [STATUS_HEADER, [*row, "终止", "2023-12-01"]]))[0] == 0
    p.refresh_from_db()
    assert p.exclusive_license_until == D(2023, 12, 1)


# --- units in amount headers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("合同金额(万元)", "12.345678", Decimal("123456.78")),
        ("合同金额（万元）", "1,234.5", Decimal("12345000.00")),
        ("合同金额（单位：亿元）", "0.015", Decimal("1500000.00")),
        ("合同金额[元]", "88", Decimal("88.00")),
        ("合同金额", "12万", Decimal("120000.00")),
    ],
)
def test_amount_header_with_a_unit(tmp_path, world, header, value, expected):
    header_row = [header if name == "contract_amount" else name for name in DEAL_HEADER]
    rows = [header_row, deal_row(world, contract_amount=f'"{value}"' if "," in value else value)]
    code, _out, err = run("deals", csv_file(tmp_path, "u.csv", rows))
    assert code == 0, err
    assert Deal.objects.get().contract_amount == expected


def test_a_unit_in_the_header_and_the_cell_is_an_error(tmp_path, world):
    header_row = ["合同金额(万元)" if name == "contract_amount" else name for name in DEAL_HEADER]
    code, _out, err = run(
        "deals", csv_file(tmp_path, "u.csv", [header_row, deal_row(world, contract_amount="12万")])
    )
    assert code == 1 and "row 2, column 合同金额(万元): " in err
