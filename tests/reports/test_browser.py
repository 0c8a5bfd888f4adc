"""The dashboard in headless Chromium: the ECharts canvases are drawn from the report API and
every number leads to the records behind it."""

import pytest
from django.test import Client

from tests.portal.factories import make_user
from tests.reports.conftest import A, build_kpi_data

# serialized_rollback: keep the regions the data migrations loaded for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Counts the canvas pixels that are not fully transparent: an empty (undrawn) canvas has none.
PAINTED_PIXELS = """(chart) => {
  const canvas = chart.querySelector("canvas");
  if (!canvas) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) painted++; }
  return painted;
}"""


def sign_in(page, live_server, role, **kwargs):
    client = Client()
    client.force_login(make_user(role, **kwargs))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def charts_drawn(page, names):
    for name in names:
        chart = page.locator(f'[data-chart="{name}"]')
        page.wait_for_selector(f'[data-chart="{name}"][data-rendered="1"]')
        page.wait_for_function(
            f"(selector) => ({PAINTED_PIXELS})(document.querySelector(selector)) > 2000",
            arg=f'[data-chart="{name}"]',
        )
        painted = chart.evaluate(PAINTED_PIXELS)
        assert painted > 2000, (name, painted)


def test_bureau_dashboard_draws_every_chart(page, live_server):
    build_kpi_data()
    sign_in(page, live_server, "bureau")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto("/reports/?year=2023")
    assert response.status == 200
    charts_drawn(page, ["trend-counts", "trend-amounts", "districts", "funnel"])
    assert page.locator("#kpi-cards .kpi-card").count() == 5
    # KPI 2 and 5 only: KPI 1 and 4 have no base-year figures, KPI 3's SMEs benefited stay at 3.
    assert page.locator('#kpi-cards [data-met="true"]').count() == 2
    page.screenshot(path="/tmp/reports-dashboard.png", full_page=True)
    assert errors == []

    # Switching the comparison metric redraws the district chart.
    page.select_option("#compare-metric", "smes_benefited.count")
    charts_drawn(page, ["districts"])

    # A number leads to its records.
    page.locator('a[data-drilldown="sme_acquisitions.deals"]').click()
    page.wait_for_selector("#drilldown-table")
    # D1 D2 D5: not D3 (terminated).
    assert page.locator("#drilldown-table tbody tr").count() == 3
    assert page.locator('[data-total="count"]').inner_text() == "3"


def test_district_officer_dashboard(page, live_server):
    build_kpi_data()
    sign_in(page, live_server, "district_officer", district=A)
    page.goto("/reports/?year=2023")
    charts_drawn(page, ["trend-counts", "trend-amounts", "funnel"])
    assert page.locator('[data-chart="districts"]').count() == 0
    assert "准格尔旗 2023 年度专利转化绩效" in page.locator("main h1").inner_text()
    page.screenshot(path="/tmp/reports-dashboard-district.png", full_page=True)
