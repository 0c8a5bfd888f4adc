"""Import kinds for the portal's own data: organizations and their yearly figures."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .identifiers import normalize_credit_code
from .imports.base import Column, Counts, Importer, Row, choices_map, register, upsert
from .models import Organization, OrganizationYearStats, Region

CREDIT_CODE_ALIASES = ("统一社会信用代码", "信用代码", "社会信用代码")


def clean_credit_code(row: Row, name: str, *, required: bool = True) -> str | None:
    value = row.text(name, required=required)
    if value is None:
        return None
    try:
        return normalize_credit_code(value)
    except ValidationError as exc:
        row.error(name, " ".join(exc.messages))
        return None


class OrganizationLookup:
    """Credit code → organization id, loaded once per import (no per-row queries)."""

    def __init__(self):
        self.ids: dict[str, int] = dict(Organization.objects.values_list("credit_code", "id"))

    def resolve(self, row: Row, name: str, *, required: bool = True) -> int | None:
        code = clean_credit_code(row, name, required=required)
        if code is None:
            return None
        org_id = self.ids.get(code)
        if org_id is None:
            row.error(name, _("单位不存在：%(code)s（请先导入单位信息）") % {"code": code})
        return org_id


@register
class OrganizationImporter(Importer):
    kind = "organizations"
    label = _("单位")
    columns = (
        Column("credit_code", CREDIT_CODE_ALIASES, required=True),
        Column("name", ("名称", "单位名称", "企业名称"), required=True),
        Column("kind", ("类型", "单位类型"), required=True),
        Column("region_code", ("区划代码", "旗区代码", "所在旗区", "旗区")),
    )
    KINDS = choices_map(
        Organization.Kind.choices,
        {"高校院所": "university", "大学": "university", "研究院": "institute", "国企": "soe",
         "中小企业": "sme", "小微企业": "sme", "服务机构": "agency", "保险": "insurer", "政府": "government"},
    )

    def preload(self):
        self.regions = {r.code: r.code for r in Region.objects.all()}
        self.regions.update({r.name: r.code for r in Region.objects.all()})

    def clean_row(self, row):
        code = clean_credit_code(row, "credit_code")
        name = row.text("name", required=True, max_length=200)
        kind = row.choice("kind", self.KINDS, required=True)
        region_text = row.text("region_code")
        region = None
        if region_text:
            region = self.regions.get(region_text)
            if region is None:
                row.error("region_code", _("不是本市旗区代码：%(value)s（市外单位请留空）") % {"value": region_text})
        return {"credit_code": code, "name": name, "kind": kind, "region_id": region}

    def key(self, cleaned):
        return cleaned["credit_code"]

    def write(self, rows) -> Counts:
        return upsert(Organization, "credit_code", rows, ["name", "kind", "region_id"])


@register
class OrganizationStatsImporter(Importer):
    kind = "org_stats"
    label = _("单位年度数据")
    columns = (
        Column("credit_code", CREDIT_CODE_ALIASES, required=True),
        Column("year", ("年度", "年份"), required=True),
        Column("revenue", ("营业收入", "营业收入（元）", "营收"), required=True),
        Column("employees", ("从业人数", "就业人数", "职工人数"), required=True),
    )

    def preload(self):
        self.organizations = OrganizationLookup()

    def clean_row(self, row):
        org_id = self.organizations.resolve(row, "credit_code")
        year = row.integer("year", required=True, min_value=1990, max_value=2100)
        revenue = row.decimal("revenue", required=True, min_value=0)
        employees = row.integer("employees", required=True, min_value=0)
        return {"organization_id": org_id, "year": year, "revenue": revenue, "employees": employees}

    def key(self, cleaned):
        return (cleaned["organization_id"], cleaned["year"])

    def write(self, rows) -> Counts:
        counts = Counts()
        existing = {
            (s.organization_id, s.year): s
            for s in OrganizationYearStats.objects.filter(
                organization_id__in={r["organization_id"] for r in rows}, year__in={r["year"] for r in rows}
            )
        }
        create, update = [], []
        for data in rows:
            current = existing.get((data["organization_id"], data["year"]))
            if current is None:
                create.append(OrganizationYearStats(**data))
            elif current.revenue != data["revenue"] or current.employees != data["employees"]:
                current.revenue, current.employees = data["revenue"], data["employees"]
                update.append(current)
            else:
                counts.unchanged += 1
        OrganizationYearStats.objects.bulk_create(create)
        OrganizationYearStats.objects.bulk_update(update, ["revenue", "employees"])
        counts.created, counts.updated = len(create), len(update)
        return counts
