"""Operations: custom admin actions are recorded in the admin's history (LogEntry) like the admin's
own edits, and logs carry the request's context (JSON with DJANGO_LOG_JSON) in web and Celery
processes."""

import io
import json
import logging
from datetime import date, timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from demands.models import Demand
from matching.models import Match
from patents.models import Patent, SupplyBulletin
from portal.logging import ContextFilter
from portal.models import Organization
from tests.demands.factories import DemandFactory
from tests.matching.factories import MatchFactory
from tests.patents.factories import PatentFactory
from tests.portal.factories import OrganizationFactory, make_user

from .support import wait_for


@pytest.fixture
def admin_user():
    return make_user("admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def run_action(admin_client, model, action, objects):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.post(url, {"action": action, "_selected_action": [obj.pk for obj in objects]})
    assert response.status_code in (200, 302)


def logged(model, admin_user) -> dict[str, str]:
    """object id → change message of the admin's LogEntry rows for ``model``."""
    entries = LogEntry.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        user=admin_user,
    )
    assert all(entry.action_flag == CHANGE for entry in entries)
    return {entry.object_id: entry.change_message for entry in entries}


@pytest.mark.django_db
def test_organization_verify_actions_are_logged(admin_client, admin_user):
    pending = [OrganizationFactory(verified=False), OrganizationFactory(verified=False)]
    run_action(admin_client, Organization, "verify_selected", pending)
    assert logged(Organization, admin_user) == {str(org.pk): "认证单位（管理操作）" for org in pending}
    run_action(admin_client, Organization, "unverify_selected", pending[:1])
    assert LogEntry.objects.filter(
        object_id=str(pending[0].pk), change_message="撤销单位认证（管理操作）"
    ).exists()


@pytest.mark.django_db
def test_patent_actions_are_logged_only_for_the_patents_they_changed(admin_client, admin_user):
    draft = PatentFactory()
    lapsed = PatentFactory(legal_status=Patent.LegalStatus.LAPSED)  # refused by the service
    run_action(admin_client, Patent, "publish_selected", [draft, lapsed])
    assert logged(Patent, admin_user) == {str(draft.pk): "发布挂牌（管理操作）"}
    run_action(admin_client, Patent, "withdraw_selected", [draft])
    assert LogEntry.objects.filter(object_id=str(draft.pk), change_message="撤回挂牌（管理操作）").exists()


@pytest.mark.django_db
def test_bulletin_republish_is_logged(admin_client, admin_user):
    PatentFactory(published=True)
    bulletin = SupplyBulletin.objects.create(month=timezone.localdate().replace(day=1), title="本月供给公告")
    run_action(admin_client, SupplyBulletin, "republish", [bulletin])
    assert logged(SupplyBulletin, admin_user) == {str(bulletin.pk): "重新生成公告（管理操作）"}


@pytest.mark.django_db
def test_demand_actions_are_logged(admin_client, admin_user):
    demand = DemandFactory()
    run_action(admin_client, Demand, "close_demands", [demand])
    assert logged(Demand, admin_user) == {str(demand.pk): "关闭需求（管理操作）"}
    due = DemandFactory(deadline=date.today() - timedelta(days=2))
    if due.status != Demand.Status.OPEN:  # the factory may refuse a past deadline: force it
        Demand.objects.filter(pk=due.pk).update(status=Demand.Status.OPEN)
    Demand.objects.filter(pk=due.pk).update(deadline=date.today() - timedelta(days=2))
    run_action(admin_client, Demand, "expire_due_now", [demand])
    assert LogEntry.objects.filter(object_id=str(due.pk), change_message="处理到期需求（管理操作）").exists()


@pytest.mark.django_db
def test_match_notify_action_is_logged(admin_client, admin_user, celery_eager):
    fresh, done = MatchFactory(score=0.9), MatchFactory(score=0.9, notified=True)
    run_action(admin_client, Match, "notify_now", [fresh, done])
    assert set(logged(Match, admin_user)) == {str(fresh.pk)}


# --- Logs ---------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """The ``portal`` loggers written as JSON into a buffer, through the settings' filter."""
    from pythonjsonlogger.json import JsonFormatter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("portal")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_logging_settings_use_the_context_filter(settings):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["context"]
    assert settings.LOGGING["filters"]["context"]["()"] == "portal.logging.ContextFilter"
    assert settings.MIDDLEWARE[0] == "portal.middleware.RequestContextMiddleware"
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False


@pytest.mark.django_db
def test_request_log_lines_carry_request_id_path_and_user(client, json_log):
    user = make_user("sme")
    client.force_login(user)
    response = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="proxy-abc-12345")
    assert response.status_code == 200 and response["X-Request-ID"] == "proxy-abc-12345"
    line = next(line for line in json_log() if line["name"] == "portal.request")
    assert line["request_id"] == "proxy-abc-12345" and line["path"] == "/" and line["method"] == "GET"
    assert line["user_id"] == user.pk and line["status"] == 200 and line["duration_ms"] >= 0
    # A request id that is not one (log injection, too long) is replaced by a fresh one.
    response = client.get(reverse("portal:home"), HTTP_X_REQUEST_ID="bad id\n{}")
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()
    anonymous = client.__class__().get(reverse("portal:home"))
    assert anonymous["X-Request-ID"] != response["X-Request-ID"]


def test_celery_worker_logs_json_with_the_task_id(start_worker):
    from tests.faults.worker_tasks import log_line

    worker = start_worker(
        queues="q-faults-log",
        env={"DJANGO_LOG_JSON": "true", "DJANGO_LOG_LEVEL": "INFO"},
        extra_args=("--include", "tests.helpers.worker_tasks,tests.faults.worker_tasks", "--loglevel=info"),
    )
    result = log_line.apply_async(kwargs={"message": "来自任务的日志"}, queue="q-faults-log")
    assert result.get(timeout=30) is True

    def task_line():
        for line in worker.log().splitlines():
            if line.startswith("{") and "来自任务的日志" in json.loads(line).get("message", ""):
                return json.loads(line)
        return None

    line = wait_for(task_line, timeout=10, message="the task's log line")
    assert line["task_id"] == result.id and line["task_name"] == "tests.faults.log_line"
    assert line["levelname"] == "WARNING" and line["name"] == "portal.faults"

    # Celery's own lines (task received, succeeded) are JSON objects too; only the start-up banner
    # is printed as text.
    def succeeded():
        for line in worker.log().splitlines():
            record = json.loads(line) if line.startswith("{") else {}
            message = record.get("message", "")
            if (
                record.get("name", "").startswith("celery.")
                and result.id in message
                and "succeeded" in message
            ):
                return record
        return None

    assert wait_for(succeeded, timeout=10, message="Celery's own JSON line about the task")
