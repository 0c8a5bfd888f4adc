"""银企对接 (issue 16, item 7): banks see the granted, in-force, unpledged patents of SMEs that
opted in at a bank-enterprise event, and record a pledge from there."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from finance import selectors
from finance.models import Pledge
from matching.models import Event, EventRegistration
from matching.services import events as event_services
from patents.models import Patent
from portal.errors import ApplicationError
from portal.permissions import actor_for
from tests.finance.factories import PatentFactory, PledgeFactory, make_user, sme
from tests.matching.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def opted_in():
    """An SME registered at a bank-enterprise event with consent, and its patents of every kind."""
    sme_user = make_user("sme")
    org = sme_user.membership.organization
    event = EventFactory(kind=Event.Kind.BANK_SME)
    event_services.event_register(event=event, actor=actor_for(sme_user), shares_with_banks=True)
    today = timezone.localdate()
    patents = {
        "good": PatentFactory(owner=org, title="可质押专利"),
        "pending": PatentFactory(owner=org, legal_status=Patent.LegalStatus.PENDING, grant_date=None),
        "lapsed": PatentFactory(owner=org, legal_status=Patent.LegalStatus.LAPSED),
        "expired": PatentFactory(
            owner=org, application_date=dt.date(2001, 1, 1), grant_date=dt.date(2003, 1, 1)
        ),
        "pledged": PatentFactory(owner=org),
        "defaulted": PatentFactory(owner=org),
        "released": PatentFactory(owner=org),
    }
    PledgeFactory(borrower=org, patents=[patents["pledged"]])
    PledgeFactory(borrower=org, patents=[patents["defaulted"]], status=Pledge.Status.DEFAULTED)
    PledgeFactory(borrower=org, patents=[patents["released"]], status=Pledge.Status.RELEASED)
    assert patents["expired"].expiry_date < today
    return sme_user, org, event, patents


def test_candidates_exclude_pledged_expired_and_not_granted_patents(opted_in):
    _user, org, _event, patents = opted_in
    found = set(selectors.pledge_candidates(owner_ids=[org.pk]))
    assert found == {patents["good"], patents["released"]}
    bank = actor_for(make_user("bank"))
    assert selectors.pledge_candidate_groups(actor=bank) == [
        (org, [p for p in selectors.pledge_candidates(owner_ids=[org.pk])])
    ]


def test_only_consenting_smes_of_bank_enterprise_events_are_shown(opted_in):
    sme_user, org, event, _patents = opted_in
    bank = actor_for(make_user("bank"))
    other = make_user("sme")
    roadshow = EventFactory()  # not a bank-enterprise event: no consent can be given there
    registration = event_services.event_register(event=roadshow, actor=actor_for(other))
    with pytest.raises(ApplicationError):
        event_services.event_registration_share_with_banks(
            registration=registration, actor=actor_for(other), shares=True
        )
    silent = make_user("sme")
    event_services.event_register(event=event, actor=actor_for(silent))  # registered without consent
    assert [o for o, _ in selectors.pledge_candidate_groups(actor=bank)] == [org]
    # Someone else cannot consent for the SME; the SME withdraws at any time.
    own = EventRegistration.objects.get(event=event, organization=org)
    with pytest.raises(PermissionDenied):
        event_services.event_registration_share_with_banks(
            registration=own, actor=actor_for(other), shares=False
        )
    event_services.event_registration_share_with_banks(
        registration=own, actor=actor_for(sme_user), shares=False
    )
    assert selectors.pledge_candidate_groups(actor=bank) == []


def test_consent_lapses_after_the_event_and_with_a_cancelled_event(opted_in):
    _user, org, event, _patents = opted_in
    assert list(selectors.consenting_borrowers()) == [org]
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert list(selectors.consenting_borrowers()) == []
    Event.objects.filter(pk=event.pk).update(
        status=Event.Status.HELD,
        date=timezone.localdate() - dt.timedelta(days=selectors.CANDIDATE_CONSENT_DAYS + 1),
    )
    assert list(selectors.consenting_borrowers()) == []


def test_only_banks_and_city_staff_see_candidates(client, opted_in):
    url = reverse("finance:pledge-candidates")
    for role in ("sme", "institution", "insurer", "district_officer"):
        client.force_login(make_user(role))
        assert client.get(url).status_code == 403
    client.force_login(make_user("bureau"))
    assert "可质押专利" in client.get(url).content.decode()
    _user, org, _event, _patents = opted_in
    # Not a bank: no pledge form; an SME that did not consent: 404 even for a bank.
    assert client.get(reverse("finance:pledge-candidate-create", args=[org.pk])).status_code == 403
    client.force_login(make_user("bank"))
    assert client.get(reverse("finance:pledge-candidate-create", args=[sme().pk])).status_code == 404


def test_a_bank_records_a_pledge_from_the_candidates(client, opted_in):
    _user, org, _event, patents = opted_in
    bank_user = make_user("bank")
    client.force_login(bank_user)
    page = client.get(reverse("finance:pledge-candidates")).content.decode()
    assert patents["good"].application_no in page and patents["pledged"].application_no not in page
    url = reverse("finance:pledge-candidate-create", args=[org.pk])
    data = {
        "registration_no": "Y2026000123",
        "registration_date": timezone.localdate().isoformat(),
        "status": "active",
        "patents": [patents["good"].pk],
        "amount": "3000000.00",
        "term_months": 12,
    }
    # A patent that is not a candidate is refused by the form.
    response = client.post(url, {**data, "patents": [patents["pledged"].pk]})
    assert response.status_code == 200 and not Pledge.objects.filter(registration_no="Y2026000123").exists()
    response = client.post(url, data)
    pledge = Pledge.objects.get(registration_no="Y2026000123")
    assert response.status_code == 302
    assert pledge.borrower == org and pledge.lender == bank_user.membership.organization
    assert list(pledge.patents.all()) == [patents["good"]]
    assert patents["good"] not in selectors.pledge_candidates(owner_ids=[org.pk])


def test_candidates_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    bank_user = make_user("bank")
    client.force_login(bank_user)
    for _ in range(3):
        user = make_user("sme")
        event_services.event_register(
            event=EventFactory(kind=Event.Kind.BANK_SME), actor=actor_for(user), shares_with_banks=True
        )
        PatentFactory(owner=user.membership.organization)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("finance:pledge-candidates"))
    assert response.content.decode().count("data-borrower=") == 3
