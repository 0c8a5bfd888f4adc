"""Generic fixtures for the whole test run: real Celery workers and headless Chromium.

Users, organizations and other domain data come from each app's ``factories.py``, not from here.

Services are used when they are configured and skipped (with the reason) when they are not:
- ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis): the tests process sends tasks
  to the broker and ``celery_worker`` / ``start_worker`` run real worker processes on the test
  database. Without them the database is SQLite in memory and Celery runs tasks eagerly.
- ``/usr/bin/chromium``: ``browser`` / ``page`` drive it through Playwright against ``live_server``.
With ``PORTAL_REQUIRE_SERVICES=1`` (set by .ci/run) a missing service fails instead of skipping.
"""

import os
from pathlib import Path
from typing import NoReturn

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}

WORKER_FIXTURES = {"celery_worker", "start_worker", "worker_environment"}
BROWSER_FIXTURES = {"browser", "page"}
# Tests that start servers and workers of their own and cut them off (a private redis-server, a
# TCP proxy in front of PostgreSQL, gunicorn, killed workers) run one after another on a single
# pytest-xdist worker (`--dist loadgroup`): together they would starve each other's deadlines on
# two cores. They never stop the shared PostgreSQL or Redis, so other tests run alongside.
SERIAL_GROUPS = {"tests/faults/": "faults"}


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the run promised every service (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PORTAL_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(reason)


# tryfirst: xdist's worker reads the xdist_group marks in its own hook of the same name.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        # Tag by fixture so `make test ARGS="-m 'not browser and not services'"` selects quick tests.
        if names & WORKER_FIXTURES:
            item.add_marker(pytest.mark.services)
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        for prefix, group in SERIAL_GROUPS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
        _without_serialized_rollback(item)


def _without_serialized_rollback(item) -> None:
    """Reference data comes back by reloading the data migrations after each flush
    (``pytest_runtest_teardown`` below), not by serialized_rollback: restoring the serialized
    copy on top of reloaded rows would collide on their unique codes (new primary keys, since a
    flush keeps the sequences), and serializing every test database costs start-up time."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("serialized_rollback"):
        kwargs = {k: v for k, v in marker.kwargs.items() if k != "serialized_rollback"}
        item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


# --- Celery -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def worker_environment(request):
    """Environment for worker processes: test settings and a DATABASE_URL naming the test
    database (read after pytest-django created it, so NAME is already ``test_<name>``)."""
    if not os.environ.get("CELERY_BROKER_URL"):
        unavailable("CELERY_BROKER_URL is not set: Celery runs tasks eagerly, there is no worker to test")
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        unavailable(
            "the test database is SQLite (in memory), which a worker process cannot see; "
            "set DATABASE_URL to PostgreSQL to run worker tests"
        )
    request.getfixturevalue("django_db_setup")
    from tests.helpers.celery_worker import worker_env

    return worker_env(settings.DATABASES["default"])


@pytest.fixture(scope="session")
def celery_worker(worker_environment, tmp_path_factory):
    """One real worker on the default queue for the whole session, ready when yielded.

    Tests whose tasks must see rows they created use ``@pytest.mark.django_db(transaction=True)``:
    the worker is another process and never sees a test's uncommitted transaction."""
    from portal.celery import app
    from tests.helpers.celery_worker import start_worker_process

    assert not app.conf.task_always_eager, "a broker is configured, tasks must not run eagerly"
    # Leftover messages from an interrupted run would reach this worker first.
    app.control.purge()
    worker = start_worker_process(env=worker_environment, log_dir=tmp_path_factory.mktemp("celery"))
    try:
        worker.wait_for_ping_task(app)
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def celery_eager():
    """Run tasks inline in this test even when a broker is configured (for tests about what a
    task does, not about delivery). Without it, with CELERY_BROKER_URL set, ``.delay()`` only
    queues the message, and nothing runs it unless the test also uses ``celery_worker``."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def start_worker(worker_environment, tmp_path_factory):
    """Factory for extra workers, each with its own node name ``wN@%h``; all are stopped after
    the test. ``start_worker(queues="q-test")`` keeps the session worker out of a test's way
    (send with ``apply_async(queue="q-test")``); ``wait=False`` returns before the worker is up
    (then call ``worker.wait_ready(app)``)."""
    from portal.celery import app
    from tests.helpers.celery_worker import start_worker_process

    started = []
    log_dir = tmp_path_factory.mktemp("celery-extra")

    def start(*, queues: str = "celery", wait: bool = True, extra_args: tuple[str, ...] = (), env=None):
        worker = start_worker_process(
            env={**worker_environment, **(env or {})}, log_dir=log_dir, queues=queues, extra_args=extra_args
        )
        started.append(worker)
        if wait:
            worker.wait_ready(app)
        return worker

    yield start
    for worker in started:
        worker.stop()


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (no downloaded browser builds)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (zh-CN, 1280x900) whose relative URLs go to ``live_server``."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True, scope="session")
def _live_server_one_request_at_a_time_on_sqlite(django_test_environment):
    """On SQLite the test database lives in memory and the live server's threads share its one
    connection: two requests at once (a page and the chart data it fetches) collide ("cannot
    start a transaction within a transaction"). There the live server answers one request at a
    time; on PostgreSQL each thread has its own connection and requests run side by side."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test import testcases

    class OneRequestAtATime(ThreadedWSGIServer):
        def set_app(self, application):
            lock = threading.Lock()

            def serial(environ, start_response):
                with lock:
                    return application(environ, start_response)

            super().set_app(serial)

    testcases.LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (cached page fragments, throttling counters)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English leaves English active in
    the thread (LocaleMiddleware activates per request and never deactivates)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


REFERENCE_DATA_MIGRATIONS = (
    ("portal.migrations.0002_load_regions_and_industries", "portal.Region"),
    ("patents.migrations.0003_load_ipc_titles", "patents.IpcEntry"),
    ("reports.migrations.0004_seed_plan_2021_2023", "reports.PlanPeriod"),
)


def _load_missing_reference_data() -> None:
    import importlib

    from django.apps import apps

    for module, model in REFERENCE_DATA_MIGRATIONS:
        if not apps.get_model(model).objects.exists():
            importlib.import_module(module).load(apps, None)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & names
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """serialized_rollback cannot restore the migration-loaded reference data once Playwright's
    event loop runs in this thread (Django's connections are then per-context and no longer carry
    the serialized contents); a transactional test finding it gone loads it again."""
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("_django_db_helper")
    _load_missing_reference_data()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (one a worker process or a live server must see) empties every table
    when it ends (its fixtures' teardown), including the reference data that migrations load
    (regions, industries, IPC titles, the seeded plan period). Run one after another,
    pytest-django puts transactional tests last; under pytest-xdist a worker may get ordinary
    tests after a transactional one, so the data is loaded again right after the flush, outside
    any test transaction."""
    yield
    # nextitem None: the session's end, where the test database is already gone.
    if not _is_transactional(item) or nextitem is None:
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        _load_missing_reference_data()
