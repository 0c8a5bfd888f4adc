"""Visibility by role, the shared FilterSet (incl. two-character Chinese keywords) and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patents import selectors, services
from patents.models import Patent
from portal.models import Organization
from portal.permissions import actor_for, system_actor
from tests.patents.factories import (
    InstitutionFactory,
    PatentFactory,
    agency_for,
    industry,
    institution_user,
    make_user,
    region,
)

pytestmark = pytest.mark.django_db


def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return actor_for(AnonymousUser())


def numbers(queryset):
    return {p.application_no for p in queryset}


# --- visibility ------------------------------------------------------------------------------------


def test_visibility_by_role():
    dongsheng = InstitutionFactory(region=region("150602"))
    jungar = InstitutionFactory(region=region("150622"))
    published = PatentFactory(owner=dongsheng, published=True)
    draft_mine = PatentFactory(owner=dongsheng)
    draft_jungar = PatentFactory(owner=jungar, listing_status="submitted")

    assert numbers(selectors.patent_list(actor=anonymous())) == {published.application_no}
    assert numbers(selectors.patent_list(actor=actor_for(make_user("sme")))) == {published.application_no}
    owner = actor_for(institution_user(dongsheng))
    assert numbers(selectors.patent_list(actor=owner)) == {
        published.application_no,
        draft_mine.application_no,
    }
    officer = actor_for(make_user("district_officer", district="150622"))
    assert numbers(selectors.patent_list(actor=officer)) == {
        published.application_no,
        draft_jungar.application_no,
    }
    bureau = actor_for(make_user("bureau"))
    assert len(numbers(selectors.patent_list(actor=bureau))) == 3
    agency = actor_for(agency_for(jungar))
    assert numbers(selectors.patent_list(actor=agency)) == {
        published.application_no,
        draft_jungar.application_no,
    }


def test_patent_get_answers_404_for_missing_and_invisible():
    draft = PatentFactory()
    with pytest.raises(Http404):
        selectors.patent_get(actor=anonymous(), application_no=draft.application_no)
    with pytest.raises(Http404):
        selectors.patent_get(actor=anonymous(), application_no="202110000000.0")
    with pytest.raises(Http404):
        selectors.patent_get(actor=anonymous(), application_no="not-a-number")
    owner = actor_for(institution_user(draft.owner))
    assert selectors.patent_get(actor=owner, application_no="CN" + draft.application_no) == draft
    with pytest.raises(Http404):
        selectors.patent_get_editable(
            actor=actor_for(institution_user()), application_no=draft.application_no
        )


def test_review_queue_by_reviewer():
    jungar = InstitutionFactory(region=region("150622"))
    mine = PatentFactory(owner=jungar, listing_status="submitted")
    other = PatentFactory(listing_status="submitted")
    PatentFactory(owner=jungar)  # draft: not in the queue
    assert set(selectors.patent_review_queue(actor=actor_for(make_user("bureau")))) == {mine, other}
    officer = actor_for(make_user("district_officer", district="150622"))
    assert list(selectors.patent_review_queue(actor=officer)) == [mine]
    assert list(selectors.patent_review_queue(actor=actor_for(agency_for(other.owner)))) == [other]
    assert not selectors.patent_review_queue(actor=actor_for(institution_user(jungar))).exists()


# --- filters -------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Five published patents that differ in every filtered attribute."""
    uni = InstitutionFactory(region=region("150602"))
    soe = InstitutionFactory(kind=Organization.Kind.SOE, region=region("150622"))
    return {
        "coal": PatentFactory(
            owner=soe,
            published=True,
            title="一种煤矿巷道液压支护装置",
            ipc_codes="E21D 23/00; E21D 15/00",
            industries=[industry("coal")],
            asking_price=Decimal("300000"),
            trl=7,
            offers_license=True,
        ),
        "battery": PatentFactory(
            owner=uni,
            published=True,
            title="一种磷酸铁锂正极材料的制备方法",
            abstract="LiFePO4 cathode; 锂离子电池",
            ipc_codes="H01M 4/58; H01M 10/052",
            industries=[industry("electronics")],
            asking_price=Decimal("80000"),
            trl=4,
            open_license=True,
        ),
        "dairy": PatentFactory(
            owner=uni,
            published=True,
            title="一种发酵乳的制备方法",
            abstract="以牛奶为原料，加入乳酸菌发酵。",
            ipc_codes="A23C 9/12",
            industries=[industry("dairy"), industry("agriculture")],
            asking_price=None,
            offers_transfer=False,
            offers_equity=True,
        ),
        "utility": PatentFactory(
            owner=uni,
            published=True,
            application_no="202223220665.2",
            application_date=dt.date(2022, 12, 2),
            title="一种无人机机载多功能盒",
            ipc_codes="B64U 20/80",
            legal_status=Patent.LegalStatus.PENDING,
            grant_date=None,
            implemented=True,
        ),
        "draft": PatentFactory(owner=uni, title="一种煤矿瓦斯抽采钻孔封孔方法"),
    }


