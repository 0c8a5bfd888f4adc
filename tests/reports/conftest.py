"""A small KPI data set built by hand, so that every expected value in the tests can be checked
with pencil and paper. Years 2022 and 2023; two districts:

- A = 150622 准格尔旗 (a banner: county-level), B = 150602 东胜区 (an urban district).

Organizations: SMEs sme_a1, sme_a2, sme_a3 (A), sme_b1 (B), sme_out (no district: outside the
city); university uni_a (A), institute inst_b (B), university uni_out (outside); soe_a (A).

Deals (contract date, seller → buyer, amount, patents):
  E1 2022-04-01 uni_a → sme_a1     80,000.00  p1            payments 2022-05-01 30,000; 2023-02-01 50,000
  E2 2022-12-31 inst_b → sme_b1    40,000.00  p6 p8         payments 2022-12-31 10,000; 2023-01-01 15,000
  E3 2022-06-01 uni_out → sme_out   5,000.00  p5
  D1 2023-03-01 uni_a → sme_a1    100,000.00  p1 p2         payments 2023-04-01 60,000; 2024-01-10 40,000
  D2 2023-06-15 inst_b → sme_b1    50,000.50  p2            payment 2023-07-01 20,000.25
  D3 2023-09-01 soe_a → sme_a2    200,000.00  p3 (terminated 2023-12-01)  payment 2023-10-01 10,000
  D4 2023-05-05 uni_a → sme_out    70,000.00  p4            payment 2023-06-01 70,000
  D5 2023-07-07 uni_out → sme_a1   30,000.00  p5
  D6 2023-12-31 uni_a → soe_a      10,000.00  p7            payment 2023-12-31 10,000
  D7 2024-01-01 uni_a → sme_a1     99,999.00  p6
Agricultural patents (industry 农牧业): p2, p4, p7.

Pledges: sme_a1 2023-03-03 500,000; sme_out 2023-04-04 300,000; sme_b1 2023-08-08 250,000;
uni_a 2023-01-01 100,000; sme_a2 2021-05-05 100,000.
Insurance: sme_a2 from 2022-02-02; sme_out from 2023-03-01; sme_a3 from 2023-11-11.
Subsidies: S1 sme_b1 p8 fees 2,000 approved 1,000 (2023-05-05, exactly 50%: allowed);
S2 uni_a p1 fees 1,000 paid 600 (2023-06-06: over 50%, a violation); S3 sme_a1 p3 fees 800
approved 300 (2022-03-03: before p3's grant on 2022-06-01, a violation); S4 sme_a2 p4 rejected
(2023-01-01); S5 sme_a2 p5 applied. (Every patent is granted 2022-06-01.)
Yearly figures: sme_a1 2023 1,000,000/50, 2022 800,000/45; sme_b1 2023 500,000.50/20 (none for
2022); sme_a2 2022 300,000/10 (none for 2023); sme_a3 2023 200,000/5; sme_out 2023 9,999,999/999.
Product filings: sme_a1 2023-02-02 and 2022-05-05; sme_b1 2023-03-03; sme_out 2023; uni_a 2023.
Events (held unless said): roadshow 2021-06-30 (A), roadshow 2021-08-01 (A), matchmaking
2022-09-01 (no district), matchmaking 2022-03-01 (A, planned: never held), roadshow 2023-04-01 (B),
roadshow 2023-08-01 (B, cancelled), training 2023-05-01 (A), roadshow 2024-02-01 (A).
Navigation projects: 2023 in A for sme_a1 (in progress); 2022 without district and without an
enterprise (regional planning: not an enterprise project); 2022 for soe_a without district
(completed); 2023 in B for sme_b1 (suspended).
D3 is terminated: it counts only in the received amount (its 10,000 paid in 2023).
"""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from patents.models import NavigationProject
from portal.models import Industry, Organization, OrganizationYearStats
from tests.patents.factories import PatentFactory
from tests.portal.factories import OrganizationFactory, region

A, B = "150622", "150602"
D = dt.date


def org(name: str, kind: str, code: str | None) -> Organization:
    return OrganizationFactory(name=name, kind=kind, region=region(code) if code else None)


def make_deal(no, kind, seller, buyer, date, amount, patents, status="signed", terminated_on=None) -> Deal:
    deal = Deal.objects.create(
        deal_no=no,
        kind=kind,
        license_scope="ordinary" if kind == "license" else "",
        seller=seller,
        buyer=buyer,
        contract_date=date,
        contract_amount=Decimal(amount),
        status=status,
        registration_no=f"R-{no}" if status == "registered" else "",
        terminated_on=terminated_on,
    )
    deal.patents.set(patents)
    return deal


