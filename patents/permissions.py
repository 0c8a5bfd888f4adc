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

from portal.models import Organization
from portal.permissions import Actor, Role

from .models import Patent


def managed_owner_ids(actor: Actor) -> set[int]:
    """Organizations whose patent inventory the actor manages (not counting staff powers)."""
    if actor.organization is None:
        return set()
    if actor.role == Role.INSTITUTION:
        return {actor.organization_id}
    if actor.role == Role.AGENCY:
        clients = Organization.objects.filter(agencies=actor.organization_id)
        return set(clients.values_list("pk", flat=True))
    return set()


def can_edit(actor: Actor, patent: Patent) -> bool:
    # The system: imports from the command line and scheduled jobs work on every inventory.
    return actor.is_system or actor.sees_whole_city or patent.owner_id in managed_owner_ids(actor)


def can_create_for(actor: Actor, owner) -> bool:
    """Whether the actor may add patents to ``owner``'s inventory."""
    if actor.is_system:  # the command-line import and the demo seeding fill every inventory
        return True
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


def can_review(actor: Actor, patent: Patent) -> bool:
    return can_review_for(actor, patent.owner)


def can_publish_directly_for(actor: Actor, owner: Organization) -> bool:
    """Reviewers publish; so do verified institutions when the direct-publish setting is on, and
    the system (command-line imports and the demo seeding publish what they load)."""
    if actor.is_system or can_review_for(actor, owner):
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
