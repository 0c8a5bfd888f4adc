"""Saved searches and subscriptions (issue 16, item 5).

An SME saves a search of the patent list (keywords and filters, the list's own FilterSet) and an
institution or agency subscribes to new demands in its industries and IPC classes. Once a day
(Celery beat) each active subscription is checked for items published since it was last checked;
each user with something new gets one digest: an in-app notification and an e-mail whose every
subscription has an unsubscribe link (a signed token that works without signing in).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand
from demands.selectors import demand_list
from patents.filters import PatentFilterSet
from patents.ipc import parse_prefix
from patents.selectors import patent_list
from portal.errors import ApplicationError
from portal.models import Industry
from portal.permissions import actor_for

from ..models import Notification, Subscription
from ..permissions import DEMAND_ROLES, SEARCH_ROLES
from .notifications import _absolute, _wants_email

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "subscription_create_demands",
    "subscription_create_patent_search",
    "subscription_delete",
    "subscription_digest_send",
    "subscription_digest_send_email",
    "subscription_from_token",
    "subscription_new_items",
    "subscription_token",
    "subscription_unsubscribe",
]

MAX_SUBSCRIPTIONS = 20  # per user
MAX_LINES = 10  # items listed per subscription in a digest
# Parameters of the patent list that are not filters (the page, its order, its size).
NOT_FILTERS = frozenset({"page", "sort", "per_page"})
TOKEN_SALT = "matching.subscription.unsubscribe"
TOKEN_MAX_AGE = dt.timedelta(days=400)  # a year of digests, and some


def _require_room(user) -> None:
    if Subscription.objects.filter(user=user).count() >= MAX_SUBSCRIPTIONS:
        raise ApplicationError(_("每个账号最多 %(n)d 项订阅。") % {"n": MAX_SUBSCRIPTIONS})


def _name(name: str, default: str) -> str:
    return (name or "").strip()[:100] or default[:100]


def _patent_params(query: QueryDict | dict) -> dict[str, list[str]]:
    """The patent list's filters from a query string, validated by its FilterSet."""
    if not isinstance(query, QueryDict):
        data = QueryDict(mutable=True)
        for key, values in query.items():
            data.setlist(key, values if isinstance(values, list | tuple) else [values])
        query = data
    params = {
        key: [v.strip() for v in values if v and v.strip()]
        for key, values in query.lists()
        if key not in NOT_FILTERS and key in PatentFilterSet.base_filters
    }
    params = {key: values for key, values in params.items() if values}
    filterset = PatentFilterSet(_query(params), queryset=patent_list(actor=actor_for(None)).none())
    if not filterset.is_valid():
        raise ApplicationError(_("检索条件无效，请在专利超市重新检索后保存。"))
    return params


def _query(params: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, list(values))
    return data


@transaction.atomic
def subscription_create_patent_search(*, by, query: QueryDict | dict, name: str = "") -> Subscription:
    """Save a patent search of an SME (its keyword and filters) to be told of new listings."""
    actor = actor_for(by)
    if actor.role not in SEARCH_ROLES:
        raise PermissionDenied(_("只有中小微企业用户可以订阅专利检索。"))
    params = _patent_params(query)
    _require_room(by)
    default = params.get("q", [""])[0] or _("全部新挂牌专利")
    return Subscription.objects.create(
        user=by, kind=Subscription.Kind.PATENT_SEARCH, name=_name(name, default), params=params
    )


@transaction.atomic
def subscription_create_demands(
    *, by, industries: Iterable[Industry] = (), ipc: Iterable[str] = (), name: str = ""
) -> Subscription:
    """Subscribe an institution or agency to new demands in these industries or IPC classes."""
    actor = actor_for(by)
    if actor.role not in DEMAND_ROLES:
        raise PermissionDenied(_("只有高校院所、企业和服务机构用户可以订阅技术需求。"))
    codes = sorted({i.code for i in industries})
    prefixes = []
    for value in ipc:
        parsed = parse_prefix(value)
        if parsed is None:
            raise ApplicationError(_("IPC分类“%(code)s”无效。") % {"code": value})
        if parsed[1] not in prefixes:
            prefixes.append(parsed[1])
    if not codes and not prefixes:
        raise ApplicationError(_("请至少选择一个产业或填写一个IPC分类。"))
    _require_room(by)
    default = "、".join([*Industry.objects.filter(code__in=codes).values_list("name", flat=True), *prefixes])
    return Subscription.objects.create(
        user=by,
        kind=Subscription.Kind.DEMANDS,
        name=_name(name, default),
        params={"industries": codes, "ipc": prefixes},
    )


def _require_own(subscription: Subscription, by) -> None:
    if subscription.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("只能管理自己的订阅。"))


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by) -> None:
    _require_own(subscription, by)
    subscription.delete()


@transaction.atomic
def subscription_set_active(*, subscription: Subscription, by, active: bool) -> Subscription:
    """Pause or resume one's subscription; resuming starts from now (no backlog)."""
    _require_own(subscription, by)
    subscription.active = bool(active)
    fields = ["active", "updated_at"]
    if active:
        subscription.checked_at = timezone.now()
        fields.append("checked_at")
    subscription.save(update_fields=fields)
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, subscription: Subscription) -> Subscription:
    """Stop a subscription from its e-mail link (no sign-in: the signed token is the proof)."""
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active", "updated_at"])
    return subscription


