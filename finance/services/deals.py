"""Writes of deals and their payments; what a registration brings about for the patents."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from patents import services as patent_services
from patents.models import Patent
from portal.errors import ApplicationError
from portal.models import Organization
from portal.permissions import Actor

from .. import rules
from ..history import delete_with_history, save_with_history
from ..models import Deal, Payment
from ._common import (
    acting_user,
    full_clean,
    lock_patents,
    raise_if,
    require_create,
    require_write,
    set_fields,
    today,
)

# --- Deals ----------------------------------------------------------------------------------------

DEAL_FIELDS = frozenset(
    {
        "deal_no",
        "kind",
        "license_scope",
        "seller",
        "buyer",
        "contract_date",
        "contract_amount",
        "license_ends_on",
        "use_first_pay_later",
        "fee_waived",
        "source_reference",
        "notes",
    }
)


def _deal_snapshot(deal: Deal) -> dict:
    return {
        "kind": deal.kind,
        "license_scope": deal.license_scope,
        "seller_id": deal.seller_id,
        "buyer_id": deal.buyer_id,
        "contract_date": deal.contract_date,
        "patent_ids": set(deal.patents.values_list("pk", flat=True)) if deal.pk else set(),
    }


def _check_deal(deal: Deal, patents: list[Patent], *, check_patents: bool) -> None:
    errors = rules.deal_terms_errors(
        kind=deal.kind,
        license_scope=deal.license_scope,
        seller_id=deal.seller_id,
        buyer_id=deal.buyer_id,
        contract_date=deal.contract_date,
        contract_amount=deal.contract_amount,
        fee_waived=deal.fee_waived,
        license_ends_on=deal.license_ends_on,
        patent_count=len(patents),
        today=today(),
    )
    if check_patents:
        facts = rules.load_patent_facts([p.pk for p in patents], exclude_deal_id=deal.pk)
        errors += rules.deal_patent_errors(
            kind=deal.kind,
            license_scope=deal.license_scope,
            seller_id=deal.seller_id,
            contract_date=deal.contract_date,
            patents=[facts[p.pk] for p in patents],
        )
        if deal.kind == Deal.Kind.LICENSE and not errors:
            # The patents app decides whether a license may be recorded (open-license rule).
            for patent in patents:
                try:
                    patent_services.patent_assert_can_license(
                        patent, deal.license_scope, on=deal.contract_date
                    )
                except ApplicationError as error:
                    errors.append(("patents", error.message))
    raise_if(errors)
    full_clean(deal)


def _apply_registration(deal: Deal, patents: list[Patent]) -> None:
    """What a registration brings about for the deal's patents."""
    if deal.kind in Deal.OWNERSHIP_KINDS:
        for patent in patents:
            patent_services.patent_record_transfer(
                patent=patent, new_owner=deal.buyer, transferred_on=deal.contract_date
            )
    elif deal.kind == Deal.Kind.LICENSE:
        for patent in patents:
            patent_services.patent_record_license(
                patent=patent,
                scope=deal.license_scope,
                licensed_on=deal.contract_date,
                ends_on=deal.license_ends_on,
            )


def _registration_no(value: str | None) -> str:
    return (value or "").strip()


@transaction.atomic
def deal_create(
    *,
    actor: Actor,
    deal_no: str,
    kind: str,
    seller: Organization,
    buyer: Organization,
    patents: Iterable[Patent],
    contract_date: datetime.date,
    contract_amount: Decimal,
    license_scope: str = "",
    license_ends_on: datetime.date | None = None,
    registration_no: str = "",
    use_first_pay_later: bool = False,
    fee_waived: bool = False,
    source_reference: str = "",
    notes: str = "",
    inquiry=None,
    open_license=None,
) -> Deal:
    """Record a signed deal; with a registration number it is registered at once, with all that
    follows (ownership change, license record, dormant state). ``inquiry``: the agreed inquiry it
    came from (a real link, see ``contract_sign``); ``open_license``: the declaration whose
    published terms it takes (``open_license_take``)."""
    require_create(actor, Deal)
    registration_no = _registration_no(registration_no)
    deal = Deal(
        deal_no=(deal_no or "").strip(),
        kind=kind,
        license_scope=license_scope or "",
        seller=seller,
        buyer=buyer,
        contract_date=contract_date,
        contract_amount=contract_amount,
        license_ends_on=license_ends_on,
        registration_no=registration_no,
        use_first_pay_later=use_first_pay_later,
        fee_waived=fee_waived,
        source_reference=source_reference or "",
        notes=notes or "",
        inquiry=inquiry,
        open_license=open_license,
        status=Deal.Status.REGISTERED if registration_no else Deal.Status.SIGNED,
    )
    require_write(actor, deal)
    patents = lock_patents(patents)
    _check_deal(deal, patents, check_patents=True)
    save_with_history(deal, user=acting_user(actor), patents=patents)
    if registration_no:
        _apply_registration(deal, patents)
    return deal


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    actor: Actor,
    patents: Iterable[Patent] | None = None,
    registration_no: str | None = None,
    **fields,
) -> Deal:
    """Change a deal. A registered deal keeps its kind, parties, patents and contract date; giving
    a signed deal a registration number registers it."""
    require_write(actor, deal)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    old = _deal_snapshot(deal)
    old_registration = deal.registration_no
    set_fields(deal, fields, DEAL_FIELDS)
    if "deal_no" in fields:
        deal.deal_no = (deal.deal_no or "").strip()
    if deal.kind != Deal.Kind.LICENSE:
        # Only licenses have a scope and a term; changing the kind drops them unless given.
        if "license_scope" not in fields:
            deal.license_scope = ""
        if "license_ends_on" not in fields:
            deal.license_ends_on = None
    new_patents = lock_patents(patents) if patents is not None else list(deal.patents.all())
    new = {**_deal_snapshot(deal), "patent_ids": {p.pk for p in new_patents}}
    registration_no = old_registration if registration_no is None else _registration_no(registration_no)
    registering = bool(registration_no) and not old_registration

    if old_registration and not registration_no:
        raise ValidationError({"registration_no": _("合同已登记，不能清除登记号。")})
    if registering and deal.status == Deal.Status.TERMINATED:
        raise ApplicationError(_("已终止的合同不能登记。"))
    if (old_registration or deal.status == Deal.Status.TERMINATED) and rules.registered_changes(old, new):
        raise ApplicationError(rules.locked_message())
    require_write(actor, deal)

    first_payment = deal.payments.aggregate(first=Min("date"))["first"]
    if first_payment and deal.contract_date > first_payment:
        raise ValidationError(
            {"contract_date": _("合同日期不能晚于第一笔到账日期 %(date)s。") % {"date": first_payment}}
        )
    deal.registration_no = registration_no
    if registering:
        deal.status = Deal.Status.REGISTERED
    key_changed = any(old[name] != new[name] for name in old)
    _check_deal(deal, new_patents, check_patents=registering or (not old_registration and key_changed))
    save_with_history(deal, user=acting_user(actor), patents=new_patents if patents is not None else None)
    if registering:
        _apply_registration(deal, new_patents)
    return deal


def deal_register(*, deal: Deal, actor: Actor, registration_no: str) -> Deal:
    """Register a signed deal under its CNIPA registration number."""
    if not _registration_no(registration_no):
        raise ValidationError({"registration_no": _("请填写登记号。")})
    if deal.registration_no:
        raise ApplicationError(_("该合同已登记（登记号 %(no)s）。") % {"no": deal.registration_no})
    return deal_update(deal=deal, actor=actor, registration_no=registration_no)


@transaction.atomic
def deal_terminate(*, deal: Deal, actor: Actor, terminated_on: datetime.date, reason: str = "") -> Deal:
    """Terminate a deal: no payment dated after ``terminated_on`` may be recorded any more. A
    registered exclusive or sole license stops excluding others on that date."""
    require_write(actor, deal)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status == Deal.Status.TERMINATED:
        raise ApplicationError(_("该合同已终止。"))
    last_payment = deal.payments.aggregate(last=Max("date"))["last"]
    raise_if(
        rules.termination_errors(
            terminated_on=terminated_on,
            contract_date=deal.contract_date,
            last_payment=last_payment,
            today=today(),
        )
    )
    deal.status = Deal.Status.TERMINATED
    deal.terminated_on = terminated_on
    deal.termination_reason = (reason or "").strip()
    full_clean(deal)
    save_with_history(deal, user=acting_user(actor))
    if (
        deal.registration_no
        and deal.kind == Deal.Kind.LICENSE
        and deal.license_scope in Deal.EXCLUSIVE_SCOPES
    ):
        for patent in Patent.objects.select_for_update().filter(
            deals=deal, exclusive_license_until__gt=terminated_on
        ):
            patent.exclusive_license_until = terminated_on
            patent.save(update_fields=["exclusive_license_until", "updated_at"])
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal, actor: Actor) -> None:
    """Delete a deal entered by mistake: never one with payments, nor a registered one (its effects
    on the patents stand; terminate it instead)."""
    require_write(actor, deal)
    if deal.payments.exists():
        raise ApplicationError(_("该交易已有到账记录，不能删除。"))
    if deal.registration_no:
        raise ApplicationError(_("已登记的交易不能删除，请办理终止。"))
    delete_with_history(deal, user=acting_user(actor))


# --- Payments -------------------------------------------------------------------------------------


def _check_payment(payment: Payment, deal: Deal) -> None:
    raise_if(
        rules.payment_errors(
            date=payment.date,
            amount=payment.amount,
            contract_date=deal.contract_date,
            terminated_on=deal.terminated_on,
            today=today(),
        )
    )
    duplicate = Payment.objects.filter(deal=deal, date=payment.date, amount=payment.amount).exclude(
        pk=payment.pk
    )
    if duplicate.exists():
        raise ValidationError({"amount": _("该交易在同一日期已登记相同金额的到账款项。")})
    full_clean(payment)


@transaction.atomic
def payment_create(
    *, deal: Deal, actor: Actor, date: datetime.date, amount: Decimal, note: str = ""
) -> Payment:
    """Record money received on a deal: not before the contract date, not after termination, not in
    the future."""
    require_create(actor, Payment)
    deal = Deal.objects.select_for_update().select_related("buyer", "seller").get(pk=deal.pk)
    payment = Payment(deal=deal, date=date, amount=amount, note=note or "")
    require_write(actor, payment)
    _check_payment(payment, deal)
    return save_with_history(payment, user=acting_user(actor))


@transaction.atomic
def payment_update(*, payment: Payment, actor: Actor, **fields) -> Payment:
    require_write(actor, payment)
    deal = Deal.objects.select_for_update().get(pk=payment.deal_id)
    set_fields(payment, fields, frozenset({"date", "amount", "note"}))
    _check_payment(payment, deal)
    return save_with_history(payment, user=acting_user(actor))


@transaction.atomic
def payment_delete(*, payment: Payment, actor: Actor) -> None:
    require_write(actor, payment)
    delete_with_history(payment, user=acting_user(actor))
