"""Pages from an agreed inquiry to a patent in use: the contract drafted from the inquiry (edit,
confirm, record signed, DOCX/PDF), taking an open licence in one step, and the follow-ups after a
deal. Views adapt requests to ``finance.selectors`` and ``finance.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matching import permissions as matching_permissions
from matching import selectors as matching_selectors
from patents.models import OpenLicense, Patent
from portal.errors import ApplicationError, report_errors
from portal.permissions import actor_for

from .. import documents, forms, permissions, selectors, services
from ..models import Contract

PAGE_SIZE = 20


# --- Contracts ------------------------------------------------------------------------------------


@login_required
@require_POST
def contract_create(request, pk: int):
    """Draft the contract of an agreed inquiry (``pk``: the inquiry), or open the existing one."""
    actor = actor_for(request.user)
    inquiry = matching_selectors.inquiry_get(actor=actor, pk=pk)
    try:
        contract = services.contract_draft(inquiry=inquiry, actor=actor_for(request.user))
    except (ApplicationError, PermissionDenied) as error:
        report_errors(request, error)
        return redirect("matching:inquiry-detail", pk=inquiry.pk)
    return redirect("finance:contract-detail", pk=contract.pk)


def _contract_context(actor, contract: Contract, **extra) -> dict:
    side = permissions.contract_side(actor, contract)
    draft = contract.status == Contract.Status.DRAFT
    confirmed = {
        permissions.SELLER: contract.seller_confirmed_at,
        permissions.BUYER: contract.buyer_confirmed_at,
    }
    return {
        "contract": contract,
        "side": side,
        "can_edit": draft and side is not None,
        "can_confirm": draft and side is not None and confirmed[side] is None,
        "can_record_signed": draft and permissions.can_record_signed(actor, contract),
        "signed_on_form": extra.pop("signed_on_form", None) or forms.SignedOnForm(),
        "problems": services.contract_terms_errors(contract) if draft else {},
        "history": selectors.contract_history(contract=contract),
        **extra,
    }


@login_required
def contract_detail(request, pk: int):
    actor = actor_for(request.user)
    contract = selectors.contract_get(actor=actor, pk=pk)
    return render(request, "finance/contract_detail.html", _contract_context(actor, contract))


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    actor = actor_for(request.user)
    contract = selectors.contract_get(actor=actor, pk=pk)
    if permissions.contract_side(actor, contract) is None:
        raise PermissionDenied(_("您不是该合同的当事方，不能修改。"))
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, _("合同已签订，不能修改。"))
        return redirect("finance:contract-detail", pk=contract.pk)
    form = forms.ContractForm(request.POST or None, instance=Contract.objects.get(pk=contract.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.contract_update(contract=contract, actor=actor_for(request.user), **fields)
        except (ApplicationError, ValidationError, PermissionDenied) as error:
            report_errors(request, error, form)
        else:
            messages.success(request, _("合同草稿已保存；修改后需双方重新确认。"))
            return redirect("finance:contract-detail", pk=contract.pk)
    return render(request, "finance/contract_form.html", {"form": form, "contract": contract})


@login_required
@require_POST
def contract_confirm(request, pk: int):
    actor = actor_for(request.user)
    contract = selectors.contract_get(actor=actor, pk=pk)
    try:
        contract = services.contract_confirm(contract=contract, actor=actor_for(request.user))
    except (ApplicationError, ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        if contract.status == Contract.Status.SIGNED:
            messages.success(request, _("双方均已确认，合同已签订，交易已记录。"))
        else:
            messages.success(request, _("已确认合同，等待对方确认。"))
    return redirect("finance:contract-detail", pk=contract.pk)


@login_required
@require_POST
def contract_record_signed(request, pk: int):
    actor = actor_for(request.user)
    contract = selectors.contract_get(actor=actor, pk=pk)
    if not permissions.can_record_signed(actor, contract):
        raise PermissionDenied(_("您无权登记该合同的签订。"))
    form = forms.SignedOnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的签订日期。"))
        return redirect("finance:contract-detail", pk=contract.pk)
    try:
        services.contract_record_signed(
            contract=contract, actor=actor, signed_on=form.cleaned_data["signed_on"]
        )
    except (ApplicationError, ValidationError, PermissionDenied) as error:
        report_errors(request, error)
    else:
        messages.success(request, _("已登记合同签订，交易已记录。"))
    return redirect("finance:contract-detail", pk=contract.pk)


@login_required
def contract_download(request, pk: int, file_format: str):
    actor = actor_for(request.user)
    contract = selectors.contract_get(actor=actor, pk=pk)
    if file_format == "docx":
        content = documents.contract_docx(contract)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif file_format == "pdf":
        try:
            content = documents.contract_pdf(contract)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("finance:contract-detail", pk=contract.pk)
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="contract-{contract.pk}.{file_format}"'
    return response


# --- Open licence in one step -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_license_take(request, pk: int):
    actor = actor_for(request.user)
    declaration = get_object_or_404(
        OpenLicense.objects.select_related("patent", "patent__owner"),
        pk=pk,
        patent__listing_status=Patent.ListingStatus.PUBLISHED,
    )
    form = forms.OpenLicenseTakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.open_license_take(
                declaration=declaration,
                actor=actor_for(request.user),
                ends_on=form.cleaned_data["ends_on"],
                expected_amount=form.cleaned_data["expected_amount"],
            )
        except (ApplicationError, ValidationError, PermissionDenied) as error:
            report_errors(request, error, form)
        else:
            messages.success(request, _("已取得开放许可，许可交易已记录，专利权人已收到通知。"))
            return redirect("finance:deal-detail", pk=deal.pk)
    context = {
        "form": form,
        "declaration": declaration,
        "patent": declaration.patent,
        "latest_end": services.open_license_term_end(declaration),
        "can_take": matching_permissions.can_inquire(actor),
    }
    return render(request, "finance/open_license_take.html", context)


# --- Follow-ups -------------------------------------------------------------------------------------


@login_required
def follow_up_list(request):
    actor = actor_for(request.user)
    queryset = selectors.follow_up_list(actor=actor)
    status = request.GET.get("status", "")
    if status in {value for value, _label in queryset.model.Status.choices}:
        queryset = queryset.filter(status=status)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "finance/follow_up_list.html", {"page_obj": page_obj, "status": status})


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk: int):
    actor = actor_for(request.user)
    follow_up = selectors.follow_up_get(actor=actor, pk=pk)
    can_answer = permissions.can_answer_follow_up(actor, follow_up)
    form = None
    if can_answer:
        initial = {}
        if follow_up.implemented is not None:
            initial = {
                "implemented": "yes" if follow_up.implemented else "no",
                "product": follow_up.product,
                "revenue": follow_up.revenue,
                "jobs": follow_up.jobs,
            }
        form = forms.FollowUpAnswerForm(request.POST or None, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied(_("只有受让企业可以填报回访。"))
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_answer(follow_up=follow_up, actor=actor_for(request.user), **form.cleaned_data)
        except (ApplicationError, ValidationError, PermissionDenied) as error:
            report_errors(request, error, form)
        else:
            messages.success(request, _("回访已填报，感谢您的反馈。"))
            return redirect("finance:follow-up-detail", pk=follow_up.pk)
    context = {
        "follow_up": follow_up,
        "answers": selectors.follow_up_answers(follow_up=follow_up),
        "form": form,
    }
    return render(request, "finance/follow_up_detail.html", context)
