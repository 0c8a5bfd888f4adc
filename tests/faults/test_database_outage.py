"""PostgreSQL unreachable: gunicorn answers a friendly 503 (a Chinese page, JSON under /api/), never
a traceback, and serves normally again as soon as the database is back, without a restart.

The server is a real gunicorn process with persistent database connections (CONN_MAX_AGE=60, as
in production) whose DATABASE_URL goes through a TCP proxy in front of the test database; cutting
the proxy drops the open connections and refuses new ones, as when the database host goes down.
"""

import json

import pytest
from django.test import Client

from tests.helpers.celery_worker import database_url
from tests.helpers.processes import clean_env
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

from .support import WebServer

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FRIENDLY = "服务暂时不可用"


@pytest.fixture
def web(settings, database_proxy, tmp_path):
    db = dict(settings.DATABASES["default"], HOST="127.0.0.1", PORT=database_proxy.port)
    env = clean_env(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url(db),
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_LOG_JSON="true",
        PYTHONUNBUFFERED="1",
    )
    server = WebServer(env=env, log_path=tmp_path / "gunicorn.log", workers=2).start()
    yield server
    server.stop()


def pages(patent) -> list[str]:
    return [
        "/",
        "/patents/",
        f"/patents/{patent.application_no}/",
        "/patents/?q=%E6%B6%B2%E5%8E%8B",
        "/demands/",
    ]


def test_database_outage_answers_503_and_recovers_without_restart(web, database_proxy):
    patent = PatentFactory(published=True, title="一种矿用液压支架")
    user = make_user("sme")
    browser = Client()
    browser.force_login(user)  # a session row in the test database, sent to gunicorn as a cookie
    logged_in = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}

    # Up: every page works, anonymous and logged in, on both gunicorn workers.
    for _ in range(2):
        for path in pages(patent):
            assert web.get(path).status == 200, path
        assert web.get("/", headers=logged_in).status == 200
        assert web.get("/api/patents/").status == 200

    database_proxy.cut()

    for _ in range(2):
        for path in pages(patent):
            response = web.get(path, headers={"X-Request-ID": "outage-check-0001"})
            assert response.status == 503, (path, response.status, response.body[:300])
            assert response.headers["Content-Type"].startswith("text/html")
            assert FRIENDLY in response.body and "Traceback" not in response.body
            assert response.headers["Retry-After"] == "30"
            assert "outage-check-0001" in response.body  # the id to quote to the administrator
        # The session and the user are loaded from the database: the same page, not a 500.
        response = web.get("/", headers=logged_in)
        assert response.status == 503 and FRIENDLY in response.body
        response = web.get("/admin/", headers=logged_in)
        assert response.status == 503 and FRIENDLY in response.body
        api = web.get("/api/patents/", headers=logged_in)
        assert api.status == 503 and api.headers["Content-Type"] == "application/json"
        assert (
            set(json.loads(api.body)) == {"detail", "request_id"}
            and "数据库" in json.loads(api.body)["detail"]
        )
        health = web.get("/healthz")
        assert health.status == 503 and json.loads(health.body)["checks"]["database"] == "error"

    database_proxy.restore()
    pid = web.process.pid

    # Back: the very next requests work (the broken persistent connections are replaced).
    for _ in range(3):
        for path in pages(patent):
            assert web.get(path).status == 200, path
        assert web.get("/", headers=logged_in).status == 200
        assert web.get("/api/patents/").status == 200
    assert web.get("/healthz").status == 200
    assert web.process.pid == pid and web.process.poll() is None  # same server, no restart

    # Structured logs: one JSON object per line, the request id on the request's lines.
    lines = [json.loads(line) for line in web.log().splitlines() if line.startswith("{")]
    outage = [line for line in lines if line.get("request_id") == "outage-check-0001"]
    assert {line["name"] for line in outage} >= {"portal.request", "portal.database"}
    assert any(line["name"] == "portal.request" and line["status"] == 503 for line in outage)
    assert all(line["path"] for line in outage)
