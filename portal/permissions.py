"""Roles, derived once from a user's membership; every app asks here, never re-derives."""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from .imports.base import importers
from .models import Membership, Organization

# The user that jobs, Celery tasks, management commands and the demo seeding act as.
SYSTEM_USERNAME = "system"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    SME = "sme"
    INSTITUTION = "institution"  # universities, institutes, SOEs, other patent holders
    AGENCY = "agency"
    BANK = "bank"
    INSURER = "insurer"
    DISTRICT_OFFICER = "district_officer"
    BUREAU = "bureau"  # city-level staff of the market-regulation / IP bureau
    ADMIN = "admin"  # superuser
    NONE = "none"  # logged in, no organization yet
    SYSTEM = "system"  # jobs, tasks and commands (``system_actor``); never a logged-in person


_KIND_ROLE = {
    Organization.Kind.SME: Role.SME,
    Organization.Kind.UNIVERSITY: Role.INSTITUTION,
    Organization.Kind.INSTITUTE: Role.INSTITUTION,
    Organization.Kind.SOE: Role.INSTITUTION,
    Organization.Kind.LARGE_ENTERPRISE: Role.INSTITUTION,
    Organization.Kind.AGENCY: Role.AGENCY,
    Organization.Kind.BANK: Role.BANK,
    Organization.Kind.INSURER: Role.INSURER,
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user, their role, organization and (for district officers) district."""

    user: object
    role: Role
    organization: Organization | None
    district_code: str | None

    @property
    def is_staff_role(self) -> bool:
        """Bureau staff of any level, or a superuser."""
        return self.role in (Role.BUREAU, Role.DISTRICT_OFFICER, Role.ADMIN)

    @property
    def is_system(self) -> bool:
        """Jobs, tasks and commands (``system_actor``): each check that lets it through says so."""
        return self.role == Role.SYSTEM

    @property
    def sees_whole_city(self) -> bool:
        return self.role in (Role.BUREAU, Role.ADMIN)

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization else None

    @property
    def is_verified(self) -> bool:
        return bool(self.organization and self.organization.verified)


def actor_for(user) -> Actor:
    """The Actor for a user (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return Actor(user=user, role=Role.ANONYMOUS, organization=None, district_code=None)
    cached = getattr(user, "_portal_actor", None)
    if cached is not None:
        return cached
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    organization = membership.organization if membership else None
    if user.is_superuser:
        actor = Actor(user, Role.ADMIN, organization, None)
    elif membership is None:
        actor = Actor(user, Role.NONE, None, None)
    elif organization.kind == Organization.Kind.GOVERNMENT:
        if not organization.verified:
            actor = Actor(user, Role.NONE, organization, None)
        elif membership.district_id:
            actor = Actor(user, Role.DISTRICT_OFFICER, organization, membership.district_id)
        else:
            actor = Actor(user, Role.BUREAU, organization, None)
    else:
        actor = Actor(user, _KIND_ROLE[organization.kind], organization, None)
    user._portal_actor = actor
    return actor


def managed_owner_ids(actor: Actor) -> set[int]:
    """Organizations whose patent inventory the actor manages (not counting staff powers): an
    institution its own, an agency those that named it as their agency (``Organization.agencies``)."""
    if actor.organization is None:
        return set()
    if actor.role == Role.INSTITUTION:
        return {actor.organization_id}
    if actor.role == Role.AGENCY:
        clients = Organization.objects.filter(agencies=actor.organization_id)
        return set(clients.values_list("pk", flat=True))
    return set()


def system_actor() -> Actor:
    """The actor of work nobody clicked: jobs, Celery tasks, management commands, demo seeding.

    Every service takes a required ``actor``; the system is a real user (``system``: inactive, with
    an unusable password, so nobody can log in as it) so that ``created_by`` and the history always
    name someone. It has its own role, so that each permission check that lets it through says so.
    Created on first use (not by a data migration) so that it exists in every database, test
    databases flushed between tests included; ``get_or_create`` absorbs two workers racing.
    """
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "password": make_password(None)}
    )
    if user.is_active or user.has_usable_password():
        # Someone registered the name before the system first acted: refuse to act as a person.
        raise ImproperlyConfigured(f"the user {SYSTEM_USERNAME!r} can log in; it cannot be the system actor")
    return Actor(user, Role.SYSTEM, None, None)


def role_of(user) -> Role:
    return actor_for(user).role


def is_bureau_staff(user) -> bool:
    return actor_for(user).is_staff_role


# --- Predicates of portal's own pages -------------------------------------------------------------


def anyone(actor: Actor) -> bool:
    """Public pages."""
    return True


def is_signed_in(actor: Actor) -> bool:
    return actor.role != Role.ANONYMOUS


def can_use_admin(actor: Actor) -> bool:
    """Django's admin: superusers only (bureau staff are not ``is_staff``)."""
    return actor.role == Role.ADMIN


def can_search_organizations(actor: Actor) -> bool:
    """The search box of organization fields: anyone with an organization (every form that has
    such a field belongs to one); names and codes are what those forms' lists show anyway."""
    return actor.role not in (Role.ANONYMOUS, Role.NONE, Role.SYSTEM)


def can_review_organizations(actor: Actor) -> bool:
    """Bureau staff review registrations (district officers those of their district)."""
    return actor.is_staff_role


def can_verify_government_bodies(actor: Actor) -> bool:
    """Verifying a government body hands out bureau-wide rights: superusers only."""
    return actor.role == Role.ADMIN


def require_organization_reviewer(actor: Actor, organization: Organization | None = None) -> None:
    """Refuse (403) anyone but bureau staff, and a district officer an organization outside their
    district."""
    if not can_review_organizations(actor):
        raise PermissionDenied(_("只有市、旗区知识产权管理部门的工作人员可以审核单位。"))
    if (
        organization is not None
        and actor.role == Role.DISTRICT_OFFICER
        and organization.region_id != actor.district_code
    ):
        raise PermissionDenied(_("旗区工作人员只能审核本旗区的单位。"))


def organization_visible_q(actor: Actor) -> Q:
    """Organizations the actor may open on the review pages: bureau staff all, a district officer
    those of their district, anyone else only their own organization."""
    if actor.sees_whole_city:
        return Q()
    if actor.role == Role.DISTRICT_OFFICER:
        return Q(region_id=actor.district_code)
    if actor.organization_id:
        return Q(pk=actor.organization_id)
    return Q(pk__in=[])


def import_job_visible_q(actor: Actor) -> Q:
    """Uploads: their organization's; city-level staff all of them; a district officer their own
    and those of organizations in their district (an upload holds an organization's business data:
    like its records, it stays in its district)."""
    if actor.sees_whole_city:
        return Q()
    if actor.role == Role.DISTRICT_OFFICER and actor.district_code:
        return Q(organization__region_id=actor.district_code) | Q(created_by=actor.user)
    if actor.organization is None:
        return Q(pk__in=[])
    return Q(organization=actor.organization)


def can_import_kind(actor: Actor, importer) -> bool:
    """Whether the actor may upload this data kind in the browser: each importer declares its roles
    (``Importer.allowed_roles``; a bank imports its own pledges)."""
    return actor.role in importer.allowed_roles


def can_import(actor: Actor, kinds=None) -> bool:
    """Whether the actor may upload some data kind (one of ``kinds`` when given): the upload page,
    its menu entry and the import buttons of other apps' pages ask here."""
    return any(
        can_import_kind(actor, importer)
        for kind, importer in importers().items()
        if kinds is None or kind in kinds
    )
