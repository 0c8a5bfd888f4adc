"""Celery tasks of the data clean-up: thin adapters around the services."""

from celery import shared_task

from . import services


@shared_task(name="cleanup.tasks.data_quality_weekly", acks_late=True)
def data_quality_weekly() -> dict:
    """Beat, weekly: run the checks, store the counts, e-mail the bureau when a count rose."""
    return services.data_quality_notify()
