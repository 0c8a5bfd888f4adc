"""City pages: the district ranking with the proposed award allocation, and the reports the
bureau submits (annual reports, plan-period summaries): request, follow the job's progress,
confirm and approve, download. Views only adapt requests to selectors and services."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import ApplicationError
from portal.exports import csv_bytes, xlsx_bytes
from portal.permissions import actor_for
from portal.progress import progress_payload

from .. import documents, kpi, selectors, services
from ..forms import (
    AnnualReportRequestForm,
    ApproveConfirmForm,
    AwardBudgetForm,
    PlanReportRequestForm,
    ReportFilterForm,
)
from ..permissions import can_manage_annual_reports, require_city_reports
from ..ranking import WEIGHTS, award_allocation, district_ranking
from ..years import latest_record_year, year_has_records

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _city_actor(request):
    actor = actor_for(request.user)
    require_city_reports(actor)
    return actor


# --- Ranking and award allocation ------------------------------------------------------------------


def _allocation(actor, year: int):
    ranking = district_ranking(year=year)
    budget = selectors.award_budget_get(actor=actor, year=year)
    allocation = award_allocation(ranking, budget.amount) if budget else None
    return ranking, budget, allocation


@login_required
def ranking(request):
    actor = _city_actor(request)
    form = ReportFilterForm(request.GET or None, actor=actor)
    year, _district = form.values()
    if request.method == "POST":
        budget_form = AwardBudgetForm(request.POST)
        if budget_form.is_valid():
            try:
                services.award_budget_set(
                    year=year, amount=budget_form.cleaned_data["amount"], actor=actor_for(request.user)
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已保存 %(year)s 年度绩效奖补资金总额。") % {"year": year})
                return redirect(f"{reverse('reports:ranking')}?{urlencode({'year': year})}#award")
    else:
        budget_form = None
    data, budget, allocation = _allocation(actor, year)
    if budget_form is None:
        budget_form = AwardBudgetForm(initial={"amount": budget.amount if budget else None})
    indicators = [{"name": i.name, "label": i.label, "weight": WEIGHTS[i.name] * 100} for i in kpi.INDICATORS]
    for row in data["districts"]:
        row["component_list"] = [row["components"][i.name] for i in kpi.INDICATORS]
        row["url"] = f"{reverse('reports:dashboard')}?{urlencode({'year': year, 'district': row['code']})}"
    return render(
        request,
        "reports/ranking.html",
        {
            "form": form,
            "year": year,
            "defaulted": form.defaulted,
            "has_records": year_has_records(year),
            "latest_year": latest_record_year(),
            "ranking": data,
            "ranked": [row for row in data["districts"] if row["active"]],
            "idle": [row for row in data["districts"] if not row["active"]],
            "indicators": indicators,
            "budget": budget,
            "budget_form": budget_form,
            "allocation": allocation,
        },
    )


def allocation_rows(allocation: dict) -> tuple[list[str], list[list]]:
    header = [
        _("排名"),
        _("区划代码"),
        _("旗区"),
        _("综合得分"),
        _("计分（负分记 0）"),
        _("分配比例"),
        _("建议奖补额（元）"),
    ]
    rows = [
        [
            row["rank"] if row["rank"] is not None else "",
            row["code"],
            row["name"],
            row["score"] if row["score"] is not None else _("无活动"),
            row["points"],
            float(row["share_ratio"]),
            row["amount"],
        ]
        for row in allocation["districts"]
    ]
    rows.append(
        [
            "",
            "",
            _("合计"),
            "",
            "",
            1.0 if allocation["allocated"] else 0.0,
            sum((r["amount"] for r in allocation["districts"]), Decimal(0)),
        ]
    )
    rows.append([allocation["formula"]])
    return header, rows


@login_required
def award_export(request, file_format: str):
    """The proposed allocation of the year's budget as CSV or XLSX (portal.exports)."""
    actor = _city_actor(request)
    year, _district = ReportFilterForm(request.GET or None, actor=actor).values()
    _ranking, _budget, allocation = _allocation(actor, year)
    if allocation is None or file_format not in ("csv", "xlsx"):
        raise Http404
    header, rows = allocation_rows(allocation)
    name = f"award-allocation-{year}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(csv_bytes(rows, header=header), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(rows, header=header, title=_("绩效奖补建议")), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Submitted reports (annual, plan period) -------------------------------------------------------


def _report_get(kind: str, actor, pk: int):
    return (selectors.annual_report_get if kind == "annual" else selectors.plan_report_get)(
        actor=actor, pk=pk
    )


def _detail_url(kind: str, pk: int) -> str:
    return reverse("reports:annual-detail" if kind == "annual" else "reports:plan-report-detail", args=[pk])


