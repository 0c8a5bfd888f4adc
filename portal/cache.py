"""The Redis cache backend the portal configures (``REDIS_CACHE_URL``): Django's, keeping one Redis
client per connection pool, failing open when Redis is down.

Django's client builds a new ``redis.Redis`` for every cache operation, and building one (its table
of response callbacks) costs more than the round trip to a local Redis: with the cached page
fragments of a list page (a filter sidebar, twenty cards, a count, a page of rows) that was a
tenth of the page's time. A ``redis.Redis`` is safe to share between threads (each command takes
a connection from the pool) and after a fork (the pool notices the new process), so one per pool
is enough.

Everything the portal caches can be computed again, so Redis being down must cost speed, never a
page: a failed read is a miss, a failed write is skipped. After a failure the cache is not tried
again for ``RETRY_SECONDS`` (a page reads dozens of fragments; each would otherwise wait for its own
connection attempt), and the socket timeouts are short for the same reason. Rate limits must not
simply open up when their counters are unreachable: ``fallback_cache`` is the cache they use, which
keeps counters in this process's memory while Redis is down.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
DEFAULT_POOL_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "health_check_interval": 30}
_FAILURES = (RedisError, OSError)


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


def _fail_open(default_factory=lambda args, kwargs: None):
    def decorate(method):
        name = method.__name__

        def wrapper(self, *args, **kwargs):
            if self.down:
                return default_factory(args, kwargs)
            try:
                return method(self, *args, **kwargs)
            except _FAILURES as exc:
                self._mark_down(name, exc)
                return default_factory(args, kwargs)

        wrapper.__name__ = name
        wrapper.__doc__ = method.__doc__
        return wrapper

    return decorate


def _default_arg(position: int, name: str):
    def factory(args, kwargs):
        if name in kwargs:
            return kwargs[name]
        return args[position] if len(args) > position else None

    return factory


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_POOL_OPTIONS, **(params.get("OPTIONS") or {})}}
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._down_until = 0.0

    @property
    def down(self) -> bool:
        """True for a few seconds after an operation failed (Redis is not tried meanwhile)."""
        return time.monotonic() < self._down_until

    def _mark_down(self, operation: str, exc: BaseException) -> None:
        if not self.down:
            logger.warning(
                "cache unavailable (%s: %s); serving without it for %ss", operation, exc, RETRY_SECONDS
            )
        self._down_until = time.monotonic() + RETRY_SECONDS

    get = _fail_open(_default_arg(1, "default"))(DjangoRedisCache.get)
    set = _fail_open()(DjangoRedisCache.set)
    add = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.add)
    touch = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.touch)
    delete = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.delete)
    get_many = _fail_open(lambda args, kwargs: {})(DjangoRedisCache.get_many)
    has_key = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.has_key)
    set_many = _fail_open(lambda args, kwargs: list(args[0]) if args else [])(DjangoRedisCache.set_many)
    delete_many = _fail_open()(DjangoRedisCache.delete_many)
    clear = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.clear)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read is not a missing key: callers get ValueError for both,
        # which is what they already handle.
        if self.down:
            raise ValueError("cache unavailable")
        try:
            return super().incr(key, delta, version)
        except _FAILURES as exc:
            self._mark_down("incr", exc)
            raise ValueError("cache unavailable") from exc


class _FallbackCache:
    """The default cache while it answers; this process's memory while it does not (a Redis
    cache that is down). For counters that must keep counting during an outage: rate limits."""

    def __init__(self):
        self._local = LocMemCache("portal-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})

    def _primary_down(self) -> bool:
        return bool(getattr(_current_default(), "down", False))

    def get(self, key, default=None, version=None):
        if not self._primary_down():
            value = _current_default().get(key, default, version=version)
            if not self._primary_down():
                return value
        return self._local.get(key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._primary_down():
            _current_default().set(key, value, timeout, version=version)
            if not self._primary_down():
                return
        self._local.set(key, value, timeout, version=version)


def _current_default():
    from django.core.cache import caches

    return caches["default"]


fallback_cache = _FallbackCache()
