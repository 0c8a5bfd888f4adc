"""DemandFilterSet, as the pages and the API use it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from demands.filters import DemandFilterSet
from demands.models import Demand
from demands.selectors import demand_list

from .factories import DemandFactory, industry, make_user, region

pytestmark = pytest.mark.django_db


def codes(params, user=None):
    filterset = DemandFilterSet(params, queryset=demand_list(actor=user or AnonymousUser()))
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("code", flat=True))


@pytest.fixture
def demands():
    today = timezone.localdate()
    return [
        DemandFactory(
            code="F-1",
            title="煤矸石制备新型建材技术",
            keywords="煤矸石;建材",
            industry=industry("coal"),
            district=region("150622"),
            wants_transfer=True,
            wants_license=False,
            wants_equity=False,
            budget_min=Decimal("100000"),
            budget_max=Decimal("500000"),
            deadline=today + dt.timedelta(days=10),
            description="利用固废生产免烧砖。",
        ),
        DemandFactory(
            code="F-2",
            title="羊绒分梳设备节能改造",
            keywords="羊绒;分梳",
            industry=industry("cashmere"),
            district=region("150602"),
            wants_transfer=False,
            wants_license=True,
            wants_equity=True,
            budget_min=Decimal("1000000"),
            budget_max=None,
            deadline=today + dt.timedelta(days=100),
            description="降低分梳能耗，提升无毛绒得率。",
        ),
        DemandFactory(
            code="F-3",
            title="乳制品冷链保鲜",
            keywords="",
            industry=industry("dairy"),
            district=region("150627"),
            budget_min=None,
            budget_max=None,
            deadline=today + dt.timedelta(days=200),
            description="牛奶运输保鲜，需要新型包装材料。",
        ),
    ]


def test_q_finds_two_character_chinese_words(demands):
    assert codes({"q": "煤矸"}) == {"F-1"}
    assert codes({"q": "羊绒"}) == {"F-2"}
    assert codes({"q": "乳业"}) == {"F-3"}  # the industry's name
    assert codes({"q": "冷链"}) == {"F-3"}
    assert codes({"q": "建材 煤矸石"}) == {"F-1"}  # every word must match
    assert codes({"q": "建材 羊绒"}) == set()
    assert codes({"q": "f-2"}) == {"F-2"}  # the code, any case


def test_q_searches_descriptions_only_for_those_who_may_read_them(demands):
    assert codes({"q": "免烧砖"}) == set()  # anonymous: the description is not public
    assert codes({"q": "免烧砖"}, make_user("institution")) == {"F-1"}
    assert codes({"q": "包装"}, make_user("bureau")) == {"F-3"}


def test_structured_filters(demands):
    assert codes({"industry": "cashmere"}) == {"F-2"}
    assert codes({"district": "150622"}) == {"F-1"}
    assert codes({"deal_kind": "transfer"}) == {"F-1", "F-3"}
    assert codes({"deal_kind": "equity"}) == {"F-2"}
    # Budget ranges overlapping the asked range; 面议 (no budget) does not count.
    assert codes({"budget_min": "80万"}) == {"F-2"}
    assert codes({"budget_min": "300000"}) == {"F-1", "F-2"}
    assert codes({"budget_max": "50万"}) == {"F-1"}
    assert codes({"budget_min": "20万", "budget_max": "200万"}) == {"F-1", "F-2"}
    today = timezone.localdate()
    assert codes({"deadline_before": (today + dt.timedelta(days=50)).isoformat()}) == {"F-1"}
    assert codes({"deadline_after": (today + dt.timedelta(days=50)).isoformat()}) == {"F-2", "F-3"}


def test_status_filter_within_what_one_may_see(demands):
    closed = DemandFactory(code="F-4", status=Demand.Status.CLOSED)
    assert codes({"status": "closed"}) == set()
    assert codes({"status": "closed"}, make_user("bureau")) == {closed.code}
    assert codes({"status": "open"}, make_user("bureau")) == {"F-1", "F-2", "F-3"}


def test_invalid_values_are_errors():
    filterset = DemandFilterSet({"budget_min": "很多", "industry": "nope"}, queryset=Demand.objects.all())
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"budget_min", "industry"}


def test_ordering(demands):
    qs = DemandFilterSet({"ordering": "deadline"}, queryset=demand_list(actor=AnonymousUser())).qs
    assert [d.code for d in qs] == ["F-1", "F-2", "F-3"]
