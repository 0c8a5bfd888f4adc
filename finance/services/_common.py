"""Helpers shared by the finance services."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from patents.models import Patent
from portal.permissions import Actor

from .. import permissions, rules


def today() -> datetime.date:
    return timezone.localdate()


def acting_user(actor: Actor):
    """The actor's user for the history (jobs and commands: the system user)."""
    return actor.user


def raise_if(errors: rules.Errors) -> None:
    if errors:
        by_field: dict[str, list[str]] = {}
        for name, message in errors:
            by_field.setdefault(name, []).append(message)
        raise ValidationError(by_field)


def require_create(actor: Actor, model) -> None:
    if not permissions.can_create(actor, model):
        raise PermissionDenied(_("您无权登记此类记录。"))


def require_write(actor: Actor, obj) -> None:
    if not permissions.can_write(actor, obj):
        raise PermissionDenied(_("您无权修改该记录。"))


def full_clean(obj) -> None:
    # Field formats, unique numbers and the named constraints, before anything is written.
    obj.full_clean(exclude=["patents"], validate_constraints=True)


def unique_patents(patents: Iterable[Patent]) -> list[Patent]:
    unique: dict[int, Patent] = {}
    for patent in patents:
        unique.setdefault(patent.pk, patent)
    return list(unique.values())


def lock_patents(patents: Iterable[Patent]) -> list[Patent]:
    """Lock the patents' rows so that concurrent deals on them are decided one after the other."""
    patents = unique_patents(patents)
    locked = Patent.objects.select_for_update().in_bulk([p.pk for p in patents])
    return [locked[p.pk] for p in patents if p.pk in locked]


def set_fields(obj, fields: dict, allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)