@login_required
def annual_report_list(request):
    actor = _city_actor(request)
    if request.method == "POST":
        form = AnnualReportRequestForm(request.POST)
        if form.is_valid():
            try:
                report = services.annual_report_request(
                    year=form.cleaned_data["year"], actor=actor_for(request.user)
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                _request_message(request, report)
                return redirect("reports:annual-detail", pk=report.pk)
    else:
        form = AnnualReportRequestForm()
    return render(
        request,
        "reports/annual_list.html",
        {
            "form": form,
            "reports": selectors.annual_report_list(actor=actor),
            "plan_form": PlanReportRequestForm(),
            "plan_reports": selectors.plan_report_list(actor=actor),
            "has_plans": selectors.plan_period_list(actor=actor).exists(),
            "can_manage": can_manage_annual_reports(actor),
        },
    )


@login_required
@require_POST
def plan_report_request(request):
    actor = _city_actor(request)
    form = PlanReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择规划期。"))
        return redirect("reports:annual-list")
    plan = selectors.plan_period_list(actor=actor).filter(pk=form.cleaned_data["plan"].pk).first()
    if plan is None:
        raise Http404
    try:
        report = services.plan_report_request(plan=plan, actor=actor_for(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("reports:annual-list")
    _request_message(request, report)
    return redirect("reports:plan-report-detail", pk=report.pk)


def _request_message(request, report) -> None:
    """What happened to the report just asked for, read after the job was sent: with a worker (or
    the background thread) it is still being built; run inline, it may already be done or failed."""
    report.refresh_from_db(fields=["status", "error"])
    Status = report.Status
    if report.status == Status.READY:
        messages.success(request, _("%(title)s已生成，可以下载和审定。") % {"title": report.title})
    elif report.status == Status.FAILED:
        messages.error(request, _("%(title)s生成失败，原因见下方。") % {"title": report.title})
    else:
        messages.info(
            request, _("%(title)s正在后台生成，本页显示进度，完成后可下载。") % {"title": report.title}
        )


def _detail(request, kind: str, pk: int):
    actor = _city_actor(request)
    report = _report_get(kind, actor, pk)
    context = {
        "report": report,
        "kind": kind,
        "can_manage": can_manage_annual_reports(actor),
        "urls": _urls(kind, report.pk),
    }
    if report.data and report.status != report.Status.PENDING:
        if kind == "annual":
            context["content"] = documents.annual_report_context(report.data)
        else:
            context["content"] = documents.plan_report_context(report.data)
    return render(request, "reports/report_detail.html", context)


def _urls(kind: str, pk: int) -> dict:
    prefix = "reports:annual" if kind == "annual" else "reports:plan-report"
    return {
        "detail": reverse(f"{prefix}-detail", args=[pk]),
        "status": reverse(f"{prefix}-status", args=[pk]),
        "approve": reverse(f"{prefix}-approve", args=[pk]),
        "regenerate": reverse(f"{prefix}-regenerate", args=[pk]),
        "xlsx": reverse(f"{prefix}-download", args=[pk, "xlsx"]),
        "pdf": reverse(f"{prefix}-download", args=[pk, "pdf"]),
        "json": reverse(f"{prefix}-download", args=[pk, "json"]),
    }


def _status(request, kind: str, pk: int):
    """The job's progress, polled by the detail page."""
    report = _report_get(kind, _city_actor(request), pk)
    return JsonResponse(progress_payload(report))


def _approve(request, kind: str, pk: int):
    """GET: the confirmation page (what will be frozen); POST: approve when confirmed."""
    actor = _city_actor(request)
    report = _report_get(kind, actor, pk)
    if not can_manage_annual_reports(actor):
        raise Http404
    if request.method == "POST":
        form = ApproveConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.report_approve(
                    report=report,
                    actor=actor_for(request.user),
                    confirmation=form.cleaned_data["confirmation"],
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("%(title)s已审定冻结，正在生成审定版文件。") % {"title": report.title}
                )
            return redirect(_detail_url(kind, report.pk))
    else:
        form = ApproveConfirmForm(initial={"confirmation": services.confirmation_token(report)})
    if report.status != report.Status.READY:
        messages.error(
            request,
            _("只有已生成、待审定的报告可以审定（当前状态：%(status)s）。")
            % {"status": report.get_status_display()},
        )
        return redirect(_detail_url(kind, report.pk))
    ranked = [row for row in report.data.get("ranking", {}).get("districts", []) if row.get("active", True)]
    return render(
        request,
        "reports/report_approve.html",
        {"report": report, "kind": kind, "form": form, "urls": _urls(kind, report.pk), "ranked": ranked},
    )


def _regenerate(request, kind: str, pk: int):
    actor = _city_actor(request)
    report = _report_get(kind, actor, pk)
    try:
        if kind == "annual":
            report = services.annual_report_request(year=report.year, actor=actor_for(request.user))
        else:
            report = services.plan_report_request(plan=report.plan, actor=actor_for(request.user))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _request_message(request, report)
    return redirect(_detail_url(kind, report.pk))


def _download(request, kind: str, pk: int, file_format: str):
    report = _report_get(kind, _city_actor(request), pk)
    name = f"{report.file_stem}.{file_format}"
    if report.is_busy:
        raise Http404  # the files are being (re)built; the page says so
    if file_format == "json":
        if not report.data:
            raise Http404
        response = HttpResponse(
            json.dumps(report.data, ensure_ascii=False, indent=2).encode("utf-8"),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    field = {"xlsx": report.xlsx, "pdf": report.pdf}.get(file_format)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


def _views(kind: str):
    @login_required
    def detail(request, pk: int):
        return _detail(request, kind, pk)

    @login_required
    def status(request, pk: int):
        return _status(request, kind, pk)

    @login_required
    def approve(request, pk: int):
        return _approve(request, kind, pk)

    @login_required
    @require_POST
    def regenerate(request, pk: int):
        return _regenerate(request, kind, pk)

    @login_required
    def download(request, pk: int, file_format: str):
        return _download(request, kind, pk, file_format)

    return detail, status, approve, regenerate, download


(
    annual_report_detail,
    annual_report_status,
    annual_report_approve,
    annual_report_regenerate,
    annual_report_download,
) = _views("annual")
plan_report_detail, plan_report_status, plan_report_approve, plan_report_regenerate, plan_report_download = (
    _views("plan")
)
