"""Headless Chromium: search with a two-character Chinese keyword, the IPC picker, the detail page."""

import pytest

from tests.patents.factories import PatentFactory, industry

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_filter_and_open_a_patent(page):
    coal = PatentFactory(
        published=True,
        title="一种煤矿巷道液压支护装置",
        industries=[industry("coal")],
        ipc_codes="E21D 23/00",
    )
    PatentFactory(published=True, title="一种羊绒纺纱方法", ipc_codes="D01G 15/00")

    page.goto("/patents/")
    assert page.locator("article.patent-card").count() == 2
    page.fill("#q", "煤矿")
    with page.expect_navigation():
        page.press("#q", "Enter")
    cards = page.locator("article.patent-card")
    assert cards.count() == 1 and "煤矿" in cards.first.inner_text()
    assert "共 1 件专利" in page.locator("#result-count").inner_text()

    # Choosing a class loads its subclasses (htmx) with their Chinese titles.
    page.select_option("#f-ipc-class", "E21")
    page.wait_for_selector("#f-ipc-subclass option[value='E21D']", state="attached")
    page.select_option("#f-ipc-subclass", "E21D")
    with page.expect_navigation():
        page.click("button:has-text('应用筛选')")
    assert page.locator("article.patent-card").count() == 1

    with page.expect_navigation():
        page.click(f"article[data-application-no='{coal.application_no}'] h2 a")
    assert page.locator("h1").inner_text() == coal.title
    assert "剩余" in page.locator("#years-remaining").locator("..").inner_text()
    assert page.locator("#inquiry-button").is_visible()
