"""An import job whose Celery messages were lost (a broker restarted without persistence before a
worker took them): the beat watchdog sends each step again and a real worker completes the job."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.identifiers import make_credit_code
from portal.imports import services
from portal.models import ImportJob, Organization
from portal.permissions import actor_for, system_actor
from tests.portal.factories import make_user

from .support import tasks_not_sent, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 50


def organizations_csv() -> bytes:
    lines = ["credit_code,name,kind,region_code"]
    lines += [
        f"{make_credit_code(f'91150602MC{n:07d}')},消息丢失测试企业{n}有限公司,sme,150602"
        for n in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def lose_time(job: ImportJob, seconds: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(seconds=seconds))


def status_after_the_watchdog(job: ImportJob, waiting: str) -> ImportJob:
    lose_time(job, 3600)
    assert services.import_jobs_resend_lost() == [job.pk]
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status != waiting,
        timeout=120,
        interval=0.2,
        message=f"a worker to finish the {waiting} step",
    )
    return ImportJob.objects.get(pk=job.pk)


def test_lost_import_messages_are_sent_again_by_the_watchdog(celery_worker, settings):
    settings.PORTAL_IMPORT_RESEND_SECONDS = 300
    actor = actor_for(make_user("bureau"))
    upload = SimpleUploadedFile("organizations.csv", organizations_csv(), content_type="text/csv")
    with tasks_not_sent():  # the validation message is lost
        job = services.import_job_create(actor=actor, kind="organizations", uploaded_file=upload)
    try:
        assert services.import_jobs_resend_lost() == []  # not yet overdue
        job = status_after_the_watchdog(job, ImportJob.Status.VALIDATING)
        assert job.status == ImportJob.Status.READY, job.message

        with tasks_not_sent():  # and so is the import message
            job = services.import_job_confirm(actor=system_actor(), job=job)
        job = status_after_the_watchdog(job, ImportJob.Status.IMPORTING)
        assert job.status == ImportJob.Status.DONE, job.message
        assert job.result["created"] == ROWS
        assert Organization.objects.filter(name__startswith="消息丢失测试企业").count() == ROWS
        assert services.import_jobs_resend_lost() == []
    finally:
        job.file.delete(save=False)
