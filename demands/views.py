"""Pages of demands: browse, detail, "my demands", post/edit and the state buttons. Thin: they
call selectors and services and show their messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.confirm import confirmation_page
from portal.errors import ApplicationError
from portal.permissions import Role, actor_for

from . import permissions, services
from .filters import DemandFilterSet
from .forms import DemandForm, DemandRenewForm, add_model_errors
from .models import Demand
from .selectors import demand_duplicates_of, demand_get, demand_list, demand_list_mine, demand_status_counts

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _filtered(request, queryset, *, default_status: str | None):
    data = request.GET.copy()
    if default_status is not None:
        # Visitors come for open demands; "status=" (empty) asks for every status one may see.
        data.setdefault("status", default_status)
    filterset = DemandFilterSet(data, queryset=queryset, request=request)
    return filterset, filterset.qs if filterset.is_valid() else queryset.none()


def demand_list_view(request):
    actor = actor_for(request.user)
    filterset, queryset = _filtered(request, demand_list(actor=actor), default_status=Demand.Status.OPEN)
    # Only those who can see more than open demands get the status and source filters.
    if not permissions.sees_all_statuses(actor):
        del filterset.form.fields["status"]
        del filterset.form.fields["source"]
    page_obj = _page(request, queryset)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page_obj,
        "demands": page_obj.object_list,
        "can_create": permissions.can_create(actor),
        "sees_details": permissions.sees_open_details(actor),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "ordering")),
    }
    return render(request, "demands/demand_list.html", context)


def demand_detail_view(request, code: str):
    actor = actor_for(request.user)
    demand = demand_get(actor=actor, code=code)
    can_edit = permissions.can_edit(actor, demand)
    show_duplicates = permissions.can_see_duplicates(actor, demand)
    context = {
        "demand": demand,
        "can_view_details": permissions.can_view_details(actor, demand),
        "can_edit": can_edit and demand.status in Demand.EDITABLE_STATUSES,
        "can_publish": can_edit and demand.status == Demand.Status.DRAFT,
        "can_renew": can_edit and demand.status in (Demand.Status.OPEN, Demand.Status.EXPIRED),
        "can_delete": can_edit and demand.status == Demand.Status.DRAFT and demand.published_at is None,
        "can_close": permissions.can_close(actor, demand)
        and demand.status in (Demand.Status.DRAFT, Demand.Status.OPEN, Demand.Status.EXPIRED),
        "is_owner": can_edit,
        "show_duplicates": show_duplicates,
        "duplicates": demand_duplicates_of(demand=demand) if show_duplicates else [],
        "renew_form": DemandRenewForm(),
        "is_anonymous": actor.role == Role.ANONYMOUS,
    }
    return render(request, "demands/demand_detail.html", context)


@login_required
def demand_mine_view(request):
    actor = actor_for(request.user)
    if not permissions.has_own_demands(actor):
        raise PermissionDenied(_("“我的需求”只对中小微企业用户开放。"))
    filterset, queryset = _filtered(request, demand_list_mine(actor=actor), default_status=None)
    page_obj = _page(request, queryset)
    counts = demand_status_counts(actor=actor)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "demands": page_obj.object_list,
        "status_tabs": [(value, label, counts[value]) for value, label in Demand.Status.choices],
        "current_status": request.GET.get("status", ""),
        "organization": actor.organization,
        "renew_form": DemandRenewForm(),
    }
    return render(request, "demands/demand_mine.html", context)


def _after_save_messages(request, demand: Demand, published: bool) -> None:
    if published:
        messages.success(
            request,
            _("需求“%(title)s”已发布，编号 %(code)s。") % {"title": demand.title, "code": demand.code},
        )
    else:
        messages.success(request, _("需求“%(title)s”已保存。") % {"title": demand.title})
    if demand.duplicate_of_id:
        messages.warning(
            request,
            _(
                "该需求与本单位已发布的需求 %(code)s“%(title)s”相似，可能重复。如确属同一需求，请关闭其中之一。"
            )
            % {"code": demand.duplicate_of.code, "title": demand.duplicate_of.title},
        )


@login_required
@require_http_methods(["GET", "POST"])
def demand_create_view(request):
    actor = actor_for(request.user)
    if not permissions.can_create(actor):
        raise PermissionDenied(_("只有中小微企业的用户可以发布技术需求。"))
    form = DemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        try:
            demand = services.demand_create(by=request.user, publish=publish, **form.service_kwargs())
        except ApplicationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            _after_save_messages(request, demand, publish)
            return redirect("demands:demand-detail", code=demand.code)
    context = {"form": form, "organization": actor.organization, "is_new": True}
    return render(request, "demands/demand_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit_view(request, code: str):
    actor = actor_for(request.user)
    demand = demand_get(actor=actor, code=code)
    if not permissions.can_edit(actor, demand):
        raise PermissionDenied(_("您无权修改该需求。"))
    if demand.status not in Demand.EDITABLE_STATUSES:
        messages.error(request, _("%(status)s的需求不能再修改。") % {"status": demand.get_status_display()})
        return redirect("demands:demand-detail", code=demand.code)
    form = DemandForm(
        request.POST or None, initial=DemandForm.initial_for(demand), current_deadline=demand.deadline
    )
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST and demand.status == Demand.Status.DRAFT
        try:
            demand = services.demand_update(demand=demand, by=request.user, **form.service_kwargs())
            if publish:
                demand = services.demand_publish(demand=demand, by=request.user)
        except ApplicationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            _after_save_messages(request, demand, publish)
            return redirect("demands:demand-detail", code=demand.code)
    context = {"form": form, "demand": demand, "organization": demand.organization, "is_new": False}
    return render(request, "demands/demand_form.html", context)


def _back(request, demand: Demand):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("demands:demand-detail", code=demand.code)


def _state_change(request, code: str, action, success: str):
    demand = demand_get(actor=actor_for(request.user), code=code)
    try:
        demand = action(demand)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"code": demand.code, "deadline": demand.deadline})
    return _back(request, demand)


@login_required
@require_POST
def demand_publish_view(request, code: str):
    return _state_change(
        request,
        code,
        lambda d: services.demand_publish(demand=d, by=request.user),
        _("需求 %(code)s 已发布。"),
    )


@login_required
@require_POST
def demand_close_view(request, code: str):
    return _state_change(
        request, code, lambda d: services.demand_close(demand=d, by=request.user), _("需求 %(code)s 已关闭。")
    )


@login_required
@require_POST
def demand_renew_view(request, code: str):
    form = DemandRenewForm(request.POST)
    if not form.is_valid():
        demand = demand_get(actor=actor_for(request.user), code=code)
        messages.error(request, " ".join(form.errors.get("deadline", [_("请填写新的截止日期。")])))
        return _back(request, demand)
    deadline = form.cleaned_data["deadline"]
    return _state_change(
        request,
        code,
        lambda d: services.demand_renew(demand=d, by=request.user, deadline=deadline),
        _("需求 %(code)s 已续期至 %(deadline)s。"),
    )


@login_required
@require_POST
def demand_delete_view(request, code: str):
    demand = demand_get(actor=actor_for(request.user), code=code)
    if (
        permissions.can_edit(request.user, demand)
        and demand.status == Demand.Status.DRAFT
        and demand.published_at is None
    ):
        page = confirmation_page(
            request,
            question=_("确定删除该草稿吗？"),
            detail=demand.title,
            cancel_url=reverse("demands:demand-detail", kwargs={"code": demand.code}),
        )
        if page is not None:
            return page
    try:
        services.demand_delete(demand=demand, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("demands:demand-detail", code=demand.code)
    messages.success(request, _("草稿 %(code)s 已删除。") % {"code": code})
    return redirect(reverse("demands:mine"))
