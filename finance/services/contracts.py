"""Contracts drafted from agreed inquiries (national model contracts: 专利权转让合同, 专利实施许可
合同 with ordinary / exclusive / sole licences). Either side drafts it prefilled from the inquiry
and the listing, both sides edit the draft, and it is signed when both sides confirm the same
text (an edit withdraws the confirmations) or when staff record a signature made on paper.
Signing records the deal, linked both ways: ``Deal.inquiry`` and ``Contract.deal``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import permissions as matching_permissions
from matching.models import Inquiry, Notification
from matching.services.notifications import notification_create, owner_side_organization_ids
from patents.identifiers import add_years
from patents.models import Patent
from portal.errors import ApplicationError
from portal.permissions import Actor, system_actor

from .. import permissions
from ..models import Contract, Deal
from .deals import deal_create

__all__ = [
    "CONTRACT_FIELDS",
    "contract_confirm",
    "contract_draft",
    "contract_prefill",
    "contract_record_signed",
    "contract_terms_errors",
    "contract_update",
]

# The terms a contract draft's edits set; the form shows them in this order.
CONTRACT_FIELDS = (
    "contract_no",
    "kind",
    "license_scope",
    "scope_of_use",
    "territory",
    "term_starts_on",
    "term_ends_on",
    "fee_mode",
    "amount",
    "entry_fee",
    "royalty_rate",
    "payment_terms",
    "other_terms",
)
DEFAULT_TERRITORY = "中华人民共和国境内"
DEFAULT_LICENSE_YEARS = 3
ROYALTY_MODES = (Contract.FeeMode.ROYALTY, Contract.FeeMode.ENTRY_FEE_ROYALTY)


def _today() -> datetime.date:
    return timezone.localdate()


def _url(contract: Contract) -> str:
    return reverse("finance:contract-detail", kwargs={"pk": contract.pk})


def _side_of(actor: Actor, contract: Contract) -> str:
    side = permissions.contract_side(actor, contract)
    if side is None:
        raise PermissionDenied(_("您不是该合同的当事方，不能进行此操作。"))
    return side


def _notify(contract: Contract, *, to_side: str | None, exclude_user, code: str) -> None:
    """Notify one side (seller side: the owner and its agencies) or both (None); the texts are
    rendered in each reader's language from ``code`` (``matching.notification_texts``)."""
    params = {"no": contract.contract_no, "patent": contract.patent.title}
    organization_ids: set[int] = set()
    if to_side in (None, permissions.BUYER):
        organization_ids.add(contract.buyer_id)
    if to_side in (None, permissions.SELLER):
        organization_ids |= owner_side_organization_ids([contract.seller_id])[contract.seller_id]
    notification_create(
        kind=Notification.Kind.STATUS,
        url=_url(contract),
        organization_ids=organization_ids,
        exclude_user=exclude_user,
        text_code=code,
        text_params=params,
    )


def _other(side: str) -> str:
    return permissions.BUYER if side == permissions.SELLER else permissions.SELLER


