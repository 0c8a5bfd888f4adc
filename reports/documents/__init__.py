"""The documents a bureau submits: the annual report and the plan-period summary, as XLSX and PDF.

PDFs are rendered from HTML by WeasyPrint with the Noto CJK fonts: a cover page (bureau, period,
draft or approved and its date), contents with page numbers, numbered pages, table headers
repeated on every page, wide tables on landscape pages, names that never break, amounts in 万元
with thousands separators, a trend chart per KPI (SVG drawn here) and the definitions in an
appendix. Dates are written out for people (2024年1月5日), never as ISO timestamps.
"""

from .annual import annual_report_context, annual_report_pdf, annual_report_xlsx, annual_sections
from .common import Cover, cover_for, date_text, definitions, district_tables, indicator_table, trend_charts
from .dashboard import kpi_file, kpi_pdf
from .plan import plan_report_context, plan_report_pdf, plan_report_xlsx, plan_sections

__all__ = [
    "Cover",
    "annual_report_context",
    "annual_report_pdf",
    "annual_report_xlsx",
    "annual_sections",
    "cover_for",
    "date_text",
    "definitions",
    "district_tables",
    "indicator_table",
    "kpi_file",
    "kpi_pdf",
    "plan_report_context",
    "plan_report_pdf",
    "plan_report_xlsx",
    "plan_sections",
    "trend_charts",
]
