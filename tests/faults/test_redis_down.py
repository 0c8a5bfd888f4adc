"""Issue 14, finding 3: with Redis (cache and broker) down the site degrades and never answers 500,
and no write is half-done: cached pages are computed afresh, the token login's rate limit keeps
counting in memory, and a write whose task cannot reach the broker completes, its task kept in the
database outbox until the broker is back (then the beat watchdog sends it).

Redis is a private redis-server of this test (the shared one is never stopped), killed with
SIGKILL and started again on the same port. Runs on SQLite and PostgreSQL alike: everything
happens in this process."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from demands.models import Demand
from portal.identifiers import make_credit_code
from portal.models import ImportJob, OutboxTask
from portal.outbox import outbox_flush
from tests.demands.test_api import PAYLOAD
from tests.patents.factories import PatentFactory, make_user

from .support import celery_app_broker

pytestmark = pytest.mark.django_db

BROKER_DB, CACHE_DB = 1, 0


@pytest.fixture
def redis_everywhere(private_redis, settings):
    """The cache and the broker of this process on the private Redis; tasks really sent."""
    from portal.celery import app

    settings.CACHES = {
        "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": private_redis.url(CACHE_DB)}
    }
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with celery_app_broker(app, private_redis.url(BROKER_DB)):
            yield private_redis
    finally:
        app.conf.task_always_eager = eager


def _queued(redis) -> int:
    return redis.client(BROKER_DB).llen("celery")


def test_pages_and_token_login_answer_while_redis_is_down(redis_everywhere, client):
    PatentFactory(published=True, title="一种煤矿巷道支护装置")
    user = make_user("sme", username="sme-user", password="right-pass-123")
    assert client.get(reverse("patents:list")).status_code == 200  # fills the cache
    redis_everywhere.stop()
    for path in (reverse("patents:list"), reverse("api:patent-list"), reverse("demands:list")):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "一种煤矿巷道支护装置" in client.get(reverse("patents:list")).content.decode()
    api = APIClient()
    response = api.post(reverse("api:auth-token"), {"username": user.username, "password": "right-pass-123"})
    assert response.status_code == 200 and response.data["token"]
    # The rate limit still counts (in this process) instead of failing or opening up.
    statuses = [
        api.post(reverse("api:auth-token"), {"username": user.username, "password": "wrong"}).status_code
        for _ in range(25)
    ]
    assert statuses[0] == 400 and statuses[-1] == 429
    redis_everywhere.start()
    assert client.get(reverse("patents:list")).status_code == 200


def test_a_published_demand_is_saved_once_and_its_matching_queued_when_the_broker_returns(
    redis_everywhere, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(make_user("sme"))
    redis_everywhere.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("api:demand-list"), {**PAYLOAD, "publish": True}, format="json")
    assert response.status_code == 201, response.content
    assert Demand.objects.get().status == "open"
    kept = list(OutboxTask.objects.values_list("name", "kwargs"))
    assert kept and all(name.startswith(("demands.", "matching.")) for name, _kwargs in kept), kept
    assert outbox_flush() == 0  # still down: kept, attempt counted
    assert OutboxTask.objects.get().attempts == 1
    redis_everywhere.start()
    assert _queued(redis_everywhere) == 0
    assert outbox_flush() == len(kept)
    assert not OutboxTask.objects.exists() and _queued(redis_everywhere) == len(kept)


def test_a_browser_upload_creates_its_job_once_and_validation_is_queued_later(
    redis_everywhere, client, django_capture_on_commit_callbacks
):
    client.force_login(make_user("bureau"))
    redis_everywhere.stop()
    data = f"credit_code,name,kind,region_code\n{make_credit_code('91150622MA0000001')},示例科技有限公司,sme,150622\n"
    upload = SimpleUploadedFile("orgs.csv", data.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import-list"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "validating"
    assert client.get(reverse("portal:import-detail", args=[job.pk])).status_code == 200
    assert OutboxTask.objects.get().kwargs == {"job_id": job.pk}
    redis_everywhere.start()
    assert outbox_flush() == 1 and _queued(redis_everywhere) == 1
