"""The KPIs recomputed independently, in plain Python over the model rows, on generated data with
organizations that change kind and district over time, terminated deals, events of every status,
navigation projects with and without an enterprise, and subsidies inside and outside the rule.
Whatever the SQL does (joins, FILTER aggregates, grouping by district), it must agree."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from patents.models import NavigationProject
from portal.models import Organization, OrganizationPeriod, OrganizationYearStats
from portal.periods import organization_reclassify
from portal.permissions import system_actor
from reports import kpi
from tests.patents.factories import PatentFactory
from tests.portal.factories import OrganizationFactory, region
from tests.reports.conftest import ensure_reference_data

pytestmark = pytest.mark.django_db

DISTRICTS = ["150602", "150622", "150627"]
KINDS = ["sme", "sme", "sme", "university", "institute", "soe"]
DEAL_KINDS = ("transfer", "license", "equity")


def day(rng: random.Random, first=dt.date(2021, 1, 1), last=dt.date(2023, 12, 31)) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def build(seed: int):
    ensure_reference_data()
    rng = random.Random(seed)
    orgs = []
    for i in range(24):
        code = rng.choice([*DISTRICTS, None])
        orgs.append(
            OrganizationFactory(
                name=f"单位{i}", kind=rng.choice(KINDS), region=region(code) if code else None
            )
        )
    # A third of them change kind and/or district once or twice, on dates inside the years counted.
    for o in rng.sample(orgs, 8):
        for when in sorted(day(rng, dt.date(2022, 1, 1)) for _ in range(rng.choice([1, 2]))):
            code = rng.choice([*DISTRICTS, None])
            organization_reclassify(
                actor=system_actor(),
                organization=o,
                kind=rng.choice(KINDS),
                region_id=code,
                effective_from=when,
            )
    patents = [PatentFactory(owner=orgs[0], grant_date=day(rng, dt.date(2021, 6, 1))) for _ in range(10)]
    for n in range(60):
        seller, buyer = rng.sample(orgs, 2)
        contract = day(rng)
        terminated = rng.random() < 0.2
        deal = Deal.objects.create(
            deal_no=f"G{n}",
            kind=(kind := rng.choice(DEAL_KINDS)),
            license_scope="ordinary" if kind == "license" else "",
            seller=seller,
            buyer=buyer,
            contract_date=contract,
            contract_amount=Decimal(rng.randrange(100, 100000)) / 4,
            status="terminated" if terminated else "signed",
            terminated_on=contract + dt.timedelta(days=30) if terminated else None,
        )
        deal.patents.set(rng.sample(patents, rng.choice([1, 2])))
        for k in range(rng.choice([0, 1, 2])):
            Payment.objects.create(
                deal=deal, date=contract + dt.timedelta(days=40 * k + 1), amount=Decimal("10.25") * (k + 1)
            )
    for n in range(20):
        Pledge.objects.create(
            registration_no=f"GP{n}", borrower=rng.choice(orgs), lender_name="银行",
            amount=Decimal(rng.randrange(1000, 9000)), registration_date=day(rng), term_months=12,
        )  # fmt: skip
        InsurancePolicy.objects.create(
            policy_no=f"GI{n}", insured=rng.choice(orgs), insurer_name="保险", premium=Decimal(10),
            coverage=Decimal(1000), start_date=day(rng),
        )  # fmt: skip
        ProductFiling.objects.create(
            filing_no=f"GF{n}", organization=rng.choice(orgs), product_name="产品", filing_date=day(rng)
        )
    for n in range(16):
        patent = patents[n % len(patents)]
        approved = Decimal(rng.choice(["40.00", "50.00", "50.01", "30.00"]))
        Subsidy.objects.create(
            organization=rng.choice(orgs), patent=patent, official_fees=Decimal("100.00"),
            requested_amount=Decimal("60.00"), approved_amount=approved, status=rng.choice(["approved", "paid"]),
            decision_date=day(rng) + dt.timedelta(days=n),
        )  # fmt: skip
    for o in orgs:
        for year in (2022, 2023):
            if rng.random() < 0.8:
                OrganizationYearStats.objects.create(
                    organization=o,
                    year=year,
                    revenue=Decimal(rng.randrange(10**6)),
                    employees=rng.randrange(1, 99),
                )
    for n in range(14):
        Event.objects.create(
            title=f"活动{n}", kind=rng.choice(["roadshow", "matchmaking", "training"]), date=day(rng),
            status=rng.choice(["planned", "held", "held", "cancelled"]), venue="会场", organizer="局",
            district=region(c) if (c := rng.choice([*DISTRICTS, None])) else None,
        )  # fmt: skip
    for n in range(10):
        NavigationProject.objects.create(
            title=f"导航{n}", kind="industry_planning", year_started=rng.choice([2022, 2023]),
            enterprise=rng.choice([None, *orgs]), status=rng.choice(["planned", "in_progress", "suspended"]),
            region=region(c) if (c := rng.choice([*DISTRICTS, None])) else None,
        )  # fmt: skip


def as_of(periods: dict, org_id: int, on: dt.date) -> tuple[str, str | None]:
    for start, end, kind, code in periods[org_id]:
        if (start is None or start <= on) and (end is None or on < end):
            return kind, code
    raise AssertionError(f"no period of {org_id} on {on}")


def expected(year: int, district: str | None) -> dict:
    periods: dict = {}
    for p in OrganizationPeriod.objects.all():
        periods.setdefault(p.organization_id, []).append((p.valid_from, p.valid_to, p.kind, p.region_id))

    def party(org_id, on, kinds) -> bool:
        kind, code = as_of(periods, org_id, on)
        return kind in kinds and (code == district if district else code is not None)

    def in_year(date) -> bool:
        return date is not None and date.year == year

    deals = list(Deal.objects.filter(kind__in=DEAL_KINDS).prefetch_related("patents"))
    out = {}
    for name, attr, kinds in (
        ("sme_acquisitions", "buyer_id", {"sme"}),
        ("institution_transfers", "seller_id", {"university", "institute"}),
    ):
        counted = [
            d for d in deals
            if d.status != "terminated" and in_year(d.contract_date) and party(getattr(d, attr), d.contract_date, kinds)
        ]  # fmt: skip
        received = sum(
            (p.amount for p in Payment.objects.select_related("deal") if in_year(p.date)
             and p.deal.kind in DEAL_KINDS and party(getattr(p.deal, attr), p.deal.contract_date, kinds)),
            Decimal(0),
        )  # fmt: skip
        out[name] = {
            "deals": len(counted),
            "patents": len({p.pk for d in counted for p in d.patents.all()}),
            "contract_amount": kpi.money(sum((d.contract_amount for d in counted), Decimal(0))),
            "received_amount": kpi.money(received),
        }
    benefits = [(d.buyer_id, d.contract_date) for d in deals if d.status != "terminated"]
    benefits += [(p.borrower_id, p.registration_date) for p in Pledge.objects.all()]
    benefits += [(p.insured_id, p.start_date) for p in InsurancePolicy.objects.all()]
    benefits += [
        (s.organization_id, s.decision_date) for s in Subsidy.objects.filter(status__in=["approved", "paid"])
    ]
    smes = {org_id for org_id, on in benefits if in_year(on) and party(org_id, on, {"sme"})}
    stats = {s.organization_id: s for s in OrganizationYearStats.objects.filter(year=year)}
    out["smes_benefited"] = {
        "count": len(smes),
        "revenue": kpi.money(sum((stats[o].revenue for o in smes if o in stats), Decimal(0))),
        "employees": sum(stats[o].employees for o in smes if o in stats),
    }
    pledges = [
        p
        for p in Pledge.objects.all()
        if in_year(p.registration_date) and party(p.borrower_id, p.registration_date, {"sme"})
    ]
    out["sme_pledge_financing"] = {
        "count": len(pledges),
        "amount": kpi.money(sum((p.amount for p in pledges), Decimal(0))),
    }
    out["product_filings"] = {
        "count": sum(
            1
            for f in ProductFiling.objects.all()
            if in_year(f.filing_date) and party(f.organization_id, f.filing_date, {"sme"})
        )
    }
    events = Event.objects.filter(kind__in=["roadshow", "matchmaking"], status="held")
    if district:
        events = events.filter(district_id=district)
    out["roadshows"] = sum(1 for e in events if in_year(e.date))
    navigation = NavigationProject.objects.filter(year_started=year, enterprise__isnull=False).exclude(
        status="suspended"
    )
    out["navigation"] = navigation.filter(region_id=district).count() if district else navigation.count()
    granted = [
        s for s in Subsidy.objects.select_related("patent").filter(status__in=["approved", "paid"])
        if in_year(s.decision_date) and (not district or as_of(periods, s.organization_id, s.decision_date)[1] == district)
    ]  # fmt: skip
    violating = set()
    for s in granted:
        upto = [
            o
            for o in Subsidy.objects.filter(patent=s.patent)
            if o.decision_date and o.decision_date.year <= year
        ]
        total = sum((o.approved_amount for o in upto if o.status in ("approved", "paid")), Decimal(0))
        fees = max(o.official_fees for o in upto)
        if 2 * total > fees or s.patent.grant_date is None or s.patent.grant_date > s.decision_date:
            violating.add(s.patent_id)
    out["subsidies"] = {
        "count": len(granted),
        "amount": kpi.money(sum((s.approved_amount for s in granted), Decimal(0))),
        "violations": len(violating),
    }
    return out


def actual(report: dict) -> dict:
    out = {name: block["values"] for name, block in report["indicators"].items()}
    activities = report["activities"]
    out["roadshows"] = activities["roadshows"]["count"]
    out["navigation"] = activities["navigation_projects"]["count"]
    out["subsidies"] = {key: activities["subsidies"][key] for key in ("count", "amount", "violations")}
    return out


@pytest.mark.parametrize("seed", [13, 2023])
def test_kpis_agree_with_an_independent_computation(seed):
    build(seed)
    assert (
        OrganizationPeriod.objects.values("organization").distinct().count() == Organization.objects.count()
    )
    grouped = {row["code"]: row for row in kpi.kpi_districts(year=2023)}
    for year in (2022, 2023):
        assert actual(kpi.kpi_report(year=year)) == expected(year, None), year
        for district in DISTRICTS:
            assert actual(kpi.kpi_report(year=year, district=district)) == expected(year, district), (
                year,
                district,
            )
    for district in DISTRICTS:
        assert actual(grouped[district]) == expected(2023, district), district
