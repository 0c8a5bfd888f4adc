"""The Redis cache backend the portal configures (portal/cache.py), against a real Redis."""

import os
import time

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


def test_the_redis_cache_works_and_fails_open(redis_cache):
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

    with pytest.raises(ValueError):
        redis_cache.incr("missing-counter")


def test_a_redis_that_does_not_answer_is_a_miss_and_is_not_tried_again_at_once():
    from portal.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:1/0", {})  # nothing listens on port 1
    started = time.monotonic()
    assert cache.get("k", "default") == "default" and cache.down
    assert cache.set("k", 1, 60) is False and cache.get_many(["k"]) == {} and cache.add("k", 1) is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert time.monotonic() - started < 2  # one refused connection, then the back-off


def test_settings_choose_it_for_redis_cache_url():
    from tests.helpers.processes import settings_in_subprocess

    values = settings_in_subprocess(
        "portal.settings.local", ["CACHES"], REDIS_CACHE_URL="redis://cache:6379/2"
    )
    assert values["CACHES"]["default"] == {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": "redis://cache:6379/2",
    }
