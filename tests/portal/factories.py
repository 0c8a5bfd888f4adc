"""Test data for the portal: organizations, users, memberships and one user per role.

Other apps import these; the names below are stable.

Factories (factory_boy, ``Factory()`` saves, ``Factory.build()`` does not):
- ``UserFactory``: a user ``user<n>`` with e-mail ``user<n>@example.com`` and password ``PASSWORD``.
- ``OrganizationFactory``: a verified SME in 东胜区 (``DEFAULT_REGION``, 150602) with a valid, unique credit code;
  override ``kind``, ``region`` (a ``Region`` or ``None`` for outside the city), ``verified``...
- ``MembershipFactory``: ``user`` + ``organization`` (both created) with role ``member``;
  ``role=Membership.Role.ADMIN``, ``district=region(...)`` as needed.

Helpers:
- ``region(code)``: the ``Region`` with that GB/T 2260 code (regions come from a data migration:
  150602 150603 150621 150622 150623 150624 150625 150626 150627).
- ``credit_code(n)``: a valid unified social credit code, distinct for each ``n``.
- ``make_user(role, district=None, verified=True, organization=None, **user_fields)``: a saved user
  whose ``portal.permissions.actor_for(user).role`` is ``role`` (a ``Role`` or its value):

  - ``sme``: admin of a new SME (kind ``sme``)
  - ``institution``: admin of a new university (kind ``university``)
  - ``agency`` / ``bank`` / ``insurer``: admin of a new organization of that kind
  - ``district_officer``: member of a verified government organization of its district, with
    ``Membership.district`` = ``district`` (default ``DEFAULT_DISTRICT``, "150622" 准格尔旗)
  - ``bureau``: member of a verified city-level government organization, no district
  - ``admin``: a superuser (and ``is_staff``), no organization unless ``organization`` is given
  - ``none``: a user without any organization

  For sme ... insurer, ``verified=False`` leaves the new organization pending and ``district``
  (a region code) places it in that district instead of 东胜区.
  ``organization=`` puts the user into that existing organization instead of a new one (as a
  member). Password is always ``PASSWORD``.
"""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.identifiers import make_credit_code
from portal.models import Membership, Organization, Region
from portal.permissions import Role

PASSWORD = "correct-horse-battery-42"
DEFAULT_DISTRICT = "150622"
DEFAULT_REGION = "150602"
CITY_GOVERNMENT_REGION = "150603"  # 康巴什区, seat of the city government

__all__ = [
    "DEFAULT_DISTRICT",
    "DEFAULT_REGION",
    "PASSWORD",
    "MembershipFactory",
    "OrganizationFactory",
    "UserFactory",
    "credit_code",
    "make_user",
    "region",
]


def region(code: str) -> Region:
    """A region loaded by the data migration."""
    return Region.objects.get(code=code)


def credit_code(n: int) -> str:
    """A valid credit code, unique per n (registered in 东胜区, 150602)."""
    return make_credit_code(f"91150602MA{n:07d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "测试"
    last_name = "张"
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("credit_code",)

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    credit_code = factory.Sequence(credit_code)
    kind = Organization.Kind.SME
    region = factory.LazyFunction(lambda: region(DEFAULT_REGION))
    verified = True
    verified_at = factory.Maybe(
        "verified", yes_declaration=factory.LazyFunction(timezone.now), no_declaration=None
    )
    contact_name = "李联系"
    contact_phone = "0477-8888888"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


_ROLE_KIND = {
    Role.SME: Organization.Kind.SME,
    Role.INSTITUTION: Organization.Kind.UNIVERSITY,
    Role.AGENCY: Organization.Kind.AGENCY,
    Role.BANK: Organization.Kind.BANK,
    Role.INSURER: Organization.Kind.INSURER,
}


def make_user(role, district=None, verified=True, organization=None, **user_fields):
    """A saved user acting in ``role``; see the module docstring for what each role gets."""
    role = Role(role)
    if role == Role.ANONYMOUS:
        raise ValueError("an anonymous visitor has no user; use an unauthenticated client")
    if role == Role.ADMIN:
        user = UserFactory(is_superuser=True, is_staff=True, **user_fields)
        if organization is not None:
            MembershipFactory(user=user, organization=organization, role=Membership.Role.ADMIN)
        return user
    user = UserFactory(**user_fields)
    if role == Role.NONE:
        return user
    if role in (Role.DISTRICT_OFFICER, Role.BUREAU):
        district_code = (district or DEFAULT_DISTRICT) if role == Role.DISTRICT_OFFICER else None
        if organization is None:
            home = region(district_code or CITY_GOVERNMENT_REGION)
            organization = OrganizationFactory(
                name=f"{home.name if district_code else '鄂尔多斯市'}市场监督管理局（知识产权局）",
                kind=Organization.Kind.GOVERNMENT,
                region=home,
                verified=True,
            )
        MembershipFactory(
            user=user,
            organization=organization,
            role=Membership.Role.MEMBER,
            district=region(district_code) if district_code else None,
        )
        return user
    if organization is not None:
        MembershipFactory(user=user, organization=organization, role=Membership.Role.MEMBER)
        return user
    extra = {"region": region(district)} if district else {}
    organization = OrganizationFactory(kind=_ROLE_KIND[role], verified=verified, **extra)
    MembershipFactory(user=user, organization=organization, role=Membership.Role.ADMIN)
    return user
