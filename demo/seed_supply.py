"""Demo patents (real public texts, fictional owners and numbers) and SME demands."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from demands.models import Demand
from patents.identifiers import check_character
from patents.models import Patent
from patents.services import patent_create, patent_publish

from .seed import SEED, DemoContext

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

# (industry, title, description, keywords) — what fictional SMEs might ask for.
DEMANDS = [
    (
        "coal",
        "煤矿巷道支护技术需求",
        "我公司承担井下巷道掘进与支护工程，希望引进锚杆支护、顶板监测方面的专利技术，降低冒顶风险。",
        "支护;锚杆;巷道",
    ),
    (
        "coal",
        "煤层气开采设备改进",
        "寻求煤层气井口调节阀、排采控制相关专利的许可，用于现有设备升级。",
        "煤层气;调节阀",
    ),
    ("coal", "矿井瓦斯监测预警", "需要瓦斯浓度在线监测与预警技术，可接受转让或许可。", "瓦斯;监测;预警"),
    ("coal", "煤矸石综合利用技术", "希望获得煤矸石制备建材或充填材料的专利技术。", "煤矸石;充填"),
    (
        "equipment",
        "液压支架电液控制系统",
        "公司生产液压支架，寻求电液控制和液压阀相关技术合作。",
        "液压;阀;控制",
    ),
    (
        "equipment",
        "数控机床精度补偿",
        "需要数控加工中心热误差补偿技术，预算有限，希望先使用后付费。",
        "数控;误差补偿",
    ),
    (
        "equipment",
        "工业机器人抓取技术",
        "寻求机械臂视觉定位和抓取方面的专利，用于装配线改造。",
        "机器人;机械臂;抓取",
    ),
    ("equipment", "齿轮箱故障诊断", "希望引进齿轮传动故障诊断与振动监测技术。", "齿轮;故障诊断;振动"),
    (
        "cashmere",
        "羊绒分梳工艺改进",
        "我公司从事羊绒初加工，希望引进提高分梳效率、减少纤维损伤的技术。",
        "羊绒;分梳;纤维",
    ),
    ("cashmere", "羊绒织物防起球整理", "寻求羊绒针织物抗起球、防缩整理相关专利许可。", "织物;起球;整理"),
    ("cashmere", "纺纱设备节能改造", "希望获得细纱机节能、纱线质量在线检测方面的技术。", "纺纱;纱线;检测"),
    ("dairy", "发酵乳制品工艺", "公司生产酸奶和奶酪，寻求发酵菌种与发酵工艺的专利技术。", "发酵;乳;菌"),
    ("dairy", "奶粉生产干燥技术", "需要乳粉喷雾干燥节能技术，接受许可。", "奶粉;干燥"),
    ("dairy", "牧场挤奶设备", "寻求自动挤奶与生鲜乳冷却设备的相关专利。", "挤奶;冷却"),
    ("health", "蒙药制剂工艺", "我公司生产蒙药，希望引进中药/蒙药提取与制剂工艺技术。", "药物;提取;制剂"),
    ("health", "康复辅助器械", "寻求康复训练器械相关专利，用于产品开发。", "康复;器械"),
    ("health", "医用检测试剂", "希望获得快速诊断检测试剂的专利许可。", "诊断;检测;试剂"),
    (
        "electronics",
        "物联网传感器节点",
        "公司做园区物联网，需要低功耗无线传感器和数据采集技术。",
        "传感器;无线;数据采集",
    ),
    ("electronics", "电力电子电路保护", "寻求电源电路过压保护与驱动电路相关专利。", "电路;保护;驱动"),
    ("electronics", "通信信号处理算法", "希望引进信号检测、抗干扰通信方面的专利技术。", "信号;通信;干扰"),
    (
        "agriculture",
        "牧草种植与收获机械",
        "合作社需要牧草播种、收获机械方面的实用技术，希望费用减免。",
        "牧草;播种;收获",
    ),
    ("agriculture", "肉羊养殖饲料配方", "寻求肉羊育肥饲料配方和养殖管理技术。", "饲料;养殖;羊"),
    ("agriculture", "节水灌溉技术", "需要沙地节水灌溉和土壤改良技术。", "灌溉;土壤"),
    ("agriculture", "设施农业温室控制", "寻求温室环境智能控制技术，用于蔬菜种植。", "温室;种植;控制"),
]


def _application_no(seq: int, year: int, kind: str) -> str:
    digits = f"{year}{kind}{seq:07d}"
    return f"{digits}.{check_character(digits)}"


def seed_patents(ctx: DemoContext) -> None:
    texts = [
        json.loads(line) for line in (DATA / "patent_texts.jsonl").read_text("utf-8").splitlines() if line
    ]
    existing = set(Patent.objects.values_list("application_no", flat=True))
    today = dt.date(2024, 6, 1)
    for i, item in enumerate(texts):
        rng = random.Random(f"{SEED}-patent-{i}")  # per item, so skipping existing ones keeps the rest stable
        year = rng.choice([2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021])
        kind = "1" if rng.random() < 0.6 else "2"
        number = _application_no(850000 + i, year, kind)
        if number in existing:
            continue
        owner = ctx.orgs[rng.choice(OWNERS[item["industry"]])]
        applied = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        granted = applied + dt.timedelta(days=rng.randint(300, 900))
        status = rng.choices(["granted", "granted", "granted", "pending", "lapsed"], k=1)[0]
        deal = rng.random()
        patent = patent_create(
            actor=None,
            owner=owner,
            application_no=number,
            title=item["title"],
            abstract=item["abstract"],
            claims=item["claims"],
            ipc_codes=item["ipc"],
            applicants=owner.name,
            inventors=";".join(rng.sample(["王建国", "李红", "张伟", "刘洋", "陈静", "杨帆", "赵磊"], 2)),
            application_date=applied,
            grant_date=granted if status != "pending" and granted < today else None,
            legal_status=status if (status == "pending" or granted < today) else "pending",
            industries=[ctx.industries[item["industry"]]],
            trl=rng.randint(3, 8),
            implemented=rng.random() < 0.25,
            offers_transfer=deal < 0.7,
            offers_license=deal > 0.3,
            offers_equity=deal > 0.85,
            use_first_pay_later=rng.random() < 0.2,
            sme_fee_waiver=rng.random() < 0.3,
            asking_price=Decimal(rng.randrange(5, 120) * 10000) if rng.random() < 0.7 else None,
        )
        if patent.in_force and patent.deal_kinds and rng.random() < 0.85:
            patent_publish(patent=patent, actor=None)
    ctx.counts["patents"] = Patent.objects.count()
    ctx.counts["patents published"] = Patent.objects.published().count()


def seed_demands(ctx: DemoContext) -> None:
    from demands.services import demand_create

    smes = [o for o in ctx.smes if o.region_id]
    existing = set(Demand.objects.values_list("code", flat=True))
    users = {ctx.orgs["sme0"].pk: ctx.users["sme_demo"], ctx.orgs["sme1"].pk: ctx.users["sme_demo2"]}
    for i, (industry, title, description, keywords) in enumerate(DEMANDS):
        code = f"D2023-{i + 1:04d}"
        if code in existing:
            continue
        rng = random.Random(f"{SEED}-demand-{i}")
        org = ctx.orgs["sme0"] if i in (0, 2) else ctx.orgs["sme1"] if i in (4, 5) else smes[i % len(smes)]
        by = users.get(org.pk) or _member_of(ctx, org)
        low = Decimal(rng.randrange(5, 40) * 10000)
        demand_create(
            by=by,
            code=code,
            title=title,
            description=description,
            keywords=keywords,
            industry=ctx.industries[industry],
            deal_kinds=rng.choice([["transfer", "license"], ["license"], ["transfer"]]),
            budget_min=low,
            budget_max=low * 3,
            deadline=dt.date(2027, 12, 31),
            publish=True,
        )
    ctx.counts["demands"] = Demand.objects.count()


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
