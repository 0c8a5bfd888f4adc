"""Demo patents (real public texts and texts written for the demo, fictional owners and numbers)
and SME demands spread over the plan years up to today.

Patents are written in bulk (no per-row validation round trips, no matching per patent): the
seed builds them in memory with the same derivation as the importer (``patent_derive``), and one
matching run scores every demand at the end (seed.seed_demo).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from demands.models import Demand
from patents.identifiers import add_years, check_character
from patents.models import Patent, PatentIpc
from patents.services import ipc_rows, normalize_ipc_codes, patent_derive
from portal.permissions import actor_for, system_actor

from .seed import PLAN_BASE_YEAR, SEED, DemoContext, demo_today, moment

DATA = Path(__file__).resolve().parent / "data"

# Which suppliers hold which industries' patents.
OWNERS = {
    "coal": ["inst1", "soe1", "uni1"],
    "equipment": ["soe1", "uni1", "uni3"],
    "cashmere": ["inst2", "uni1"],
    "dairy": ["soe2", "uni2"],
    "health": ["uni1", "uni3"],
    "electronics": ["uni1", "uni3", "inst1"],
    "agriculture": ["uni2", "uni3"],
}
INVENTORS = [
    "王建国",
    "李红",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "巴特尔",
    "乌日娜",
    "其木格",
    "孟和",
    "高娃",
]


@dataclass(frozen=True)
class DemoDemand:
    year: int
    industry: str
    title: str
    description: str
    keywords: str
    # Titles of demo patents that answer it (the seed test checks the engine recommends one of
    # them); empty for the demands that honestly have no match (the empty state).
    answers: tuple[str, ...] = ()


DEMANDS = [
    DemoDemand(
        2020,
        "coal",
        "深部煤巷围岩支护技术",
        "我公司承担井下巷道掘进与支护工程，深部巷道变形大，希望引进巷道支护方法、支护设备方面的专利技术，降低冒顶风险。",
        "巷道;支护;煤矿",
        ("一种基于松动圈理论的深部巷道支护方法", "一种矿用辅助巷道支护车"),
    ),
    DemoDemand(
        2020,
        "cashmere",
        "羊毛与羊绒染色助剂",
        "公司从事毛纺染整，希望获得羊毛、羊绒染色助剂和匀染工艺的专利许可，提高上染率、减少纤维损伤。",
        "羊毛;染色;助剂",
        ("一种羊毛分散染料染色助剂及其应用", "一种羊绒纤维低温染色方法"),
    ),
    DemoDemand(
        2020,
        "agriculture",
        "羊粪有机肥生产技术",
        "合作社养殖肉羊，羊粪量大，希望引进以羊粪为原料生产有机肥料的技术，可接受转让。",
        "有机肥料;羊粪;肥料",
        ("一种有机肥料及制备方法和应用",),
    ),
    DemoDemand(
        2021,
        "coal",
        "煤层气井煤泥清理与脱硫化氢装置",
        "寻求煤层气井井筒煤泥清理装置，以及煤层气脱除硫化氢的处理装置的专利许可，用于现有排采设备升级。",
        "煤层气;煤泥;硫化氢",
        ("一种煤泥清理装置", "一种煤层气、天然气及医用尾气脱硫化氢装置"),
    ),
    DemoDemand(
        2021,
        "electronics",
        "退役光伏组件回收利用",
        "公司计划建设退役光伏组件回收线，需要晶硅光伏电池片破碎分离、回收银铝硅等材料的技术。",
        "光伏;回收;晶硅",
        ("一种晶硅光伏材料的回收方法",),
    ),
    DemoDemand(
        2021,
        "dairy",
        "低乳糖发酵乳制品工艺",
        "公司生产酸奶，希望开发适合乳糖不耐受人群的低乳糖发酵乳，寻求乳糖酶解与发酵剂配方的专利技术。",
        "发酵乳;乳糖;酸奶",
        ("一种低乳糖发酵乳及其制备方法", "一种益生菌酸奶及其发酵工艺"),
    ),
    DemoDemand(
        2021,
        "health",
        "医用口罩复合材料",
        "公司生产医用防护用品，希望引进可降解医用口罩复合材料的制备技术。",
        "医用口罩;复合材料",
        ("一种医用口罩复合材料及其制备方法",),
    ),
    DemoDemand(
        2022,
        "equipment",
        "井下凿岩机器人",
        "公司为矿山提供掘进服务，寻求凿岩机器人、视觉定位方面的专利，替代人工凿岩。",
        "凿岩;机器人;视觉",
        ("一种轮腿式凿岩机器人", "一种具有视觉信息采集装置的轮腿式凿岩机器人"),
    ),
    DemoDemand(
        2022,
        "cashmere",
        "山羊绒分梳提取率提升",
        "我公司从事羊绒初加工，希望引进提高分梳效率、减少纤维损伤的分梳机和分梳工艺技术。",
        "羊绒;分梳;纤维",
        ("一种山羊绒分梳机及分梳工艺",),
    ),
    DemoDemand(
        2022,
        "dairy",
        "奶粉喷雾干燥节能改造",
        "需要乳粉喷雾干燥尾气余热回收和低温干燥技术，降低奶粉生产蒸汽消耗，接受许可。",
        "奶粉;喷雾干燥;余热",
        ("一种乳粉喷雾干燥余热回收系统", "一种婴幼儿配方奶粉的低温干燥方法"),
    ),
    DemoDemand(
        2022,
        "agriculture",
        "农田重金属污染土壤修复",
        "承接农田土壤治理项目，需要重金属污染土壤的钝化修复剂技术。",
        "土壤;重金属;钝化剂",
        ("一种用于重金属污染修复的土壤钝化剂",),
    ),
    DemoDemand(
        2023,
        "electronics",
        "废旧锂电池材料回收",
        "公司布局新能源电池回收，寻求锂离子电池废料浸出和镍钴金属回收的专利技术。",
        "锂离子电池;回收;浸出",
        ("一种锂离子电池废料的浸出方法及金属回收方法",),
    ),
    DemoDemand(
        2023,
        "equipment",
        "焊接质量在线监测",
        "公司生产煤机结构件，希望引进电弧焊接过程监控、焊缝缺陷检测方面的专利技术。",
        "焊接;焊缝;缺陷检测",
        ("一种电弧焊接系统和方法",),
    ),
    DemoDemand(
        2023,
        "health",
        "蒙药制剂工艺升级",
        "我公司生产蒙药，希望把传统散剂、丸剂改为颗粒剂或自动化制丸，寻求蒙药制剂工艺专利。",
        "蒙药;制剂;颗粒剂",
        ("一种蒙药沙棘颗粒剂及其制备方法", "一种蒙药丸剂的自动化制丸方法"),
    ),
    DemoDemand(
        2023,
        "dairy",
        "牧场自动挤奶与生鲜乳冷却",
        "规模化奶牛牧场寻求自动挤奶机器人和生鲜乳快速冷却储存设备的相关专利。",
        "挤奶;生鲜乳;冷却",
        ("一种牧场自动挤奶机器人的乳头定位装置", "一种生鲜乳快速冷却储存罐"),
    ),
    DemoDemand(
        2024,
        "coal",
        "煤热解荒煤气除尘",
        "公司建设低阶煤热解项目，需要高温荒煤气除尘过滤技术，解决焦油与粉尘混合堵塞问题。",
        "煤热解;除尘;过滤",
        ("一种除尘过滤器和具有该除尘过滤器的煤热解系统",),
    ),
    DemoDemand(
        2024,
        "cashmere",
        "羊绒衫防起球与防缩整理",
        "寻求羊绒针织物抗起球、机可洗防缩整理相关专利许可，提高产品品质。",
        "羊绒;起球;防缩",
        ("一种羊绒针织物防起球整理方法", "一种羊绒制品机可洗防缩整理工艺"),
    ),
    DemoDemand(
        2024,
        "electronics",
        "园区无线数据采集传输",
        "公司做园区物联网，需要低功耗无线传感器节点和无线数据传输设备方面的技术。",
        "无线;传感器;数据传输",
        ("一种低功耗无线传感器网络节点", "一种无线数据传输设备"),
    ),
    DemoDemand(
        2024,
        "agriculture",
        "沙地节水灌溉",
        "需要沙地滴灌、喷灌等节水灌溉技术和设备，用于人工草地和农田。",
        "灌溉;节水;滴灌",
        ("一种沙地滴灌节水灌溉系统", "一种卷盘喷灌机用变速箱"),
    ),
    DemoDemand(
        2025,
        "coal",
        "风光制氢与煤化工耦合",
        "公司规划绿氢耦合煤化工示范项目，寻求风电、光伏制氢储能与煤化工联合生产的系统技术。",
        "制氢;储能;煤化工",
        ("一种风光-氢储能及煤化工联合生产系统",),
    ),
    DemoDemand(
        2025,
        "equipment",
        "液压支架电液控制系统",
        "公司生产液压支架，寻求电液控制、综采工作面自动跟机方面的技术合作。",
        "液压支架;电液控制;综采",
        ("一种液压支架电液控制系统",),
    ),
    DemoDemand(
        2025,
        "dairy",
        "干酪乳清综合利用",
        "公司生产奶酪和奶豆腐，乳清排放量大，希望获得乳清蛋白回收技术。",
        "乳清;乳清蛋白;干酪",
        ("一种从干酪乳清中回收乳清蛋白的方法",),
    ),
    DemoDemand(
        2025,
        "agriculture",
        "肉羊育肥饲料配方",
        "寻求肉羊育肥全混合日粮配方和饲喂技术，提高日增重。",
        "肉羊;育肥;饲料",
        ("一种肉羊育肥全混合日粮及其制备方法",),
    ),
    DemoDemand(
        2026,
        "coal",
        "煤矸石制备新型建材技术",
        "希望引进利用煤矸石制备烧结砖、陶粒、墙板等新型建筑材料的专利技术，实现矸石综合利用。",
        "煤矸石;建材;综合利用",
        ("一种以煤矸石为主要原料的烧结砖及其制备方法", "一种煤矸石陶粒及其在轻质墙板中的应用"),
    ),
    DemoDemand(
        2026,
        "coal",
        "矿井瓦斯监测预警",
        "需要瓦斯浓度在线监测与分级预警技术，可接受转让或许可。",
        "瓦斯;监测;预警",
        ("一种矿井瓦斯浓度在线监测预警系统",),
    ),
    DemoDemand(
        2026,
        "equipment",
        "数控机床热误差补偿",
        "需要数控加工中心热误差补偿技术，预算有限，希望先使用后付费。",
        "数控机床;热误差;补偿",
        ("一种数控机床热误差补偿方法",),
    ),
    DemoDemand(
        2026,
        "health",
        "下肢康复训练设备",
        "公司开发康复医疗器械，寻求下肢康复训练机器人相关专利。",
        "康复;下肢;机器人",
        ("一种下肢康复训练机器人",),
    ),
    # No demo patent answers this one: the recommendations page shows its empty state.
    DemoDemand(
        2026,
        "agriculture",
        "沙柳平茬剩余物制备生物质颗粒燃料",
        "旗里沙柳平茬后枝条量大，希望引进将沙柳枝条粉碎压制成生物质成型颗粒燃料的技术与设备。",
        "沙柳;生物质;颗粒燃料",
    ),
]


def _application_no(seq: int, year: int, kind: str) -> str:
    digits = f"{year}{kind}{seq:07d}"
    return f"{digits}.{check_character(digits)}"


def _is_method(title: str) -> bool:
    return any(
        word in title for word in ("方法", "工艺", "应用", "配方", "试剂", "药物", "日粮", "肥料", "材料")
    )


def demo_texts() -> list[dict]:
    return [
        json.loads(line) for line in (DATA / "demo_patents.jsonl").read_text("utf-8").splitlines() if line
    ]


def _status_and_dates(rng: random.Random, kind: str, today: dt.date) -> tuple[str, dt.date, dt.date | None]:
    """A legal status consistent with the dates: utility models (10-year term) filed 2017 or
    later are still in force; pending applications are inventions filed in the last four years."""
    if kind == "2":
        applied = dt.date(rng.randint(2017, 2023), rng.randint(1, 12), rng.randint(1, 28))
        granted = applied + dt.timedelta(days=rng.randint(150, 400))
    else:
        applied = dt.date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28))
        granted = applied + dt.timedelta(days=rng.randint(500, 1100))
    if granted >= today:
        return Patent.LegalStatus.PENDING, applied, None
    return (
        (Patent.LegalStatus.LAPSED if rng.random() < 0.06 else Patent.LegalStatus.GRANTED),
        applied,
        granted,
    )


def seed_patents(ctx: DemoContext) -> None:
    texts = demo_texts()
    existing = set(Patent.objects.values_list("application_no", flat=True))
    today = demo_today()
    now = timezone.now()
    to_create: list[tuple[Patent, str]] = []
    answers = {title for demand in DEMANDS for title in demand.answers}
    for i, item in enumerate(texts):
        rng = random.Random(f"{SEED}-patent-{i}")  # per item: skipping existing ones keeps the rest stable
        kind = "1" if _is_method(item["title"]) or rng.random() < 0.55 else "2"
        status, applied, granted = _status_and_dates(rng, kind, today)
        if item["title"] in answers and status == Patent.LegalStatus.LAPSED:
            status = Patent.LegalStatus.GRANTED  # a demand's answer stays in force and on offer
        number = _application_no(850000 + i, applied.year, kind)
        if number in existing:
            continue
        owner = ctx.orgs[rng.choice(OWNERS[item["industry"]])]
        deal = rng.random()
        patent = Patent(
            owner=owner,
            application_no=number,
            title=item["title"],
            abstract=item["abstract"],
            claims=item["claims"],
            ipc_codes="; ".join(normalize_ipc_codes(item["ipc"])),
            applicants=owner.name,
            inventors=";".join(rng.sample(INVENTORS, 2)),
            application_date=applied,
            grant_date=granted,
            legal_status=status,
            trl=rng.randint(3, 8),
            implemented=rng.random() < 0.25,
            offers_transfer=deal < 0.7,
            offers_license=deal > 0.3,
            offers_equity=deal > 0.85,
            use_first_pay_later=rng.random() < 0.2,
            sme_fee_waiver=rng.random() < 0.3,
            asking_price=Decimal(rng.randrange(5, 120) * 10000) if rng.random() < 0.7 else None,
        )
        patent_derive(patent, today=today)
        if patent.in_force and (rng.random() < 0.92 or item["title"] in answers):
            first = max(granted or applied, dt.date(PLAN_BASE_YEAR, 1, 1))
            listed = first + dt.timedelta(days=rng.randint(0, max((today - first).days, 0)))
            patent.listing_status = Patent.ListingStatus.PUBLISHED
            patent.published_at = moment(listed)
            renewed = today + dt.timedelta(
                days=rng.randint(30, 330)
            )  # listings older than a year were renewed
            patent.listed_until = max(add_years(listed, 1), renewed)
        patent.created_at = patent.updated_at = now
        to_create.append((patent, item["industry"]))
    if to_create:
        ctx.supply_changed = True
        patents = bulk_create_with_history(
            [p for p, _i in to_create],
            Patent,
            batch_size=500,
            default_user=system_actor().user,  # the demo's patents are loaded by the system
            default_date=now,
        )
        if patents[0].pk is None:  # backends that do not return primary keys
            by_no = dict(
                Patent.objects.filter(application_no__in=[p.application_no for p in patents]).values_list(
                    "application_no", "pk"
                )
            )
            for patent in patents:
                patent.pk = patent.id = by_no[patent.application_no]
        PatentIpc.objects.bulk_create([row for p in patents for row in ipc_rows(p)])
        through = Patent.industries.through
        through.objects.bulk_create(
            [through(patent_id=p.pk, industry_id=ctx.industries[industry].pk) for p, industry in to_create]
        )
    ctx.counts["patents"] = Patent.objects.count()
    ctx.counts["patents published"] = Patent.objects.published().count()


def demand_code(year: int, seq: int) -> str:
    return f"D{year}-{seq:04d}"


def demo_demand_codes() -> dict[str, DemoDemand]:
    codes, seq = {}, {}
    for demand in DEMANDS:
        seq[demand.year] = seq.get(demand.year, 0) + 1
        codes[demand_code(demand.year, seq[demand.year])] = demand
    return codes


def seed_demands(ctx: DemoContext) -> None:
    """Demands as their SMEs would post them, published on a day of their code's year. They are
    created open (one matching run scores them all); ``close_old_demands`` then closes the ones
    of past years as their story goes (served by a deal, or expired)."""
    from demands.services import demand_create

    today = demo_today()
    smes = [o for o in ctx.smes if o.region_id]
    existing = set(Demand.objects.values_list("code", flat=True))
    users = {ctx.orgs["sme0"].pk: ctx.users["sme_demo"], ctx.orgs["sme1"].pk: ctx.users["sme_demo2"]}
    by_industry = {}
    for org in smes:
        for industry in org.industries.all():
            by_industry.setdefault(industry.code, []).append(org)
    backdate = []
    for i, (code, item) in enumerate(demo_demand_codes().items()):
        if item.year > today.year or code in existing:
            continue
        rng = random.Random(f"{SEED}-demand-{code}")
        if i in (0, 23, 24):
            org = ctx.orgs["sme0"]
        elif i in (7, 20, 25):
            org = ctx.orgs["sme1"]
        else:
            candidates = by_industry.get(item.industry) or smes
            org = candidates[i % len(candidates)]
        by = users.get(org.pk) or _member_of(ctx, org)
        low = Decimal(rng.randrange(5, 40) * 10000)
        demand = demand_create(
            actor=actor_for(by),
            code=code,
            title=item.title,
            description=item.description,
            keywords=item.keywords,
            industry=ctx.industries[item.industry],
            deal_kinds=rng.choice([["transfer", "license"], ["license"], ["transfer"]]),
            budget_min=low,
            budget_max=low * 3,
            deadline=today + dt.timedelta(days=rng.randint(60, 300)),
            publish=False,  # opened below in one update: the single matching run scores them all
        )
        last = today if item.year == today.year else dt.date(item.year, 12, 28)
        published = dt.date(item.year, rng.randint(1, last.month), rng.randint(1, min(last.day, 28)))
        backdate.append((demand.pk, moment(published)))
        ctx.supply_changed = True
    for pk, when in backdate:
        Demand.objects.filter(pk=pk).update(status=Demand.Status.OPEN, published_at=when, created_at=when)
    ctx.counts["demands"] = Demand.objects.count()


def close_old_demands(ctx: DemoContext) -> None:
    """Demands of past years are no longer open: those older than last year are matched (a deal
    followed) or expired at the end of their year; last year's and this year's stay open."""
    today = demo_today()
    for demand in Demand.objects.filter(code__in=list(demo_demand_codes()), status=Demand.Status.OPEN):
        year = int(demand.code[1:5])
        if year >= today.year - 1:
            continue
        rng = random.Random(f"{SEED}-close-{demand.code}")
        ends = dt.date(year + 1, rng.randint(1, 6), rng.randint(1, 28))
        status = Demand.Status.MATCHED if rng.random() < 0.6 else Demand.Status.EXPIRED
        Demand.objects.filter(pk=demand.pk).update(status=status, deadline=ends, closed_at=moment(ends))


def _member_of(ctx: DemoContext, org):
    """A login-less member user for an SME without a demo login (demands record who posted them)."""
    from django.contrib.auth import get_user_model

    from portal.models import Membership

    user, created = get_user_model().objects.get_or_create(username=f"sme_{org.credit_code[-6:].lower()}")
    if created:
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organization=org, role=Membership.Role.ADMIN)
    return user
