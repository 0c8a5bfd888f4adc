"""A reviewer's decision on a listing reaches its owner side as an in-app notification."""

import pytest
from django.urls import reverse

from matching.models import Notification
from patents.models import Patent
from tests.patents.factories import PatentFactory, agency_for, institution_user
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    return PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)


def test_approval_notifies_the_owner_and_its_agency(client, submitted):
    member = institution_user(submitted.owner)
    agency = agency_for(submitted.owner)
    reviewer = make_user("bureau")
    client.force_login(reviewer)
    url = reverse("patents:review-decide", kwargs={"application_no": submitted.application_no})
    client.post(url, {"decision": "approve"})

    submitted.refresh_from_db()
    assert submitted.listing_status == Patent.ListingStatus.PUBLISHED
    notes = Notification.objects.filter(kind="status")
    assert {n.user for n in notes} == {member, agency}
    assert all(submitted.title in n.title and n.url.endswith(f"/{submitted.application_no}/") for n in notes)
    assert not Notification.objects.filter(user=reviewer).exists()


def test_rejection_tells_the_note(client, submitted):
    member = institution_user(submitted.owner)
    client.force_login(make_user("bureau"))
    url = reverse("patents:review-decide", kwargs={"application_no": submitted.application_no})
    client.post(url, {"decision": "reject", "note": "摘要不完整"})

    note = Notification.objects.get(user=member)
    assert "退回" in note.title and "摘要不完整" in note.body


def test_a_refused_decision_notifies_no_one(client, submitted):
    institution_user(submitted.owner)
    client.force_login(make_user("sme"))
    url = reverse("patents:review-decide", kwargs={"application_no": submitted.application_no})
    client.post(url, {"decision": "approve"})
    assert not Notification.objects.exists()
    submitted.refresh_from_db()
    assert submitted.listing_status == Patent.ListingStatus.SUBMITTED


def test_withdrawing_a_listing_asks_first(client):
    patent = PatentFactory(published=True)
    client.force_login(institution_user(patent.owner))
    url = reverse("patents:withdraw", kwargs={"application_no": patent.application_no})
    response = client.post(url, {"next": "/patents/mine/"})
    assert response.status_code == 200 and 'id="confirm-page"' in response.text
    patent.refresh_from_db()
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED
    response = client.post(url, {"next": "/patents/mine/", "confirmed": "1"})
    patent.refresh_from_db()
    assert response.status_code == 302 and patent.listing_status == Patent.ListingStatus.WITHDRAWN


def test_someone_who_may_not_withdraw_is_refused_not_asked(client):
    patent = PatentFactory(published=True)
    client.force_login(make_user("sme"))
    url = reverse("patents:withdraw", kwargs={"application_no": patent.application_no})
    response = client.post(url)
    assert 'id="confirm-page"' not in response.text
    patent.refresh_from_db()
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED
