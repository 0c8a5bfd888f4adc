"""Typical cases (典型案例, issue 16 item 6): the city bureau writes up a completed deal and
publishes it once both parties consented; each party's consent is recorded (by one of its members
online, or by bureau staff with the evidence of a written consent) and may be withdrawn, which
takes a published case off the public pages at once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.permissions import Actor

from ..models import CaseConsent, Deal, TypicalCase
from ..permissions import can_manage_cases, case_party_of

CASE_FIELDS = frozenset({"title", "summary", "story", "results"})


def _require_manager(actor: Actor) -> None:
    if not can_manage_cases(actor):
        raise PermissionDenied(_("只有市知识产权局工作人员可以管理典型案例。"))


def _party_organization(case: TypicalCase, party: str):
    return case.deal.seller if party == CaseConsent.Party.SELLER else case.deal.buyer


def typical_case_consents_complete(case: TypicalCase) -> bool:
    """Whether both parties' consents stand (given by the deal's current parties)."""
    standing = {c.party: c.organization_id for c in case.consents.all() if c.withdrawn_at is None}
    return (
        standing.get(CaseConsent.Party.SELLER) == case.deal.seller_id
        and standing.get(CaseConsent.Party.BUYER) == case.deal.buyer_id
    )


@transaction.atomic
def typical_case_create(*, actor: Actor, deal: Deal, **fields) -> TypicalCase:
    """A draft case from a registered (completed) deal; one case per deal."""
    _require_manager(actor)
    unknown = set(fields) - CASE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if deal.status != Deal.Status.REGISTERED:
        raise ApplicationError(_("只有已登记（完成）的交易可以作为典型案例。"))
    if TypicalCase.objects.filter(deal=deal).exists():
        raise ApplicationError(_("该交易已有典型案例。"))
    case = TypicalCase(deal=deal, created_by=actor.user, **fields)
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def typical_case_update(*, actor: Actor, case: TypicalCase, **fields) -> TypicalCase:
    _require_manager(actor)
    unknown = set(fields) - CASE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(case, name, value)
    case.full_clean()
    case.save(update_fields=[*fields, "updated_at"])
    return case


@transaction.atomic
def case_consent_record(*, actor: Actor, case: TypicalCase, party: str, evidence: str = "") -> CaseConsent:
    """Record a party's consent: a member of that party for itself, or bureau staff on the
    party's behalf with the evidence (a written consent). Giving it again renews it."""
    if party not in CaseConsent.Party.values:
        raise ApplicationError(_("请选择当事方。"))
    evidence = (evidence or "").strip()
    own = case_party_of(actor, case) == party
    if not own:
        _require_manager(actor)
        if not evidence:
            raise ApplicationError(_("代当事方记录同意时，请注明同意方式（如书面同意书及日期）。"))
    consent, _created = CaseConsent.objects.select_for_update().get_or_create(
        case=case,
        party=party,
        defaults={"organization": _party_organization(case, party), "recorded_by": actor.user},
    )
    consent.organization = _party_organization(case, party)
    consent.recorded_by = actor.user
    consent.evidence = evidence[:300]
    consent.given_at = timezone.now()
    consent.withdrawn_at = None
    consent.save()
    return consent


@transaction.atomic
def case_consent_withdraw(*, actor: Actor, case: TypicalCase, party: str) -> TypicalCase:
    """Withdraw a party's consent (the party itself, or staff on its word); a published case is
    withdrawn from the public pages at once."""
    if case_party_of(actor, case) != party:
        _require_manager(actor)
    case = TypicalCase.objects.select_for_update().select_related("deal").get(pk=case.pk)
    updated = CaseConsent.objects.filter(case=case, party=party, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if not updated:
        raise ApplicationError(_("该当事方没有有效的同意记录。"))
    if case.status == TypicalCase.Status.PUBLISHED:
        case.status = TypicalCase.Status.WITHDRAWN
        case.save(update_fields=["status", "updated_at"])
    return case


@transaction.atomic
def typical_case_publish(*, actor: Actor, case: TypicalCase) -> TypicalCase:
    """Publish a case: only with both parties' standing consent, and while its deal stands."""
    _require_manager(actor)
    case = TypicalCase.objects.select_for_update().select_related("deal").get(pk=case.pk)
    if case.status == TypicalCase.Status.PUBLISHED:
        raise ApplicationError(_("该案例已发布。"))
    if case.deal.status == Deal.Status.TERMINATED:
        raise ApplicationError(_("交易已终止，不能发布为典型案例。"))
    if not typical_case_consents_complete(case):
        raise ApplicationError(_("须有交易双方的同意记录才能发布。"))
    case.status = TypicalCase.Status.PUBLISHED
    case.published_at = case.published_at or timezone.now()
    case.save(update_fields=["status", "published_at", "updated_at"])
    return case


@transaction.atomic
def typical_case_unpublish(*, actor: Actor, case: TypicalCase) -> TypicalCase:
    _require_manager(actor)
    if case.status != TypicalCase.Status.PUBLISHED:
        raise ApplicationError(_("该案例未发布。"))
    case.status = TypicalCase.Status.WITHDRAWN
    case.save(update_fields=["status", "updated_at"])
    return case
