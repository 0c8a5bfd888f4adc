"""Notifications: in-app rows, e-mail copies sent by Celery after commit (never in the request),
opt-out, announcements of new high-scoring matches, the list page and the API."""

import time

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from matching.models import Match, Notification
from matching.services.inquiries import inquiry_create, inquiry_reply
from matching.services.notifications import notification_create, notify_new_matches
from portal.models import Membership

from .factories import (
    DemandFactory,
    MatchFactory,
    agency_for,
    ensure_reference_data,
    institution_with_patent,
    make_patent,
    make_user,
)

pytestmark = pytest.mark.django_db


def org(user):
    return user.membership.organization


def test_email_copy_is_sent_by_the_task_after_commit(celery_eager, django_capture_on_commit_callbacks):
    user = make_user("sme")
    colleague = make_user("sme", organization=org(user))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notification_create(
            kind=Notification.Kind.SYSTEM,
            title="测试通知",
            body="第一行\n第二行",
            url="/matching/inquiries/1/",
            organization_ids=[org(user).pk],
            exclude_user=colleague,
        )
    # Nothing is sent inside the transaction (the request); the task is queued on commit.
    assert [n.user for n in created] == [user]
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject.endswith("测试通知")
    assert "第一行\n第二行" in message.body
    assert "/matching/inquiries/1/" in message.body
    assert "个人资料" in message.body
    created[0].refresh_from_db()
    assert created[0].emailed_at is not None

    # Idempotent: running the task again sends nothing more.
    from matching.tasks import notification_send_email

    assert notification_send_email.delay(notification_id=created[0].pk).get() is False
    assert len(mail.outbox) == 1


def test_inquiry_email_content(celery_eager, django_capture_on_commit_callbacks):
    owner_user, patent = institution_with_patent()
    sme_user = make_user("sme")
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = inquiry_create(by=sme_user, patent=patent, body="请问是否支持先使用后付费？")
    assert [m.to for m in mail.outbox] == [[owner_user.email]]
    message = mail.outbox[0]
    assert org(sme_user).name in message.subject and patent.title in message.subject
    assert "请问是否支持先使用后付费？" in message.body
    assert reverse("matching:inquiry-detail", args=[inquiry.pk]) in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        inquiry_reply(inquiry=inquiry, by=owner_user, body="支持，详见附件。")
    assert [m.to for m in mail.outbox] == [[sme_user.email]]
    assert "回复了您的咨询" in mail.outbox[0].subject


def test_opted_out_users_get_the_in_app_row_but_no_email(celery_eager, django_capture_on_commit_callbacks):
    user = make_user("sme")
    Membership.objects.filter(user=user).update(email_notifications=False)
    keen = make_user("sme", organization=org(user))
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(kind=Notification.Kind.SYSTEM, title="你好", organization_ids=[org(user).pk])
    assert Notification.objects.filter(user__in=[user, keen]).count() == 2
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert Notification.objects.get(user=user).emailed_at is None


def test_opting_out_after_queueing_still_stops_the_email(celery_eager, django_capture_on_commit_callbacks):
    user = make_user("sme")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_create(kind=Notification.Kind.SYSTEM, title="你好", users=[user])
    Membership.objects.filter(user=user).update(email_notifications=False)
    callbacks[0]()
    assert mail.outbox == []


