"""Who may see and act on matches, inquiries and events, declared once.

- An inquiry has two sides: the asking SME (``Inquiry.organization``) and the patent's owner,
  for whom the agencies it names in ``Organization.agencies`` act as well.
- Members of either side see the inquiry; city-level bureau staff see every inquiry, district
  officers those whose patent owner or asking SME is in their district (read-only); everyone
  else (anonymous visitors, banks, insurers, other SMEs and institutions) sees none.
- The owner side replies, accepts, declines and marks negotiating / agreed; the SME side
  withdraws and may mark negotiating. Both sides post messages while the inquiry is open.
- Contact details of the two organizations are shown to the parties only once the owner has
  accepted (``Inquiry.contacts_released``): double opt-in.
- Matches are shown to the demand's SME, to the patent's owner side and to bureau staff.
- Bureau staff (district officers included) manage events; any signed-in member of an SME,
  institution or agency registers their own organization for an upcoming event.
"""

from __future__ import annotations

from django.db.models import Q

from patents.models import Patent
from patents.permissions import managed_owner_ids
from portal.permissions import Actor, Role

from .models import Inquiry

SELF_REGISTER_ROLES = frozenset({Role.SME, Role.INSTITUTION, Role.AGENCY})
# Subscriptions: SMEs save patent searches; institutions and agencies subscribe to new demands.
SEARCH_ROLES = frozenset({Role.SME})
DEMAND_ROLES = frozenset({Role.INSTITUTION, Role.AGENCY})
# The two sides of inquiries: SMEs ask, patent holders (and their agencies) answer.
ASKER_ROLES = frozenset({Role.SME})
OWNER_ROLES = frozenset({Role.INSTITUTION, Role.AGENCY})

Status = Inquiry.Status
OWNER, ASKER = "owner", "asker"
# Statuses each side may move an inquiry to (the state machine itself is Inquiry.TRANSITIONS).
OWNER_TARGETS = frozenset({Status.REPLIED, Status.NEGOTIATING, Status.AGREED, Status.DECLINED})
ASKER_TARGETS = frozenset({Status.NEGOTIATING, Status.WITHDRAWN})
CLOSED_STATUSES = frozenset({Status.AGREED, Status.DECLINED, Status.WITHDRAWN})


def inquiry_visible_q(actor: Actor) -> Q | None:
    """The condition on inquiries the actor may read; None means all of them."""
    if actor.sees_whole_city:
        return None
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return Q(patent__owner__region_id=actor.district_code) | Q(
            organization__region_id=actor.district_code
        )
    if actor.role == Role.SME and actor.organization_id:
        return Q(organization_id=actor.organization_id)
    if actor.role in (Role.INSTITUTION, Role.AGENCY):
        owner_ids = managed_owner_ids(actor)
        if owner_ids:
            return Q(patent__owner_id__in=owner_ids)
    return Q(pk__in=[])


def is_asker(actor: Actor, inquiry: Inquiry) -> bool:
    """A member of the SME that sent the inquiry."""
    return (
        actor.role == Role.SME
        and actor.organization_id is not None
        and (actor.organization_id == inquiry.organization_id)
    )


def is_owner_side(actor: Actor, inquiry: Inquiry) -> bool:
    """A member of the patent's owner, or of an agency acting for it."""
    return inquiry.patent.owner_id in managed_owner_ids(actor)


def can_set_deal_reference(actor: Actor, inquiry: Inquiry) -> bool:
    """The contract number of the deal an inquiry led to: the owner side and city-level staff."""
    return actor.sees_whole_city or is_owner_side(actor, inquiry)


def is_party(actor: Actor, inquiry: Inquiry) -> bool:
    return is_asker(actor, inquiry) or is_owner_side(actor, inquiry)


def inquiry_side(actor: Actor, inquiry: Inquiry) -> str | None:
    """ "owner" (the owner's members and its agencies), "asker" (the SME's members) or None."""
    if is_owner_side(actor, inquiry):
        return OWNER
    if is_asker(actor, inquiry):
        return ASKER
    return None


