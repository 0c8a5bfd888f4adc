"""Writes of demands: create, update, delete, publish, close, renew, expire."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from portal.errors import ApplicationError
from portal.identifiers import ascii_fold
from portal.models import Organization
from portal.permissions import Actor

from ..models import Demand
from ..permissions import can_close, can_create, can_edit
from ..signals import demands_published
from .duplicates import demand_flag_duplicates

DEFAULT_VALIDITY_DAYS = 180
MAX_VALIDITY_DAYS = 730
# Fields the owner edits (through the form, the API or a survey re-import).
EDITABLE_FIELDS = (
    "title",
    "description",
    "industry",
    "keywords",
    "ipc_hints",
    "deal_kinds",
    "budget_min",
    "budget_max",
    "district",
    "deadline",
    "visibility",
)
_LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")


# --- Small helpers ------------------------------------------------------------------------------


def normalize_keywords(value: str | Iterable[str] | None) -> str:
    """'煤矸石，综合利用; 煤矸石' → '煤矸石;综合利用' (order kept, duplicates dropped)."""
    items = _LIST_SEPARATORS.split(value) if isinstance(value, str) else list(value or [])
    seen: dict[str, None] = {}
    for item in items:
        item = str(item).strip()
        if item:
            seen.setdefault(item, None)
    return ";".join(seen)


def normalize_ipc(value: str | Iterable[str] | None) -> str:
    """'h01m10/052，a01b' → 'H01M 10/052;A01B'."""
    items = _LIST_SEPARATORS.split(value) if isinstance(value, str) else list(value or [])
    codes = []
    for item in items:
        code = re.sub(r"\s+", "", ascii_fold(item)).upper()
        if code:
            codes.append(re.sub(r"^([A-H]\d{2}[A-Z])(\d)", r"\1 \2", code))
    return normalize_keywords(codes)


def _deal_kind_flags(deal_kinds: Iterable[str]) -> dict[str, bool]:
    kinds = set(deal_kinds or ())
    unknown = kinds - set(Demand.DealKind.values)
    if unknown:
        raise ApplicationError(
            _("未知的合作方式：%(kinds)s（可选：转让、许可、作价入股）。")
            % {"kinds": "、".join(sorted(unknown))}
        )
    return {field: kind in kinds for kind, field in Demand.DEAL_KIND_FIELDS.items()}


def _check_deadline(deadline: dt.date | None) -> None:
    if deadline is None:
        return
    today = timezone.localdate()
    if deadline < today:
        raise ApplicationError(_("截止日期不能早于今天（%(today)s）。") % {"today": today.isoformat()})
    if deadline > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        raise ApplicationError(
            _("截止日期最长可设为 %(days)d 天之后（%(latest)s）。")
            % {
                "days": MAX_VALIDITY_DAYS,
                "latest": (today + dt.timedelta(days=MAX_VALIDITY_DAYS)).isoformat(),
            }
        )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _apply(demand: Demand, changes: dict) -> list[str]:
    """Set the given editable fields on the demand; the names of the model fields changed."""
    changed = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"{name} is not an editable field of a demand")
        if name == "deal_kinds":
            for field, flag in _deal_kind_flags(value).items():
                if getattr(demand, field) != flag:
                    setattr(demand, field, flag)
                    changed.append(field)
            continue
        if name == "keywords":
            value = normalize_keywords(value)
        elif name == "ipc_hints":
            value = normalize_ipc(value)
        elif name in ("title", "description"):
            value = (value or "").strip()
        elif name in ("budget_min", "budget_max") and value is not None:
            value = Decimal(value).quantize(Decimal("0.01"))
        if getattr(demand, name) != value:
            setattr(demand, name, value)
            changed.append(name)
    return changed


def _validate(demand: Demand, *, exclude: Iterable[str] = ()) -> None:
    """Model validation; errors stay a ValidationError (keyed by field) for forms and the API."""
    demand.full_clean(exclude=list(exclude))


def demand_next_code(*, year: int | None = None) -> str:
    """The next free code of the year: D2023-0042."""
    year = year or timezone.localdate().year
    prefix = f"D{year}-"
    numbers = [
        int(code[len(prefix) :])
        for code in Demand.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def demand_queue_matching(*, demand_ids: Iterable[int]) -> None:
    """After commit, announce these published or changed demands (``signals.demands_published``):
    the matching engine, which depends on this app, subscribes and matches them."""
    ids = sorted(set(demand_ids))
    if ids:
        transaction.on_commit(lambda: demands_published.send(sender=Demand, demand_ids=ids))


# --- Create and edit ---------------------------------------------------------------------------


@transaction.atomic
def demand_create(
    *,
    actor: Actor,
    title: str,
    description: str,
    deal_kinds: Iterable[str],
    organization: Organization | None = None,
    industry=None,
    keywords: str | Iterable[str] = "",
    ipc_hints: str | Iterable[str] = "",
    budget_min: Decimal | None = None,
    budget_max: Decimal | None = None,
    district=None,
    deadline: dt.date | None = None,
    visibility: str = Demand.Visibility.PUBLIC,
    code: str | None = None,
    publish: bool = False,
) -> Demand:
    """Post a demand for the user's SME: a draft, or published at once with ``publish=True``.

    Without a deadline the demand runs for DEFAULT_VALIDITY_DAYS; without a district it takes the
    organization's. The code is assigned (D<year>-<seq>) unless given.
    """
    _require(can_create(actor), _("只有中小微企业的用户可以发布技术需求。"))
    organization = organization or actor.organization
    _require(organization.pk == actor.organization_id, _("只能为本单位发布技术需求。"))
    if organization.kind != Organization.Kind.SME:
        raise ApplicationError(_("技术需求只能由中小微企业发布。"))
    if deadline is None:
        deadline = timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    _check_deadline(deadline)

    demand = Demand(
        organization=organization,
        source=Demand.Source.ONLINE,
        status=Demand.Status.DRAFT,
        created_by=actor.user,
        district=district or organization.region,
    )
    demand._history_user = actor.user
    _apply(
        demand,
        {
            "title": title,
            "description": description,
            "deal_kinds": deal_kinds,
            "industry": industry,
            "keywords": keywords,
            "ipc_hints": ipc_hints,
            "budget_min": budget_min,
            "budget_max": budget_max,
            "deadline": deadline,
            "visibility": visibility,
        },
    )
    if code:
        demand.code = code.strip().upper()
        _validate(demand)
        demand.save()
    else:
        demand.code = demand_next_code()
        _validate(demand, exclude=["code"])
        _save_with_fresh_code(demand)
    if publish:
        return demand_publish(demand=demand, actor=actor)
    demand_flag_duplicates(organization_ids=[organization.pk])
    demand.refresh_from_db(fields=["duplicate_of"])
    return demand


def _save_with_fresh_code(demand: Demand, attempts: int = 5) -> None:
    """Save a new demand; if another request took the same code meanwhile, take the next one."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                demand.save()
            return
        except IntegrityError:
            if attempt == attempts - 1 or not Demand.objects.filter(code=demand.code).exists():
                raise
            demand.code = demand_next_code()


