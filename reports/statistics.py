"""Statistics upload (定期上报): the period's records, by month or quarter, as one XLSX workbook:
a summary sheet and one sheet per kind of record, with the columns the monthly/quarterly return
lists (docs/kpi.md, "Statistics upload").

Scope: every record dated in the period; with a district, the records one of whose parties was in
that district on the record's date (a deal's buyer or seller at its contract date, a pledge's
borrower at registration, ...); the kind and district columns show them as of that date too, as
the KPIs count them (docs/kpi.md).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.models import Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from matching.models import Event
from portal.errors import ApplicationError
from portal.exports import append_row
from portal.models import Organization

from .exports import scope_name
from .kpi import check_year
from .kpi.records import as_of

MONTH, QUARTER = "month", "quarter"


def period_bounds(year: int, kind: str, number: int) -> tuple[datetime.date, datetime.date]:
    """[first day, first day after) of a month or quarter."""
    year = check_year(year)
    if kind == MONTH and 1 <= number <= 12:
        first_month, months = number, 1
    elif kind == QUARTER and 1 <= number <= 4:
        first_month, months = 3 * (number - 1) + 1, 3
    else:
        raise ApplicationError(_("统计期无效：%(kind)s %(number)s。") % {"kind": kind, "number": number})
    start = datetime.date(year, first_month, 1)
    end_month = first_month + months
    end = datetime.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


def period_label(year: int, kind: str, number: int) -> str:
    if kind == MONTH:
        return _("%(year)s年%(n)s月") % {"year": year, "n": number}
    return _("%(year)s年第%(n)s季度") % {"year": year, "n": number}


def _alias(field: str) -> str:
    return field.rsplit("__", 1)[-1]


def _party_in(fields: tuple[str, ...], district: str | None) -> Q:
    if not district:
        return Q()
    q = Q()
    for field in fields:
        q |= Q(**{f"{_alias(field)}_asof__region_id": district})
    return q


def _region(record, party: str) -> str:
    """The party's district on the record's date (``<party>_region_name``), or 市外."""
    return getattr(record, f"{party}_region_name", None) or _("市外")


def _kind(record, party: str) -> str:
    """The party's kind on the record's date."""
    value = getattr(record, f"{party}_kind", None)
    return Organization.Kind(value).label if value else ""


@dataclass(frozen=True)
class Sheet:
    title: Any
    model: type
    date: str
    parties: tuple[str, ...]
    related: tuple[str, ...]
    columns: tuple[tuple[Any, Callable[[Any], Any]], ...]
    amount: str | None = None
    amount_label: Any = None
    district_field: str | None = None  # events: their own district, not a party's
    as_of: str | None = None  # the date the parties are classified at (default: ``date``)

    def records(self, start, end, district) -> QuerySet:
        qs = self.model.objects.filter(**{f"{self.date}__gte": start, f"{self.date}__lt": end})
        if self.district_field:
            scope = Q(**{self.district_field: district}) if district else Q()
        else:
            parties = {_alias(field): field for field in self.parties}
            qs = as_of(qs, parties, self.as_of or self.date).annotate(
                **{f"{alias}_region_name": F(f"{alias}_asof__region__name") for alias in parties},
                **{f"{alias}_kind": F(f"{alias}_asof__kind") for alias in parties},
            )
            scope = _party_in(self.parties, district)
        return qs.filter(scope).select_related(*self.related).order_by(self.date, "pk")


SHEETS = (
    Sheet(
        gettext_lazy("专利转让许可交易"),
        Deal,
        "contract_date",
        ("buyer", "seller"),
        ("buyer__region", "seller__region"),
        (
            (gettext_lazy("合同编号"), lambda d: d.deal_no),
            (gettext_lazy("交易类型"), lambda d: d.get_kind_display()),
            (gettext_lazy("许可方式"), lambda d: d.get_license_scope_display()),
            (gettext_lazy("转让方/许可方"), lambda d: d.seller.name),
            (gettext_lazy("转让方类型"), lambda d: _kind(d, "seller")),
            (gettext_lazy("转让方旗区"), lambda d: _region(d, "seller")),
            (gettext_lazy("受让方/被许可方"), lambda d: d.buyer.name),
            (gettext_lazy("受让方类型"), lambda d: _kind(d, "buyer")),
            (gettext_lazy("受让方旗区"), lambda d: _region(d, "buyer")),
            (gettext_lazy("合同日期"), lambda d: d.contract_date),
            (gettext_lazy("合同金额（元）"), lambda d: d.contract_amount),
            (gettext_lazy("登记号"), lambda d: d.registration_no),
            (gettext_lazy("状态"), lambda d: d.get_status_display()),
        ),
        "contract_amount",
        gettext_lazy("合同金额（元）"),
    ),
    Sheet(
        gettext_lazy("实际到账"),
        Payment,
        "date",
        ("deal__buyer", "deal__seller"),
        ("deal__buyer__region", "deal__seller__region"),
        (
            (gettext_lazy("到账日期"), lambda p: p.date),
            (gettext_lazy("合同编号"), lambda p: p.deal.deal_no),
            (gettext_lazy("转让方/许可方"), lambda p: p.deal.seller.name),
            (gettext_lazy("受让方/被许可方"), lambda p: p.deal.buyer.name),
            (gettext_lazy("受让方旗区"), lambda p: _region(p, "buyer")),
            (gettext_lazy("到账金额（元）"), lambda p: p.amount),
        ),
        "amount",
        gettext_lazy("到账金额（元）"),
        as_of="deal__contract_date",
    ),
    Sheet(
        gettext_lazy("专利质押融资"),
        Pledge,
        "registration_date",
        ("borrower",),
        ("borrower__region",),
        (
            (gettext_lazy("质押登记号"), lambda p: p.registration_no),
            (gettext_lazy("出质人"), lambda p: p.borrower.name),
            (gettext_lazy("出质人类型"), lambda p: _kind(p, "borrower")),
            (gettext_lazy("旗区"), lambda p: _region(p, "borrower")),
            (gettext_lazy("质权人"), lambda p: p.lender_name),
            (gettext_lazy("登记日期"), lambda p: p.registration_date),
            (gettext_lazy("期限（月）"), lambda p: p.term_months),
            (gettext_lazy("融资金额（元）"), lambda p: p.amount),
        ),
        "amount",
        gettext_lazy("融资金额（元）"),
    ),
    Sheet(
        gettext_lazy("专利保险"),
        InsurancePolicy,
        "start_date",
        ("insured",),
        ("insured__region",),
        (
            (gettext_lazy("保单号"), lambda p: p.policy_no),
            (gettext_lazy("被保险单位"), lambda p: p.insured.name),
            (gettext_lazy("旗区"), lambda p: _region(p, "insured")),
            (gettext_lazy("保险机构"), lambda p: p.insurer_name),
            (gettext_lazy("起保日期"), lambda p: p.start_date),
            (gettext_lazy("保费（元）"), lambda p: p.premium),
            (gettext_lazy("保额（元）"), lambda p: p.coverage),
        ),
        "premium",
        gettext_lazy("保费（元）"),
    ),
    Sheet(
        gettext_lazy("专利资助"),
        Subsidy,
        "decision_date",
        ("organization",),
        ("organization__region", "patent"),
        (
            (gettext_lazy("申请单位"), lambda s: s.organization.name),
            (gettext_lazy("旗区"), lambda s: _region(s, "organization")),
            (gettext_lazy("专利申请号"), lambda s: s.patent.application_no),
            (gettext_lazy("状态"), lambda s: s.get_status_display()),
            (gettext_lazy("决定日期"), lambda s: s.decision_date),
            (gettext_lazy("已缴官费（元）"), lambda s: s.official_fees),
            (gettext_lazy("申请金额（元）"), lambda s: s.requested_amount),
            (gettext_lazy("批准金额（元）"), lambda s: s.approved_amount),
        ),
        "approved_amount",
        gettext_lazy("批准金额（元）"),
    ),
    Sheet(
        gettext_lazy("专利产品备案"),
        ProductFiling,
        "filing_date",
        ("organization",),
        ("organization__region",),
        (
            (gettext_lazy("备案号"), lambda f: f.filing_no),
            (gettext_lazy("产品名称"), lambda f: f.product_name),
            (gettext_lazy("备案单位"), lambda f: f.organization.name),
            (gettext_lazy("旗区"), lambda f: _region(f, "organization")),
            (gettext_lazy("备案日期"), lambda f: f.filing_date),
        ),
    ),
    Sheet(
        gettext_lazy("对接活动"),
        Event,
        "date",
        (),
        ("district",),
        (
            (gettext_lazy("活动名称"), lambda e: e.title),
            (gettext_lazy("类型"), lambda e: e.get_kind_display()),
            (gettext_lazy("举办日期"), lambda e: e.date),
            (gettext_lazy("旗区"), lambda e: e.district.name if e.district_id else _("全市")),
            (gettext_lazy("地点"), lambda e: e.venue),
            (gettext_lazy("主办单位"), lambda e: e.organizer),
            (gettext_lazy("签约意向数"), lambda e: e.intentions_signed),
        ),
        district_field="district_id",
    ),
)


def statistics_xlsx(*, year: int, kind: str, number: int, district: str | None = None) -> bytes:
    """One query per sheet for the rows and one for its count and total, whatever the data size."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    start, end = period_bounds(year, kind, number)
    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("汇总")
    append_row(summary, [_("专利转化运营统计报表（定期上报）")])
    summary["A1"].font = bold
    append_row(
        summary,
        [_("统计期"), period_label(year, kind, number), _("起止"), start, end - datetime.timedelta(days=1)],
    )
    append_row(summary, [_("范围"), scope_name(district)])
    append_row(summary, [])
    append_row(summary, [_("类别"), _("记录数"), _("金额合计（元）")])
    for cell in summary[5]:
        cell.font = bold
    for sheet_def in SHEETS:
        records = sheet_def.records(start, end, district)
        aggregates = {"count": Count("pk")}
        if sheet_def.amount:
            aggregates["total"] = Sum(sheet_def.amount)
        totals = records.order_by().aggregate(**aggregates)
        append_row(
            summary,
            [str(sheet_def.title), totals["count"], totals.get("total") or (0 if sheet_def.amount else "")],
        )
        sheet = workbook.create_sheet(str(sheet_def.title))
        append_row(sheet, [str(label) for label, _value in sheet_def.columns])
        for cell in sheet[1]:
            cell.font = bold
        for record in records.iterator(chunk_size=2000):
            append_row(sheet, [value(record) for _label, value in sheet_def.columns])
        for index in range(1, len(sheet_def.columns) + 1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 18
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 16
    summary.column_dimensions["C"].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statistics_filename(year: int, kind: str, number: int, district: str | None) -> str:
    suffix = f"-{district}" if district else ""
    period = f"{year}-{number:02d}" if kind == MONTH else f"{year}-Q{number}"
    return f"statistics-{period}{suffix}.xlsx"
