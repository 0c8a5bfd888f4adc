"""DRF's scoped rate limit, counting in this process's memory while the Redis cache is down
(see portal.cache.fallback_cache) rather than failing or letting every request through."""

from rest_framework.throttling import ScopedRateThrottle as DrfScopedRateThrottle

from portal.cache import fallback_cache


class ScopedRateThrottle(DrfScopedRateThrottle):
    cache = fallback_cache
