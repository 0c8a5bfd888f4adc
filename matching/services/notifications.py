"""Notifications: an in-app row per user, and an e-mail copy sent by a Celery task after commit
unless the user turned e-mail off (``Membership.email_notifications``)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from portal.models import Organization
from portal.permissions import Actor

from ..models import Match, Notification
from ..notification_texts import notification_body, notification_title, render_body, render_title

logger = logging.getLogger(__name__)

__all__ = [
    "match_notify_min_score",
    "notification_create",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send_email",
    "notify_new_matches",
    "owner_side_organization_ids",
]

DEFAULT_NOTIFY_MIN_SCORE = 0.5
MAX_LINES = 10


def match_notify_min_score() -> float:
    """Matches scoring at least this are announced (setting ``MATCHING_NOTIFY_MIN_SCORE``)."""
    return float(getattr(settings, "MATCHING_NOTIFY_MIN_SCORE", DEFAULT_NOTIFY_MIN_SCORE))


def owner_side_organization_ids(owner_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each patent owner: itself and the agencies acting for it (``Organization.agencies``)."""
    owner_ids = set(owner_ids)
    sides = {owner_id: {owner_id} for owner_id in owner_ids}
    through = Organization.agencies.through
    for owner_id, agency_id in through.objects.filter(from_organization_id__in=owner_ids).values_list(
        "from_organization_id", "to_organization_id"
    ):
        sides[owner_id].add(agency_id)
    return sides


def _wants_email(user) -> bool:
    if not user.email or not user.is_active:
        return False
    membership = getattr(user, "membership", None)
    return membership is None or membership.email_notifications


def _recipients(*, users: Iterable, organization_ids: Iterable[int], exclude_user) -> list:
    """Active users given directly or as members of the organizations, each once."""
    user_ids = {user.pk for user in users}
    organization_ids = set(organization_ids)
    if not user_ids and not organization_ids:
        return []
    queryset = get_user_model().objects.filter(
        Q(pk__in=user_ids) | Q(membership__organization_id__in=organization_ids), is_active=True
    )
    if exclude_user is not None and getattr(exclude_user, "pk", None):
        queryset = queryset.exclude(pk=exclude_user.pk)
    return list(queryset.select_related("membership").distinct().order_by("pk"))


