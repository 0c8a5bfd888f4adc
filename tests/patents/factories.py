"""Test data for patents; users and organizations come from tests.portal.factories.

- ``InstitutionFactory``: a verified university in 东胜区.
- ``PatentFactory``: a granted invention patent filed 2021-03-01 of a new institution, offered for
  transfer, with derived fields (type, expiry, dormant, search columns) and IPC rows written as the
  services write them. ``PatentFactory(published=True)`` lists it for 12 months from today;
  ``industries=[...]`` sets industries.
- ``app_no(n)``: a valid 12-digit invention application number, distinct per n.
"""

import datetime as dt

import factory
from django.utils import timezone

from patents.identifiers import add_years, check_character
from patents.models import Patent, PatentIpc
from patents.services import ipc_rows, patent_derive
from portal.models import Industry, Organization
from tests.portal.factories import OrganizationFactory, make_user, region  # noqa: F401  (re-exported)


def app_no(n: int, *, year: int = 2021, type_digit: str = "1") -> str:
    digits = f"{year}{type_digit}{n:07d}"
    return f"{digits}.{check_character(digits)}"


def industry(code: str = "coal") -> Industry:
    return Industry.objects.get(code=code)


class InstitutionFactory(OrganizationFactory):
    kind = Organization.Kind.UNIVERSITY
    name = factory.Sequence(lambda n: f"测试大学{n}")
    public_contact = "技术转移中心 0477-1234567"


class PatentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patent
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            listing_status=Patent.ListingStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            listed_until=factory.LazyFunction(lambda: add_years(timezone.localdate(), 1)),
        )

    application_no = factory.Sequence(lambda n: app_no(n + 1))
    title = factory.Sequence(lambda n: f"一种测试用液压支架{n}")
    abstract = "本发明公开了一种测试用装置，结构简单，使用方便。"
    ipc_codes = "E21D 23/00"
    applicants = factory.LazyAttribute(lambda o: o.owner.name)
    owner = factory.SubFactory(InstitutionFactory)
    application_date = dt.date(2021, 3, 1)
    grant_date = dt.date(2022, 6, 1)
    legal_status = Patent.LegalStatus.GRANTED
    offers_transfer = True
    listing_status = Patent.ListingStatus.DRAFT

    @classmethod
    def _create(cls, model_class, *args, industries=(), **kwargs):
        patent = model_class(*args, **kwargs)
        patent_derive(patent)
        patent.save()
        if industries:
            patent.industries.set(industries)
        PatentIpc.objects.bulk_create(ipc_rows(patent))
        return patent


def institution_user(owner=None):
    """A member of ``owner`` (or of a new university)."""
    return make_user("institution", organization=owner) if owner else make_user("institution")


def agency_for(*owners):
    """An agency user whose organization the ``owners`` named as their agency."""
    user = make_user("agency")
    for owner in owners:
        owner.agencies.add(user.membership.organization)
    return user