def pay(deal: Deal, date: dt.date, amount: str) -> Payment:
    return Payment.objects.create(deal=deal, date=date, amount=Decimal(amount))


def pledge(no, borrower, date, amount) -> Pledge:
    return Pledge.objects.create(
        registration_no=no,
        borrower=borrower,
        lender_name="测试银行",
        amount=Decimal(amount),
        registration_date=date,
        term_months=12,
    )


def policy(no, insured, start) -> InsurancePolicy:
    return InsurancePolicy.objects.create(
        policy_no=no,
        insured=insured,
        insurer_name="测试保险",
        premium=Decimal("1000"),
        coverage=Decimal("100000"),
        start_date=start,
    )


def subsidy(organization, patent, fees, requested, approved, status, decided) -> Subsidy:
    return Subsidy.objects.create(
        organization=organization,
        patent=patent,
        official_fees=Decimal(fees),
        requested_amount=Decimal(requested),
        approved_amount=Decimal(approved) if approved else None,
        status=status,
        decision_date=decided,
    )


def stats(organization, year, revenue, employees) -> None:
    OrganizationYearStats.objects.create(
        organization=organization, year=year, revenue=Decimal(revenue), employees=employees
    )


def filing(no, organization, date) -> ProductFiling:
    return ProductFiling.objects.create(
        filing_no=no, organization=organization, product_name=f"产品{no}", filing_date=date
    )


def event(title, kind, date, code, status="held") -> Event:
    return Event.objects.create(
        title=title,
        kind=kind,
        date=date,
        status=status,
        venue="会展中心",
        organizer="市知识产权局",
        district=region(code) if code else None,
    )


def ensure_reference_data() -> None:
    """Reload the regions and industries of the portal's data migration (and the seeded plan
    period) if a transactional test's flush removed them (``serialized_rollback`` does not restore them once Playwright runs)."""
    from django.apps import apps

    from portal.models import Region
    from reports.models import PlanPeriod

    if not PlanPeriod.objects.exists():
        importlib.import_module("reports.migrations.0004_seed_plan_2021_2023").load(apps, None)
    if Region.objects.exists() and Industry.objects.exists():
        return
    importlib.import_module("portal.migrations.0002_load_regions_and_industries").load(apps, None)


