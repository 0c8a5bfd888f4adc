"""Tasks that could not reach the broker are kept in the database and sent later.

Every Celery task of the portal is an ``OutboxTask`` (the app's task class, see portal.celery):
when sending it fails because the broker (Redis) is down, the task is written to ``OutboxTask``
instead of failing the request that queued it, whose data is already committed (services queue
their tasks with ``transaction.on_commit``). A client would otherwise see a 500 for a write that
happened and retry it, duplicating it. ``outbox_flush`` (beat, every minute) sends the stored
tasks once the broker answers; tasks are idempotent, so a task sent twice only repeats work.
"""

from __future__ import annotations

import json
import logging
import uuid

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, RedisError, ConnectionError, OSError)
_KEPT_OPTIONS = ("queue", "routing_key", "priority", "countdown", "expires", "headers")


def _json_safe(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return None
    return value


class OutboxTask(Task):
    """A task whose sending falls back to the database outbox while the broker is down."""

    def apply_async(
        self,
        args=None,
        kwargs=None,
        task_id=None,
        producer=None,
        link=None,
        link_error=None,
        shadow=None,
        **options,
    ):
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)
        try:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)
        except BROKER_ERRORS as exc:
            stored = outbox_store(name=self.name, args=args, kwargs=kwargs, options=options, error=exc)
            if not stored:
                raise
            return self.AsyncResult(task_id or str(uuid.uuid4()))


def outbox_store(*, name: str, args, kwargs, options: dict, error: BaseException) -> bool:
    """Keep a task for ``outbox_flush``; False when its arguments cannot be stored as JSON."""
    from portal.models import OutboxTask as Row

    args, kwargs = _json_safe(list(args or ())), _json_safe(dict(kwargs or {}))
    if args is None or kwargs is None:
        return False
    kept = {
        key: options[key] for key in _KEPT_OPTIONS if key in options and _json_safe(options[key]) is not None
    }
    Row.objects.create(name=name, args=args, kwargs=kwargs, options=kept, last_error=str(error)[:500])
    logger.warning("broker unavailable (%s): task %s kept in the outbox", error, name)
    return True


def outbox_flush(*, limit: int = 1000) -> int:
    """Send the stored tasks, oldest first; stop at the first that still cannot be sent. The
    number sent."""
    from portal.celery import app
    from portal.models import OutboxTask as Row

    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = Row.objects.select_for_update(skip_locked=True).order_by("id").first()
            if row is None:
                return sent
            task = app.tasks.get(row.name)
            try:
                if task is None:
                    app.send_task(row.name, args=row.args, kwargs=row.kwargs, **row.options)
                else:
                    # Task.apply_async itself: a failure here must not store the task again.
                    Task.apply_async(task, row.args, row.kwargs, **row.options)
            except BROKER_ERRORS as exc:
                row.attempts += 1
                row.last_error = str(exc)[:500]
                row.save(update_fields=["attempts", "last_error"])
                return sent
            row.delete()
            sent += 1
    return sent
