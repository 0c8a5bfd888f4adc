"""What the report pages share: who may read them, the year and district asked for, and that
scope as a query string."""

from __future__ import annotations

from django.utils.http import urlencode

from portal.permissions import Actor, actor_for

from ..forms import ReportFilterForm
from ..permissions import fixed_district, require_reports, scoped_district


def reports_actor(request) -> Actor:
    actor = actor_for(request.user)
    require_reports(actor)
    return actor


def report_scope(request, actor: Actor) -> tuple[ReportFilterForm, int, str | None]:
    """The year and district asked for; a district officer asking for another district gets 403."""
    form = ReportFilterForm(request.GET or None, actor=actor)
    year, district = form.values()
    if fixed_district(actor):
        district = scoped_district(actor, request.GET.get("district") or None)
    return form, year, district


def scope_query(year: int, district: str | None, **extra) -> str:
    """``year=…&district=…`` (no district: the whole city) and any further parameters."""
    return urlencode({"year": year, **({"district": district} if district else {}), **extra})
