"""Saved searches and subscriptions: the manage page, saving a patent search from the patent
list, subscribing to demands, and the unsubscribe link of the digest e-mails (no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import ApplicationError, error_text
from portal.permissions import actor_for

from .. import permissions, selectors
from ..forms import DemandSubscriptionForm
from ..services import subscriptions as services
from ._common import _safe_next


@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request):
    """The user's saved searches and subscriptions; institutions subscribe to demands here."""
    actor = actor_for(request.user)
    can_demands = permissions.can_subscribe_demands(actor)
    form = DemandSubscriptionForm(request.POST or None) if can_demands else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有高校院所、企业和服务机构用户可以订阅技术需求。"))
        if form.is_valid():
            try:
                services.subscription_create_demands(
                    by=request.user,
                    industries=form.cleaned_data["industries"],
                    ipc=form.ipc_list(),
                    name=form.cleaned_data["name"],
                )
            except (ApplicationError, PermissionDenied) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("已订阅，新的技术需求将每日汇总通知您。"))
                return redirect("matching:subscription-list")
    context = {
        "subscriptions": selectors.subscription_list(user=request.user),
        "form": form,
        "can_save_searches": permissions.can_save_searches(actor),
    }
    return render(request, "matching/subscription_list.html", context)


@login_required
@require_POST
def subscription_save_search(request):
    """Save the patent search given as ``query`` (the patent list's query string)."""
    query = QueryDict(request.POST.get("query", "")[:2000])
    try:
        services.subscription_create_patent_search(
            by=request.user, query=query, name=request.POST.get("name", "")
        )
    except (ApplicationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return redirect(_safe_next(request, reverse("patents:list")))
    messages.success(request, _("已保存检索，新挂牌的相关专利将每日汇总通知您。"))
    return redirect("matching:subscription-list")


@login_required
@require_POST
def subscription_delete(request, pk: int):
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    services.subscription_delete(subscription=subscription, by=request.user)
    messages.success(request, _("已删除订阅“%(name)s”。") % {"name": subscription.name})
    return redirect("matching:subscription-list")


@login_required
@require_POST
def subscription_toggle(request, pk: int):
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    services.subscription_set_active(subscription=subscription, by=request.user, active=active)
    messages.success(request, _("已恢复订阅。") if active else _("已暂停订阅。"))
    return redirect("matching:subscription-list")


@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request, token: str):
    """The e-mail's unsubscribe link: GET asks to confirm (mail scanners open links), POST stops
    the subscription. The signed token is the proof; no sign-in needed."""
    subscription = services.subscription_from_token(token)
    if subscription is None:
        return render(request, "matching/subscription_unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.subscription_unsubscribe(subscription=subscription)
        return render(
            request, "matching/subscription_unsubscribe.html", {"subscription": subscription, "done": True}
        )
    return render(request, "matching/subscription_unsubscribe.html", {"subscription": subscription})
