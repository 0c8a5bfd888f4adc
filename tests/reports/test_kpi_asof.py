"""Organizations in time: every figure takes an organization's kind and district as of the
record's date (docs/kpi.md), so a reclassification or a move changes no figure of an earlier
year; a correction from the start does. Also the counting rules of issue 13 (terminated deals,
held events, enterprise navigation projects, the subsidy rule) on top of the hand-built data."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from matching.models import Event
from patents.models import NavigationProject
from portal.models import OrganizationChange, OrganizationPeriod
from portal.periods import organization_correct, organization_reclassify
from portal.permissions import system_actor
from reports import drilldowns, kpi
from reports.statistics import SHEETS
from tests.patents.factories import PatentFactory
from tests.reports.conftest import A, B, make_deal, org, pay, subsidy

pytestmark = pytest.mark.django_db

D = dt.date


def report_json(year: int, district: str | None = None) -> str:
    out = io.StringIO()
    args = ["kpi_report", "--year", str(year), "--format", "json"]
    if district:
        args += ["--district", district]
    call_command(*args, stdout=out)
    return out.getvalue()


def import_organizations(tmp_path, rows: list[list[str]], name="orgs.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_data", "organizations", str(path), stdout=out)
    return out.getvalue().strip()


def test_reimporting_a_reclassified_and_moved_sme_changes_no_figure_of_earlier_years(kpi_data, tmp_path):
    """sme_a1 (A) bought D1, D5, E1, D7 and borrowed PL1: re-imported as a large enterprise in B."""
    o = kpi_data
    before = {
        (year, district): report_json(year, district)
        for year in (2022, 2023, 2024)
        for district in (None, A, B)
    }
    header = ["credit_code", "name", "kind", "region_code"]
    row = [o.sme_a1.credit_code, o.sme_a1.name, "large_enterprise", B]
    assert import_organizations(tmp_path, [header, row]) == "created 0, updated 1, unchanged 0"
    o.sme_a1.refresh_from_db()
    assert (o.sme_a1.kind, o.sme_a1.region_id) == ("large_enterprise", B)
    after = {key: report_json(*key) for key in before}
    assert after == before  # byte for byte
    # Re-importing the same file changes nothing more.
    assert import_organizations(tmp_path, [header, row]) == "created 0, updated 0, unchanged 1"
    change = OrganizationChange.objects.get(organization=o.sme_a1)
    assert change.effective_from == timezone.localdate()  # the day of the import
    assert (change.kind_before, change.kind_after, change.region_before, change.region_after) == (
        "sme", "large_enterprise", A, B,
    )  # fmt: skip


def test_a_change_with_an_effective_date_splits_the_records(kpi_data, tmp_path):
    """From 2023-06-01 sme_a1 is in B: D1 (March) stays in A, D5 (July) moves to B."""
    o = kpi_data
    header = ["credit_code", "name", "kind", "region_code", "effective_from"]
    row = [o.sme_a1.credit_code, o.sme_a1.name, "sme", B, "2023-06-01"]
    assert import_organizations(tmp_path, [header, row]) == "created 0, updated 1, unchanged 0"
    periods = list(
        OrganizationPeriod.objects.filter(organization=o.sme_a1)
        .order_by("valid_to")
        .values_list("valid_from", "valid_to", "region_id")
    )
    assert sorted(periods, key=lambda p: p[0] or D(1, 1, 1)) == [
        (None, D(2023, 6, 1), A),
        (D(2023, 6, 1), None, B),
    ]
    a = kpi.kpi_report(year=2023, district=A)["indicators"]["sme_acquisitions"]["values"]
    b = kpi.kpi_report(year=2023, district=B)["indicators"]["sme_acquisitions"]["values"]
    assert a["deals"] == 1 and a["contract_amount"] == "100000.00"  # D1
    assert b["deals"] == 2 and b["contract_amount"] == "80000.50"  # D2 (sme_b1) and D5
    # The city figure does not depend on the district.
    city = kpi.kpi_report(year=2023)["indicators"]["sme_acquisitions"]["values"]
    assert city["deals"] == 3
    # D1's payments follow D1 (its contract date), whenever they arrive.
    assert a["received_amount"] == "120000.00"
    # The drill-down lists the same deals, with the district as of the record's date.
    drill = drilldowns.drilldown_get("sme_acquisitions.deals")
    assert [d.deal_no for d in drill.records(2023, B)] == ["D2", "D5"]
    # Grouped by district, the figures are those of one district at a time.
    rows = {row["code"]: row for row in kpi.kpi_districts(year=2023)}
    for code in (A, B):
        expected = kpi.kpi_report(year=2023, district=code)
        assert {key: rows[code][key] for key in expected} == expected


def test_an_sme_that_moved_during_the_year_benefits_in_both_districts_and_once_in_the_city(kpi_data):
    o = kpi_data
    organization_reclassify(
        actor=system_actor(), organization=o.sme_a1, region_id=B, effective_from=D(2023, 6, 1)
    )
    city = kpi.kpi_report(year=2023)["indicators"]["smes_benefited"]["values"]
    assert city == {"count": 3, "revenue": "1700000.50", "employees": 75}
    a = kpi.kpi_report(year=2023, district=A)["indicators"]["smes_benefited"]["values"]
    b = kpi.kpi_report(year=2023, district=B)["indicators"]["smes_benefited"]["values"]
    assert a["count"] == 2 and b["count"] == 2  # sme_a1 (D1, PL1 in A; D5 in B) in both
    rows = {row["code"]: row for row in kpi.kpi_districts(year=2023)}
    assert rows[A]["indicators"]["smes_benefited"]["values"] == a
    assert rows[B]["indicators"]["smes_benefited"]["values"] == b


def test_a_correction_from_the_start_changes_the_past(kpi_data):
    o = kpi_data
    before = kpi.kpi_report(year=2022)
    with pytest.raises(kpi.ApplicationError):
        organization_correct(
            actor=system_actor(), organization=o.sme_a1, kind="large_enterprise", reason="  "
        )
    organization_correct(
        actor=system_actor(), organization=o.sme_a1, kind="large_enterprise", reason="营业执照显示为大型企业"
    )
    after = kpi.kpi_report(year=2022)
    assert before["indicators"]["sme_acquisitions"]["values"]["deals"] == 2
    assert after["indicators"]["sme_acquisitions"]["values"]["deals"] == 1  # only E2 (sme_b1)
    assert list(
        OrganizationPeriod.objects.filter(organization=o.sme_a1).values_list("valid_from", "valid_to", "kind")
    ) == [(None, None, "large_enterprise")]
    change = OrganizationChange.objects.get(organization=o.sme_a1)
    assert change.action == "correction" and change.effective_from is None and change.reason


def test_a_plain_save_changes_from_today(kpi_data):
    """A save outside the services (admin form without a date, a script) applies from today."""
    o = kpi_data
    before = report_json(2023)
    o.sme_b1.kind = "large_enterprise"
    o.sme_b1.save()
    assert report_json(2023) == before
    current = OrganizationPeriod.objects.get(organization=o.sme_b1, valid_to__isnull=True)
    assert current.kind == "large_enterprise" and current.valid_from is not None


def test_statistics_export_shows_the_district_of_the_record_date(kpi_data):
    o = kpi_data
    organization_reclassify(
        actor=system_actor(), organization=o.sme_a1, region_id=B, effective_from=D(2023, 6, 1)
    )
    sheet = next(s for s in SHEETS if s.model.__name__ == "Deal")
    in_b = list(sheet.records(D(2023, 1, 1), D(2024, 1, 1), B))
    assert [d.deal_no for d in in_b] == ["D2", "D5"]
    buyer_region = dict(sheet.columns)["受让方旗区"]
    assert [str(buyer_region(d)) for d in in_b] == ["东胜区", "东胜区"]
    in_a = list(sheet.records(D(2023, 1, 1), D(2024, 1, 1), A))
    assert "D1" in [d.deal_no for d in in_a] and "D5" not in [d.deal_no for d in in_a]


def test_terminated_deal_counts_only_its_money(kpi_data):
    o = kpi_data
    values = kpi.kpi_report(year=2023, district=A)["indicators"]["sme_acquisitions"]["values"]
    # D3 (terminated, sme_a2) is not a deal, patent or contract amount, but its 10,000 received is.
    assert values["deals"] == 2 and values["received_amount"] == "120000.00"
    drill = drilldowns.drilldown_get("sme_acquisitions.received_amount")
    assert o.d3.pk in {p.deal_id for p in drill.records(2023, A)}
    benefited = drilldowns.drilldown_get("smes_benefited.count")
    assert o.sme_a2 not in list(benefited.records(2023, A))


def test_only_held_events_count_from_2021(kpi_data):
    report = kpi.kpi_report(year=2023)["activities"]["roadshows"]
    assert report["count"] == 1 and report["plan_period"]["count"] == 4
    Event.objects.filter(title="东胜路演").update(status=Event.Status.CANCELLED)
    report = kpi.kpi_report(year=2023)["activities"]["roadshows"]
    assert report["count"] == 0 and report["plan_period"]["count"] == 3
    Event.objects.filter(title="未举办的对接会").update(status=Event.Status.HELD)
    assert kpi.kpi_report(year=2022)["activities"]["roadshows"]["count"] == 2


def test_only_enterprise_navigation_projects_not_suspended_count(kpi_data):
    o = kpi_data
    assert kpi.kpi_report(year=2023, district=B)["activities"]["navigation_projects"]["count"] == 0
    NavigationProject.objects.filter(title="已终止的企业导航").update(status="in_progress")
    assert kpi.kpi_report(year=2023, district=B)["activities"]["navigation_projects"]["count"] == 1
    NavigationProject.objects.filter(enterprise=o.sme_a1).update(enterprise=None)
    assert kpi.kpi_report(year=2023, district=A)["activities"]["navigation_projects"]["count"] == 0


def test_subsidy_rule_in_the_kpi_is_exact_and_needs_the_grant(kpi_data):
    o = kpi_data
    # S3 (2022-03-03) was approved before p3's grant on 2022-06-01: a violation of 2022.
    assert kpi.kpi_report(year=2022)["activities"]["subsidies"]["violations"] == 1
    patent = PatentFactory(owner=o.uni_a, grant_date=D(2023, 1, 1))
    # Fees 100.03, approved 50.02: 2 × 50.02 = 100.04 > 100.03, a violation (no rounding).
    subsidy(o.sme_b1, patent, "100.03", "50.02", "50.02", "approved", D(2023, 8, 1))
    report = kpi.kpi_report(year=2023, district=B)["activities"]["subsidies"]
    assert report["violations"] == 1 and report["met"] is False
    drill = drilldowns.drilldown_get("subsidies.violations")
    assert list(drill.records(2023, B)) == [patent]


def test_deal_import_terminates(kpi_data, tmp_path):
    o = kpi_data
    header = ["deal_no", "kind", "seller_credit_code", "buyer_credit_code", "application_nos",
              "contract_date", "contract_amount", "status", "terminated_on"]  # fmt: skip
    row = ["D5", "transfer", o.uni_out.credit_code, o.sme_a1.credit_code, o.patents[5].application_no,
           "2023-07-07", "30000.00", "已终止", "2023-09-01"]  # fmt: skip
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(",".join(r) for r in (header, row)) + "\n", encoding="utf-8")
    call_command("import_data", "deals", str(path), stdout=io.StringIO())
    o.d5.refresh_from_db()
    assert (o.d5.status, o.d5.terminated_on) == ("terminated", D(2023, 9, 1))
    values = kpi.kpi_report(year=2023)["indicators"]["sme_acquisitions"]["values"]
    assert values["deals"] == 2 and values["contract_amount"] == "150000.50"


def test_report_json_is_unchanged_by_a_new_deal_of_a_new_organization_classified_today(kpi_data):
    """A new organization imported today with a deal dated in 2023 counts with its kind from the
    start (it has no earlier kind)."""
    o = kpi_data
    newcomer = org("新来的企业", "sme", A)
    deal = make_deal("N1", "transfer", o.uni_a, newcomer, D(2023, 2, 2), "1000.00", [o.patents[8]])
    pay(deal, D(2023, 3, 3), "1000.00")
    values = kpi.kpi_report(year=2023, district=A)["indicators"]["sme_acquisitions"]["values"]
    assert values["deals"] == 3
    assert json.loads(report_json(2023, A))["indicators"]["sme_acquisitions"]["values"] == values
