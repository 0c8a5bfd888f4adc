"""The deal actions on a deal's page: register the contract, terminate it, record and delete
payments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.confirm import confirmation_page
from portal.errors import ApplicationError, report_errors
from portal.permissions import Actor

from .. import forms, permissions, selectors, services
from ..models import Deal
from ._shared import finance_actor


def _deal_for_write(request, pk: int) -> tuple[Actor, Deal]:
    actor = finance_actor(request)
    deal = selectors.deal_get(actor=actor, pk=pk)
    if not permissions.can_write(actor, deal):
        raise PermissionDenied(_("您无权修改该交易。"))
    return actor, deal


@login_required
@require_POST
def deal_register(request, pk: int):
    actor, deal = _deal_for_write(request, pk)
    form = forms.RegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写登记号。"))
    else:
        try:
            services.deal_register(
                deal=deal, actor=actor, registration_no=form.cleaned_data["registration_no"]
            )
        except (ValidationError, ApplicationError) as error:
            report_errors(request, error)
        else:
            messages.success(request, _("合同已登记。"))
    return redirect("finance:deal-detail", pk=deal.pk)


@login_required
@require_POST
def deal_terminate(request, pk: int):
    actor, deal = _deal_for_write(request, pk)
    form = forms.TerminateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的终止日期。"))
    else:
        try:
            services.deal_terminate(
                deal=deal,
                actor=actor,
                terminated_on=form.cleaned_data["terminated_on"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, ApplicationError) as error:
            report_errors(request, error)
        else:
            messages.success(request, _("合同已终止。"))
    return redirect("finance:deal-detail", pk=deal.pk)


@login_required
@require_POST
def payment_create(request, pk: int):
    actor, deal = _deal_for_write(request, pk)
    form = forms.PaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    else:
        try:
            services.payment_create(deal=deal, actor=actor, **form.service_kwargs())
        except (ValidationError, ApplicationError) as error:
            report_errors(request, error)
        else:
            messages.success(request, _("已登记到账款项。"))
    return redirect(reverse("finance:deal-detail", args=[deal.pk]) + "#payments")


@login_required
@require_POST
def payment_delete(request, pk: int):
    actor = finance_actor(request)
    payment = selectors.payment_get(actor=actor, pk=pk)
    if not permissions.can_write(actor, payment):
        raise PermissionDenied(_("您无权删除该到账记录。"))
    page = confirmation_page(
        request,
        question=_("确定删除这笔到账记录？"),
        detail=f"{payment.date} {payment.amount}",
        cancel_url=reverse("finance:deal-detail", args=[payment.deal_id]) + "#payments",
    )
    if page is not None:
        return page
    try:
        services.payment_delete(payment=payment, actor=actor)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除到账记录。"))
    return redirect(reverse("finance:deal-detail", args=[payment.deal_id]) + "#payments")
