"""docker-compose.yml and the Dockerfile, checked as data (there is no Docker engine in CI)."""

import re

import pytest
import yaml

from tests.helpers.processes import PROJECT_DIR

SERVICES = {"web", "worker", "beat", "postgres", "redis", "flower"}
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_services_exist(compose):
    assert set(compose["services"]) == SERVICES


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck(compose, name):
    healthcheck = compose["services"][name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    test = healthcheck["test"]
    assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1
    assert healthcheck.get("interval") and healthcheck.get("retries")


def test_images(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["flower"]["image"].startswith("mher/flower")
    for name in APP_SERVICES:
        assert services[name]["build"] == "."


def test_web_runs_gunicorn_after_migrate_and_collectstatic(compose):
    command = command_text(compose["services"]["web"])
    assert re.search(r"migrate --noinput &&.*collectstatic --noinput &&.*gunicorn portal\.wsgi", command)
    assert "--bind 0.0.0.0:8000" in command
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_app_services_share_production_settings_and_env_file(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"


def test_worker_and_beat_commands(compose):
    assert command_text(compose["services"]["worker"]).startswith("celery -A portal worker")
    beat = command_text(compose["services"]["beat"])
    assert beat.startswith("celery -A portal beat")
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_dependencies_wait_for_healthy_services(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert spec["condition"] == "service_healthy"
            assert "healthcheck" in services[dependency]


def test_dockerfile():
    text = (PROJECT_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    assert re.search(r"apt-get install .*fonts-noto-cjk gettext", text)
    assert "pip install -r requirements.txt" in text
    assert re.search(r"^USER (?!root)\w+", text, re.MULTILINE), "the image must not run as root"
    ignored = (PROJECT_DIR / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env"} <= set(ignored)
