"""Deployment readiness: production settings, system checks, migrations and /healthz."""

import io
import secrets

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal import healthz
from tests.helpers.processes import clean_env, run_manage, run_python


def production_env(**overrides: str) -> dict[str, str]:
    return clean_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
        **overrides,
    )


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings():
    completed = run_manage(
        "check",
        "--deploy",
        "--settings=portal.settings.production",
        "--fail-level",
        "WARNING",
        env=production_env(),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "WARNINGS" not in completed.stderr + completed.stdout
    assert "System check identified no issues" in completed.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set in production."),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must be set in production."),
    ],
)
def test_production_refuses_to_start_without_secrets(missing, message):
    env = production_env(DJANGO_SETTINGS_MODULE="portal.settings.production")
    del env[missing]
    completed = run_python("import django; django.setup()", env=env)
    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert message in completed.stderr


def test_production_settings_are_hardened():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s\n"
        "print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS]))"
    )
    completed = run_python(code, env=production_env(DJANGO_SETTINGS_MODULE="portal.settings.production"))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == '[false, true, true, true, true, ["portal.example.cn"]]'


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:  # --check exits with 1 when a model change has no migration
        pytest.fail(f"makemigrations --check exited {exit_.code}:\n{out.getvalue()}", pytrace=False)


# --- /healthz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_without_services(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert reverse("healthz") == "/healthz"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "eager", "worker": "eager"},
    }


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "error", "worker": "skipped"},
    }


def test_healthz_answers_503_when_the_database_is_down(client, settings):
    # No django_db mark: pytest-django makes the query raise, as a query to a dead server would.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
def test_healthz_missing_worker_is_degraded_not_down(client, monkeypatch):
    monkeypatch.setattr(healthz, "check_broker", lambda: healthz.OK)
    monkeypatch.setattr(healthz, "check_worker", lambda: healthz.NONE)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "ok", "worker": "none"},
    }


def test_healthz_rejects_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_with_broker_and_worker(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "worker": "ok"}}