def inquiry_actions(actor: Actor, inquiry: Inquiry) -> dict:
    """What the actor may do with the inquiry now, for pages and the API (the services check
    again): ``side``, ``can_message``, ``can_accept`` and ``transitions`` (the statuses the actor
    may move it to; "replied" is reached by replying)."""
    side = inquiry_side(actor, inquiry)
    if side is None:
        return {"side": None, "can_message": False, "can_accept": False, "transitions": []}
    targets = OWNER_TARGETS if side == OWNER else ASKER_TARGETS
    transitions = [
        status
        for status in Inquiry.TRANSITIONS[Status(inquiry.status)]
        if status in targets and status != Status.REPLIED
    ]
    is_open = inquiry.status not in CLOSED_STATUSES
    return {
        "side": side,
        "can_message": is_open,
        "can_accept": side == OWNER and is_open and not inquiry.contacts_released,
        "transitions": transitions,
    }


def can_see_contacts(actor: Actor, inquiry: Inquiry) -> bool:
    """Contact details of both sides: to the parties once released (bureau staff always)."""
    if actor.sees_whole_city:
        return True
    return inquiry.contacts_released and is_party(actor, inquiry)


def can_inquire(actor: Actor) -> bool:
    """Only members of a verified SME send inquiries."""
    return actor.role == Role.SME and actor.is_verified


def can_see_patent_matches(actor: Actor, patent) -> bool:
    return actor.is_staff_role or patent.owner_id in managed_owner_ids(actor)


def can_see_demand_matches(actor: Actor, demand) -> bool:
    if actor.is_staff_role:
        return True
    return (
        actor.role == Role.SME
        and actor.organization_id is not None
        and (demand.organization_id == actor.organization_id)
    )


def can_see_unserved(actor: Actor) -> bool:
    """The list of open demands with nothing recommended: bureau staff and service agencies (who
    can take a demand to institutions in its field)."""
    return actor.is_staff_role or actor.role == Role.AGENCY


def can_manage_events(actor: Actor) -> bool:
    return actor.is_staff_role


def can_edit_event(actor: Actor, event) -> bool:
    """City-level staff edit any event; a district officer only the events of their district
    (a city-wide event, without district, is the city's). Decided in issue 14."""
    if not actor.is_staff_role:
        return False
    return actor.sees_whole_city or (
        event.district_id is not None and event.district_id == actor.district_code
    )


def can_register_self(actor: Actor) -> bool:
    return actor.role in SELF_REGISTER_ROLES and actor.organization_id is not None


def can_save_searches(actor: Actor) -> bool:
    return actor.role in SEARCH_ROLES


def can_subscribe_demands(actor: Actor) -> bool:
    return actor.role in DEMAND_ROLES


def has_subscriptions(actor: Actor) -> bool:
    """The "my subscriptions" page is of use to those who may subscribe to something."""
    return can_save_searches(actor) or can_subscribe_demands(actor)


def is_asker_role(actor: Actor) -> bool:
    return actor.role in ASKER_ROLES


def is_owner_role(actor: Actor) -> bool:
    return actor.role in OWNER_ROLES


def has_inquiries(actor: Actor) -> bool:
    """The "my inquiries" menu entry: the roles that ask or answer inquiries."""
    return is_asker_role(actor) or is_owner_role(actor)


def can_see_owner_matches(actor: Actor) -> bool:
    """The demands matched to an owner's patents: patent holders, agencies and bureau staff."""
    return is_owner_role(actor) or actor.is_staff_role


def can_share_with_banks(actor: Actor, event) -> bool:
    """银企对接: an SME decides whether the banks of a bank-SME event see its pledgeable patents."""
    return event.kind == event.Kind.BANK_SME and actor.role == Role.SME


def can_send_match_inquiry(actor: Actor, demand) -> bool:
    """The demand's SME turns a recommendation of its demand into an inquiry."""
    return (
        is_asker_role(actor)
        and actor.organization_id is not None
        and demand.organization_id == actor.organization_id
    )


def match_visible_q(actor: Actor) -> Q:
    """Matches proposing a patent that is not (or no longer) published are for staff only."""
    if actor.is_staff_role:
        return Q()
    return Q(patent__listing_status=Patent.ListingStatus.PUBLISHED)


def owner_match_q(actor: Actor) -> Q:
    """Matches of the patents the actor manages (institution, its agencies; all for city staff)."""
    if actor.sees_whole_city:
        return Q()
    return Q(patent__owner_id__in=managed_owner_ids(actor))