def contract_terms_errors(contract: Contract) -> dict[str, list[str]]:
    """What keeps the draft from being signed: a licence needs its scope and a term that ends
    after it starts and no later than the patent's expiry; royalty modes need their rate."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not (contract.contract_no or "").strip():
        add("contract_no", _("请填写合同编号。"))
    if contract.kind == Deal.Kind.LICENSE:
        if contract.license_scope not in Contract.CONTRACT_SCOPES:
            add("license_scope", _("许可合同须选择普通、独占或排他许可。"))
        if not contract.term_starts_on or not contract.term_ends_on:
            add("term_ends_on", _("许可合同须填写许可期限。"))
        elif contract.term_ends_on <= contract.term_starts_on:
            add("term_ends_on", _("许可期限止须晚于许可期限起。"))
        expiry = contract.patent.expiry_date
        if contract.term_ends_on and expiry and contract.term_ends_on > expiry:
            add("term_ends_on", _("许可期限不得晚于专利保护期届满日（%(date)s）。") % {"date": expiry})
    if contract.amount is None or contract.amount <= 0:
        add("amount", _("合同金额必须大于 0。"))
    if contract.fee_mode in ROYALTY_MODES and contract.royalty_rate is None:
        add("royalty_rate", _("提成支付方式须填写提成比例。"))
    if contract.fee_mode == Contract.FeeMode.ENTRY_FEE_ROYALTY and contract.entry_fee is None:
        add("entry_fee", _("入门费+提成方式须填写入门费。"))
    return errors


def _clean(contract: Contract) -> None:
    if contract.kind == Deal.Kind.TRANSFER:
        contract.license_scope = ""
        contract.term_starts_on = contract.term_ends_on = None
    if contract.fee_mode not in ROYALTY_MODES:
        contract.royalty_rate = None
    if contract.fee_mode != Contract.FeeMode.ENTRY_FEE_ROYALTY:
        contract.entry_fee = None
    contract.contract_no = (contract.contract_no or "").strip()
    contract.full_clean(exclude=["inquiry", "patent", "seller", "buyer", "deal", "created_by"])


def contract_prefill(inquiry: Inquiry) -> dict:
    """The draft's starting terms, from the inquiry and the listing."""
    patent: Patent = inquiry.patent
    today = _today()
    transfer = patent.offers_transfer and not patent.offers_license
    kind = Deal.Kind.TRANSFER if transfer else Deal.Kind.LICENSE
    scope = patent.license_scope if patent.license_scope in Contract.CONTRACT_SCOPES else "ordinary"
    ends = add_years(today, DEFAULT_LICENSE_YEARS) - datetime.timedelta(days=1)
    if patent.expiry_date and ends > patent.expiry_date:
        ends = patent.expiry_date
    return {
        "contract_no": f"HT{today:%Y%m%d}{inquiry.pk:05d}",
        "kind": kind,
        "license_scope": "" if transfer else scope,
        "scope_of_use": "" if transfer else _("制造、使用、销售、许诺销售专利产品，使用专利方法"),
        "territory": DEFAULT_TERRITORY,
        "term_starts_on": None if transfer else today,
        "term_ends_on": None if transfer else ends,
        "fee_mode": Contract.FeeMode.LUMP_SUM,
        "amount": patent.asking_price or Decimal("0.00"),
        "payment_terms": _("合同签订后 30 日内一次性支付。"),
    }


@transaction.atomic
def contract_draft(*, inquiry: Inquiry, actor: Actor) -> Contract:
    """Either side of an agreed inquiry drafts its contract (once: a second call returns the
    existing one)."""
    if matching_permissions.inquiry_side(actor, inquiry) is None:
        raise PermissionDenied(_("您不是该咨询的当事方，不能起草合同。"))
    inquiry = Inquiry.objects.select_for_update().select_related("patent", "organization").get(pk=inquiry.pk)
    existing = Contract.objects.filter(inquiry=inquiry).first()
    if existing is not None:
        return existing
    if inquiry.status != Inquiry.Status.AGREED:
        raise ApplicationError(_("只有已达成合作的咨询可以起草合同。"))
    contract = Contract(
        inquiry=inquiry,
        patent=inquiry.patent,
        seller_id=inquiry.patent.owner_id,
        buyer=inquiry.organization,
        created_by=actor.user,
        **contract_prefill(inquiry),
    )
    _clean(contract)
    contract.save()
    side = _side_of(actor, contract)
    _notify(
        contract,
        to_side=_other(side),
        exclude_user=actor.user,
        code="contract.drafted",
    )
    return contract


def _lock(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("patent", "seller", "buyer", "inquiry")
        .get(pk=contract.pk)
    )


