"""Roles, derived once from a user's membership; every app asks here, never re-derives."""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

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
