"""Inquiry pages (list, thread, create, the state buttons) and the matches of an owner's patents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from demands.models import Demand
from demands.selectors import demand_list_mine
from finance.models import Contract, Deal
from patents import permissions as patent_permissions
from patents.selectors import patent_get, patent_inventory_owners
from portal.errors import ApplicationError, error_text
from portal.permissions import actor_for

from .. import permissions, selectors
from ..filters import InquiryFilterSet
from ..forms import (
    InquiryAcceptForm,
    InquiryForm,
    InquiryMessageForm,
    InquiryTransitionForm,
)
from ..models import Inquiry
from ..services import inquiries as inquiry_services
from ._common import _page

# --- Inquiries ----------------------------------------------------------------------------------


@login_required
def inquiry_list(request):
    actor = actor_for(request.user)
    queryset = selectors.inquiry_list(actor=actor)
    filterset = InquiryFilterSet(request.GET, queryset=queryset, request=request)
    inquiries = filterset.qs if filterset.is_valid() else queryset.none()
    page_obj = _page(request, inquiries)
    counts = selectors.inquiry_status_counts(actor=actor)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "inquiries": page_obj.object_list,
        "status_tabs": [(value, label, counts[value]) for value, label in Inquiry.Status.choices],
        "total": sum(counts.values()),
        "current_status": request.GET.get("status", ""),
        "is_asker_role": permissions.is_asker_role(actor),
        "is_owner_role": permissions.is_owner_role(actor),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "status")),
    }
    return render(request, "matching/inquiry_list.html", context)


def _inquiry_context(request, actor, inquiry, **forms) -> dict:
    actions = permissions.inquiry_actions(actor, inquiry)
    transitions = [(status, Inquiry.Status(status).label) for status in actions["transitions"]]
    contacts = selectors.inquiry_contacts(actor=actor, inquiry=inquiry)
    return {
        "inquiry": inquiry,
        "thread": selectors.inquiry_messages(inquiry=inquiry),
        "actions": actions,
        "transitions": transitions,
        "contacts": contacts,
        "contacts_labelled": [(_("专利权人"), contacts["owner"]), (_("咨询单位"), contacts["asker"])]
        if contacts
        else [],
        "message_form": forms.get("message_form") or InquiryMessageForm(),
        "accept_form": forms.get("accept_form") or InquiryAcceptForm(),
        "transition_form": forms.get("transition_form") or InquiryTransitionForm(),
        "status_steps": _status_steps(inquiry),
        # From the agreement to the contract and the deal (finance), linked by foreign keys.
        "contract": Contract.objects.filter(inquiry=inquiry).only("pk", "contract_no", "status").first(),
        "linked_deal": Deal.objects.filter(inquiry=inquiry).only("pk", "deal_no").first(),
        "can_draft_contract": actions["side"] is not None and inquiry.status == Inquiry.Status.AGREED,
    }


def _status_steps(inquiry: Inquiry) -> list[dict]:
    """The happy path new → replied → negotiating → agreed with where the inquiry stands."""
    path = [Inquiry.Status.NEW, Inquiry.Status.REPLIED, Inquiry.Status.NEGOTIATING, Inquiry.Status.AGREED]
    reached = path.index(inquiry.status) if inquiry.status in path else None
    return [
        {"value": step, "label": step.label, "done": reached is not None and i <= reached}
        for i, step in enumerate(path)
    ]


@login_required
def inquiry_detail(request, pk: int):
    actor = actor_for(request.user)
    inquiry = selectors.inquiry_get(actor=actor, pk=pk)
    return render(request, "matching/inquiry_detail.html", _inquiry_context(request, actor, inquiry))


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_create(request, application_no: str):
    actor = actor_for(request.user)
    patent = patent_get(actor=actor, application_no=application_no)
    if not permissions.can_inquire(actor):
        raise PermissionDenied(_("只有已认证的中小微企业用户可以发起咨询。"))
    existing = selectors.inquiry_open_for(organization_id=actor.organization_id, patent_id=patent.pk)
    if existing is not None:
        messages.info(request, _("贵单位已就该专利发起过咨询，请在这里继续沟通。"))
        return redirect("matching:inquiry-detail", pk=existing.pk)
    demands = demand_list_mine(actor=actor).filter(status__in=(Demand.Status.OPEN, Demand.Status.DRAFT))
    match = None
    match_id = request.POST.get("match") or request.GET.get("match")
    if match_id and str(match_id).isdigit():
        try:
            match = selectors.match_get(actor=actor, pk=int(match_id))
        except Http404:
            match = None
        if match is not None and match.patent_id != patent.pk:
            match = None
    initial = {"match": match.pk if match else None}
    if match is not None:
        initial["demand"] = match.demand_id
    elif request.GET.get("demand"):
        initial["demand"] = demands.filter(code=request.GET["demand"]).values_list("pk", flat=True).first()
    form = InquiryForm(request.POST or None, demands=demands, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = inquiry_services.inquiry_create(
                by=request.user,
                patent=patent,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                demand=form.cleaned_data["demand"],
                match=match,
            )
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("咨询已发送，专利权人回复后您会收到通知。"))
            return redirect("matching:inquiry-detail", pk=inquiry.pk)
    context = {"form": form, "patent": patent, "match": match}
    return render(request, "matching/inquiry_form.html", context)


def _inquiry_action(request, pk: int, action):
    """Run one service on a visible inquiry and go back to it, showing what happened."""
    actor = actor_for(request.user)
    inquiry = selectors.inquiry_get(actor=actor, pk=pk)
    try:
        result = action(inquiry)
    except (ApplicationError, ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return redirect("matching:inquiry-detail", pk=inquiry.pk)
    if isinstance(result, str):
        messages.success(request, result)
    return redirect("matching:inquiry-detail", pk=inquiry.pk)


@login_required
@require_POST
def inquiry_reply(request, pk: int):
    form = InquiryMessageForm(request.POST)

    def reply(inquiry):
        if not form.is_valid():
            raise ApplicationError(_("请填写留言内容。"))
        inquiry_services.inquiry_reply(inquiry=inquiry, by=request.user, body=form.cleaned_data["body"])
        return _("留言已发送。")

    return _inquiry_action(request, pk, reply)


@login_required
@require_POST
def inquiry_accept(request, pk: int):
    form = InquiryAcceptForm(request.POST)

    def accept(inquiry):
        note = form.cleaned_data["note"] if form.is_valid() else ""
        inquiry_services.inquiry_accept(inquiry=inquiry, by=request.user, note=note)
        return _("已接受咨询，双方的联系方式已相互公开。")

    return _inquiry_action(request, pk, accept)


@login_required
@require_POST
def inquiry_transition(request, pk: int):
    form = InquiryTransitionForm(request.POST)

    def transition(inquiry):
        if not form.is_valid():
            raise ApplicationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        data = form.cleaned_data
        inquiry_services.inquiry_transition(
            inquiry=inquiry,
            to=data["to"],
            by=request.user,
            note=data["note"],
            deal_reference=data["deal_reference"],
        )
        return _("咨询状态已改为“%(status)s”。") % {"status": Inquiry.Status(data["to"]).label}

    return _inquiry_action(request, pk, transition)


# --- Matches of an owner's patents -------------------------------------------------------------


@login_required
def patent_matches(request):
    """The demands the engine matched to the patents the user's organization (or, for an
    agency, its principals) owns; bureau staff see all."""
    actor = actor_for(request.user)
    if not permissions.can_see_owner_matches(actor):
        raise PermissionDenied(_("该页面供专利权人（高校院所、企业）及其委托的服务机构使用。"))
    owners = patent_inventory_owners(actor=actor)
    owner_id = request.GET.get("owner")
    owner_id = int(owner_id) if owner_id and owner_id.isdigit() else None
    queryset = selectors.match_list_for_owner(actor=actor, owner_id=owner_id)
    application_no = (request.GET.get("patent") or "").strip()
    patent = None
    if application_no:
        patent = patent_get(actor=actor, application_no=application_no)
        if not permissions.can_see_patent_matches(actor, patent):
            raise Http404(_("专利不存在。"))
        queryset = queryset.filter(patent=patent)
    min_score = request.GET.get("min_score")
    if min_score and min_score.isdigit():
        queryset = queryset.filter(score__gte=int(min_score) / 100)
    page_obj = _page(request, queryset)
    context = {
        "page_obj": page_obj,
        "matches": page_obj.object_list,
        "owners": owners,
        "owner_id": owner_id,
        "patent": patent,
        "min_score": min_score or "",
        "score_choices": (("", _("不限")), ("50", "≥ 50%"), ("70", "≥ 70%"), ("85", "≥ 85%")),
        "can_manage_inventory": patent_permissions.can_manage_inventory(actor),
    }
    return render(request, "matching/patent_matches.html", context)
