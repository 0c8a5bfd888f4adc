"""Both sides see the engine's matches with score and reasons: the SME on its demand pages, the
patent owner (and its agency) on the patent page and the patent-matches page; nobody else."""

import pytest
from django.urls import reverse

from matching import selectors
from matching.services.inquiries import inquiry_create
from portal.permissions import actor_for
from tests.patents.factories import industry

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
        demand=demand, patent=patent, score=0.834, rank=1, reasons=["关键词：保鲜、乳制品", "IPC A23C"]
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
    inquiry = inquiry_create(actor=actor_for(sme_user), patent=patent, body="你好", match=match)
    client.force_login(sme_user)
    page = client.get(MINE).content.decode()
    assert reverse("matching:inquiry-detail", args=[inquiry.pk]) in page
    assert "?match=" not in page


def test_empty_state_says_nothing_is_recommended_and_offers_next_steps(client):
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user), industry=industry("coal"))
    client.force_login(sme_user)
    page = client.get(demand_url(demand)).content.decode()
    assert 'data-matches="0"' in page and "data-empty-matches" in page
    assert "平台暂未找到与该需求足够相关的已挂牌专利" in page
    # Next steps: broaden the keywords (edit link), ask an agency, pushed to institutions of its field.
    assert reverse("demands:demand-edit", args=[demand.code]) in page
    assert "知识产权服务机构" in page
    assert "未满足需求" in page and "煤炭" in page
    assert "data-send-inquiry" not in page


def test_tiers_are_shown_with_each_match(client, setup):
    _owner, sme_user, demand, _patent, match = setup
    MatchFactory(demand=demand, score=0.31, tier="possible", rank=2)
    match.tier, match.rank = "high", 1
    match.save(update_fields=["tier", "rank"])
    client.force_login(sme_user)
    page = client.get(demand_url(demand)).content.decode()
    assert page.count("data-tier-badge") == 2
    assert "高度相关" in page and "可能相关" in page
    assert page.index("高度相关") < page.index("可能相关")


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


# --- Unserved demands ----------------------------------------------------------------------------

UNSERVED = reverse("matching:unserved-demands")


@pytest.fixture
def unserved():
    served = DemandFactory(title="已有推荐的需求", industry=industry("coal"))
    MatchFactory(demand=served)
    gap_coal = DemandFactory(title="煤矸石综合利用需求", industry=industry("coal"))
    gap_none = DemandFactory(title="无产业的需求")
    closed = DemandFactory(title="已关闭的需求", status="closed")
    return served, gap_coal, gap_none, closed


def test_unserved_demands_list_open_demands_with_nothing_recommended(client, unserved):
    served, gap_coal, gap_none, closed = unserved
    client.force_login(make_user("bureau"))
    page = client.get(UNSERVED).content.decode()
    assert f'data-demand="{gap_coal.code}"' in page and f'data-demand="{gap_none.code}"' in page
    assert f'data-demand="{served.code}"' not in page and f'data-demand="{closed.code}"' not in page
    assert 'id="unserved-by-industry"' in page and "煤炭" in page
    filtered = client.get(UNSERVED, {"industry": "coal"}).content.decode()
    assert f'data-demand="{gap_coal.code}"' in filtered and f'data-demand="{gap_none.code}"' not in filtered
    found = client.get(UNSERVED, {"q": "煤矸石"}).content.decode()
    assert f'data-demand="{gap_coal.code}"' in found and f'data-demand="{gap_none.code}"' not in found


def test_unserved_demands_export_csv(client, unserved):
    _served, gap_coal, _gap_none, _closed = unserved
    client.force_login(make_user("bureau"))
    response = client.get(UNSERVED, {"format": "csv", "industry": "coal"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("需求编号,需求名称,企业,产业")
    assert (
        len(lines) == 2
        and lines[1].startswith(f"{gap_coal.code},煤矸石综合利用需求,")
        and ",煤炭," in lines[1]
    )


def test_unserved_demands_for_bureau_and_agencies_only(client, unserved):
    for role, status in (("bureau", 200), ("agency", 200), ("sme", 403), ("institution", 403), ("bank", 403)):
        client.force_login(make_user(role))
        assert client.get(UNSERVED).status_code == status, role
    client.logout()
    assert client.get(UNSERVED).status_code == 302


def test_unserved_demands_are_in_the_navigation_of_bureau_and_agencies(client):
    for role, shown in (("bureau", True), ("agency", True), ("sme", False)):
        client.force_login(make_user(role))
        assert (UNSERVED in client.get("/").content.decode()) is shown, role


def test_unserved_list_query_count(client, django_assert_max_num_queries):
    for i in range(15):
        DemandFactory(industry=industry("coal") if i % 2 else None)
    client.force_login(make_user("bureau"))
    with django_assert_max_num_queries(12):
        page = client.get(UNSERVED).content.decode()
    assert page.count("data-demand=") == 15


# --- The API -----------------------------------------------------------------------------------


def api_matches(demand):
    return reverse("api:demand-matches", args=[demand.code])


def test_api_lists_the_recommended_matches_best_first(client, setup):
    _owner, sme_user, demand, patent, _match = setup
    second = MatchFactory(
        demand=demand, score=0.4, rank=2, tier="possible", reasons=["共同关键词：保鲜（摘要）"]
    )
    client.force_login(sme_user)
    data = client.get(api_matches(demand)).json()
    assert data["demand"] == demand.code
    assert [m["application_no"] for m in data["matches"]] == [
        patent.application_no,
        second.patent.application_no,
    ]
    assert set(data["matches"][0]) == {"application_no", "score", "reasons", "tier"}
    assert data["matches"][0]["score"] == 0.834 and data["matches"][1]["tier"] == "possible"


def test_api_answers_404_to_those_who_may_not_see_the_matches(client, setup):
    owner_user, _sme, demand, _patent, _match = setup
    for user in (make_user("sme"), owner_user):
        client.force_login(user)
        assert client.get(api_matches(demand)).status_code == 404
    client.force_login(make_user("bureau"))
    assert client.get(api_matches(demand)).status_code == 200


def test_api_matches_in_a_constant_number_of_queries(client, django_assert_num_queries):
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user))
    client.force_login(sme_user)

    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(api_matches(demand)).status_code == 200
        return len(ctx.captured_queries)

    MatchFactory(demand=demand)
    one = queries()
    for rank in range(2, 12):
        MatchFactory(demand=demand, rank=rank)
    assert queries() == one
    assert len(client.get(api_matches(demand)).json()["matches"]) == 11


def test_api_empty_list_when_nothing_is_recommended(client):
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user))
    client.force_login(sme_user)
    assert client.get(api_matches(demand)).json() == {"demand": demand.code, "matches": []}
