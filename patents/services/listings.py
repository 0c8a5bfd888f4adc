"""The listing lifecycle: draft → submitted → published → expired / withdrawn / traded; reminders
and the daily maintenance."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import Membership
from portal.permissions import Actor

from .. import permissions
from ..identifiers import add_years
from ..models import Patent
from ..signals import listing_reviewed, listings_published
from ._shared import LISTING_YEARS, RENEWAL_REMINDER_DAYS, _bulk_set_with_history, _require, _withdraw
from .open_licenses import open_license_end_due

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Listing lifecycle: draft -> submitted -> published -> expired / withdrawn / traded
# ---------------------------------------------------------------------------------------------


def _assert_listable(patent: Patent) -> None:
    if not patent.in_force:
        raise ApplicationError(
            _("专利处于“%(status)s”状态或已届满，不能挂牌。") % {"status": patent.get_legal_status_display()}
        )
    if not (patent.deal_kinds or patent.open_license):
        raise ApplicationError(_("请至少选择一种交易方式（转让、许可、作价入股）或开放许可。"))


def patent_queue_matching(*, patent_ids: Iterable[int]) -> None:
    """After commit, announce these newly listed patents (``signals.listings_published``): the
    matching engine, which depends on this app, subscribes and scores open demands against them."""
    ids = sorted(set(patent_ids))
    if ids:
        transaction.on_commit(lambda: listings_published.send(sender=Patent, patent_ids=ids))


def _publish(patent: Patent, *, today: datetime.date | None = None) -> Patent:
    now = timezone.now()
    today = today or timezone.localdate()
    if patent.listing_status != Patent.ListingStatus.PUBLISHED or patent.published_at is None:
        patent.published_at = now
    patent.listing_status = Patent.ListingStatus.PUBLISHED
    patent.listed_until = add_years(today, LISTING_YEARS)
    patent.renewal_reminded_at = None
    patent.review_note = ""
    patent.save(
        update_fields=[
            "listing_status",
            "published_at",
            "listed_until",
            "renewal_reminded_at",
            "review_note",
            "updated_at",
        ]
    )
    patent_queue_matching(patent_ids=[patent.pk])
    return patent


@transaction.atomic
def patent_submit(*, patent: Patent, actor: Actor) -> Patent:
    """Submit a listing for review; reviewers (and verified institutions when direct publishing is
    on) publish at once."""
    _require(permissions.can_edit(actor, patent))
    allowed = (
        Patent.ListingStatus.DRAFT,
        Patent.ListingStatus.WITHDRAWN,
        Patent.ListingStatus.EXPIRED,
    )
    if patent.listing_status not in allowed:
        raise ApplicationError(_("只有草稿、已撤回或已到期的挂牌可以提交。"))
    _assert_listable(patent)
    if permissions.can_publish_directly(actor, patent):
        return _publish(patent)
    patent.listing_status = Patent.ListingStatus.SUBMITTED
    patent.submitted_at = timezone.now()
    patent.review_note = ""
    patent.save(update_fields=["listing_status", "submitted_at", "review_note", "updated_at"])
    return patent


@transaction.atomic
def patent_publish(*, patent: Patent, actor: Actor) -> Patent:
    """Publish a listing (review passed); valid for 12 months."""
    _require(permissions.can_publish_directly(actor, patent))
    if patent.listing_status == Patent.ListingStatus.PUBLISHED:
        raise ApplicationError(_("该专利已发布。"))
    if patent.listing_status == Patent.ListingStatus.TRADED:
        raise ApplicationError(_("已成交的专利不能再次发布。"))
    _assert_listable(patent)
    return _publish(patent)


@transaction.atomic
def patent_approve(*, patent: Patent, actor: Actor) -> Patent:
    """Review passed: publish a submitted listing and tell its owner side (``listing_reviewed``)."""
    if patent.listing_status != Patent.ListingStatus.SUBMITTED:
        raise ApplicationError(_("只有待审核的挂牌可以审核。"))
    _require(permissions.can_review(actor, patent))
    patent_publish(patent=patent, actor=actor)
    listing_reviewed.send(sender=Patent, patent=patent, approved=True, note="", reviewer=actor.user)
    return patent


@transaction.atomic
def patent_reject(*, patent: Patent, actor: Actor, note: str) -> Patent:
    """Send a submitted listing back to its owner as a draft, with the reviewer's note; its owner
    side is told (``listing_reviewed``)."""
    _require(permissions.can_review(actor, patent))
    if patent.listing_status != Patent.ListingStatus.SUBMITTED:
        raise ApplicationError(_("只有待审核的挂牌可以退回。"))
    if not (note or "").strip():
        raise ApplicationError(_("退回时请填写审核意见。"))
    patent.listing_status = Patent.ListingStatus.DRAFT
    patent.review_note = note.strip()[:500]
    patent.save(update_fields=["listing_status", "review_note", "updated_at"])
    listing_reviewed.send(
        sender=Patent, patent=patent, approved=False, note=patent.review_note, reviewer=actor.user
    )
    return patent


@transaction.atomic
def patent_withdraw(*, patent: Patent, actor: Actor, note: str = "") -> Patent:
    """Take a submitted or published listing off the market."""
    _require(permissions.can_edit(actor, patent) or permissions.can_review(actor, patent))
    if patent.listing_status not in Patent.LIVE_LISTING_STATUSES:
        raise ApplicationError(_("只有待审核或已发布的挂牌可以撤回。"))
    return _withdraw(patent, note=note)


@transaction.atomic
def patent_renew(*, patent: Patent, actor: Actor) -> Patent:
    """Extend a published (or lapsed-by-time) listing for another 12 months from today."""
    _require(permissions.can_edit(actor, patent) or permissions.can_review(actor, patent))
    if patent.listing_status not in (Patent.ListingStatus.PUBLISHED, Patent.ListingStatus.EXPIRED):
        raise ApplicationError(_("只有已发布或已到期的挂牌可以续期。"))
    _assert_listable(patent)
    return _publish(patent)


def _listing_reminder_recipients(owner_ids: set[int]) -> dict[int, list[str]]:
    recipients: dict[int, list[str]] = {}
    members = Membership.objects.filter(
        organization_id__in=owner_ids, email_notifications=True, user__is_active=True
    ).exclude(user__email="")
    for organization_id, email in members.values_list("organization_id", "user__email"):
        recipients.setdefault(organization_id, []).append(email)
    return recipients


@transaction.atomic
def patent_listings_remind(*, actor: Actor, today: datetime.date | None = None) -> int:
    """E-mail owners whose listings expire within 30 days (once per listing period)."""
    today = today or timezone.localdate()
    due = list(
        Patent.objects.filter(
            listing_status=Patent.ListingStatus.PUBLISHED,
            listed_until__lte=today + datetime.timedelta(days=RENEWAL_REMINDER_DAYS),
            listed_until__gte=today,
            renewal_reminded_at__isnull=True,
        ).only("id", "application_no", "title", "owner_id", "listed_until")
    )
    if not due:
        return 0
    recipients = _listing_reminder_recipients({p.owner_id for p in due})
    by_owner: dict[int, list[Patent]] = {}
    for patent in due:
        by_owner.setdefault(patent.owner_id, []).append(patent)
    for owner_id, patents in by_owner.items():
        emails = recipients.get(owner_id)
        if not emails:
            continue
        lines = "\n".join(f"{p.application_no} {p.title}（{p.listed_until} 到期）" for p in patents)
        send_mail(
            subject=_("专利挂牌即将到期，请及时续期"),
            message=_("以下专利挂牌将在 30 天内到期，登录平台“本单位专利”即可续期：\n\n") + lines,
            from_email=None,
            recipient_list=emails,
            fail_silently=True,
        )
    Patent.objects.filter(pk__in=[p.pk for p in due]).update(renewal_reminded_at=timezone.now())
    return len(due)


@transaction.atomic
def patent_listings_expire(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Listings past their 12 months become expired."""
    today = today or timezone.localdate()
    due = Patent.objects.filter(listing_status=Patent.ListingStatus.PUBLISHED, listed_until__lt=today)
    return _bulk_set_with_history(due, actor=actor, listing_status=Patent.ListingStatus.EXPIRED)


