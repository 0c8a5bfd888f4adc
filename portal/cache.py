"""The Redis cache backend the portal configures (``REDIS_CACHE_URL``): django-redis's, failing open
when Redis is down. django-redis keeps one Redis client per connection pool (Django's own backend
built a client per operation, a tenth of a list page's time with its cached fragments).

Everything the portal caches can be computed again, so Redis being down must cost speed, never a
page: a failed read is a miss, a failed write is skipped. After a failure the cache is not tried
again for ``RETRY_SECONDS`` (a page reads dozens of fragments; each would otherwise wait for its own
connection attempt), and the socket timeouts are short for the same reason. django-redis's own
``IGNORE_EXCEPTIONS`` swallows errors without the back-off and without telling anyone, so this
wraps its public methods instead. Rate limits must not simply open up when their counters are
unreachable: ``fallback_cache`` is the cache they use, which keeps counters in this process's
memory while Redis is down.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
DEFAULT_OPTIONS = {
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 1.0,
    "CONNECTION_POOL_KWARGS": {"health_check_interval": 30},
}
_FAILURES = (ConnectionInterrupted, RedisError, OSError)


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
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **(params.get("OPTIONS") or {})}}
        super().__init__(server, params)
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
    set = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.set)
    add = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.add)
    touch = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.touch)
    delete = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.delete)
    get_many = _fail_open(lambda args, kwargs: {})(DjangoRedisCache.get_many)
    has_key = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.has_key)
    set_many = _fail_open(lambda args, kwargs: list(args[0]) if args else [])(DjangoRedisCache.set_many)
    delete_many = _fail_open()(DjangoRedisCache.delete_many)
    clear = _fail_open(lambda args, kwargs: False)(DjangoRedisCache.clear)

    def incr(self, key, delta=1, version=None, **kwargs):
        # A counter that cannot be read is not a missing key: callers get ValueError for both,
        # which is what they already handle.
        if self.down:
            raise ValueError("cache unavailable")
        try:
            return super().incr(key, delta, version, **kwargs)
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
