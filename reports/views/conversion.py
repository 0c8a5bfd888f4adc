"""The bureau's conversion pages: reports:conversion (the funnel inquiries → agreed → signed →
registered → paid, and the conversion effectiveness by industry, district and seller) and
reports:conversion-deals (the deals behind a figure, with their follow-up answers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import conversion
from ._shared import report_scope, reports_actor, scope_query

PAGE_SIZE = 50


@login_required
def conversion_overview(request):
    form, year, district = report_scope(request, reports_actor(request))
    summary = conversion.effectiveness_summary(year=year, district=district)
    labels = conversion.group_labels()
    groups = [
        {
            "name": name,
            "label": labels[name],
            "rows": [
                {**row, "query": scope_query(year, district, **conversion.group_filter(name, row["key"]))}
                for row in summary["rows"][name]
            ],
        }
        for name in conversion.GROUPS
    ]
    context = {
        "form": form,
        "year": year,
        "district": district,
        "funnel": conversion.conversion_funnel(year=year, district=district),
        "overall": summary["overall"],
        "groups": groups,
        "all_query": scope_query(year, district),
    }
    return render(request, "reports/conversion.html", context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def conversion_deals(request):
    form, year, district = report_scope(request, reports_actor(request))
    filters = {
        "industry": (request.GET.get("industry") or "")[:40],
        "place": (request.GET.get("place") or "")[:6],
        "seller": _int(request.GET.get("seller")),
        "buyer": _int(request.GET.get("buyer")),
    }
    deals = conversion.effectiveness_deals(year=year, district=district, **filters)
    page_obj = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year": year,
        "district": district,
        "page_obj": page_obj,
        "back_query": scope_query(year, district),
        "page_query": scope_query(year, district, **{k: v for k, v in filters.items() if v}),
    }
    return render(request, "reports/conversion_deals.html", context)
