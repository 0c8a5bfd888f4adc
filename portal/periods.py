"""Organizations in time: writes of an organization's kind and district with the date from which
they apply (``OrganizationPeriod``), and the audit trail of those changes (``OrganizationChange``).

- ``organization_reclassify``: a change from a date (default: today, the day of the change). The
  records dated before it keep the organization's earlier kind and district in every figure.
- ``organization_correct``: a correction that applies from the start (the value was wrong all
  along); it needs a reason.
- ``organization_saved``: an organization saved by any other path (the admin form, the demo data,
  a test factory) gets its first period, or a change from today when its kind or district was
  edited directly; registered as a ``post_save`` receiver in ``PortalConfig.ready``: it only keeps
  the history in step with the row, the rule itself lives in ``organization_reclassify``.

A change is per attribute: changing the kind from a date leaves the district history alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .models import Organization, OrganizationChange, OrganizationPeriod, Region
from .permissions import Actor


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # an attribute left as it is (None is a value: "outside the city")


@dataclass
class Span:
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    kind: str
    region_id: str | None


def _starts_before(a: datetime.date | None, b: datetime.date | None) -> bool:
    """a < b with None as the beginning of time."""
    if a is None:
        return b is not None
    return b is not None and a < b


def apply_change(spans: list[Span], *, start: datetime.date | None, kind=KEEP, region_id=KEEP) -> list[Span]:
    """The periods once ``kind`` and/or ``region_id`` hold from ``start`` (None: from the start)
    on: the period containing ``start`` is split there, later ones take the new values, and
    neighbours with equal values are merged. ``spans`` is ordered, gap-free and ends open."""
    out: list[Span] = []
    for span in spans:
        ends_after_start = span.valid_to is None or start is None or span.valid_to > start
        if not ends_after_start:
            out.append(Span(span.valid_from, span.valid_to, span.kind, span.region_id))
            continue
        if _starts_before(span.valid_from, start):
            out.append(Span(span.valid_from, start, span.kind, span.region_id))
            span = Span(start, span.valid_to, span.kind, span.region_id)
        out.append(
            Span(
                span.valid_from,
                span.valid_to,
                span.kind if kind is KEEP else kind,
                span.region_id if region_id is KEEP else region_id,
            )
        )
    merged: list[Span] = []
    for span in out:
        if merged and (merged[-1].kind, merged[-1].region_id) == (span.kind, span.region_id):
            merged[-1].valid_to = span.valid_to
        else:
            merged.append(span)
    return merged


def changes_anything(
    spans: Iterable[Span], *, start: datetime.date | None, kind=KEEP, region_id=KEEP
) -> bool:
    """Whether some period from ``start`` on has another kind or district than the one given."""
    for span in spans:
        if start is not None and span.valid_to is not None and span.valid_to <= start:
            continue
        if (kind is not KEEP and span.kind != kind) or (
            region_id is not KEEP and span.region_id != region_id
        ):
            return True
    return False


def organization_spans(organization: Organization) -> list[Span]:
    rows = OrganizationPeriod.objects.filter(organization=organization).order_by("valid_from")
    spans = [Span(p.valid_from, p.valid_to, p.kind, p.region_id) for p in rows]
    # NULL sorts last on PostgreSQL and first on SQLite: the period without a start comes first.
    spans.sort(key=lambda s: (s.valid_from is not None, s.valid_from or datetime.date.min))
    return spans


def organization_spans_of(organizations: Iterable[Organization]) -> dict[int, list[Span]]:
    """The periods of several organizations in one query: {organization id: ordered spans}."""
    out: dict[int, list[Span]] = {}
    ids = [o.pk for o in organizations]
    for p in OrganizationPeriod.objects.filter(organization_id__in=ids).order_by():
        out.setdefault(p.organization_id, []).append(Span(p.valid_from, p.valid_to, p.kind, p.region_id))
    for spans in out.values():
        spans.sort(key=lambda s: (s.valid_from is not None, s.valid_from or datetime.date.min))
    return out


def _write(organization: Organization, spans: list[Span]) -> None:
    """Make the stored periods exactly ``spans``, in an order that keeps every constraint (one
    open period, one first period, unique starts) true after each statement."""
    existing = {p.valid_from: p for p in OrganizationPeriod.objects.filter(organization=organization)}
    wanted = {span.valid_from: span for span in spans}
    stale = [p.pk for start, p in existing.items() if start not in wanted]
    if stale:
        OrganizationPeriod.objects.filter(pk__in=stale).delete()
    updates = []
    for start, span in wanted.items():
        period = existing.get(start)
        if period is None:
            continue
        values = (span.valid_to, span.kind, span.region_id)
        if (period.valid_to, period.kind, period.region_id) != values:
            period.valid_to, period.kind, period.region_id = values
            updates.append(period)
    # A period that closes first, so that the one becoming open is never the second open one.
    for period in sorted(updates, key=lambda p: p.valid_to is None):
        period.save(update_fields=["valid_to", "kind", "region"])
    OrganizationPeriod.objects.bulk_create(
        [
            OrganizationPeriod(
                organization=organization,
                valid_from=span.valid_from,
                valid_to=span.valid_to,
                kind=span.kind,
                region_id=span.region_id,
            )
            for start, span in sorted(wanted.items(), key=lambda item: item[1].valid_to is None)
            if start not in existing
        ]
    )


def _check(kind, region_id) -> None:
    if kind is not KEEP and kind not in Organization.Kind.values:
        raise ApplicationError(_("无效的单位类型：%(kind)s") % {"kind": kind})
    if region_id not in (KEEP, None) and not Region.objects.filter(pk=region_id).exists():
        raise ApplicationError(_("不是本市旗区代码：%(value)s（市外单位请留空）") % {"value": region_id})


def _apply(
    *,
    organization: Organization,
    start: datetime.date | None,
    kind,
    region_id,
    action: str,
    actor: Actor,
    reason: str,
    source: str,
) -> bool:
    """Record the change, bring the organization's current values in step; False if nothing changed."""
    _check(kind, region_id)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    spans = organization_spans(organization) or [Span(None, None, organization.kind, organization.region_id)]
    if not changes_anything(spans, start=start, kind=kind, region_id=region_id):
        return False
    new = apply_change(spans, start=start, kind=kind, region_id=region_id)
    _write(organization, new)
    current = new[-1]
    OrganizationChange.objects.create(
        organization=organization,
        action=action,
        effective_from=start,
        kind_before=organization.kind,
        kind_after=current.kind,
        region_before=organization.region_id or "",
        region_after=current.region_id or "",
        source=source[:40],
        reason=reason[:500],
        changed_by=actor.user,
    )
    if (organization.kind, organization.region_id) != (current.kind, current.region_id):
        organization.kind, organization.region_id = current.kind, current.region_id
        organization.save(update_fields=["kind", "region", "updated_at"])
    return True


