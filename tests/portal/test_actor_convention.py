"""One convention for who acts (issue 17, item 2).

Every public function of every app's services takes a required keyword ``actor: Actor``; there is
no ``by`` and no ``None`` that skips the permission checks. Work nobody clicked (Celery tasks,
management commands, the demo seeding) acts as ``system_actor()``, a real user, so ``created_by``
and the history always name someone.
"""

import datetime as dt
import importlib
import inspect
import io
import pkgutil

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from cleanup.models import CleanupRun
from demands.models import Demand
from demands.tasks import demand_expire_due
from portal.forms import SignupForm
from portal.permissions import SYSTEM_USERNAME, Actor, Role, actor_for, system_actor
from portal.templatetags.portal_tags import is_system_user
from tests.demands.factories import DemandFactory
from tests.finance.factories import sme

APPS = ("portal", "patents", "demands", "matching", "finance", "reports", "cleanup")
# Write services that live outside an app's ``services`` module.
EXTRA_MODULES = ("portal.imports.services", "portal.periods")

# Public functions of the services modules that are not an actor's write, each with the reason. A
# new write service does not belong here: give it ``actor``.
NOT_ACTING = {
    # Pure helpers and reads: they compute or look up, they write nothing.
    "cleanup.services.fixes.district_from_credit_code": "pure",
    "cleanup.services.fixes.industries_for_ipc": "read",
    "cleanup.services.merge.organization_m2m_tables": "read",
    "cleanup.services.merge.organization_merge_plan": "read (the plan shown before a merge)",
    "cleanup.services.merge.organization_relations": "read",
    "cleanup.services.quality.bureau_recipients": "read",
    "demands.services.lifecycle.demand_next_code": "read",
    "demands.services.duplicates.demands_similar": "read",
    "demands.services.lifecycle.normalize_ipc": "pure",
    "demands.services.lifecycle.normalize_keywords": "pure",
    "demands.services.duplicates.title_similarity": "pure",
    "finance.services.contracts.contract_prefill": "pure",
    "finance.services.contracts.contract_terms_errors": "pure",
    "finance.services.cases.typical_case_consents_complete": "read",
    "finance.services.follow_ups.add_months": "pure",
    "finance.services.open_licenses.open_license_term_end": "pure",
    "matching.services.notifications.match_notify_min_score": "setting",
    "matching.services.notifications.owner_side_organization_ids": "read",
    "matching.services.runs.chunk_size": "setting",
    "matching.services.runs.default_top_n": "setting",
    "matching.services.runs.matches_as_json": "read",
    "matching.services.runs.matches_as_json_all": "read",
    "matching.services.runs.stuck_after": "setting",
    "matching.services.subscriptions.subscription_from_token": "read",
    "matching.services.subscriptions.subscription_new_items": "read",
    "matching.services.subscriptions.subscription_token": "pure",
    "patents.services.bulletins.month_bounds": "pure",
    "patents.services.bulletins.previous_month": "pure",
    "patents.services.inventory.compute_dormant": "pure",
    "patents.services.inventory.ipc_rows": "pure",
    "patents.services.inventory.ipc_values": "pure",
    "patents.services.inventory.normalize_ipc_codes": "pure",
    "patents.services.inventory.patent_derive": "pure (sets derived fields, saves nothing)",
    "patents.services.licensing.open_license_standing": "read",
    "patents.services.licensing.patent_assert_can_license": "read (raises when a licence is barred)",
    "portal.imports.services.import_job_activity": "read",
    "portal.periods.apply_change": "pure",
    "portal.periods.changes_anything": "pure",
    "portal.periods.organization_spans": "read",
    "portal.periods.organization_spans_of": "read",
    "portal.services.organization_already_registered_message": "pure",
    "reports.services.confirmation_token": "pure",
    "reports.services.kind_of": "pure",
    # Steps of a service that already checked its actor: derived data kept in step.
    "demands.services.duplicates.demand_flag_duplicates": "step: the duplicate flags after a demand write",
    "demands.services.lifecycle.demand_queue_matching": "step: announces changed demands after commit",
    "matching.services.notifications.notification_create": "step: the notice of another service's write",
    "patents.services.inventory.patent_refresh_dormant": "step: the derived dormant flag",
    "patents.services.inventory.patent_save_edited": "step: the save of patent_update and the admin form",
    "patents.services.licensing.patent_record_implemented": "step: a deal service's effect on the patent",
    "patents.services.licensing.patent_record_license": "step: a deal service's effect on the patent",
    "patents.services.licensing.patent_record_transfer": "step: a deal service's effect on the patent",
    "patents.services.listings.patent_queue_matching": "step: announces published listings after commit",
    "portal.periods.organization_saved": "step: the post_save receiver keeping periods in step",
    "portal.periods.organizations_start_history": "step: first periods of organizations just imported",
    # Who acts is not a portal user.
    "matching.services.subscriptions.subscription_unsubscribe": "the signed link in an e-mail is the authority",
    "portal.services.organization_register": "sign-up: the user does not exist yet",
    # Background steps that record no user (no created_by, no history row): matching, mail, the
    # import pipeline's steps (the import itself acts as its uploader or the system), report
    # builds. Candidates for ``actor`` when they start recording who acted.
    "cleanup.services.quality.data_quality_notify": "job: mail",
    "finance.services.follow_ups.follow_up_request_due": "job: follow-ups and their notices",
    "matching.services.notifications.notification_send_email": "job: mail",
    "matching.services.notifications.notify_new_matches": "job: notices",
    "matching.services.runs.demand_match": "job: matching engine",
    "matching.services.runs.demands_match": "job: matching engine",
    "matching.services.runs.match_chunk_process": "job: matching engine",
    "matching.services.runs.match_run_dispatch": "job: matching engine",
    "matching.services.runs.match_runs_resume_stuck": "job: matching watchdog",
    "matching.services.runs.patents_match_new": "job: matching engine",
    "matching.services.subscriptions.subscription_digest_send": "job: mail",
    "matching.services.subscriptions.subscription_digest_send_email": "job: mail",
    "patents.services.bulletins.supply_bulletin_publish": "job: the monthly bulletin",
    "portal.imports.services.import_job_claim": "job: import pipeline step",
    "portal.imports.services.import_job_heartbeat": "job: import pipeline step",
    "portal.imports.services.import_job_run": "job: import pipeline step (acts as the uploader)",
    "portal.imports.services.import_job_validate": "job: import pipeline step (acts as the uploader)",
    "portal.imports.services.import_jobs_resend_lost": "job: import watchdog",
    "portal.imports.services.import_jobs_restart_stalled": "job: import watchdog",
    "reports.services.annual_report_build": "job: report build",
    "reports.services.plan_report_build": "job: report build",
    "reports.services.report_build": "job: report build",
    "reports.services.report_files_finalise": "job: report files",
}


