"""Celery tasks of the patents app: thin adapters around the services (ids in, idempotent)."""

from __future__ import annotations

import datetime

from celery import shared_task

from portal.permissions import system_actor

from . import services


@shared_task(name="patents.tasks.patent_daily_maintenance", acks_late=True)
def patent_daily_maintenance(today: str | None = None) -> dict:
    """Daily: term expiry, withdrawal of listings of dead patents, 12-month listing expiry,
    renewal reminders, open licenses past their term."""
    day = datetime.date.fromisoformat(today) if today else None
    return services.patent_daily_maintenance(actor=system_actor(), today=day)


@shared_task(name="patents.tasks.supply_bulletin_publish", acks_late=True)
def supply_bulletin_publish(month: str | None = None) -> dict:
    """Monthly: publish the bulletin of the previous month (or of ``month``, YYYY-MM-01)."""
    first = datetime.date.fromisoformat(month) if month else services.previous_month()
    bulletin = services.supply_bulletin_publish(month=first)
    return {"month": bulletin.month.isoformat(), "patents": bulletin.patent_count}
