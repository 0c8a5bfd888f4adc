"""The public event calendar and detail; event management for bureau staff; registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import ApplicationError, error_text
from portal.permissions import Role, actor_for

from .. import permissions, selectors
from ..filters import EventFilterSet
from ..forms import EventForm, EventOutcomeForm, EventRegistrationForm
from ..models import Event
from ..services import events as event_services
from ._common import _page


def event_list(request):
    """The public calendar: upcoming events by month (soonest first), past ones below."""
    actor = actor_for(request.user)
    today = timezone.localdate()
    filterset = EventFilterSet(request.GET, queryset=selectors.event_list(), request=request)
    events = filterset.qs if filterset.is_valid() else selectors.event_list().none()
    show = request.GET.get("show", "upcoming")
    if show == "past":
        events = events.filter(date__lt=today).order_by("-date", "-pk")
    else:
        show = "upcoming"
        events = events.filter(date__gte=today).order_by("date", "pk")
    page_obj = _page(request, events)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "months": selectors.events_by_month(page_obj.object_list),
        "show": show,
        "today": today,
        "upcoming_count": selectors.events_count(date_from=today),
        "can_manage": permissions.can_manage_events(actor),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "show")),
    }
    return render(request, "matching/event_list.html", context)


def event_detail(request, pk: int):
    actor = actor_for(request.user)
    event = selectors.event_get(pk=pk)
    today = timezone.localdate()
    can_manage = permissions.can_manage_events(actor)
    registrations = selectors.event_registrations(actor=actor, event=event)
    own_registration = (
        event.registrations.filter(organization_id=actor.organization_id).first()
        if actor.organization_id is not None
        else None
    )
    own_registered = own_registration is not None
    context = {
        "event": event,
        "patents": selectors.event_patents(actor=actor, event=event),
        "demands": selectors.event_demands(actor=actor, event=event),
        "registrations": registrations,
        "is_upcoming": event.date >= today,
        "can_manage": can_manage,
        "can_register_self": permissions.can_register_self(actor) and event.date >= today,
        "own_registered": own_registered,
        "outcome_form": EventOutcomeForm(
            initial={"intentions_signed": event.intentions_signed, "outcome_notes": event.outcome_notes}
        ),
        "registration_form": EventRegistrationForm(),
        "is_anonymous": actor.role == Role.ANONYMOUS,
        # 银企对接: an SME decides whether banks see its pledgeable patents.
        "own_registration": own_registration,
        "asks_bank_consent": permissions.can_share_with_banks(actor, event),
    }
    return render(request, "matching/event_detail.html", context)


def _require_event_manager(request):
    if not permissions.can_manage_events(actor_for(request.user)):
        raise PermissionDenied(_("只有知识产权管理部门的工作人员可以管理对接活动。"))


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    _require_event_manager(request)
    form = EventForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            event = event_services.event_create(by=request.user, **form.service_kwargs())
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("活动“%(title)s”已创建。") % {"title": event.title})
            return redirect("matching:event-detail", pk=event.pk)
    return render(request, "matching/event_form.html", {"form": form, "is_new": True})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    _require_event_manager(request)
    event = selectors.event_get(pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event_services.event_update(event=event, by=request.user, **form.service_kwargs())
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("matching:event-detail", pk=event.pk)
    return render(request, "matching/event_form.html", {"form": form, "event": event, "is_new": False})


def _event_action(request, pk: int, action):
    event = selectors.event_get(pk=pk)
    try:
        message = action(event)
    except (ApplicationError, ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, message)
    return redirect("matching:event-detail", pk=event.pk)


@login_required
@require_POST
def event_register(request, pk: int):
    """Register one's own organization, or (staff) the organization with the given credit code."""
    actor = actor_for(request.user)

    def register(event: Event):
        organization = None
        if permissions.can_manage_events(actor) and request.POST.get("credit_code"):
            form = EventRegistrationForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(" ".join(form.errors["credit_code"]))
            organization = form.cleaned_data["credit_code"]
        registration = event_services.event_register(
            event=event,
            by=request.user,
            organization=organization,
            shares_with_banks=organization is None and request.POST.get("shares_with_banks") == "on",
        )
        return _("%(org)s已报名“%(title)s”。") % {"org": registration.organization.name, "title": event.title}

    return _event_action(request, pk, register)


@login_required
@require_POST
def event_unregister(request, pk: int):
    actor = actor_for(request.user)

    def unregister(event: Event):
        organization = None
        if permissions.can_manage_events(actor) and request.POST.get("organization"):
            registration = event.registrations.filter(organization_id=request.POST["organization"]).first()
            if registration is None:
                raise ApplicationError(_("该单位未报名。"))
            organization = registration.organization
        event_services.event_unregister(event=event, by=request.user, organization=organization)
        return _("已取消报名。")

    return _event_action(request, pk, unregister)


@login_required
@require_POST
def event_outcome(request, pk: int):
    _require_event_manager(request)
    form = EventOutcomeForm(request.POST)

    def record(event: Event):
        if not form.is_valid():
            raise ApplicationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        event_services.event_record_outcome(event=event, by=request.user, **form.cleaned_data)
        return _("活动成效已记录。")

    return _event_action(request, pk, record)


@login_required
@require_POST
def event_share_with_banks(request, pk: int):
    """An SME gives or withdraws its consent that banks see its pledgeable patents (银企对接)."""
    actor = actor_for(request.user)

    def share(event: Event):
        registration = event.registrations.filter(organization_id=actor.organization_id).first()
        if registration is None:
            raise ApplicationError(_("贵单位尚未报名该活动。"))
        shares = request.POST.get("shares") == "1"
        event_services.event_registration_share_with_banks(
            registration=registration, by=request.user, shares=shares
        )
        return _("已同意向银行展示本单位可质押专利。") if shares else _("已撤回向银行展示专利的同意。")

    return _event_action(request, pk, share)
