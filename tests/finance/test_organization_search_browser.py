"""The borrower of a pledge is found by typing in its search box: the server answers with the
organizations that may be borrowers (no banks or government bodies) whose name or code matches."""

import pytest
from django.urls import reverse

from portal.models import Organization
from tests.matching.test_workflow_browser import login
from tests.portal.factories import OrganizationFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)
Kind = Organization.Kind


def test_the_borrower_box_asks_the_server_and_offers_parties_only(page):
    hengda = OrganizationFactory(name="鄂尔多斯市恒达煤矿装备有限公司", kind=Kind.SME)
    OrganizationFactory(name="恒达农村商业银行", kind=Kind.BANK)
    OrganizationFactory(name="鄂尔多斯市瑞丰智能制造有限公司", kind=Kind.SME)
    user = make_user("bank")
    login(page, user.username)
    page.goto(reverse("finance:pledge-create"))
    box = page.locator('input.org-search[data-for="id_borrower"]')
    box.fill("恒达")
    page.wait_for_selector("#id_borrower[data-org-results]")
    options = page.locator("#id_borrower option").all_inner_texts()
    assert any("恒达煤矿装备" in text for text in options)
    assert not any("银行" in text or "瑞丰" in text for text in options)
    # One match: chosen, as an autocomplete would.
    assert page.locator("#id_borrower").input_value() == str(hengda.pk)
    # Emptying the box brings back the whole list of the page.
    box.fill("")
    page.wait_for_function("document.querySelectorAll('#id_borrower option').length > 2")
    assert any("瑞丰" in text for text in page.locator("#id_borrower option").all_inner_texts())