def build_kpi_data() -> SimpleNamespace:
    ensure_reference_data()
    o = SimpleNamespace()
    o.sme_a1 = org("甲一科技", "sme", A)
    o.sme_a2 = org("甲二机械", "sme", A)
    o.sme_a3 = org("甲三羊绒", "sme", A)
    o.sme_b1 = org("乙一电子", "sme", B)
    o.sme_out = org("呼市外地企业", "sme", None)
    o.uni_a = org("甲大学", "university", A)
    o.inst_b = org("乙研究院", "institute", B)
    o.uni_out = org("市外大学", "university", None)
    o.soe_a = org("甲国企", "soe", A)

    agriculture = Industry.objects.get(code="agriculture")
    p = {n: PatentFactory(owner=o.uni_a) for n in range(1, 9)}
    for n in (2, 4, 7):
        p[n].industries.add(agriculture)
    o.patents = p

    o.e1 = make_deal("E1", "transfer", o.uni_a, o.sme_a1, D(2022, 4, 1), "80000.00", [p[1]])
    o.e2 = make_deal("E2", "license", o.inst_b, o.sme_b1, D(2022, 12, 31), "40000.00", [p[6], p[8]])
    o.e3 = make_deal("E3", "transfer", o.uni_out, o.sme_out, D(2022, 6, 1), "5000.00", [p[5]])
    o.d1 = make_deal(
        "D1", "transfer", o.uni_a, o.sme_a1, D(2023, 3, 1), "100000.00", [p[1], p[2]], status="registered"
    )
    o.d2 = make_deal("D2", "license", o.inst_b, o.sme_b1, D(2023, 6, 15), "50000.50", [p[2]])
    o.d3 = make_deal(
        "D3",
        "equity",
        o.soe_a,
        o.sme_a2,
        D(2023, 9, 1),
        "200000.00",
        [p[3]],
        status="terminated",
        terminated_on=D(2023, 12, 1),
    )
    o.d4 = make_deal("D4", "transfer", o.uni_a, o.sme_out, D(2023, 5, 5), "70000.00", [p[4]])
    o.d5 = make_deal("D5", "transfer", o.uni_out, o.sme_a1, D(2023, 7, 7), "30000.00", [p[5]])
    o.d6 = make_deal("D6", "license", o.uni_a, o.soe_a, D(2023, 12, 31), "10000.00", [p[7]])
    o.d7 = make_deal("D7", "transfer", o.uni_a, o.sme_a1, D(2024, 1, 1), "99999.00", [p[6]])

    pay(o.e1, D(2022, 5, 1), "30000.00")
    pay(o.e1, D(2023, 2, 1), "50000.00")
    pay(o.e2, D(2022, 12, 31), "10000.00")
    pay(o.e2, D(2023, 1, 1), "15000.00")
    pay(o.d1, D(2023, 4, 1), "60000.00")
    pay(o.d1, D(2024, 1, 10), "40000.00")
    pay(o.d2, D(2023, 7, 1), "20000.25")
    pay(o.d3, D(2023, 10, 1), "10000.00")
    pay(o.d4, D(2023, 6, 1), "70000.00")
    pay(o.d6, D(2023, 12, 31), "10000.00")

    pledge("PL1", o.sme_a1, D(2023, 3, 3), "500000.00")
    pledge("PL2", o.sme_out, D(2023, 4, 4), "300000.00")
    pledge("PL3", o.sme_b1, D(2023, 8, 8), "250000.00")
    pledge("PL4", o.uni_a, D(2023, 1, 1), "100000.00")
    pledge("PL5", o.sme_a2, D(2021, 5, 5), "100000.00")

    policy("IP1", o.sme_a2, D(2022, 2, 2))
    policy("IP2", o.sme_out, D(2023, 3, 1))
    policy("IP3", o.sme_a3, D(2023, 11, 11))

    subsidy(o.sme_b1, p[8], "2000.00", "1000.00", "1000.00", "approved", D(2023, 5, 5))
    subsidy(o.uni_a, p[1], "1000.00", "600.00", "600.00", "paid", D(2023, 6, 6))
    subsidy(o.sme_a1, p[3], "800.00", "300.00", "300.00", "approved", D(2022, 3, 3))
    subsidy(o.sme_a2, p[4], "800.00", "300.00", None, "rejected", D(2023, 1, 1))
    subsidy(o.sme_a2, p[5], "800.00", "300.00", None, "applied", None)

    stats(o.sme_a1, 2023, "1000000.00", 50)
    stats(o.sme_a1, 2022, "800000.00", 45)
    stats(o.sme_b1, 2023, "500000.50", 20)
    stats(o.sme_a2, 2022, "300000.00", 10)
    stats(o.sme_a3, 2023, "200000.00", 5)
    stats(o.sme_out, 2023, "9999999.00", 999)

    filing("F1", o.sme_a1, D(2023, 2, 2))
    filing("F2", o.sme_b1, D(2023, 3, 3))
    filing("F3", o.sme_out, D(2023, 4, 4))
    filing("F4", o.sme_a1, D(2022, 5, 5))
    filing("F5", o.uni_a, D(2023, 6, 6))

    event("路演（上半年）", "roadshow", D(2021, 6, 30), A)
    event("首场路演", "roadshow", D(2021, 8, 1), A)
    event("全市对接会", "matchmaking", D(2022, 9, 1), None)
    event("未举办的对接会", "matchmaking", D(2022, 3, 1), A, status="planned")
    event("东胜路演", "roadshow", D(2023, 4, 1), B)
    event("取消的路演", "roadshow", D(2023, 8, 1), B, status="cancelled")
    event("宣传培训", "training", D(2023, 5, 1), A)
    event("2024 路演", "roadshow", D(2024, 2, 1), A)

    NavigationProject.objects.create(
        title="准格尔旗煤炭产业导航",
        kind="industry_planning",
        region=region(A),
        enterprise=o.sme_a1,
        year_started=2023,
        status="in_progress",
    )
    NavigationProject.objects.create(title="全市区域规划导航", kind="regional_planning", year_started=2022)
    NavigationProject.objects.create(
        title="国企经营类导航",
        kind="enterprise_operation",
        enterprise=o.soe_a,
        year_started=2022,
        status="completed",
    )
    NavigationProject.objects.create(
        title="已终止的企业导航",
        kind="enterprise_operation",
        region=region(B),
        enterprise=o.sme_b1,
        year_started=2023,
        status="suspended",
    )
    return o


@pytest.fixture
def kpi_data(db) -> SimpleNamespace:
    return build_kpi_data()
