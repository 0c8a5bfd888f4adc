"""The bureau's conversion pages: reports:conversion (the funnel inquiries → agreed → signed →
registered → paid, and the conversion effectiveness by industry, district and seller) and
reports:conversion-deals (the deals behind a figure, with their follow-up answers)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from portal.permissions import actor_for

from . import conversion
from .forms import ReportFilterForm
from .permissions import fixed_district, require_reports, scoped_district

PAGE_SIZE = 50


def _scope(request):
    actor = actor_for(request.user)
    require_reports(actor)
    form = ReportFilterForm(request.GET or None, actor=actor)
    year, district = form.values()
    if fixed_district(actor):
        district = scoped_district(actor, request.GET.get("district") or None)
    return form, year, district


def _query(year: int, district: str | None, **extra) -> str:
    return urlencode({"year": year, **({"district": district} if district else {}), **extra})


@login_required
def conversion_overview(request):
    form, year, district = _scope(request)
    summary = conversion.effectiveness_summary(year=year, district=district)
    labels = conversion.group_labels()
    groups = [
        {
            "name": name,
            "label": labels[name],
            "rows": [
                {**row, "query": _query(year, district, **conversion.group_filter(name, row["key"]))}
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
        "all_query": _query(year, district),
    }
    return render(request, "reports/conversion.html", context)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def conversion_deals(request):
    form, year, district = _scope(request)
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
        "back_query": _query(year, district),
        "page_query": _query(year, district, **{k: v for k, v in filters.items() if v}),
    }
    return render(request, "reports/conversion_deals.html", context)
