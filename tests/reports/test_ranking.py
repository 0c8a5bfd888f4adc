"""The district ranking: the composite score of each district's KPI growth, neutral components
for activities a district does not have, districts without any activity listed apart; and the
award allocation from the scores."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.permissions import system_actor
from reports import services
from reports.models import AwardBudget
from reports.ranking import award_allocation, capped_growth, district_ranking, rank_districts
from tests.portal.factories import make_user
from tests.reports.conftest import A, B, org, pledge

pytestmark = pytest.mark.django_db
C = "150603"  # 康巴什区


def test_capped_growth():
    assert capped_growth(3, 1) == 1  # +200% is capped at +100%
    assert capped_growth(0, 4) == -1
    assert capped_growth(5, 0) == 1  # from nothing: the cap
    assert capped_growth(0, 0) == 0
    assert capped_growth(11, 10) == Decimal("0.1")


def test_ranking_of_the_hand_built_data(kpi_data):
    ranking = district_ranking(year=2023)
    rows = ranking["districts"]
    assert [row["code"] for row in rows[:2]] == [B, A]
    b, a = rows[0], rows[1]
    # A: sme over patents, contract and received amount (1 + 0.625 + 1) / 3 (D3 is terminated:
    # 3 patents and 130,000.00 against 1 and 80,000.00; received 120,000.00 against 30,000.00),
    # institutions 1, benefited (0 + 0.0909 + 0) / 3 (2 SMEs in both years), pledges 1 (from 0),
    # filings 0.
    assert a["components"] == {
        "sme_acquisitions": 0.875,
        "institution_transfers": 1.0,
        "smes_benefited": 0.0303,
        "sme_pledge_financing": 1.0,
        "product_filings": 0.0,
    }
    # 100 × (0.875 + 1 + 0.0303… + 1 + 0) / 5 = 58.11. Only institution transfers are met: KPI 1
    # and 4 are judged on the average growth since 2020 (no records then), filings are flat and
    # the number of SMEs benefited did not grow.
    assert a["score"] == 58.11 and a["met_count"] == 1 and a["rank"] == 2 and a["neutral"] == []
    # B: sme (−0.5 + 0.2500125 + 1) / 3, institutions over patents, contract and received amount
    # (−0.5 + 0.2500125 + 1) / 3 (not the number of deals), benefited (0 + 1 + 1) / 3, pledges 1,
    # filings 1: 100 × (0.25 + 0.25 + 0.6667 + 1 + 1) / 5 = 63.33, ahead of A. Filings are met.
    assert b["components"]["sme_acquisitions"] == 0.25
    assert b["components"]["institution_transfers"] == 0.25
    assert b["score"] == 63.33 and b["met_count"] == 1 and b["rank"] == 1
    # The seven districts without any record: listed after the ranked ones, in code order, unranked.
    idle = rows[2:]
    assert [row["code"] for row in idle] == sorted(row["code"] for row in idle)
    assert all(row["active"] is False and row["rank"] is None and row["score"] is None for row in idle)
    assert all(set(row["components"].values()) == {None} for row in idle)
    assert ranking["weights"] == dict.fromkeys(a["components"], 0.2)


def block(values: dict, previous: dict) -> dict:
    return {"values": values, "previous": previous, "met": False}


ZERO_DEALS = {"deals": 0, "patents": 0, "contract_amount": "0.00", "received_amount": "0.00"}


def row(code: str, **indicators) -> dict:
    blocks = {
        "sme_acquisitions": block(ZERO_DEALS, ZERO_DEALS),
        "institution_transfers": block(ZERO_DEALS, ZERO_DEALS),
        "smes_benefited": block(
            {"count": 0, "revenue": "0.00", "employees": 0}, {"count": 0, "revenue": "0.00", "employees": 0}
        ),
        "sme_pledge_financing": block({"count": 0, "amount": "0.00"}, {"count": 0, "amount": "0.00"}),
        "product_filings": block({"count": 0}, {"count": 0}),
    }
    blocks.update(indicators)
    return {"code": code, "name": code, "indicators": blocks}


def test_a_component_without_activity_in_either_year_is_neutral():
    # A district without a university: no institution transfers in either year. Its score is
    # the mean over the other indicators, not capped at 80 by a zero.
    grown = {"deals": 2, "patents": 2, "contract_amount": "200.00", "received_amount": "200.00"}
    base = {"deals": 1, "patents": 1, "contract_amount": "100.00", "received_amount": "100.00"}
    rows = rank_districts(
        [
            row(
                "X",
                sme_acquisitions=block(grown, base),
                smes_benefited=block(
                    {"count": 2, "revenue": "2.00", "employees": 2},
                    {"count": 1, "revenue": "1.00", "employees": 1},
                ),
                sme_pledge_financing=block({"count": 2, "amount": "2.00"}, {"count": 1, "amount": "1.00"}),
                product_filings=block({"count": 2}, {"count": 1}),
            ),
            # Activity that fell away counts: 1 → 0 is −100 %, not neutral.
            row("Y", product_filings=block({"count": 0}, {"count": 1})),
        ]
    )
    x, y = rows
    assert x["neutral"] == ["institution_transfers"]
    assert x["components"]["institution_transfers"] is None
    assert x["score"] == 100.0  # every active component at the cap
    assert y["neutral"] == [
        "sme_acquisitions",
        "institution_transfers",
        "smes_benefited",
        "sme_pledge_financing",
    ]
    assert y["score"] == -100.0 and y["rank"] == 2 and y["active"] is True


def test_districts_with_no_activity_follow_active_districts_that_dipped(kpi_data):
    # 康巴什区 had a pledge in 2022 and none in 2023: it dipped (pledges −100 %; SMEs benefited
    # (−1 + 0 + 0) / 3; the other three neutral: 100 × (−1 − 1/3) / 2) and is still ranked above
    # the districts that did nothing.
    sme_c = org("丙一科技", "sme", C)
    pledge("PLC", sme_c, dt.date(2022, 5, 5), "10000.00")
    rows = district_ranking(year=2023)["districts"]
    c = next(r for r in rows if r["code"] == C)
    assert c["active"] and c["score"] == -66.67 and c["rank"] == 3
    assert [r["code"] for r in rows[:3]] == [B, A, C]
    assert all(not r["active"] for r in rows[3:])


def ranking_of(scores: dict[str, float | None]) -> dict:
    rows = [
        {
            "code": code,
            "name": code,
            "rank": i + 1 if score is not None else None,
            "active": score is not None,
            "score": score,
        }
        for i, (code, score) in enumerate(scores.items())
    ]
    return {"year": 2023, "districts": rows}


def test_award_shares_add_up_to_the_budget_exactly():
    allocation = award_allocation(
        ranking_of({"P": 1.0, "Q": 1.0, "R": 1.0, "S": -5.0, "T": None}), Decimal("100.00")
    )
    amounts = {row["code"]: row["amount"] for row in allocation["districts"]}
    # 33.333… each: rounded down to 33.33, the cent left goes to the better-ranked of the tie.
    assert amounts == {
        "P": Decimal("33.34"),
        "Q": Decimal("33.33"),
        "R": Decimal("33.33"),
        "S": Decimal("0.00"),
        "T": Decimal("0.00"),
    }
    assert sum(amounts.values()) == Decimal("100.00")
    assert all(isinstance(value, Decimal) for value in amounts.values())
    # Largest remainder first: 63.94 and 63.33 of 1,000,000.01.
    allocation = award_allocation(ranking_of({"A": 63.94, "B": 63.33}), Decimal("1000000.01"))
    amounts = [row["amount"] for row in allocation["districts"]]
    assert amounts == [Decimal("502396.48"), Decimal("497603.53")]
    assert sum(amounts) == Decimal("1000000.01")


def test_no_allocation_when_no_district_scored_above_zero():
    allocation = award_allocation(ranking_of({"P": -3.0, "Q": 0.0, "T": None}), Decimal("5000.00"))
    assert allocation["allocated"] is False and allocation["allocated_total"] == Decimal("0.00")
    assert {row["amount"] for row in allocation["districts"]} == {Decimal("0.00")}


def test_award_budget_page_and_exports(client, kpi_data):
    client.force_login(make_user("bureau"))
    url = reverse("reports:ranking")
    response = client.post(f"{url}?year=2023", {"amount": "1000000.00"})
    assert response.status_code == 302
    assert AwardBudget.objects.get(year=2023).amount == Decimal("1000000.00")
    page = client.get(url, {"year": 2023})
    html = page.content.decode()
    assert "建议奖补额 = 奖补资金总额 × max(综合得分, 0) ÷ Σ max(综合得分, 0)" in html
    allocation = page.context["allocation"]
    # B 63.33 and A 58.11 of 121.44 points: 521,492.0948… and 478,507.9051…, rounded down to the
    # cent; the cent left goes to A (remainder 0.0051… against B's 0.0048…).
    assert [(r["code"], r["amount"]) for r in allocation["districts"][:2]] == [
        (B, Decimal("521492.09")),
        (A, Decimal("478507.91")),
    ]
    assert (
        sum(r["amount"] for r in allocation["districts"])
        == Decimal("1000000.00")
        == allocation["allocated_total"]
    )
    assert 'id="award-total">¥1,000,000.00<' in html
    xlsx = client.get(reverse("reports:award-export", args=["xlsx"]), {"year": 2023})
    assert xlsx["Content-Disposition"] == 'attachment; filename="award-allocation-2023.xlsx"'
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "建议奖补额（元）"
    assert rows[1][:3] == (1, B, "东胜区") and rows[1][-1] == 521492.09
    assert rows[2][:3] == (2, A, "准格尔旗") and rows[2][-1] == 478507.91
    total = next(r for r in rows if r[2] == "合计")
    assert total[-1] == 1000000
    csv = client.get(reverse("reports:award-export", args=["csv"]), {"year": 2023})
    assert "准格尔旗" in csv.content.decode("utf-8-sig")
    # A bad amount is refused with a message, nothing saved.
    response = client.post(f"{url}?year=2023", {"amount": "-5"})
    assert response.status_code == 200 and AwardBudget.objects.get(year=2023).amount == Decimal("1000000.00")


def test_award_budget_service_validates(db):
    with pytest.raises(Exception, match="年度无效"):
        services.award_budget_set(year=1900, amount=Decimal("1"), actor=system_actor())


def test_ranking_and_award_are_for_city_staff(client, db):
    client.force_login(make_user("district_officer"))
    assert client.get(reverse("reports:ranking")).status_code == 403
    assert client.get(reverse("reports:award-export", args=["csv"])).status_code == 403
