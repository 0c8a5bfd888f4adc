"""Headless Chromium walks 银企对接 (issue 16, item 7), with the price guidance of item 4 on the
way: an SME sees the price reference on a listing and registers for a bank-enterprise event,
agreeing to show its patents to banks; a bank finds its pledgeable patents and records a pledge."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from finance.models import Deal, Pledge
from matching.models import Event
from tests.finance.factories import DealFactory, PatentFactory, make_user
from tests.matching.factories import EventFactory, ensure_reference_data
from tests.matching.test_workflow_browser import login

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", "/tmp"))


def test_sme_opts_in_and_a_bank_records_a_pledge(page):
    ensure_reference_data()
    for amount in ("120000", "180000", "250000", "90000", "300000"):
        DealFactory(kind=Deal.Kind.TRANSFER, contract_amount=Decimal(amount), patents=None)
    listing = PatentFactory(published=True, title="一种煤矿巷道液压支护装置")
    sme_user = make_user("sme")
    sme_org = sme_user.membership.organization
    own = PatentFactory(owner=sme_org, title="一种带式输送机张紧装置", ipc_codes="B65G 23/44")
    event = EventFactory(title="知识产权质押融资银企对接会", kind=Event.Kind.BANK_SME)

    login(page, sme_user.username)
    page.goto(reverse("patents:detail", args=[listing.application_no]))
    guidance = page.locator("#price-guidance").inner_text()
    assert "10–30 万元/件" in guidance and "可比成交 5 笔" in guidance
    page.locator("#price-guidance").screenshot(path=str(SHOTS / "market-price-guidance.png"))

    page.goto(reverse("matching:event-detail", args=[event.pk]))
    page.check("#shares-with-banks")
    with page.expect_navigation():
        page.click("#register-button")
    assert page.locator("#bank-consent-form").is_visible()
    page.screenshot(path=str(SHOTS / "market-bank-event.png"), full_page=True)

    bank_user = make_user("bank")
    login(page, bank_user.username)
    page.goto(reverse("finance:pledge-candidates"))
    section = page.locator(f"section[data-borrower='{sme_org.pk}']")
    assert own.application_no in section.inner_text()
    page.screenshot(path=str(SHOTS / "market-pledge-candidates.png"), full_page=True)
    with page.expect_navigation():
        section.locator("a.btn").click()
    page.fill("#id_registration_no", "Y2026900001")
    page.fill("#id_registration_date", timezone.localdate().isoformat())
    page.check("input[name=patents]")
    page.fill("#id_amount", "2000000")
    page.fill("#id_term_months", "24")
    with page.expect_navigation():
        page.click("#record-form button[type=submit]")
    page.screenshot(path=str(SHOTS / "market-pledge-form.png"), full_page=True)
    pledge = Pledge.objects.get(registration_no="Y2026900001")
    assert pledge.borrower == sme_org and list(pledge.patents.all()) == [own]
    assert pledge.lender == bank_user.membership.organization
    assert page.url.endswith(reverse("finance:pledge-detail", args=[pledge.pk]))
    page.goto(reverse("finance:pledge-candidates"))
    assert own.application_no not in page.locator("main").inner_text()
