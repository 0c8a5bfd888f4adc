"""The clean-up pages in headless Chromium: the checks page, a count's link to the filtered
change list, a duplicate merged through the preview."""

import pytest
from django.test import Client

from demands.models import Demand
from patents.models import Patent
from portal.models import Organization
from tests.demands.factories import DemandFactory
from tests.finance.factories import sme
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as_admin(page, live_server):
    client = Client()
    client.force_login(make_user("admin"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_checks_page_link_and_merge(page, live_server):
    lapsed = PatentFactory(
        published=True, legal_status=Patent.LegalStatus.LAPSED, title="一种已失效的挂牌专利"
    )
    PatentFactory(published=True, title="一种有效的挂牌专利")
    keep = sme(name="伊金霍洛旗重复测试有限公司")
    drop = sme(name="伊金霍洛旗 重复测试有限公司")
    DemandFactory(organization=drop)
    sign_in_as_admin(page, live_server)
    # The merge preview computes the KPIs four times: slow on a loaded two-core machine.
    page.set_default_timeout(60_000)

    page.goto("/admin/cleanup/qualitycount/")
    row = page.locator("#check-listed_but_not_in_force")
    assert row.locator("td.count").inner_text() == "1"
    with page.expect_navigation():
        row.locator("td.count a").click()
    assert "data_quality=listed_but_not_in_force" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and lapsed.application_no in rows.first.inner_text()

    page.goto("/admin/cleanup/qualitycount/")
    assert page.locator("#check-duplicate_organizations td.count").inner_text() == "2"
    with page.expect_navigation():
        page.locator("#duplicate-groups a.merge-link").first.click()
    assert "demands.Demand.organization" in page.locator("#merge-moves").inner_text()
    assert page.locator("#no-impact").is_visible()
    with page.expect_navigation():
        page.click("input[name=merge]")
    assert "/admin/cleanup/cleanuprun/" in page.url
    assert Demand.objects.get().organization_id == keep.pk
    assert not Organization.objects.filter(pk=drop.pk).exists()
