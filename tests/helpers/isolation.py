"""Per-process isolation of a test run, loaded before Django reads its settings
(``-p tests.helpers.isolation`` in pyproject's addopts; run pytest as ``python -m pytest`` or
``make test`` so that the project directory is importable that early).

pytest-django already gives each pytest-xdist worker its own test database (``test_<name>_gwN``).
Everything else a test process shares with the Celery workers it starts is set here, in the
environment, so that the settings of the test process and of its worker subprocesses agree:

- ``CELERY_BROKER_URL`` / ``CELERY_RESULT_BACKEND`` / ``REDIS_CACHE_URL`` (Redis): worker ``gwN``
  uses database ``base + N`` of the same server. A test that purges the queue, kills a worker or
  starts extra workers on the default queue then only meets its own process's messages.
- ``DJANGO_MEDIA_ROOT`` and ``PORTAL_MATCHING_INDEX_DIR``: a fresh folder per process (never the
  developer's ``var/``).

Outside xdist (``-n 0``) the URLs are left alone and only the folders are made.
"""

import os
import re
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

REDIS_URL_VARIABLES = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_CACHE_URL")
REDIS_DATABASES = 16  # redis-server's default ``databases``


def xdist_worker_number() -> int | None:
    """``gw3`` → 3; None in a run without xdist (and in xdist's controller process)."""
    match = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else None


def redis_url_for_worker(url: str, number: int) -> str:
    """``redis://host:6379/8`` → ``redis://host:6379/<8 + number>``; other schemes unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        return url
    base = int(parts.path.strip("/") or 0)
    database = base + number
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"pytest-xdist worker gw{number} would use Redis database {database} ({url} + {number}); "
            f"use a lower database in the URL or fewer workers (-n)"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def isolate(environ=os.environ) -> None:
    number = xdist_worker_number()
    if number is not None:
        for name in REDIS_URL_VARIABLES:
            if environ.get(name):
                environ[name] = redis_url_for_worker(environ[name], number)
    tag = f"-gw{number}" if number is not None else ""
    for name, prefix in (
        ("DJANGO_MEDIA_ROOT", "portal-test-media"),
        ("PORTAL_MATCHING_INDEX_DIR", "portal-test-match-index"),
    ):
        folder = tempfile.mkdtemp(prefix=f"{prefix}{tag}-")
        _made.append(folder)
        environ[name] = folder


_made: list[str] = []


def pytest_unconfigure(config):
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)


# At import, i.e. during pytest's command-line parsing: before pytest-django imports the settings.
isolate()
