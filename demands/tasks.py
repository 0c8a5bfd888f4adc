"""Celery tasks of demands: thin adapters around services."""

from celery import shared_task

from portal.permissions import system_actor

from . import services


@shared_task(name="demands.tasks.demand_expire_due", acks_late=True)
def demand_expire_due() -> int:
    """Daily: open demands past their deadline become expired (idempotent)."""
    return services.demand_expire_due(actor=system_actor())
