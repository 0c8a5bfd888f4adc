"""Import kinds for the portal's own data: organizations and their yearly figures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .identifiers import normalize_credit_code
from .imports.base import Column, Counts, Importer, Row, choices_map, register
from .models import Organization, OrganizationAlias, OrganizationYearStats, Region
from .periods import (
    changes_anything,
    organization_reclassify,
    organization_spans_of,
    organizations_start_history,
)
from .selectors import credit_code_ids

CREDIT_CODE_ALIASES = ("统一社会信用代码", "信用代码", "社会信用代码")
# Revenue per employee outside this range (yuan) is flagged in the preview: most likely an amount
# in 万元 under a header without a unit, or a typo.
REVENUE_PER_EMPLOYEE = (Decimal(1_000), Decimal(100_000_000))


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
    """Credit code → organization id, loaded once per import (no per-row queries); the code of a
    merged duplicate resolves to the organization it was merged into."""

    def __init__(self):
        self.ids: dict[str, int] = credit_code_ids()

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
    """Organizations by credit code. A changed kind or district of a known organization applies
    from ``effective_from`` (default: the day of the import), so the figures of records dated
    earlier do not move; a new organization's kind and district hold from the start."""

    kind = "organizations"
    label = gettext_lazy("单位")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "credit_code": "91150602MA00000011",
        "name": "鄂尔多斯市示例科技有限公司",
        "kind": "中小微企业",
        "region_code": "150602",
        "effective_from": "2024-01-01",
    }
    columns = (
        Column("credit_code", CREDIT_CODE_ALIASES, required=True),
        Column("name", ("名称", "单位名称", "企业名称"), required=True),
        Column("kind", ("类型", "单位类型"), required=True),
        Column("region_code", ("区划代码", "旗区代码", "所在旗区", "旗区")),
        Column("effective_from", ("生效日期", "变更生效日期", "变更日期")),
    )
    KINDS = choices_map(
        Organization.Kind.choices,
        {
            "高校院所": "university",
            "大学": "university",
            "研究院": "institute",
            "国企": "soe",
            "中小企业": "sme",
            "小微企业": "sme",
            "服务机构": "agency",
            "保险": "insurer",
            "政府": "government",
        },
    )

    def preload(self):
        self.regions = {r.code: r.code for r in Region.objects.all()}
        self.regions.update({r.name: r.code for r in Region.objects.all()})
        # A merged duplicate's code names the kept organization: its row updates that one's kind
        # and district, never its name, and never recreates the duplicate.
        self.aliases = dict(OrganizationAlias.objects.values_list("credit_code", "organization__credit_code"))

    def clean_row(self, row):
        code = clean_credit_code(row, "credit_code")
        via_alias = code in self.aliases
        if via_alias:
            code = self.aliases[code]
        name = row.text("name", required=True, max_length=200)
        kind = row.choice("kind", self.KINDS, required=True)
        region_text = row.text("region_code")
        region = None
        if region_text:
            region = self.regions.get(region_text)
            if region is None:
                row.error(
                    "region_code", _("不是本市旗区代码：%(value)s（市外单位请留空）") % {"value": region_text}
                )
        effective_from = row.date("effective_from", not_future=True)
        return {
            "credit_code": code,
            "name": name,
            "kind": kind,
            "region_id": region,
            "effective_from": effective_from,
            "via_alias": via_alias,
        }

    def key(self, cleaned):
        return cleaned["credit_code"]

    def write(self, rows) -> Counts:
        counts = Counts()
        existing = {
            o.credit_code: o
            for o in Organization.objects.filter(credit_code__in=[r["credit_code"] for r in rows])
        }
        spans = organization_spans_of(existing.values())
        today = timezone.localdate()
        create, renamed, reclassify = [], [], []
        for data in rows:
            organization = existing.get(data["credit_code"])
            if organization is None:
                create.append(
                    Organization(
                        credit_code=data["credit_code"],
                        name=data["name"],
                        kind=data["kind"],
                        region_id=data["region_id"],
                    )
                )
                continue
            changed = False
            if organization.name != data["name"] and not data.get("via_alias"):
                organization.name = data["name"]
                renamed.append(organization)
                changed = True
            if changes_anything(
                spans.get(organization.pk, ()),
                start=data["effective_from"] or today,
                kind=data["kind"],
                region_id=data["region_id"],
            ):
                reclassify.append((organization, data))
                changed = True
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        created = Organization.objects.bulk_create(create, batch_size=1000)
        organizations_start_history(created)
        counts.created = len(created)
        if renamed:
            now = timezone.now()
            for organization in renamed:
                organization.updated_at = now
            Organization.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=1000)
        for organization, data in reclassify:
            organization_reclassify(
                organization=organization,
                actor=self.actor,
                kind=data["kind"],
                region_id=data["region_id"],
                effective_from=data["effective_from"],
                source=_("批量导入"),
            )
        return counts


@register
class OrganizationStatsImporter(Importer):
    kind = "org_stats"
    label = gettext_lazy("单位年度数据")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "credit_code": "91150602MA00000011",
        "year": "2024",
        "revenue": "1200万",
        "employees": "85",
    }
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
        if revenue is not None and employees:
            per_employee = revenue / employees
            if not REVENUE_PER_EMPLOYEE[0] <= per_employee <= REVENUE_PER_EMPLOYEE[1]:
                row.warn(
                    "revenue",
                    _(
                        "人均营业收入 %(per)s 元，不在常见范围 1,000–100,000,000 元内：请核对金额单位（元/万元）。"
                    )
                    % {"per": f"{per_employee:,.2f}"},
                )
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
