"""Roadshows and matchmaking events (路演 / 供需对接活动): bureau staff create and edit them,
attach the patents to present and the demands to address, register organizations and record
the outcome; members of SMEs, institutions and agencies register their own organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.models import Demand
from patents.models import Patent
from portal.errors import ApplicationError
from portal.models import Industry, Organization
from portal.permissions import Actor

from .. import permissions
from ..models import Event, EventRegistration

__all__ = [
    "EVENT_FIELDS",
    "event_create",
    "event_record_outcome",
    "event_register",
    "event_registration_share_with_banks",
    "event_unregister",
    "event_update",
]

EVENT_FIELDS = ("title", "kind", "date", "status", "venue", "district", "park", "organizer", "description")


def _require_manager(actor: Actor) -> None:
    if not permissions.can_manage_events(actor):
        raise PermissionDenied(_("只有知识产权管理部门的工作人员可以管理对接活动。"))


def _require_event_scope(actor: Actor, event: Event) -> None:
    if not permissions.can_edit_event(actor, event):
        raise PermissionDenied(_("旗区工作人员只能管理本旗区的对接活动。"))


def _set_relations(
    event: Event,
    *,
    industries: Iterable[Industry] | None,
    patents: Iterable[Patent] | None,
    demands: Iterable[Demand] | None,
) -> None:
    if industries is not None:
        event.industries.set(industries)
    # Only newly attached rows must be live: a patent withdrawn after the event stays on record.
    if patents is not None:
        patents = list(patents)
        attached = set(event.patents.values_list("pk", flat=True))
        unlisted = [
            p.application_no
            for p in patents
            if p.pk not in attached and p.listing_status != Patent.ListingStatus.PUBLISHED
        ]
        if unlisted:
            raise ApplicationError(_("只能推介已挂牌的专利：%(nos)s 未挂牌。") % {"nos": "、".join(unlisted)})
        event.patents.set(patents)
    if demands is not None:
        demands = list(demands)
        attached = set(event.demands.values_list("pk", flat=True))
        closed = [
            d.code
            for d in demands
            if d.pk not in attached and d.status not in (Demand.Status.OPEN, Demand.Status.MATCHED)
        ]
        if closed:
            raise ApplicationError(
                _("只能对接征集中的需求：%(codes)s 不在征集中。") % {"codes": "、".join(closed)}
            )
        event.demands.set(demands)


@transaction.atomic
def event_create(
    *,
    actor: Actor,
    industries: Iterable[Industry] = (),
    patents: Iterable[Patent] = (),
    demands: Iterable[Demand] = (),
    **fields,
) -> Event:
    """A new event (bureau staff), with the patents it presents and the demands it addresses."""
    _require_manager(actor)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    event = Event(created_by=actor.user, **fields)
    _require_event_scope(actor, event)
    event.full_clean()
    event.save()
    _set_relations(event, industries=industries, patents=patents, demands=demands)
    return event


@transaction.atomic
def event_update(
    *,
    event: Event,
    actor: Actor,
    industries: Iterable[Industry] | None = None,
    patents: Iterable[Patent] | None = None,
    demands: Iterable[Demand] | None = None,
    **fields,
) -> Event:
    """Change an event; relations given (not None) replace the current ones."""
    _require_manager(actor)
    _require_event_scope(actor, event)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(event, name, value)
    _require_event_scope(actor, event)  # nor move it to another district
    event.full_clean()
    event.save()
    _set_relations(event, industries=industries, patents=patents, demands=demands)
    return event


@transaction.atomic
def event_register(
    *, event: Event, actor: Actor, organization: Organization | None = None, shares_with_banks: bool = False
) -> EventRegistration:
    """Register an organization: staff register any organization (also after the date, to
    record who came); others register their own organization for an upcoming event. At a
    bank-enterprise event an SME may agree to show its pledgeable patents to banks."""
    if organization is None:
        organization = actor.organization
    if organization is None:
        raise ApplicationError(_("您的账号尚未关联单位，不能报名。"))
    if not permissions.can_manage_events(actor):
        if not permissions.can_register_self(actor):
            raise PermissionDenied(_("活动面向企业、高校院所和知识产权服务机构，您所在单位不能在线报名。"))
        if organization.pk != actor.organization_id:
            raise PermissionDenied(_("只能为本单位报名。"))
        if event.date < timezone.localdate():
            raise ApplicationError(
                _("活动已于 %(date)s 举办，报名已截止。") % {"date": event.date.isoformat()}
            )
    if organization.kind == Organization.Kind.GOVERNMENT:
        raise ApplicationError(_("政府部门无需报名。"))
    if EventRegistration.objects.filter(event=event, organization=organization).exists():
        raise ApplicationError(_("%(org)s已报名该活动。") % {"org": organization.name})
    try:
        with transaction.atomic():
            registration = EventRegistration.objects.create(
                event=event, organization=organization, registered_by=actor.user
            )
    except IntegrityError:  # registered at the same moment by a colleague
        raise ApplicationError(_("%(org)s已报名该活动。") % {"org": organization.name}) from None
    if shares_with_banks:
        event_registration_share_with_banks(registration=registration, actor=actor, shares=True)
    return registration


@transaction.atomic
def event_registration_share_with_banks(
    *, registration: EventRegistration, actor: Actor, shares: bool
) -> EventRegistration:
    """Give or withdraw an SME's consent that banks see its pledgeable patents (银企对接). Only
    the SME's own members decide, only for bank-enterprise events; withdrawing works at any time."""
    if registration.organization_id != actor.organization_id:
        raise PermissionDenied(_("只有企业本身可以同意或撤回向银行展示专利。"))
    if registration.event.kind != Event.Kind.BANK_SME:
        raise ApplicationError(_("只有银企对接会可以向银行展示可质押专利。"))
    if registration.organization.kind != Organization.Kind.SME:
        raise ApplicationError(_("只有中小微企业可以向银行展示可质押专利。"))
    registration.shares_with_banks = bool(shares)
    registration.shares_with_banks_at = timezone.now() if shares else None
    registration.save(update_fields=["shares_with_banks", "shares_with_banks_at"])
    return registration


