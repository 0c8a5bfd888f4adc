"""Plan periods as data: the seeded 2021-2023 plan, average growth since its base year (exact
half-up rounding, nulls), the targets judged on it, and the JSON interface."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reports import kpi
from reports.kpi.records import _runs
from reports.models import PlanPeriod, PlanTarget
from tests.reports.conftest import make_deal, pay, pledge

PLAN_2021_2023 = {
    "name": "鄂尔多斯市专利转化专项计划实施方案（2021-2023年）",
    "base_year": 2020,
    "first_year": 2021,
    "last_year": 2023,
}


@pytest.mark.django_db
def test_the_2021_2023_plan_is_seeded_with_the_targets_of_the_plan():
    plan = PlanPeriod.objects.get()
    assert (plan.base_year, plan.first_year, plan.last_year) == (2020, 2021, 2023)
    targets = {t.indicator: (t.rule, t.threshold, t.values) for t in plan.targets.all()}
    assert targets == {
        "sme_acquisitions": (
            "average_growth_at_least",
            Decimal("0.2000"),
            ["patents", "contract_amount", "received_amount"],
        ),
        # KPI 2: the plan names patents, contract amount and received amount, not the number of deals.
        "institution_transfers": (
            "growth_above",
            Decimal("0.0000"),
            ["patents", "contract_amount", "received_amount"],
        ),
        "smes_benefited": ("higher", Decimal("0.0000"), ["count", "revenue", "employees"]),
        "sme_pledge_financing": ("average_growth_at_least", Decimal("0.2000"), ["count", "amount"]),
        "product_filings": ("higher", Decimal("0.0000"), ["count"]),
    }
    assert [p.as_json() for p in kpi.plans_all()] == [PLAN_2021_2023]


@pytest.mark.parametrize(
    ("value", "base", "years", "expected"),
    [
        ("172.8", "100", 3, Decimal("0.2000")),  # 1.2^3 exactly
        ("144", "100", 2, Decimal("0.2000")),
        ("172.79", "100", 3, Decimal("0.2000")),  # 0.19998…: rounds to 0.2000
        # Exactly on a rounding boundary: (1.00005)^3; half-up gives 0.0001 (a float root gives 0.0000).
        ("1.000150007500125", "1", 3, Decimal("0.0001")),
        ("1.000150007500124", "1", 3, Decimal("0.0000")),  # a hair below the boundary
        ("0", "5", 2, Decimal("-1.0000")),  # everything lost
        ("4", "1", 3, Decimal("0.5874")),
        ("5", "0", 2, None),  # no base: null
        ("0", "0", 3, None),
        ("5", "4", 0, None),  # the base year itself has no average growth
    ],
)
def test_average_growth_rounds_half_up_exactly(value, base, years, expected):
    result = kpi.average_growth(Decimal(value), Decimal(base), years)
    assert result == expected
    if expected is not None:
        assert result.as_tuple().exponent == -4


def test_average_growth_rule_is_decided_on_exact_values():
    rule = kpi.AVERAGE_GROWTH_AT_LEAST
    met = lambda value: kpi.target_met(  # noqa: E731
        rule,
        {"n": Decimal(value)},
        {"n": 0},
        ["n"],
        threshold=Decimal("0.2"),
        base={"n": Decimal(100)},
        years=3,
    )
    assert met("172.80") is True
    # 172.79: the average growth shows as 0.2000 (rounded) but is below 20 %: not met.
    assert met("172.79") is False
    assert (
        kpi.target_met(rule, {"n": 5}, {"n": 1}, ["n"], threshold=Decimal("0.2"), base={"n": 0}, years=3)
        is False
    )


def test_kpi2_needs_no_growth_in_the_number_of_deals():
    plan = kpi.Plan(
        "p",
        2020,
        2021,
        2023,
        {
            "institution_transfers": kpi.Target(
                "growth_above", Decimal(0), ("patents", "contract_amount", "received_amount")
            )
        },
    )
    target = plan.targets["institution_transfers"]
    values = {"deals": 3, "patents": 5, "contract_amount": "200.00", "received_amount": "90.00"}
    previous = {"deals": 6, "patents": 4, "contract_amount": "100.00", "received_amount": "80.00"}
    assert kpi.target_met(target.rule, values, previous, target.values, threshold=target.threshold) is True
    previous["patents"] = 5  # patents flat: not met
    assert kpi.target_met(target.rule, values, previous, target.values, threshold=target.threshold) is False


def test_consecutive_years_are_read_as_runs():
    assert _runs([2023, 2020, 2022]) == [(2020, 2020), (2022, 2023)]
    assert _runs([2021, 2022, 2023]) == [(2021, 2023)]


def base_year_records(o):
    """2020 (the base year): one SME acquisition from uni_a (1 patent, 200,000.00, 80,000.00
    received) and one SME pledge (100,000.00); a 2021 deal that the 2023 average must not see."""
    deal = make_deal("B1", "transfer", o.uni_a, o.sme_a1, dt.date(2020, 6, 1), "200000.00", [o.patents[1]])
    pay(deal, dt.date(2020, 7, 1), "80000.00")
    pledge("PLB", o.sme_a1, dt.date(2020, 3, 3), "100000.00")
    make_deal("B2", "transfer", o.uni_a, o.sme_a1, dt.date(2021, 6, 1), "999999.00", [o.patents[2]])


@pytest.mark.django_db
def test_average_growth_since_the_base_year_in_the_report(kpi_data):
    base_year_records(kpi_data)
    report = kpi.kpi_report(year=2023)
    assert report["plan"] == PLAN_2021_2023
    sme = report["indicators"]["sme_acquisitions"]
    # 2023: 3 deals, 3 patents, 180,000.50 (D3, terminated, is left out) and 155,000.25 received
    # (see conftest) against 2020: 1, 1, 200,000.00, 80,000.00; three years since the base.
    assert sme["average_growth"] == {
        "deals": 0.4422,  # 3^(1/3) − 1 = 0.44225
        "patents": 0.4422,
        "contract_amount": float(kpi.average_growth(Decimal("180000.50"), Decimal("200000.00"), 3)),
        "received_amount": float(kpi.average_growth(Decimal("155000.25"), Decimal("80000.00"), 3)),
    }
    assert (
        sme["average_growth"]["contract_amount"] == round((180000.50 / 200000) ** (1 / 3) - 1, 4) == -0.0345
    )
    assert sme["average_growth"]["received_amount"] == 0.2467
    # The contract amount fell below the base year's: not every targeted value is ≥ 20 % a year.
    assert sme["met"] is False
    assert sme["target"] == "专利数、合同成交额、实际到账金额年均增幅均不低于20%（基期2020年）"
    pledges = report["indicators"]["sme_pledge_financing"]
    assert pledges["average_growth"] == {"count": 0.2599, "amount": 0.9574}  # 1 → 2, 100,000 → 750,000
    assert pledges["met"] is True  # both ≥ 20 % a year
    # 2021 is the first plan year: one year since the base.
    first = kpi.kpi_report(year=2021)["indicators"]["sme_acquisitions"]
    assert first["average_growth"]["deals"] == 0.0  # 1 (B1) → 1 (B2)
    assert first["average_growth"]["contract_amount"] == 4.0  # 200,000 → 999,999: 3.999995 rounds half-up
    # The trend carries the same averages year by year.
    trend = kpi.kpi_trend(year=2023)
    assert trend["indicators"]["sme_acquisitions"]["average_growth"]["patents"][0] == 0.0
    assert trend["indicators"]["sme_acquisitions"]["average_growth"]["patents"][-1] == 0.4422


@pytest.mark.django_db
def test_a_year_outside_every_plan_has_no_average_growth_and_no_target(kpi_data):
    report = kpi.kpi_report(year=2024)
    assert report["plan"] is None
    for block in report["indicators"].values():
        assert set(block["average_growth"].values()) == {None}
        assert block["met"] is None
        assert block["target"] == "2024 年不在已录入的规划期内，未设目标"
    assert kpi.kpi_report(year=2020)["plan"] is None  # the base year is not a plan year


@pytest.mark.django_db
def test_the_bureau_adds_the_next_plan_as_data(kpi_data):
    plan = PlanPeriod.objects.create(name="下一期实施方案", base_year=2023, first_year=2024, last_year=2026)
    PlanTarget.objects.create(
        plan=plan,
        indicator="sme_acquisitions",
        rule="growth_at_least",
        threshold=Decimal("0.1"),
        values=["deals"],
    )
    report = kpi.kpi_report(year=2024)
    assert report["plan"] == {
        "name": "下一期实施方案",
        "base_year": 2023,
        "first_year": 2024,
        "last_year": 2026,
    }
    sme = report["indicators"]["sme_acquisitions"]
    # 2024: D7 only (1 deal) against 3 in 2023 (D1 D2 D5; D3 is terminated): average growth
    # (1/3)^(1/1) − 1.
    assert sme["average_growth"]["deals"] == -0.6667
    assert sme["target"] == "交易数同比增长不低于10%"
    assert sme["met"] is False
    # No target for the other indicators in this plan.
    assert report["indicators"]["product_filings"]["met"] is None
    assert report["indicators"]["product_filings"]["target"] == "规划未设该指标目标"


@pytest.mark.django_db
def test_plan_periods_do_not_overlap_and_targets_name_real_values():
    overlapping = PlanPeriod(name="重叠", base_year=2022, first_year=2023, last_year=2025)
    with pytest.raises(ValidationError, match="年度重叠"):
        overlapping.full_clean()
    with pytest.raises(ValidationError, match="基期年度 < 起始年度"):
        PlanPeriod(name="倒序", base_year=2026, first_year=2025, last_year=2027).full_clean()
    plan = PlanPeriod.objects.get()
    target = PlanTarget(plan=plan, indicator="product_filings", rule="higher", values=["revenue"])
    with pytest.raises(ValidationError, match="考核数值项须为该指标的数值项"):
        target.clean()


@pytest.mark.django_db
def test_no_plan_rows_at_all_still_answers(kpi_data):
    PlanPeriod.objects.all().delete()
    report = kpi.kpi_report(year=2023)
    assert report["plan"] is None
    assert report["indicators"]["sme_acquisitions"]["met"] is None
