"""gunicorn settings for the portal: ``gunicorn portal.wsgi --config gunicorn.conf.py``.

Used by docker-compose.yml's web service, the load test (``python -m benchmarks.load``) and the
fault tests. Command-line flags win over these values (``--bind``, ``--workers``).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The web workers' PostgreSQL sessions plan each query for one core: with every core already
# busy serving other requests, a parallel plan's extra processes only compete with them (the load
# test serves ~15 % more pages per second without), and JIT compilation costs more than the
# short queries of a page save. Celery (reports) keeps the server's defaults.
os.environ.setdefault("DATABASE_SESSION_OPTIONS", "-c max_parallel_workers_per_gather=0 -c jit=off")
# Sync workers: each handles one request at a time, which suits a CPU-bound Django app behind a
# reverse proxy that buffers slow clients. The usual 2 x cores + 1; WEB_CONCURRENCY overrides.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer than this is killed (the worker is replaced); reports and imports
# run in Celery, so no page should come near it.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Access lines come from the app (portal.request: request id, user, status, duration), in JSON with
# DJANGO_LOG_JSON; gunicorn itself only logs start-up, worker and error messages.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# With DJANGO_LOG_JSON, gunicorn's own lines are JSON objects too, like the app's (one log format).
if os.environ.get("DJANGO_LOG_JSON", "").strip().lower() in {"1", "true", "yes", "on"}:
    _json = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    }
    _stderr = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
        "handlers": {"console": _stderr, "error_console": _stderr},
        "formatters": {"json": _json},
    }
