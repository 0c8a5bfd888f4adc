"""The clean-up pages of the admin, through the test client."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cleanup.models import CleanupRun, FrozenReportChange
from demands.models import Demand
from patents.models import Patent
from portal.models import Organization, OrganizationAlias
from reports.models import AnnualReport
from tests.demands.factories import DemandFactory
from tests.finance.factories import DealFactory, sme
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin"))
    return client


def test_checks_page_lists_every_check_and_the_duplicates(admin_client):
    keep = sme(name="重复的煤机公司")
    sme(name="重复的 煤机公司")
    response = admin_client.get(reverse("admin:cleanup_qualitycount_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("duplicate_organizations", "organizations_without_district", "amount_outliers"):
        assert f'id="check-{code}"' in html
    assert "admin/portal/organization/?data_quality=duplicate_organizations" in html
    assert f"keep={keep.pk}" in html


def test_merge_page_previews_then_merges(admin_client):
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    DemandFactory(organization=drop)
    url = reverse("admin:cleanup_merge")
    preview = admin_client.get(url, {"keep": keep.pk, "drop": drop.credit_code})
    assert preview.status_code == 200
    assert "demands.Demand.organization" in preview.content.decode()
    assert Organization.objects.filter(pk=drop.pk).exists()
    done = admin_client.post(url, {"keep": keep.pk, "drop": drop.pk, "merge": "1"})
    run = CleanupRun.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "admin:cleanup_cleanuprun_change", args=[run.pk]
    )
    assert Demand.objects.get().organization == keep
    assert OrganizationAlias.objects.get().credit_code == drop.credit_code
    page = admin_client.get(done["Location"])
    assert page.status_code == 200


def test_merge_page_shows_conflicts_and_refuses(admin_client):
    keep, drop = sme(name="保留公司"), sme(name="重复公司")
    keep.year_stats.create(year=2023, revenue=Decimal(1_000_000), employees=10)
    drop.year_stats.create(year=2023, revenue=Decimal(2_000_000), employees=10)
    response = admin_client.post(
        reverse("admin:cleanup_merge"), {"keep": keep.pk, "drop": drop.pk, "merge": "1"}
    )
    assert response.status_code == 200
    assert 'id="merge-conflicts"' in response.content.decode()
    assert Organization.objects.filter(pk=drop.pk).exists()


def test_set_district_action_preview_then_second_confirmation_for_a_frozen_year(admin_client):
    buyer = sme(name="缺旗区企业有限公司", region=None)
    DealFactory(buyer=buyer, contract_date=dt.date(2023, 5, 1))
    now = timezone.now()
    report = AnnualReport.objects.create(
        year=2023, status=AnnualReport.Status.APPROVED, generated_at=now, approved_at=now
    )
    changelist = reverse("admin:portal_organization_changelist")
    form = {"action": "set_district", "_selected_action": [buyer.pk]}
    preview = admin_client.post(changelist, form)
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="impact-table"' in html and 'id="frozen-warning"' in html
    assert Organization.objects.get(pk=buyer.pk).region_id is None

    refused = admin_client.post(changelist, {**form, "apply": "1"})
    assert refused.status_code == 200 and 'id="fix-refused"' in refused.content.decode()
    assert Organization.objects.get(pk=buyer.pk).region_id is None

    done = admin_client.post(changelist, {**form, "apply": "1", "confirm_frozen": "1"})
    assert done.status_code == 302
    assert Organization.objects.get(pk=buyer.pk).region_id == "150602"
    assert FrozenReportChange.objects.get().report == report
    report_page = admin_client.get(reverse("admin:reports_annualreport_change", args=[report.pk]))
    assert "审定后经数据清理确认的变更" in report_page.content.decode()


def test_withdraw_action_and_undo_from_the_records(admin_client):
    lapsed = PatentFactory(published=True, legal_status=Patent.LegalStatus.LAPSED)
    changelist = reverse("admin:patents_patent_changelist")
    done = admin_client.post(
        changelist, {"action": "withdraw_not_in_force", "_selected_action": [lapsed.pk], "apply": "1"}
    )
    assert done.status_code == 302
    assert Patent.objects.get(pk=lapsed.pk).listing_status == Patent.ListingStatus.WITHDRAWN
    run = CleanupRun.objects.get()
    undo = admin_client.post(
        reverse("admin:cleanup_cleanuprun_changelist"),
        {"action": "revert_selected", "_selected_action": [run.pk], "apply": "1"},
    )
    assert undo.status_code == 302
    assert Patent.objects.get(pk=lapsed.pk).listing_status == Patent.ListingStatus.PUBLISHED


def test_pages_are_for_superusers_only(client):
    client.force_login(make_user("bureau"))
    for url in (reverse("admin:cleanup_qualitycount_changelist"), reverse("admin:cleanup_merge")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
