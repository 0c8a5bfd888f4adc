"""The workbench: the landing page after login, its counts per role, and what it costs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from finance.models import Pledge, add_months
from matching.models import Inquiry
from patents.models import Patent
from portal.models import ImportJob
from portal.permissions import actor_for
from reports.models import AnnualReport
from reports.workbench import workbench_for
from tests.demands.factories import DemandFactory
from tests.finance.factories import PledgeFactory
from tests.matching.factories import MatchFactory
from tests.patents.factories import PatentFactory, agency_for, industry, institution_user
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


def _counts(user) -> dict:
    workbench = workbench_for(actor=actor_for(user))
    return {item.key: item.count for item in (*workbench.items, *workbench.figures)}


def test_login_lands_on_the_workbench(client):
    user = make_user("sme", password="Secret-pass-123")
    response = client.post(
        reverse("portal:login"), {"username": user.username, "password": "Secret-pass-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")


def test_add_months_clamps_to_the_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 11, 15), 14) == dt.date(2025, 1, 15)


def test_sme_counts_recommendations_replies_expiring_demands_and_open_licences():
    today = timezone.localdate()
    demand = DemandFactory(deadline=today + dt.timedelta(days=5))
    DemandFactory(organization=demand.organization)  # deadline in 90 days: not expiring
    user = make_user("sme", organization=demand.organization)
    demand.organization.industries.set([industry("coal")])
    match = MatchFactory(demand=demand)
    MatchFactory(demand=demand, patent=PatentFactory())  # a draft patent is never proposed
    Inquiry.objects.create(
        patent=match.patent, organization=demand.organization, subject="咨询", status=Inquiry.Status.REPLIED
    )
    PatentFactory(published=True, open_license=True, industries=[industry("coal")])
    PatentFactory(published=True, open_license=True, industries=[industry("dairy")])
    PatentFactory(open_license=True, industries=[industry("coal")])  # not published

    counts = _counts(user)

    assert counts == {"new-matches": 1, "replies": 1, "expiring-demands": 1, "open-licenses": 1}


def test_institution_and_its_agency_see_what_waits_on_its_listings():
    owner_user = institution_user()
    owner = owner_user.membership.organization
    today = timezone.localdate()
    PatentFactory(owner=owner, listing_status=Patent.ListingStatus.SUBMITTED)
    PatentFactory(owner=owner, review_note="请补充摘要")  # sent back
    PatentFactory(owner=owner)  # a plain draft
    expiring = PatentFactory(owner=owner, published=True)
    Patent.objects.filter(pk=expiring.pk).update(listed_until=today + dt.timedelta(days=10))
    PatentFactory(owner=owner, published=True)  # a year to go
    Inquiry.objects.create(patent=expiring, organization=DemandFactory().organization, subject="咨询")
    PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)  # someone else's

    expected = {"to-answer": 1, "submitted": 1, "returned": 1, "expiring-listings": 1}
    assert _counts(owner_user) == expected
    agency = _counts(agency_for(owner))
    assert agency == {**expected, "review": 1, "unserved": 1}  # the inquirer's demand has no match


def test_bank_counts_its_pledges_due_and_its_imports():
    user = make_user("bank")
    lender = user.membership.organization
    today = timezone.localdate()
    PledgeFactory(
        lender=lender, registration_date=add_months(today, -12) + dt.timedelta(days=20), term_months=12
    )
    PledgeFactory(lender=lender, registration_date=add_months(today, -13), term_months=12)  # overdue
    PledgeFactory(lender=lender, registration_date=today, term_months=12)  # a year to go
    PledgeFactory(
        lender=lender,
        registration_date=add_months(today, -13),
        term_months=12,
        status=Pledge.Status.RELEASED,
    )
    PledgeFactory(registration_date=add_months(today, -13), term_months=12)  # another bank's
    ImportJob.objects.create(kind="pledges", original_name="a.csv", organization=lender, status="invalid")
    ImportJob.objects.create(kind="pledges", original_name="b.csv", organization=lender, status="ready")
    ImportJob.objects.create(kind="pledges", original_name="c.csv", status="invalid")  # not its own

    assert _counts(user) == {"pledges-due": 2, "import-errors": 1, "import-ready": 1}


def test_bureau_sees_queues_and_reports(settings):
    user = make_user("bureau")
    PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)
    DemandFactory()  # open, nothing recommended
    ImportJob.objects.create(kind="patents", original_name="a.csv", status="failed")
    year = timezone.localdate().year
    AnnualReport.objects.create(year=year - 2, status=AnnualReport.Status.READY)

    counts = _counts(user)

    assert counts["review"] == 1
    assert counts["unserved"] == 1
    assert counts["import-errors"] == 1
    assert counts["reports-awaiting"] == 1
    assert counts["reports-due"] == 1
    AnnualReport.objects.create(year=year - 1)
    assert _counts(user)["reports-due"] == 0


def test_district_officer_sees_its_year_so_far():
    user = make_user("district_officer")
    counts = _counts(user)
    assert {"review", "organizations", "unserved", "import-errors", "pledges", "sme-deals"} <= set(counts)


def test_user_without_an_organization_gets_an_empty_workbench(client):
    client.force_login(make_user("none"))
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200 and 'id="workbench-empty"' in response.text


@pytest.mark.parametrize(
    "role", ["sme", "institution", "agency", "bank", "insurer", "district_officer", "bureau", "admin"]
)
def test_workbench_page_costs_a_constant_number_of_queries(client, django_assert_max_num_queries, role):
    user = make_user(role)
    for _ in range(3):
        PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)
        DemandFactory()
    client.force_login(user)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    assert 'id="workbench-title"' in response.text
    # Every item is a link that answers.
    for item in workbench_for(actor=actor_for(user)).items:
        assert client.get(item.url).status_code == 200, item.url
