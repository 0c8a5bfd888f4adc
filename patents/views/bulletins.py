"""Monthly supply bulletins."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from .. import exports, selectors

# --- Supply bulletins ---------------------------------------------------------------------------


def bulletin_list(request):
    bulletins = selectors.supply_bulletin_list()
    return render(request, "patents/bulletin_list.html", {"bulletins": bulletins})


def bulletin_detail(request, year: int, month: int):
    bulletin = selectors.supply_bulletin_get(year=year, month=month)
    page = Paginator(selectors.supply_bulletin_patents(bulletin=bulletin), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "patents/bulletin_detail.html", {"bulletin": bulletin, "page_obj": page})


def bulletin_xlsx(request, year: int, month: int):
    bulletin = selectors.supply_bulletin_get(year=year, month=month)
    content = exports.bulletin_xlsx(bulletin, selectors.supply_bulletin_patents(bulletin=bulletin))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="supply-bulletin-{bulletin.month:%Y-%m}.xlsx"'
    return response
