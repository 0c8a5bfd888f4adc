"""The district ranking: the composite score of each district's KPI growth, by the formula."""

from decimal import Decimal

import pytest

from reports.ranking import capped_growth, district_ranking
from tests.reports.conftest import A, B

pytestmark = pytest.mark.django_db


def test_capped_growth():
    assert capped_growth(3, 1) == 1  # +200% is capped at +100%
    assert capped_growth(0, 4) == -1
    assert capped_growth(5, 0) == 1  # from nothing: the cap
    assert capped_growth(0, 0) == 0
    assert capped_growth(11, 10) == Decimal("0.1")


def test_ranking_of_the_hand_built_data(kpi_data):
    ranking = district_ranking(year=2023)
    rows = ranking["districts"]
    assert [row["code"] for row in rows[:3]] == [B, A, "150603"]
    b, a = rows[0], rows[1]
    # A: sme (1 + 0.625 + 1) / 3 (D3 is terminated), institutions 1, benefited (0 + 0.0909 + 0) / 3,
    # pledges 1 (from 0), filings 0.
    assert a["components"] == {
        "sme_acquisitions": 0.875,
        "institution_transfers": 1.0,
        "smes_benefited": 0.0303,
        "sme_pledge_financing": 1.0,
        "product_filings": 0.0,
    }
    assert a["score"] == 58.11 and a["met_count"] == 2 and a["rank"] == 2
    # B: sme (−0.5 + 0.2500125 + 1) / 3, institutions (0 − 0.5 + 0.2500125 + 1) / 4,
    # benefited (0 + 1 + 1) / 3, pledges 1, filings 1.
    assert b["components"]["sme_acquisitions"] == 0.25
    assert b["components"]["institution_transfers"] == 0.1875
    assert b["score"] == 62.08 and b["met_count"] == 1 and b["rank"] == 1
    # Districts without any record score 0 and follow in code order.
    assert [row["score"] for row in rows[2:]] == [0.0] * 7
    assert [row["code"] for row in rows[2:]] == sorted(row["code"] for row in rows[2:])
    assert ranking["weights"] == dict.fromkeys(a["components"], 0.2)
