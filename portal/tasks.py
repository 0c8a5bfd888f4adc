"""Celery adapters for the portal's own services."""

import contextlib

from celery import shared_task

from portal import outbox
from portal.filejobs import services as filejobs
from portal.imports import services
from portal.models import ImportJob


@shared_task(acks_late=True, bind=True)
def import_job_validate(self, *, job_id: int) -> None:
    job = services.import_job_claim(
        job_id=job_id, status=ImportJob.Status.VALIDATING, task_id=self.request.id
    )
    if job is not None:
        with _alive(self, job):
            services.import_job_validate(job=job)


@shared_task(acks_late=True, bind=True)
def import_job_run(self, *, job_id: int) -> None:
    job = services.import_job_claim(job_id=job_id, status=ImportJob.Status.IMPORTING, task_id=self.request.id)
    if job is not None:
        with _alive(self, job):
            services.import_job_run(job=job)


def _alive(task, job):
    # In-process (eager) runs need no heartbeat: nothing else could take the step over.
    if task.request.is_eager:
        return contextlib.nullcontext()
    return services.import_job_heartbeat(job_id=job.pk, task_id=job.task_id)


@shared_task
def import_jobs_watchdog() -> list[int]:
    """Send again the messages of import steps no worker has taken, and restart steps whose task
    died or stalled (beat, every minute)."""
    return services.import_jobs_resend_lost() + services.import_jobs_restart_stalled()


@shared_task
def outbox_flush() -> int:
    """Send the tasks kept while the broker was down (beat, every minute)."""
    return outbox.outbox_flush()


@shared_task(name="portal.tasks.file_job_build", acks_late=True)
def file_job_build(*, job_id: int) -> str | None:
    """Build one requested file (an export); the job records its progress and outcome."""
    job = filejobs.file_job_build(job_id=job_id)
    return None if job is None else job.status


@shared_task(name="portal.tasks.file_jobs_purge")
def file_jobs_purge() -> int:
    """Remove file jobs older than a week and their files (beat, nightly)."""
    return filejobs.file_jobs_purge()
