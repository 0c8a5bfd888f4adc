"""District performance ranking (旗区绩效) and the proposed award allocation (绩效奖补). The
formulas below are shown on the ranking page as they are computed (docs/kpi.md §5).

For district d and indicator i, over the values the ranking compares (those the plan's targets
name, e.g. patents, contract amount and received amount for sme_acquisitions):

    c(v, p) = clamp((v − p) / p, −1, +1)     when p > 0
            = +1 when p = 0 and v > 0  (growth from nothing counts as the cap)
            = 0  when p = 0 and v = 0
    G_i     = the mean of c over those values

Indicator i is *neutral* for d when every value of i is 0 in both years: d had no such activity
to grow (a district without a university has no institution transfers), so it neither gains nor
loses; the weights are renormalised over the other indicators:

    score_d = 100 × Σ_{i active} w_i × G_i / Σ_{i active} w_i      with w_i = 1/5

so a score lies between −100 and +100. A district where every indicator is neutral had no
activity at all: it gets no score and is listed after the ranked districts. Ranked districts are
ordered by score (higher first), then by the number of targets met, then by district code.

Award allocation: with budget B for the year, a district's proposed share is

    share_d = B × s_d / Σ s      with s_d = max(score_d, 0)

(districts with no activity or a score ≤ 0 get nothing: the plan rewards 成效显著 districts). Each
share is rounded down to the cent and the cents left over go, one each, to the districts with the
largest remainders (ties: better rank first), so the shares add up to B exactly.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from . import kpi

CAP = Decimal(1)
CENT = Decimal("0.01")
WEIGHTS = {indicator.name: Decimal(1) / Decimal(len(kpi.INDICATORS)) for indicator in kpi.INDICATORS}


def capped_growth(value, previous) -> Decimal:
    value, previous = Decimal(value), Decimal(previous)
    if previous == 0:
        return CAP if value > 0 else Decimal(0)
    return max(-CAP, min(CAP, (value - previous) / previous))


def is_neutral(indicator: kpi.indicators.Indicator, block: dict) -> bool:
    """No activity in either year: every value of the indicator is 0 this year and last year."""
    return all(
        Decimal(block["values"][name]) == 0 and Decimal(block["previous"][name]) == 0
        for name in indicator.values
    )


def indicator_component(indicator: kpi.indicators.Indicator, block: dict) -> Decimal | None:
    """G_i, or None when the indicator is neutral for the district."""
    if is_neutral(indicator, block):
        return None
    parts = [capped_growth(block["values"][name], block["previous"][name]) for name in indicator.ranked]
    return sum(parts, Decimal(0)) / len(parts)


def composite_score(components: dict[str, Decimal | None]) -> Decimal | None:
    """100 × the weighted mean of the active components; None when all are neutral."""
    active = {name: value for name, value in components.items() if value is not None}
    if not active:
        return None
    weight = sum((WEIGHTS[name] for name in active), Decimal(0))
    return 100 * sum((WEIGHTS[name] * value for name, value in active.items()), Decimal(0)) / weight


def formula_text() -> str:
    return _(
        "单项增长 c = (本年 − 上年) ÷ 上年，截取在 −100% 至 +100% 之间；上年为 0 时，本年大于 0 记 +100%，"
        "本年也为 0 记 0。每项指标取其目标所列数值项 c 的平均值 G。某旗区某项指标本年和上年的全部数值均为 0 时，"
        "该项不参与计算（中性），权重在其余指标间按比例重新分配：综合得分 = 100 × Σ 权重 × G ÷ Σ 参与指标的权重，"
        "五项指标权重各 20%，得分介于 −100 与 +100 之间。按得分从高到低排名，同分时达标项数多者在前，再按区划代码；"
        "五项指标均无活动的旗区不排名，列在最后。"
    )


def award_formula_text() -> str:
    return _(
        "建议奖补额 = 奖补资金总额 × max(综合得分, 0) ÷ Σ max(综合得分, 0)；无活动或得分不大于 0 的旗区不分配。"
        "各旗区金额先舍去到分，剩余的分按舍去部分从大到小逐一补足（相同时排名靠前者优先），合计等于资金总额。"
    )


def _rounded(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def rank_districts(rows: list[dict]) -> list[dict]:
    """The ranking from ``kpi.kpi_districts(year=...)`` rows: ranked districts first, then those
    with no activity at all (``active`` false, no score or rank), each group in its order."""
    ranked, inactive = [], []
    for row in rows:
        components = {
            indicator.name: indicator_component(indicator, row["indicators"][indicator.name])
            for indicator in kpi.INDICATORS
        }
        score = composite_score(components)
        item = {
            "code": row["code"],
            "name": row["name"],
            "active": score is not None,
            "score": None if score is None else _rounded(score, "0.01"),
            "met_count": sum(1 for block in row["indicators"].values() if block["met"]),
            "components": {
                name: None if value is None else _rounded(value, "0.0001")
                for name, value in components.items()
            },
            "neutral": [name for name, value in components.items() if value is None],
            "rank": None,
        }
        (ranked if score is not None else inactive).append(item)
    ranked.sort(key=lambda item: (-item["score"], -item["met_count"], item["code"]))
    for position, item in enumerate(ranked, start=1):
        item["rank"] = position
    inactive.sort(key=lambda item: item["code"])
    return ranked + inactive


def district_ranking_from(year: int, ranked: list[dict]) -> dict:
    return {
        "year": year,
        "formula": formula_text(),
        "weights": {name: float(weight.quantize(Decimal("0.0001"))) for name, weight in WEIGHTS.items()},
        "districts": ranked,
    }


def district_ranking(*, year: int) -> dict:
    return district_ranking_from(year, rank_districts(kpi.kpi_districts(year=year)))


def award_allocation(ranking: dict, budget: Decimal) -> dict:
    """Each district's proposed share of ``budget`` from the ranking's scores (see the module's
    docstring); the shares are Decimal yuan and add up to the budget exactly, or are all 0 when
    no district scored above 0."""
    budget = Decimal(budget).quantize(CENT, rounding=ROUND_HALF_UP)
    rows = ranking["districts"]
    # The scores as shown (two places), so that anyone can redo the sums from the page.
    points = {
        row["code"]: max(Decimal(str(row["score"])), Decimal(0)) if row["active"] else Decimal(0)
        for row in rows
    }
    total = sum(points.values(), Decimal(0))
    shares = dict.fromkeys(points, Decimal("0.00"))
    if total > 0:
        exact = {code: budget * value / total for code, value in points.items()}
        shares = {code: value.quantize(CENT, rounding=ROUND_DOWN) for code, value in exact.items()}
        left = int((budget - sum(shares.values(), Decimal(0))) / CENT)
        order = sorted(
            (code for code in points if points[code] > 0),
            key=lambda code: (-(exact[code] - shares[code]), [row["code"] for row in rows].index(code)),
        )
        for code in order[:left]:
            shares[code] += CENT
    return {
        "year": ranking["year"],
        "budget": budget,
        "formula": award_formula_text(),
        "allocated": total > 0,
        "allocated_total": sum(shares.values(), Decimal("0.00")),
        "districts": [
            {
                "rank": row["rank"],
                "code": row["code"],
                "name": row["name"],
                "active": row["active"],
                "score": row["score"],
                "points": points[row["code"]],
                "share_ratio": (points[row["code"]] / total) if total > 0 else Decimal(0),
                "amount": shares[row["code"]],
            }
            for row in rows
        ],
    }
