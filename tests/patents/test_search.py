"""The search columns: NFKC text, the bigram codes the PostgreSQL index holds, the Latin part."""

from itertools import pairwise

import pytest

from patents.search import (
    bigram_code,
    bigram_codes,
    bigrams,
    build_search_bigram_codes,
    build_search_latin,
    build_search_text,
    query_terms,
)


def test_bigram_codes_are_the_codes_of_every_chinese_pair():
    text = build_search_text("一种煤矿巷道液压支护装置", "支护;液压", "LiFePO4 正极，乳酸菌。单", "测试大学")
    expected = {bigram_code(pair) for pair in bigrams(text)}
    assert bigram_codes(text) == expected
    assert bigram_code("煤矿") == ord("煤") + ord("矿") * 65536 in expected  # < 2**31
    assert bigram_code("方法") == ord("方") + ord("法") * 65536
    assert bigram_code("乳酸") == ord("乳") + ord("酸") * 65536 - 2**32  # the high bit set: negative
    assert bigram_code("正极") in expected and bigram_code("极乳") not in expected  # runs end at punctuation
    assert sorted(build_search_bigram_codes(text)) == sorted(expected)


@pytest.mark.parametrize("text", ["", "abc 123", "单", "，。", "ａｂｃ"])
def test_no_chinese_pair_no_code(text):
    assert bigram_codes(build_search_text(text)) == set() and build_search_bigram_codes(text) == []


def test_odd_and_even_runs_and_compatibility_ideographs():
    for run in ("煤矿", "煤矿巷", "煤矿巷道", "煤矿巷道液", "\ufa0e\ufa0f", "\u3400\u9fff\uf900"):
        text = build_search_text(run)
        assert bigram_codes(text) == {bigram_code(a + b) for a, b in pairwise(text)}


def test_latin_part_and_terms_are_normalised():
    text = build_search_text("ＬｉＦｅＰＯ４正极材料", "H01M 4/58")
    assert "lifepo4" in build_search_latin(text) and "正极" not in build_search_latin(text)
    assert query_terms("  煤矿　ＬｉＦｅ  ") == ["煤矿", "life"]


# --- Relevance and industries ------------------------------------------------------------------

RESEARCH_INSTITUTE = "鄂尔多斯煤炭清洁利用研究院"


def _published(owner=None, **fields):
    """A published patent; each one created later is newer (the default order's first)."""
    from tests.patents.factories import PatentFactory

    if owner is not None:
        fields["owner"] = owner
    return PatentFactory(published=True, **fields)


@pytest.fixture
def coal_catalogue(db):
    """Four patents mentioning 煤 in different places, created oldest first in relevance order so
    that the newest-first order is the reverse of the relevance order."""
    from tests.patents.factories import InstitutionFactory, industry

    institute = InstitutionFactory(name=RESEARCH_INSTITUTE)
    plain = InstitutionFactory(name="测试大学甲")
    return {
        "title": _published(plain, title="一种煤气化炉", abstract="本发明公开了一种气化炉，结构简单。"),
        "keyword": _published(plain, title="一种气化炉的排渣结构", keywords="煤;排渣"),
        "abstract": _published(plain, title="一种巷道支护结构", abstract="用于煤矿井下巷道的支护。"),
        "owner": _published(
            institute, title="一种羊毛纺纱机", abstract="纺纱效率高。", industries=[industry("cashmere")]
        ),
    }


def _numbers(page) -> list[str]:
    return [p.application_no for p in page]


def test_keyword_search_is_ordered_by_relevance(client, coal_catalogue):
    """煤: title and keyword hits, then abstract hits, then the patent whose only 煤 is its
    owner's name (鄂尔多斯煤炭清洁利用研究院), however new it is; newest first within a tier."""
    from django.urls import reverse

    c = coal_catalogue
    response = client.get(reverse("patents:list"), {"q": "煤"})
    expected = [c["keyword"], c["title"], c["abstract"], c["owner"]]
    assert _numbers(response.context["page_obj"]) == [p.application_no for p in expected]
    html = response.content.decode()
    assert '<option value="" selected>相关度</option>' in html
    # Asked again (remembered count and rows, cached cards): the same order.
    assert _numbers(client.get(reverse("patents:list"), {"q": "煤"}).context["page_obj"]) == [
        p.application_no for p in expected
    ]
    # The other orders stay available, and then relevance is not applied.
    newest = client.get(reverse("patents:list"), {"q": "煤", "sort": "newest"})
    assert _numbers(newest.context["page_obj"]) == [
        c[k].application_no for k in ("owner", "abstract", "keyword", "title")
    ]
    assert '<option value="newest" selected>最新发布</option>' in newest.content.decode()
    # Relevance is also what sort=relevance asks for; without a keyword it is not offered.
    again = client.get(reverse("patents:list"), {"q": "煤", "sort": "relevance"})
    assert _numbers(again.context["page_obj"]) == [p.application_no for p in expected]
    browse = client.get(reverse("patents:list")).content.decode()
    assert "相关度" not in browse and '<option value="" selected>最新发布</option>' in browse


