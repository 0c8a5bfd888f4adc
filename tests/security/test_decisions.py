"""Issue 14, item 8: the decisions taken (README, "Security"), each held by a test."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from matching.services.events import event_create, event_record_outcome, event_update
from portal.permissions import actor_for, system_actor
from portal.validators import validate_report_document, validate_visible_text
from tests.matching.factories import EventFactory, region
from tests.portal.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "title", ["\u200b\u200b", " \u2060 ", "\ufeff", "一种装置\u202eexe.pdf", "\u2066x\u2069"]
)
def test_invisible_or_reordering_titles_are_refused(title):
    with pytest.raises(ValidationError):
        validate_visible_text(title)


@pytest.mark.parametrize("title", ["一种装置", "Ein Gerät", "جهاز", "设备（改进型）👍", "a\u200db"])
def test_ordinary_titles_in_any_script_pass(title):
    validate_visible_text(title)


def test_the_patent_form_path_refuses_a_zero_width_title():
    from patents.services import patent_create
    from tests.patents.factories import InstitutionFactory, app_no

    with pytest.raises(ValidationError) as info:
        patent_create(
            actor=system_actor(), owner=InstitutionFactory(), application_no=app_no(1), title="\u200b\u200c"
        )
    assert "title" in info.value.message_dict


def test_a_district_officer_manages_only_their_district_s_events():
    officer = make_user("district_officer", district="150622")
    staff = make_user("bureau")
    theirs = EventFactory(district=region("150622"), created_by=staff)
    other = EventFactory(district=region("150625"), created_by=staff)
    city_wide = EventFactory(district=None, created_by=staff)
    event_update(event=theirs, actor=actor_for(officer), title="本旗区活动")
    for event in (other, city_wide):
        with pytest.raises(PermissionDenied):
            event_update(event=event, actor=actor_for(officer), title="改别人的活动")
        with pytest.raises(PermissionDenied):
            event_record_outcome(event=event, actor=actor_for(officer), intentions_signed=1)
    with pytest.raises(PermissionDenied):
        event_update(event=theirs, actor=actor_for(officer), district=region("150625"))  # nor move one away
    with pytest.raises(PermissionDenied):
        event_create(
            actor=actor_for(officer),
            title="x",
            kind="roadshow",
            date=dt.date.today(),
            venue="v",
            district=region("150625"),
            organizer="o",
        )
    event_update(event=other, actor=actor_for(staff), title="市局可以")


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("report.pdf", b"%PDF-1.7 ...", True),
        ("report.docx", b"PK\x03\x04....", True),
        ("report.html", b"<html><script>alert(1)</script>", False),
        ("report.svg", b"<svg onload=alert(1)>", False),
        ("report.pdf", b"<svg onload=alert(1)>", False),
    ],
)
def test_navigation_reports_are_pdf_or_office_documents(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        validate_report_document(upload)
    else:
        with pytest.raises(ValidationError):
            validate_report_document(upload)


def test_behind_a_proxy_the_lockout_keys_on_the_forwarded_client_address(settings):
    """One attacker's failures lock the user out from the attacker's address only, whatever
    they put on the left of X-Forwarded-For; the user, behind the same proxy, still logs in."""
    settings.PORTAL_TRUSTED_PROXIES = 1
    user = make_user("sme")
    proxy = "10.9.9.9"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 6.6.6.6")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": user.username, "password": "wrong-pass-1"})
    assert (
        attacker.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code
        == 429
    )
    spoofed = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="7.7.7.7, 6.6.6.6")
    assert (
        spoofed.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    )
    victim = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="7.7.7.7")
    assert (
        victim.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    user = make_user("sme")
    for n in range(5):  # a new forged address every time does not escape the lockout
        Client(REMOTE_ADDR="5.5.5.5", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}").post(
            "/accounts/login/", {"username": user.username, "password": "wrong-pass-1"}
        )
    locked = Client(REMOTE_ADDR="5.5.5.5", HTTP_X_FORWARDED_FOR="9.9.9.99")
    assert (
        locked.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 429
    )


@pytest.mark.parametrize(
    ("contract_date", "status"), [("1900-01-01", 400), ("1985-03-31", 400), ("1985-04-01", 201)]
)
def test_finance_records_cannot_predate_the_patent_law(contract_date, status):
    from rest_framework.test import APIClient

    from finance.models import Deal
    from tests.finance.factories import InstitutionFactory, PatentFactory, sme
    from tests.finance.test_api import deal_payload

    api = APIClient()
    api.force_authenticate(make_user("bureau"))
    seller, buyer = InstitutionFactory(), sme()
    payload = deal_payload(seller, buyer, PatentFactory(owner=seller), contract_date=contract_date)
    response = api.post("/api/finance/deals/", payload, format="json")
    assert response.status_code == status, response.data
    assert Deal.objects.exists() == (status == 201)
    if status == 400:
        assert "1985-04-01" in str(response.data)
