"""On PostgreSQL, outside a transaction, a report's queries run on two connections that share one
snapshot (reports.kpi.figures._run_concurrently): the figures must be exactly those of the
one-connection path."""

import pytest
from django.db import connection

from reports import kpi
from reports.kpi import figures
from tests.reports.conftest import A, B, build_kpi_data
from tests.reports.test_kpi import CITY_2023, DISTRICT_A_2023, DISTRICT_B_2023, in_plan

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed_kpi_data(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite: reports run on one connection (the concurrent path is PostgreSQL only)")
    # Every figure computed each time (not the closed years' snapshots: test_kpi_snapshots.py).
    settings.REPORTS_KPI_SNAPSHOTS = False
    return build_kpi_data()


def test_two_connections_give_the_figures_of_one(committed_kpi_data, settings):
    settings.REPORTS_KPI_CONNECTIONS = 2
    assert not connection.in_atomic_block and figures._concurrent()
    assert kpi.kpi_report(year=2023) == in_plan(CITY_2023)
    assert kpi.kpi_report(year=2023, district=A) == in_plan(DISTRICT_A_2023)
    assert kpi.kpi_report(year=2023, district=B) == in_plan(DISTRICT_B_2023)
    concurrent = (kpi.kpi_districts(year=2023), kpi.kpi_trend(year=2023), kpi.kpi_funnel(year=2023))

    settings.REPORTS_KPI_CONNECTIONS = 1
    assert not figures._concurrent()
    assert (kpi.kpi_districts(year=2023), kpi.kpi_trend(year=2023), kpi.kpi_funnel(year=2023)) == concurrent


def test_more_connections_than_queries_and_a_failing_query(committed_kpi_data, settings, monkeypatch):
    settings.REPORTS_KPI_CONNECTIONS = 20
    assert kpi.kpi_report(year=2023) == in_plan(CITY_2023)

    # An error in any connection's query is the report's error, not a silently missing figure.
    def broken(*args, **kwargs):
        raise RuntimeError("query failed")

    monkeypatch.setattr(figures, "_benefited", broken)
    settings.REPORTS_KPI_CONNECTIONS = 2
    with pytest.raises(RuntimeError, match="query failed"):
        kpi.kpi_report(year=2023)
