"""Headless Chromium walks the conversion loop: one SME goes from a recommended match through an
inquiry, agreed terms, a generated contract, a signed deal, a payment and a 6-month follow-up,
and the bureau sees it in the funnel and the effectiveness view; another SME takes an open
licence in one step."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from finance.models import Contract, Deal, FollowUp
from finance.services import follow_up_request_due
from finance.services.follow_ups import add_months
from matching.models import Inquiry
from patents.models import OpenLicense
from patents.services import open_license_declare
from portal.permissions import actor_for, system_actor
from tests.matching.factories import DemandFactory, MatchFactory, ensure_reference_data, make_patent
from tests.matching.test_workflow_browser import login
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", "/tmp"))


def test_from_a_recommended_match_to_a_patent_in_use(page):
    ensure_reference_data()
    owner_user = make_user("institution")
    patent = make_patent(
        owner=actor_for(owner_user).organization,
        title="一种乳制品低温杀菌保鲜装置",
        asking_price=Decimal("80000.00"),
    )
    sme_user = make_user("sme")
    demand = DemandFactory(organization=actor_for(sme_user).organization, title="乳制品保鲜技术引进")
    match = MatchFactory(demand=demand, patent=patent, score=0.91)
    bureau_user = make_user("bureau")

    # The SME sends an inquiry from the recommendation on its demand.
    login(page, sme_user.username)
    page.goto(reverse("demands:demand-detail", args=[demand.code]))
    with page.expect_navigation():
        page.locator(f'[data-match="{match.pk}"] [data-send-inquiry]').click()
    page.fill("#id_body", "我公司希望以普通许可方式实施该专利。")
    with page.expect_navigation():
        page.locator("#send-inquiry").click()
    inquiry = Inquiry.objects.get(match=match)

    # The institution accepts and agrees.
    login(page, owner_user.username)
    page.goto(reverse("matching:inquiry-detail", args=[inquiry.pk]))
    with page.expect_navigation():
        page.locator("#accept-button").click()
    with page.expect_navigation():
        page.locator('[data-transition="agreed"]').click()
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.AGREED

    # The SME drafts the contract from the model text, adjusts the price and confirms.
    login(page, sme_user.username)
    page.goto(reverse("matching:inquiry-detail", args=[inquiry.pk]))
    with page.expect_navigation():
        page.locator("#draft-contract").click()
    contract = Contract.objects.get(inquiry=inquiry)
    assert "一种乳制品低温杀菌保鲜装置" in page.locator("#contract-terms").inner_text()
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    with page.expect_navigation():
        page.locator("#edit-contract").click()
    page.fill("#id_amount", "90000.00")
    with page.expect_navigation():
        page.locator("#save-contract").click()
    with page.expect_navigation():
        page.locator("#confirm-contract").click()
    page.screenshot(path=str(SHOTS / "conversion-contract.png"), full_page=True)

    # The institution confirms: the contract is signed and the deal recorded, linked both ways.
    login(page, owner_user.username)
    page.goto(reverse("finance:contract-detail", args=[contract.pk]))
    with page.expect_navigation():
        page.locator("#confirm-contract").click()
    assert page.locator("#contract-status").get_attribute("data-status") == "signed"
    deal = Deal.objects.get(inquiry=inquiry)
    assert deal.contract_amount == Decimal("90000.00") and deal.license_scope == "ordinary"

    # The bureau registers the deal and records the payment.
    login(page, bureau_user.username)
    page.goto(reverse("finance:deal-detail", args=[deal.pk]))
    assert page.locator("#deal-inquiry-link").is_visible()
    page.fill("#register-form input[name=registration_no]", "2026990000123")
    with page.expect_navigation():
        page.locator("#register-form button").click()
    page.fill("#payment-form input[name=date]", timezone.localdate().isoformat())
    page.fill("#payment-form input[name=amount]", "90000.00")
    with page.expect_navigation():
        page.locator("#payment-form button").click()
    deal.refresh_from_db()
    assert deal.registration_no and deal.payments.count() == 1

    # Six months later the beat job asks the SME, which answers in the portal.
    assert follow_up_request_due(today=add_months(deal.contract_date, 6)) == 1
    follow_up = FollowUp.objects.get(deal=deal)
    login(page, sme_user.username)
    page.goto(reverse("matching:notification-list"))
    with page.expect_navigation():
        page.locator("#notification-list button:has-text('交易回访')").first.click()
    assert reverse("finance:follow-up-detail", args=[follow_up.pk]) in page.url
    page.select_option("#id_implemented", "yes")
    page.fill("#id_product", "低温鲜奶杀菌生产线")
    page.fill("#id_revenue", "1200000")
    page.fill("#id_jobs", "12")
    with page.expect_navigation():
        page.locator("#submit-follow-up").click()
    assert page.locator('[data-revision="1"]').is_visible()
    page.screenshot(path=str(SHOTS / "conversion-follow-up.png"), full_page=True)

    # The bureau sees it in the funnel and the effectiveness view, down to the deal.
    login(page, bureau_user.username)
    year = timezone.localdate().year
    page.goto(f"{reverse('reports:conversion')}?year={year}")
    counts = {
        stage: page.locator(f'[data-stage="{stage}"] [data-count]').get_attribute("data-count")
        for stage in ("inquiries", "agreed", "signed", "registered", "paid")
    }
    assert counts == {"inquiries": "1", "agreed": "1", "signed": "1", "registered": "1", "paid": "1"}
    assert page.locator("#eff-share").inner_text() == "100%"
    page.screenshot(path=str(SHOTS / "conversion-bureau.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#effectiveness-all").click()
    row = page.locator(f'[data-deal="{deal.pk}"]')
    assert "低温鲜奶杀菌生产线" in row.inner_text()


def test_an_sme_takes_an_open_licence_in_one_step(page):
    ensure_reference_data()
    owner_user = make_user("institution")
    patent = make_patent(owner=actor_for(owner_user).organization, title="一种羊绒纤维低损伤分梳装置")
    today = timezone.localdate()
    declaration = open_license_declare(
        patent=patent,
        actor=system_actor(),
        fee_mode=OpenLicense.FeeMode.LUMP_SUM,
        lump_sum=Decimal("30000.00"),
        starts_on=today,
        ends_on=today + dt.timedelta(days=3 * 365),
    )
    sme_user = make_user("sme")
    login(page, sme_user.username)
    page.goto(reverse("patents:detail", args=[patent.application_no]))
    with page.expect_navigation():
        page.locator("#take-open-license").click()
    assert "30,000" in page.locator("#open-license-terms").inner_text()
    page.check("#id_confirm")
    with page.expect_navigation():
        page.locator("#take-license").click()
    deal = Deal.objects.get(open_license=declaration)
    assert (deal.license_scope, deal.contract_amount, deal.buyer_id) == (
        "open",
        Decimal("30000.00"),
        actor_for(sme_user).organization_id,
    )
    assert reverse("finance:deal-detail", args=[deal.pk]) in page.url
    assert page.locator("#deal-open-license").is_visible()
    page.screenshot(path=str(SHOTS / "conversion-open-licence.png"), full_page=True)
