"""Thin views for the report pages, one module per concern: the dashboard (with its drill-downs,
exports, statistics upload and the workbench), the submitted reports and ranking, and the
conversion pages."""

from .conversion import conversion_deals, conversion_overview
from .dashboard import dashboard, drilldown, drilldown_url, kpi_export, statistics, workbench
from .submitted import (
    allocation_rows,
    annual_report_approve,
    annual_report_detail,
    annual_report_download,
    annual_report_list,
    annual_report_regenerate,
    annual_report_status,
    award_export,
    plan_report_approve,
    plan_report_detail,
    plan_report_download,
    plan_report_regenerate,
    plan_report_request,
    plan_report_status,
    ranking,
)

__all__ = [
    "allocation_rows",
    "annual_report_approve",
    "annual_report_detail",
    "annual_report_download",
    "annual_report_list",
    "annual_report_regenerate",
    "annual_report_status",
    "award_export",
    "conversion_deals",
    "conversion_overview",
    "dashboard",
    "drilldown",
    "drilldown_url",
    "kpi_export",
    "plan_report_approve",
    "plan_report_detail",
    "plan_report_download",
    "plan_report_regenerate",
    "plan_report_request",
    "plan_report_status",
    "ranking",
    "statistics",
    "workbench",
]
