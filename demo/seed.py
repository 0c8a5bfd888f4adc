"""A believable, clearly fictional demo data set (every organization name ends in （演示）).

Idempotent: everything is keyed by natural keys and generated from a fixed random seed, so a
second run finds everything in place and changes nothing. Each app's part is a function; parts for
apps whose models do not exist yet are skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from portal.identifiers import make_credit_code
from portal.models import Industry, Membership, Organization, OrganizationYearStats, Region
from portal.permissions import system_actor

DEMO_PASSWORD = "demo-pass-2024"
SEED = 20240601
PLAN_BASE_YEAR = 2020  # the plan's base year: KPI growth rates need its records


def demo_today() -> dt.date:
    """Activity runs from the plan's base year up to today (so dashboards open on a full year)."""
    return timezone.localdate()


def moment(day: dt.date) -> dt.datetime:
    """Ten in the morning of ``day``, Asia/Shanghai."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


CITY = "150602"
REGION_CODES = ["150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627"]

# (key, name, kind, region code or None, registration-type prefix)
SUPPLIERS = [
    ("uni1", "鄂尔多斯星河理工学院（演示）", "university", "150602", "12"),
    ("uni2", "鄂尔多斯草原农牧职业学院（演示）", "university", "150621", "12"),
    ("uni3", "呼和浩特北疆工业大学（演示）", "university", None, "12"),
    ("inst1", "鄂尔多斯煤炭清洁利用研究院（演示）", "institute", "150627", "12"),
    ("inst2", "鄂尔多斯绒纺新材料研究所（演示）", "institute", "150602", "12"),
    ("soe1", "鄂尔多斯能源装备集团有限公司（演示）", "soe", "150622", "91"),
    ("soe2", "鄂尔多斯乳业控股有限公司（演示）", "soe", "150603", "91"),
]
OTHERS = [
    ("agency", "鄂尔多斯知联知识产权服务有限公司（演示）", "agency", "150602", "91"),
    ("bank1", "鄂尔多斯示范银行股份有限公司（演示）", "bank", "150602", "91"),
    ("bank2", "北疆农商银行鄂尔多斯分行（演示）", "bank", "150622", "91"),
    ("insurer", "安泰财产保险鄂尔多斯中心支公司（演示）", "insurer", "150602", "91"),
    ("bureau", "鄂尔多斯市市场监督管理局（知识产权局）（演示）", "government", "150602", "11"),
    ("bureau_zgr", "准格尔旗市场监督管理局（演示）", "government", "150622", "11"),
]
SME_WORDS = [
    "恒达",
    "瑞丰",
    "晟源",
    "蒙科",
    "绿原",
    "天骄",
    "金沙",
    "鑫泰",
    "博远",
    "弘毅",
    "嘉禾",
    "智云",
    "聚能",
    "华绒",
    "康源",
    "牧歌",
    "远航",
    "安泰",
    "汇通",
    "青城",
]
SME_TRADES = [
    ("煤矿装备", "coal"),
    ("智能制造", "equipment"),
    ("羊绒制品", "cashmere"),
    ("乳品", "dairy"),
    ("生物医药", "health"),
    ("电子科技", "electronics"),
    ("农牧科技", "agriculture"),
]

# username → (organization key, district code for a district officer)
USERS = {
    "sme_demo": ("sme0", None),
    "sme_demo2": ("sme1", None),
    "institution_demo": ("uni1", None),
    "agency_demo": ("agency", None),
    "bank_demo": ("bank1", None),
    "district_demo": ("bureau_zgr", "150622"),
    "bureau_demo": ("bureau", None),
}


@dataclass
class DemoContext:
    rng: random.Random
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    industries: dict[str, Industry] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    supply_changed: bool = False  # patents or demands were added: matching runs again

    @property
    def smes(self) -> list[Organization]:
        return [o for k, o in sorted(self.orgs.items()) if k.startswith("sme")]

    @property
    def suppliers(self) -> list[Organization]:
        return [self.orgs[key] for key, *_rest in SUPPLIERS]


def _credit_code(prefix: str, region: str | None, serial: int) -> str:
    division = region or "150100"  # Hohhot for organizations outside the city
    return make_credit_code(f"{prefix}{division}MA{serial:07d}")


def _org(
    ctx: DemoContext,
    key: str,
    name: str,
    kind: str,
    region: str | None,
    prefix: str,
    serial: int,
    industries=(),
) -> Organization:
    org, _created = Organization.objects.update_or_create(
        credit_code=_credit_code(prefix, region, serial),
        defaults={
            "name": name,
            "kind": kind,
            "region_id": region,
            "verified": True,
            "contact_name": "张工" if kind != "sme" else "李经理",
            "contact_phone": f"0477-{8100000 + serial}",
            "contact_email": f"contact{serial}@example.com",
            "public_contact": f"技术转移办公室 0477-{8200000 + serial:07d}",
            "address": "内蒙古鄂尔多斯市（演示地址）",
        },
    )
    if industries:
        org.industries.set([ctx.industries[c] for c in industries])
    ctx.orgs[key] = org
    return org


def seed_portal(ctx: DemoContext) -> None:
    ctx.industries = {i.code: i for i in Industry.objects.all()}
    ctx.regions = {r.code: r for r in Region.objects.all()}
    serial = 1
    for key, name, kind, region, prefix in SUPPLIERS + OTHERS:
        _org(ctx, key, name, kind, region, prefix, serial)
        serial += 1
    for i in range(30):
        trade, industry = SME_TRADES[i % len(SME_TRADES)]
        region = REGION_CODES[i % len(REGION_CODES)]
        name = f"鄂尔多斯市{SME_WORDS[i % len(SME_WORDS)]}{trade}有限公司（演示{i + 1:02d}）"
        _org(ctx, f"sme{i}", name, "sme", region, "91", 100 + i, industries=[industry])
    # Two SMEs outside the city: they count nowhere in the city KPIs.
    for i, (name, industry) in enumerate(
        [("包头北方精工机械有限公司（演示）", "equipment"), ("呼和浩特青城乳品科技有限公司（演示）", "dairy")]
    ):
        _org(ctx, f"sme_out{i}", name, "sme", None, "91", 200 + i, industries=[industry])
    ctx.orgs["agency"].clients.set([ctx.orgs["uni1"], ctx.orgs["uni2"], ctx.orgs["inst1"]])

    stats = []
    existing = set(OrganizationYearStats.objects.values_list("organization_id", "year"))
    for org in ctx.smes:
        rng = random.Random(f"{SEED}-{org.credit_code}")
        revenue = Decimal(rng.randrange(3_000_000, 60_000_000))
        employees = rng.randrange(12, 180)
        for year in range(PLAN_BASE_YEAR, demo_today().year + 1):
            if (org.pk, year) not in existing:
                stats.append(
                    OrganizationYearStats(organization=org, year=year, revenue=revenue, employees=employees)
                )
            revenue = (revenue * Decimal(str(rng.uniform(1.02, 1.25)))).quantize(Decimal("0.01"))
            employees += rng.randrange(0, 12)
    OrganizationYearStats.objects.bulk_create(stats)

    User = get_user_model()
    # One hash for the shared, published demo password (each costs ~0.3 s of PBKDF2).
    password = None
    for username, (org_key, district) in USERS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save()
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "organization": ctx.orgs[org_key],
                "role": Membership.Role.ADMIN,
                "district_id": district,
            },
        )
        ctx.users[username] = user
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True}
    )
    if created or not admin.check_password(DEMO_PASSWORD) or not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.password = password or make_password(DEMO_PASSWORD)
        admin.save()
    ctx.users["admin"] = admin
    ctx.counts["organizations"] = Organization.objects.count()


@transaction.atomic
def seed_demo() -> DemoContext:
    from .seed_activity import seed_conversions, seed_events, seed_finance
    from .seed_supply import close_old_demands, seed_demands, seed_patents

    ctx = DemoContext(rng=random.Random(SEED))
    for part in (
        seed_portal,
        seed_patents,
        seed_demands,
        seed_match,
        seed_finance,
        seed_conversions,
        seed_events,
        close_old_demands,
    ):
        part(ctx)
    return ctx


def seed_match(ctx: DemoContext) -> None:
    """One full matching run over every open demand (instead of one per patent and demand)."""
    from matching.models import Match
    from matching.services.runs import match_run_sync

    if ctx.supply_changed:
        match_run_sync(actor=system_actor())
    ctx.counts["matches"] = Match.objects.count()