def run(params, actor=None):
    return {p.application_no for p in selectors.patent_list(actor=actor or anonymous(), filters=params)}


def names(catalogue, *keys):
    return {catalogue[key].application_no for key in keys}


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"q": "煤矿"}, ["coal"]),  # two-character Chinese word; the draft also matches but is hidden
        ({"q": "支护"}, ["coal"]),
        ({"q": "制备方法"}, ["battery", "dairy"]),
        ({"q": "乳酸菌 发酵"}, ["dairy"]),  # all terms must match
        ({"q": "煤矿 乳酸菌"}, []),
        ({"q": "lifepo4"}, ["battery"]),  # case-insensitive Latin
        ({"q": "ＬｉＦｅＰＯ４"}, ["battery"]),  # full-width input
        ({"q": "矿支"}, []),  # bigram present in no title ("矿巷")
        ({"q": "202223220665"}, ["utility"]),
        ({"industry": "coal"}, ["coal"]),
        ({"industry": ["dairy", "electronics"]}, ["battery", "dairy"]),
        ({"agricultural": "true"}, ["dairy"]),
        ({"ipc_section": "H"}, ["battery"]),
        ({"ipc_class": "E21"}, ["coal"]),
        ({"ipc_subclass": "A23C"}, ["dairy"]),
        ({"ipc": "H01M 10/00"}, ["battery"]),
        ({"ipc": "h01m10/052"}, ["battery"]),
        ({"ipc": "E21"}, ["coal"]),
        ({"patent_type": "utility_model"}, ["utility"]),
        ({"legal_status": "pending"}, ["utility"]),
        ({"owner_kind": "soe"}, ["coal"]),
        ({"region": "150622"}, ["coal"]),
        ({"deal_kind": "equity"}, ["dairy"]),
        ({"deal_kind": ["license", "equity"]}, ["coal", "dairy"]),
        ({"open_license": "true"}, ["battery"]),
        ({"price_min": "100000"}, ["coal"]),
        ({"price_max": "100000"}, ["battery"]),
        ({"negotiable": "true"}, ["dairy", "utility"]),
        ({"trl_min": "5"}, ["coal"]),
        ({"dormant": "true"}, ["coal", "battery", "dairy"]),
        ({"dormant": "false"}, ["utility"]),
    ],
)
def test_filters(catalogue, params, expected):
    assert run(params) == names(catalogue, *expected)


def test_owner_filter_and_the_owner_sees_drafts_through_the_same_filters(catalogue):
    owner = catalogue["draft"].owner
    assert run({"owner": str(owner.pk)}) == names(catalogue, "battery", "dairy", "utility")
    owner_actor = actor_for(institution_user(owner))
    assert run({"q": "煤矿"}, owner_actor) == names(catalogue, "coal", "draft")
    assert run({"listing_status": "draft"}, owner_actor) == names(catalogue, "draft")


def test_sorting(catalogue):
    def ordered(sort):
        return [p.application_no for p in selectors.patent_list(actor=anonymous(), filters={"sort": sort})]

    cheapest = ordered("price")
    assert cheapest[:2] == [catalogue["battery"].application_no, catalogue["coal"].application_no]
    assert ordered("-price")[0] == catalogue["coal"].application_no
    assert ordered("-price")[-2:] != cheapest[:2]  # negotiable (no price) last either way
    assert ordered("trl")[0] == catalogue["coal"].application_no
    assert ordered("filed")[0] == catalogue["utility"].application_no


@pytest.mark.parametrize("sort", ["newest", "price", "-price", "filed", "remaining", "trl", "updated"])
def test_a_page_sorted_without_an_index_is_the_same_page(catalogue, sort):
    from patents.search import sorted_without_index

    PatentFactory(published=True, title="一种煤矿安全监测装置", asking_price=Decimal("300000"), trl=7)
    queryset = selectors.patent_list(actor=anonymous(), filters={"sort": sort})
    rewritten = sorted_without_index(queryset)
    assert "COALESCE" in str(rewritten.query)
    assert list(rewritten) == list(queryset) and len(queryset) == 5