def test_api_search_is_ordered_by_relevance(client, coal_catalogue):
    from django.urls import reverse

    c = coal_catalogue
    data = client.get(reverse("api:patent-list"), {"q": "煤"}).json()
    assert [r["application_no"] for r in data["results"]] == [
        c[k].application_no for k in ("keyword", "title", "abstract", "owner")
    ]
    data = client.get(reverse("api:patent-list"), {"q": "煤", "sort": "newest"}).json()
    assert data["results"][0]["application_no"] == c["owner"].application_no
    assert client.get(reverse("api:patent-list"), {"sort": "bogus"}).status_code == 400


def test_a_hit_in_the_abstract_and_the_owner_name_counts_as_an_abstract_hit(coal_catalogue):
    from patents import selectors
    from tests.patents.factories import Organization

    institute = Organization.objects.get(name=RESEARCH_INSTITUTE)
    both = _published(institute, title="一种洗选设备", abstract="用于煤的洗选。")
    only_owner = coal_catalogue["owner"]
    actor = _anonymous()
    found = list(selectors.patent_list(actor=actor, filters={"q": "煤"}))
    assert found.index(both) < found.index(only_owner)
    assert found.index(both) < found.index(coal_catalogue["abstract"])  # same tier: newest first


def test_boilerplate_terms_weigh_less_than_content_terms(db):
    """装置 is patent boilerplate (the shared stop list): a title hit on 煤 outranks one on 装置."""
    from patents import selectors

    content_in_title = _published(title="一种煤粉干燥机", abstract="干燥装置的改进。")
    boilerplate_in_title = _published(title="一种干燥装置", abstract="用于煤粉干燥。")  # newer
    found = list(selectors.patent_list(actor=_anonymous(), filters={"q": "装置 煤"}))
    assert found == [content_in_title, boilerplate_in_title]


def test_an_industry_name_finds_the_industry_s_patents(client, coal_catalogue):
    """羊绒 finds a patent tagged with the 羊绒 industry whose text never says 羊绒, after those
    that say it; the English name too; other terms are not widened."""
    from django.urls import reverse

    from patents import selectors
    from tests.patents.factories import industry

    tagged = coal_catalogue["owner"]  # 羊毛纺纱机, tagged 羊绒
    said = _published(title="一种羊绒分梳机", industries=[industry("cashmere")])
    untagged = _published(title="一种无关的灌溉设备", industries=[industry("agriculture")])
    actor = _anonymous()
    assert list(selectors.patent_list(actor=actor, filters={"q": "羊绒"})) == [said, tagged]
    assert list(selectors.patent_list(actor=actor, filters={"q": "Cashmere"})) == [
        said,
        tagged,
    ]  # same tier: newest first
    assert untagged not in selectors.patent_list(actor=actor, filters={"q": "羊绒"})
    assert list(selectors.patent_list(actor=actor, filters={"q": "羊绒 分梳"})) == [said]
    assert list(selectors.patent_list(actor=actor, filters={"q": "纺纱"})) == [tagged]
    page = client.get(reverse("patents:list"), {"q": "羊绒"})
    assert _numbers(page.context["page_obj"]) == [said.application_no, tagged.application_no]
    assert page.context["page_obj"].paginator.count == 2


@pytest.fixture
def fresh_industry_names():
    """The process keeps the industries' names: forget a rename this test's rollback undoes."""
    from patents.search import forget_industry_names

    yield
    forget_industry_names()


