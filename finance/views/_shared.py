"""Helpers shared by the finance pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.permissions import Actor, actor_for

from .. import permissions


def finance_actor(request) -> Actor:
    actor = actor_for(request.user)
    if not permissions.can_view_finance(actor):
        raise PermissionDenied(_("交易与金融记录仅对已认证单位和知识产权管理部门开放。"))
    return actor