@transaction.atomic
def patent_listings_withdraw_lapsed(*, actor: Actor, today: datetime.date | None = None) -> dict:
    """Granted/pending patents past their term become expired; live listings of patents that
    lapsed, expired or were invalidated are withdrawn."""
    today = today or timezone.localdate()
    term_over = Patent.objects.filter(legal_status__in=Patent.IN_FORCE_STATUSES, expiry_date__lt=today)
    expired = _bulk_set_with_history(
        term_over, actor=actor, legal_status=Patent.LegalStatus.EXPIRED, dormant=False
    )
    dead_live = Patent.objects.filter(
        legal_status__in=Patent.DEAD_STATUSES, listing_status__in=Patent.LIVE_LISTING_STATUSES
    )
    withdrawn = _bulk_set_with_history(
        dead_live,
        actor=actor,
        listing_status=Patent.ListingStatus.WITHDRAWN,
        review_note=_("专利已失效，挂牌自动撤回。"),
    )
    return {"term_expired": expired, "withdrawn": withdrawn}


@transaction.atomic
def patent_daily_maintenance(*, actor: Actor, today: datetime.date | None = None) -> dict:
    """The daily job: term expiry, lapsed-listing withdrawal, listing expiry, reminders, open
    licenses past their term, and the dormant flags that changed with the date."""
    today = today or timezone.localdate()
    result = patent_listings_withdraw_lapsed(actor=actor, today=today)
    result["listings_expired"] = patent_listings_expire(actor=actor, today=today)
    result["reminded"] = patent_listings_remind(actor=actor, today=today)
    result["open_licenses_ended"] = open_license_end_due(actor=actor, today=today)
    logger.info("patent daily maintenance %s", result)
    return result