def test_a_renamed_industry_is_searched_by_its_new_name_at_once(db, coal_catalogue, fresh_industry_names):
    from patents import selectors
    from tests.patents.factories import industry

    actor = _anonymous()
    assert list(selectors.patent_list(actor=actor, filters={"q": "羊绒"}))  # names now remembered
    cashmere = industry("cashmere")
    cashmere.name = "绒纺"
    cashmere.save()
    assert list(selectors.patent_list(actor=actor, filters={"q": "绒纺"})) == [coal_catalogue["owner"]]
    assert not list(selectors.patent_list(actor=actor, filters={"q": "羊绒"}))


def test_relevance_pages_run_as_many_queries_as_newest_pages(client, coal_catalogue):
    """Ranking adds no query: the same search sorted by relevance or by date, each uncached."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def queries(params):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("patents:list"), params).status_code == 200
        return len(ctx)

    client.get(reverse("patents:list"), {"q": "煤"})  # process-wide caches (IPC titles, industry names)
    # (On PostgreSQL a newest-first keyword page also counts the listings to choose its plan.)
    for term in ("煤", "羊绒", "煤 气化"):
        assert queries({"q": term}) <= queries({"q": term, "sort": "newest"})
    few = queries({"q": "煤"})
    for _ in range(25):  # head hits enough for a page: read by walking them (PostgreSQL)
        _published(title="一种煤矿液压支架")
    assert queries({"q": "煤"}) <= queries({"q": "煤", "sort": "newest"})
    assert queries({"q": "煤"}) <= few + 1
    assert queries({"q": "煤", "page": "2"}) <= few + 1


def test_search_columns_of_each_part():
    from patents.search import build_search_body_end, build_search_head, build_search_tail

    text = build_search_text("一种煤气化炉", "煤;气化", "ＰＶＣ材料。", "鄂尔多斯煤炭研究院", "H01M 4/58")
    head = build_search_head("一种煤气化炉", "煤;气化")
    assert text.startswith(head + "\n") and head == "一种煤气化炉\n煤;气化"
    end = build_search_body_end("一种煤气化炉", "煤;气化", "ＰＶＣ材料。")
    assert text[:end].endswith("pvc材料。") and text[end:] == "\n鄂尔多斯煤炭研究院\nh01m 4/58"
    assert build_search_tail("鄂尔多斯煤炭研究院", "H01M 4/58") == text[end + 1 :]
    assert build_search_body_end("一种煤气化炉", "", "") == len("一种煤气化炉")


def test_migration_fills_the_relevance_columns_of_existing_patents(coal_catalogue):
    import importlib

    from django.apps import apps
    from django.db import connection

    from patents.models import Patent

    migration = importlib.import_module("patents.migrations.0008_search_head_tail_and_body_end")
    expected = {p.pk: (p.search_head, p.search_tail, p.search_body_end) for p in Patent.objects.all()}
    assert all(head and tail and end for head, tail, end in expected.values())
    Patent.objects.update(search_head="", search_tail="", search_body_end=0)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill(apps, editor)
    assert {p.pk: (p.search_head, p.search_tail, p.search_body_end) for p in Patent.objects.all()} == expected


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    from portal.permissions import actor_for

    return actor_for(AnonymousUser())


def test_pages_within_the_head_hits_are_the_ranked_pages(client, coal_catalogue):
    """A page of title/keyword hits read by walking them newest first (PostgreSQL) holds the same
    rows in the same order as the page of the full ranking, before and after the last head hit."""
    from django.core.cache import cache
    from django.urls import reverse

    from patents import selectors

    for n in range(23):
        _published(title=f"一种煤矿液压支架{n}")
    ranked = [p.application_no for p in selectors.patent_list(actor=_anonymous(), filters={"q": "煤"})]
    assert len(ranked) == 27 and ranked[-2:] == [
        coal_catalogue["abstract"].application_no,
        coal_catalogue["owner"].application_no,
    ]
    for per_page, page in ((10, 1), (10, 2), (10, 3), (20, 1), (20, 2)):
        cache.clear()
        response = client.get(reverse("patents:list"), {"q": "煤", "per_page": per_page, "page": page})
        bottom = (page - 1) * per_page
        assert _numbers(response.context["page_obj"]) == ranked[bottom : bottom + per_page]
        assert response.context["page_obj"].paginator.count == 27
