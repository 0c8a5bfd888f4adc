"""Tasks loaded only into the fault tests' workers (``--include tests.faults.worker_tasks``)."""

import logging

from celery import shared_task

logger = logging.getLogger("portal.faults")


@shared_task(name="tests.faults.log_line")
def log_line(*, message: str) -> bool:
    """Writes one log line inside a task (to check the worker's log format and context)."""
    logger.warning(message)
    return True
