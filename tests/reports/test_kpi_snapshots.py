"""Snapshots of closed years' KPI figures (reports.kpi.snapshots, PostgreSQL): reused while valid,
and after any change to a record a year's figures depend on — whoever makes it, by the ORM, a
queryset update or raw SQL — every report equals a fresh computation without snapshots; a change
to a later year leaves an earlier year's snapshot in use."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from finance.models import Deal, Payment, Pledge, Subsidy
from matching.models import Event
from patents.models import NavigationProject, Patent
from portal.models import Industry, OrganizationPeriod, OrganizationYearStats, Region
from portal.periods import organization_correct, organization_reclassify
from portal.permissions import system_actor
from reports import kpi
from reports.kpi import snapshots
from reports.models import KpiChange, KpiSnapshot
from tests.patents.factories import PatentFactory
from tests.reports.conftest import A, B, build_kpi_data, org, pay

pytestmark = pytest.mark.django_db(transaction=True)

D = dt.date


@pytest.fixture
def committed(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: no snapshots (the figures are always computed)")
    settings.REPORTS_KPI_SNAPSHOTS = True
    return build_kpi_data()


def everything() -> dict:
    """Every read that goes through the snapshots: city and district reports of closed years
    (2022 and 2023; 2020 is read as the base year), the grouped districts and a trend."""
    return {
        "2022": kpi.kpi_report(year=2022),
        "2023": kpi.kpi_report(year=2023),
        "2023 A": kpi.kpi_report(year=2023, district=A),
        "2023 B": kpi.kpi_report(year=2023, district=B),
        "districts": kpi.kpi_districts(year=2023),
        "trend": kpi.kpi_trend(year=2024),
    }


def fresh() -> dict:
    with override_settings(REPORTS_KPI_SNAPSHOTS=False):
        return everything()


def test_closed_years_are_reused_until_a_record_changes(committed):
    expected = fresh()
    assert not KpiSnapshot.objects.exists()
    assert everything() == expected  # computes and keeps the closed years
    assert set(KpiSnapshot.objects.filter(scope="").values_list("year", flat=True)) >= {
        2020,
        2021,
        2022,
        2023,
    }
    assert KpiSnapshot.objects.filter(scope=A).exists() and KpiSnapshot.objects.filter(scope="*").exists()
    # Served from the snapshots: the plans and one look-up, no figure query.
    with CaptureQueriesContext(connection) as queries:
        assert kpi.kpi_report(year=2023) == expected["2023"]
    assert len(queries) == 2
    assert everything() == expected


def test_the_current_year_is_never_kept(committed):
    this_year = dt.date.today().year
    kpi.kpi_report(year=this_year)
    assert not KpiSnapshot.objects.filter(year__gte=this_year).exists()
    assert KpiSnapshot.objects.filter(year=this_year - 1).exists()


def _terminate_by_queryset_update(o):
    Deal.objects.filter(deal_no="D1").update(status="terminated", terminated_on=D(2023, 12, 1))


def _payment_in_2023_on_a_2022_deal(o):
    pay(Deal.objects.get(deal_no="E1"), D(2023, 9, 9), "1234.56")


def _buyer_of_a_2022_deal_by_raw_sql(o):
    """E1 (2022) has a payment in 2023: its buyer decides whose 2023 received amount it is."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE finance_deal SET buyer_id = %s WHERE deal_no = 'E1'", [o.sme_b1.pk])


def _correction_from_the_start(o):
    organization_correct(
        actor=system_actor(), organization=o.sme_a1, kind="large_enterprise", reason="营业执照显示为大型企业"
    )


def _move_effective_mid_2023(o):
    organization_reclassify(
        actor=system_actor(), organization=o.sme_a1, region_id=B, effective_from=D(2023, 6, 1)
    )


def _grant_after_the_decision(o):
    Patent.objects.filter(pk=o.patents[8].pk).update(grant_date=D(2023, 6, 1))


def _patent_becomes_agricultural(o):
    o.patents[1].industries.add(Industry.objects.get(code="agriculture"))


def _district_no_longer_county_level(o):
    Region.objects.filter(code=A).update(is_county_level=False)


def _roadshow_of_2021_cancelled(o):
    Event.objects.filter(date=D(2021, 6, 30)).update(status="cancelled")


def _navigation_project_suspended(o):
    NavigationProject.objects.filter(year_started=2023, enterprise=o.sme_a1).update(status="suspended")


def _yearly_figures_corrected(o):
    OrganizationYearStats.objects.filter(organization=o.sme_a1, year=2023).update(revenue=Decimal("1.00"))


def _pledge_deleted(o):
    Pledge.objects.filter(registration_date=D(2023, 3, 3)).delete()


def _subsidy_of_2022_raised(o):
    """S3 (2022) on p3: its amount counts in 2022 and in the 50 % rule of later years."""
    Subsidy.objects.filter(patent=o.patents[3]).update(approved_amount=Decimal("250.00"))


def _patent_unlinked_from_a_deal(o):
    Deal.objects.get(deal_no="D2").patents.remove(o.patents[2])


