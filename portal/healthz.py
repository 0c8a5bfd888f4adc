"""Liveness and readiness probe for load balancers, Docker and monitoring: GET /healthz.

Answers 503 only when the database or the broker is down; a missing Celery worker makes the
status "degraded" but keeps 200, because pages still work and queued tasks wait for a worker.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"
EAGER = "eager"
NONE = "none"
SKIPPED = "skipped"
TIMEOUT_SECONDS = 1.0


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("healthz: database check failed")
        return ERROR
    return OK


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception:
        logger.exception("healthz: broker check failed")
        return ERROR
    return OK


def check_worker() -> str:
    """Some worker answers a control ping within a second; "none" when nobody answers."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    from portal.celery import app

    try:
        # limit=1 returns as soon as one worker answers instead of waiting out the timeout.
        replies = app.control.inspect(timeout=TIMEOUT_SECONDS, limit=1).ping()
    except Exception:
        logger.exception("healthz: worker check failed")
        return ERROR
    return OK if replies else NONE


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    if checks["broker"] == OK:
        checks["worker"] = check_worker()
    else:
        checks["worker"] = EAGER if checks["broker"] == EAGER else SKIPPED
    down = checks["database"] == ERROR or checks["broker"] == ERROR
    healthy = all(value in (OK, EAGER) for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=503 if down else 200,
    )
