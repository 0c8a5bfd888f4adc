"""Patent navigation projects (专利导航)."""

from __future__ import annotations

import logging

from django.db import transaction

from portal.permissions import Actor

from .. import permissions
from ..models import NavigationProject
from ._shared import _require

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Navigation projects (专利导航)
# ---------------------------------------------------------------------------------------------

# What a navigation project's create and update set; the form shows them in this order.
NAVIGATION_FIELDS = (
    "title",
    "kind",
    "industry",
    "enterprise",
    "region",
    "year_started",
    "status",
    "summary",
    "report_file",
    "report_public",
)


@transaction.atomic
def navigation_project_create(*, actor: Actor, **fields) -> NavigationProject:
    _require(permissions.can_manage_navigation(actor))
    unknown = set(fields) - set(NAVIGATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    project = NavigationProject(created_by=actor.user if getattr(actor.user, "pk", None) else None, **fields)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def navigation_project_update(*, project: NavigationProject, actor: Actor, **fields) -> NavigationProject:
    _require(permissions.can_manage_navigation(actor))
    unknown = set(fields) - set(NAVIGATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def navigation_project_delete(*, project: NavigationProject, actor: Actor) -> None:
    _require(permissions.can_manage_navigation(actor))
    project.delete()
