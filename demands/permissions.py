"""Who may see and change demands, declared once.

- Everyone (anonymous included) sees the summary of open, public demands.
- Members of the owning SME see all of their organization's demands, drafts included, with details,
  and are the only ones who edit, publish, renew or delete them.
- Verified institutions and IP service agencies see every open demand with its details.
- City-level bureau staff and superusers see every demand; district officers see every demand of the
  city too, read-only. Bureau staff (not district officers) may close a demand (moderation).

The contact details of the two sides are not shown on demand pages at all: they are released by the
matching workflow once a patent owner accepts an inquiry (double opt-in).
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, Value

from portal.permissions import Actor, Role, actor_for

DETAIL_ROLES = frozenset({Role.INSTITUTION, Role.AGENCY})
MODERATOR_ROLES = frozenset({Role.BUREAU, Role.ADMIN})


def as_actor(user_or_actor) -> Actor:
    return user_or_actor if isinstance(user_or_actor, Actor) else actor_for(user_or_actor)


def _is_owner_role(actor: Actor) -> bool:
    return actor.role == Role.SME and actor.organization_id is not None


def _sees_open_details(actor: Actor) -> bool:
    return actor.role in DETAIL_ROLES and actor.is_verified


def visible_q(actor) -> Q | None:
    """The condition on demands the actor may see; None means all of them."""
    from .models import Demand

    actor = as_actor(actor)
    if actor.is_staff_role:
        return None
    open_ = Q(status=Demand.Status.OPEN)
    if _sees_open_details(actor):
        return open_
    condition = open_ & Q(visibility=Demand.Visibility.PUBLIC)
    if _is_owner_role(actor):
        condition |= Q(organization_id=actor.organization_id)
    return condition


def editable_q(actor) -> Q:
    actor = as_actor(actor)
    if _is_owner_role(actor):
        return Q(organization_id=actor.organization_id)
    return Q(pk__in=[])


def details_expression(actor):
    """A boolean SQL expression: may the actor see this row's details (description, budget...)?"""
    actor = as_actor(actor)
    if actor.is_staff_role or _sees_open_details(actor):
        return Value(True, output_field=BooleanField())
    if _is_owner_role(actor):
        return ExpressionWrapper(Q(organization_id=actor.organization_id), output_field=BooleanField())
    return Value(False, output_field=BooleanField())


def can_view_details(actor, demand) -> bool:
    actor = as_actor(actor)
    annotated = getattr(demand, "can_view_details", None)
    if annotated is not None:
        return bool(annotated)
    if actor.is_staff_role or _sees_open_details(actor):
        return True
    return _is_owner_role(actor) and demand.organization_id == actor.organization_id


def sees_open_details(actor) -> bool:
    """Whether the actor sees the details of every open demand (list pages show them)."""
    actor = as_actor(actor)
    return actor.is_staff_role or _sees_open_details(actor)


def sees_all_statuses(actor) -> bool:
    """Staff and SMEs (their own drafts, closed demands) see more than open demands: the list's
    status and source filters are for them."""
    actor = as_actor(actor)
    return actor.is_staff_role or actor.role == Role.SME


def can_see_duplicates(actor, demand) -> bool:
    """Possible duplicates of a demand: to its SME and to staff."""
    actor = as_actor(actor)
    return actor.is_staff_role or can_edit(actor, demand)


def can_create(actor) -> bool:
    """Only members of an SME post demands (for their own organization)."""
    return _is_owner_role(as_actor(actor))


def can_edit(actor, demand) -> bool:
    actor = as_actor(actor)
    return _is_owner_role(actor) and demand.organization_id == actor.organization_id


def can_close(actor, demand) -> bool:
    actor = as_actor(actor)
    return can_edit(actor, demand) or actor.role in MODERATOR_ROLES


def has_own_demands(actor) -> bool:
    """The "my demands" page and menu entry: members of an SME."""
    return _is_owner_role(as_actor(actor))
