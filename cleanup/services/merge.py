"""Merging a duplicate organization into the one kept.

Every relation to ``Organization`` is found through ``_meta`` (foreign keys of every app, the
many-to-many tables), so a relation added later is moved without touching this module; the test
suite checks that no relation is left behind. Conflicts (rows that would break a uniqueness rule
once moved, e.g. two yearly figures for one year) are listed before anything is written and
refused unless the caller chose to drop the duplicate's conflicting rows. The duplicate's credit
code stays as an ``OrganizationAlias`` of the kept organization, which the importers' credit-code
look-up honours."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import Organization, OrganizationAlias, OrganizationPeriod
from portal.permissions import Actor

from ..impact import Outcome, apply_with_impact
from ..models import CleanupRun

# Relations not moved: the duplicate's kind and district over time go with it (the kept
# organization's own periods apply to everything it now holds).
NOT_MOVED = (OrganizationPeriod,)


@dataclass(frozen=True)
class Relation:
    """A foreign key to Organization: the model holding it and the field."""

    model: type[models.Model]
    field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


@dataclass
class Conflict:
    relation: str
    description: str
    keep_ids: list[int]
    drop_ids: list[int]


@dataclass
class MergePlan:
    keep: Organization
    drop: Organization
    moves: dict[str, int] = field(default_factory=dict)  # relation label -> rows
    conflicts: list[Conflict] = field(default_factory=list)


class MergeConflicts(ApplicationError):
    def __init__(self, plan: MergePlan):
        super().__init__(
            _("合并有 %(n)d 处冲突，须先处理：%(list)s")
            % {"n": len(plan.conflicts), "list": "；".join(c.description for c in plan.conflicts)}
        )
        self.plan = plan


def organization_relations() -> list[Relation]:
    """Every foreign key to Organization (many-to-many tables excluded), from ``_meta``."""
    found = []
    for rel in Organization._meta.related_objects:
        if rel.many_to_many or rel.related_model in NOT_MOVED:
            continue
        found.append(Relation(rel.related_model, rel.field.name))
    return found


def organization_m2m_tables() -> list[tuple[type[models.Model], list[str]]]:
    """The through tables of every many-to-many relation involving Organization, with their
    columns pointing to it (two for ``agencies``, a relation of organizations to organizations)."""
    throughs = {f.remote_field.through for f in Organization._meta.many_to_many}
    throughs |= {rel.through for rel in Organization._meta.related_objects if rel.many_to_many}
    out = []
    for through in sorted(throughs, key=lambda t: t._meta.label):
        columns = [
            f.name for f in through._meta.concrete_fields if f.is_relation and f.related_model is Organization
        ]
        out.append((through, columns))
    return out


def _unique_sets(model: type[models.Model]) -> list[tuple[tuple[str, ...], Q | None]]:
    sets = [(tuple(names), None) for names in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append((tuple(constraint.fields), constraint.condition))
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key:
            sets.append(((f.name,), None))
    return sets


def _conflicts(keep: Organization, drop: Organization) -> list[Conflict]:
    found = []
    for relation in organization_relations():
        model, name = relation.model, relation.field
        manager = model._base_manager
        for fields, condition in _unique_sets(model):
            if name not in fields:
                continue
            others = [f for f in fields if f != name]
            rows = manager.filter(condition) if condition is not None else manager.all()
            keep_rows = rows.filter(**{name: keep})
            drop_rows = rows.filter(**{name: drop})
            if not others:
                if keep_rows.exists() and drop_rows.exists():
                    found.append(
                        Conflict(
                            relation.label,
                            _("%(model)s：两家单位各有一条") % {"model": model._meta.verbose_name},
                            list(keep_rows.values_list("pk", flat=True)),
                            list(drop_rows.values_list("pk", flat=True)),
                        )
                    )
                continue
            keep_values = {tuple(v): pk for pk, *v in keep_rows.values_list("pk", *others)}
            for pk, *values in drop_rows.values_list("pk", *others):
                kept = keep_values.get(tuple(values))
                if kept is None:
                    continue
                shown = "、".join(
                    f"{model._meta.get_field(f).verbose_name}={v}"
                    for f, v in zip(others, values, strict=True)
                )
                found.append(
                    Conflict(
                        relation.label,
                        _("%(model)s：两家单位都有 %(values)s")
                        % {"model": model._meta.verbose_name, "values": shown},
                        [kept],
                        [pk],
                    )
                )
    return found


def organization_merge_plan(*, keep: Organization, drop: Organization) -> MergePlan:
    """What a merge would move and which conflicts stand in its way (reads only)."""
    if keep.pk == drop.pk:
        raise ApplicationError(_("保留的单位与被合并的单位不能是同一家。"))
    plan = MergePlan(keep, drop)
    for relation in organization_relations():
        count = relation.model._base_manager.filter(**{relation.field: drop}).count()
        if count:
            plan.moves[relation.label] = count
    for through, columns in organization_m2m_tables():
        for column in columns:
            count = through._base_manager.filter(**{column: drop}).count()
            if count:
                plan.moves[f"{through._meta.label}.{column}"] = count
    plan.conflicts = _conflicts(keep, drop)
    return plan


def _move(plan: MergePlan, *, actor: Actor, drop_conflicting: bool) -> dict:
    keep, drop = plan.keep, plan.drop
    now = timezone.now()
    deleted = []
    if drop_conflicting:
        for conflict in plan.conflicts:
            relation = next(r for r in organization_relations() if r.label == conflict.relation)
            relation.model._base_manager.filter(pk__in=conflict.drop_ids).delete()
            deleted.append({"relation": conflict.relation, "ids": conflict.drop_ids})
    moved: dict[str, list[int]] = {}
    reason = _("合并单位：%(drop)s → %(keep)s") % {"drop": drop.credit_code, "keep": keep.credit_code}
    for relation in organization_relations():
        model, name = relation.model, relation.field
        ids = list(model._base_manager.filter(**{name: drop}).values_list("pk", flat=True))
        if not ids:
            continue
        values = {name: keep}
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            values["updated_at"] = now  # cached pages keyed on it show the new organization
        model._base_manager.filter(pk__in=ids).update(**values)
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "bulk_history_create"):
            history.bulk_history_create(
                list(model._base_manager.filter(pk__in=ids)),
                update=True,
                default_user=actor.user,
                default_change_reason=reason[:100],
            )
        moved[relation.label] = ids
    for through, columns in organization_m2m_tables():
        for column in columns:
            rows = through._base_manager.filter(**{column: drop})
            if not rows.exists():
                continue
            others = [f.name for f in through._meta.concrete_fields if f.is_relation and f.name != column]
            existing = set(through._base_manager.filter(**{column: keep}).values_list(*others))
            count = 0
            for pk, *values in list(rows.values_list("pk", *others)):
                self_loop = through._meta.get_field(others[0]).related_model is Organization and (
                    keep.pk in values
                )
                if tuple(values) in existing or self_loop:
                    through._base_manager.filter(pk=pk).delete()
                else:
                    through._base_manager.filter(pk=pk).update(**{column: keep})
                    existing.add(tuple(values))
                count += 1
            moved[f"{through._meta.label}.{column}"] = [count]
    OrganizationAlias.objects.create(
        credit_code=drop.credit_code, name=drop.name, organization=keep, merged_by=actor.user
    )
    keep.updated_at = now
    keep.save(update_fields=["updated_at"])
    dropped = {"id": drop.pk, "credit_code": drop.credit_code, "name": drop.name, "kind": drop.kind}
    drop.delete()
    return {
        "keep": {"id": keep.pk, "credit_code": keep.credit_code, "name": keep.name},
        "drop": dropped,
        "moved": moved,
        "deleted_conflicting": deleted,
    }


def organization_merge(
    *,
    keep: Organization,
    drop: Organization,
    actor: Actor,
    dry_run: bool = False,
    drop_conflicting: bool = False,
    confirm_frozen: bool = False,
) -> tuple[MergePlan, Outcome]:
    """Merge ``drop`` into ``keep`` in one transaction: every reference moves, the duplicate
    becomes an alias of the kept organization and is deleted. Conflicts are refused
    (``MergeConflicts``, nothing written) unless ``drop_conflicting`` deletes the duplicate's
    conflicting rows; changed figures of a frozen year need ``confirm_frozen``
    (``FrozenConfirmationRequired``). ``dry_run`` computes the plan and the KPI impact and writes
    nothing."""
    plan = organization_merge_plan(keep=keep, drop=drop)
    if plan.conflicts and not drop_conflicting:
        raise MergeConflicts(plan)

    def apply():
        details = _move(plan, actor=actor, drop_conflicting=drop_conflicting)
        summary = _("%(drop)s（%(drop_code)s）并入 %(keep)s（%(keep_code)s）") % {
            "drop": plan.drop.name,
            "drop_code": plan.drop.credit_code,
            "keep": plan.keep.name,
            "keep_code": plan.keep.credit_code,
        }
        return summary, details

    drop_pk = drop.pk
    try:
        outcome = apply_with_impact(
            kind=CleanupRun.Kind.MERGE,
            apply=apply,
            actor=actor,
            dry_run=dry_run,
            confirm_frozen=confirm_frozen,
        )
    except IntegrityError as error:
        # A rule across two columns broken by the move (a pledge whose borrower would be its own
        # lender...): the transaction is rolled back, nothing written.
        raise ApplicationError(_("合并会使记录违反数据规则，未执行：%(error)s") % {"error": error}) from error
    finally:
        drop.pk = drop_pk  # delete() cleared it; a rolled-back merge leaves the row in place
    return plan, outcome
