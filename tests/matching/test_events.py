"""Roadshows and matchmaking events: who creates and edits them, registration, outcomes, the
public calendar, the KPI count and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from matching import selectors
from matching.models import Event, EventRegistration
from matching.services.events import (
    event_create,
    event_record_outcome,
    event_register,
    event_unregister,
    event_update,
)
from portal.errors import ApplicationError
from portal.permissions import actor_for

from .factories import DemandFactory, EventFactory, OrganizationFactory, make_patent, make_user, region

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def org(user):
    return user.membership.organization


def event_fields(**overrides):
    fields = {
        "title": "农牧业专利技术路演（杭锦旗站）",
        "kind": Event.Kind.ROADSHOW,
        "date": TODAY() + dt.timedelta(days=14),
        "venue": "杭锦旗政务服务中心",
        "district": region("150625"),
        "park": "",
        "organizer": "鄂尔多斯市市场监督管理局（知识产权局）",
        "description": "推介农牧业领域专利。",
    }
    fields.update(overrides)
    return fields


# --- Managing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "district_officer", "admin"])
def test_staff_create_events_with_patents_and_demands(role):
    patent, demand = make_patent(), DemandFactory()
    # A district officer manages the events of their own district (event_fields: 杭锦旗 150625).
    user = make_user(role, district="150625")
    event = event_create(actor=actor_for(user), patents=[patent], demands=[demand], **event_fields())
    assert list(event.patents.all()) == [patent]
    assert list(event.demands.all()) == [demand]


@pytest.mark.parametrize("role", ["sme", "institution", "agency", "bank", "none"])
def test_others_cannot_create_or_edit_events(role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        event_create(actor=actor_for(user), **event_fields())
    event = EventFactory()
    with pytest.raises(PermissionDenied):
        event_update(event=event, actor=actor_for(user), title="改个名")
    with pytest.raises(PermissionDenied):
        event_record_outcome(event=event, actor=actor_for(user), intentions_signed=3)


def test_only_published_patents_and_open_demands_are_newly_attached():
    staff = make_user("bureau")
    with pytest.raises(ApplicationError, match="只能推介已挂牌的专利"):
        event_create(actor=actor_for(staff), patents=[make_patent(published=False)], **event_fields())
    with pytest.raises(ApplicationError, match="只能对接征集中的需求"):
        event_create(actor=actor_for(staff), demands=[DemandFactory(status="closed")], **event_fields())
    # A patent withdrawn after being presented stays on the event when it is edited.
    patent = make_patent()
    event = event_create(actor=actor_for(staff), patents=[patent], **event_fields())
    patent.listing_status = "withdrawn"
    patent.save()
    event_update(event=event, actor=actor_for(staff), patents=[patent], title="改名")
    assert list(event.patents.all()) == [patent]


def test_create_and_edit_pages(client):
    patent, demand = make_patent(), DemandFactory()
    client.force_login(make_user("bureau"))
    data = {
        "title": "乳业供需对接会",
        "kind": "matchmaking",
        "date": (TODAY() + dt.timedelta(days=7)).isoformat(),
        "venue": "伊金霍洛旗会展中心",
        "district": "150627",
        "park": "",
        "organizer": "市知识产权局",
        "description": "",
        "industries": [],
        "patent_numbers": f"{patent.application_no}\nCN{patent.application_no.replace('.', '')}",
        "demand_codes": demand.code.lower(),
    }
    response = client.post(reverse("matching:event-create"), data)
    event = Event.objects.get()
    assert response["Location"] == reverse("matching:event-detail", args=[event.pk])
    assert list(event.patents.all()) == [patent] and list(event.demands.all()) == [demand]

    data.update(title="乳业供需对接会（改期）", patent_numbers="202199999999.1")
    page = client.post(reverse("matching:event-edit", args=[event.pk]), data).content.decode()
    assert "202199999999.1" in page  # the invalid or unknown number is reported
    event.refresh_from_db()
    assert event.title == "乳业供需对接会"


def test_create_page_forbidden_to_smes(client):
    client.force_login(make_user("sme"))
    assert client.get(reverse("matching:event-create")).status_code == 403
    assert client.post(reverse("matching:event-create"), {"title": "x"}).status_code == 403
    assert not Event.objects.exists()


# --- Registration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sme", "institution", "agency"])
def test_members_register_their_own_organization_once(role):
    user = make_user(role)
    event = EventFactory()
    registration = event_register(event=event, actor=actor_for(user))
    assert registration.organization == org(user)
    with pytest.raises(ApplicationError, match="已报名该活动"):
        event_register(event=event, actor=actor_for(make_user(role, organization=org(user))))
    event_unregister(event=event, actor=actor_for(user))
    assert not event.registrations.exists()


def test_members_cannot_register_other_organizations_or_past_events():
    user = make_user("sme")
    with pytest.raises(PermissionDenied):
        event_register(event=EventFactory(), actor=actor_for(user), organization=OrganizationFactory())
    past = EventFactory(date=TODAY() - dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="报名已截止"):
        event_register(event=past, actor=actor_for(user))
    with pytest.raises(PermissionDenied, match="不能在线报名"):
        event_register(event=EventFactory(), actor=actor_for(make_user("bank")))


def test_staff_register_any_organization_even_afterwards(client):
    staff = make_user("bureau")
    sme = OrganizationFactory()
    past = EventFactory(date=TODAY() - dt.timedelta(days=3))
    event_register(event=past, actor=actor_for(staff), organization=sme)
    assert past.registrations.get().organization == sme

    event = EventFactory()
    client.force_login(staff)
    client.post(reverse("matching:event-register", args=[event.pk]), {"credit_code": sme.credit_code.lower()})
    assert event.registrations.get().organization == sme
    response = client.post(
        reverse("matching:event-register", args=[event.pk]),
        {"credit_code": "91150602MA0000000X"},
        follow=True,
    )
    assert "校验位错误" in response.content.decode() or "没有统一社会信用代码" in response.content.decode()


def test_sme_registers_on_the_page_and_registrations_are_visible_to_staff_only(client):
    event = EventFactory()
    user = make_user("sme")
    client.force_login(user)
    page = client.get(reverse("matching:event-detail", args=[event.pk])).content.decode()
    assert 'id="register-button"' in page
    client.post(reverse("matching:event-register", args=[event.pk]))
    page = client.get(reverse("matching:event-detail", args=[event.pk])).content.decode()
    assert 'id="registered-badge"' in page

    other = make_user("institution")
    event_register(event=event, actor=actor_for(other))
    client.force_login(make_user("sme"))
    page = client.get(reverse("matching:event-detail", args=[event.pk])).content.decode()
    assert org(user).name not in page and org(other).name not in page
    client.force_login(make_user("bureau"))
    page = client.get(reverse("matching:event-detail", args=[event.pk])).content.decode()
    assert org(user).name in page and org(other).name in page


# --- Outcomes -------------------------------------------------------------------------------------


def test_outcomes_are_recorded_after_the_event():
    staff = make_user("bureau")
    upcoming = EventFactory()
    with pytest.raises(ApplicationError, match="举办后才能记录成效"):
        event_record_outcome(event=upcoming, actor=actor_for(staff), intentions_signed=2)
    held = EventFactory(date=TODAY() - dt.timedelta(days=2))
    event_record_outcome(
        event=held,
        actor=actor_for(staff),
        intentions_signed=4,
        outcome_notes="签约意向4项，其中1项已签许可合同 HT-9",
    )
    held.refresh_from_db()
    assert (held.intentions_signed, held.outcome_notes.startswith("签约意向4项")) == (4, True)
    with pytest.raises(ApplicationError, match="不能为负数"):
        event_record_outcome(event=held, actor=actor_for(staff), intentions_signed=-1)


def test_outcome_page_form(client):
    held = EventFactory(date=TODAY() - dt.timedelta(days=2))
    client.force_login(make_user("bureau"))
    client.post(
        reverse("matching:event-outcome", args=[held.pk]), {"intentions_signed": "5", "outcome_notes": "成效"}
    )
    held.refresh_from_db()
    assert held.intentions_signed == 5
    client.force_login(make_user("sme"))
    assert (
        client.post(reverse("matching:event-outcome", args=[held.pk]), {"intentions_signed": "9"}).status_code
        == 403
    )
    held.refresh_from_db()
    assert held.intentions_signed == 5


# --- Calendar and counts --------------------------------------------------------------------------


def test_public_calendar_groups_upcoming_by_month_and_lists_past(client, django_assert_max_num_queries):
    today = TODAY()
    soon = EventFactory(title="近期路演", date=today + dt.timedelta(days=1))
    later = EventFactory(title="下季度对接会", kind="matchmaking", date=today + dt.timedelta(days=95))
    past = EventFactory(title="去年的培训", kind="training", date=today - dt.timedelta(days=200))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("matching:event-list")).content.decode()
    assert soon.title in page and later.title in page and past.title not in page
    assert page.index(soon.title) < page.index(later.title)
    assert f'data-month="{soon.date:%Y-%m}"' in page and f'data-month="{later.date:%Y-%m}"' in page

    page = client.get(reverse("matching:event-list") + "?show=past").content.decode()
    assert past.title in page and soon.title not in page
    page = client.get(reverse("matching:event-list") + "?kind=matchmaking").content.decode()
    assert later.title in page and soon.title not in page


def test_calendar_empty_state(client):
    page = client.get(reverse("matching:event-list")).content.decode()
    assert 'id="empty-state"' in page


def test_detail_shows_only_visible_patents_to_the_public(client):
    published, draft = make_patent(), make_patent(published=False)
    event = EventFactory()
    event.patents.add(published, draft)
    page = client.get(reverse("matching:event-detail", args=[event.pk])).content.decode()
    assert published.title in page and draft.title not in page


def test_events_count_for_the_roadshow_kpi():
    EventFactory(date=dt.date(2023, 3, 1))
    EventFactory(date=dt.date(2023, 12, 31), district=region("150602"))  # 东胜区
    EventFactory(date=dt.date(2024, 1, 1))
    EventFactory(date=dt.date(2023, 6, 1), kind="matchmaking")
    start, end = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    assert selectors.events_count(kind="roadshow", date_from=start, date_to=end) == 2
    assert selectors.events_count(date_from=start, date_to=end) == 3
    assert selectors.events_count(kind="roadshow") == 3
    assert selectors.events_count(kind="roadshow", date_from=start, date_to=end, district_code="150621") == 1
    outcomes = selectors.event_outcomes(date_from=start, date_to=end)
    assert outcomes["by_kind"] == {"roadshow": 2, "matchmaking": 1, "training": 0, "bank_sme": 0}


# --- API ------------------------------------------------------------------------------------------


def test_event_api(django_assert_max_num_queries):
    patent, draft = make_patent(), make_patent(published=False)
    event = EventFactory()
    event.patents.add(patent, draft)
    EventFactory()
    with django_assert_max_num_queries(8):
        listing = APIClient().get("/api/events/").json()
    assert listing["count"] == 2
    detail = APIClient().get(f"/api/events/{event.pk}/").json()
    assert detail["patents"] == [patent.application_no]

    assert APIClient().post("/api/events/", {"title": "x"}, format="json").status_code in (401, 403)
    sme_client = APIClient()
    sme_user = make_user("sme")
    sme_client.force_authenticate(sme_user)
    payload = {
        "title": "API 路演",
        "kind": "roadshow",
        "date": (TODAY() + dt.timedelta(days=3)).isoformat(),
        "venue": "康巴什",
        "organizer": "市局",
        "district": "150603",
        "patents": [patent.application_no],
    }
    assert sme_client.post("/api/events/", payload, format="json").status_code == 403

    staff = APIClient()
    staff.force_authenticate(make_user("bureau"))
    created = staff.post("/api/events/", payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["patents"] == [patent.application_no]
    bad = staff.post("/api/events/", {**payload, "patents": [draft.application_no]}, format="json")
    assert bad.status_code == 400 and "只能推介已挂牌的专利" in bad.json()["detail"]

    registered = sme_client.post(f"/api/events/{pk}/register/", {}, format="json")
    assert registered.status_code == 201
    assert registered.json()["organization"]["id"] == org(sme_user).pk
    again = sme_client.post(f"/api/events/{pk}/register/", {}, format="json")
    assert again.status_code == 400 and "已报名" in again.json()["detail"]
    assert EventRegistration.objects.filter(event_id=pk).count() == 1
    outcome = staff.post(f"/api/events/{pk}/outcome/", {"intentions_signed": 2}, format="json")
    assert outcome.status_code == 400 and "举办后" in outcome.json()["detail"]


def test_event_form_and_api_look_references_up_the_same_way(client):
    """One look-up per code (patents.selectors, demands.selectors, portal.selectors): the page and
    the API accept the same references and name the same unknown ones."""
    patent, demand = make_patent(), DemandFactory()
    staff_user = make_user("bureau")
    client.force_login(staff_user)
    api = APIClient()
    api.force_authenticate(staff_user)
    form = {
        "title": "对接会",
        "kind": "matchmaking",
        "date": (TODAY() + dt.timedelta(days=7)).isoformat(),
        "venue": "康巴什",
        "organizer": "市局",
        "patent_numbers": f"{patent.application_no}；202199999999.1",
        "demand_codes": f"{demand.code.lower()} D2099-9999",
    }
    page = client.post(reverse("matching:event-create"), form).content.decode()
    payload = {
        **{k: form[k] for k in ("title", "kind", "date", "venue", "organizer")},
        "patents": [patent.application_no, "202199999999.1"],
        "demands": [demand.code.lower(), "D2099-9999"],
        "industries": ["nope"],
        "district": "150699",
    }
    errors = api.post("/api/events/", payload, format="json").json()["errors"]
    assert not Event.objects.exists()
    for field, unknown in (("patents", "202199999999.1"), ("demands", "D2099-9999")):
        assert unknown in page and unknown in errors[field][0]
    assert "未知的产业代码：nope" in errors["industries"][0]
    assert "未知的旗区代码：150699" in errors["district"][0]

    pk = api.post(
        "/api/events/",
        {**payload, "patents": [], "demands": [demand.code.lower()], "industries": [], "district": ""},
        format="json",
    ).json()["id"]
    sme = OrganizationFactory()
    registered = api.post(
        f"/api/events/{pk}/register/", {"credit_code": sme.credit_code.lower()}, format="json"
    )
    assert registered.status_code == 201 and registered.json()["organization"]["id"] == sme.pk
    unknown = api.post(f"/api/events/{pk}/register/", {"credit_code": "91150602MA0000000X"}, format="json")
    assert unknown.status_code == 400 and "credit_code" in unknown.json()["errors"]
