"""The unserved demands: open demands for which the engine recommends nothing, for the bureau and
the service agencies (the supply gap to act on: outreach to institutions, navigation projects)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exports import write_csv
from portal.permissions import actor_for

from .. import permissions, selectors
from ..filters import UnservedDemandFilterSet
from ._common import _page


def _csv_header() -> list[str]:
    return [
        _("需求编号"),
        _("需求名称"),
        _("企业"),
        _("产业"),
        _("旗区"),
        _("关键词"),
        _("发布日期"),
        _("截止日期"),
    ]


def _csv_row(demand) -> list:
    published = timezone.localtime(demand.published_at).date() if demand.published_at else ""
    return [
        demand.code,
        demand.title,
        demand.organization.name,
        demand.industry.name if demand.industry_id else "",
        demand.district.name if demand.district_id else "",
        demand.keywords,
        published,
        demand.deadline or "",
    ]


@login_required
def unserved_demands(request):
    """The list (filterable by keyword, industry and district), its count per industry, and the
    same rows as CSV with ``?format=csv``."""
    actor = actor_for(request.user)
    if not permissions.can_see_unserved(actor):
        raise PermissionDenied(_("该页面供知识产权局和知识产权服务机构使用。"))
    filterset = UnservedDemandFilterSet(
        request.GET, queryset=selectors.demand_list_unserved(actor=actor), request=request
    )
    queryset = filterset.qs
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="unserved-demands-{stamp}.csv"'
        write_csv(response, (_csv_row(d) for d in queryset.iterator(chunk_size=2000)), header=_csv_header())
        return response
    page_obj = _page(request, queryset)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "demands": page_obj.object_list,
        "by_industry": selectors.unserved_by_industry(queryset),
        "csv_query": query.urlencode(),
    }
    return render(request, "matching/unserved_demands.html", context)
