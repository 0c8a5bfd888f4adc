"""Import kinds ``pledges``, ``insurance``, ``subsidies`` and ``filings``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patents import services as patent_services
from patents.models import Patent
from portal.importers import CREDIT_CODE_ALIASES
from portal.imports.base import Column, Counts, Importer, choices_map, register
from portal.imports.base import _differs as differs
from portal.models import Organization
from portal.permissions import Role

from .. import rules
from ..history import history_record
from ..models import InsurancePolicy, Pledge, ProductFiling, Subsidy
from ..permissions import lender_fixed
from .common import (
    APPLICATION_NOS,
    STAFF_ROLES,
    Organizations,
    PatentNumbers,
    change_reason,
    report,
    upsert_records,
)

# --- Pledges --------------------------------------------------------------------------------------


@register
class PledgeImporter(Importer):
    kind = "pledges"
    label = gettext_lazy("专利质押融资")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "registration_no": "Y2025000001",
        "borrower_credit_code": "91150602MA00000011",
        "lender": "示例银行鄂尔多斯分行",
        "application_nos": "202110123456.7",
        "amount": "300万",
        "registration_date": "2025-05-10",
        "term_months": "12",
        "third_party": "否",
    }
    # A bank imports its own pledges: every row must name it as lender, and it may not overwrite a
    # registration number another lender recorded (see ``bank``).
    allowed_roles = STAFF_ROLES | {Role.BANK}
    columns = (
        Column("registration_no", ("质押登记号", "登记号", "登记编号"), required=True),
        Column(
            "borrower_credit_code",
            (
                "出质人统一社会信用代码",
                "借款单位统一社会信用代码",
                "借款人统一社会信用代码",
                *CREDIT_CODE_ALIASES,
            ),
            required=True,
        ),
        Column("lender", ("质权人", "贷款银行", "银行", "质权人名称"), required=True),
        Column("application_nos", APPLICATION_NOS, required=True),
        Column("amount", ("融资金额", "贷款金额", "质押金额", "金额"), required=True),
        Column("registration_date", ("登记日期", "质押登记日期"), required=True),
        Column("term_months", ("期限（月）", "期限", "贷款期限（月）", "融资期限"), required=True),
        Column("third_party", ("第三方质押", "是否第三方质押")),
    )
    COLUMNS = {
        "borrower": "borrower_credit_code",
        "lender": "lender",
        "patents": "application_nos",
        "amount": "amount",
        "registration_date": "registration_date",
        "term_months": "term_months",
    }

    def preload(self):
        self.organizations = Organizations()
        self.patents = PatentNumbers()
        self.today = timezone.localdate()
        # The uploading bank, when a bank uploads (None for staff and the command line).
        actor = self.actor
        self.bank = actor.organization if lender_fixed(actor, Pledge) else None
        self.others = (
            set(Pledge.objects.exclude(lender_id=self.bank.pk).values_list("registration_no", flat=True))
            if self.bank
            else set()
        )

    def clean_row(self, row):
        registration_no = row.text("registration_no", required=True, max_length=50)
        borrower_id = self.organizations.resolve(row, "borrower_credit_code")
        lender_name, lender_id = self.organizations.by_name(row, "lender", Organization.Kind.BANK)
        if self.bank is not None:
            if lender_name is not None and lender_id != self.bank.pk:
                row.error("lender", _("只能导入本行（%(bank)s）的质押记录。") % {"bank": self.bank.name})
            if registration_no in self.others:
                row.error(
                    "registration_no",
                    _("登记号 %(no)s 已由其他质权人登记，不能由贵行导入修改。") % {"no": registration_no},
                )
        patent_ids = self.patents.many(row, "application_nos")
        amount = row.decimal("amount", required=True, positive=True)
        registration_date = row.date("registration_date", required=True, not_future=True)
        term_months = row.integer("term_months", required=True, min_value=1, max_value=600)
        third_party = bool(row.boolean("third_party")) if row.has("third_party") else False
        if row.failed:
            return None
        errors = rules.pledge_errors(
            borrower_id=borrower_id,
            lender_id=lender_id,
            amount=amount,
            registration_date=registration_date,
            term_months=term_months,
            patent_count=len(patent_ids),
            today=self.today,
            foreign_patents=self.patents.not_held_by(patent_ids, borrower_id),
            third_party=third_party,
        )
        report(row, errors, self.COLUMNS, "registration_no")
        return {
            "registration_no": registration_no,
            "third_party": third_party,
            "borrower_id": borrower_id,
            "lender_id": lender_id,
            "lender_name": lender_name,
            "patent_ids": patent_ids,
            "amount": amount,
            "registration_date": registration_date,
            "term_months": term_months,
        }

    def key(self, cleaned):
        return cleaned["registration_no"]

    def write(self, rows) -> Counts:
        fields = [
            "borrower_id",
            "lender_id",
            "lender_name",
            "amount",
            "registration_date",
            "term_months",
            "third_party",
        ]
        return upsert_records(Pledge, "registration_no", rows, fields)[0]


# --- Insurance ------------------------------------------------------------------------------------


@register
class InsuranceImporter(Importer):
    kind = "insurance"
    label = gettext_lazy("专利保险")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "policy_no": "BX2025-0001",
        "insured_credit_code": "91150602MA00000011",
        "insurer": "示例财产保险公司",
        "application_nos": "202110123456.7",
        "premium": "1.5万",
        "coverage": "100万",
        "start_date": "2025-06-01",
    }
    allowed_roles = STAFF_ROLES
    columns = (
        Column("policy_no", ("保单号", "保险单号"), required=True),
        Column(
            "insured_credit_code",
            (
                "被保险人统一社会信用代码",
                "投保单位统一社会信用代码",
                "被保险单位统一社会信用代码",
                *CREDIT_CODE_ALIASES,
            ),
            required=True,
        ),
        Column("insurer", ("保险机构", "保险公司", "承保机构"), required=True),
        Column("application_nos", APPLICATION_NOS, required=True),
        Column("premium", ("保费", "保费（元）", "保险费"), required=True),
        Column("coverage", ("保额", "保险金额", "保额（元）"), required=True),
        Column("start_date", ("起保日期", "保险起期", "生效日期"), required=True),
    )
    COLUMNS = {
        "insured": "insured_credit_code",
        "insurer": "insurer",
        "patents": "application_nos",
        "premium": "premium",
        "premium_subsidy": "premium",
        "coverage": "coverage",
        "start_date": "start_date",
    }

    def preload(self):
        self.organizations = Organizations()
        self.patents = PatentNumbers()
        self.subsidies = dict(InsurancePolicy.objects.values_list("policy_no", "premium_subsidy"))
        self.today = timezone.localdate()

    def clean_row(self, row):
        policy_no = row.text("policy_no", required=True, max_length=60)
        insured_id = self.organizations.resolve(row, "insured_credit_code")
        insurer_name, insurer_id = self.organizations.by_name(row, "insurer", Organization.Kind.INSURER)
        patent_ids = self.patents.many(row, "application_nos")
        premium = row.decimal("premium", required=True, positive=True)
        coverage = row.decimal("coverage", required=True, positive=True)
        start_date = row.date("start_date", required=True, not_future=True)
        if row.failed:
            return None
        errors = rules.insurance_errors(
            insured_id=insured_id,
            insurer_id=insurer_id,
            premium=premium,
            coverage=coverage,
            premium_subsidy=self.subsidies.get(policy_no, Decimal("0.00")),
            start_date=start_date,
            patent_count=len(patent_ids),
            today=self.today,
        )
        report(row, errors, self.COLUMNS, "policy_no")
        return {
            "policy_no": policy_no,
            "insured_id": insured_id,
            "insurer_id": insurer_id,
            "insurer_name": insurer_name,
            "patent_ids": patent_ids,
            "premium": premium,
            "coverage": coverage,
            "start_date": start_date,
        }

    def key(self, cleaned):
        return cleaned["policy_no"]

    def write(self, rows) -> Counts:
        fields = ["insured_id", "insurer_id", "insurer_name", "premium", "coverage", "start_date"]
        return upsert_records(InsurancePolicy, "policy_no", rows, fields)[0]


# --- Subsidies ------------------------------------------------------------------------------------

SUBSIDY_STATUSES = choices_map(
    Subsidy.Status.choices,
    {
        "申请": "applied",
        "待审批": "applied",
        "批准": "approved",
        "已批准": "approved",
        "不予批准": "rejected",
        "驳回": "rejected",
        "拨付": "paid",
        "已拨付": "paid",
        "已发放": "paid",
    },
)
SUBSIDY_COLUMNS = {
    "organization": "org_credit_code",
    "patent": "application_no",
    "official_fees": "official_fees",
    "requested_amount": "requested_amount",
    "approved_amount": "approved_amount",
    "status": "status",
    "decision_date": "decision_date",
}
SUBSIDY_FIELDS = [
    "organization_id",
    "patent_id",
    "official_fees",
    "requested_amount",
    "approved_amount",
    "status",
    "decision_date",
]


@register
class SubsidyImporter(Importer):
    """Natural key: organization, patent, decision date. An application without a decision date
    that is decided later (same organization and patent, now with a date) is updated, not doubled."""

    kind = "subsidies"
    label = gettext_lazy("专利资助")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "org_credit_code": "91150602MA00000011",
        "application_no": "202110123456.7",
        "official_fees": "8000",
        "requested_amount": "4000",
        "approved_amount": "4000",
        "status": "已批准",
        "decision_date": "2025-07-01",
    }
    allowed_roles = STAFF_ROLES
    columns = (
        Column(
            "org_credit_code",
            ("统一社会信用代码", "申请单位统一社会信用代码", "单位统一社会信用代码", "信用代码"),
            required=True,
        ),
        Column("application_no", ("专利申请号", "申请号", "专利号"), required=True),
        Column("official_fees", ("已缴官费", "官费", "官方费用", "已缴官费（元）"), required=True),
        Column("requested_amount", ("申请金额", "申请资助金额"), required=True),
        Column("approved_amount", ("批准金额", "核定金额", "资助金额")),
        Column("status", ("状态", "资助状态"), required=True),
        Column("decision_date", ("决定日期", "批准日期", "拨付日期")),
    )

    def preload(self):
        self.organizations = Organizations()
        self.patents = PatentNumbers(with_facts=True)
        self.by_key: dict[tuple, int] = {}
        self.pending: dict[tuple[int, int], int] = {}
        self.by_patent: dict[int, dict] = {}
        for pk, org_id, patent_id, decision, status, approved, fees in Subsidy.objects.values_list(
            "id",
            "organization_id",
            "patent_id",
            "decision_date",
            "status",
            "approved_amount",
            "official_fees",
        ):
            self.by_key[(org_id, patent_id, decision)] = pk
            if decision is None:
                self.pending[(org_id, patent_id)] = pk
            self.by_patent.setdefault(patent_id, {})[("db", pk)] = (status, approved, fees)
        self.claims: dict[int, int] = {}  # pending subsidy id → the row that decides it
        self.today = timezone.localdate()

    def match(
        self, org_id: int, patent_id: int, decision: datetime.date | None, row_number: int
    ) -> int | None:
        """The existing subsidy this row upserts: same key, or the pending application it decides
        (unless another row of the file already decides it)."""
        pk = self.by_key.get((org_id, patent_id, decision))
        if pk is None and decision is not None:
            pk = self.pending.get((org_id, patent_id))
            if pk is not None and self.claims.get(pk, row_number) != row_number:
                pk = None
        return pk

    def clean_row(self, row):
        org_id = self.organizations.resolve(row, "org_credit_code")
        patent_id = self.patents.one(row, "application_no")
        fees = row.decimal("official_fees", required=True, positive=True)
        requested = row.decimal("requested_amount", required=True, positive=True)
        approved = row.decimal("approved_amount", min_value=0)
        status = row.choice("status", SUBSIDY_STATUSES, required=True)
        decision = row.date("decision_date", not_future=True)
        if row.failed:
            return None
        if approved == 0 and status in (Subsidy.Status.APPLIED, Subsidy.Status.REJECTED):
            approved = None  # "0" in a spreadsheet means nothing approved
        fact = self.patents.facts[patent_id]
        errors = rules.subsidy_errors(
            status=status,
            official_fees=fees,
            requested_amount=requested,
            approved_amount=approved,
            decision_date=decision,
            patent=fact,
            today=self.today,
        )
        match_id = self.match(org_id, patent_id, decision, row.number)
        if match_id is not None:
            claimed_by = self.claims.setdefault(match_id, row.number)
            if claimed_by != row.number:
                errors.append(
                    ("decision_date", _("与第 %(row)d 行对应同一条资助记录。") % {"row": claimed_by})
                )
        if not errors:
            slots = self.by_patent.setdefault(patent_id, {})
            slots[("db", match_id) if match_id else ("row", row.number)] = (status, approved, fees)
            errors += rules.subsidy_cap_errors(application_no=fact.application_no, subsidies=slots.values())
        report(row, errors, SUBSIDY_COLUMNS, "org_credit_code")
        return {
            "organization_id": org_id,
            "patent_id": patent_id,
            "official_fees": fees,
            "requested_amount": requested,
            "approved_amount": approved,
            "status": status,
            "decision_date": decision,
            "match_id": match_id,
        }

    def key(self, cleaned):
        return (cleaned["organization_id"], cleaned["patent_id"], cleaned["decision_date"])

    def write(self, rows) -> Counts:
        counts = Counts()
        existing = Subsidy.objects.in_bulk([r["match_id"] for r in rows if r["match_id"]])
        create, update = [], []
        for data in rows:
            values = {name: data[name] for name in SUBSIDY_FIELDS}
            obj = existing.get(data["match_id"]) if data["match_id"] else None
            if obj is None:
                create.append(Subsidy(**values))
                continue
            dirty = False
            for name, value in values.items():
                if differs(getattr(obj, name), value):
                    setattr(obj, name, value)
                    dirty = True
            if dirty:
                obj.updated_at = timezone.now()
                update.append(obj)
            else:
                counts.unchanged += 1
        Subsidy.objects.bulk_update(update, [*SUBSIDY_FIELDS, "updated_at"], batch_size=1000)
        created = Subsidy.objects.bulk_create(create)
        history_record(Subsidy, created, history_type="+", reason=change_reason())
        history_record(Subsidy, update, history_type="~", reason=change_reason())
        counts.created, counts.updated = len(created), len(update)
        return counts


# --- Product filings ------------------------------------------------------------------------------


@register
class ProductFilingImporter(Importer):
    kind = "filings"
    label = gettext_lazy("专利产品备案")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "filing_no": "BA2025-0001",
        "org_credit_code": "91150602MA00000011",
        "product_name": "智能液压支架",
        "application_nos": "202110123456.7",
        "filing_date": "2025-08-01",
    }
    allowed_roles = STAFF_ROLES
    columns = (
        Column("filing_no", ("备案号", "备案编号"), required=True),
        Column(
            "org_credit_code",
            ("统一社会信用代码", "备案单位统一社会信用代码", "企业统一社会信用代码", "信用代码"),
            required=True,
        ),
        Column("product_name", ("产品名称", "名称"), required=True),
        Column("application_nos", APPLICATION_NOS, required=True),
        Column("filing_date", ("备案日期", "日期"), required=True),
    )

    def preload(self):
        self.organizations = Organizations()
        self.patents = PatentNumbers()
        self.today = timezone.localdate()

    def clean_row(self, row):
        filing_no = row.text("filing_no", required=True, max_length=60)
        org_id = self.organizations.resolve(row, "org_credit_code")
        product_name = row.text("product_name", required=True, max_length=200)
        patent_ids = self.patents.many(row, "application_nos")
        filing_date = row.date("filing_date", required=True, not_future=True)
        if row.failed:
            return None
        errors = rules.filing_errors(filing_date=filing_date, patent_count=len(patent_ids), today=self.today)
        report(row, errors, {"filing_date": "filing_date", "patents": "application_nos"}, "filing_no")
        return {
            "filing_no": filing_no,
            "organization_id": org_id,
            "product_name": product_name,
            "patent_ids": patent_ids,
            "filing_date": filing_date,
        }

    def key(self, cleaned):
        return cleaned["filing_no"]

    def write(self, rows) -> Counts:
        counts, _created, _changed = upsert_records(
            ProductFiling, "filing_no", rows, ["organization_id", "product_name", "filing_date"]
        )
        # A filed product implements its patents (ends their dormancy).
        patent_ids = {pid for r in rows for pid in r["patent_ids"]}
        for patent in Patent.objects.filter(pk__in=patent_ids, implemented=False):
            patent_services.patent_record_implemented(patent=patent)
        return counts
