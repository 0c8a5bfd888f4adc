"""The Redis cache backend the portal configures (``REDIS_CACHE_URL``): Django's, keeping one Redis
client per connection pool.

Django's client builds a new ``redis.Redis`` for every cache operation, and building one (its table
of response callbacks) costs more than the round trip to a local Redis: with the cached page
fragments of a list page (a filter sidebar, twenty cards, a count, a page of rows) that was a
tenth of the page's time. A ``redis.Redis`` is safe to share between threads (each command takes
a connection from the pool) and after a fork (the pool notices the new process), so one per pool
is enough.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
