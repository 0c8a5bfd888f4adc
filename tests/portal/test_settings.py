"""Settings read from the environment: defaults that need no services, and URL parsing.

Import-time behaviour is checked in a fresh interpreter with a clean environment, so the
variables of the current test run (DATABASE_URL, CELERY_BROKER_URL) do not leak in."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers.processes import PROJECT_DIR, clean_env, run_python, settings_in_subprocess

NAMES = [
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "USE_TZ",
    "USE_I18N",
    "DATABASES",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
]


@pytest.fixture(scope="module")
def local_defaults():
    return settings_in_subprocess("portal.settings.local", NAMES)


def test_language_and_time_zone_in_this_run():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_defaults_need_no_services(local_defaults):
    assert local_defaults["LANGUAGE_CODE"] == "zh-hans"
    assert local_defaults["TIME_ZONE"] == "Asia/Shanghai"
    assert local_defaults["USE_TZ"] is True
    db = local_defaults["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(db["NAME"]) == PROJECT_DIR / "var" / "portal.sqlite3"


def test_celery_is_eager_without_a_broker(local_defaults):
    assert local_defaults["CELERY_TASK_ALWAYS_EAGER"] is True
    assert local_defaults["CELERY_BROKER_URL"] == "memory://"
    assert local_defaults["CELERY_RESULT_BACKEND"] is None
    # The Celery app reads the same settings, not its own defaults.
    assert local_defaults["celery_app_always_eager"] is True


def test_local_settings_debug_and_insecure_key(local_defaults):
    assert local_defaults["DEBUG"] is True
    assert local_defaults["SECRET_KEY"].startswith("django-insecure")
    assert "127.0.0.1" in local_defaults["ALLOWED_HOSTS"]


def test_var_dir_moves_the_sqlite_database(tmp_path):
    values = settings_in_subprocess("portal.settings.local", ["DATABASES"], PORTAL_VAR_DIR=str(tmp_path))
    assert Path(values["DATABASES"]["default"]["NAME"]) == tmp_path / "portal.sqlite3"


def test_database_url_is_parsed():
    values = settings_in_subprocess(
        "portal.settings.local",
        ["DATABASES"],
        DATABASE_URL="postgres://portal:s%40cret@db.example.cn:5433/portal_prod",
        DATABASE_CONN_MAX_AGE="120",
    )
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("portal_prod", "portal", "s@cret")
    assert (db["HOST"], int(db["PORT"])) == ("db.example.cn", 5433)
    assert db["CONN_MAX_AGE"] == 120
    assert db["CONN_HEALTH_CHECKS"] is True


def test_session_options_reach_postgresql_and_gunicorn_sets_them_for_the_web():
    values = settings_in_subprocess(
        "portal.settings.local",
        ["DATABASES"],
        DATABASE_URL="postgres://portal@db.example.cn/portal",
        DATABASE_SESSION_OPTIONS="-c jit=off",
    )
    assert values["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
    show = (
        "import os, runpy; runpy.run_path('gunicorn.conf.py'); print(os.environ['DATABASE_SESSION_OPTIONS'])"
    )
    web = run_python(show, env=clean_env()).stdout.strip()
    assert web == "-c max_parallel_workers_per_gather=0 -c jit=off"
    assert run_python(show, env=clean_env(DATABASE_SESSION_OPTIONS="-c jit=on")).stdout.strip() == "-c jit=on"

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return  # the server's answer needs PostgreSQL
    query = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW max_parallel_workers_per_gather'); a = c.fetchone()[0]; "
        "c.execute('SHOW jit'); print(a, c.fetchone()[0])"
    )
    server = url.rsplit("/", 1)[0] + "/postgres"  # the run's own database may not exist yet
    env = clean_env(
        DJANGO_SETTINGS_MODULE="portal.settings.local", DATABASE_URL=server, DATABASE_SESSION_OPTIONS=web
    )
    result = run_python(query, env=env)
    assert result.stdout.split()[-2:] == ["0", "off"], result.stderr


def test_broker_url_turns_off_eager_mode_and_sets_the_result_backend():
    values = settings_in_subprocess(
        "portal.settings.local", NAMES, CELERY_BROKER_URL="redis://redis.example.cn:6379/3"
    )
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://redis.example.cn:6379/3"
    assert values["CELERY_RESULT_BACKEND"] == "redis://redis.example.cn:6379/3"
    assert values["celery_app_always_eager"] is False
    assert values["celery_app_broker_url"] == "redis://redis.example.cn:6379/3"


def test_environment_flags_and_lists():
    values = settings_in_subprocess(
        "portal.settings.local",
        ["DEBUG", "ALLOWED_HOSTS"],
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS=" portal.example.cn , www.portal.example.cn ,",
    )
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["portal.example.cn", "www.portal.example.cn"]


def test_this_run_uses_the_broker_when_one_is_configured():
    from portal.celery import app

    assert app.conf.task_always_eager is (not os.environ.get("CELERY_BROKER_URL"))


ENV_READ = re.compile(
    r"""(?:os\.environ(?:\.get|\.setdefault)?\(|os\.environ\[|env_\w+\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_DIR / "portal" / "settings").glob("*.py"):
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_is_documented():
    names = variables_read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= names  # the pattern works
    example = (PROJECT_DIR / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert names - documented == set(), "missing from .env.example"
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    in_table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))
    assert names - in_table == set(), "missing from the README's settings table"
