"""Price guidance (issue 16, item 4): bands from at least 5 comparable deals, by IPC subclass
else industry, and never a party or an exact amount on the listing, the inquiry or the API."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from finance import pricing
from finance.models import Deal
from matching.models import Inquiry
from patents.models import Patent
from tests.finance.factories import DealFactory, InstitutionFactory, PatentFactory, make_user, sme
from tests.patents.factories import industry

pytestmark = pytest.mark.django_db

# Distinctive amounts, so that any trace of one in a page can be found.
AMOUNTS = ["123457.89", "187654.32", "241234.56", "98765.43", "310987.65", "276543.21"]


def _deals(amounts, *, ipc="E21D 23/00", kind=Deal.Kind.TRANSFER, industries=(), start=0):
    deals = []
    for i, amount in enumerate(amounts, start=start):
        seller = InstitutionFactory(name=f"卖方机构MKS{i}Z大学")
        buyer = sme(name=f"买方企业MKB{i}Z有限公司")
        patent = PatentFactory(owner=seller, ipc_codes=ipc, industries=industries)
        deals.append(
            DealFactory(
                deal_no=f"MKNO{i}Z",
                kind=kind,
                license_scope="ordinary" if kind == Deal.Kind.LICENSE else "",
                seller=seller,
                buyer=buyer,
                patents=[patent],
                contract_amount=Decimal(amount),
                contract_date=dt.date(2020 + i % 4, 3, 1),
            )
        )
    return deals


def _listing(**kwargs):
    return PatentFactory(published=True, ipc_codes="E21D 15/00", **kwargs)


def test_bands_are_coarse_and_never_end_on_an_amount():
    assert pricing.band_floor(Decimal("12.3")) == 10
    assert pricing.band_ceiling(Decimal("12.3")) == 15
    assert pricing.band_ceiling(Decimal("15")) == 20  # an edge opens the next band
    assert pricing.band_floor(Decimal("420")) == 400 and pricing.band_ceiling(Decimal("420")) == 450
    assert pricing.band_floor(Decimal("0.4")) == 0 and pricing.band_ceiling(Decimal("0.4")) == 1
    with pytest.raises(ValueError):
        pricing.amount_range([Decimal(1)] * 4)


def test_same_ipc_subclass_gives_the_interquartile_band_count_and_years():
    deals = _deals(AMOUNTS)
    Deal.objects.filter(pk=deals[0].pk).update(status=Deal.Status.TERMINATED)  # not counted
    _deals(["500000"], kind=Deal.Kind.LICENSE, start=10)  # another kind: not counted
    guidance = pricing.price_guidance(patent=_listing(), kind=Deal.Kind.TRANSFER)
    assert guidance.enough and guidance.basis == pricing.Basis.IPC and guidance.comparable == "E21D"
    assert guidance.count == 5
    # 9.88, 18.77, 24.12, 27.65, 31.10 万: quartiles 18.77 and 27.65 → 15–30 万元.
    assert (guidance.low_wan, guidance.high_wan) == (Decimal(15), Decimal(30))
    assert (guidance.first_year, guidance.last_year) == (2020, 2023)


def test_a_deal_of_several_patents_counts_per_patent():
    deals = _deals(AMOUNTS[:5])
    extra = PatentFactory(owner=deals[0].seller, ipc_codes="E21D 23/00")
    deals[0].patents.add(extra)  # 123,457.89 over two patents: 6.17 万 each
    guidance = pricing.price_guidance(patent=_listing(), kind=Deal.Kind.TRANSFER)
    assert guidance.count == 5 and guidance.low_wan == Decimal(9)


def test_falls_back_to_the_industry_and_says_when_there_are_too_few():
    coal = industry("coal")
    _deals(AMOUNTS[:3])  # E21D: 3 deals only
    _deals(AMOUNTS[3:5], ipc="A01B 1/00", industries=[coal], start=3)
    listing = _listing(industries=[coal])
    assert not pricing.price_guidance(patent=listing, kind=Deal.Kind.TRANSFER).enough  # 2 in coal
    _deals(AMOUNTS[:3], ipc="H01M 10/00", industries=[coal], start=20)
    guidance = pricing.price_guidance(patent=listing, kind=Deal.Kind.TRANSFER)
    assert guidance.enough and guidance.basis == pricing.Basis.INDUSTRY and guidance.count == 5
    four = pricing.price_guidance(patent=_listing(industries=[industry("dairy")]), kind=Deal.Kind.TRANSFER)
    assert four.as_dict() == {"kind": "transfer", "enough": False}  # not even the count


def _exact_forms(amount: str) -> list[str]:
    value = Decimal(amount)
    wan = value / 10000
    return [
        amount,
        f"{value:,.2f}",
        f"{value:,.0f}",
        str(int(value)),
        f"{wan:.2f}",
        f"{wan:.1f}",
        f"{wan:.4f}".rstrip("0"),
    ]


def _assert_no_party_or_amount(body: str, deals) -> None:
    assert not re.search(r"MK[SB]\d+Z|MKNO\d+Z", body), "a party or deal number leaked"
    for deal in deals:
        for form in _exact_forms(str(deal.contract_amount)):
            assert form not in body, f"exact amount {form} leaked"


def test_listing_inquiry_and_api_show_bands_but_no_party_or_exact_amount(client):
    deals = _deals(AMOUNTS)
    listing = _listing()
    user = make_user("sme")
    client.force_login(user)
    page = client.get(reverse("patents:detail", args=[listing.application_no])).content.decode()
    assert 'id="price-guidance"' in page and "10–30" in page  # 6 deals: quartiles 13.95 and 26.77 万
    _assert_no_party_or_amount(page, deals)

    inquiry = Inquiry.objects.create(
        patent=listing, organization=user.membership.organization, subject="咨询", created_by=user
    )
    page = client.get(reverse("matching:inquiry-detail", args=[inquiry.pk])).content.decode()
    assert "10–30" in page
    _assert_no_party_or_amount(page, deals)

    response = client.get(reverse("api:price-guidance", args=[listing.application_no]))
    assert response.status_code == 200
    assert response.json() == [
        {
            "kind": "transfer",
            "enough": True,
            "basis": "ipc",
            "comparable": "E21D",
            "count": 6,
            "low_wan": "10",
            "high_wan": "30",
            "first_year": 2020,
            "last_year": 2023,
        }
    ]
    _assert_no_party_or_amount(response.content.decode(), deals)


def test_too_few_deals_show_no_band_and_visitors_are_asked_to_sign_in(client):
    deals = _deals(AMOUNTS[:4])
    listing = _listing()
    page = client.get(reverse("patents:detail", args=[listing.application_no])).content.decode()
    assert "登录后可查看" in page
    client.force_login(make_user("institution"))
    page = client.get(reverse("patents:detail", args=[listing.application_no])).content.decode()
    assert "可比成交不足 5 笔" in page and "万元/件" not in page
    _assert_no_party_or_amount(page, deals)
    client.logout()
    assert client.get(reverse("api:price-guidance", args=[listing.application_no])).status_code in (401, 403)


def test_unlisted_patents_are_not_found_in_the_api(client):
    draft = PatentFactory(listing_status=Patent.ListingStatus.DRAFT)
    client.force_login(make_user("sme"))
    assert client.get(reverse("api:price-guidance", args=[draft.application_no])).status_code == 404
