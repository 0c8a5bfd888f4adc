"""Reads of what a user is told: notifications and demand subscriptions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ..models import Notification, Subscription


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    queryset = Notification.objects.filter(user=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-pk")


def notification_get(*, user, pk: int) -> Notification:
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("通知不存在。"))
    return notification


def notification_unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def subscription_list(*, user) -> QuerySet[Subscription]:
    """The user's own saved searches and subscriptions, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    return Subscription.objects.filter(user=user).order_by("-created_at", "-pk")


def subscription_get(*, user, pk: int) -> Subscription:
    """One of the user's subscriptions; 404 for another user's or a missing one."""
    return get_object_or_404(subscription_list(user=user), pk=pk)
