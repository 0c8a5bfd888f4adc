"""Each data-quality check: a clean data set gives 0; a planted case is found; the admin link
filters the change list to exactly the offending records."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cleanup.checks import CHECKS, CHECKS_BY_CODE, normalized_name, run_checks
from finance.models import Deal
from patents.models import Patent
from portal.identifiers import make_credit_code
from portal.models import Organization, OrganizationYearStats
from tests.finance.factories import DealFactory, sme
from tests.matching.factories import EventFactory
from tests.patents.factories import PatentFactory
from tests.portal.factories import OrganizationFactory, make_user

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {r.code: r.count for r in run_checks()}


def test_the_codes_are_the_issues():
    assert [c.code for c in CHECKS] == [
        "duplicate_organizations",
        "sme_missing_yearly_stats",
        "listed_but_not_in_force",
        "amount_outliers",
        "dates_out_of_range",
        "patents_without_classification",
        "organizations_without_district",
    ]


def test_clean_data_gives_zero_everywhere(clean):
    assert counts() == dict.fromkeys(CHECKS_BY_CODE, 0)


def test_duplicate_by_normalised_name(clean):
    assert normalized_name(" 准格尔旗 煤机制造(有限)公司") == normalized_name("准格尔旗煤机制造（有限）公司")
    OrganizationFactory(name="准格尔旗煤机制造有限责任公司", region=clean.sme.region)
    assert counts()["duplicate_organizations"] == 0  # another name
    OrganizationFactory(name=" 准格尔旗煤机制造 有限公司。", region=clean.sme.region)
    assert counts()["duplicate_organizations"] == 2


def test_duplicate_by_organization_code_inside_two_credit_codes(clean):
    code = clean.sme2.credit_code
    moved = make_credit_code("91150622" + code[8:17])  # re-registered in another district
    OrganizationFactory(name="完全不同的名字", credit_code=moved)
    assert counts()["duplicate_organizations"] == 2


def test_sme_counted_in_kpi3_without_that_years_figures(clean):
    newcomer = sme(name="新受益企业有限公司", region=clean.sme.region)
    DealFactory(
        seller=clean.university, buyer=newcomer, patents=[clean.patents[1]], contract_amount=Decimal(120_000)
    )
    assert counts()["sme_missing_yearly_stats"] == 1
    OrganizationYearStats.objects.create(organization=newcomer, year=2023, revenue=0, employees=0)
    assert counts()["sme_missing_yearly_stats"] == 1  # both still 0: missing
    OrganizationYearStats.objects.filter(organization=newcomer).update(revenue=Decimal(900_000), employees=9)
    assert counts()["sme_missing_yearly_stats"] == 0


def test_listed_but_not_in_force(clean):
    listed = clean.patents[0]
    Patent.objects.filter(pk=listed.pk).update(legal_status=Patent.LegalStatus.LAPSED)
    assert counts()["listed_but_not_in_force"] == 1
    Patent.objects.filter(pk=listed.pk).update(
        legal_status=Patent.LegalStatus.GRANTED, expiry_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert counts()["listed_but_not_in_force"] == 1


def test_amount_outliers_wan_yuan_and_per_employee(clean):
    Deal.objects.filter(pk=clean.deals[0].pk).update(contract_amount=Decimal(10))  # 10 万元 entered as 元
    Deal.objects.filter(pk=clean.deals[1].pk).update(contract_amount=Decimal(1_100_000_000))  # 元 × 10,000
    OrganizationYearStats.objects.filter(organization=clean.sme).update(
        revenue=Decimal(800)
    )  # 800 万元 as 元
    result = next(r for r in run_checks(["amount_outliers"]))
    parts = {p.model: p.count for p in result.parts}
    assert parts[Deal] == 2 and parts[OrganizationYearStats] == 1 and result.count == 3
    assert "finance/deal" in result.url  # the model with most offenders


def test_dates_out_of_range(clean):
    Deal.objects.filter(pk=clean.deals[0].pk).update(contract_date=dt.date(1900, 1, 1))
    Patent.objects.filter(pk=clean.patents[2].pk).update(
        grant_date=timezone.localdate() + dt.timedelta(days=30)
    )
    EventFactory(date=timezone.localdate() + dt.timedelta(days=30))  # a future event is fine
    assert counts()["dates_out_of_range"] == 2


def test_patents_without_classification(clean):
    PatentFactory(owner=clean.university, ipc_codes="")  # neither IPC nor industry
    clean.patents[3].industries.clear()
    assert counts()["patents_without_classification"] == 2


def test_organizations_without_district_only_for_codes_issued_in_the_city(clean):
    OrganizationFactory(name="外地公司", region=None, credit_code=make_credit_code("91150100MC0000001"))
    assert counts()["organizations_without_district"] == 0
    Organization.objects.filter(pk=clean.sme2.pk).update(region=None)
    assert counts()["organizations_without_district"] == 1


def test_command_prints_the_json_of_the_issue(clean):
    Patent.objects.filter(pk=clean.patents[0].pk).update(legal_status=Patent.LegalStatus.LAPSED)
    out = StringIO()
    call_command("data_quality", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [set(c) for c in data["checks"]] == [{"code", "title", "count", "url"}] * len(CHECKS)
    row = next(c for c in data["checks"] if c["code"] == "listed_but_not_in_force")
    assert row["count"] == 1
    assert row["url"] == "/admin/patents/patent/?data_quality=listed_but_not_in_force"


def test_the_link_filters_the_change_list(clean, client):
    lapsed = clean.patents[0]
    Patent.objects.filter(pk=lapsed.pk).update(legal_status=Patent.LegalStatus.LAPSED)
    client.force_login(make_user("admin"))
    url = next(r.url for r in run_checks(["listed_but_not_in_force"]))
    response = client.get(url)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [Patent.objects.get(pk=lapsed.pk)]
    everything = client.get("/admin/patents/patent/")
    assert everything.context["cl"].result_count == Patent.objects.count() > 1
    unknown = client.get("/admin/patents/patent/?data_quality=no_such_check")
    assert unknown.status_code == 200 and unknown.context["cl"].result_count == 0
