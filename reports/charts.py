"""Trend charts for the printed reports, drawn here as SVG (WeasyPrint renders inline SVG; no
JavaScript, no CDN): one small bar chart per value, one row of them per KPI."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 200, 130
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 26, 22
BAR = "#3b6fb6"
BASE_BAR = "#9aa9bd"
FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"


def _label(value: Decimal, amount: bool) -> str:
    """Bar labels with thousands separators: amounts (万元) with two places, counts whole."""
    return f"{value:,.2f}" if amount else f"{value:,.0f}"


def bar_chart(
    title: str,
    unit: str,
    years: list[int],
    values: list,
    *,
    base_year: int | None = None,
    amount: bool = False,
) -> str:
    """One value over the years as an SVG bar chart with the figure above each bar; the plan's
    base year (if shown) in grey."""
    numbers = [Decimal(str(value or 0)) for value in values]
    top = max([*numbers, Decimal(0)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(years), 1)
    bar_w = min(slot * 0.62, 34)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}">',
        f'<text x="{WIDTH / 2:.1f}" y="11" font-size="9" text-anchor="middle" fill="#222">{escape(title)}</text>',
        f'<text x="{WIDTH / 2:.1f}" y="21" font-size="7" text-anchor="middle" fill="#666">{escape(unit)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#888" stroke-width="0.6"/>',
    ]
    for index, (year, number) in enumerate(zip(years, numbers, strict=True)):
        height = float(number / top) * (plot_h - 10) if top > 0 else 0
        x = LEFT + slot * index + (slot - bar_w) / 2
        y = TOP + plot_h - height
        colour = BASE_BAR if year == base_year else BAR
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="6.5" text-anchor="middle" '
            f'fill="#222">{escape(_label(number, amount))}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 10:.1f}" font-size="7" text-anchor="middle" '
            f'fill="#444">{year}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