def test_users_without_email_or_inactive_are_skipped(celery_eager, django_capture_on_commit_callbacks):
    no_mail = make_user("sme", email="")
    inactive = make_user("sme", organization=org(no_mail), is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = notification_create(
            kind=Notification.Kind.SYSTEM, title="你好", organization_ids=[org(no_mail).pk]
        )
    assert [n.user for n in created] == [no_mail]
    assert mail.outbox == []
    assert not Notification.objects.filter(user=inactive).exists()


def test_profile_switch_turns_email_off(client):
    user = make_user("sme")
    client.force_login(user)
    data = {"user-last_name": "张", "user-first_name": "三", "user-email": user.email}
    # Unchecked checkbox = off; the organization admin form needs its own fields too.
    org_ = org(user)
    data.update({"org-contact_name": org_.contact_name, "org-contact_phone": org_.contact_phone})
    response = client.post(reverse("portal:profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.get(user=user).email_notifications is False


# --- New matches ----------------------------------------------------------------------------------


@pytest.fixture
def match_setup():
    owner_user, patent = institution_with_patent()
    agency_user = agency_for(org(owner_user))
    sme_user = make_user("sme")
    demand = DemandFactory(organization=org(sme_user))
    return owner_user, agency_user, sme_user, demand, patent


def test_new_high_scoring_matches_are_announced_once_to_both_sides(
    match_setup, django_capture_on_commit_callbacks
):
    owner_user, agency_user, sme_user, demand, patent = match_setup
    high = MatchFactory(demand=demand, patent=patent, score=0.91, reasons=["关键词：冷链"])
    low = MatchFactory(
        demand=demand, patent=make_patent(owner=org(owner_user)), score=0.1
    )  # below the default threshold (0.15)

    with django_capture_on_commit_callbacks(execute=True):
        created = notify_new_matches([high.pk, low.pk])
    assert created == 3  # the SME, the owner and its agency
    sme_note = Notification.objects.get(user=sme_user)
    assert sme_note.kind == Notification.Kind.MATCH
    assert demand.title in sme_note.title
    assert "91%" in sme_note.body and "关键词：冷链" in sme_note.body
    assert sme_note.url == reverse("demands:demand-detail", args=[demand.code])
    owner_note = Notification.objects.get(user=owner_user)
    assert demand.code in owner_note.body
    assert owner_note.url.startswith(reverse("matching:patent-matches"))
    assert Notification.objects.filter(user=agency_user).count() == 1
    assert set(Match.objects.filter(notified=True).values_list("pk", flat=True)) == {high.pk}

    assert notify_new_matches([high.pk, low.pk]) == 0
    assert Notification.objects.count() == 3


@pytest.mark.parametrize("setting, expected", [(0.95, 0), (0.9, 3)])
def test_threshold_comes_from_settings(match_setup, settings, setting, expected):
    _owner, _agency, _sme, demand, patent = match_setup
    settings.MATCHING_NOTIFY_MIN_SCORE = setting
    match = MatchFactory(demand=demand, patent=patent, score=0.91)
    assert notify_new_matches([match.pk]) == expected


def test_matches_of_closed_demands_or_withdrawn_patents_are_not_announced(match_setup):
    _owner, _agency, _sme, demand, patent = match_setup
    closed = DemandFactory(organization=demand.organization, status="closed")
    draft = make_patent(owner=patent.owner, published=False)
    ids = [MatchFactory(demand=closed, patent=patent).pk, MatchFactory(demand=demand, patent=draft).pk]
    assert notify_new_matches(ids) == 0


def test_one_notification_per_demand_and_per_owner(match_setup):
    owner_user, _agency, sme_user, demand, patent = match_setup
    other_demand = DemandFactory(organization=demand.organization)
    second = make_patent(owner=patent.owner)
    ids = [
        MatchFactory(demand=demand, patent=patent).pk,
        MatchFactory(demand=demand, patent=second).pk,
        MatchFactory(demand=other_demand, patent=patent).pk,
    ]
    notify_new_matches(ids)
    assert Notification.objects.filter(user=sme_user).count() == 2
    owner_notes = Notification.objects.filter(user=owner_user)
    assert owner_notes.count() == 1
    assert "3 项专利匹配" in owner_notes.get().title


def test_announcing_many_groups_takes_a_constant_number_of_queries(
    match_setup, django_assert_max_num_queries
):
    """Readers of every group read once and every notification written in one INSERT: a first
    full run announces thousands of matches (the cold-run bound, docs/matching.md)."""
    _owner, _agency, _sme, demand, patent = match_setup
    ids = [MatchFactory(demand=demand, patent=patent).pk]
    for _ in range(6):
        _owner_user, other_patent = institution_with_patent()
        other_demand = DemandFactory(organization=demand.organization)
        ids.append(MatchFactory(demand=other_demand, patent=other_patent).pk)
    # savepoint, lock, mark notified, read matches, agencies, members, one INSERT, release
    with django_assert_max_num_queries(9):
        created = notify_new_matches(ids)
    assert created == 7 + 7 + 1  # the SME per demand; each owner's member; the first owner's agency


# --- Pages and API --------------------------------------------------------------------------------


def _notes(user, n, **fields):
    return [
        Notification.objects.create(user=user, kind="system", title=f"通知{i}", **fields) for i in range(n)
    ]


def test_notification_page_badge_mark_read_and_mark_all(client, django_assert_max_num_queries):
    user = make_user("sme")
    first, *_rest = _notes(user, 3, url="/demands/mine/")
    _notes(make_user("sme"), 2)
    client.force_login(user)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("matching:notification-list")).content.decode()
    assert page.count("data-notification=") == 3
    assert 'id="unread-count">3<' in page

    response = client.post(reverse("matching:notification-read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == "/demands/mine/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'id="unread-count">2<' in client.get(reverse("matching:notification-list")).content.decode()

    client.post(reverse("matching:notification-read-all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # the other user's stay unread
    page = client.get(reverse("matching:notification-list") + "?unread=true").content.decode()
    assert 'id="empty-state"' in page


def test_cannot_touch_someone_elses_notification(client):
    (other,) = _notes(make_user("sme"), 1)
    client.force_login(make_user("sme"))
    assert client.post(reverse("matching:notification-read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_notifications_need_login(client):
    assert client.get(reverse("matching:notification-list")).status_code == 302
    assert APIClient().get("/api/notifications/").status_code in (401, 403)


def test_notification_api(django_assert_max_num_queries):
    user = make_user("institution")
    notes = _notes(user, 3)
    _notes(make_user("sme"), 2)
    client = APIClient()
    client.force_authenticate(user)
    with django_assert_max_num_queries(6):
        listing = client.get("/api/notifications/").json()
    assert listing["count"] == 3
    assert client.get("/api/notifications/unread-count/").json() == {"count": 3}
    assert client.post(f"/api/notifications/{notes[0].pk}/read/").json()["unread"] is False
    assert client.get("/api/notifications/?unread=true").json()["count"] == 2
    assert client.post("/api/notifications/read-all/").json() == {"count": 2}
    assert client.get("/api/notifications/unread-count/").json() == {"count": 0}


# --- A real worker --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_email_task_runs_on_a_real_worker(celery_worker):
    ensure_reference_data()
    owner_user, patent = institution_with_patent()
    sme_user = make_user("sme")
    with transaction.atomic():
        inquiry_create(by=sme_user, patent=patent, body="工人进程测试")
    note = Notification.objects.get(user=owner_user)
    deadline = time.monotonic() + 30
    while note.emailed_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        note.refresh_from_db()
    assert note.emailed_at is not None, "the worker did not send the e-mail copy"
    # The worker sent it, not this process (whose outbox stays empty).
    assert mail.outbox == []


@pytest.mark.django_db
def test_unread_count_badge_in_navbar(client):
    from matching.models import Notification
    from tests.portal.factories import make_user as portal_make_user

    user = portal_make_user("sme")
    client.force_login(user)
    assert 'id="nav-unread-count"' not in client.get("/").text
    Notification.objects.create(user=user, kind="system", title="测试通知")
    assert 'id="nav-unread-count"' in client.get("/").text
