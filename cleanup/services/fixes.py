"""The mechanical bulk fixes: withdraw listings of patents no longer in force, set industries
from the IPC mapping, set a district. Each one runs through ``apply_with_impact`` (KPI figures
before and after, frozen years confirmed a second time), is recorded as a ``CleanupRun`` with
the values before, and leaves history with the acting user: simple_history rows for patents,
``OrganizationChange`` entries for districts. ``cleanup_run_revert`` undoes a fix from those
values where the record was not changed again since."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from patents.models import Patent
from portal.errors import ApplicationError
from portal.models import Industry, Organization, Region
from portal.periods import organization_correct
from portal.permissions import Actor

from ..checks import CITY_DIVISION_PREFIX, not_in_force_listed
from ..impact import Outcome, apply_with_impact
from ..models import CleanupRun

SOURCE = "数据清理"


def _history_reason(text: str) -> str:
    return str(text)[:100]


# --- Listings of patents no longer in force --------------------------------------------------


def _withdraw(patent_ids: Iterable[int], *, actor: Actor) -> tuple[str, dict]:
    patents = list(not_in_force_listed().filter(pk__in=list(patent_ids)).select_for_update())
    before = {str(p.pk): {"listing_status": p.listing_status, "review_note": p.review_note} for p in patents}
    now = timezone.now()
    note = _("专利已失效，挂牌由数据清理撤回。")
    for patent in patents:
        patent.listing_status = Patent.ListingStatus.WITHDRAWN
        patent.review_note = note
        patent.updated_at = now
    if patents:
        bulk_update_with_history(
            patents,
            Patent,
            ["listing_status", "review_note", "updated_at"],
            default_user=actor.user,
            default_change_reason=_history_reason(note),
        )
    return _("撤回 %(n)d 件已失效专利的挂牌") % {"n": len(patents)}, {"patents": before}


def patents_withdraw_not_in_force(
    *, patent_ids: Iterable[int], actor: Actor, dry_run: bool = False, confirm_frozen: bool = False
) -> Outcome:
    """Withdraw the live listings, among ``patent_ids``, of patents no longer in force."""
    ids = list(patent_ids)
    return apply_with_impact(
        kind=CleanupRun.Kind.WITHDRAW_NOT_IN_FORCE,
        apply=lambda: _withdraw(ids, actor=actor),
        actor=actor,
        dry_run=dry_run,
        confirm_frozen=confirm_frozen,
    )


# --- Industries from the IPC mapping ---------------------------------------------------------


def _prefixes() -> list[tuple[str, int]]:
    found = []
    for industry in Industry.objects.exclude(ipc_prefixes=""):
        for prefix in industry.ipc_prefixes.split(";"):
            prefix = prefix.replace(" ", "").upper()
            if prefix:
                found.append((prefix, industry.pk))
    return found


def industries_for_ipc(codes: Iterable[str], prefixes: list[tuple[str, int]]) -> list[int]:
    """The industries whose IPC prefixes (``Industry.ipc_prefixes``) start one of ``codes``."""
    ids: list[int] = []
    for code in codes:
        compact = code.replace(" ", "").upper()
        for prefix, industry_id in prefixes:
            if compact.startswith(prefix) and industry_id not in ids:
                ids.append(industry_id)
    return ids


def _industries_from_ipc(patent_ids: Iterable[int], *, actor: Actor) -> tuple[str, dict]:
    through = Patent.industries.through
    prefixes = _prefixes()
    tagged = set(through.objects.values_list("patent_id", flat=True).filter(patent_id__in=list(patent_ids)))
    patents = list(
        Patent.objects.filter(pk__in=list(patent_ids)).exclude(pk__in=tagged).prefetch_related("ipc_entries")
    )
    added: dict[str, list[int]] = {}
    links = []
    for patent in patents:
        codes = [entry.code for entry in patent.ipc_entries.all()] or patent.ipc_list
        ids = industries_for_ipc(codes, prefixes)
        if ids:
            added[str(patent.pk)] = ids
            links += [through(patent_id=patent.pk, industry_id=i) for i in ids]
    through.objects.bulk_create(links)
    changed = [p for p in patents if str(p.pk) in added]
    now = timezone.now()
    for patent in changed:
        patent.updated_at = now
    if changed:
        bulk_update_with_history(
            changed,
            Patent,
            ["updated_at"],
            default_user=actor.user,
            default_change_reason=_("按IPC对照补充产业"),
        )
    return _("为 %(n)d 件专利按IPC对照补充产业") % {"n": len(changed)}, {"patents": added}


def patents_set_industry_from_ipc(
    *, patent_ids: Iterable[int], actor: Actor, dry_run: bool = False, confirm_frozen: bool = False
) -> Outcome:
    """Give patents without an industry the industries their IPC codes map to."""
    ids = list(patent_ids)
    return apply_with_impact(
        kind=CleanupRun.Kind.INDUSTRY_FROM_IPC,
        apply=lambda: _industries_from_ipc(ids, actor=actor),
        actor=actor,
        dry_run=dry_run,
        confirm_frozen=confirm_frozen,
    )


# --- Districts -------------------------------------------------------------------------------


def district_from_credit_code(credit_code: str, regions: set[str]) -> str | None:
    """The district whose GB/T 2260 code is the credit code's registering authority, if any."""
    code = credit_code[2:8]
    return code if code.startswith(CITY_DIVISION_PREFIX) and code in regions else None


