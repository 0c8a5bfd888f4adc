"""The bureau's conversion pages: the funnel measured on the links (not on free text), the
conversion effectiveness by industry, district and seller with its drill-down, and KPI 3's
drill-down linking each benefited SME to its follow-up answers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import services
from finance.models import FollowUp
from finance.services.follow_ups import add_months
from patents.models import Patent
from portal.permissions import actor_for, system_actor
from reports import conversion
from tests.finance.conversion_helpers import agreed_inquiry
from tests.finance.factories import DealFactory, InstitutionFactory, PaymentFactory, sme
from tests.matching.factories import make_patent
from tests.patents.factories import industry
from tests.portal.factories import make_user, region

pytestmark = pytest.mark.django_db


def _signed(inquiry, by_sme, by_owner):
    contract = services.contract_draft(inquiry=inquiry, actor=actor_for(by_sme))
    services.contract_confirm(contract=contract, actor=actor_for(by_sme))
    return services.contract_confirm(contract=contract, actor=actor_for(by_owner)).deal


def test_funnel_counts_inquiries_through_their_links():
    year = timezone.localdate().year
    sme_user, owner_user, paid_inquiry = agreed_inquiry()
    deal = _signed(paid_inquiry, sme_user, owner_user)
    services.deal_register(deal=deal, actor=system_actor(), registration_no="DJ-LOOP-1")
    PaymentFactory(deal=deal, date=timezone.localdate(), amount=Decimal("1000.00"))
    s2, o2, signed_only = agreed_inquiry()
    _signed(signed_only, s2, o2)
    agreed_inquiry()  # agreed, no contract
    # An agreed inquiry whose contract number was typed in free text only does not count as signed.
    _s4, _o4, typed = agreed_inquiry()
    typed.deal_reference = "HT-TYPED-1"
    typed.save(update_fields=["deal_reference"])
    DealFactory(
        deal_no="HT-TYPED-1", seller=typed.patent.owner, buyer=typed.organization, patents=[typed.patent]
    )
    from matching.services.inquiries import inquiry_create

    inquiry_create(actor=actor_for(make_user("sme")), patent=make_patent(), body="还在询价")
    funnel = {row["key"]: row["count"] for row in conversion.conversion_funnel(year=year, district=None)}
    assert funnel == {"inquiries": 5, "agreed": 4, "signed": 2, "registered": 1, "paid": 1}
    shares = [row["share"] for row in conversion.conversion_funnel(year=year, district=None)]
    assert shares == [None, 80, 50, 50, 100]
    other = {row["key"]: row["count"] for row in conversion.conversion_funnel(year=year, district="150626")}
    assert other["inquiries"] == 0


def _deal_with_answer(*, seller, buyer, answer: dict | None, industries=(), day=dt.date(2025, 3, 1)):
    patent = make_patent(owner=seller, industries=list(industries))
    deal = DealFactory(seller=seller, buyer=buyer, patents=[patent], contract_date=day)
    follow_up = FollowUp.objects.create(deal=deal, months=6, due_on=add_months(day, 6), organization=buyer)
    if answer is not None:
        user = make_user("sme", organization=buyer)
        services.follow_up_answer(follow_up=follow_up, actor=actor_for(user), **answer)
    return deal


def test_effectiveness_by_industry_district_and_seller_with_drill_down():
    coal, dairy = industry("coal"), industry("dairy")
    seller_a, seller_b = InstitutionFactory(), InstitutionFactory()
    buyer_1 = sme(region=region("150621"))
    buyer_2 = sme(region=region("150602"))
    used = _deal_with_answer(
        seller=seller_a,
        buyer=buyer_1,
        industries=[coal],
        answer={"implemented": True, "product": "液压支架", "revenue": Decimal("500000"), "jobs": 8},
    )
    _deal_with_answer(seller=seller_a, buyer=buyer_2, industries=[dairy], answer={"implemented": False})
    _deal_with_answer(seller=seller_b, buyer=buyer_2, industries=[dairy], answer=None)
    DealFactory(seller=seller_b, buyer=InstitutionFactory(), contract_date=dt.date(2025, 4, 1))  # not an SME
    summary = conversion.effectiveness_summary(year=2025, district=None)
    overall = summary["overall"]
    assert (overall["deals"], overall["asked"], overall["answered"], overall["implemented"]) == (3, 3, 2, 1)
    assert (
        overall["share_implemented"] == 50
        and overall["revenue"] == Decimal("500000")
        and overall["jobs"] == 8
    )
    by_industry = {row["key"]: row for row in summary["rows"]["industry"]}
    assert by_industry["coal"]["share_implemented"] == 100 and by_industry["dairy"]["deals"] == 2
    assert by_industry["dairy"]["share_implemented"] == 0
    by_seller = {row["key"]: row["deals"] for row in summary["rows"]["seller"]}
    assert by_seller == {seller_a.pk: 2, seller_b.pk: 1}
    by_district = {row["key"]: row["deals"] for row in summary["rows"]["district"]}
    assert by_district == {"150621": 1, "150602": 2}
    # The drill-down behind a group row, and the district scope of a district officer.
    assert list(conversion.effectiveness_deals(year=2025, district=None, industry="coal")) == [used]
    assert conversion.effectiveness_deals(year=2025, district="150602").count() == 2
    assert conversion.effectiveness_deals(year=2025, district=None, seller=seller_b.pk).count() == 1


def test_a_later_revision_replaces_the_earlier_answer_in_the_figures():
    buyer = sme()
    deal = _deal_with_answer(
        seller=InstitutionFactory(), buyer=buyer, answer={"implemented": False}, day=dt.date(2025, 2, 1)
    )
    follow_up = deal.follow_ups.get()
    services.follow_up_answer(
        follow_up=follow_up,
        actor=actor_for(make_user("sme", organization=buyer)),
        implemented=True,
        product="羊绒分梳机",
        revenue=Decimal("80000"),
        jobs=2,
    )
    # The 12-month answer is the latest: it counts instead of the 6-month one.
    later = FollowUp.objects.create(deal=deal, months=12, due_on=dt.date(2026, 2, 1), organization=buyer)
    services.follow_up_answer(
        follow_up=later,
        actor=actor_for(make_user("sme", organization=buyer)),
        implemented=True,
        product="羊绒分梳机",
        revenue=Decimal("200000"),
        jobs=5,
    )
    overall = conversion.effectiveness_summary(year=2025, district=None)["overall"]
    assert (overall["implemented"], overall["revenue"], overall["jobs"]) == (1, Decimal("200000"), 5)


def test_conversion_pages_for_the_bureau(client, django_assert_max_num_queries):
    seller = InstitutionFactory()
    buyer = sme(region=region("150621"))
    for _n in range(3):
        _deal_with_answer(
            seller=seller,
            buyer=buyer,
            industries=[industry("coal")],
            answer={"implemented": True, "product": "液压支架", "revenue": Decimal("1000"), "jobs": 1},
        )
    client.force_login(make_user("bureau"))
    page = client.get(reverse("reports:conversion"), {"year": 2025})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="funnel"' in body and 'id="eff-share"' in body and "100%" in body
    with django_assert_max_num_queries(12):
        deals = client.get(reverse("reports:conversion-deals"), {"year": 2025, "industry": "coal"})
    assert deals.content.decode().count("液压支架") == 3
    client.force_login(make_user("sme"))
    assert client.get(reverse("reports:conversion")).status_code == 403


def test_kpi3_drilldown_links_each_benefited_sme_to_its_follow_up_answers(client):
    buyer = sme(region=region("150621"))
    deal = _deal_with_answer(
        seller=InstitutionFactory(),
        buyer=buyer,
        answer={"implemented": True, "product": "乳品杀菌机", "revenue": Decimal("9000"), "jobs": 3},
        day=dt.date(2025, 5, 1),
    )
    client.force_login(make_user("bureau"))
    page = client.get(reverse("reports:drilldown", args=["smes_benefited.count"]), {"year": 2025})
    link = f"{reverse('reports:conversion-deals')}?buyer={buyer.pk}&amp;year=2025"
    assert link in page.content.decode()
    evidence = client.get(reverse("reports:conversion-deals"), {"buyer": buyer.pk, "year": 2025})
    text = evidence.content.decode()
    assert deal.deal_no in text and "乳品杀菌机" in text
    assert reverse("finance:follow-up-detail", args=[deal.follow_ups.get().pk]) in text
    # The answer marked the patent implemented: it is no longer dormant.
    assert Patent.objects.filter(deals=deal, implemented=True, dormant=False).exists()
