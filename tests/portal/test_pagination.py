import pytest

from patents.models import Patent
from portal.pagination import CachedPaginator
from tests.patents.factories import PatentFactory

pytestmark = pytest.mark.django_db


def test_count_and_page_rows_are_remembered_per_query_and_row_contents_stay_current(
    django_assert_num_queries,
):
    first = PatentFactory(published=True, title="一种煤矿巷道支护装置")
    second = PatentFactory(published=True, title="一种羊绒纺纱方法")
    published = Patent.objects.filter(listing_status="published").order_by("pk")

    page = CachedPaginator(published, 10).get_page(1)
    assert page.paginator.count == 2 and [p.pk for p in page.object_list] == [first.pk, second.pk]
    PatentFactory(published=True, title="一种煤矿液压支架")
    Patent.objects.filter(pk=first.pk).update(title="一种煤矿巷道支护装置（改）")
    with django_assert_num_queries(1):  # the remembered rows, read fresh: count and members cached
        page = CachedPaginator(published, 10).get_page(1)
        rows = list(page.object_list)
    assert page.paginator.count == 2 and [p.pk for p in rows] == [first.pk, second.pk]
    assert rows[0].title == "一种煤矿巷道支护装置（改）"
    # A remembered row that no longer matches the query drops out at once.
    Patent.objects.filter(pk=second.pk).update(listing_status="withdrawn")
    assert [p.pk for p in CachedPaginator(published, 10).get_page(1).object_list] == [first.pk]

    # Another filter (or another visitor's scope) is another query, counted on its own.
    assert CachedPaginator(published.filter(title__contains="煤矿"), 10).count == 2
    assert CachedPaginator(Patent.objects.order_by("pk"), 10).count == 3
    assert CachedPaginator(Patent.objects.none(), 10).get_page(1).paginator.count == 0
    assert list(CachedPaginator(Patent.objects.none(), 10).get_page(1).object_list) == []
    # Lists that are not querysets are counted and sliced as usual.
    paginator = CachedPaginator([1, 2, 3], 2)
    assert paginator.num_pages == 2 and list(paginator.get_page(2).object_list) == [3]


def test_pages_of_one_query_are_remembered_separately():
    for n in range(5):
        PatentFactory(published=True, title=f"一种煤矿装置{n}")
    published = Patent.objects.filter(listing_status="published").order_by("pk")
    pks = list(published.values_list("pk", flat=True))
    assert [p.pk for p in CachedPaginator(published, 2).get_page(1)] == pks[:2]
    assert [p.pk for p in CachedPaginator(published, 2).get_page(2)] == pks[2:4]
    assert [p.pk for p in CachedPaginator(published, 2).get_page(3)] == pks[4:]
    assert [p.pk for p in CachedPaginator(published, 2).get_page(2)] == pks[2:4]