def test_keyword_page_query_sorts_the_matches_when_the_walk_would_be_long(catalogue):
    """On PostgreSQL a page whose walk in sort order would pass WALK_LIMIT listings (few matches
    among many listings) is read by sorting the matches; otherwise the query is left alone."""
    from patents.search import WALK_LIMIT, keyword_page_query

    queryset = selectors.patent_list(actor=anonymous(), filters={"q": "煤矿", "industry": "coal"})
    asked = []

    def listed():
        asked.append(True)
        return 100_000

    page_query = keyword_page_query(listed=listed)
    common = page_query(queryset, count=100_000 * 20 // WALK_LIMIT, top=20)
    assert "COALESCE" not in str(common.query)
    rare = page_query(queryset, count=64, top=20)
    assert ("COALESCE" in str(rare.query)) == (connection.vendor == "postgresql")
    assert list(rare) == list(queryset) == [catalogue["coal"]]
    assert page_query(queryset, count=0, top=20) is queryset
    assert len(asked) == (2 if connection.vendor == "postgresql" else 0)


def test_keyword_page_rows_through_the_browse_page(client, catalogue):
    """The browse page with a keyword and another filter shows the same patents in the same order
    however the page is read, and again from the remembered rows."""
    for n in range(3):
        PatentFactory(published=True, title=f"一种煤矿巷道支护结构{n}", industries=[industry("coal")])
    url = reverse("patents:list")
    expected = [
        p.application_no
        for p in selectors.patent_list(actor=anonymous(), filters={"q": "煤矿巷道", "industry": "coal"})
    ]
    assert len(expected) == 4
    for _ in range(2):
        page = client.get(url, {"q": "煤矿巷道", "industry": "coal"}).context["page_obj"]
        assert [p.application_no for p in page] == expected


def test_keyword_search_can_use_the_indexes_on_postgresql(catalogue):
    """The filters' SQL matches the GIN index expressions, so PostgreSQL can serve a
    two-character Chinese term (bigram codes index) and a Latin term (pg_trgm index on
    search_latin) among published listings, which is what those partial indexes cover."""
    if connection.vendor != "postgresql":
        pytest.skip("index-served search is PostgreSQL-only")
    from patents.search import keyword_filter

    plans = {}
    for term in ("煤矿", "lifepo4"):
        queryset = keyword_filter(Patent.objects.published().only("pk"), term)
        assert queryset.exists()
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            # A tiny table: take the other plans away (any index on listing_status could find
            # its few published rows as cheaply) so that EXPLAIN shows whether the search indexes
            # can serve the query. Rolled back with the test's transaction.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'patents_patent' "
                "AND indexdef LIKE '%%listing_status%%' AND indexname NOT LIKE 'patent_search_%%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("EXPLAIN " + sql, params)
            plans[term] = "\n".join(row[0] for row in cursor.fetchall())
    # An index on the search columns serves the query (which one depends on the statistics).
    assert "Index Scan on patent_search_" in plans["煤矿"], plans["煤矿"]
    assert "patent_search_latin_trgm" in plans["lifepo4"], plans["lifepo4"]


# --- query budget ------------------------------------------------------------------------------------


def _make_published(count):
    owners = [InstitutionFactory(), InstitutionFactory(kind="soe")]
    for i in range(count):
        PatentFactory(
            owner=owners[i % 2], published=True, industries=[industry("coal"), industry("equipment")]
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("path", ["patents:list", "api:patent-list"])
@pytest.mark.parametrize("query", ["", "?industry=coal&q=液压&sort=price&ipc_section=E"])
def test_list_pages_run_a_constant_number_of_queries(
    client, django_assert_max_num_queries, path, query, language
):
    from django.conf import settings
    from django.core.cache import cache

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # English names are loaded with the rows too
    url = reverse(path) + query
    _make_published(3)
    _queries(client, url)  # warm the process-wide IPC title cache
    # Each page measured uncached: counts, page rows, cards and the sidebar all read afresh.
    cache.clear()
    few = _queries(client, url)
    _make_published(60)
    cache.clear()
    with django_assert_max_num_queries(few):  # a full page (20 rows)
        assert client.get(url).status_code == 200
    if path == "patents:list":
        cache.clear()
        with django_assert_max_num_queries(few):  # 50 rows
            assert client.get(url + ("&" if query else "?") + "per_page=50").status_code == 200
    assert few <= 10


def test_inventory_and_review_pages_have_a_constant_number_of_queries(client):
    owner = InstitutionFactory()
    user = institution_user(owner)
    for _ in range(3):
        PatentFactory(owner=owner, industries=[industry("coal")])
    client.force_login(user)
    few = _queries(client, reverse("patents:mine"))
    for _ in range(12):
        PatentFactory(owner=owner, industries=[industry("coal")], listing_status="submitted")
    assert _queries(client, reverse("patents:mine")) == few

    bureau = make_user("bureau")
    client.force_login(bureau)
    review = _queries(client, reverse("patents:review"))
    for _ in range(5):
        PatentFactory(listing_status="submitted")
    assert _queries(client, reverse("patents:review")) == review


def test_services_keep_search_columns_in_step():
    patent = PatentFactory(published=True, title="普通标题")
    assert not run({"q": "羊绒"})
    services.patent_update(patent=patent, actor=system_actor(), title="一种羊绒分梳机")
    assert run({"q": "羊绒"}) == {patent.application_no}


def test_a_longer_chinese_term_must_be_a_substring_not_only_share_its_bigrams():
    """装置装 shares both bigrams (装置, 置装) with the text but is not in it: the index finds the
    candidate, the substring check drops it. A two-character term is answered by the index alone."""
    patent = PatentFactory(published=True, title="一种装置", abstract="装置包括置装单元。")
    assert run({"q": "装置装"}) == set()
    assert run({"q": "置装"}) == run({"q": "装置包括"}) == {patent.application_no}
