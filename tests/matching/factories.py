"""Test data for the matchmaking workflow: published patents of an institution, matches, inquiries
and events. Users, organizations and demands come from the portal and demands factories."""

import datetime as dt
import importlib

import factory
from django.utils import timezone

from matching.models import Event, Match
from patents.models import Patent
from portal.models import Industry, Organization, Region
from portal.permissions import actor_for
from tests.demands.factories import DemandFactory, sme_member_of  # noqa: F401  (re-exported)
from tests.patents.factories import InstitutionFactory, PatentFactory, agency_for  # noqa: F401  (re-exported)
from tests.portal.factories import OrganizationFactory, make_user, region  # noqa: F401  (re-exported)


def ensure_reference_data() -> None:
    """Reload the regions and industries of the portal's data migration when a transactional
    test's flush removed them. ``serialized_rollback`` cannot bring them back once Playwright's
    event loop runs in this thread: Django's connections are then per-context and no longer
    carry the serialized contents (see the report to the lead)."""
    from django.apps import apps

    if Region.objects.exists() and Industry.objects.exists():
        return
    load = importlib.import_module("portal.migrations.0002_load_regions_and_industries").load
    load(apps, None)


def make_patent(*, owner: Organization | None = None, published: bool = True, **fields) -> Patent:
    """A granted invention patent of ``owner`` (a new verified university by default), published
    unless ``published=False`` (then a draft)."""
    if owner is not None:
        fields["owner"] = owner
    fields.setdefault("keywords", "冷链;保鲜;乳制品")
    fields.setdefault("offers_license", True)
    return PatentFactory(published=published, **fields)


def institution_with_patent(**patent_fields):
    """(owner user, patent): an institution admin and a published patent of that institution."""
    owner_user = make_user("institution")
    patent = make_patent(owner=actor_for(owner_user).organization, **patent_fields)
    return owner_user, patent


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    demand = factory.SubFactory(DemandFactory)
    patent = factory.LazyFunction(make_patent)
    score = 0.82
    rank = factory.Sequence(lambda n: n % 20 + 1)
    reasons = factory.LazyFunction(lambda: ["关键词：冷链、保鲜", "产业相同：乳业"])


class EventFactory(factory.django.DjangoModelFactory):
    """An upcoming roadshow in 达拉特旗 in 30 days."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"乳业专利技术路演第{n}场")
    kind = Event.Kind.ROADSHOW
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    venue = "达拉特旗科技大厦三楼会议室"
    district = factory.LazyFunction(lambda: region("150621"))
    organizer = "鄂尔多斯市市场监督管理局（知识产权局）"
