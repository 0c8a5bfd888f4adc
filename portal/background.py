"""Slow jobs never hold a request: they are Celery tasks sent after commit. With a broker they go
to a worker. Without one (``make run``: tasks run eagerly) they would run inside the request, so
``dispatch`` runs them on a thread of the web process instead (``PORTAL_EAGER_JOBS_IN_BACKGROUND``)
and the page answers at once and shows their progress, as it does with a worker.

The thread is a stand-in for a worker on a laptop, not a queue: a job whose process is stopped
(runserver reloading) stays unfinished, and the user asks for it again."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def _run(task, kwargs: dict) -> None:
    try:
        task.apply(kwargs=kwargs, throw=False)
    except Exception:  # a thread's exception would vanish; the job records its own failure
        logger.exception("background job %s failed", task.name)
    finally:
        connections.close_all()  # this thread's connections, not the request's


def dispatch(task, **kwargs) -> None:
    """Send ``task`` (a task, or its dotted path, which is also its name) with ``kwargs`` now: to
    the broker, or (eager) inline or on a thread."""
    if isinstance(task, str):
        task = import_string(task)
    if getattr(settings, "PORTAL_EAGER_JOBS_IN_BACKGROUND", False) and task.app.conf.task_always_eager:
        threading.Thread(target=_run, args=(task, kwargs), name=f"job-{task.name}", daemon=True).start()
        return
    task.delay(**kwargs)


def dispatch_on_commit(task, **kwargs) -> None:
    """``dispatch`` once the current transaction commits (the job's rows are then visible)."""
    transaction.on_commit(lambda: dispatch(task, **kwargs))
