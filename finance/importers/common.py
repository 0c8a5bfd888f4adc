"""Look-ups and bulk writes shared by the finance importers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from patents.identifiers import normalize_application_no
from patents.models import Patent
from portal.importers import OrganizationLookup
from portal.imports.base import Counts, Row
from portal.imports.base import _differs as differs
from portal.models import Organization

from .. import rules
from ..history import history_record

STAFF_ROLES = frozenset({"bureau", "district_officer", "admin"})
APPLICATION_NOS = ("专利申请号", "申请号", "专利号", "涉及专利", "application_no")


def change_reason() -> str:
    return _("批量导入")


def report(row: Row, errors: rules.Errors, columns: dict[str, str], default: str) -> None:
    for name, message in errors:
        row.error(columns.get(name.removesuffix("_id"), default), message)


class PatentNumbers:
    """Application number → patent id (or facts), loaded once per import."""

    def __init__(self, *, with_facts: bool = False):
        if with_facts:
            self.facts = rules.load_patent_facts()
            self.ids = {fact.application_no: fact.id for fact in self.facts.values()}
        else:
            self.facts = {}
            self.ids = {}
            self.owners: dict[int, tuple[int, str]] = {}  # patent id -> (owner id, application number)
            for number, pk, owner_id in Patent.objects.values_list("application_no", "id", "owner_id"):
                self.ids[number] = pk
                self.owners[pk] = (owner_id, number)

    def not_held_by(self, patent_ids: list[int], organization_id: int | None) -> list[str]:
        """The application numbers of those patents whose owner is not the organization."""
        if not organization_id:
            return []
        return [self.owners[pk][1] for pk in patent_ids if self.owners[pk][0] != organization_id]

    def _one(self, row: Row, name: str, number: str) -> int | None:
        try:
            canonical = normalize_application_no(number)
        except ValidationError as exc:
            row.error(name, " ".join(exc.messages))
            return None
        patent_id = self.ids.get(canonical)
        if patent_id is None:
            row.error(name, _("专利不存在：%(no)s（请先导入专利清单）") % {"no": canonical})
        return patent_id

    def many(self, row: Row, name: str) -> list[int] | None:
        numbers = row.split(name, separators=";；,，、|\n")
        if not numbers:
            row.error(name, _("必填，不能为空"))
            return None
        ids = [self._one(row, name, number) for number in numbers]
        if None in ids:
            return None
        return list(dict.fromkeys(ids))

    def one(self, row: Row, name: str) -> int | None:
        number = row.text(name, required=True)
        return self._one(row, name, number) if number else None


class Organizations(OrganizationLookup):
    """Credit code → organization id, plus names and kinds (for messages and bank/insurer names)."""

    def __init__(self):
        super().__init__()
        self.names: dict[int, str] = {}
        self.by_kind_and_name: dict[tuple[str, str], list[int]] = {}
        for pk, name, kind in Organization.objects.values_list("id", "name", "kind"):
            self.names[pk] = name
            self.by_kind_and_name.setdefault((kind, name.strip()), []).append(pk)

    def by_name(self, row: Row, name: str, kind: str) -> tuple[str | None, int | None]:
        """The institution named in the column: (name, the organization of that kind and name)."""
        text = row.text(name, required=True, max_length=200)
        if text is None:
            return None, None
        matches = self.by_kind_and_name.get((kind, text), [])
        if len(matches) > 1:
            row.error(name, _("平台上有多家同名单位“%(name)s”，无法确定是哪一家。") % {"name": text})
            return text, None
        return text, matches[0] if matches else None


def sync_patents(model, targets: dict[int, list[int]]) -> None:
    """Make each object's patents exactly ``targets[object_id]`` (two queries and bulk writes)."""
    if not targets:
        return
    through = model.patents.through
    fk = f"{model._meta.model_name}_id"
    current: dict[int, dict[int, int]] = {}
    for row_id, object_id, patent_id in through.objects.filter(**{f"{fk}__in": list(targets)}).values_list(
        "id", fk, "patent_id"
    ):
        current.setdefault(object_id, {})[patent_id] = row_id
    stale, new = [], []
    for object_id, patent_ids in targets.items():
        have = current.get(object_id, {})
        stale += [row_id for patent_id, row_id in have.items() if patent_id not in patent_ids]
        new += [through(**{fk: object_id, "patent_id": pid}) for pid in patent_ids if pid not in have]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    through.objects.bulk_create(new)


def upsert_records(model, key_field: str, rows: list[dict], fields: list[str]) -> tuple[Counts, list, list]:
    """Create or update ``rows`` by a unique field, with their patents (``patent_ids``) when the
    model has them; one history entry per created or changed record. Returns the counts and the
    created and changed objects."""
    counts = Counts()
    with_patents = "patent_ids" in rows[0]
    existing = {
        getattr(o, key_field): o
        for o in model.objects.filter(**{f"{key_field}__in": [r[key_field] for r in rows]})
    }
    current_patents: dict[int, set[int]] = {}
    if with_patents and existing:
        fk = f"{model._meta.model_name}_id"
        for object_id, patent_id in model.patents.through.objects.filter(
            **{f"{fk}__in": [o.pk for o in existing.values()]}
        ).values_list(fk, "patent_id"):
            current_patents.setdefault(object_id, set()).add(patent_id)
    created, changed, targets = [], [], {}
    for data in rows:
        obj = existing.get(data[key_field])
        if obj is None:
            obj = model(**{key_field: data[key_field]}, **{name: data[name] for name in fields})
            created.append((obj, data))
            continue
        dirty = False
        for name in fields:
            if differs(getattr(obj, name), data[name]):
                setattr(obj, name, data[name])
                dirty = True
        if with_patents and current_patents.get(obj.pk, set()) != set(data["patent_ids"]):
            targets[obj.pk] = data["patent_ids"]
            dirty = True
        if dirty:
            changed.append(obj)
        else:
            counts.unchanged += 1
    new_objects = model.objects.bulk_create([obj for obj, _data in created])
    if with_patents:
        targets.update(
            {obj.pk: data["patent_ids"] for obj, (_o, data) in zip(new_objects, created, strict=True)}
        )
    if changed:
        now = timezone.now()
        for obj in changed:
            obj.updated_at = now
        model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=1000)
    if with_patents:
        sync_patents(model, targets)
    history_record(model, new_objects, history_type="+", reason=change_reason())
    history_record(model, changed, history_type="~", reason=change_reason())
    counts.created, counts.updated = len(new_objects), len(changed)
    return counts, new_objects, changed
