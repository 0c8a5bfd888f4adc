"""Every KPI value, growth and met flag of the hand-built data set (see conftest.py), for the
city and for each district, and the fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import Deal, Payment
from matching.models import Inquiry, Match
from reports import kpi
from tests.demands.factories import DemandFactory
from tests.reports.conftest import A, B, make_deal, org, pay, pledge

pytestmark = pytest.mark.django_db

# The targets of the seeded 2021-2023 plan (reports migration 0004): test_plan.py checks them.
T_SME = "专利数、合同成交额、实际到账金额年均增幅均不低于20%（基期2020年）"
T_INST = "专利数、合同成交额、实际到账金额同比均增长（增长率大于0）"
T_BENEFITED = "受益企业数、营业收入、从业人数均高于上年"
T_PLEDGE = "质押笔数、融资金额年均增幅均不低于20%（基期2020年）"
T_FILINGS = "备案数高于上年"
T_ROADSHOWS = "2021年至2023年底举办路演、供需对接活动不少于3场"
T_NAVIGATION = "每年启动专利导航项目不少于1项"
T_SUBSIDIES = "资助金额不超过已缴官费的50%（违规0项）"
T_AGRICULTURE = "农牧业专利优先向旗（县域）转移转化（规划未设数量目标）"


def plan(counted_to: str, count: int) -> dict:
    return {"start": "2021-01-01", "end": "2023-12-31", "counted_to": counted_to, "count": count, "target": 3}


CITY_2023 = {
    "year": 2023,
    "district": None,
    "indicators": {
        "sme_acquisitions": {
            # D1 D2 D5; not D3 (terminated: only its 10,000 received counts), D4 (buyer outside
            # the city), D6 (SOE), D7 (2024).
            "values": {
                "deals": 3,
                "patents": 3,
                "contract_amount": "180000.50",
                "received_amount": "155000.25",
            },
            "previous": {
                "deals": 2,
                "patents": 3,
                "contract_amount": "120000.00",
                "received_amount": "40000.00",
            },
            "growth": {"deals": 0.5, "patents": 0.0, "contract_amount": 0.5, "received_amount": 2.875},
            "target": T_SME,
            "met": False,  # no base-year (2020) figures: average growth null
        },
        "institution_transfers": {
            "values": {
                "deals": 4,
                "patents": 4,
                "contract_amount": "230000.50",
                "received_amount": "225000.25",
            },
            "previous": {
                "deals": 2,
                "patents": 3,
                "contract_amount": "120000.00",
                "received_amount": "40000.00",
            },
            "growth": {"deals": 1.0, "patents": 0.3333, "contract_amount": 0.9167, "received_amount": 4.625},
            "target": T_INST,
            "met": True,
        },
        "smes_benefited": {
            # sme_a2 bought only D3 (terminated) in 2023: not benefited.
            "values": {"count": 3, "revenue": "1700000.50", "employees": 75},
            "previous": {"count": 3, "revenue": "1100000.00", "employees": 55},
            "growth": {"count": 0.0, "revenue": 0.5455, "employees": 0.3636},
            "target": T_BENEFITED,
            "met": False,
        },
        "sme_pledge_financing": {
            # Nothing in 2022: growth is null and a growth target cannot be met.
            "values": {"count": 2, "amount": "750000.00"},
            "previous": {"count": 0, "amount": "0.00"},
            "growth": {"count": None, "amount": None},
            "target": T_PLEDGE,
            "met": False,
        },
        "product_filings": {
            "values": {"count": 2},
            "previous": {"count": 1},
            "growth": {"count": 1.0},
            "target": T_FILINGS,
            "met": True,
        },
    },
    "activities": {
        "roadshows": {
            # Held ones only: not the cancelled roadshow of 2023 nor the planned one of 2022.
            "count": 1,
            "previous": 1,
            "growth": 0.0,
            "plan_period": plan("2023-12-31", 4),
            "target": T_ROADSHOWS,
            "met": True,
        },
        "navigation_projects": {
            "count": 1,
            "previous": 1,
            "growth": 0.0,
            "target": T_NAVIGATION,
            "met": True,
        },
        "subsidies": {
            "count": 2,
            "amount": "1600.00",
            "previous": {"count": 1, "amount": "300.00"},
            "growth": {"count": 1.0, "amount": 4.3333},
            "violations": 1,
            "target": T_SUBSIDIES,
            "met": False,
        },
        "agricultural_patents": {"patents": 3, "to_county_level": 2, "target": T_AGRICULTURE, "met": None},
    },
}

DISTRICT_A_2023 = {
    "year": 2023,
    "district": A,
    "indicators": {
        "sme_acquisitions": {
            # D1 D5 (p1 p2 p5); not D3 (terminated), whose 10,000 received still counts:
            # 50,000 (E1) + 60,000 (D1) + 10,000 (D3).
            "values": {
                "deals": 2,
                "patents": 3,
                "contract_amount": "130000.00",
                "received_amount": "120000.00",
            },
            "previous": {
                "deals": 1,
                "patents": 1,
                "contract_amount": "80000.00",
                "received_amount": "30000.00",
            },
            "growth": {"deals": 1.0, "patents": 2.0, "contract_amount": 0.625, "received_amount": 3.0},
            "target": T_SME,
            "met": False,  # no base-year (2020) figures: average growth null
        },
        "institution_transfers": {
            "values": {
                "deals": 3,
                "patents": 4,
                "contract_amount": "180000.00",
                "received_amount": "190000.00",
            },
            "previous": {
                "deals": 1,
                "patents": 1,
                "contract_amount": "80000.00",
                "received_amount": "30000.00",
            },
            "growth": {"deals": 2.0, "patents": 3.0, "contract_amount": 1.25, "received_amount": 5.3333},
            "target": T_INST,
            "met": True,
        },
        "smes_benefited": {
            # sme_a1 and sme_a3 (insured 2023); not sme_a2 (only D3, terminated).
            "values": {"count": 2, "revenue": "1200000.00", "employees": 55},
            "previous": {"count": 2, "revenue": "1100000.00", "employees": 55},
            "growth": {"count": 0.0, "revenue": 0.0909, "employees": 0.0},
            "target": T_BENEFITED,
            "met": False,
        },
        "sme_pledge_financing": {
            "values": {"count": 1, "amount": "500000.00"},
            "previous": {"count": 0, "amount": "0.00"},
            "growth": {"count": None, "amount": None},
            "target": T_PLEDGE,
            "met": False,
        },
        "product_filings": {
            "values": {"count": 1},
            "previous": {"count": 1},
            "growth": {"count": 0.0},
            "target": T_FILINGS,
            "met": False,
        },
    },
    "activities": {
        "roadshows": {
            "count": 0,
            "previous": 0,
            "growth": None,
            "plan_period": plan("2023-12-31", 2),
            "target": T_ROADSHOWS,
            "met": False,
        },
        "navigation_projects": {
            "count": 1,
            "previous": 0,
            "growth": None,
            "target": T_NAVIGATION,
            "met": True,
        },
        "subsidies": {
            "count": 1,
            "amount": "600.00",
            "previous": {"count": 1, "amount": "300.00"},
            "growth": {"count": 0.0, "amount": 1.0},
            "violations": 1,
            "target": T_SUBSIDIES,
            "met": False,
        },
        "agricultural_patents": {"patents": 2, "to_county_level": 2, "target": T_AGRICULTURE, "met": None},
    },
}

DISTRICT_B_2023 = {
    "year": 2023,
    "district": B,
    "indicators": {
        "sme_acquisitions": {
            "values": {
                "deals": 1,
                "patents": 1,
                "contract_amount": "50000.50",
                "received_amount": "35000.25",
            },
            "previous": {
                "deals": 1,
                "patents": 2,
                "contract_amount": "40000.00",
                "received_amount": "10000.00",
            },
            "growth": {"deals": 0.0, "patents": -0.5, "contract_amount": 0.25, "received_amount": 2.5},
            "target": T_SME,
            "met": False,
        },
        "institution_transfers": {
            "values": {
                "deals": 1,
                "patents": 1,
                "contract_amount": "50000.50",
                "received_amount": "35000.25",
            },
            "previous": {
                "deals": 1,
                "patents": 2,
                "contract_amount": "40000.00",
                "received_amount": "10000.00",
            },
            "growth": {"deals": 0.0, "patents": -0.5, "contract_amount": 0.25, "received_amount": 2.5},
            "target": T_INST,
            "met": False,
        },
        "smes_benefited": {
            # sme_b1 has no 2022 figures: they count as 0, so revenue growth is null, yet higher.
            "values": {"count": 1, "revenue": "500000.50", "employees": 20},
            "previous": {"count": 1, "revenue": "0.00", "employees": 0},
            "growth": {"count": 0.0, "revenue": None, "employees": None},
            "target": T_BENEFITED,
            "met": False,
        },
        "sme_pledge_financing": {
            "values": {"count": 1, "amount": "250000.00"},
            "previous": {"count": 0, "amount": "0.00"},
            "growth": {"count": None, "amount": None},
            "target": T_PLEDGE,
            "met": False,
        },
        "product_filings": {
            # "More than in Y−1" is a plain comparison: met from 0 even though growth is null.
            "values": {"count": 1},
            "previous": {"count": 0},
            "growth": {"count": None},
            "target": T_FILINGS,
            "met": True,
        },
    },
    "activities": {
        "roadshows": {
            "count": 1,
            "previous": 0,
            "growth": None,
            "plan_period": plan("2023-12-31", 1),
            "target": T_ROADSHOWS,
            "met": False,
        },
        "navigation_projects": {
            "count": 0,
            "previous": 0,
            "growth": None,
            "target": T_NAVIGATION,
            "met": False,
        },
        "subsidies": {
            "count": 1,
            "amount": "1000.00",
            "previous": {"count": 0, "amount": "0.00"},
            "growth": {"count": None, "amount": None},
            "violations": 0,
            "target": T_SUBSIDIES,
            "met": True,
        },
        "agricultural_patents": {"patents": 1, "to_county_level": 0, "target": T_AGRICULTURE, "met": None},
    },
}


def in_plan(expected: dict) -> dict:
    """The expected report within the seeded plan: the hand-built data has no record in the base
    year 2020, so every average growth is null (and KPI 1 and 4, judged on it, are not met)."""
    from tests.reports.test_plan import PLAN_2021_2023

    indicators = {
        name: {**block, "average_growth": dict.fromkeys(block["values"])}
        for name, block in expected["indicators"].items()
    }
    return {**expected, "plan": PLAN_2021_2023, "indicators": indicators}


def test_city_report_2023(kpi_data):
    assert kpi.kpi_report(year=2023) == in_plan(CITY_2023)


def test_district_a_report_2023(kpi_data):
    assert kpi.kpi_report(year=2023, district=A) == in_plan(DISTRICT_A_2023)


def test_district_b_report_2023(kpi_data):
    assert kpi.kpi_report(year=2023, district=B) == in_plan(DISTRICT_B_2023)


def test_grouped_queries_give_the_same_figures_as_one_district_at_a_time(kpi_data):
    rows = kpi.kpi_districts(year=2023)
    assert [row["code"] for row in rows] == [
        "150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627",
    ]  # fmt: skip
    for row in rows:
        expected = kpi.kpi_report(year=2023, district=row["code"])
        assert {key: row[key] for key in expected} == expected, row["code"]
    empty = next(row for row in rows if row["code"] == "150627")
    assert empty["indicators"]["sme_acquisitions"]["values"] == {
        "deals": 0,
        "patents": 0,
        "contract_amount": "0.00",
        "received_amount": "0.00",
    }


def test_a_payment_counts_in_the_year_it_is_received_whatever_the_contract_year(kpi_data):
    # E1 (2022) was paid 30,000 in 2022 and 50,000 in 2023; D1 (2023) has 40,000 paid in 2024.
    report_2024 = kpi.kpi_report(year=2024, district=A)
    assert report_2024["indicators"]["sme_acquisitions"]["values"]["received_amount"] == "40000.00"
    assert report_2024["indicators"]["sme_acquisitions"]["values"]["deals"] == 1  # D7, 2024-01-01


def test_sme_outside_the_city_counts_nowhere_as_sme(kpi_data):
    # sme_out bought D4 and E3, borrowed PL2, was insured (IP2), filed F3 and has huge figures.
    report = kpi.kpi_report(year=2023)
    assert report["indicators"]["smes_benefited"]["values"]["employees"] == 75
    # ...but the university in the city that sold D4 counts it as an institution transfer.
    assert report["indicators"]["institution_transfers"]["values"]["deals"] == 4


def test_trend_from_2021(kpi_data):
    trend = kpi.kpi_trend(year=2023)
    assert trend["years"] == [2021, 2022, 2023]
    sme = trend["indicators"]["sme_acquisitions"]
    assert sme["values"]["deals"] == [0, 2, 3]
    assert sme["values"]["received_amount"] == ["0.00", "40000.00", "155000.25"]
    assert sme["growth"]["deals"] == [None, None, 0.5]
    assert trend["indicators"]["sme_pledge_financing"]["values"]["count"] == [1, 0, 2]
    assert trend["indicators"]["sme_pledge_financing"]["growth"]["count"] == [None, -1.0, None]
    assert trend["activities"]["roadshows"] == [2, 1, 1]
    assert trend["activities"]["navigation_projects"] == [0, 1, 1]


def test_trend_covers_at_most_the_last_fifteen_years(kpi_data):
    """Far years answer (every database: SQLite joins at most 64 tables) with the latest years."""
    trend = kpi.kpi_trend(year=2100)
    assert trend["years"] == list(range(2086, 2101))
    assert trend["indicators"]["sme_acquisitions"]["values"]["deals"] == [0] * 15
    assert kpi.kpi_trend(year=2019)["years"] == [2019]


def test_plan_period_roadshows_count_only_to_the_end_of_the_report_year(kpi_data):
    # The plan period starts 2021-01-01: the roadshow of 2021-06-30 counts.
    assert kpi.kpi_report(year=2021)["activities"]["roadshows"]["plan_period"] == plan("2021-12-31", 2)
    assert kpi.kpi_report(year=2021)["activities"]["roadshows"]["met"] is False
    assert kpi.kpi_report(year=2022)["activities"]["roadshows"]["plan_period"] == plan("2022-12-31", 3)
    assert kpi.kpi_report(year=2022)["activities"]["roadshows"]["met"] is True
    # 2024's roadshow is after the plan period.
    assert kpi.kpi_report(year=2024)["activities"]["roadshows"]["plan_period"] == plan("2023-12-31", 4)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=kpi.records.TIMEZONE)


def test_funnel_counts_a_calendar_year_in_asia_shanghai(kpi_data):
    o = kpi_data
    # 2023-01-01 00:30 in Shanghai is still 2022-12-31 in UTC.
    d1 = DemandFactory(organization=o.sme_a1, published_at=_at("2023-01-01 00:30"))
    d2 = DemandFactory(organization=o.sme_b1, published_at=_at("2023-12-31 23:59"))
    DemandFactory(organization=o.sme_a1, published_at=_at("2022-12-31 23:59"))  # 2022
    DemandFactory(organization=o.sme_out, published_at=_at("2023-06-01 12:00"))  # outside the city
    for rank, demand in enumerate((d1, d1, d2)):
        match = Match.objects.create(demand=demand, patent=o.patents[rank + 1], score=0.5, rank=rank + 1)
        Match.objects.filter(pk=match.pk).update(created_at=_at("2023-03-01 10:00"))
    inquiry = Inquiry.objects.create(patent=o.patents[1], organization=o.sme_a1, subject="咨询")
    Inquiry.objects.filter(pk=inquiry.pk).update(created_at=_at("2023-02-01 10:00"))
    counts = {stage["key"]: stage["count"] for stage in kpi.kpi_funnel(year=2023)["stages"]}
    assert counts == {"demands": 2, "matches": 3, "inquiries": 1, "deals": 3}
    counts_a = {stage["key"]: stage["count"] for stage in kpi.kpi_funnel(year=2023, district=A)["stages"]}
    assert counts_a == {"demands": 1, "matches": 2, "inquiries": 1, "deals": 2}


@pytest.mark.parametrize(
    ("values", "previous", "met"),
    [
        ({"n": 12}, {"n": 10}, True),  # exactly +20%
        ({"n": Decimal("11.99")}, {"n": 10}, False),  # +19.9%: rounds to 0.199, not met
        ({"n": Decimal("119999.99")}, {"n": Decimal("100000.00")}, False),  # rounds to 0.2000, still not met
        ({"n": 5}, {"n": 0}, False),  # no base: growth null, not met
    ],
)
def test_growth_target_is_decided_on_exact_values(values, previous, met):
    assert kpi.target_met(kpi.GROWTH_AT_LEAST, values, previous, ["n"], threshold=Decimal("0.2")) is met


def test_growth_rounding():
    assert kpi.growth(Decimal("119999.99"), Decimal("100000.00")) == 0.2
    assert kpi.growth(1, 3) == -0.6667
    assert kpi.growth(2, 3) == -0.3333
    assert kpi.growth(3, 0) is None
    assert kpi.growth(0, 0) is None


def test_check_year_and_district(db):
    assert kpi.check_year("2023") == 2023
    assert kpi.check_district("") is None
    assert kpi.check_district(A) == A
    for bad in ("abc", "1999", "20230", None, "2101"):
        with pytest.raises(kpi.ApplicationError, match="年度无效"):
            kpi.check_year(bad)
    with pytest.raises(kpi.ApplicationError, match="未知的旗区代码"):
        kpi.check_district("999999")


def _more_rows(o, n: int) -> None:
    buyer = org("新增企业", "sme", A)
    for i in range(n):
        deal = make_deal(
            f"X{n}-{i}",
            "transfer",
            o.uni_a,
            buyer,
            dt.date(2023, 1 + i % 12, 1),
            "1000.00",
            [o.patents[i % 8 + 1]],
        )
        pay(deal, dt.date(2023, 12, 1), "10.00")
        pay(deal, dt.date(2022, 12, 1), "10.00")
        pledge(f"PX{n}-{i}", buyer, dt.date(2022, 1 + i % 12, 2), "10.00")


@pytest.mark.parametrize("district", [None, A])
def test_fixed_number_of_queries(kpi_data, district, django_assert_max_num_queries):
    with django_assert_max_num_queries(kpi.query_count()):
        kpi.kpi_report(year=2023, district=district)
    with CaptureQueriesContext(connection) as small:
        kpi.kpi_report(year=2023, district=district)
    _more_rows(kpi_data, 40)
    assert Deal.objects.count() > 40 and Payment.objects.count() > 80
    with CaptureQueriesContext(connection) as large:
        kpi.kpi_report(year=2023, district=district)
    assert len(large) == len(small) == kpi.query_count()


def test_grouped_and_trend_queries_are_fixed_too(kpi_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(kpi.query_count(grouped=True) + 1):  # + the list of districts
        kpi.kpi_districts(year=2023)
    with django_assert_max_num_queries(kpi.query_count()):
        kpi.kpi_trend(year=2023)
    with django_assert_max_num_queries(kpi.query_count()):
        kpi.kpi_trend(year=2030)
