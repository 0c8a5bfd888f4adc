"""Test data for demands; users and organizations come from tests.portal.factories."""

import datetime as dt

import factory
from django.utils import timezone

from demands.models import Demand
from portal.models import Industry
from tests.portal.factories import OrganizationFactory, make_user, region  # noqa: F401  (re-exported)


def industry(code: str = "agriculture") -> Industry:
    """An industry loaded by the portal's data migration."""
    return Industry.objects.get(code=code)


class DemandFactory(factory.django.DjangoModelFactory):
    """An open, public demand of a new verified SME, deadline in 90 days."""

    class Meta:
        model = Demand
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T2023-{n:04d}")
    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"测试需求{n}号冷链保鲜技术")
    description = "我公司希望引进乳制品冷链保鲜相关技术，延长保质期。"
    industry = None
    keywords = "冷链;保鲜"
    wants_transfer = True
    wants_license = True
    wants_equity = False
    district = factory.LazyAttribute(lambda o: o.organization.region)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    status = Demand.Status.OPEN
    visibility = Demand.Visibility.PUBLIC
    published_at = factory.Maybe(
        factory.LazyAttribute(lambda o: o.status != Demand.Status.DRAFT),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )


def sme_member_of(demand: Demand):
    """A user who is a member of the demand's organization."""
    return make_user("sme", organization=demand.organization)