@transaction.atomic
def demand_update(*, demand: Demand, actor: Actor, **changes) -> Demand:
    """Edit a demand of the user's organization (draft, open or expired). Editing an open demand
    re-runs matching."""
    _require(can_edit(actor, demand), _("您无权修改该需求。"))
    if demand.status not in Demand.EDITABLE_STATUSES:
        raise ApplicationError(_("%(status)s的需求不能再修改。") % {"status": demand.get_status_display()})
    if "deadline" in changes and changes["deadline"] != demand.deadline:
        _check_deadline(changes["deadline"])
    if demand.status == Demand.Status.OPEN and changes.get("deadline", demand.deadline) is None:
        raise ApplicationError(_("已发布的需求须有截止日期。"))
    changed = _apply(demand, changes)
    if not changed:
        return demand
    _validate(demand)
    demand._history_user = actor.user
    demand.save(update_fields=[*changed, "updated_at"])
    demand_flag_duplicates(organization_ids=[demand.organization_id])
    demand.refresh_from_db(fields=["duplicate_of"])
    if demand.status == Demand.Status.OPEN:
        demand_queue_matching(demand_ids=[demand.pk])
    return demand


@transaction.atomic
def demand_delete(*, demand: Demand, actor: Actor) -> None:
    """Delete a draft; a demand that was ever published is closed instead, never deleted."""
    _require(can_edit(actor, demand), _("您无权删除该需求。"))
    if demand.status != Demand.Status.DRAFT or demand.published_at is not None:
        raise ApplicationError(_("只能删除未发布过的草稿；已发布的需求请关闭。"))
    organization_id = demand.organization_id
    demand._history_user = actor.user
    demand.delete()
    demand_flag_duplicates(organization_ids=[organization_id])


# --- State changes -----------------------------------------------------------------------------


