"""Slow jobs never hold a request: they are Celery tasks sent after commit. With a broker they go
to a worker. Without one (``make run``: tasks run eagerly) they would run inside the request, so
``dispatch`` runs them on a thread of the web process instead (``PORTAL_EAGER_JOBS_IN_BACKGROUND``)
and the page answers at once and shows their progress, as it does with a worker.

One thread takes the jobs in turn, as a single worker would: jobs running side by side in the web
process would slow every page it serves (they share one interpreter lock). The thread is a
stand-in for a worker on a laptop, not a durable queue: a job whose process is stopped (runserver
reloading) stays unfinished, and the user asks for it again."""

from __future__ import annotations

import logging
import queue
import threading
import time

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


_jobs: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()
WORKER_NAME = "portal-background-jobs"


def _work() -> None:
    while True:
        task, kwargs = _jobs.get()
        try:
            _run(task, kwargs)
        finally:
            _jobs.task_done()


def _submit(task, kwargs: dict) -> None:
    global _worker
    _jobs.put((task, kwargs))
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name=WORKER_NAME, daemon=True)
            _worker.start()


def wait_until_idle(timeout: float = 30) -> bool:
    """Whether every job handed to the thread has finished within ``timeout`` seconds (tests)."""
    deadline = time.monotonic() + timeout
    while _jobs.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def dispatch(task, **kwargs) -> None:
    """Send ``task`` (a task, or its dotted path, which is also its name) with ``kwargs`` now: to
    the broker, or (eager) inline or on a thread."""
    if isinstance(task, str):
        task = import_string(task)
    if getattr(settings, "PORTAL_EAGER_JOBS_IN_BACKGROUND", False) and task.app.conf.task_always_eager:
        _submit(task, kwargs)
        return
    task.delay(**kwargs)


def dispatch_on_commit(task, **kwargs) -> None:
    """``dispatch`` once the current transaction commits (the job's rows are then visible)."""
    transaction.on_commit(lambda: dispatch(task, **kwargs))
