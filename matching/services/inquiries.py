"""Inquiries: an SME asks about a published patent, the owner side (the owner's members or the
agencies acting for it) answers, and the thread moves new → replied → negotiating → agreed /
declined / withdrawn. Every message and status change is an ``InquiryMessage`` with its time, so
time-to-first-reply and conversion rates can be reported (``matching.selectors.inquiry_stats``).

Double opt-in: the two organizations' contact details are released to each other only when the
owner side accepts the inquiry (``inquiry_accept``) or agrees a deal.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from portal.errors import ApplicationError
from portal.limits import MESSAGE_MAX
from portal.models import Organization
from portal.permissions import Actor

from .. import permissions
from ..models import Inquiry, InquiryMessage, Match, Notification
from ..selectors import CLOSED_STATUSES, inquiry_open_for
from .notifications import notification_create, owner_side_organization_ids

__all__ = [
    "ASKER_TARGETS",
    "OWNER_TARGETS",
    "inquiry_accept",
    "inquiry_create",
    "inquiry_reply",
    "inquiry_set_deal_reference",
    "inquiry_transition",
]

Status = Inquiry.Status
OWNER_TARGETS, ASKER_TARGETS = permissions.OWNER_TARGETS, permissions.ASKER_TARGETS
OWNER, ASKER = permissions.OWNER, permissions.ASKER
MAX_BODY = MESSAGE_MAX


def _side(actor: Actor, inquiry: Inquiry) -> str:
    """Which side the actor acts for; PermissionDenied for anyone else (bureau staff included:
    they read inquiries but do not negotiate on anyone's behalf)."""
    side = permissions.inquiry_side(actor, inquiry)
    if side is None:
        raise PermissionDenied(_("您不是该咨询的当事方，不能进行此操作。"))
    return side


def _label(status: str) -> str:
    return str(Status(status).label)


def _lock(inquiry: Inquiry) -> Inquiry:
    """Re-read the workflow fields under a row lock, so concurrent actions see each other."""
    fresh = (
        Inquiry.objects.select_for_update()
        .only("status", "contacts_released", "first_replied_at", "closed_at", "deal_reference")
        .get(pk=inquiry.pk)
    )
    for field in ("status", "contacts_released", "first_replied_at", "closed_at", "deal_reference"):
        setattr(inquiry, field, getattr(fresh, field))
    return inquiry


def _clean_body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ApplicationError(_("请填写内容。"))
    if len(body) > MAX_BODY:
        raise ApplicationError(_("内容不能超过 %(n)d 字。") % {"n": MAX_BODY})
    return body


def _record(
    inquiry: Inquiry, *, actor: Actor, body: str = "", status_to: str = "", status_from: str = ""
) -> InquiryMessage:
    return InquiryMessage.objects.create(
        inquiry=inquiry,
        author=actor.user,
        organization=actor.organization,
        body=body,
        status_from=status_from,
        status_to=status_to,
    )


def _move(inquiry: Inquiry, to: str, *, actor: Actor, body: str = "") -> None:
    """One legal step of the state machine, recorded; the caller checked who may take it."""
    current = inquiry.status
    now = timezone.now()
    inquiry.status = to
    if to == Status.REPLIED and inquiry.first_replied_at is None:
        inquiry.first_replied_at = now
    if to in CLOSED_STATUSES:
        inquiry.closed_at = now
    _record(inquiry, actor=actor, body=body, status_from=current, status_to=to)


def _save(inquiry: Inquiry) -> None:
    inquiry.save(
        update_fields=[
            "status",
            "contacts_released",
            "first_replied_at",
            "closed_at",
            "deal_reference",
            "updated_at",
        ]
    )


def _url(inquiry: Inquiry) -> str:
    return reverse("matching:inquiry-detail", kwargs={"pk": inquiry.pk})


def _notify_other_side(
    inquiry: Inquiry,
    *,
    side: str,
    actor: Actor,
    kind: str,
    text_code: str,
    body: str = "",
    text_params: dict | None = None,
) -> None:
    if side == OWNER:
        organization_ids = [inquiry.organization_id]
    else:
        organization_ids = owner_side_organization_ids([inquiry.patent.owner_id])[inquiry.patent.owner_id]
    notification_create(
        kind=kind,
        body=body[:1000],
        url=_url(inquiry),
        organization_ids=organization_ids,
        exclude_user=actor.user,
        text_code=text_code,
        text_params=text_params,
    )


def _refuse_illegal(inquiry: Inquiry, to: str) -> None:
    allowed = Inquiry.TRANSITIONS[Status(inquiry.status)]
    if to in allowed:
        return
    message = _("不能将咨询从“%(current)s”改为“%(requested)s”。") % {
        "current": _label(inquiry.status),
        "requested": _label(to),
    }
    if allowed:
        message += _("当前状态下只能改为：%(allowed)s。") % {"allowed": "、".join(_label(s) for s in allowed)}
    else:
        message += _("该咨询已结束。")
    raise ApplicationError(message, extra={"status": inquiry.status, "requested": to})


# --- Create ---------------------------------------------------------------------------------------


@transaction.atomic
def inquiry_create(
    *,
    actor: Actor,
    patent: Patent,
    body: str,
    subject: str = "",
    demand: Demand | None = None,
    match: Match | None = None,
) -> Inquiry:
    """An SME member asks about a published patent, from a match or from the patent page.

    Refused when the organization already has an open inquiry about the patent. The owner's
    members and the agencies acting for it are notified."""
    if not permissions.can_inquire(actor):
        raise PermissionDenied(_("只有已认证的中小微企业用户可以发起咨询。"))
    organization = Organization.objects.select_for_update().get(pk=actor.organization_id)
    if patent.listing_status != Patent.ListingStatus.PUBLISHED:
        raise ApplicationError(
            _("该专利目前未挂牌（%(status)s），不能咨询。") % {"status": patent.get_listing_status_display()}
        )
    if match is not None:
        if match.patent_id != patent.pk or match.demand.organization_id != organization.pk:
            raise ApplicationError(_("匹配结果与所咨询的专利或本单位不符。"))
        demand = demand or match.demand
    if demand is not None and demand.organization_id != organization.pk:
        raise ApplicationError(_("只能关联本单位的技术需求。"))
    existing = inquiry_open_for(organization_id=organization.pk, patent_id=patent.pk)
    if existing is not None:
        raise ApplicationError(
            _("贵单位已就该专利发起过咨询（%(status)s），请在原咨询中继续沟通。")
            % {"status": existing.get_status_display()},
            extra={"inquiry": existing.pk},
        )
    body = _clean_body(body, required=True)
    subject = (subject or "").strip() or _("咨询专利：%(title)s") % {"title": patent.title}
    inquiry = Inquiry(
        patent=patent,
        organization=organization,
        demand=demand,
        match=match,
        subject=subject[:200],
        created_by=actor.user,
    )
    inquiry.full_clean()
    inquiry.save()
    _record(inquiry, actor=actor, body=body, status_to=Status.NEW)
    _notify_other_side(
        inquiry,
        side=ASKER,
        actor=actor,
        kind=Notification.Kind.INQUIRY,
        body=body,
        text_code="inquiry.new",
        text_params={"org": organization.name, "title": patent.title},
    )
    return inquiry


# --- Messages and status changes --------------------------------------------------------------


@transaction.atomic
def inquiry_reply(*, inquiry: Inquiry, actor: Actor, body: str) -> Inquiry:
    """A message in the thread from either side while the inquiry is open. The owner side's
    first message answers the inquiry: ``first_replied_at`` is set and a new inquiry becomes
    "replied"."""
    side = _side(actor, inquiry)
    _lock(inquiry)
    if inquiry.status in CLOSED_STATUSES:
        raise ApplicationError(
            _("该咨询已%(status)s，不能再留言。") % {"status": inquiry.get_status_display()}
        )
    body = _clean_body(body, required=True)
    if side == OWNER and inquiry.status == Status.NEW:
        _move(inquiry, Status.REPLIED, actor=actor, body=body)
        code = "inquiry.answered"
    else:
        if side == OWNER and inquiry.first_replied_at is None:
            inquiry.first_replied_at = timezone.now()
        _record(inquiry, actor=actor, body=body)
        code = "inquiry.message"
    _save(inquiry)
    org = actor.organization
    _notify_other_side(
        inquiry,
        side=side,
        actor=actor,
        kind=Notification.Kind.REPLY,
        body=body,
        text_code=code,
        text_params={"org": org.name if org else "", "subject": inquiry.subject},
    )
    return inquiry


@transaction.atomic
def inquiry_transition(
    *, inquiry: Inquiry, to: str, actor: Actor, note: str = "", deal_reference: str = ""
) -> Inquiry:
    """Move the inquiry to ``to`` along ``Inquiry.TRANSITIONS``; illegal moves are refused with
    a message naming the current and the requested status. The owner side replies, declines and
    marks negotiating or agreed (``deal_reference``: the contract number recorded in finance);
    the asking SME withdraws and may mark negotiating. Agreeing releases the contacts and marks
    the related demand matched."""
    if to not in Status.values:
        raise ApplicationError(_("未知的咨询状态：%(status)s。") % {"status": to})
    to = Status(to)
    side = _side(actor, inquiry)
    _lock(inquiry)
    _refuse_illegal(inquiry, to)
    if side == OWNER and to not in OWNER_TARGETS:
        raise ApplicationError(_("只有咨询企业可以将咨询改为“%(requested)s”。") % {"requested": to.label})
    if side == ASKER and to not in ASKER_TARGETS:
        raise ApplicationError(_("只有专利权人一方可以将咨询改为“%(requested)s”。") % {"requested": to.label})
    note = _clean_body(note, required=to == Status.REPLIED)
    deal_reference = (deal_reference or "").strip()
    if deal_reference and to != Status.AGREED:
        raise ApplicationError(_("只有达成合作时才能填写成交合同编号。"))
    if len(deal_reference) > 50:
        raise ApplicationError(_("成交合同编号不能超过 50 个字符。"))
    if side == OWNER and inquiry.first_replied_at is None:
        # Any answer of the owner side, a refusal included, ends the wait for a first reply.
        inquiry.first_replied_at = timezone.now()
    _move(inquiry, to, actor=actor, body=note)
    if to == Status.AGREED:
        inquiry.contacts_released = True
        inquiry.deal_reference = deal_reference
    _save(inquiry)
    if to == Status.AGREED and inquiry.demand_id:
        _mark_demand_matched(inquiry, actor=actor)
    _notify_other_side(
        inquiry,
        side=side,
        actor=actor,
        kind=Notification.Kind.STATUS,
        body=note,
        text_code="inquiry.status",
        text_params={"subject": inquiry.subject, "status": Status(to).value},
    )
    return inquiry


def _mark_demand_matched(inquiry: Inquiry, *, actor: Actor) -> None:
    from demands.services import demand_mark_matched

    demand = Demand.objects.select_for_update().get(pk=inquiry.demand_id)
    if demand.status == Demand.Status.OPEN:
        demand_mark_matched(demand=demand, actor=actor)


@transaction.atomic
def inquiry_accept(*, inquiry: Inquiry, actor: Actor, note: str = "") -> Inquiry:
    """The owner side accepts the inquiry: the two organizations' contact details are released
    to each other (double opt-in) and the inquiry moves on to "negotiating" (through "replied"
    when it was new)."""
    side = _side(actor, inquiry)
    if side != OWNER:
        raise ApplicationError(_("只有专利权人一方可以接受咨询。"))
    _lock(inquiry)
    if inquiry.status in CLOSED_STATUSES:
        raise ApplicationError(
            _("不能接受“%(current)s”的咨询：该咨询已结束。") % {"current": inquiry.get_status_display()}
        )
    if inquiry.contacts_released:
        raise ApplicationError(_("已接受该咨询，双方联系方式已经公开。"))
    note = _clean_body(note, required=False) or _("已接受咨询，双方联系方式已相互公开。")
    if inquiry.status == Status.NEW:
        _move(inquiry, Status.REPLIED, actor=actor, body=note)
        note = ""
    if inquiry.status == Status.REPLIED:
        _move(inquiry, Status.NEGOTIATING, actor=actor, body=note)
    elif note:
        _record(inquiry, actor=actor, body=note)
    inquiry.contacts_released = True
    _save(inquiry)
    org = actor.organization
    _notify_other_side(
        inquiry,
        side=OWNER,
        actor=actor,
        kind=Notification.Kind.STATUS,
        body=inquiry.subject,
        text_code="inquiry.accepted",
        text_params={"org": org.name if org else ""},
    )
    return inquiry


@transaction.atomic
def inquiry_set_deal_reference(*, inquiry: Inquiry, actor: Actor, deal_reference: str) -> Inquiry:
    """Record (or correct) the contract number of the deal an agreed inquiry led to; for the
    owner side and city-level staff (finance calls this when a deal names its inquiry)."""
    if not permissions.can_set_deal_reference(actor, inquiry):
        raise PermissionDenied(_("只有专利权人一方或市知识产权局可以登记成交合同编号。"))
    _lock(inquiry)
    if inquiry.status != Status.AGREED:
        raise ApplicationError(_("只有已达成的咨询可以登记成交合同编号。"))
    deal_reference = (deal_reference or "").strip()
    if len(deal_reference) > 50:
        raise ApplicationError(_("成交合同编号不能超过 50 个字符。"))
    inquiry.deal_reference = deal_reference
    inquiry.save(update_fields=["deal_reference", "updated_at"])
    _record(inquiry, actor=actor, body=_("成交合同编号：%(no)s") % {"no": deal_reference or "—"})
    return inquiry