@transaction.atomic
def event_unregister(*, event: Event, actor: Actor, organization: Organization | None = None) -> None:
    """Cancel a registration: staff any, others their own organization's before the event."""
    organization = organization or actor.organization
    if organization is None:
        raise ApplicationError(_("您的账号尚未关联单位。"))
    if not permissions.can_manage_events(actor):
        if organization.pk != actor.organization_id:
            raise PermissionDenied(_("只能取消本单位的报名。"))
        if event.date < timezone.localdate():
            raise ApplicationError(_("活动已举办，不能取消报名。"))
    deleted, _rows = EventRegistration.objects.filter(event=event, organization=organization).delete()
    if not deleted:
        raise ApplicationError(_("%(org)s未报名该活动。") % {"org": organization.name})


@transaction.atomic
def event_record_outcome(
    *,
    event: Event,
    actor: Actor,
    intentions_signed: int,
    outcome_notes: str = "",
    today: dt.date | None = None,
) -> Event:
    """Record what an event achieved (intentions signed, notes on deals that followed); only
    once it has taken place."""
    _require_manager(actor)
    _require_event_scope(actor, event)
    today = today or timezone.localdate()
    if event.date > today:
        raise ApplicationError(
            _("活动将于 %(date)s 举办，举办后才能记录成效。") % {"date": event.date.isoformat()}
        )
    if intentions_signed is None or int(intentions_signed) < 0:
        raise ApplicationError(_("签约意向数不能为负数。"))
    event.intentions_signed = int(intentions_signed)
    event.outcome_notes = (outcome_notes or "").strip()
    # The field's own limit (portal.limits), whatever the entry point.
    event.clean_fields(exclude=[f.name for f in Event._meta.fields if f.name != "outcome_notes"])
    event.save(update_fields=["intentions_signed", "outcome_notes", "updated_at"])
    return event