def subscription_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=TOKEN_SALT, compress=True)


def subscription_from_token(token: str) -> Subscription | None:
    """The subscription a valid unsubscribe token names, or None (bad, expired, or gone)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Subscription.objects.filter(pk=data.get("s"), user_id=data.get("u")).first()


# --- New items and the daily digest -----------------------------------------------------------------


def subscription_new_items(subscription: Subscription, *, since: dt.datetime, until: dt.datetime) -> QuerySet:
    """What the subscriber may see that was published in (since, until] and matches."""
    actor = actor_for(subscription.user)
    if subscription.kind == Subscription.Kind.PATENT_SEARCH:
        listed = (
            patent_list(actor=actor, industries=False)
            .matchable()
            .filter(published_at__gt=since, published_at__lte=until)
        )
        filterset = PatentFilterSet(_query(subscription.params or {}), queryset=listed)
        if not filterset.is_valid():
            return listed.none()
        return filterset.qs.order_by("-published_at", "-id")
    params = subscription.params or {}
    condition = Q(industry__code__in=params.get("industries") or [])
    for prefix in params.get("ipc") or []:
        # ipc_hints is "A01B;H01M 10/052": a prefix starts the field or follows a separator.
        condition |= Q(ipc_hints__istartswith=prefix) | Q(ipc_hints__icontains=f";{prefix}")
    return (
        demand_list(actor=actor)
        .filter(status=Demand.Status.OPEN, published_at__gt=since, published_at__lte=until)
        .filter(condition)
        .order_by("-published_at", "-id")
    )


def _item_line(item) -> str:
    if isinstance(item, Demand):
        return f"• {item.code} {item.title}"
    return f"• {item.application_no} {item.title}（{item.owner.name}）"


def _section(subscription: Subscription, items: list) -> str:
    lines = [_("【%(name)s】%(n)d 项新内容") % {"name": subscription.name, "n": len(items)}]
    lines += [_item_line(item) for item in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        lines.append(_("……另有 %(n)d 项") % {"n": len(items) - MAX_LINES})
    return "\n".join(lines)


@transaction.atomic
def subscription_digest_send(*, now: dt.datetime | None = None) -> int:
    """Check every active subscription for items published since its last check and send each
    user one digest. Idempotent: the checked window moves forward in the same transaction (rows
    locked), so a second run finds nothing new. Returns the number of digests created."""
    now = now or timezone.now()
    due = list(
        Subscription.objects.select_for_update(skip_locked=True)
        .filter(active=True, checked_at__lt=now, user__is_active=True)
        .select_related("user")
        .order_by("user_id", "pk")
    )
    by_user: dict[int, list[tuple[Subscription, list]]] = defaultdict(list)
    for subscription in due:
        items = list(subscription_new_items(subscription, since=subscription.checked_at, until=now))
        if items:
            by_user[subscription.user_id].append((subscription, items))
    Subscription.objects.filter(pk__in=[s.pk for s in due]).update(checked_at=now)
    Subscription.objects.filter(pk__in=[s.pk for group in by_user.values() for s, _i in group]).update(
        last_sent_at=now
    )
    digests = []
    for sections in by_user.values():
        user = sections[0][0].user
        total = sum(len(items) for _s, items in sections)
        notification = Notification.objects.create(
            user=user,
            kind=Notification.Kind.DIGEST,
            title=_("订阅摘要：%(n)d 项新内容") % {"n": total},
            body="\n\n".join(_section(s, items) for s, items in sections),
            url=reverse("matching:subscription-list"),
        )
        digests.append((notification.pk, [s.pk for s, _items in sections], _wants_email(user)))
    queued = [(pk, ids) for pk, ids, email in digests if email]
    if queued:
        from ..tasks.subscriptions import subscription_digest_send_email as send_task

        def queue() -> None:
            for pk, ids in queued:
                send_task.delay(notification_id=pk, subscription_ids=ids)

        transaction.on_commit(queue)
    logger.info("subscription digest: %d users, %d subscriptions checked", len(digests), len(due))
    return len(digests)


@transaction.atomic
def subscription_digest_send_email(*, notification: Notification, subscription_ids: list[int]) -> bool:
    """E-mail a digest once (row locked; idempotent), with an unsubscribe link per subscription."""
    locked = (
        Notification.objects.select_for_update().filter(pk=notification.pk, emailed_at__isnull=True).first()
    )
    if locked is None:
        return False
    user = get_user_model().objects.select_related("membership").get(pk=locked.user_id)
    if not _wants_email(user):
        return False
    subscriptions = Subscription.objects.filter(pk__in=subscription_ids, user=user, active=True).order_by(
        "pk"
    )
    lines = [locked.body.strip(), "", _("管理订阅：%(url)s") % {"url": _absolute(locked.url)}]
    for subscription in subscriptions:
        url = reverse("matching:subscription-unsubscribe", kwargs={"token": subscription_token(subscription)})
        lines.append(_("退订“%(name)s”：%(url)s") % {"name": subscription.name, "url": _absolute(url)})
    send_mail(
        subject=f"[{settings.PORTAL_SITE_NAME}] {locked.title}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[user.email],
    )
    locked.emailed_at = timezone.now()
    locked.save(update_fields=["emailed_at"])
    return True
