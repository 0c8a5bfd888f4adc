"""Celery tasks of finance: thin adapters around services."""

from celery import shared_task

from . import services


@shared_task(name="finance.tasks.follow_up_request_due", acks_late=True)
def follow_up_request_due() -> int:
    """Daily: ask the acquiring SMEs 6 and 12 months after their deals (idempotent)."""
    return services.follow_up_request_due()
