"""Seed the 2021-2023 plan (鄂尔多斯市专利转化专项计划实施方案, base year 2020) and its KPI targets,
as section 四 of the plan states them. The bureau adds later plans in the admin."""

from decimal import Decimal

from django.db import migrations

PLAN = {
    "name": "鄂尔多斯市专利转化专项计划实施方案（2021-2023年）",
    "base_year": 2020,
    "first_year": 2021,
    "last_year": 2023,
    "note": "《鄂尔多斯市关于实施专利转化专项计划助力中小企业创新发展实施方案（2021-2023年）》四、工作目标",
}
# indicator: (rule, threshold, values)
TARGETS = {
    # 1. 专利数量以及成交额和实际到账金额明显增长，年均增幅20%以上
    "sme_acquisitions": ("average_growth_at_least", "0.2", ["patents", "contract_amount", "received_amount"]),
    # 2. 专利数量、成交金额、实际到帐金额显著增长 (the number of deals is not named)
    "institution_transfers": ("growth_above", "0", ["patents", "contract_amount", "received_amount"]),
    # 3. 企业数量及其营业收入、就业人数保持逐年递增
    "smes_benefited": ("higher", "0", ["count", "revenue", "employees"]),
    # 4. 质押融资金额与数量年均增幅 20%
    "sme_pledge_financing": ("average_growth_at_least", "0.2", ["count", "amount"]),
    # 5. 备案专利产品稳定增加
    "product_filings": ("higher", "0", ["count"]),
}


def load(apps, schema_editor):
    PlanPeriod = apps.get_model("reports", "PlanPeriod")
    PlanTarget = apps.get_model("reports", "PlanTarget")
    plan, _created = PlanPeriod.objects.get_or_create(
        first_year=PLAN["first_year"], last_year=PLAN["last_year"], defaults=PLAN
    )
    for indicator, (rule, threshold, values) in TARGETS.items():
        PlanTarget.objects.get_or_create(
            plan=plan,
            indicator=indicator,
            defaults={"rule": rule, "threshold": Decimal(threshold), "values": values},
        )


def unload(apps, schema_editor):
    PlanPeriod = apps.get_model("reports", "PlanPeriod")
    PlanPeriod.objects.filter(name=PLAN["name"], summary__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_plan_periods_award_budgets_plan_reports")]

    operations = [migrations.RunPython(load, unload)]