def _modules():
    for app in APPS:
        try:
            package = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue
        yield package
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            if not info.name.startswith("_"):
                yield importlib.import_module(f"{package.__name__}.{info.name}")
    for name in EXTRA_MODULES:
        yield importlib.import_module(name)


def _functions():
    for module in _modules():
        for name, function in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(function)
                and function.__module__ == module.__name__
            ):
                yield f"{module.__name__}.{name}", function


SERVICES = dict(_functions())


def test_the_services_modules_are_found():
    assert "demands.services.lifecycle.demand_update" in SERVICES
    assert "matching.services.inquiries.inquiry_create" in SERVICES
    assert "portal.periods.organization_reclassify" in SERVICES
    assert len(SERVICES) > 150


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_takes_a_required_keyword_actor(name):
    parameters = inspect.signature(SERVICES[name]).parameters
    assert "by" not in parameters, f"{name}: the acting user is `actor: Actor`, not `by`"
    if name in NOT_ACTING and "actor" not in parameters:
        return
    actor = parameters.get("actor")
    assert actor is not None, f"{name}: a write service takes `actor: Actor` (or is listed in NOT_ACTING)"
    assert actor.kind == inspect.Parameter.KEYWORD_ONLY, f"{name}: `actor` is keyword-only"
    assert actor.default is inspect.Parameter.empty, (
        f"{name}: `actor` is required (no None that skips checks)"
    )
    assert actor.annotation in (Actor, "Actor"), (
        f"{name}: `actor` is annotated `Actor`, not {actor.annotation!r}"
    )


def test_the_exemptions_name_existing_functions():
    """A renamed or removed function leaves no stale exemption behind."""
    assert sorted(set(NOT_ACTING) - set(SERVICES)) == []


@pytest.mark.django_db
def test_the_system_actor_is_a_real_user_nobody_can_log_in_as():
    actor = system_actor()
    assert actor.role == Role.SYSTEM and actor.is_system and actor.organization is None
    assert actor.user.pk and actor.user.username == SYSTEM_USERNAME
    assert not actor.user.is_active and not actor.user.has_usable_password()
    assert not actor.is_staff_role and not actor.sees_whole_city  # its rights are granted one by one
    assert system_actor().user.pk == actor.user.pk  # created once, then found
    # Signed in by a view (it never is), the user would be nobody: no role of its own there.
    assert actor_for(actor.user).role == Role.NONE


@pytest.mark.django_db
def test_a_person_who_took_the_name_is_never_the_system(django_user_model):
    django_user_model.objects.create(username=SYSTEM_USERNAME, password=make_password("a-Password-1"))
    with pytest.raises(ImproperlyConfigured):
        system_actor()


@pytest.mark.django_db
def test_the_name_is_reserved_at_sign_up():
    form = SignupForm(data={"username": "System"})
    form.is_valid()
    assert "username" in form.errors


def _expire_through_the_task(timeout=None):
    demand = DemandFactory(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert demand_expire_due.delay().get(timeout=timeout) == 1
    record = Demand.history.filter(id=demand.pk).order_by("-history_id").first()
    assert record.status == Demand.Status.EXPIRED
    assert record.history_user == system_actor().user


@pytest.mark.django_db
def test_a_celery_task_acts_and_is_recorded_as_the_system(celery_eager):
    _expire_through_the_task()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_creates_or_finds_the_same_system_user(celery_worker):
    """The worker is another process (and, under xdist, each test worker has its own database):
    whichever side acts first creates the user, the other finds it."""
    _expire_through_the_task(timeout=30)


@pytest.mark.django_db
def test_a_management_command_acts_and_is_recorded_as_the_system():
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    call_command("merge_organizations", keep.credit_code, drop.credit_code, stdout=io.StringIO())
    run = CleanupRun.objects.get(kind=CleanupRun.Kind.MERGE)
    assert run.performed_by == system_actor().user


@pytest.mark.django_db
def test_pages_show_the_system_as_before(django_user_model):
    """History lists showed "系统" for rows without a user; rows in the system's name still do."""
    assert is_system_user(None) and is_system_user(system_actor().user)
    assert not is_system_user(django_user_model.objects.create(username="zhang"))