@transaction.atomic
def organization_reclassify(
    *,
    organization: Organization,
    actor: Actor,
    kind=KEEP,
    region_id=KEEP,
    effective_from: datetime.date | None = None,
    reason: str = "",
    source: str = "",
) -> bool:
    """Change an organization's kind and/or district from ``effective_from`` (default: today, in
    Asia/Shanghai) on. Records dated earlier keep the earlier values. Returns whether anything
    changed (a repeated change is a no-op)."""
    today = timezone.localdate()
    start = effective_from or today
    if start > today:
        raise ApplicationError(_("生效日期不能晚于今天：%(date)s") % {"date": start.isoformat()})
    return _apply(
        organization=organization,
        start=start,
        kind=kind,
        region_id=region_id,
        action=OrganizationChange.Action.CHANGE,
        actor=actor,
        reason=reason,
        source=source,
    )


@transaction.atomic
def organization_correct(
    *, organization: Organization, actor: Actor, kind=KEEP, region_id=KEEP, reason: str, source: str = ""
) -> bool:
    """Correct an organization's kind and/or district for its whole history (the recorded value was
    wrong from the start): every figure, past years included, then counts the corrected value."""
    if not reason.strip():
        raise ApplicationError(_("自始更正须说明原因。"))
    return _apply(
        organization=organization,
        start=None,
        kind=kind,
        region_id=region_id,
        action=OrganizationChange.Action.CORRECTION,
        actor=actor,
        reason=reason.strip(),
        source=source,
    )


def organizations_start_history(organizations: Iterable[Organization]) -> None:
    """First periods (from the start, open-ended) for organizations created in bulk."""
    OrganizationPeriod.objects.bulk_create(
        [OrganizationPeriod(organization=o, kind=o.kind, region_id=o.region_id) for o in organizations]
    )


def organization_saved(
    sender, instance: Organization, created: bool, raw: bool = False, update_fields=None, **kwargs
):
    """post_save of Organization: keep the periods in step with a save that did not go through
    ``organization_reclassify`` (a change then applies from today, the documented default)."""
    if raw:
        return
    if update_fields is not None and not {"kind", "region", "region_id"} & set(update_fields):
        return
    current = OrganizationPeriod.objects.filter(organization=instance, valid_to__isnull=True).first()
    if current is None:
        if not OrganizationPeriod.objects.filter(organization=instance).exists():
            OrganizationPeriod.objects.create(
                organization=instance, kind=instance.kind, region_id=instance.region_id
            )
        return
    if (current.kind, current.region_id) == (instance.kind, instance.region_id):
        return
    with transaction.atomic():
        spans = organization_spans(instance)
        start = max(timezone.localdate(), current.valid_from or datetime.date.min)
        new = apply_change(spans, start=start, kind=instance.kind, region_id=instance.region_id)
        _write(instance, new)
        OrganizationChange.objects.create(
            organization=instance,
            action=OrganizationChange.Action.CHANGE,
            effective_from=start,
            kind_before=current.kind,
            kind_after=instance.kind,
            region_before=current.region_id or "",
            region_after=instance.region_id or "",
            source=_("单位资料保存"),
        )
