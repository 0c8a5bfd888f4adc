"""Demo deals, payments, pledges, insurance, subsidies, product filings, navigation projects and
matchmaking events from the plan's base year (2020) up to today, growing year by year as the plan
hopes (not always)."""

from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from finance.models import Deal, FollowUp, InsurancePolicy, Pledge, ProductFiling, Subsidy
from finance.services import (
    contract_draft,
    contract_record_signed,
    contract_update,
    follow_up_answer,
    payment_create,
)
from finance.services.follow_ups import add_months
from matching.models import Event, Inquiry
from patents.models import NavigationProject, Patent
from portal.errors import ApplicationError
from portal.permissions import actor_for

from .seed import PLAN_BASE_YEAR, SEED, DemoContext, demo_today, moment
from .seed_supply import DEMANDS

logger = logging.getLogger(__name__)
# deals and pledges per year from the base year on; later years repeat the last figure
DEALS_PER_YEAR = [3, 4, 4, 5, 6, 6, 5]
PLEDGES_PER_YEAR = [1, 2, 2, 3, 3, 4, 3]


def _years(per_year: list[int]) -> dict[int, int]:
    last = demo_today().year
    return {
        year: per_year[min(year - PLAN_BASE_YEAR, len(per_year) - 1)]
        for year in range(PLAN_BASE_YEAR, last + 1)
    }


def _try(create, *args, **kwargs):
    """Create one record through its service; a rule it breaks skips it (the demo stays valid)."""
    try:
        with transaction.atomic():
            return create(*args, **kwargs)
    except (ValidationError, ApplicationError) as exc:
        logger.info("demo record skipped: %s", exc)
        return None


