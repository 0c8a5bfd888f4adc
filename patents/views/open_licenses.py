"""Open-licence declarations and fee reductions of a patent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import ApplicationError, report_errors
from portal.permissions import actor_for

from .. import selectors, services
from ..forms import FeeReductionForm, OpenLicenseForm
from ..models import OpenLicense

# --- Open license -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_license_declare(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    today = timezone.localdate()
    initial = {
        "starts_on": today,
        "ends_on": min(filter(None, [patent.expiry_date, today.replace(year=today.year + 3)])),
    }
    form = OpenLicenseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_license_declare(patent=patent, actor=actor, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("开放许可声明已生效。"))
            return redirect("patents:detail", application_no=patent.application_no)
    context = {"form": form, "patent": patent, "declarations": selectors.patent_open_licenses(patent=patent)}
    return render(request, "patents/open_license_form.html", context)


@login_required
@require_POST
def open_license_withdraw(request, application_no: str, pk: int):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    declaration = OpenLicense.objects.filter(patent=patent, pk=pk).first()
    if declaration is None:
        raise Http404
    try:
        services.open_license_withdraw(declaration=declaration, actor=actor)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("开放许可声明已撤回。"))
    return redirect("patents:detail", application_no=patent.application_no)


@login_required
@require_POST
def fee_reduction_create(request, application_no: str, pk: int):
    """Record an annual-fee reduction for an open-license declaration (its holder's side, city staff)."""
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    declaration = OpenLicense.objects.filter(patent=patent, pk=pk).first()
    if declaration is None:
        raise Http404
    form = FeeReductionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写年度、应缴年费和缴费日期。"))
        return redirect("patents:detail", application_no=patent.application_no)
    try:
        services.annual_fee_reduction_record(declaration=declaration, actor=actor, **form.cleaned_data)
    except (ApplicationError, ValidationError) as exc:
        report_errors(request, exc)
    else:
        messages.success(request, _("年费减免已登记。"))
    return redirect("patents:detail", application_no=patent.application_no)
