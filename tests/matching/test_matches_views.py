"""Both sides see the engine's matches with score and reasons: the SME on its demand pages, the
patent owner (and its agency) on the patent page and the patent-matches page; nobody else."""

import pytest
from django.urls import reverse

from matching import selectors
from matching.services.inquiries import inquiry_create
from portal.permissions import actor_for

from .factories import (
    DemandFactory,
    MatchFactory,
    agency_for,
    institution_with_patent,
    make_patent,
    make_user,
)

pytestmark = pytest.mark.django_db

MINE = reverse("demands:mine")
PATENT_MATCHES = reverse("matching:patent-matches")


def org(user):
    return user.membership.organization


@pytest.fixture
def setup():
    owner_user, patent = institution_with_patent(title="一种牛奶低温杀菌保鲜装置")
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user), title="乳制品保鲜技术需求")
    match = MatchFactory(
        demand=demand, patent=patent, score=0.834, reasons=["关键词：保鲜、乳制品", "IPC A23C"]
    )
    return owner_user, sme_user, demand, patent, match


def demand_url(demand):
    return reverse("demands:demand-detail", args=[demand.code])


def test_sme_sees_matches_on_my_demands_and_the_demand_page(client, setup):
    _owner, sme_user, demand, patent, match = setup
    client.force_login(sme_user)
    for url in (MINE, demand_url(demand)):
        page = client.get(url).content.decode()
        assert f'id="matches-{demand.code}"' in page
        assert patent.title in page
        assert "83%" in page
        assert "关键词：保鲜、乳制品" in page and "IPC A23C" in page
        inquiry_link = reverse("matching:inquiry-create", args=[patent.application_no]) + f"?match={match.pk}"
        assert inquiry_link in page


def test_after_an_inquiry_the_match_links_to_it(client, setup):
    _owner, sme_user, _demand, patent, match = setup
    inquiry = inquiry_create(by=sme_user, patent=patent, body="你好", match=match)
    client.force_login(sme_user)
    page = client.get(MINE).content.decode()
    assert reverse("matching:inquiry-detail", args=[inquiry.pk]) in page
    assert "?match=" not in page


def test_empty_state_without_matches(client):
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user))
    client.force_login(sme_user)
    page = client.get(demand_url(demand)).content.decode()
    assert 'data-matches="0"' in page
    assert "暂无匹配结果" in page


def test_others_do_not_see_an_smes_matches(client, setup):
    owner_user, _sme, demand, _patent, _match = setup
    for user in (make_user("sme"), owner_user, make_user("institution")):
        assert selectors.match_list_for_demand(actor=actor_for(user), demand=demand).count() == 0
        client.force_login(user)
        page = client.get(demand_url(demand)).content.decode()
        assert f'id="matches-{demand.code}"' not in page
    assert selectors.match_list_for_demand(actor=actor_for(make_user("bureau")), demand=demand).count() == 1


def test_smes_see_only_matches_with_published_patents(setup):
    owner_user, sme_user, demand, _patent, _match = setup
    MatchFactory(demand=demand, patent=make_patent(owner=org(owner_user), published=False))
    assert selectors.match_list_for_demand(actor=actor_for(sme_user), demand=demand).count() == 1


def test_my_demands_reads_all_matches_in_one_go(client, django_assert_max_num_queries):
    sme_user = make_user("sme")
    client.force_login(sme_user)

    def page_queries(n_demands):
        for _ in range(n_demands):
            demand = DemandFactory(organization=org(sme_user))
            for _ in range(3):
                MatchFactory(demand=demand)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            page = client.get(MINE).content.decode()
        return len(ctx.captured_queries), page

    few, _ = page_queries(1)
    many, page = page_queries(4)
    assert page.count("data-match=") == 15
    assert many == few


def test_owner_sees_matched_demands_on_the_patent_page_and_the_matches_page(client, setup):
    owner_user, _sme, demand, patent, _match = setup
    client.force_login(owner_user)
    page = client.get(reverse("patents:detail", args=[patent.application_no])).content.decode()
    assert 'id="patent-matches"' in page and demand.title in page and "83%" in page

    page = client.get(PATENT_MATCHES).content.decode()
    assert demand.title in page and patent.title in page and "IPC A23C" in page
    page = client.get(PATENT_MATCHES + "?min_score=85").content.decode()
    assert demand.title not in page and 'id="empty-state"' in page


def test_agency_sees_its_principals_matches(client, setup):
    owner_user, _sme, demand, _patent, _match = setup
    client.force_login(agency_for(org(owner_user)))
    assert demand.title in client.get(PATENT_MATCHES).content.decode()
    client.force_login(make_user("agency"))
    assert demand.title not in client.get(PATENT_MATCHES).content.decode()


def test_other_institutions_and_public_do_not_see_the_owners_matches(client, setup):
    _owner, _sme, demand, patent, _match = setup
    client.force_login(make_user("institution"))
    assert demand.title not in client.get(PATENT_MATCHES).content.decode()
    page = client.get(reverse("patents:detail", args=[patent.application_no])).content.decode()
    assert 'id="patent-matches"' not in page
    client.logout()
    assert (
        'id="patent-matches"'
        not in client.get(reverse("patents:detail", args=[patent.application_no])).content.decode()
    )
    assert client.get(PATENT_MATCHES).status_code == 302
    client.force_login(make_user("sme"))
    assert client.get(PATENT_MATCHES).status_code == 403


def test_patent_matches_page_query_count(client, django_assert_max_num_queries):
    owner_user, patent = institution_with_patent()
    for _ in range(5):
        MatchFactory(patent=patent)
    client.force_login(owner_user)
    with django_assert_max_num_queries(12):
        page = client.get(PATENT_MATCHES).content.decode()
    assert page.count("data-match=") == 5


def test_owner_does_not_see_matches_of_demands_hidden_from_it(setup):
    owner_user, sme_user, _demand, patent, _match = setup
    hidden = DemandFactory(organization=org(sme_user), visibility="verified")
    MatchFactory(demand=hidden, patent=patent)
    owner_org = org(owner_user)
    owner_org.verified = False
    owner_org.save()
    actor = actor_for(type(owner_user).objects.get(pk=owner_user.pk))  # a fresh user: no cached actor
    assert hidden.pk not in set(
        selectors.match_list_for_patent(actor=actor, patent=patent).values_list("demand", flat=True)
    )
