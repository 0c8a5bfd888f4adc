"""Who may see, edit, review and publish patents; every view, serializer and service asks here.

- Everyone sees published listings.
- Institution members see and edit their organization's patents; an agency sees, edits, reviews
  and publishes the patents of the organizations that named it as their agency
  (``Organization.agencies``).
- City-level bureau staff (and superusers) see, edit and review everything; district officers see
  and review the patents of owners in their district.
- With PORTAL_DIRECT_PUBLISH on, members of a verified institution publish without review.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from portal.models import Organization
from portal.permissions import Actor, Role, managed_owner_ids

from .models import Patent


def visible_q(actor: Actor) -> Q | None:
    """Published listings for everyone; drafts etc. to their owner, its agencies and staff (district
    officers: owners in their district). None means all."""
    if actor.sees_whole_city:
        return None
    visible = Q(listing_status=Patent.ListingStatus.PUBLISHED)
    owner_ids = managed_owner_ids(actor)
    if owner_ids:
        visible |= Q(owner_id__in=owner_ids)
    if actor.district_code:
        visible |= Q(owner__region_id=actor.district_code)
    return visible


def editable_q(actor: Actor) -> Q | None:
    """Patents the actor may edit: their organization's, their principals' (agencies), or any for
    city-level staff (None)."""
    if actor.sees_whole_city:
        return None
    return Q(owner_id__in=managed_owner_ids(actor))


def can_manage_inventory(actor: Actor) -> bool:
    """The inventory pages (list, export): those who manage some owner's patents, and city staff."""
    return actor.sees_whole_city or bool(managed_owner_ids(actor))


def has_own_inventory(actor: Actor) -> bool:
    """An institution, or an agency acting for one: the menu's "our patents"."""
    return bool(managed_owner_ids(actor))


def can_see_contact_person(actor: Actor, patent: Patent) -> bool:
    """Double opt-in: others reach the owner through an inquiry; the owner side and bureau staff
    see the contact person on the patent's page."""
    return actor.is_staff_role or can_edit(actor, patent)


def offers_inquiry(actor: Actor) -> bool:
    """The patent page's "ask the owner" button: SMEs send inquiries (matching checks the rest);
    visitors are offered it to sign in first."""
    return actor.role in (Role.SME, Role.ANONYMOUS)


def can_edit(actor: Actor, patent: Patent) -> bool:
    return actor.sees_whole_city or patent.owner_id in managed_owner_ids(actor)


def can_create_for(actor: Actor, owner) -> bool:
    """Whether the actor may add patents to ``owner``'s inventory."""
    if owner is None or not owner.is_supplier:
        return False
    return actor.sees_whole_city or owner.pk in managed_owner_ids(actor)


def can_review_for(actor: Actor, owner: Organization) -> bool:
    """Bureau staff (district officers for their district) or the owner's agency."""
    if actor.sees_whole_city:
        return True
    if actor.role == Role.DISTRICT_OFFICER:
        return owner.region_id == actor.district_code
    if actor.role == Role.AGENCY:
        return owner.pk in managed_owner_ids(actor)
    return False


def reviewable_q(actor: Actor) -> Q:
    """The patents whose listings the actor reviews, as a condition (see ``can_review_for``)."""
    if actor.sees_whole_city:
        return Q()
    if actor.role == Role.DISTRICT_OFFICER:
        return Q(owner__region_id=actor.district_code)
    if actor.role == Role.AGENCY:
        return Q(owner_id__in=managed_owner_ids(actor))
    return Q(pk__in=[])


def can_review(actor: Actor, patent: Patent) -> bool:
    return can_review_for(actor, patent.owner)


def can_publish_directly_for(actor: Actor, owner: Organization) -> bool:
    """Reviewers publish; so do verified institutions when the direct-publish setting is on."""
    if can_review_for(actor, owner):
        return True
    return bool(
        settings.PORTAL_DIRECT_PUBLISH
        and actor.role == Role.INSTITUTION
        and actor.is_verified
        and owner.pk == actor.organization_id
    )


def can_publish_directly(actor: Actor, patent: Patent) -> bool:
    return can_publish_directly_for(actor, patent.owner)


def can_review_any(actor: Actor) -> bool:
    return actor.is_staff_role or actor.role == Role.AGENCY


def can_manage_navigation(actor: Actor) -> bool:
    return actor.is_staff_role
