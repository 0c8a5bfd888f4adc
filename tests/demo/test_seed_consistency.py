"""The demo data set is deterministic and tells a consistent story: legal status agrees with the
dates, industry tags with the text or IPC, demand codes with their publication year, activity
covers every plan year up to today, and every demand but the designated one is answered by the
matching engine with a genuinely relevant patent."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from demands.models import Demand
from demo.seed import PLAN_BASE_YEAR
from demo.seed_supply import DATA, demo_demand_codes
from finance.models import Contract, Deal, FollowUp, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event, Inquiry, Match
from patents.models import NavigationProject, Patent
from portal.models import Industry, OrganizationYearStats

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# 新能源 (photovoltaics, batteries, hydrogen) is filed under 电子信息 in the reference industries.
NEW_ENERGY_WORDS = ("光伏", "电池", "储能", "太阳能")


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def _snapshot() -> dict:
    return {
        "patents": list(
            Patent.objects.order_by("application_no").values_list(
                "application_no",
                "title",
                "owner__name",
                "legal_status",
                "listing_status",
                "application_date",
                "grant_date",
                "asking_price",
            )
        ),
        "demands": list(
            Demand.objects.order_by("code").values_list(
                "code", "title", "organization__name", "status", "published_at", "deadline"
            )
        ),
        "deals": list(
            Deal.objects.order_by("deal_no").values_list(
                "deal_no", "kind", "seller__name", "buyer__name", "contract_date", "contract_amount"
            )
        ),
        "matches": sorted(Match.objects.values_list("demand__code", "patent__application_no")),
        "pledges": sorted(Pledge.objects.values_list("registration_no", "amount", "registration_date")),
    }


def test_seed_is_deterministic_and_consistent(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _seed()
    first = _snapshot()
    _check_patents()
    _check_demands()
    _check_activity()

    # A second run over the same data changes nothing; a run on an empty database gives the same.
    _seed()
    assert _snapshot() == first
    for model in (
        FollowUp,
        Contract,
        Match,
        Payment,
        Deal,
        Inquiry,
        Pledge,
        InsurancePolicy,
        ProductFiling,
        Subsidy,
        Event,
        Demand,
    ):
        model.objects.all().delete()
    NavigationProject.objects.all().delete()
    Patent.objects.all().delete()
    _seed()
    again = _snapshot()
    assert again["patents"] == first["patents"]
    assert [row[:4] for row in again["demands"]] == [row[:4] for row in first["demands"]]
    assert again["matches"] == first["matches"]


def _check_patents():
    today = timezone.localdate()
    industries = {i.code: i for i in Industry.objects.all()}
    patents = list(Patent.objects.prefetch_related("industries", "owner"))
    assert len(patents) >= 80
    for p in patents:
        assert p.title.startswith("一种"), p.title
        # legal status consistent with the dates
        if p.legal_status == Patent.LegalStatus.GRANTED:
            assert p.grant_date and p.grant_date <= today and p.expiry_date >= today, p.application_no
        if p.legal_status == Patent.LegalStatus.PENDING:
            assert p.grant_date is None
        if p.expiry_date < today:
            assert p.legal_status == Patent.LegalStatus.EXPIRED
        if p.listing_status == Patent.ListingStatus.PUBLISHED:
            assert p.in_force and p.listed_until >= today
        assert p.application_date.year == int(p.application_no[:4])
        # owners: universities, institutes, state-owned enterprises, or SMEs that bought them
        assert p.owner.kind in ("university", "institute", "soe", "sme")
        # industry tags agree with the text or the IPC
        tags = list(p.industries.all())
        assert len(tags) == 1
        industry = industries[tags[0].code]
        text = p.title + p.abstract + p.claims
        words = [w for w in industry.keywords.split(";") if w]
        if industry.code == "electronics":
            words += NEW_ENERGY_WORDS
        by_text = any(w in text for w in words)
        codes = [c.replace(" ", "") for c in p.ipc_codes.split(";")]
        by_ipc = any(c.startswith(x) for c in codes for x in industry.ipc_prefixes.split(";") if x)
        assert by_text or by_ipc, (p.title, industry.code)
    # every industry of the city has patents on offer
    offered = set(Patent.objects.published().values_list("industries__code", flat=True).distinct())
    assert offered >= set(industries)


def _check_demands():
    today = timezone.localdate()
    designed = demo_demand_codes()
    demands = {d.code: d for d in Demand.objects.all()}
    assert set(demands) == {code for code, d in designed.items() if d.year <= today.year}
    empty = []
    for code, demand in demands.items():
        published = timezone.localtime(demand.published_at).date()
        assert published.year == int(code[1:5]) and published <= today, code
        titles = set(Match.objects.filter(demand=demand).values_list("patent__title", flat=True))
        answers = set(designed[code].answers)
        if not answers:
            assert not titles, code
            empty.append(code)
            continue
        assert titles & answers, (code, demand.title, titles)
    assert 1 <= len(empty) <= 2
    # The showcase demand finds its real matches and no noise.
    gangue = Demand.objects.get(title="煤矸石制备新型建材技术")
    titles = list(Match.objects.filter(demand=gangue).values_list("patent__title", flat=True))
    assert titles and all("煤矸石" in t for t in titles), titles
    # this year's and last year's demands are open; older ones closed as their story went
    assert Demand.objects.filter(status=Demand.Status.OPEN).exists()
    for demand in Demand.objects.exclude(status=Demand.Status.OPEN):
        assert int(demand.code[1:5]) < today.year - 1


def _check_activity():
    today = timezone.localdate()
    for year in range(PLAN_BASE_YEAR, today.year + 1):
        assert Deal.objects.filter(contract_date__year=year).exists(), year
        assert Pledge.objects.filter(registration_date__year=year).exists(), year
        assert Event.objects.filter(date__year=year, status=Event.Status.HELD).exists(), year
        assert NavigationProject.objects.filter(year_started=year).exists(), year
        assert OrganizationYearStats.objects.filter(year=year).exists(), year
        assert Demand.objects.filter(code__startswith=f"D{year}-").exists(), year
    assert not Deal.objects.filter(contract_date__gt=today).exists()
    assert not Event.objects.filter(date__gt=today).exclude(status=Event.Status.PLANNED).exists()
    assert not Payment.objects.filter(date__gt=today).exists()
    for deal in Deal.objects.prefetch_related("patents"):
        for patent in deal.patents.all():
            assert patent.grant_date and patent.grant_date < deal.contract_date, deal.deal_no


def test_demo_texts_note_their_source():
    lines = (DATA / "demo_patents.jsonl").read_text("utf-8").splitlines()
    sources = {json.loads(line)["source"].split(" (")[0] for line in lines}
    assert sources <= {"KPPatent-ZH", "written for the demo"}
    assert "KPPatent-ZH" in Path(DATA / "SOURCE.txt").read_text("utf-8")
