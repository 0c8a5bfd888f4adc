"""Headless Chromium walks the matchmaking workflow: an SME logs in, posts a demand, opens a
published patent and sends an inquiry; the institution logs in, answers and accepts it; the SME
sees the reply and the released contact details."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from demands.models import Demand
from matching.models import Inquiry
from tests.portal.factories import PASSWORD

from .factories import ensure_reference_data, institution_with_patent, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", "/tmp"))


def login(page, username):
    page.context.clear_cookies()
    page.goto(reverse("portal:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()


def test_sme_inquires_and_institution_answers(page):
    ensure_reference_data()
    owner_user, patent = institution_with_patent(title="一种乳制品低温杀菌保鲜装置")
    owner_org = owner_user.membership.organization
    owner_org.contact_phone = "0477-5550101"
    owner_org.save()
    sme_user = make_user("sme")

    # The SME posts a demand.
    login(page, sme_user.username)
    page.goto(reverse("demands:demand-create"))
    page.fill("#id_title", "乳制品保鲜技术引进")
    page.fill("#id_description", "希望引进低温杀菌保鲜技术，延长鲜奶保质期。")
    page.check("input[name=deal_kinds][value=license]")
    with page.expect_navigation():
        page.locator("button[name=publish]").click()
    demand = Demand.objects.get(title="乳制品保鲜技术引进")
    assert demand.status == Demand.Status.OPEN
    assert demand.code in page.url

    # ...opens the published patent and sends an inquiry about it.
    page.goto(reverse("patents:detail", args=[patent.application_no]))
    with page.expect_navigation():
        page.locator("#inquiry-button").click()
    assert reverse("matching:inquiry-create", args=[patent.application_no]) in page.url
    page.select_option("#id_demand", label=str(demand))
    page.fill("#id_body", "我公司想以普通许可方式实施该专利，请问许可费用如何计算？")
    page.screenshot(path=str(SHOTS / "matching-inquiry-form.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#send-inquiry").click()
    inquiry = Inquiry.objects.get()
    assert inquiry.demand == demand
    assert page.locator("#thread").inner_text().count("普通许可") == 1
    assert page.locator("#contacts-hidden").is_visible()

    # The institution answers and accepts it.
    login(page, owner_user.username)
    page.goto(reverse("matching:inquiry-list"))
    with page.expect_navigation():
        page.locator(f'[data-inquiry="{inquiry.pk}"]').click()
    page.fill("#id_body", "可以普通许可，入门费5万元加销售额2%提成，欢迎来校面谈。")
    with page.expect_navigation():
        page.locator("#reply-button").click()
    assert page.locator('[data-status="replied"]').first.is_visible()
    with page.expect_navigation():
        page.locator("#accept-button").click()
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEGOTIATING and inquiry.contacts_released

    # The SME sees the reply, the new status and the owner's contact details.
    login(page, sme_user.username)
    page.goto(reverse("matching:notification-list"))
    assert re.search(r"\d", page.locator("#unread-count").inner_text())
    page.goto(reverse("matching:inquiry-detail", args=[inquiry.pk]))
    thread = page.locator("#thread").inner_text()
    assert "入门费5万元加销售额2%提成" in thread
    assert page.locator('[data-status="negotiating"]').first.is_visible()
    assert "0477-5550101" in page.locator("#contacts").inner_text()
    page.screenshot(path=str(SHOTS / "matching-inquiry-thread.png"), full_page=True)
