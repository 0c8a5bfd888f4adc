"""Context for log records: which request or Celery task a line belongs to.

``ContextFilter`` (installed on the console handler in ``settings.LOGGING``) adds to every record
``request_id``, ``method``, ``path`` and ``user_id`` while a request is being handled (set by
``portal.middleware.RequestContextMiddleware``), and ``task_id`` / ``task_name`` inside a Celery
task. With ``DJANGO_LOG_JSON=true`` they become fields of the JSON object; the plain format ignores
them. The filter never queries the database: the user is only named once something in the request
has already loaded it (a log line about a database outage must not need the database).
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from django.utils.functional import empty

_request: contextvars.ContextVar[Any] = contextvars.ContextVar("portal_request", default=None)

CONTEXT_FIELDS = ("request_id", "method", "path", "user_id", "task_id", "task_name")


def request_context_set(request) -> contextvars.Token:
    return _request.set(request)


def request_context_reset(token: contextvars.Token) -> None:
    _request.reset(token)


def current_request():
    return _request.get()


def loaded_user_id(request) -> int | None:
    """The user's id if the request has already loaded its user (no query otherwise)."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject from AuthenticationMiddleware
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class ContextFilter(logging.Filter):
    """Adds the request and task context fields to each record (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        if request is not None:
            record.request_id = getattr(request, "request_id", None)
            record.method = request.method
            record.path = request.path
            record.user_id = loaded_user_id(request)
        else:
            for name in ("request_id", "method", "path", "user_id"):
                if not hasattr(record, name):
                    setattr(record, name, None)
        task = _current_task()
        if task is not None:
            record.task_id = task.request.id
            record.task_name = task.name
        else:
            for name in ("task_id", "task_name"):
                if not hasattr(record, name):
                    setattr(record, name, None)
        return True


def _current_task():
    from celery import current_task

    task = current_task._get_current_object()
    if task is None or getattr(task.request, "id", None) is None:
        return None
    return task
