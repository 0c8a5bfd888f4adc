"""Bulk fixes with their KPI impact preview, the second confirmation for frozen years, history
with the acting user, undo; the weekly summary e-mail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cleanup.impact import FrozenConfirmationRequired
from cleanup.models import CleanupRun, FrozenReportChange, QualityCount
from cleanup.services import (
    cleanup_run_revert,
    data_quality_notify,
    organizations_set_district,
    patents_set_industry_from_ipc,
    patents_withdraw_not_in_force,
)
from patents.models import Patent
from portal.models import Organization, OrganizationChange
from portal.permissions import actor_for, system_actor
from reports.models import AnnualReport
from tests.finance.factories import DealFactory, sme
from tests.patents.factories import PatentFactory, industry
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


def frozen_report(year: int) -> AnnualReport:
    now = timezone.now()
    return AnnualReport.objects.create(
        year=year, status=AnnualReport.Status.APPROVED, generated_at=now, approved_at=now
    )


@pytest.fixture
def sme_without_district():
    buyer = sme(name="缺旗区企业有限公司", region=None)  # credit code issued in 东胜区 (150602)
    DealFactory(buyer=buyer, contract_date=dt.date(2023, 5, 1), contract_amount=Decimal(200_000))
    return buyer


def test_impact_preview_lists_the_figures_that_change_and_writes_nothing(sme_without_district):
    outcome = organizations_set_district(
        organization_ids=[sme_without_district.pk], actor=system_actor(), dry_run=True
    )
    assert not outcome.applied
    assert Organization.objects.get(pk=sme_without_district.pk).region_id is None
    assert not OrganizationChange.objects.filter(organization=sme_without_district).exists()
    changes = {
        (c["scope"], c["year"], c["indicator"], c["value"]): (c["before"], c["after"]) for c in outcome.impact
    }
    assert changes[(None, 2023, "sme_acquisitions", "deals")] == ("0", "1")
    assert changes[("150602", 2023, "sme_acquisitions", "contract_amount")] == ("0.00", "200000.00")
    assert {c["year"] for c in outcome.impact} == {2023}
    assert outcome.frozen == []


def test_frozen_year_needs_a_second_confirmation_and_is_logged_on_the_report(sme_without_district):
    report = frozen_report(2023)
    frozen_report(2022)  # untouched by the fix
    admin = make_user("admin")
    with pytest.raises(FrozenConfirmationRequired) as refused:
        organizations_set_district(organization_ids=[sme_without_district.pk], actor=actor_for(admin))
    assert refused.value.outcome.frozen == [2023]
    assert Organization.objects.get(pk=sme_without_district.pk).region_id is None
    assert not CleanupRun.objects.exists()

    outcome = organizations_set_district(
        organization_ids=[sme_without_district.pk], actor=actor_for(admin), confirm_frozen=True
    )
    assert outcome.applied and Organization.objects.get(pk=sme_without_district.pk).region_id == "150602"
    logged = FrozenReportChange.objects.get()
    assert logged.report == report and logged.confirmed_by == admin and logged.run == outcome.run
    assert {c["year"] for c in logged.changes} == {2023}
    change = OrganizationChange.objects.get(organization=sme_without_district)
    assert change.changed_by == admin and change.region_after == "150602"


def test_set_district_is_recorded_and_reversible(sme_without_district):
    admin = make_user("admin")
    outcome = organizations_set_district(organization_ids=[sme_without_district.pk], actor=actor_for(admin))
    assert outcome.run.details["organizations"] == {
        str(sme_without_district.pk): {"region_before": None, "region_after": "150602"}
    }
    undo = cleanup_run_revert(run=outcome.run, actor=actor_for(admin))
    assert undo.applied and Organization.objects.get(pk=sme_without_district.pk).region_id is None
    assert {c["after"] for c in undo.impact if c["scope"] is None and c["value"] == "deals"} == {"0"}
    outcome.run.refresh_from_db()
    assert outcome.run.reverted_by == admin and not outcome.run.revertible


def test_withdraw_listings_not_in_force_with_history_and_undo():
    admin = make_user("admin")
    lapsed = PatentFactory(published=True, legal_status=Patent.LegalStatus.LAPSED)
    alive = PatentFactory(published=True)
    outcome = patents_withdraw_not_in_force(patent_ids=[lapsed.pk, alive.pk], actor=actor_for(admin))
    lapsed.refresh_from_db()
    alive.refresh_from_db()
    assert lapsed.listing_status == Patent.ListingStatus.WITHDRAWN
    assert alive.listing_status == Patent.ListingStatus.PUBLISHED  # in force: not touched
    assert lapsed.history.first().history_user == admin
    assert outcome.impact == []
    cleanup_run_revert(run=outcome.run, actor=actor_for(admin))
    lapsed.refresh_from_db()
    assert lapsed.listing_status == Patent.ListingStatus.PUBLISHED
    assert lapsed.history.first().history_user == admin


def test_industry_from_ipc_and_undo():
    admin = make_user("admin")
    coal_patent = PatentFactory(ipc_codes="E21D 23/00")
    dairy_patent = PatentFactory(ipc_codes="A23C 9/12")
    tagged = PatentFactory(ipc_codes="A23C 9/12", industries=[industry("coal")])
    outcome = patents_set_industry_from_ipc(
        patent_ids=[coal_patent.pk, dairy_patent.pk, tagged.pk], actor=actor_for(admin)
    )
    assert list(coal_patent.industries.values_list("code", flat=True)) == ["coal"]
    assert "dairy" in dairy_patent.industries.values_list("code", flat=True)
    assert list(tagged.industries.values_list("code", flat=True)) == ["coal"]  # had one: untouched
    assert coal_patent.history.first().history_user == admin
    cleanup_run_revert(run=outcome.run, actor=actor_for(admin))
    assert not coal_patent.industries.exists() and not dairy_patent.industries.exists()


def test_weekly_summary_mails_the_bureau_when_a_count_rises(django_capture_on_commit_callbacks):
    bureau = make_user("bureau", email="bureau@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        first = data_quality_notify()
    assert first["rose"] == [] and mail.outbox == []  # the first run only records
    assert QualityCount.objects.count() == 7
    PatentFactory(published=True, legal_status=Patent.LegalStatus.LAPSED)
    with django_capture_on_commit_callbacks(execute=True):
        second = data_quality_notify()
    assert "listed_but_not_in_force" in second["rose"]
    assert len(mail.outbox) == 1 and bureau.email in mail.outbox[0].to
    assert "listed_but_not_in_force" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        third = data_quality_notify()
    assert third["rose"] == [] and len(mail.outbox) == 1  # no rise, no mail
