"""The patent inventory import (kind ``patents``): canonical columns plus the Chinese headers of
common exports, including the 61-column layout of commercial patent databases (申请号, 专利名称,
申请摘要, 主权项, 主分类号, 分类号, 法律状态, 专利转移次数, 转让日期, ...).

Semantics, beyond the shared contract in portal/imports/base.py:
- Owner: ``--owner CREDIT_CODE`` or an ``owner_credit_code`` column (both: they must agree). An
  existing patent registered to another owner is an error (ownership changes are transfers).
- Only columns present in the file are written; an empty cell in a present column clears the
  value (an empty asking price means 面议).
- ``listing_status``: ``published`` publishes a listing (or submits it for review when the uploader
  may not publish directly); ``draft`` (the default) never takes an existing listing back to draft.
- Derived fields (type, expiry, dormant, main IPC, search columns) are computed here in Python and
  the rows written with bulk operations: a few queries per chunk, none per row. On PostgreSQL those
  are COPY streams (patents/bulk.py), elsewhere Django's bulk_create/bulk_update with history.
- Rows are cleaned once: the framework spools the cleaned rows between validating and writing
  (``spool_cleaned``), so they hold the owner's id rather than the Organization.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.identifiers import normalize_credit_code
from portal.imports.base import Column, Counts, Importer, Row, RowError, choices_map, register
from portal.models import Industry, Organization
from portal.selectors import credit_code_ids, organization_for_credit_code

from . import bulk, permissions
from .identifiers import ApplicationNumber, add_years, expiry_date, parse_application_no
from .models import OpenLicense, Patent, PatentIpc
from .services import (
    LISTING_YEARS,
    ipc_rows,
    ipc_values,
    normalize_ipc_codes,
    patent_derive,
    patent_queue_matching,
)

SEARCH_FIELDS = (
    "search_text",
    "search_latin",
    "search_bigram_codes",
    "search_head",
    "search_tail",
    "search_body_end",
)
BLANK_VALUES = {"0", "-", "—", "无", "/", "n/a", "null", "none"}

LEGAL_STATUS = choices_map(
    Patent.LegalStatus.choices,
    {
        "有效": "granted",
        "有权": "granted",
        "授权": "granted",
        "审中": "pending",
        "在审": "pending",
        "公开": "pending",
        "实质审查": "pending",
        "失效": "lapsed",
        "无权": "lapsed",
        "终止": "lapsed",
        "期限届满": "expired",
        "届满": "expired",
        "无效": "invalidated",
        "全部无效": "invalidated",
    },
)
DEAL_KINDS = choices_map(
    Patent.DealKind.choices,
    {"实施许可": "license", "入股": "equity", "作价投资": "equity", "转让": "transfer"},
)
LICENSE_SCOPES = choices_map(
    Patent.LicenseScope.choices, {"独占": "exclusive", "排他": "sole", "普通": "ordinary", "开放": "open"}
)
LISTING_STATUSES = {
    "draft": "draft",
    "草稿": "draft",
    "未发布": "draft",
    "published": "published",
    "发布": "published",
    "已发布": "published",
    "挂牌": "published",
}


def legal_status_of(text: str) -> str | None:
    """Map the legal-status wording of exports ("有权-审定授权", "无权-未缴年费", ...) to ours."""
    value = text.strip().lower()
    if value in LEGAL_STATUS:
        return LEGAL_STATUS[value]
    for words, status in (
        (("届满",), "expired"),
        (("无效宣告", "全部无效"), "invalidated"),
        (("有权", "授权", "维持"), "granted"),
        (("审中", "实质审查", "实审", "公开"), "pending"),
        (("无权", "失效", "终止", "撤回", "驳回", "放弃", "未缴年费"), "lapsed"),
    ):
        if any(word in value for word in words):
            return status
    return None


def patent_type_of(text: str) -> str | None:
    if "外观" in text or text.lower() == "design":
        return "design"
    if "实用" in text or text.lower() in ("utility_model", "utility model"):
        return "utility_model"
    if "发明" in text or text.lower() == "invention":
        return "invention"
    return None


@register
class PatentImporter(Importer):
    kind = "patents"
    label = gettext_lazy("专利清单")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "application_no": "202110123456.7",
        "title": "一种煤矿巷道液压支护装置",
        "abstract": "本发明公开了一种煤矿巷道液压支护装置，包括底座、立柱和顶梁……",
        "ipc": "E21D 23/00",
        "patent_type": "发明",
        "applicants": "示例大学",
        "inventors": "张三;李四",
        "application_date": "2021-03-01",
        "grant_date": "2022-06-01",
        "legal_status": "有效",
        "industries": "煤炭",
        "deal_kinds": "转让;许可",
        "license_scope": "普通许可",
        "open_license": "否",
        "asking_price": "50万",
        "trl": "6",
        "implemented": "否",
        "keywords": "液压支护;巷道",
        "listing_status": "发布",
    }
    option_names = ("owner",)
    spool_cleaned = True
    allowed_roles = frozenset({"institution", "agency", "bureau", "admin"})
    columns = (
        Column("application_no", ("申请号", "专利号", "申请号/专利号"), required=True),
        Column("title", ("名称", "专利名称", "发明名称", "标题"), required=True),
        Column("abstract", ("摘要", "申请摘要", "摘要文本")),
        Column("claims", ("主权项", "权利要求", "权利要求书", "首项权利要求")),
        Column("ipc", ("IPC", "分类号", "IPC分类号", "IPC分类", "国际分类号")),
        Column("ipc_main", ("主分类号", "IPC主分类号", "主分类", "IPC主分类")),
        Column("patent_type", ("专利类型",)),
        Column("applicants", ("申请人", "专利权人", "申请(专利权)人", "申请（专利权）人")),
        Column("inventors", ("发明人", "设计人", "发明(设计)人", "发明（设计）人")),
        Column("application_date", ("申请日",)),
        Column("grant_date", ("授权公告日", "授权日", "公告日")),
        Column("publication_no", ("公开号", "公开(公告)号", "公开（公告）号", "公告号")),
        Column("legal_status", ("法律状态", "当前法律状态", "专利状态")),
        Column("industries", ("产业", "所属产业", "行业")),
        Column("deal_kinds", ("交易方式", "转化方式")),
        Column("license_scope", ("许可方式", "许可类型")),
        Column("open_license", ("开放许可",)),
        Column("use_first_pay_later", ("先使用后付费",)),
        Column("sme_fee_waiver", ("中小微企业费用减免", "费用减免")),
        Column("asking_price", ("价格", "挂牌价格", "转让价格", "报价", "挂牌价格(元)", "挂牌价格（元）")),
        Column("trl", ("技术成熟度", "TRL", "成熟度")),
        Column("implemented", ("是否实施", "已实施", "实施情况")),
        Column("keywords", ("关键词", "关键字")),
        Column("listing_status", ("挂牌状态", "发布状态")),
        Column("owner_credit_code", ("权利人统一社会信用代码", "统一社会信用代码", "权利人信用代码")),
        Column("transfer_count", ("专利转移次数", "转让次数", "转移次数")),
        Column("license_count", ("许可次数",)),
        Column("last_transferred_on", ("转让日期", "最近转让日期")),
        Column("last_licensed_on", ("许可日期", "最近许可日期")),
    )

    # Canonical column -> Patent field, for plain fields written as they are cleaned.
    TEXT_FIELDS = {
        "abstract": None,
        "claims": None,
        "applicants": 1000,
        "inventors": 1000,
        "publication_no": 30,
        "keywords": 500,
    }
    LIST_FIELDS = ("applicants", "inventors", "keywords")
    BOOLEAN_FIELDS = ("open_license", "use_first_pay_later", "sme_fee_waiver", "implemented")

    # --- options and look-ups ------------------------------------------------------------------

    def check_options(self) -> list[RowError]:
        code = (self.options or {}).get("owner")
        self.default_owner = None
        if not code:
            return []
        try:
            code = normalize_credit_code(code)
        except ValidationError as exc:
            return [RowError(1, "--owner", " ".join(exc.messages))]
        owner = organization_for_credit_code(code)
        if owner is None:
            return [RowError(1, "--owner", _("单位不存在：%(code)s（请先导入单位信息）") % {"code": code})]
        problem = self._owner_problem(owner)
        if problem:
            return [RowError(1, "--owner", problem)]
        self.default_owner = owner
        return []

    def check_headers(self, present: set[str]) -> list[str]:
        missing = super().check_headers(present)
        if self.default_owner is None and "owner_credit_code" not in present:
            missing.append("owner_credit_code")
        return missing

    def _owner_problem(self, owner: Organization) -> str | None:
        if not owner.is_supplier:
            return _("%(name)s 不是专利权人类型的单位（高校、科研院所、国有企业、大型企业）") % {
                "name": owner.name
            }
        if not permissions.can_create_for(self.actor, owner):
            return _("无权为 %(name)s 导入专利") % {"name": owner.name}
        return None

    def preload(self) -> None:
        self.published_ids: set[int] = set()
        self.submitted_count = 0  # listings sent to review, over every chunk
        self.owners: dict[str, Organization | None] = {}
        self.owners_by_id: dict[int, Organization] = {}
        self.owner_ids = credit_code_ids()
        if self.default_owner is not None:
            self.owners[self.default_owner.credit_code] = self.default_owner
            self.owners_by_id[self.default_owner.pk] = self.default_owner
        self.industries: dict[str, int] = {}
        for industry in Industry.objects.all():
            for spelling in (industry.code, industry.name, industry.name_en):
                if spelling:
                    self.industries[spelling.lower()] = industry.pk
        self.open_license_declared = set(
            OpenLicense.objects.filter(status=OpenLicense.Status.ACTIVE).values_list("patent_id", flat=True)
        )
        self.today = timezone.localdate()
        # Existing patents of other owners (number -> (owner id, name)): a row for one of them is
        # an error. With --owner only the other owners' patents are loaded.
        others = Patent.objects.all()
        if self.default_owner is not None:
            others = others.exclude(owner=self.default_owner)
        self.registered: dict[str, tuple[int, str]] = {
            number: (owner_id, name)
            for number, owner_id, name in others.values_list(
                "application_no", "owner_id", "owner__name"
            ).iterator(chunk_size=5000)
        }

    def _owner(self, row: Row) -> Organization | None:
        code = row.text("owner_credit_code")
        if code is None:
            if self.default_owner is None:
                row.error("owner_credit_code", _("必填（或在命令中使用 --owner）"))
            return self.default_owner
        try:
            code = normalize_credit_code(code)
        except ValidationError as exc:
            row.error("owner_credit_code", " ".join(exc.messages))
            return None
        if self.default_owner is not None and self.owner_ids.get(code) != self.default_owner.pk:
            row.error(
                "owner_credit_code",
                _("与指定的权利人 %(code)s 不一致") % {"code": self.default_owner.credit_code},
            )
            return None
        if code not in self.owners:
            owner = organization_for_credit_code(code)
            if owner is not None and self._owner_problem(owner):
                row.error("owner_credit_code", self._owner_problem(owner))
                self.owners[code] = None
                return None
            self.owners[code] = owner
            if owner is not None:
                self.owners_by_id[owner.pk] = owner
        owner = self.owners[code]
        if owner is None:
            row.error("owner_credit_code", _("单位不存在或不可用：%(code)s") % {"code": code})
        return owner

    # --- rows ----------------------------------------------------------------------------------

    @staticmethod
    def _blank(row: Row, name: str) -> bool:
        value = row.raw(name)
        return value is None or (isinstance(value, str) and value.strip().lower() in BLANK_VALUES)

    def _date(self, row: Row, name: str):
        return None if self._blank(row, name) else row.date(name)

    def clean_row(self, row: Row) -> dict | None:
        fields: dict = {}
        number = None
        raw_no = row.text("application_no", required=True)
        if raw_no is not None:
            try:
                number = parse_application_no(raw_no)
            except ValidationError as exc:
                row.error("application_no", " ".join(exc.messages))
        title = row.text("title", required=True, max_length=300)
        if title is not None:
            fields["title"] = title
        owner = self._owner(row)

        for name, max_length in self.TEXT_FIELDS.items():
            if row.has(name):
                value = row.text(name, max_length=max_length) or ""
                if name in self.LIST_FIELDS:  # as the services store them: "a;b", no blanks
                    parts = (part.strip() for part in value.replace("；", ";").split(";"))
                    value = ";".join(part for part in parts if part)
                # Prose (abstract, claims) keeps its full-width punctuation: turning "；" into
                # ";" made a re-imported export report every such patent as updated.
                fields[name] = value

        if row.has("ipc") or row.has("ipc_main"):
            codes = row.split("ipc", separators=";；,，、|\n") if row.has("ipc") else []
            main = row.text("ipc_main") if row.has("ipc_main") else None
            if main:
                codes = [main, *codes]
            column = "ipc" if row.has("ipc") else "ipc_main"
            try:
                fields["ipc_codes"] = "; ".join(normalize_ipc_codes(codes))
            except ValidationError as exc:
                row.error(column, " ".join(exc.messages))
            else:
                if len(fields["ipc_codes"]) > Patent._meta.get_field("ipc_codes").max_length:
                    row.error(column, _("分类号过多"))

        if row.has("patent_type") and number is not None and not self._blank(row, "patent_type"):
            stated = patent_type_of(row.text("patent_type") or "")
            if stated and stated != number.patent_type:
                row.error(
                    "patent_type",
                    _("与申请号不符：申请号 %(no)s 表示%(type)s")
                    % {"no": number.canonical, "type": number.patent_type.label},
                )

        if row.has("application_date"):
            fields["application_date"] = self._date(row, "application_date")
            if (
                number is not None
                and fields["application_date"]
                and fields["application_date"].year > number.year
            ):
                row.error(
                    "application_date",
                    _("申请日 %(date)s 晚于申请号中的年份 %(year)d")
                    % {"date": fields["application_date"].isoformat(), "year": number.year},
                )
        if row.has("grant_date"):
            fields["grant_date"] = self._date(row, "grant_date")
            filed = fields.get("application_date")
            if filed and fields["grant_date"] and fields["grant_date"] < filed:
                row.error("grant_date", _("授权公告日早于申请日"))
        for name in ("last_transferred_on", "last_licensed_on"):
            if row.has(name):
                fields[name] = self._date(row, name)
        for name in ("transfer_count", "license_count"):
            if row.has(name):
                fields[name] = row.integer(name, min_value=0) or 0

        if row.has("legal_status"):
            text = row.text("legal_status")
            if text is None:
                fields["legal_status"] = Patent.LegalStatus.PENDING
            else:
                status = legal_status_of(text)
                if status is None:
                    accepted = ", ".join(Patent.LegalStatus.values)
                    row.error(
                        "legal_status",
                        _("无效取值 %(value)s（可选：%(accepted)s）") % {"value": text, "accepted": accepted},
                    )
                fields["legal_status"] = status

        if row.has("industries"):
            ids = []
            for name in row.split("industries"):
                industry_id = self.industries.get(name.lower())
                if industry_id is None:
                    row.error("industries", _("未知产业：%(name)s") % {"name": name})
                elif industry_id not in ids:
                    ids.append(industry_id)
            fields["industries"] = sorted(ids)

        if row.has("deal_kinds"):
            kinds = set()
            for item in row.split("deal_kinds"):
                kind = DEAL_KINDS.get(item.lower())
                if kind is None:
                    row.error(
                        "deal_kinds",
                        _("无效取值 %(value)s（可选：transfer, license, equity）") % {"value": item},
                    )
                kinds.add(kind)
            fields["offers_transfer"] = Patent.DealKind.TRANSFER in kinds
            fields["offers_license"] = Patent.DealKind.LICENSE in kinds
            fields["offers_equity"] = Patent.DealKind.EQUITY in kinds
        if row.has("license_scope"):
            fields["license_scope"] = row.choice("license_scope", LICENSE_SCOPES) or ""

        for name in self.BOOLEAN_FIELDS:
            if row.has(name):
                fields[name] = bool(row.boolean(name, default=False))

        if row.has("asking_price"):
            raw_price = row.raw("asking_price")
            if raw_price is None or str(raw_price).strip().lower() in ("面议", "议价", "negotiable"):
                fields["asking_price"] = None
            else:
                fields["asking_price"] = row.decimal("asking_price", min_value=0)
        if row.has("trl"):
            fields["trl"] = self._trl(row)

        listing = "draft"
        if row.has("listing_status") and row.raw("listing_status") is not None:
            listing = row.choice("listing_status", LISTING_STATUSES) or "draft"

        if number is None or owner is None or row.failed:
            return None
        registered = self.registered.get(number.canonical)
        if registered is not None and registered[0] != owner.pk:
            row.error(
                "application_no",
                _("该专利已登记在“%(name)s”名下；权属变更请办理转让登记") % {"name": registered[1]},
            )
            return None
        cleaned = {
            "application_no": number.canonical,
            "owner_id": owner.pk,
            "fields": fields,
            "listing": listing,
        }
        if listing == "published":
            self._check_publishable(row, cleaned, number.patent_type)
        return cleaned

    @staticmethod
    def _trl(row: Row) -> int | None:
        """1-9; "TRL 5", "5级" and 5.0 (from Excel) accepted."""
        value = row.raw("trl")
        if value is None:
            return None
        text = re.sub(r"(?i)^trl\s*|级$", "", str(value).strip())
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not 1 <= number <= 9:
            row.error("trl", _("技术成熟度应为 1–9 的整数：%(value)s") % {"value": value})
            return None
        return int(number)

    def _check_publishable(self, row: Row, cleaned: dict, patent_type: str) -> None:
        fields = cleaned["fields"]
        if fields.get("legal_status") in Patent.DEAD_STATUSES:
            row.error("listing_status", _("专利已失效或届满，不能发布"))
        filed = fields.get("application_date")
        if filed:
            expiry = expiry_date(patent_type, filed)
            if expiry < self.today:
                row.error(
                    "listing_status",
                    _("专利保护期已于 %(date)s 届满，不能发布") % {"date": expiry.isoformat()},
                )
        offered = any(
            fields.get(name)
            for name in ("offers_transfer", "offers_license", "offers_equity", "open_license")
        )
        if not offered:
            row.error(
                "listing_status", _("发布须至少填写一种交易方式（deal_kinds）或开放许可（open_license）")
            )

    def key(self, cleaned: dict) -> Hashable:
        return cleaned["application_no"]

    # --- writing -------------------------------------------------------------------------------

    def write(self, rows: list[dict]) -> Counts:
        counts = Counts()
        numbers = [r["application_no"] for r in rows]
        existing = {
            p.application_no: p
            for p in Patent.objects.filter(application_no__in=numbers).defer(*SEARCH_FIELDS)
        }
        through = Patent.industries.through
        current_industries: dict[int, list[int]] = {}
        for patent_id, industry_id in through.objects.filter(
            patent_id__in=[p.pk for p in existing.values()]
        ).values_list("patent_id", "industry_id"):
            current_industries.setdefault(patent_id, []).append(industry_id)

        now = timezone.now()
        user = self.actor.user
        to_create: list[Patent] = []
        to_update: list[Patent] = []
        update_fields: set[str] = set()
        industries_for: dict[str, list[int]] = {}  # application_no -> industry ids to set
        ipc_changed: set[str] = set()
        self._published: list[Patent] = []

        for data in rows:
            fields = dict(data["fields"])
            industries = fields.pop("industries", None)
            patent = existing.get(data["application_no"])
            if patent is None:
                patent = Patent(application_no=data["application_no"], owner_id=data["owner_id"], **fields)
                self._apply_listing(patent, data, now)
                patent.created_at = patent.updated_at = now  # derived fields: see _derive
                to_create.append(patent)
                ipc_changed.add(patent.application_no)
                if industries:
                    industries_for[patent.application_no] = industries
                continue
            if patent.owner_id != data["owner_id"]:  # checked while validating; a concurrent change
                raise RuntimeError(f"{patent.application_no} changed owner during the import")
            changed = {name for name, value in fields.items() if getattr(patent, name) != value}
            if (
                "open_license" in changed
                and not fields["open_license"]
                and patent.pk in self.open_license_declared
            ):
                changed.discard("open_license")  # a standing declaration is withdrawn on the platform
            for name in changed:
                setattr(patent, name, fields[name])
            changed |= self._apply_listing(patent, data, now)
            industries_changed = (
                industries is not None and sorted(current_industries.get(patent.pk, [])) != industries
            )
            if not changed and not industries_changed:
                counts.unchanged += 1
                continue
            counts.updated += 1
            if changed:
                if "ipc_codes" in changed:
                    ipc_changed.add(patent.application_no)
                if (
                    patent.legal_status in Patent.DEAD_STATUSES
                    and patent.listing_status in Patent.LIVE_LISTING_STATUSES
                ):
                    patent.listing_status = Patent.ListingStatus.WITHDRAWN
                    patent.review_note = _("专利已失效，挂牌自动撤回。")
                    changed |= {"listing_status", "review_note"}
                self._derive(patent)
                patent.updated_at = now
                update_fields |= changed | {
                    "ipc_main",
                    "dormant",
                    "expiry_date",
                    *SEARCH_FIELDS,
                    "updated_at",
                }
                to_update.append(patent)
            if industries_changed:
                industries_for[patent.application_no] = industries

        copy = bulk.copy_supported()
        if copy:
            user_id = user.pk if user else None
            bulk.patents_insert(to_create, date=now, user_id=user_id, prepare=self._derive)
            bulk.patents_update(to_update, update_fields, date=now, user_id=user_id)
        else:
            for patent in to_create:
                self._derive(patent)
            self._orm_save(to_create, to_update, update_fields, user=user, now=now)
        counts.created += len(to_create)
        self.published_ids.update(patent.pk for patent in self._published)

        by_number = {p.application_no: p for p in [*to_create, *to_update]}
        for number in industries_for:
            if number not in by_number:
                by_number[number] = existing[number]
        created = {p.pk for p in to_create}
        if ipc_changed:
            patents = [by_number[n] for n in ipc_changed]
            stale = [p.pk for p in patents if p.pk not in created]
            if stale:
                PatentIpc.objects.filter(patent_id__in=stale).delete()
            if copy:
                bulk.ipc_insert((p.pk, *values) for p in patents for values in ipc_values(p))
            else:
                PatentIpc.objects.bulk_create([row for p in patents for row in ipc_rows(p)], batch_size=2000)
        if industries_for:
            stale = [by_number[n].pk for n in industries_for if by_number[n].pk not in created]
            if stale:
                through.objects.filter(patent_id__in=stale).delete()
            pairs = [
                (by_number[n].pk, industry_id)
                for n, industry_ids in industries_for.items()
                for industry_id in industry_ids
            ]
            if copy:
                bulk.industries_insert(pairs)
            else:
                through.objects.bulk_create(
                    [
                        through(patent_id=patent_id, industry_id=industry_id)
                        for patent_id, industry_id in pairs
                    ],
                    batch_size=2000,
                )
        return counts

    def _derive(self, patent: Patent) -> None:
        # The number was validated and stored canonical ("digits.check"): no need to parse it again.
        patent_derive(patent, today=self.today, number=ApplicationNumber(*patent.application_no.split(".")))

    @staticmethod
    def _orm_save(
        to_create: list[Patent], to_update: list[Patent], update_fields: set[str], *, user, now
    ) -> None:
        """The portable path (SQLite): Django's bulk operations with simple_history's helpers."""
        if to_create:
            bulk_create_with_history(to_create, Patent, batch_size=500, default_user=user, default_date=now)
            if to_create[0].pk is None:  # backends that do not return primary keys
                ids = dict(
                    Patent.objects.filter(
                        application_no__in=[p.application_no for p in to_create]
                    ).values_list("application_no", "pk")
                )
                for patent in to_create:
                    patent.pk = patent.id = ids[patent.application_no]
        if to_update:
            bulk_update_with_history(
                to_update, Patent, sorted(update_fields), batch_size=500, default_user=user, default_date=now
            )

    def finish(self) -> None:
        """Newly listed patents are matched against open demands after the import commits."""
        if self.published_ids:
            patent_queue_matching(patent_ids=self.published_ids)

    def outcomes(self) -> dict[str, int]:
        """``submitted``: listings the file asked to publish that now wait for review;
        ``published``: listings published at once."""
        return {"submitted": self.submitted_count, "published": len(self.published_ids)}

    def _apply_listing(self, patent: Patent, data: dict, now) -> set[str]:
        """Move the listing forward as the file asks; returns the fields changed."""
        if data["listing"] != "published":
            return set()
        status = patent.listing_status
        if status in (
            Patent.ListingStatus.PUBLISHED,
            Patent.ListingStatus.SUBMITTED,
            Patent.ListingStatus.TRADED,
        ):
            return set()
        if patent.legal_status in Patent.DEAD_STATUSES:  # stays as it is; nothing to publish
            return set()
        owner = self.owners_by_id[data["owner_id"]]
        if permissions.can_publish_directly_for(self.actor, owner):
            patent.listing_status = Patent.ListingStatus.PUBLISHED
            patent.published_at = now
            patent.listed_until = add_years(timezone.localdate(), LISTING_YEARS)
            patent.renewal_reminded_at = None
            self._published.append(patent)
            return {"listing_status", "published_at", "listed_until", "renewal_reminded_at"}
        patent.listing_status = Patent.ListingStatus.SUBMITTED
        patent.submitted_at = now
        self.submitted_count += 1
        return {"listing_status", "submitted_at"}
