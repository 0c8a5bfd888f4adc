"""Run Python or manage.py in a subprocess with a clean environment, to test what the
settings do with a given set of environment variables (import-time behaviour that the
in-process ``settings`` fixture cannot show)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Variables read by portal/settings/*.py; a "clean" environment drops all of them.
PORTAL_VARIABLE_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "CELERY_",
    "EMAIL_",
    "PORTAL_",
    "REDIS_",
    "AXES_",
    "DEFAULT_FROM_EMAIL",
)


def clean_env(**overrides: str) -> dict[str, str]:
    """The current environment without any portal setting, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(PORTAL_VARIABLE_PREFIXES)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(overrides)
    return env


def run_python(code: str, *, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


_SETTINGS_SNIPPET = """
import json, django
from django.conf import settings
django.setup()
from portal.celery import app
names = {names!r}
out = {{name: getattr(settings, name) for name in names}}
out["celery_app_always_eager"] = app.conf.task_always_eager
out["celery_app_broker_url"] = app.conf.broker_url
print(json.dumps(out, default=str))
"""


def settings_in_subprocess(module: str, names: list[str], **env_overrides: str) -> dict:
    """Import ``module`` in a fresh interpreter with a clean environment and return the
    named settings (JSON-serialised; paths become strings)."""
    env = clean_env(DJANGO_SETTINGS_MODULE=module, **env_overrides)
    result = run_python(_SETTINGS_SNIPPET.format(names=names), env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
