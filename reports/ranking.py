"""District performance ranking (旗区绩效) for the performance awards: a transparent composite of
each district's KPI growth. The formula below is shown on the ranking page as it is computed.

For district d and indicator i, over the values its target names (e.g. patents, contract amount
and received amount for sme_acquisitions):

    c(v, p) = clamp((v − p) / p, −1, +1)     when p > 0
            = +1 when p = 0 and v > 0  (growth from nothing counts as the cap)
            = 0  when p = 0 and v = 0
    G_i     = the mean of c over the values the target of i names
    score_d = 100 × Σ_i w_i × G_i            with w_i = 1/5 for each of the five indicators

so a score lies between −100 and +100. Districts are ranked by score (higher first), then by the
number of indicator targets met, then by district code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from . import kpi

CAP = Decimal(1)
WEIGHTS = {indicator.name: Decimal(1) / Decimal(len(kpi.INDICATORS)) for indicator in kpi.INDICATORS}


def capped_growth(value, previous) -> Decimal:
    value, previous = Decimal(value), Decimal(previous)
    if previous == 0:
        return CAP if value > 0 else Decimal(0)
    return max(-CAP, min(CAP, (value - previous) / previous))


def indicator_component(indicator: kpi.indicators.Indicator, block: dict) -> Decimal:
    parts = [capped_growth(block["values"][name], block["previous"][name]) for name in indicator.targeted]
    return sum(parts, Decimal(0)) / len(parts)


def formula_text() -> str:
    return _(
        "单项增长 c = (本年 − 上年) ÷ 上年，截取在 −100% 至 +100% 之间；上年为 0 时，本年大于 0 记 +100%，"
        "本年也为 0 记 0。每项指标取其目标所列数值项 c 的平均值 G；综合得分 = 100 × Σ 权重 × G，"
        "五项指标权重各 20%，得分介于 −100 与 +100 之间。按得分从高到低排名，同分时达标项数多者在前，再按区划代码。"
    )


def rank_districts(rows: list[dict]) -> list[dict]:
    """The ranking from ``kpi.kpi_districts(year=...)`` rows."""
    ranked = []
    for row in rows:
        components = {
            indicator.name: indicator_component(indicator, row["indicators"][indicator.name])
            for indicator in kpi.INDICATORS
        }
        score = 100 * sum((WEIGHTS[name] * value for name, value in components.items()), Decimal(0))
        ranked.append(
            {
                "code": row["code"],
                "name": row["name"],
                "score": float(score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
                "met_count": sum(1 for block in row["indicators"].values() if block["met"]),
                "components": {
                    name: float(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
                    for name, value in components.items()
                },
            }
        )
    ranked.sort(key=lambda item: (-item["score"], -item["met_count"], item["code"]))
    for position, item in enumerate(ranked, start=1):
        item["rank"] = position
    return ranked


def district_ranking_from(year: int, ranked: list[dict]) -> dict:
    return {
        "year": year,
        "formula": formula_text(),
        "weights": {name: float(weight.quantize(Decimal("0.0001"))) for name, weight in WEIGHTS.items()},
        "districts": ranked,
    }


def district_ranking(*, year: int) -> dict:
    return district_ranking_from(year, rank_districts(kpi.kpi_districts(year=year)))
