"""Headless Chromium against live_server: the home page renders in Chinese, and the navbar's
language form switches to English."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_home_page_is_chinese_and_renders(page, tmp_path):
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    heading = page.locator("main h1").first.inner_text()
    assert CJK.search(heading), heading
    # Static files are served (Bootstrap's CSS makes the navbar a flex row).
    assert page.locator("#top-nav").evaluate("el => getComputedStyle(el).display") == "flex"

    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


def test_language_switch_to_english(page):
    page.goto("/")
    page.locator("#top-nav .bi-translate").click()
    english = page.locator('form[action$="/i18n/setlang/"] button[value="en"]')
    english.wait_for(state="visible")
    with page.expect_navigation():
        english.click()
    assert page.locator("html").get_attribute("lang") == "en"
    # The choice sticks: a new visit is still English, and the navbar marks it as active.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "active" in page.locator('form[action$="/i18n/setlang/"] button[value="en"]').get_attribute(
        "class"
    )