def _day(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
    """A day of ``year`` between the months given, never after today."""
    today = demo_today()
    if year == today.year:
        last_month = min(last_month, today.month)
        first_month = min(first_month, last_month)
    day = dt.date(year, rng.randint(first_month, last_month), rng.randint(1, 28))
    return min(day, today)


def seed_finance(ctx: DemoContext) -> None:
    from finance.services import deal_create, payment_create
    from finance.services.records import (
        insurance_policy_create,
        pledge_create,
        product_filing_create,
        subsidy_create,
    )

    if Deal.objects.filter(deal_no__startswith="DEMO-").exists():
        _count(ctx)
        return
    rng = random.Random(f"{SEED}-finance")
    actor = actor_for(ctx.users["bureau_demo"])
    city_smes = [o for o in ctx.smes if o.region_id]
    answers = {title for demand in DEMANDS for title in demand.answers}  # they stay on offer
    candidates = [
        p
        for p in Patent.objects.filter(legal_status=Patent.LegalStatus.GRANTED, owner__in=ctx.suppliers)
        .select_related("owner")
        .order_by("application_no")
        if p.title not in answers
    ]
    rng.shuffle(candidates)
    deals = []
    for year, n in _years(DEALS_PER_YEAR).items():
        for i in range(n):
            if not candidates:
                break
            signed = _day(rng, year)
            # a patent granted before the contract
            ready = [k for k, p in enumerate(candidates) if p.grant_date and p.grant_date < signed]
            if not ready:
                continue
            patent = candidates.pop(ready[-1])
            buyer = (
                rng.choice(city_smes)
                if rng.random() < 0.85
                else ctx.orgs[rng.choice(["sme_out0", "sme_out1"])]
            )
            kind = rng.choices(["transfer", "license", "equity"], weights=[4, 5, 1])[0]
            deal = _try(
                deal_create,
                actor=actor,
                deal_no=f"DEMO-{year}-{i + 1:03d}",
                kind=kind,
                seller=patent.owner,
                buyer=buyer,
                patents=[patent],
                contract_date=signed,
                contract_amount=Decimal(rng.randrange(8, 90) * 10000),
                license_scope="ordinary" if kind == "license" else "",
                license_ends_on=dt.date(year + 5, 12, 31) if kind == "license" else None,
                registration_no=f"{year}99{rng.randrange(10**8):08d}" if rng.random() < 0.75 else "",
                use_first_pay_later=rng.random() < 0.2,
            )
            if deal is None:
                continue
            deals.append(deal)
            left = deal.contract_amount
            when = signed
            for part in (Decimal("0.5"), Decimal("0.3"), Decimal("0.2")):
                when = when + dt.timedelta(days=rng.randint(20, 200))
                if when > demo_today() or rng.random() < 0.2:
                    break
                amount = (deal.contract_amount * part).quantize(Decimal("0.01"))
                _try(payment_create, deal=deal, actor=actor, date=when, amount=amount)
                left -= amount

    banks = [ctx.orgs["bank1"], ctx.orgs["bank2"]]
    owned = {}
    for patent in Patent.objects.filter(owner__kind="sme", owner__region__isnull=False).order_by(
        "application_no"
    ):
        owned.setdefault(patent.owner_id, []).append(patent)
    borrowers = [org for org in city_smes if org.pk in owned]
    subsidized: set[int] = set()
    for year, n in _years(PLEDGES_PER_YEAR).items():
        for i in range(n):
            if not borrowers:
                break
            org = borrowers[(i + year) % len(borrowers)]
            bank = rng.choice(banks)
            _try(
                pledge_create,
                actor=actor,
                patents=owned[org.pk][:1],
                registration_no=f"Y{year}9800{i + 1:04d}",
                borrower=org,
                lender=bank,
                lender_name=bank.name,
                amount=Decimal(rng.randrange(50, 500) * 10000),
                registration_date=_day(rng, year),
                term_months=rng.choice([12, 24, 36]),
                has_insurance=rng.random() < 0.4,
                has_risk_compensation=rng.random() < 0.3,
            )
            _try(
                insurance_policy_create,
                actor=actor,
                patents=owned[org.pk][:1],
                policy_no=f"BX{year}{i + 1:05d}",
                insured=org,
                insurer=ctx.orgs["insurer"],
                insurer_name=ctx.orgs["insurer"].name,
                premium=Decimal(rng.randrange(2, 20) * 1000),
                coverage=Decimal(rng.randrange(20, 200) * 10000),
                start_date=_day(rng, year),
            )
            # one subsidy per patent (the approved total is capped at half its official fees)
            inventions = [
                p
                for p in owned[org.pk]
                if p.patent_type == "invention" and p.grant_date and p.pk not in subsidized
            ]
            if inventions:
                fees = Decimal(rng.randrange(40, 120) * 100)
                decided = max(_day(rng, year), inventions[0].grant_date)
                if decided.year == year and _try(
                    subsidy_create,
                    actor=actor,
                    organization=org,
                    patent=inventions[0],
                    official_fees=fees,
                    requested_amount=fees / 2,
                    approved_amount=(fees * Decimal("0.4")).quantize(Decimal("0.01")),
                    status="approved",
                    decision_date=decided,
                ):
                    subsidized.add(inventions[0].pk)
            _try(
                product_filing_create,
                actor=actor,
                patents=owned[org.pk][:1],
                filing_no=f"BA{year}{i + 1:04d}",
                organization=org,
                product_name=f"{org.name[5:9]}专利产品{i + 1}型",
                filing_date=_day(rng, year),
            )
    _count(ctx)


def _count(ctx: DemoContext) -> None:
    ctx.counts["deals"] = Deal.objects.count()
    ctx.counts["pledges"] = Pledge.objects.count()
    ctx.counts["insurance policies"] = InsurancePolicy.objects.count()
    ctx.counts["subsidies"] = Subsidy.objects.count()
    ctx.counts["product filings"] = ProductFiling.objects.count()


EVENTS = [
    (
        dt.date(2020, 10, 22),
        "matchmaking",
        "煤炭清洁利用专利供需对接会",
        "150627",
        "伊金霍洛旗圣圆煤化工基地",
    ),
    (
        dt.date(2021, 9, 16),
        "roadshow",
        "高校院所专利技术路演（第一场）",
        "150602",
        "鄂尔多斯高新技术产业开发区",
    ),
    (dt.date(2022, 5, 20), "matchmaking", "煤炭装备产业专利供需对接会", "150622", "准格尔经济开发区"),
    (dt.date(2022, 10, 12), "roadshow", "农牧业专利技术进旗县路演", "150621", "达拉特旗现代农业产业园"),
    (dt.date(2023, 6, 8), "roadshow", "羊绒与乳业专利技术路演", "150627", "伊金霍洛旗产业园"),
    (dt.date(2023, 11, 3), "matchmaking", "电子信息产业园供需对接活动", "150603", "康巴什电子信息产业园"),
    (dt.date(2024, 4, 18), "roadshow", "新能源与储能专利技术路演", "150627", "伊金霍洛旗蒙苏经济开发区"),
    (dt.date(2024, 9, 26), "matchmaking", "乳业与健康产业专利对接会", "150603", "康巴什区产业园"),
    (dt.date(2025, 5, 15), "roadshow", "高校院所专利技术路演（羊绒专场）", "150602", "东胜区羊绒产业园"),
    (dt.date(2025, 10, 23), "matchmaking", "高端装备制造专利供需对接会", "150622", "准格尔经济开发区"),
    (dt.date(2026, 6, 11), "roadshow", "煤矸石与固废综合利用专利路演", "150622", "准格尔经济开发区"),
    (dt.date(2026, 12, 17), "matchmaking", "农牧业专利技术进旗县对接会", "150621", "达拉特旗现代农业产业园"),
]


def seed_events(ctx: DemoContext) -> None:
    from matching.services.events import event_create
    from patents.services import navigation_project_create

    bureau = ctx.users["bureau_demo"]
    existing = set(Event.objects.values_list("title", flat=True))
    published = list(Patent.objects.published().order_by("application_no")[:40])
    rng = random.Random(f"{SEED}-events")
    for day, kind, title, district, park in EVENTS:
        if title in existing or day.year > demo_today().year:
            continue
        _try(
            event_create,
            actor=actor_for(bureau),
            title=title,
            kind=kind,
            date=day,
            # Past events were held (only held ones count toward the plan's target); later ones planned.
            status="held" if day < demo_today() else "planned",
            venue=f"{park}会议中心",
            district=ctx.regions[district],
            park=park,
            organizer="鄂尔多斯市市场监督管理局（知识产权局）",
            description="组织高校院所、国有企业技术团队与中小微企业面对面对接。",
            patents=rng.sample(published, min(5, len(published))),
        )
    actor = actor_for(bureau)
    titles = set(NavigationProject.objects.values_list("title", flat=True))
    # Enterprise navigation projects (the plan's 企业专利导航: each names the enterprise it serves).
    enterprises = [o for o in ctx.smes if o.region_id]
    this_year = demo_today().year
    for number, (year, industry, kind) in enumerate(
        (
            (2020, "coal", "industry_planning"),
            (2021, "equipment", "industry_planning"),
            (2022, "cashmere", "enterprise_operation"),
            (2023, "dairy", "rd"),
            (2024, "electronics", "industry_planning"),
            (2025, "agriculture", "rd"),
            (2026, "health", "enterprise_operation"),
        )
    ):
        if year > this_year:
            continue
        title = f"{ctx.industries[industry].name}产业专利导航项目（{year}）"
        if title not in titles:
            _try(
                navigation_project_create,
                actor=actor,
                title=title,
                kind=kind,
                industry=ctx.industries[industry],
                year_started=year,
                enterprise=enterprises[number % len(enterprises)] if enterprises else None,
                status="completed" if year < this_year - 1 else "in_progress",
                summary="围绕产业链重点企业开展专利信息检索与分析。",
            )
    ctx.counts["events"] = Event.objects.count()
    ctx.counts["navigation projects"] = NavigationProject.objects.count()


CONVERSIONS = (
    # (SME login, months before today the contract was signed, in use at follow-up, revenue, jobs)
    ("sme_demo", 8, True, Decimal("1860000.00"), 12),
    ("sme_demo2", 14, False, Decimal("0.00"), 0),
)


def seed_conversions(ctx: DemoContext) -> None:
    """The conversion loop as the portal records it: an agreed inquiry, the contract drafted from
    it and signed (the deal linked to both), a payment, and the follow-up the SME answered six
    months on; so the bureau's funnel and effectiveness page (`/reports/conversion/`) show it."""
    bureau = actor_for(ctx.users["bureau_demo"])
    today = demo_today()
    taken = set(Deal.objects.values_list("patents", flat=True))
    candidates = [
        p
        for p in Patent.objects.published()
        .filter(owner__in=ctx.suppliers, grant_date__lte=add_months(today, -18))
        .order_by("application_no")
        if p.pk not in taken and p.deal_kinds
    ]
    for number, (login, months_ago, in_use, revenue, jobs) in enumerate(CONVERSIONS):
        user = ctx.users[login]
        subject = f"演示：技术许可洽谈（{number + 1}）"
        if Inquiry.objects.filter(subject=subject).exists() or len(candidates) <= number:
            continue
        patent = candidates[-1 - number]  # the end of the list: away from the demands' answers
        signed_on = add_months(today, -months_ago)
        inquiry = Inquiry.objects.create(
            patent=patent,
            organization=user.membership.organization,
            subject=subject,
            status=Inquiry.Status.AGREED,
            contacts_released=True,
            first_replied_at=moment(signed_on - dt.timedelta(days=30)),
            closed_at=moment(signed_on - dt.timedelta(days=20)),
            created_by=user,
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(created_at=moment(signed_on - dt.timedelta(days=45)))
        contract = _try(contract_draft, inquiry=inquiry, actor=actor_for(user))
        if contract is None:
            continue
        # As drafted before signing: the licence runs three years from the signature.
        terms = {"amount": Decimal("300000.00")}
        if contract.term_starts_on:
            terms["term_starts_on"] = signed_on
            terms["term_ends_on"] = min(
                add_months(signed_on, 36) - dt.timedelta(days=1), patent.expiry_date or dt.date.max
            )
        contract = _try(contract_update, contract=contract, actor=actor_for(user), **terms)
        if contract is None:
            continue
        contract = _try(contract_record_signed, contract=contract, actor=bureau, signed_on=signed_on)
        if contract is None or contract.deal_id is None:
            continue
        deal = contract.deal
        _try(
            payment_create,
            deal=deal,
            actor=bureau,
            date=signed_on + dt.timedelta(days=20),
            amount=Decimal("300000.00"),
        )
        due = add_months(signed_on, 6)
        if due <= today:
            follow_up = FollowUp.objects.create(
                deal=deal, months=6, due_on=due, organization=user.membership.organization
            )
            _try(
                follow_up_answer,
                follow_up=follow_up,
                actor=actor_for(user),
                implemented=in_use,
                product=f"{patent.title.removeprefix('一种')[:30]}（示范产品）" if in_use else "",
                revenue=revenue,
                jobs=jobs,
            )
