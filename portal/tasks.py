"""Celery adapters for the portal's own services."""

from celery import shared_task

from portal import outbox
from portal.imports import services
from portal.models import ImportJob


@shared_task(acks_late=True, bind=True)
def import_job_validate(self, *, job_id: int) -> None:
    job = services.import_job_claim(
        job_id=job_id, status=ImportJob.Status.VALIDATING, task_id=self.request.id
    )
    if job is not None:
        services.import_job_validate(job=job)


@shared_task(acks_late=True, bind=True)
def import_job_run(self, *, job_id: int) -> None:
    job = services.import_job_claim(job_id=job_id, status=ImportJob.Status.IMPORTING, task_id=self.request.id)
    if job is not None:
        services.import_job_run(job=job)


@shared_task
def import_jobs_watchdog() -> list[int]:
    """Send again the messages of import steps no worker has taken (beat, every few minutes)."""
    return services.import_jobs_resend_lost()


@shared_task
def outbox_flush() -> int:
    """Send the tasks kept while the broker was down (beat, every minute)."""
    return outbox.outbox_flush()
