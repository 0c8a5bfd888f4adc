"""Headless Chromium loads the main pages under the enforced Content-Security-Policy and no
violation shows up: neither in the console nor as a ``securitypolicyviolation`` event. The
behaviours that replaced inline handlers and style attributes (static/js/behaviours.js) work."""

import pytest

from portal.models import ImportJob
from tests.demands.factories import DemandFactory
from tests.matching.factories import ensure_reference_data, make_patent
from tests.portal.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded before any page script runs (init scripts are not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP complaint of the console and every violation event collected."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def violations() -> list[str]:
        page.wait_for_timeout(300)  # late reports (images, fonts, htmx swaps)
        return console + page.evaluate("window.__cspViolations || []")

    page.violations = violations
    return page


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    page.wait_for_load_state("networkidle")
    assert page.violations() == [], path


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.violations() == []


def test_main_pages_raise_no_csp_violation(watched):
    ensure_reference_data()
    patent = make_patent(title="一种煤矿液压支架")
    DemandFactory(title="乳制品冷链保鲜技术需求")

    for path in ("/", "/accounts/login/", "/patents/", f"/patents/{patent.application_no}/", "/demands/"):
        visit(watched, path)
    # The protection bar's width comes from data-width (no style attribute in the markup).
    width = watched.locator(".protection-bar .progress-bar")
    visit(watched, f"/patents/{patent.application_no}/")
    if width.count():
        assert width.first.evaluate("el => el.style.width").endswith("%")
    # Sorting submits the form on change (data-autosubmit replaced onchange="...").
    visit(watched, "/patents/")
    with watched.expect_navigation():
        watched.select_option("#f-sort", index=1)
    assert "sort=" in watched.url
    assert watched.violations() == []

    log_in(watched, make_user("bureau"))
    visit(watched, "/reports/")
    # The dashboard's charts are drawn (ECharts needs neither eval nor inline styles).
    watched.locator("canvas").first.wait_for()
    assert watched.violations() == []
    # Tooltips too: ECharts' HTML tooltips put style attributes in their markup; the dashboard
    # draws them on the canvas instead (renderMode "richText").
    shown = watched.evaluate(
        """() => [...document.querySelectorAll('.chart')].filter((element) => {
            const chart = echarts.getInstanceByDom(element);
            if (chart) chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
            return chart;
        }).length"""
    )
    watched.wait_for_timeout(300)
    assert shown >= 3
    # No tooltip markup in the page: the tooltips are drawn on the canvas.
    assert (
        watched.locator(".chart > div:not(:has(canvas))").evaluate_all(
            "divs => divs.filter((div) => div.innerHTML.includes('style=')).length"
        )
        == 0
    )
    assert watched.violations() == []
    for path in ("/finance/", "/api/docs/"):
        visit(watched, path)


def test_import_progress_polls_without_violations(watched):
    ensure_reference_data()
    user = make_user("institution")
    job = ImportJob.objects.create(
        kind="patents",
        original_name="patents.csv",
        file="imports/none.csv",
        organization=user.membership.organization,
        created_by=user,
        status=ImportJob.Status.VALIDATING,
        rows_total=10,
        rows_done=4,
    )
    log_in(watched, user)
    visit(watched, f"/imports/{job.pk}/")
    bar = watched.locator("#job-status .progress-bar")
    assert bar.evaluate("el => el.style.width") == "40%"
    watched.wait_for_timeout(1500)  # htmx polls every second and swaps the status in
    assert bar.evaluate("el => el.style.width") == "40%"
    assert watched.violations() == []


def test_confirm_asks_before_a_destructive_post(watched):
    ensure_reference_data()
    user = make_user("sme")
    demand = DemandFactory(organization=user.membership.organization, status="draft", published_at=None)
    log_in(watched, user)
    visit(watched, f"/demands/{demand.code}/")
    prompts = []

    def dismiss(dialog):
        prompts.append(dialog.message)
        dialog.dismiss()

    watched.once("dialog", dismiss)
    watched.locator(f"form[action$='/demands/{demand.code}/delete/'] button").click()
    watched.wait_for_timeout(300)
    assert prompts and "删除" in prompts[0]
    assert watched.url.endswith(f"/demands/{demand.code}/")  # dismissed: nothing was posted
    assert watched.violations() == []


def test_a_violation_would_be_seen(watched):
    """The detector itself: markup with a style attribute, added by a script, is refused and
    reported (so an empty list above means no violation, not a deaf listener)."""
    ensure_reference_data()
    visit(watched, "/")
    watched.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color: red\">x</b>')")
    assert any("style-src" in line for line in watched.violations())