@transaction.atomic
def notification_create(
    *,
    kind: str,
    title: str = "",
    body: str = "",
    url: str = "",
    users: Iterable = (),
    organization_ids: Iterable[int] = (),
    exclude_user=None,
    text_code: str = "",
    text_params: dict | None = None,
) -> list[Notification]:
    """Notify ``users`` and the active members of ``organization_ids`` (each user once, never
    ``exclude_user``, the one who caused it). ``text_code`` and ``text_params`` say what ``title`` and
    ``body`` say, to render them in each reader's language (``matching.notification_texts``);
    given a code alone, the stored title and body are rendered from it. E-mail copies are queued
    after commit for those who have an address and did not turn e-mail off; nothing is sent inside
    the request."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if text_code and not title:
        # The stored copy (shown only if the code can no longer be rendered) in the default language.
        with translation.override(settings.LANGUAGE_CODE):
            message = _coded_message(kind, url, text_code, text_params or {})
        message.body = body or message.body
    else:
        message = _Message(kind, title, body, url, text_code, text_params or {})
    if not message.title:
        raise ValueError("a notification needs a title or a text code that renders one")
    recipients = _recipients(users=users, organization_ids=organization_ids, exclude_user=exclude_user)
    return _store([(message, user) for user in recipients])


@dataclass(slots=True)
class _Message:
    """What one notification says, before it is addressed to its readers."""

    kind: str
    title: str
    body: str
    url: str
    text_code: str
    text_params: dict

    def to(self, user) -> Notification:
        return Notification(
            user=user,
            kind=self.kind,
            title=self.title[:200],
            body=self.body,
            url=self.url[:300],
            text_code=self.text_code,
            text_params=self.text_params,
        )


def _coded_message(kind: str, url: str, text_code: str, text_params: dict) -> _Message:
    """A message whose stored title and body are rendered from its text code (in the active
    language: the caller chooses the default one), as ``notification_create`` does."""
    return _Message(
        kind,
        render_title(text_code, text_params, ""),
        render_body(text_code, text_params, ""),
        url,
        text_code,
        text_params,
    )


def _store(addressed: list[tuple[_Message, object]]) -> list[Notification]:
    """One INSERT for every (message, reader) pair; e-mail copies queued after commit."""
    if not addressed:
        return []
    notifications = Notification.objects.bulk_create(
        [message.to(user) for message, user in addressed], batch_size=1000
    )
    email_ids = [n.pk for n, (_m, user) in zip(notifications, addressed, strict=True) if _wants_email(user)]
    if email_ids:
        from ..tasks.notifications import notification_send_email as send_task

        def queue() -> None:
            for pk in email_ids:
                send_task.delay(notification_id=pk)

        transaction.on_commit(queue)
    return notifications


def _absolute(url: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


@transaction.atomic
def notification_send_email(*, notification: Notification) -> bool:
    """Send the e-mail copy of a notification once (locks the row; idempotent). Returns whether
    a message was sent: not when already sent or the user has no address or opted out since."""
    locked = (
        Notification.objects.select_for_update()
        .filter(pk=notification.pk, emailed_at__isnull=True)
        .select_related("user")
        .first()
    )
    if locked is None:
        return False
    user = locked.user
    # Re-read the preference: the user may have turned e-mail off since the row was created.
    user = get_user_model().objects.select_related("membership").get(pk=user.pk)
    if not _wants_email(user):
        return False
    body = notification_body(locked).strip()
    lines = [body] if body else []
    if locked.url:
        lines.append(_("查看详情：%(url)s") % {"url": _absolute(locked.url)})
    lines.append("")
    lines.append(
        _("如不希望接收邮件通知，可登录平台在“个人资料”（%(url)s）中关闭。")
        % {"url": _absolute(reverse("portal:profile"))}
    )
    send_mail(
        subject=f"[{settings.PORTAL_SITE_NAME}] {notification_title(locked)}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[user.email],
    )
    locked.emailed_at = timezone.now()
    locked.save(update_fields=["emailed_at"])
    notification.emailed_at = locked.emailed_at
    return True


def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    if notification.user_id != actor.user.pk:  # callers look it up among the actor's own
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: Actor) -> int:
    """Mark every unread notification of the acting user read; returns how many."""
    return Notification.objects.filter(user=actor.user, read_at__isnull=True).update(read_at=timezone.now())


# --- New matches --------------------------------------------------------------------------------


def _line_params(match: Match, *, for_owner: bool) -> dict:
    line = {
        "patent": match.patent.title,
        "no": match.patent.application_no,
        "score": round(match.score * 100),
        "reasons": [str(r) for r in (match.reasons or [])[:3]],
    }
    if for_owner:
        public = match.demand.visibility == Demand.Visibility.PUBLIC
        line.update(demand_code=match.demand.code, demand_title=match.demand.title if public else "")
    else:
        line["owner"] = match.patent.owner.name
    return line


def _text_params(matches: list[Match], *, for_owner: bool, **values) -> dict:
    return {
        **values,
        "n": len(matches),
        "lines": [_line_params(m, for_owner=for_owner) for m in matches[:MAX_LINES]],
        "more": max(len(matches) - MAX_LINES, 0),
    }


def _members_by_organization(organization_ids: set[int]) -> dict[int, list]:
    """The active members of each organization (a user belongs to one), in one query."""
    members: dict[int, list] = defaultdict(list)
    users = (
        get_user_model()
        .objects.filter(membership__organization_id__in=organization_ids, is_active=True)
        .select_related("membership")
        .order_by("pk")
    )
    for user in users:
        members[user.membership.organization_id].append(user)
    return members


def _readers(members: dict[int, list], organization_ids: Iterable[int]) -> list:
    """The members of these organizations, each once, in id order (as ``_recipients``)."""
    readers = {user.pk: user for pk in organization_ids for user in members.get(pk, ())}
    return [readers[pk] for pk in sorted(readers)]


@transaction.atomic
def notify_new_matches(match_ids: Iterable[int]) -> int:
    """Announce new high-scoring matches (score ≥ ``MATCHING_NOTIFY_MIN_SCORE``) to both sides:
    the demand's SME (one notification per demand) and the patent's owner with the agencies
    acting for it (one per owner). Each match is announced once (``Match.notified``); matches of
    demands no longer open or patents no longer published are skipped. The matching engine calls
    this after a run with the ids it created. Returns how many notifications were created."""
    match_ids = list(dict.fromkeys(int(pk) for pk in match_ids))
    if not match_ids:
        return 0
    threshold = match_notify_min_score()
    # Lock the rows so two runs finishing together cannot announce the same match twice.
    due = list(
        Match.objects.select_for_update(skip_locked=True)
        .filter(pk__in=match_ids, notified=False, score__gte=threshold)
        .values_list("pk", flat=True)
    )
    if not due:
        return 0
    Match.objects.filter(pk__in=due).update(notified=True)
    matches = list(
        Match.objects.filter(
            pk__in=due,
            demand__status=Demand.Status.OPEN,
            patent__listing_status=Patent.ListingStatus.PUBLISHED,
        )
        .select_related("demand", "demand__organization", "patent", "patent__owner")
        .order_by("-score", "pk")
    )
    by_demand: dict[int, list[Match]] = defaultdict(list)
    by_owner: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        by_demand[match.demand_id].append(match)
        by_owner[match.patent.owner_id].append(match)

    # Every reader of every group read in one query and every notification written in one INSERT:
    # a first full run announces thousands of matches, and a query or two per group was what kept
    # the cold run above its bound (docs/matching.md).
    sides = owner_side_organization_ids(by_owner)
    members = _members_by_organization(
        {m.demand.organization_id for m in matches} | {pk for side in sides.values() for pk in side}
    )
    addressed: list[tuple[_Message, object]] = []
    with translation.override(settings.LANGUAGE_CODE):
        for group in by_demand.values():
            demand = group[0].demand
            message = _coded_message(
                Notification.Kind.MATCH,
                reverse("demands:demand-detail", kwargs={"code": demand.code}),
                "match.demand",
                _text_params(group, for_owner=False, title=demand.title),
            )
            addressed += [(message, user) for user in _readers(members, [demand.organization_id])]
        for owner_id, group in by_owner.items():
            message = _coded_message(
                Notification.Kind.MATCH,
                reverse("matching:patent-matches") + f"?owner={owner_id}",
                "match.owner",
                _text_params(group, for_owner=True, owner=group[0].patent.owner.name),
            )
            addressed += [(message, user) for user in _readers(members, sides[owner_id])]
    created = len(_store(addressed))
    logger.info("notified %d users about %d new matches", created, len(matches))
    return created