MUTATIONS = [
    _terminate_by_queryset_update,
    _payment_in_2023_on_a_2022_deal,
    _buyer_of_a_2022_deal_by_raw_sql,
    _correction_from_the_start,
    _move_effective_mid_2023,
    _grant_after_the_decision,
    _patent_becomes_agricultural,
    _district_no_longer_county_level,
    _roadshow_of_2021_cancelled,
    _navigation_project_suspended,
    _yearly_figures_corrected,
    _pledge_deleted,
    _subsidy_of_2022_raised,
    _patent_unlinked_from_a_deal,
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.__name__.strip("_") for m in MUTATIONS])
def test_after_any_change_every_report_equals_a_fresh_computation(committed, mutation):
    before = everything()  # keeps the snapshots
    assert KpiSnapshot.objects.exists()
    mutation(committed)
    after = fresh()
    assert after != before, "the change must matter, or the test proves nothing"
    assert everything() == after


def test_a_change_dated_later_leaves_earlier_years_in_use(committed):
    everything()
    changes = KpiChange.objects.count()
    pay(Deal.objects.get(deal_no="D1"), D(2024, 3, 1), "10.00")
    assert KpiChange.objects.count() == changes + 1
    assert set(snapshots.load([2020, 2022, 2023, 2024], "")) == {2020, 2022, 2023}
    # A reclassification effective from 2023-06-01 changes nothing before 2023.
    organization_reclassify(
        actor=system_actor(),
        organization=committed.sme_a1,
        kind="large_enterprise",
        effective_from=D(2023, 6, 1),
    )
    assert set(snapshots.load([2020, 2022, 2023], "")) == {2020, 2022}
    assert everything() == fresh()


def test_a_change_committed_while_a_report_was_computed_is_not_missed(committed):
    """The figures were read in a snapshot taken before a change committed, and stored after it:
    they are stale and must not be used."""
    computed = kpi.collect([2023])  # (inside no snapshot of its own here: just the figures)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        before_change = cursor.fetchone()[0]
    Payment.objects.filter(date=D(2023, 4, 1)).update(amount=Decimal("1.00"))
    snapshots.store(computed, [2023], "", before_change)
    assert snapshots.load([2023], "") == {}
    assert kpi.kpi_report(year=2023) == fresh()["2023"]
    # Stored with a snapshot that saw the change, it is used.
    KpiSnapshot.objects.all().delete()
    kpi.kpi_report(year=2023)
    assert set(snapshots.load([2023], "")) == {2023}


def test_new_counting_code_does_not_reuse_old_figures(committed, monkeypatch):
    everything()
    assert snapshots.load([2023], "")
    snapshots.definition.cache_clear()
    monkeypatch.setattr(snapshots, "definition", lambda: "another release")
    assert snapshots.load([2023], "") == {}
    assert kpi.kpi_report(year=2023) == fresh()["2023"]
    assert set(KpiSnapshot.objects.values_list("definition", flat=True)) == {"another release"}


def test_kept_figures_are_exactly_the_computed_ones(committed):
    """Decimals stay Decimals (two places), counts stay ints, districts without records stay absent."""
    computed = kpi.collect([2022, 2023], by_district=True)
    again = kpi.collect([2022, 2023], by_district=True)  # from the snapshots
    assert again == computed
    assert {type(v) for raw in again.values() for values in raw.values() for v in values.values()} <= {
        int,
        Decimal,
    }


def test_without_snapshots_setting_nothing_is_kept(committed, settings):
    settings.REPORTS_KPI_SNAPSHOTS = False
    everything()
    assert not KpiSnapshot.objects.exists()


def test_old_change_rows_are_pruned(committed):
    everything()
    KpiChange.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    old = KpiChange.objects.count()
    assert old
    KpiSnapshot.objects.all().delete()
    kpi.kpi_report(year=2023)  # stores, drops the stale snapshots, then the change rows a day old
    assert KpiChange.objects.count() == 0
    assert kpi.kpi_report(year=2023) == fresh()["2023"]


def test_triggers_record_the_first_year_a_change_touches(committed):
    def first_year(change) -> int | None:
        start = KpiChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        change()
        years = KpiChange.objects.filter(id__gt=start).values_list("from_year", flat=True)
        return min(years) if years else None

    o = committed
    assert first_year(lambda: pay(Deal.objects.get(deal_no="D1"), D(2024, 2, 1), "1.00")) == 2024
    # A 2022 deal: its own year (and its 2023 payment's year, later).
    assert first_year(lambda: Deal.objects.filter(deal_no="E1").update(contract_amount=1)) == 2022
    # A change effective from a date: from that year; a correction from the start: every year.
    assert (
        first_year(
            lambda: organization_reclassify(
                actor=system_actor(),
                organization=o.sme_b1,
                kind="large_enterprise",
                effective_from=D(2023, 6, 1),
            )
        )
        == 2023
    )
    assert (
        first_year(lambda: OrganizationPeriod.objects.filter(organization=o.sme_a2).update(kind="soe")) == 0
    )
    # A patent: the years of its subsidies (S2 on p1: 2023).
    assert first_year(lambda: Patent.objects.filter(pk=o.patents[1].pk).update(title="改名")) == 2023
    # A patent without subsidies or deals: nothing.
    lonely = PatentFactory(owner=o.uni_a)
    assert first_year(lambda: Patent.objects.filter(pk=lonely.pk).update(title="改名")) is None
    assert first_year(lambda: Region.objects.filter(code=B).update(is_county_level=True)) == 0
    # A new organization (its first period, from the start) has no records yet: nothing; the
    # records it gets later name their own years.
    assert first_year(lambda: org("新注册企业", "sme", A)) is None
    # Its periods rewritten from the start (deleted and written again): from its first record.
    assert first_year(lambda: OrganizationPeriod.objects.filter(organization=o.sme_a2).delete()) == 2021
