"""Celery adapters for the portal's own services."""
from celery import shared_task

from portal.imports import services
from portal.models import ImportJob


@shared_task(acks_late=True)
def import_job_validate(*, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).first()
    if job is not None:
        services.import_job_validate(job=job)


@shared_task(acks_late=True)
def import_job_run(*, job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.IMPORTING).first()
    if job is not None:
        services.import_job_run(job=job)
