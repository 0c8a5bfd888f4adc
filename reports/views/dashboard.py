"""Report pages: the bureau dashboard, drill-downs to the records behind each number, the KPI
exports, the statistics upload and the workbench. Views only adapt requests to the KPI reads,
selectors and services; who sees what is decided in ``reports.permissions``."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.permissions import Actor, actor_for

from .. import documents, drilldowns, exports, kpi, selectors
from ..forms import StatisticsForm
from ..permissions import can_view_city_reports, fixed_district, scoped_district
from ..statistics import statistics_filename, statistics_xlsx
from ..workbench import workbench_for
from ..years import latest_record_year, year_has_records
from ._shared import report_scope, reports_actor, scope_query

DRILLDOWN_PAGE_SIZE = 50


def drilldown_url(key: str, year: int, district: str | None) -> str:
    return f"{reverse('reports:drilldown', args=[key])}?{scope_query(year, district)}"


def _number(value):
    return Decimal(value) if isinstance(value, str) else value


def _cards(report: dict, plan: kpi.Plan | None) -> list[dict]:
    year, district = report["year"], report["district"]
    cards = []
    for indicator in kpi.INDICATORS:
        block = report["indicators"][indicator.name]
        target = plan.targets.get(indicator.name) if plan else None
        targeted = target.values if target else ()
        cards.append(
            {
                "name": indicator.name,
                "label": indicator.label,
                "target": block["target"],
                "met": block["met"],
                "values": [
                    {
                        "name": name,
                        # The shown value carries its unit (元/万元).
                        "label": kpi.value_label(indicator.name, name, unit=False),
                        "amount": name in indicator.amounts,
                        "value": _number(block["values"][name]),
                        "previous": _number(block["previous"][name]),
                        "growth": block["growth"][name],
                        "average_growth": block["average_growth"][name],
                        "targeted": name in targeted,
                        "url": drilldown_url(f"{indicator.name}.{name}", year, district),
                        "previous_url": drilldown_url(f"{indicator.name}.{name}", year - 1, district),
                    }
                    for name in indicator.values
                ],
            }
        )
    return cards


def _activity_cards(report: dict) -> list[dict]:
    year, district = report["year"], report["district"]
    a = report["activities"]
    plan = a["roadshows"]["plan_period"]
    return [
        {
            "key": "roadshows",
            "label": _("路演、供需对接活动"),
            "target": a["roadshows"]["target"],
            "met": a["roadshows"]["met"],
            "figures": [
                {
                    "label": _("本年（场）"),
                    "value": a["roadshows"]["count"],
                    "url": drilldown_url("roadshows.count", year, district),
                },
                {
                    "label": _("规划期累计至 %(date)s（场）") % {"date": plan["counted_to"]},
                    "value": f"{plan['count']} / {plan['target']}",
                    "url": drilldown_url("roadshows.plan_period", year, district),
                },
            ],
        },
        {
            "key": "navigation_projects",
            "label": _("专利导航项目"),
            "target": a["navigation_projects"]["target"],
            "met": a["navigation_projects"]["met"],
            "figures": [
                {
                    "label": _("本年启动（项）"),
                    "value": a["navigation_projects"]["count"],
                    "url": drilldown_url("navigation_projects.count", year, district),
                }
            ],
        },
        {
            "key": "subsidies",
            "label": _("专利资助"),
            "target": a["subsidies"]["target"],
            "met": a["subsidies"]["met"],
            "figures": [
                {
                    "label": _("批准（项）"),
                    "value": a["subsidies"]["count"],
                    "url": drilldown_url("subsidies.count", year, district),
                },
                {
                    "label": _("批准金额"),
                    "value": Decimal(a["subsidies"]["amount"]),
                    "amount": True,
                    "url": drilldown_url("subsidies.amount", year, district),
                },
                {
                    "label": _("违反50%规定（项）"),
                    "value": a["subsidies"]["violations"],
                    "url": drilldown_url("subsidies.violations", year, district),
                },
            ],
        },
        {
            "key": "agricultural_patents",
            "label": _("农牧业专利向旗（县域）转化"),
            "target": a["agricultural_patents"]["target"],
            "met": None,
            "figures": [
                {
                    "label": _("转化的农牧业专利（件）"),
                    "value": a["agricultural_patents"]["patents"],
                    "url": drilldown_url("agricultural_patents.patents", year, district),
                },
                {
                    "label": _("其中受让方在旗（县域）"),
                    "value": a["agricultural_patents"]["to_county_level"],
                    "url": drilldown_url("agricultural_patents.to_county_level", year, district),
                },
            ],
        },
    ]


def _chart_config(year: int, district: str | None, actor: Actor) -> dict:
    query = {"year": year, **({"district": district} if district else {})}
    drill = reverse("reports:drilldown", args=["KEY"])
    return {
        "year": year,
        "district": district,
        "api": {
            "trend": f"{reverse('api:reports-kpi-trend')}?{urlencode(query)}",
            "funnel": f"{reverse('api:reports-funnel')}?{urlencode(query)}",
            "districts": f"{reverse('api:reports-kpi-districts')}?{urlencode({'year': year})}"
            if can_view_city_reports(actor)
            else None,
        },
        "drilldown": f"{drill}?{urlencode(query)}",
        "dashboard": reverse("reports:dashboard"),
        "labels": {
            "indicators": kpi.indicator_labels(),
            "values": {
                f"{indicator.name}.{name}": kpi.value_label(indicator.name, name, unit=False)
                for indicator in kpi.INDICATORS
                for name in indicator.values
            },
            "amounts_unit": _("万元"),
            "counts": _("数量"),
            "met": _("达标"),
            "missed": _("未达标"),
            "no_data": _("暂无数据"),
            "load_error": _("图表数据加载失败"),
        },
    }


@login_required
def dashboard(request):
    actor = reports_actor(request)
    form, year, district = report_scope(request, actor)
    report = kpi.kpi_report(year=year, district=district)
    config = _chart_config(year, district, actor)
    context = {
        "form": form,
        "defaulted": form.defaulted,
        "has_records": year_has_records(year),
        "latest_year": latest_record_year(),
        "report": report,
        "year": year,
        "district": district,
        "scope": exports.scope_name(district),
        "cards": _cards(report, kpi.plan_for(year, kpi.plans_all())),
        "plan": report["plan"],
        "show_plan": True,
        "activity_cards": _activity_cards(report),
        "met_count": sum(1 for block in report["indicators"].values() if block["met"]),
        "chart_config": config,
        "compare": config["api"]["districts"] is not None,
        "export_query": scope_query(year, district),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def drilldown(request, key: str):
    actor = reports_actor(request)
    spec = drilldowns.drilldown_get(key)
    form, year, district = report_scope(request, actor)
    records = spec.records(year, district)
    totals = selectors.drilldown_totals(records=records, total=spec.total)
    page_obj = Paginator(records, DRILLDOWN_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [spec.row(record, year, district) for record in page_obj]
    indicator, _sep, value = key.partition(".")
    context = {
        "form": form,
        "spec": spec,
        "has_link": spec.link is not None,
        "key": key,
        "value_label": kpi.value_label(indicator, value) if indicator in kpi.INDICATORS_BY_NAME else "",
        "year": year,
        "district": district,
        "scope": exports.scope_name(district),
        "columns": spec.columns,
        "rows": rows,
        "page_obj": page_obj,
        "totals": totals,
        "back_url": f"{reverse('reports:dashboard')}?{scope_query(year, district)}",
    }
    return render(request, "reports/drilldown.html", context)


@login_required
def kpi_export(request):
    """The dashboard's report as a file: json, csv, xlsx or pdf."""
    actor = reports_actor(request)
    _form, year, district = report_scope(request, actor)
    file_format = request.GET.get("format", "xlsx")
    if file_format not in exports.FORMATS:
        raise Http404
    report = kpi.kpi_report(year=year, district=district)
    name = f"kpi-{year}{'-' + district if district else ''}.{file_format}"
    if file_format == "json":
        content = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    else:
        try:
            content = documents.kpi_file(report, file_format)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("reports:dashboard")
        content_type = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pdf": "application/pdf",
        }[file_format]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Statistics upload ---------------------------------------------------------------------------


@login_required
def statistics(request):
    actor = reports_actor(request)
    form = StatisticsForm(request.GET or None, actor=actor)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if fixed_district(actor):
            district = scoped_district(actor, request.GET.get("district") or None)
        else:
            district = data["district"] or None
        content = statistics_xlsx(
            year=data["year"], kind=data["period"], number=data["number"], district=district
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = statistics_filename(data["year"], data["period"], data["number"], district)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "reports/statistics.html", {"form": form})


@login_required
def workbench(request):
    """The landing page after login: what waits for the user, by role, each a link with a count."""
    actor = actor_for(request.user)
    return render(request, "reports/workbench.html", {"workbench": workbench_for(actor=actor)})
