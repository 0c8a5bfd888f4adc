"""Survey import of SME demands (调查摸底): ``python manage.py import_data demands FILE``.

Upsert by code. Imported demands are open unless the status column says draft; a demand that has
since been matched, closed or expired keeps its status on re-import (a re-import never reopens
it), and an open demand whose deadline has passed is stored as expired, as the daily job would.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.importers import clean_credit_code
from portal.imports.base import Column, Counts, Importer, Row, choices_map, register
from portal.models import Industry, Organization, Region
from portal.selectors import credit_code_ids

from .models import Demand, validate_code, validate_ipc_hints
from .services import demand_flag_duplicates, demand_queue_matching, normalize_ipc, normalize_keywords

DEAL_KINDS = choices_map(
    Demand.DealKind.choices,
    {
        "入股": "equity",
        "作价投资": "equity",
        "专利转让": "transfer",
        "专利许可": "license",
        "实施许可": "license",
    },
)
ANY_DEAL_KIND = {"不限", "均可", "any", "all", "面议"}
STATUSES = choices_map(
    [(Demand.Status.DRAFT, Demand.Status.DRAFT.label), (Demand.Status.OPEN, Demand.Status.OPEN.label)],
    {"草稿": "draft", "发布": "open", "已发布": "open", "公开": "open"},
)
# Model fields a row sets (besides code and source).
FIELDS = (
    "organization_id",
    "title",
    "description",
    "industry_id",
    "keywords",
    "ipc_hints",
    "wants_transfer",
    "wants_license",
    "wants_equity",
    "budget_min",
    "budget_max",
    "district_id",
    "deadline",
)


@register
class DemandImporter(Importer):
    kind = "demands"
    label = gettext_lazy("技术需求（调查摸底）")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "code": "D2025-0001",
        "org_credit_code": "91150602MA00000011",
        "title": "羊绒分梳设备节能改造技术",
        "description": "降低分梳能耗，提升无毛绒得率。",
        "industry": "羊绒",
        "keywords": "羊绒;分梳;节能",
        "deal_kinds": "转让;许可",
        "budget_min": "20万",
        "budget_max": "50万",
        "district": "东胜区",
        "deadline": "2025-12-31",
        "status": "征集中",
    }
    allowed_roles = frozenset({"agency", "bureau", "district_officer", "admin"})
    columns = (
        Column("code", ("需求编号", "编号"), required=True, label=_("需求编号，如 D2023-0042")),
        Column(
            "org_credit_code",
            ("统一社会信用代码", "企业信用代码", "信用代码", "企业统一社会信用代码"),
            required=True,
            label=_("需求企业（中小微企业）的统一社会信用代码"),
        ),
        Column("title", ("需求名称", "需求标题", "标题"), required=True),
        Column("description", ("需求描述", "需求内容", "描述"), required=True),
        Column("industry", ("产业", "所属产业", "行业"), label=_("产业名称或代码")),
        Column("keywords", ("关键词",), label=_("以分号分隔")),
        Column("ipc", ("IPC", "IPC分类", "IPC分类号", "分类号"), label=_("以分号分隔")),
        Column(
            "deal_kinds", ("合作方式", "交易方式", "转化方式"), label=_("转让;许可;作价入股，留空表示不限")
        ),
        Column("budget_min", ("预算下限", "最低预算", "预算下限（元）"), label=_("元，可写作 50万")),
        Column("budget_max", ("预算上限", "最高预算", "预算上限（元）"), label=_("元，可写作 200万")),
        Column(
            "district",
            ("旗区", "所在旗区", "区划代码", "旗区代码"),
            label=_("旗区代码或名称，留空取企业所在旗区"),
        ),
        Column("deadline", ("截止日期", "有效期至"), label=_("YYYY-MM-DD，留空表示长期有效")),
        Column("status", ("状态",), label=_("draft（草稿）或 open（征集中），默认 open")),
    )

    def preload(self):
        by_id = {
            pk: (pk, kind, region_id)
            for pk, kind, region_id in Organization.objects.values_list("pk", "kind", "region_id")
        }
        # Through the one credit-code look-up: a merged duplicate's code names the kept organization.
        self.organizations = {code: by_id[pk] for code, pk in credit_code_ids().items() if pk in by_id}
        self.industries = {}
        for pk, code, name in Industry.objects.values_list("pk", "code", "name"):
            self.industries[code.lower()] = pk
            self.industries[name.lower()] = pk
        self.regions = {}
        for code, name in Region.objects.values_list("code", "name"):
            self.regions[code] = code
            self.regions[name] = code
        # code → (organization id, status) of the demands already stored.
        self.existing = {
            code: (org_id, status)
            for code, org_id, status in Demand.objects.values_list("code", "organization_id", "status")
        }
        self.organization_ids: set[int] = set()
        self.changed_open_ids: set[int] = set()

    def clean_row(self, row: Row) -> dict | None:
        code = self._code(row)
        organization = self._organization(row)
        title = row.text("title", required=True, max_length=200)
        description = row.text("description", required=True)
        industry_id = self._lookup(
            row, "industry", self.industries, _("未知的产业：%(value)s（可填产业名称或代码）")
        )
        keywords = normalize_keywords(row.text("keywords") or "")
        if len(keywords) > Demand._meta.get_field("keywords").max_length:
            row.error("keywords", _("关键词过长：最多 300 个字符"))
        ipc_hints = self._ipc(row)
        flags = self._deal_kinds(row)
        budget_min = row.decimal("budget_min", min_value=0)
        budget_max = row.decimal("budget_max", min_value=0)
        if budget_min is not None and budget_max is not None and budget_min > budget_max:
            row.error("budget_max", _("预算上限不能低于预算下限（%(min)s）") % {"min": budget_min})
        district_id = self._lookup(row, "district", self.regions, _("不是本市旗区代码或名称：%(value)s"))
        if district_id is None and organization and row.raw("district") is None:
            district_id = organization[2]
        deadline = row.date("deadline")
        status = row.choice("status", STATUSES, default=Demand.Status.OPEN)
        status = self._status(row, code, organization, status, deadline)
        if organization is None or code is None:
            return None
        return {
            "code": code,
            "organization_id": organization[0],
            "title": title,
            "description": description,
            "industry_id": industry_id,
            "keywords": keywords,
            "ipc_hints": ipc_hints,
            **flags,
            "budget_min": budget_min,
            "budget_max": budget_max,
            "district_id": district_id,
            "deadline": deadline,
            "status": status,
        }

    # --- column helpers ---

    def _code(self, row: Row) -> str | None:
        code = row.text("code", required=True, max_length=30)
        if code is None:
            return None
        code = code.upper()
        try:
            validate_code(code)
        except ValidationError as exc:
            row.error("code", " ".join(exc.messages))
            return None
        return code

    def _organization(self, row: Row) -> tuple[int, str, str | None] | None:
        credit_code = clean_credit_code(row, "org_credit_code")
        if credit_code is None:
            return None
        organization = self.organizations.get(credit_code)
        if organization is None:
            row.error(
                "org_credit_code", _("单位不存在：%(code)s（请先导入单位信息）") % {"code": credit_code}
            )
            return None
        if organization[1] != Organization.Kind.SME:
            row.error(
                "org_credit_code",
                _("%(code)s 不是中小微企业（类型：%(kind)s），技术需求只能属于中小微企业")
                % {"code": credit_code, "kind": Organization.Kind(organization[1]).label},
            )
            return None
        return organization

    @staticmethod
    def _lookup(row: Row, name: str, mapping: dict, message: str):
        value = row.text(name)
        if value is None:
            return None
        found = mapping.get(value) or mapping.get(value.lower())
        if found is None:
            row.error(name, message % {"value": value})
        return found

    @staticmethod
    def _ipc(row: Row) -> str:
        ipc_hints = normalize_ipc(row.text("ipc") or "")
        try:
            validate_ipc_hints(ipc_hints)
        except ValidationError as exc:
            row.error("ipc", " ".join(exc.messages))
        if len(ipc_hints) > Demand._meta.get_field("ipc_hints").max_length:
            row.error("ipc", _("IPC分类号过长：最多 200 个字符"))
        return ipc_hints

    @staticmethod
    def _deal_kinds(row: Row) -> dict[str, bool]:
        kinds = set()
        for part in row.split("deal_kinds"):
            if part.lower() in ANY_DEAL_KIND:
                kinds.update(Demand.DealKind.values)
                continue
            kind = DEAL_KINDS.get(part.lower())
            if kind is None:
                row.error(
                    "deal_kinds",
                    _("无效的合作方式：%(value)s（可选：transfer/转让、license/许可、equity/作价入股）")
                    % {"value": part},
                )
            else:
                kinds.add(kind)
        if not kinds:  # left empty: any kind of deal
            kinds = set(Demand.DealKind.values)
        return {field: kind in kinds for kind, field in Demand.DEAL_KIND_FIELDS.items()}

    def _status(self, row: Row, code, organization, status, deadline) -> str | None:
        existing = self.existing.get(code) if code else None
        if existing and organization and existing[0] != organization[0]:
            row.error("code", _("编号 %(code)s 已被其他企业的需求使用") % {"code": code})
            return None
        past_deadline = deadline is not None and deadline < timezone.localdate()
        stored = existing[1] if existing else Demand.Status.DRAFT
        if stored == Demand.Status.DRAFT:
            return Demand.Status.EXPIRED if status == Demand.Status.OPEN and past_deadline else status
        if status == Demand.Status.DRAFT:
            row.error(
                "status",
                _("需求 %(code)s 已发布（%(status)s），不能改回草稿")
                % {"code": code, "status": Demand.Status(stored).label},
            )
            return None
        if stored == Demand.Status.OPEN and past_deadline:
            return Demand.Status.EXPIRED
        return stored  # open stays open; matched, closed and expired are never reopened by a re-import

    # --- writing ---

    def key(self, cleaned):
        return cleaned["code"]

    def write(self, rows) -> Counts:
        counts = Counts()
        now = timezone.now()
        existing = {d.code: d for d in Demand.objects.filter(code__in=[r["code"] for r in rows])}
        to_create, to_update = [], []
        changed_fields: set[str] = set()
        for data in rows:
            self.organization_ids.add(data["organization_id"])
            demand = existing.get(data["code"])
            if demand is None:
                demand = Demand(
                    code=data["code"], source=Demand.Source.SURVEY, **{f: data[f] for f in FIELDS}
                )
                self._set_status(demand, data["status"], now)
                to_create.append(demand)
                continue
            changed = [f for f in FIELDS if getattr(demand, f) != data[f]]
            for name in changed:
                setattr(demand, name, data[name])
            if demand.status != data["status"]:
                changed += self._set_status(demand, data["status"], now)
            if changed:
                demand.updated_at = now
                changed_fields.update(changed)
                to_update.append(demand)
            else:
                counts.unchanged += 1
        if to_create:
            bulk_create_with_history(to_create, Demand, batch_size=500, default_change_reason="survey import")
            # Primary keys are not returned on every backend: fetch them by code.
            created = Demand.objects.filter(code__in=[d.code for d in to_create], status=Demand.Status.OPEN)
            self.changed_open_ids.update(created.values_list("pk", flat=True))
        if to_update:
            bulk_update_with_history(
                to_update,
                Demand,
                [*sorted(changed_fields), "updated_at"],
                batch_size=500,
                default_change_reason="survey import",
            )
            self.changed_open_ids.update(d.pk for d in to_update if d.status == Demand.Status.OPEN)
        counts.created, counts.updated = len(to_create), len(to_update)
        return counts

    @staticmethod
    def _set_status(demand: Demand, status: str, now) -> list[str]:
        demand.status = status
        if status == Demand.Status.OPEN and demand.published_at is None:
            demand.published_at = now
        if status == Demand.Status.EXPIRED and demand.closed_at is None:
            demand.closed_at = now
            demand.published_at = demand.published_at or now
        return ["status", "published_at", "closed_at"]

    def finish(self):
        demand_flag_duplicates(organization_ids=self.organization_ids)
        demand_queue_matching(demand_ids=self.changed_open_ids)
