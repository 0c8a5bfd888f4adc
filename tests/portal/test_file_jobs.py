"""File jobs (portal.filejobs): a file too slow to make while the request waits is built by a task,
its page shows the progress and then the download, for the user who asked for it only; without a
broker the task runs on a thread of the web process, so the request does not wait for it."""

import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import background
from portal.errors import ApplicationError
from portal.filejobs import registry, services
from portal.models import FileJob
from portal.permissions import actor_for
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db

KIND = "tests.greeting"
release = threading.Event()
# Set when a waiting build has started: until then its thread writes the job's progress, and the
# in-memory SQLite of the tests locks a table another connection writes (no busy wait in shared cache).
entered = threading.Event()


def _build(params, user, progress):
    if params.get("wait"):
        entered.set()
        assert release.wait(10), "the test never let the build finish"
    if params.get("fail") == "user":
        raise ApplicationError("该年度没有数据。")
    if params.get("fail") == "bug":
        raise RuntimeError("a bug with a traceback the user must not see")
    progress(50, "写入问候")
    return registry.BuiltFile(f"hello-{user.username}.txt", "text/plain", f"hello {params['name']}".encode())


@pytest.fixture(autouse=True)
def greeting_kind():
    registry.register(
        registry.FileJobKind(name=KIND, build=_build, title=lambda p: "问候文件", back=lambda p: "/")
    )
    release.clear()
    entered.clear()
    yield
    registry._KINDS.pop(KIND, None)


def test_a_job_is_built_and_downloaded_by_its_requester(client):
    user = make_user("bureau", username="asker")
    job = services.file_job_request(kind=KIND, params={"name": "鄂尔多斯"}, actor=actor_for(user))
    services.file_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress, job.filename) == (FileJob.Status.DONE, 100, "hello-asker.txt")
    client.force_login(user)
    status = client.get(reverse("portal:file-job-status", args=[job.pk])).json()
    assert status["busy"] is False and status["progress"] == 100
    assert status["download_url"] == reverse("portal:file-job-download", args=[job.pk])
    response = client.get(status["download_url"])
    assert b"".join(response.streaming_content) == "hello 鄂尔多斯".encode()
    assert response["Content-Disposition"] == 'attachment; filename="hello-asker.txt"'


def test_the_same_request_again_is_the_same_job():
    user = make_user("bureau")
    first = services.file_job_request(kind=KIND, params={"name": "a"}, actor=actor_for(user))
    assert services.file_job_request(kind=KIND, params={"name": "a"}, actor=actor_for(user)) == first
    assert services.file_job_request(kind=KIND, params={"name": "b"}, actor=actor_for(user)) != first


@pytest.mark.parametrize("role", ["bureau", "district_officer", "sme"])
def test_only_the_requester_sees_the_job(client, role):
    job = services.file_job_request(kind=KIND, params={"name": "a"}, actor=actor_for(make_user("bureau")))
    services.file_job_build(job_id=job.pk)
    client.force_login(make_user(role))
    for name in ("portal:file-job-detail", "portal:file-job-status", "portal:file-job-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    job = services.file_job_request(kind=KIND, params={"name": "a"}, actor=actor_for(make_user("bureau")))
    response = client.get(reverse("portal:file-job-detail", args=[job.pk]))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_jobs_older_than_a_week_are_purged_with_their_files():
    user = make_user("bureau")
    old = services.file_job_request(kind=KIND, params={"name": "old"}, actor=actor_for(user))
    services.file_job_build(job_id=old.pk)
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    FileJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = services.file_job_request(kind=KIND, params={"name": "new"}, actor=actor_for(user))
    assert services.file_jobs_purge() == 1
    assert list(FileJob.objects.all()) == [recent] and not storage.exists(name)


def test_a_failure_is_recorded_with_the_message_for_the_user(client):
    user = make_user("bureau")
    job = services.file_job_request(kind=KIND, params={"fail": "user"}, actor=actor_for(user))
    services.file_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (FileJob.Status.FAILED, "该年度没有数据。")
    client.force_login(user)
    page = client.get(reverse("portal:file-job-detail", args=[job.pk])).content.decode()
    assert "该年度没有数据。" in page and "file-job-download" not in page
    assert client.get(reverse("portal:file-job-download", args=[job.pk])).status_code == 404


def test_an_unexpected_error_is_not_shown_to_the_user():
    job = services.file_job_request(kind=KIND, params={"fail": "bug"}, actor=actor_for(make_user("bureau")))
    services.file_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == FileJob.Status.FAILED and "traceback" not in job.error and job.error


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_request_returns_before_the_build_ends(client, settings, celery_eager):
    # make run: tasks run eagerly; the job runs on a thread after commit, not inside the request.
    settings.PORTAL_EAGER_JOBS_IN_BACKGROUND = True
    user = make_user("bureau")
    client.force_login(user)
    job = services.file_job_request(kind=KIND, params={"name": "a", "wait": True}, actor=actor_for(user))
    assert entered.wait(10)
    job.refresh_from_db()
    assert job.is_busy  # the build waits for ``release``: the call above did not
    page = client.get(reverse("portal:file-job-detail", args=[job.pk])).content.decode()
    assert 'id="job-progress"' in page and "file-job-download" not in page
    release.set()
    assert background.wait_until_idle(10)
    job.refresh_from_db()
    assert job.status == FileJob.Status.DONE
    assert (
        'id="file-job-download"'
        in client.get(reverse("portal:file-job-detail", args=[job.pk])).content.decode()
    )
