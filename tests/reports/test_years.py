"""Report pages open on the latest year that has records (not the empty current year) and say
so when a year has none."""

import datetime as dt

import pytest
from django.urls import reverse

from reports.years import default_report_year, latest_record_year, year_has_records
from tests.portal.factories import make_user
from tests.reports.conftest import event

pytestmark = pytest.mark.django_db


def test_latest_year_with_records(kpi_data):
    # The hand-built data ends with D7 (2024-01-01), a payment 2024-01-10 and a roadshow 2024-02-01.
    assert latest_record_year(today=dt.date(2026, 12, 6)) == 2024
    # A year's records are only those up to the year of "today": on 2023-06-01 the latest is 2023.
    assert latest_record_year(today=dt.date(2023, 6, 1)) == 2023
    # An event planned for later does not make an empty future year the default.
    event("远期路演", "roadshow", dt.date(2030, 5, 1), None)
    assert latest_record_year(today=dt.date(2026, 12, 6)) == 2024
    assert year_has_records(2024) and not year_has_records(2025)


def test_without_any_record_the_default_is_last_year(db):
    assert latest_record_year() is None
    assert default_report_year(today=dt.date(2026, 12, 6)) == 2025


def test_dashboard_and_ranking_open_on_the_latest_year_with_records(client, kpi_data):
    client.force_login(make_user("bureau"))
    today = dt.date.today().year
    assert today > 2024  # the data ends in 2024 while "now" is later
    dashboard = client.get(reverse("reports:dashboard"))
    assert dashboard.context["year"] == 2024
    html = dashboard.content.decode()
    assert "默认显示最近有记录的年度（2024 年）" in html and 'id="no-records-notice"' not in html
    # 2024 is outside the seeded plan: the page says why no target is judged.
    assert "2024 年不在已录入的规划期内" in html
    ranking = client.get(reverse("reports:ranking"))
    assert ranking.context["year"] == 2024
    assert "默认显示最近有记录的年度（2024 年）" in ranking.content.decode()
    # A district chosen without a year keeps the district.
    district = client.get(reverse("reports:dashboard"), {"district": "150622"})
    assert district.context["year"] == 2024 and district.context["district"] == "150622"


def test_a_year_without_records_says_so(client, kpi_data):
    client.force_login(make_user("bureau"))
    html = client.get(reverse("reports:dashboard"), {"year": 2025}).content.decode()
    assert 'id="no-records-notice"' in html
    assert "2025 年没有任何统计记录" in html and "查看最近有记录的 2024 年" in html
    html = client.get(reverse("reports:ranking"), {"year": 2025}).content.decode()
    assert 'id="no-records-notice"' in html
    # A year with records shows no such notice, and in a plan year the plan is named.
    html = client.get(reverse("reports:dashboard"), {"year": 2023}).content.decode()
    assert (
        'id="no-records-notice"' not in html
        and "规划期：鄂尔多斯市专利转化专项计划实施方案（2021-2023年）" in html
    )
