"""The Redis cache backend the portal configures (portal/cache.py), against a real Redis."""

import os

import pytest

from tests.conftest import unavailable


@pytest.fixture
def redis_cache():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        unavailable("no Redis configured (CELERY_BROKER_URL): the Redis cache backend is tested against one")
    from portal.cache import RedisCache

    server = broker.rsplit("/", 1)[0] + "/9"
    cache = RedisCache(server, {"KEY_PREFIX": "portal-test-cache"})
    cache.clear()
    yield cache
    cache.clear()


def test_the_redis_cache_works_and_keeps_one_client_per_pool(redis_cache):
    redis_cache.set("count", 6089, 60)
    redis_cache.set_many({"page:1": [3, 2, 1], "card:7": "<article>…</article>"}, 60)
    assert redis_cache.get("count") == 6089
    assert redis_cache.get_many(["page:1", "card:7", "missing"]) == {
        "page:1": [3, 2, 1],
        "card:7": "<article>…</article>",
    }
    assert redis_cache.add("count", 1) is False and redis_cache.incr("count") == 6090
    redis_cache.delete("count")
    assert redis_cache.get("count", "gone") == "gone"

    client = redis_cache._cache
    assert client.get_client() is client.get_client(write=True)
    assert len(client._clients) == 1


def test_settings_choose_it_for_redis_cache_url():
    from tests.helpers.processes import settings_in_subprocess

    values = settings_in_subprocess(
        "portal.settings.local", ["CACHES"], REDIS_CACHE_URL="redis://cache:6379/2"
    )
    assert values["CACHES"]["default"] == {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": "redis://cache:6379/2",
    }
