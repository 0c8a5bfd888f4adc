"""Import steps whose Celery message was lost: the watchdog sends them again, and a step is
carried out by one task only (a late duplicate does nothing; the same message redelivered after
its worker died goes on)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.identifiers import make_credit_code
from portal.imports import services
from portal.models import ImportJob, Organization
from portal.permissions import actor_for
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
        job = services.import_job_confirm(job=queued_job)
    assert job.status == ImportJob.Status.IMPORTING and job.task_id == ""  # the import step is new
    age(job, 301)
    assert services.import_jobs_resend_lost() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["created"] == 1
    assert Organization.objects.filter(name="看门狗测试企业有限公司").count() == 1
    age(job, 3600)
    assert services.import_jobs_resend_lost() == []  # finished jobs are left alone


def test_watchdog_leaves_a_taken_step_alone(queued_job, celery_eager):
    services.import_job_claim(job_id=queued_job.pk, status=ImportJob.Status.VALIDATING, task_id="slow-worker")
    age(queued_job, 3600)
    assert services.import_jobs_resend_lost() == []
    # And the message that arrives late (a second copy) does nothing.
    from portal.tasks import import_job_validate

    import_job_validate.apply(kwargs={"job_id": queued_job.pk})
    queued_job.refresh_from_db()
    assert queued_job.status == ImportJob.Status.VALIDATING and queued_job.task_id == "slow-worker"


def test_watchdog_is_scheduled():
    from portal.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["portal-resend-lost-import-jobs"]["task"] == "portal.tasks.import_jobs_watchdog"
