"""Export patents as CSV or XLSX in the inventory import's column format, so that an exported
file imports back unchanged (``import_data patents FILE`` reports ``updated 0``). Files are
written by ``portal.exports``, which quotes formula-like text (a title starting with "=")."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import QuerySet

from portal.exports import append_row, csv_bytes, xlsx_bytes
from portal.languages import reads_chinese

from .models import Patent

EXPORT_COLUMNS = (
    "application_no",
    "title",
    "abstract",
    "claims",
    "ipc",
    "applicants",
    "inventors",
    "application_date",
    "grant_date",
    "publication_no",
    "legal_status",
    "industries",
    "deal_kinds",
    "license_scope",
    "open_license",
    "use_first_pay_later",
    "sme_fee_waiver",
    "asking_price",
    "trl",
    "implemented",
    "keywords",
    "listing_status",
    "owner_credit_code",
)


# The same columns under the Chinese headers the import also reads (its aliases): a Chinese
# reader's export has no English header row and still imports back unchanged.
EXPORT_HEADERS_ZH = {
    "application_no": "申请号",
    "title": "专利名称",
    "abstract": "摘要",
    "claims": "主权项",
    "ipc": "分类号",
    "applicants": "申请人",
    "inventors": "发明人",
    "application_date": "申请日",
    "grant_date": "授权公告日",
    "publication_no": "公开号",
    "legal_status": "法律状态",
    "industries": "产业",
    "deal_kinds": "交易方式",
    "license_scope": "许可方式",
    "open_license": "开放许可",
    "use_first_pay_later": "先使用后付费",
    "sme_fee_waiver": "中小微企业费用减免",
    "asking_price": "挂牌价格（元）",
    "trl": "技术成熟度",
    "implemented": "是否实施",
    "keywords": "关键词",
    "listing_status": "挂牌状态",
    "owner_credit_code": "权利人统一社会信用代码",
}


def export_header() -> list[str]:
    """Column headers in the reader's language: Chinese aliases, or the canonical names."""
    if reads_chinese():
        return [EXPORT_HEADERS_ZH[name] for name in EXPORT_COLUMNS]
    return list(EXPORT_COLUMNS)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def patent_row(patent: Patent) -> list[str]:
    """One patent as the import reads it (listing_status: ``published`` or ``draft``, the only
    two an import sets; an import never moves an existing listing back to draft)."""
    return [
        patent.application_no,
        patent.title,
        patent.abstract,
        patent.claims,
        ";".join(patent.ipc_list),
        patent.applicants,
        patent.inventors,
        patent.application_date.isoformat() if patent.application_date else "",
        patent.grant_date.isoformat() if patent.grant_date else "",
        patent.publication_no,
        patent.legal_status,
        ";".join(industry.name for industry in patent.industries.all()),
        ";".join(patent.deal_kinds),
        patent.license_scope,
        _yes_no(patent.open_license),
        _yes_no(patent.use_first_pay_later),
        _yes_no(patent.sme_fee_waiver),
        "" if patent.asking_price is None else f"{patent.asking_price:.2f}",
        "" if patent.trl is None else str(patent.trl),
        _yes_no(patent.implemented),
        patent.keywords,
        "published" if patent.listing_status == Patent.ListingStatus.PUBLISHED else "draft",
        patent.owner.credit_code,
    ]


def _rows(patents: QuerySet | Iterable[Patent]) -> Iterable[list[str]]:
    if isinstance(patents, QuerySet):
        patents = patents.select_related("owner").prefetch_related("industries").order_by("application_no")
    for patent in patents:
        yield patent_row(patent)


def export_csv(patents) -> bytes:
    """UTF-8 with BOM, which Excel opens correctly."""
    return csv_bytes(_rows(patents), header=export_header())


def export_xlsx(patents, *, title: str = "patents") -> bytes:
    # Every cell is text, so numbers like 202110123456.X or 0 prices round-trip exactly.
    return xlsx_bytes(_rows(patents), header=export_header(), title=title)


BULLETIN_HEADERS = (
    "序号",
    "申请号",
    "专利名称",
    "专利类型",
    "法律状态",
    "主分类号",
    "权利人",
    "权利人类型",
    "所在旗区",
    "交易方式",
    "开放许可",
    "挂牌价格（元）",
    "剩余保护期（年）",
    "发布日期",
    "公开联系渠道",
)


def bulletin_xlsx(bulletin, patents: Iterable[Patent]) -> bytes:
    """The monthly supply bulletin as a spreadsheet for people (Chinese headers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{bulletin.month:%Y-%m}"
    append_row(sheet, [bulletin.title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, BULLETIN_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, patent in enumerate(patents, start=1):
        append_row(
            sheet,
            [
                number,
                patent.application_no,
                patent.title,
                patent.get_patent_type_display(),
                patent.get_legal_status_display(),
                patent.ipc_main,
                patent.owner.name,
                patent.owner.get_kind_display(),
                patent.owner.region.name if patent.owner.region_id else "市外",
                "、".join(str(label) for label in patent.deal_kind_labels),
                "是" if patent.open_license else "否",
                "面议" if patent.asking_price is None else float(patent.asking_price),
                patent.years_remaining,
                patent.published_at.date().isoformat() if patent.published_at else "",
                patent.owner.public_contact,
            ],
        )
    for column, width in zip(
        "ABCDEFGHIJKLMNO", (6, 18, 40, 10, 12, 14, 28, 10, 12, 16, 8, 14, 10, 12, 28), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
