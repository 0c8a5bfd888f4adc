import pytest

from patents.models import Patent
from portal.pagination import CachedCountPaginator
from tests.patents.factories import PatentFactory

pytestmark = pytest.mark.django_db


def test_count_is_remembered_per_query_and_results_stay_current(django_assert_num_queries):
    PatentFactory(published=True, title="一种煤矿巷道支护装置")
    PatentFactory(published=True, title="一种羊绒纺纱方法")
    published = Patent.objects.filter(listing_status="published").order_by("pk")

    assert CachedCountPaginator(published, 10).count == 2
    PatentFactory(published=True, title="一种煤矿液压支架")
    with django_assert_num_queries(1):  # the page's rows only: the count comes from the cache
        page = CachedCountPaginator(published, 10).get_page(1)
        assert page.paginator.count == 2 and len(page.object_list) == 3
    # Another filter (or another visitor's scope) is another query, counted on its own.
    assert CachedCountPaginator(published.filter(title__contains="煤矿"), 10).count == 2
    assert CachedCountPaginator(Patent.objects.order_by("pk"), 10).count == 3
    assert CachedCountPaginator(Patent.objects.none(), 10).get_page(1).paginator.count == 0
    # Lists that are not querysets are counted as usual.
    assert CachedCountPaginator([1, 2, 3], 2).num_pages == 2
