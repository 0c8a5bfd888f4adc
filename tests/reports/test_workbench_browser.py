"""Headless Chromium, one short walk per role: log in → the workbench → the role's main task.
Each workbench is photographed at 1366 px and 390 px (PORTAL_SCREENSHOT_DIR, default /tmp) and the
navbar must fit one line at 1366 px."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from demands.models import Demand
from matching.models import Notification
from patents.models import Patent
from tests.matching.factories import ensure_reference_data
from tests.patents.factories import PatentFactory, agency_for, institution_user
from tests.portal.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", "/tmp"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def navbar_rows(page) -> set[int]:
    tops = page.eval_on_selector_all(
        "#top-nav .navbar-nav > .nav-item",
        "items => items.map(i => Math.round(i.getBoundingClientRect().top))",
    )
    return set(tops)


def login_to_workbench(page, user, role: str):
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("portal:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(reverse("workbench:home")), page.url
    assert page.locator("#workbench-title").is_visible()
    # The navbar fits one line at 1366 px: every top-level entry on the same row.
    assert len(navbar_rows(page)) == 1
    page.screenshot(path=str(SHOTS / f"workbench-{role}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"workbench-{role}-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)


def count(page, key: str) -> int:
    return int(page.locator(f"[data-item='{key}'] [data-count]").inner_text().replace(",", ""))


def test_sme_posts_a_demand_from_its_workbench(page):
    ensure_reference_data()
    user = make_user("sme")
    login_to_workbench(page, user, "sme")
    with page.expect_navigation():
        page.locator("#workbench-actions a", has_text="发布技术需求").click()
    page.fill("#id_title", "乳制品保鲜技术引进")
    page.fill("#id_description", "希望引进低温杀菌保鲜技术，延长鲜奶保质期。")
    page.check("input[name=deal_kinds][value=license]")
    page.fill("#id_budget_max", "50万")
    with page.expect_navigation():
        page.locator("button[name=publish]").click()
    demand = Demand.objects.get(title="乳制品保鲜技术引进")
    assert demand.status == Demand.Status.OPEN and demand.budget_max == 500000


def test_institution_sees_its_listing_awaiting_review(page):
    user = institution_user()
    PatentFactory(owner=user.membership.organization, listing_status=Patent.ListingStatus.SUBMITTED)
    login_to_workbench(page, user, "institution")
    assert count(page, "submitted") == 1
    with page.expect_navigation():
        page.locator("[data-item='submitted']").click()
    assert "status=submitted" in page.url and page.locator("main").inner_text().count("待审核") >= 1
    # On a phone the wide inventory table says it scrolls.
    page.set_viewport_size(PHONE)
    page.goto(reverse("patents:mine"))
    page.screenshot(path=str(SHOTS / "patents-mine-390.png"), full_page=True)
    assert page.locator(".scroll-hint.is-shown").first.is_visible()
    page.set_viewport_size(DESKTOP)
    page.goto(reverse("workbench:home"))
    with page.expect_navigation():
        page.locator("#workbench-actions a", has_text="导入专利清单").click()
    assert page.locator("#import-templates [data-template='patents']").is_visible()


def test_agency_reviews_its_clients_listing(page):
    owner_user = institution_user()
    owner = owner_user.membership.organization
    patent = PatentFactory(owner=owner, listing_status=Patent.ListingStatus.SUBMITTED)
    user = agency_for(owner)
    login_to_workbench(page, user, "agency")
    assert count(page, "review") == 1
    with page.expect_navigation():
        page.locator("[data-item='review']").click()
    with page.expect_navigation():
        page.locator("button[name=decision][value=approve]").click()
    patent.refresh_from_db()
    assert patent.listing_status == Patent.ListingStatus.PUBLISHED
    assert Notification.objects.filter(user=owner_user, kind="status").exists()


def test_bank_records_a_pledge_with_the_borrower_search_box(page):
    from tests.finance.factories import sme

    borrower = sme(name="鄂尔多斯市绒都纺织有限公司")
    sme(name="准格尔旗煤机配件有限公司")
    patent = PatentFactory(owner=borrower)
    user = make_user("bank")
    login_to_workbench(page, user, "bank")
    with page.expect_navigation():
        page.locator("#workbench-actions a", has_text="登记质押融资").click()
    page.fill("input.org-search[data-for='id_borrower']", "绒都")
    assert page.locator("#id_borrower").input_value() == str(borrower.pk)
    page.fill("#id_registration_no", "Y2025000009")
    page.fill("#id_patents", patent.application_no)
    page.fill("#id_amount", "300万")
    page.fill("#id_registration_date", "2025-01-10")
    page.fill("#id_term_months", "12")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    pledge = borrower.pledges.get()
    assert pledge.amount == 3_000_000 and pledge.lender == user.membership.organization


def test_district_officer_sees_its_year_and_the_queues(page):
    user = make_user("district_officer")
    login_to_workbench(page, user, "district")
    assert page.locator("[data-figure='pledges']").is_visible()
    with page.expect_navigation():
        page.locator("[data-item='organizations']").click()
    assert "/organizations/review/" in page.url


def test_bureau_works_through_the_review_queue(page):
    PatentFactory(listing_status=Patent.ListingStatus.SUBMITTED)
    user = make_user("bureau")
    login_to_workbench(page, user, "bureau")
    assert count(page, "review") == 1
    assert page.locator("#nav-review-count").count() == 1
    with page.expect_navigation():
        page.locator("[data-item='review']").click()
    page.fill("textarea[name=note]", "摘要不完整，请补充技术效果。")
    with page.expect_navigation():
        page.locator("button[name=decision][value=reject]").click()
    page.goto(reverse("workbench:home"))
    assert count(page, "review") == 0
    # In English too the bureau's navbar keeps to one line.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto(reverse("workbench:home"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(SHOTS / "workbench-bureau-en-1366.png"))
    assert len(navbar_rows(page)) == 1