@transaction.atomic
def demand_publish(*, demand: Demand, actor: Actor) -> Demand:
    """Draft → open: institutions can see it and the matching engine matches it."""
    _require(can_edit(actor, demand), _("您无权发布该需求。"))
    if demand.status != Demand.Status.DRAFT:
        raise ApplicationError(
            _("只有草稿状态的需求可以发布（当前：%(status)s）。") % {"status": demand.get_status_display()}
        )
    if not demand.organization.verified:
        raise ApplicationError(_("贵单位尚未通过认证，需求暂不能发布；可先保存为草稿，认证通过后再发布。"))
    if demand.deadline is None:
        demand.deadline = timezone.localdate() + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    if demand.deadline < timezone.localdate():
        raise ApplicationError(_("截止日期已过，请先修改截止日期再发布。"))
    demand.status, demand.published_at, demand.closed_at = Demand.Status.OPEN, timezone.now(), None
    demand._history_user = actor.user
    demand.save(update_fields=["status", "published_at", "closed_at", "deadline", "updated_at"])
    demand_flag_duplicates(organization_ids=[demand.organization_id])
    demand.refresh_from_db(fields=["duplicate_of"])
    demand_queue_matching(demand_ids=[demand.pk])
    return demand


@transaction.atomic
def demand_close(*, demand: Demand, actor: Actor) -> Demand:
    """Draft, open or expired → closed (the SME no longer needs it, or bureau moderation)."""
    _require(can_close(actor, demand), _("您无权关闭该需求。"))
    if demand.status not in (Demand.Status.DRAFT, Demand.Status.OPEN, Demand.Status.EXPIRED):
        raise ApplicationError(_("%(status)s的需求不能关闭。") % {"status": demand.get_status_display()})
    demand.status, demand.closed_at = Demand.Status.CLOSED, timezone.now()
    demand._history_user = actor.user
    demand.save(update_fields=["status", "closed_at", "updated_at"])
    demand_flag_duplicates(organization_ids=[demand.organization_id])
    return demand


@transaction.atomic
def demand_renew(*, demand: Demand, actor: Actor, deadline: dt.date | None = None) -> Demand:
    """Open or expired → open with a later deadline (default: DEFAULT_VALIDITY_DAYS from today)."""
    _require(can_edit(actor, demand), _("您无权续期该需求。"))
    if demand.status not in (Demand.Status.OPEN, Demand.Status.EXPIRED):
        raise ApplicationError(
            _("只有征集中或已过期的需求可以续期（当前：%(status)s）。")
            % {"status": demand.get_status_display()}
        )
    today = timezone.localdate()
    deadline = deadline or today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    _check_deadline(deadline)
    if demand.status == Demand.Status.OPEN and demand.deadline and deadline <= demand.deadline:
        raise ApplicationError(
            _("续期后的截止日期须晚于当前截止日期（%(deadline)s）。")
            % {"deadline": demand.deadline.isoformat()}
        )
    reopened = demand.status == Demand.Status.EXPIRED
    demand.status, demand.deadline, demand.closed_at = Demand.Status.OPEN, deadline, None
    demand._history_user = actor.user
    demand.save(update_fields=["status", "deadline", "closed_at", "updated_at"])
    if reopened:
        demand_flag_duplicates(organization_ids=[demand.organization_id])
        demand.refresh_from_db(fields=["duplicate_of"])
        demand_queue_matching(demand_ids=[demand.pk])
    return demand


@transaction.atomic
def demand_mark_matched(*, demand: Demand, actor: Actor) -> Demand:
    """Open → matched: a deal or agreement answered the demand (called by matching/finance)."""
    if demand.status != Demand.Status.OPEN:
        raise ApplicationError(
            _("只有征集中的需求可以标记为已对接（当前：%(status)s）。")
            % {"status": demand.get_status_display()}
        )
    demand.status, demand.closed_at = Demand.Status.MATCHED, timezone.now()
    demand._history_user = actor.user
    demand.save(update_fields=["status", "closed_at", "updated_at"])
    demand_flag_duplicates(organization_ids=[demand.organization_id])
    return demand


@transaction.atomic
def demand_expire_due(*, actor: Actor, today: dt.date | None = None) -> int:
    """Open demands whose deadline has passed (before ``today``, Asia/Shanghai) → expired.

    Idempotent: run daily by Celery beat; returns how many demands expired.
    """
    today = today or timezone.localdate()
    due = list(
        Demand.objects.select_for_update()
        .filter(status=Demand.Status.OPEN, deadline__lt=today)
        .order_by("pk")
    )
    if not due:
        return 0
    now = timezone.now()
    for demand in due:
        demand.status, demand.closed_at, demand.updated_at = Demand.Status.EXPIRED, now, now
    bulk_update_with_history(
        due,
        Demand,
        ["status", "closed_at", "updated_at"],
        default_user=actor.user,
        default_change_reason="deadline passed",
    )
    demand_flag_duplicates(organization_ids={d.organization_id for d in due})
    return len(due)
