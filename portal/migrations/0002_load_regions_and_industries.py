"""The city's nine districts/banners (GB/T 2260) and the industries the plan names."""

from django.db import migrations

REGIONS = [
    ("150602", "东胜区", "Dongsheng District", False),
    ("150603", "康巴什区", "Kangbashi District", False),
    ("150621", "达拉特旗", "Dalad Banner", True),
    ("150622", "准格尔旗", "Jungar Banner", True),
    ("150623", "鄂托克前旗", "Otog Front Banner", True),
    ("150624", "鄂托克旗", "Otog Banner", True),
    ("150625", "杭锦旗", "Hanggin Banner", True),
    ("150626", "乌审旗", "Uxin Banner", True),
    ("150627", "伊金霍洛旗", "Ejin Horo Banner", True),
]

# (code, name, English name, agricultural, IPC prefixes, keywords)
INDUSTRIES = [
    (
        "equipment",
        "高端装备制造",
        "High-end equipment manufacturing",
        False,
        "B21;B22;B23;B25;B60;B61;B62;B64;F15;F16;G05B",
        "装备;机械;制造;机器人;数控;液压;传动;智能制造",
    ),
    (
        "coal",
        "煤炭",
        "Coal",
        False,
        "E21;C10;B03;B65G;E02",
        "煤;煤矿;采煤;矿井;掘进;洗选;煤化工;瓦斯;支护;综采",
    ),
    (
        "cashmere",
        "羊绒",
        "Cashmere",
        False,
        "D01;D02;D03;D04;D06;A41",
        "羊绒;羊毛;纺织;纤维;织物;纺纱;染整;针织",
    ),
    ("dairy", "乳业", "Dairy", False, "A23C;A01J;A23L", "乳;牛奶;奶粉;乳制品;发酵乳;奶酪;乳酸菌"),
    ("health", "健康", "Health", False, "A61;C12;G16H;A23L33", "医疗;健康;药物;诊断;康复;医用;中药;蒙药"),
    (
        "electronics",
        "电子信息",
        "Electronic information",
        False,
        "G06;G08;H01;H02;H03;H04;H05;G01",
        "电子;信息;通信;传感器;芯片;软件;数据;物联网;电路",
    ),
    (
        "agriculture",
        "农牧业",
        "Agriculture and animal husbandry",
        True,
        "A01;A22;A23K;C05",
        "农业;畜牧;养殖;种植;饲料;牧草;羊;牛;灌溉;农机;肥料",
    ),
]


def load(apps, schema_editor):
    Region = apps.get_model("portal", "Region")
    Industry = apps.get_model("portal", "Industry")
    for code, name, name_en, county in REGIONS:
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_county_level": county}
        )
    for order, (code, name, name_en, agri, ipc, keywords) in enumerate(INDUSTRIES):
        Industry.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "is_agricultural": agri,
                "ipc_prefixes": ipc,
                "keywords": keywords,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
