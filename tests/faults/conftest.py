"""Fixtures for the fault tests (real processes; see support.py).

Each test here needs PostgreSQL (a server process or a worker must see the test database) and
most need ``redis-server``; without them they skip with the reason, or fail when
PORTAL_REQUIRE_SERVICES is set (CI).
"""

import pytest

from tests.conftest import unavailable

from .support import REDIS_SERVER, RedisServer, TcpProxy, free_port


@pytest.fixture
def postgres_only(settings):
    """Skip (fail in CI) unless the test database is PostgreSQL."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        unavailable(
            "the test database is SQLite: this fault test needs PostgreSQL "
            "(set DATABASE_URL=postgres://...; another process must see the test database)"
        )


@pytest.fixture
def private_redis(tmp_path):
    """A started redis-server of this test's own on a free port (the shared one is never stopped)."""
    if REDIS_SERVER is None:
        unavailable("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(port=free_port(), log_path=tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_proxy(settings, postgres_only):
    """A TCP proxy in front of the test database's PostgreSQL server, to cut and restore."""
    db = settings.DATABASES["default"]
    proxy = TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)).start()
    yield proxy
    proxy.close()