@transaction.atomic
def contract_update(*, contract: Contract, actor: Actor, **fields) -> Contract:
    """Change the draft's terms; any change withdraws both confirmations."""
    side = _side_of(actor, contract)
    contract = _lock(contract)
    if contract.status != Contract.Status.DRAFT:
        raise ApplicationError(_("合同已签订，不能修改。"))
    unknown = set(fields) - set(CONTRACT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(contract, name) != value]
    for name, value in fields.items():
        setattr(contract, name, value)
    _clean(contract)
    if changed:
        contract.seller_confirmed_at = contract.buyer_confirmed_at = None
    contract._history_user = actor.user
    contract.save()
    if changed:
        _notify(
            contract,
            to_side=_other(side),
            exclude_user=actor.user,
            code="contract.changed",
        )
    return contract


@transaction.atomic
def contract_confirm(*, contract: Contract, actor: Actor) -> Contract:
    """One side confirms the draft as it stands; when both have, the contract is signed today."""
    side = _side_of(actor, contract)
    contract = _lock(contract)
    if contract.status != Contract.Status.DRAFT:
        raise ApplicationError(_("合同已签订。"))
    errors = contract_terms_errors(contract)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if side == permissions.SELLER:
        contract.seller_confirmed_at = contract.seller_confirmed_at or now
    else:
        contract.buyer_confirmed_at = contract.buyer_confirmed_at or now
    contract._history_user = actor.user
    contract.save(update_fields=["seller_confirmed_at", "buyer_confirmed_at", "updated_at"])
    if contract.seller_confirmed_at and contract.buyer_confirmed_at:
        # The parties may not record deals themselves: the system records the one their confirmed
        # contract makes; the contract's history names the party who confirmed last.
        return _sign(contract, signed_on=_today(), actor=actor, deal_actor=system_actor())
    _notify(
        contract,
        to_side=_other(side),
        exclude_user=actor.user,
        code="contract.confirmed",
    )
    return contract


@transaction.atomic
def contract_record_signed(*, contract: Contract, actor: Actor, signed_on: datetime.date) -> Contract:
    """Staff record that the parties signed the contract on paper on ``signed_on``."""
    contract = _lock(contract)
    if not permissions.can_record_signed(actor, contract):
        raise PermissionDenied(_("您无权登记该合同的签订。"))
    if contract.status != Contract.Status.DRAFT:
        raise ApplicationError(_("合同已签订。"))
    if signed_on > _today():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    errors = contract_terms_errors(contract)
    if errors:
        raise ValidationError(errors)
    return _sign(contract, signed_on=signed_on, actor=actor, deal_actor=actor)


def _sign(contract: Contract, *, signed_on: datetime.date, actor: Actor, deal_actor: Actor) -> Contract:
    """Record the deal (the same rules as any deal: ownership at the contract date, licences
    beside open or exclusive ones, amounts) and link it to the inquiry and the contract."""
    inquiry = contract.inquiry
    if Deal.objects.filter(inquiry=inquiry).exists():
        raise ApplicationError(_("该咨询已关联交易记录。"))
    is_license = contract.kind == Deal.Kind.LICENSE
    deal = deal_create(
        actor=deal_actor,
        deal_no=contract.contract_no,
        kind=contract.kind,
        seller=contract.seller,
        buyer=contract.buyer,
        patents=[contract.patent],
        contract_date=signed_on,
        contract_amount=contract.amount,
        license_scope=contract.license_scope if is_license else "",
        license_ends_on=contract.term_ends_on if is_license else None,
        source_reference=_("咨询#%(pk)d") % {"pk": inquiry.pk},
        inquiry=inquiry,
    )
    contract.status = Contract.Status.SIGNED
    contract.signed_on = signed_on
    contract.deal = deal
    contract._history_user = actor.user
    contract.save(update_fields=["status", "signed_on", "deal", "updated_at"])
    if inquiry.deal_reference != deal.deal_no:
        inquiry.deal_reference = deal.deal_no
        inquiry.save(update_fields=["deal_reference", "updated_at"])
    _notify(
        contract,
        to_side=None,
        exclude_user=None,
        code="contract.signed",
    )
    return contract
