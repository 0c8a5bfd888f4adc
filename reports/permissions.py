"""Who sees the reports; pages, the API and the exports ask here.

- City bureau staff and superusers: every report, city-wide or for any district, the district
  comparison and ranking, the annual reports (generate, approve, download).
- District officers: the KPIs, dashboard, drill-downs and statistics exports of their own
  district only. Without a district they get their own; asking for another district is refused
  (403), never silently answered with other figures.
- Everyone else (SMEs, institutions, banks, anonymous...): nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.permissions import Actor, Role


def can_use_workbench(actor: Actor) -> bool:
    """The workbench (to-dos by role) is every signed-in user's first stop."""
    return actor.role != Role.ANONYMOUS


def can_view_reports(actor: Actor) -> bool:
    return actor.is_staff_role


def can_view_city_reports(actor: Actor) -> bool:
    """City-wide views that compare districts: the comparison, the ranking, annual reports."""
    return actor.sees_whole_city


def can_manage_annual_reports(actor: Actor) -> bool:
    return actor.sees_whole_city


def require_reports(actor: Actor) -> None:
    if not can_view_reports(actor):
        raise PermissionDenied(_("统计报表仅对市、旗区知识产权管理部门工作人员开放。"))


def require_city_reports(actor: Actor) -> None:
    require_reports(actor)
    if not can_view_city_reports(actor):
        raise PermissionDenied(_("旗区对比、绩效排名和年度报告仅对市级工作人员开放。"))


def fixed_district(actor: Actor) -> str | None:
    """The district a district officer's reports are bound to; None for those who choose."""
    return actor.district_code if actor.role == Role.DISTRICT_OFFICER else None


def scoped_district(actor: Actor, requested: str | None) -> str | None:
    """The district whose figures ``actor`` gets when asking for ``requested`` (None: whole city).

    A district officer is always scoped to their own district; asking for another is refused."""
    require_reports(actor)
    requested = requested or None
    if actor.role == Role.DISTRICT_OFFICER:
        if requested not in (None, actor.district_code):
            raise PermissionDenied(_("旗区工作人员只能查看本旗区的统计数据。"))
        return actor.district_code
    return requested
