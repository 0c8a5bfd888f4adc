"""The user's notifications: list, mark read, mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.permissions import actor_for

from .. import selectors
from ..filters import NotificationFilterSet
from ..services import notifications as notification_services
from ._common import _page, _safe_next


@login_required
def notification_list(request):
    queryset = selectors.notification_list(user=request.user)
    filterset = NotificationFilterSet(request.GET, queryset=queryset, request=request)
    page_obj = _page(request, filterset.qs if filterset.is_valid() else queryset)
    context = {
        "page_obj": page_obj,
        "notifications": page_obj.object_list,
        "unread_only": request.GET.get("unread") in ("true", "1", "True"),
        "membership": getattr(request.user, "membership", None),
    }
    return render(request, "matching/notification_list.html", context)


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and go to what it is about (or back to the list)."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    notification_services.notification_mark_read(notification=notification, actor=actor_for(request.user))
    if request.POST.get("open") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect(_safe_next(request, reverse("matching:notification-list")))


@login_required
@require_POST
def notification_read_all(request):
    count = notification_services.notification_mark_all_read(actor=actor_for(request.user))
    messages.success(request, _("已将 %(n)d 条通知标为已读。") % {"n": count})
    return redirect(_safe_next(request, reverse("matching:notification-list")))
