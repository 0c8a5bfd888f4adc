"""Who sees which demands, and whose details: every role against the same set of demands."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from demands.models import Demand
from demands.selectors import (
    demand_get,
    demand_list,
    demand_list_mine,
    demand_list_open,
    demand_status_counts,
)
from portal.permissions import actor_for

from .factories import DemandFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demands():
    """Demands of one SME ("own") and of another ("other")."""
    own = DemandFactory(code="OWN-1")
    org = own.organization
    return {
        "own_open": own,
        "own_draft": DemandFactory(code="OWN-2", organization=org, status=Demand.Status.DRAFT),
        "other_open": DemandFactory(code="OTH-1"),
        "other_verified_only": DemandFactory(code="OTH-2", visibility=Demand.Visibility.VERIFIED),
        "other_draft": DemandFactory(code="OTH-3", status=Demand.Status.DRAFT),
        "other_closed": DemandFactory(code="OTH-4", status=Demand.Status.CLOSED),
        "other_expired": DemandFactory(code="OTH-5", status=Demand.Status.EXPIRED),
    }


ALL = {
    "own_open",
    "own_draft",
    "other_open",
    "other_verified_only",
    "other_draft",
    "other_closed",
    "other_expired",
}
PUBLIC = {"own_open", "other_open"}
OPEN = {"own_open", "other_open", "other_verified_only"}


def user_for(role, demands):
    if role == "anonymous":
        return AnonymousUser()
    if role == "own_sme":
        return make_user("sme", organization=demands["own_open"].organization)
    if role in ("unverified_institution", "unverified_agency"):
        return make_user(role.split("_")[1], verified=False)
    return make_user(role)


@pytest.mark.parametrize(
    "role,visible,with_details",
    [
        ("anonymous", PUBLIC, set()),
        ("none", PUBLIC, set()),
        ("sme", PUBLIC, set()),  # another SME
        ("own_sme", PUBLIC | {"own_draft"} | {"own_open"}, {"own_open", "own_draft"}),
        ("institution", OPEN, OPEN),
        ("agency", OPEN, OPEN),
        ("unverified_institution", PUBLIC, set()),
        ("unverified_agency", PUBLIC, set()),
        ("bank", PUBLIC, set()),
        ("insurer", PUBLIC, set()),
        ("district_officer", ALL, ALL),
        ("bureau", ALL, ALL),
        ("admin", ALL, ALL),
    ],
)
def test_visibility_and_details_by_role(demands, role, visible, with_details):
    user = user_for(role, demands)
    names = {demand.pk: name for name, demand in demands.items()}
    rows = list(demand_list(actor=actor_for(user)))
    assert {names[d.pk] for d in rows} == visible
    assert {names[d.pk] for d in rows if d.can_view_details} == with_details
    for name in ALL - visible:  # invisible demands answer 404, like missing ones
        with pytest.raises(Http404):
            demand_get(actor=actor_for(user), code=demands[name].code)
    with pytest.raises(Http404):
        demand_get(actor=actor_for(user), code="NO-SUCH-1")


def test_mine_lists_own_organization_only(demands):
    user = make_user("sme", organization=demands["own_open"].organization)
    actor = actor_for(user)
    assert {d.code for d in demand_list_mine(actor=actor)} == {"OWN-1", "OWN-2"}
    counts = demand_status_counts(actor=actor)
    assert counts["open"] == 1 and counts["draft"] == 1 and counts["closed"] == 0
    assert not demand_list_mine(actor=actor_for(make_user("institution"))).exists()


def test_open_list_for_the_matching_engine(demands):
    assert {d.code for d in demand_list_open()} == {"OWN-1", "OTH-1", "OTH-2"}


def test_visible_to_and_editable_by_on_the_queryset(demands):
    owner = make_user("sme", organization=demands["own_open"].organization)
    assert set(Demand.objects.editable_by(owner).values_list("code", flat=True)) == {"OWN-1", "OWN-2"}
    assert not Demand.objects.editable_by(make_user("bureau")).exists()
    assert Demand.objects.visible_to(make_user("bureau")).count() == len(ALL)
