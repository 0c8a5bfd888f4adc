"""Import steps whose Celery message was lost: the watchdog sends them again, and a step is
carried out by one task only (a late duplicate does nothing; the same message redelivered after
its worker died goes on)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.identifiers import make_credit_code
from portal.imports import services
from portal.models import ImportHeartbeat, ImportJob, Organization
from portal.permissions import actor_for, system_actor
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db

CSV = "credit_code,name,kind,region_code\n{},看门狗测试企业有限公司,sme,150602\n".format(
    make_credit_code("91150602MB0000077")
)


@pytest.fixture
def queued_job(settings, tmp_path):
    """A validating job whose message never reached a worker (in a test transaction the on-commit
    send does not happen)."""
    settings.MEDIA_ROOT = str(tmp_path)
    actor = actor_for(make_user("bureau"))
    upload = SimpleUploadedFile("orgs.csv", CSV.encode("utf-8"), content_type="text/csv")
    job = services.import_job_create(actor=actor, kind="organizations", uploaded_file=upload)
    assert job.status == ImportJob.Status.VALIDATING and job.task_id == ""
    return job


def age(job: ImportJob, seconds: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_claim_lets_one_task_carry_out_a_step(queued_job):
    validating = ImportJob.Status.VALIDATING
    assert services.import_job_claim(job_id=queued_job.pk, status=validating, task_id="a").task_id == "a"
    # A duplicate message (another task id) leaves the job alone; the same message again may go on.
    assert services.import_job_claim(job_id=queued_job.pk, status=validating, task_id="b") is None
    assert services.import_job_claim(job_id=queued_job.pk, status=validating, task_id="a") is not None
    # A step the job has left cannot be claimed.
    assert (
        services.import_job_claim(job_id=queued_job.pk, status=ImportJob.Status.IMPORTING, task_id="a")
        is None
    )


def test_watchdog_sends_lost_steps_again_and_only_those(
    queued_job, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.PORTAL_IMPORT_RESEND_SECONDS = 300
    assert services.import_jobs_resend_lost() == []  # just queued: its message may still arrive
    age(queued_job, 301)
    assert services.import_jobs_resend_lost() == [queued_job.pk]  # eager: validated at once
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.READY and queued_job.task_id

    with django_capture_on_commit_callbacks(execute=False):
        job = services.import_job_confirm(actor=system_actor(), job=queued_job)
    assert job.status == ImportJob.Status.IMPORTING and job.task_id == ""  # the import step is new
    age(job, 301)
    assert services.import_jobs_resend_lost() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["created"] == 1
    assert Organization.objects.filter(name="看门狗测试企业有限公司").count() == 1
    age(job, 3600)
    assert services.import_jobs_resend_lost() == []  # finished jobs are left alone


def beat(job: ImportJob, seconds_ago: int) -> None:
    ImportHeartbeat.objects.filter(job_id=job.pk).update(
        beat_at=timezone.now() - dt.timedelta(seconds=seconds_ago)
    )


def test_watchdog_leaves_a_taken_step_alone_while_its_task_beats(queued_job, celery_eager, settings):
    settings.PORTAL_IMPORT_STALL_SECONDS = 120
    services.import_job_claim(job_id=queued_job.pk, status=ImportJob.Status.VALIDATING, task_id="slow-worker")
    age(queued_job, 3600)
    beat(queued_job, 30)  # a long step: the job row is old, its heartbeat fresh
    assert services.import_jobs_resend_lost() == [] and services.import_jobs_restart_stalled() == []
    assert "正在处理" in services.import_job_activity(ImportJob.objects.get(pk=queued_job.pk))
    # And the message that arrives late (a second copy) does nothing.
    from portal.tasks import import_job_validate

    import_job_validate.apply(kwargs={"job_id": queued_job.pk})
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.VALIDATING and queued_job.task_id == "slow-worker"


def test_watchdog_is_scheduled():
    from portal.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["portal-resend-lost-import-jobs"]["task"] == "portal.tasks.import_jobs_watchdog"


def test_a_step_whose_task_stopped_beating_is_restarted_then_given_up(
    queued_job, celery_eager, settings, django_capture_on_commit_callbacks
):
    """A killed worker: its step is taken, its heartbeat stops. The watchdog (every minute) takes
    the step back and sends it again, which here (eager) validates the file at once."""
    settings.PORTAL_IMPORT_STALL_SECONDS, settings.PORTAL_IMPORT_MAX_RESTARTS = 120, 1
    services.import_job_claim(job_id=queued_job.pk, status=ImportJob.Status.VALIDATING, task_id="killed")
    age(queued_job, 200)
    beat(queued_job, 100)
    assert services.import_jobs_restart_stalled() == []  # silent for 100 s: not yet
    beat(queued_job, 130)
    job = ImportJob.objects.get(pk=queued_job.pk)
    assert "没有响应" in services.import_job_activity(job)
    assert services.import_jobs_restart_stalled() == [queued_job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.restarts == 1 and job.task_id not in ("", "killed")

    # A step that keeps dying is given up after PORTAL_IMPORT_MAX_RESTARTS restarts: failed, finished.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, task_id="killed-again")
    age(job, 200)
    beat(job, 130)
    assert services.import_jobs_restart_stalled() == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at and "多次中断" in job.message


@pytest.mark.django_db(transaction=True)  # the thread writes on its own connection
def test_the_heartbeat_thread_beats_while_the_step_runs(queued_job, settings):
    import time

    settings.PORTAL_IMPORT_HEARTBEAT_SECONDS = 0.05
    services.import_job_claim(job_id=queued_job.pk, status=ImportJob.Status.VALIDATING, task_id="t1")
    beat(queued_job, 500)
    with services.import_job_heartbeat(job_id=queued_job.pk, task_id="t1"):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            beat_at = ImportHeartbeat.objects.get(job_id=queued_job.pk).beat_at
            if timezone.now() - beat_at < dt.timedelta(seconds=60):
                break
            time.sleep(0.05)
    assert timezone.now() - ImportHeartbeat.objects.get(job_id=queued_job.pk).beat_at < dt.timedelta(
        seconds=60
    )
