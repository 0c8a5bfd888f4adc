"""The audit trail of finance records (django-simple-history), written explicitly so that one
change (a form, an API call, an import row) is exactly one history entry, with its patents and
the acting user, and read back as "who, when, what changed" for the detail pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patents.models import Patent
from portal.models import Organization

PATENTS = "patents"


def tracks_patents(model) -> bool:
    return any(f.name == PATENTS for f in model._meta.many_to_many)


def _m2m_history_model(model):
    return getattr(model.history.model, PATENTS).model


def _through_fk(model) -> str:
    return f"{model._meta.model_name}_id"


def history_record(
    model, objs: Sequence[models.Model], *, history_type: str, user=None, reason: str = ""
) -> list:
    """Record one history entry per saved object ("+" created, "~" changed), including the object's
    current patents. Bulk: three queries whatever the number of objects."""
    if not objs:
        return []
    records = model.history.bulk_history_create(
        objs, update=history_type == "~", default_user=user, default_change_reason=reason or None
    )
    if tracks_patents(model):
        through = getattr(model, PATENTS).through
        fk = _through_fk(model)
        by_object: dict[int, list[tuple[int, int]]] = {}
        for row_id, object_id, patent_id in through.objects.filter(
            **{f"{fk}__in": [o.pk for o in objs]}
        ).values_list("id", fk, "patent_id"):
            by_object.setdefault(object_id, []).append((row_id, patent_id))
        m2m_model = _m2m_history_model(model)
        rows = [
            m2m_model(history=record, id=row_id, **{fk: obj.pk, "patent_id": patent_id})
            for obj, record in zip(objs, records, strict=True)
            for row_id, patent_id in by_object.get(obj.pk, ())
        ]
        m2m_model.objects.bulk_create(rows)
    return records


def save_with_history(
    obj: models.Model,
    *,
    user=None,
    patents: Iterable | None = None,
    reason: str = "",
    update_fields: list[str] | None = None,
) -> models.Model:
    """Save ``obj`` (and set its patents) and record a single history entry for the change."""
    created = obj._state.adding
    obj.skip_history_when_saving = True
    try:
        obj.save(update_fields=None if created else update_fields)
        if patents is not None:
            obj.patents.set(patents)
    finally:
        del obj.skip_history_when_saving
    history_record(type(obj), [obj], history_type="+" if created else "~", user=user, reason=reason)
    return obj


def delete_with_history(obj: models.Model, *, user=None) -> None:
    """Delete ``obj``; simple_history records the "-" entry, attributed to ``user``."""
    obj._history_user = user
    obj.delete()


# --- Reading -------------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: object
    user: object
    type: str  # "+" created, "~" changed, "-" deleted
    kind: str  # the type, in words
    reason: str
    changes: list[Change] = field(default_factory=list)


_KIND_LABELS = {"+": gettext_lazy("创建"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


def history_entries(obj: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """The object's history, newest first, each entry with the fields it changed (a fixed number
    of queries: the records, their patents, and the organizations and patents they name)."""
    model = type(obj)
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    records.reverse()  # oldest first for diffing; the extra oldest one is only a baseline
    fields = [f for f in model.history.model.tracked_fields if f.editable and f.name != "id"]
    patent_sets: dict[int, frozenset[int]] = {}
    if tracks_patents(model):
        m2m_model = _m2m_history_model(model)
        for history_id, patent_id in m2m_model.objects.filter(
            history__in=[r.pk for r in records]
        ).values_list("history_id", "patent_id"):
            patent_sets.setdefault(history_id, set()).add(patent_id)
    org_ids, patent_ids = set(), set().union(*patent_sets.values()) if patent_sets else set()
    for record in records:
        for f in fields:
            if f.is_relation and f.related_model is Organization:
                org_ids.add(getattr(record, f.attname))
            elif f.is_relation and f.related_model is Patent:
                patent_ids.add(getattr(record, f.attname))
    org_names = dict(Organization.objects.filter(pk__in=org_ids - {None}).values_list("pk", "name"))
    patent_nos = dict(Patent.objects.filter(pk__in=patent_ids - {None}).values_list("pk", "application_no"))

    def show(f, value) -> str:
        if value is None or value == "":
            return "—"
        if f.is_relation and f.related_model is Organization:
            return org_names.get(value, f"#{value}")
        if f.is_relation and f.related_model is Patent:
            return patent_nos.get(value, f"#{value}")
        if f.is_relation:
            return str(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return _("是") if value else _("否")
        return str(value)

    entries: list[HistoryEntry] = []
    previous = None
    for index, record in enumerate(records):
        if index == 0 and len(records) > limit:
            previous = record
            continue
        entry = HistoryEntry(
            date=record.history_date,
            user=record.history_user,
            type=record.history_type,
            kind=str(_KIND_LABELS.get(record.history_type, record.history_type)),
            reason=record.history_change_reason or "",
        )
        if record.history_type != "-":
            for f in fields:
                new = getattr(record, f.attname)
                old = getattr(previous, f.attname) if previous is not None else None
                if previous is None and new in (None, "", False):
                    continue
                if previous is None or old != new:
                    entry.changes.append(
                        Change(str(f.verbose_name), show(f, old) if previous else "", show(f, new))
                    )
            if tracks_patents(model):
                new_set = patent_sets.get(record.pk, set())
                old_set = patent_sets.get(previous.pk, set()) if previous is not None else set()
                if new_set != old_set:
                    entry.changes.append(
                        Change(
                            str(model._meta.get_field(PATENTS).verbose_name),
                            "、".join(sorted(patent_nos.get(i, str(i)) for i in old_set)) if previous else "",
                            "、".join(sorted(patent_nos.get(i, str(i)) for i in new_set)) or "—",
                        )
                    )
        entries.append(entry)
        previous = record
    entries.reverse()
    return entries