def _set_district(
    organization_ids: Iterable[int], region_id: str | None, *, actor: Actor
) -> tuple[str, dict]:
    regions = set(Region.objects.values_list("code", flat=True))
    if region_id is not None and region_id not in regions:
        raise ApplicationError(_("不是本市旗区代码：%(value)s") % {"value": region_id})
    changed, skipped = {}, []
    for organization in Organization.objects.filter(pk__in=list(organization_ids), region__isnull=True):
        target = region_id or district_from_credit_code(organization.credit_code, regions)
        if target is None:
            skipped.append(organization.pk)
            continue
        organization_correct(
            organization=organization,
            actor=actor,
            region_id=target,
            reason=_("数据清理：补充缺失的旗区"),
            source=SOURCE,
        )
        changed[str(organization.pk)] = {"region_before": None, "region_after": target}
    summary = _("为 %(n)d 家单位补充旗区") % {"n": len(changed)}
    return summary, {"organizations": changed, "skipped": skipped}


def organizations_set_district(
    *,
    organization_ids: Iterable[int],
    actor: Actor,
    region_id: str | None = None,
    dry_run: bool = False,
    confirm_frozen: bool = False,
) -> Outcome:
    """Set the district of organizations that have none: ``region_id``, or (None) the district
    that issued their credit code. A correction from the start (the district was missing, not
    changed), recorded in the organization's change log with the acting user."""
    ids = list(organization_ids)
    return apply_with_impact(
        kind=CleanupRun.Kind.SET_DISTRICT,
        apply=lambda: _set_district(ids, region_id, actor=actor),
        actor=actor,
        dry_run=dry_run,
        confirm_frozen=confirm_frozen,
    )


# --- Undo ------------------------------------------------------------------------------------


def _revert(run: CleanupRun, *, actor: Actor) -> tuple[str, dict]:
    restored, kept = [], []
    if run.kind == CleanupRun.Kind.WITHDRAW_NOT_IN_FORCE:
        before = run.details.get("patents", {})
        patents = list(Patent.objects.filter(pk__in=[int(pk) for pk in before]).select_for_update())
        back = []
        for patent in patents:
            if patent.listing_status != Patent.ListingStatus.WITHDRAWN:
                kept.append(patent.pk)  # changed again since: left alone
                continue
            values = before[str(patent.pk)]
            patent.listing_status, patent.review_note = values["listing_status"], values["review_note"]
            patent.updated_at = timezone.now()
            back.append(patent)
            restored.append(patent.pk)
        if back:
            bulk_update_with_history(
                back,
                Patent,
                ["listing_status", "review_note", "updated_at"],
                default_user=actor.user,
                default_change_reason=_("撤销数据清理"),
            )
    elif run.kind == CleanupRun.Kind.INDUSTRY_FROM_IPC:
        through = Patent.industries.through
        for pk, industry_ids in run.details.get("patents", {}).items():
            deleted, _rows = through.objects.filter(patent_id=int(pk), industry_id__in=industry_ids).delete()
            (restored if deleted else kept).append(int(pk))
        changed = list(Patent.objects.filter(pk__in=restored))
        for patent in changed:
            patent.updated_at = timezone.now()
        if changed:
            bulk_update_with_history(
                changed,
                Patent,
                ["updated_at"],
                default_user=actor.user,
                default_change_reason=_("撤销数据清理"),
            )
    elif run.kind == CleanupRun.Kind.SET_DISTRICT:
        for pk, values in run.details.get("organizations", {}).items():
            organization = Organization.objects.filter(pk=int(pk)).first()
            if organization is None or organization.region_id != values["region_after"]:
                kept.append(int(pk))
                continue
            organization_correct(
                organization=organization,
                actor=actor,
                region_id=None,
                reason=_("撤销数据清理（记录 %(id)s）") % {"id": run.pk},
                source=SOURCE,
            )
            restored.append(int(pk))
    else:
        raise ApplicationError(_("该操作不能撤销。"))
    run.reverted_at, run.reverted_by = timezone.now(), actor.user
    run.save(update_fields=["reverted_at", "reverted_by"])
    summary = _("撤销“%(run)s”：恢复 %(n)d 条") % {"run": run.summary, "n": len(restored)}
    return summary, {"run": run.pk, "restored": restored, "changed_since": kept}


@transaction.atomic
def cleanup_run_revert(
    *, run: CleanupRun, actor: Actor, dry_run: bool = False, confirm_frozen: bool = False
) -> Outcome:
    """Undo a bulk fix from the values it recorded; records changed again since stay as they are.
    A merge is not undone (the duplicate's rows are mixed with the kept organization's)."""
    run = CleanupRun.objects.select_for_update().get(pk=run.pk)
    if not run.revertible:
        raise ApplicationError(_("该操作不能撤销，或已撤销。"))
    return apply_with_impact(
        kind=CleanupRun.Kind.REVERT,
        apply=lambda: _revert(run, actor=actor),
        actor=actor,
        dry_run=dry_run,
        confirm_frozen=confirm_frozen,
    )
