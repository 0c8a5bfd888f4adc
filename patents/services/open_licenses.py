"""Open licences (专利开放许可) and their annual-fee reductions."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.permissions import Actor

from .. import permissions
from ..identifiers import add_years
from ..models import AnnualFeeReduction, OpenLicense, Patent
from ._shared import _bulk_set_with_history, _require

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Open license (专利开放许可)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_license_declare(
    *,
    patent: Patent,
    actor: Actor,
    fee_mode: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    co_owners_consent: bool = False,
    lump_sum: Decimal | None = None,
    entry_fee: Decimal | None = None,
    royalty_rate: Decimal | None = None,
    fee_standard: str = "",
) -> OpenLicense:
    """Declare an open license: term of at least one year ending no later than the patent's
    expiry, consent of all co-owners, and no exclusive or sole license in force."""
    _require(permissions.can_edit(actor, patent))
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    errors: dict[str, list[str]] = {}
    if patent.legal_status != Patent.LegalStatus.GRANTED:
        raise ApplicationError(_("只有已授权且有效的专利可以声明开放许可。"))
    if OpenLicense.objects.filter(patent=patent, status=OpenLicense.Status.ACTIVE).exists():
        raise ApplicationError(_("该专利已有有效的开放许可声明。"))
    if patent.exclusive_license_until and patent.exclusive_license_until >= starts_on:
        raise ApplicationError(_("该专利存在有效的独占或排他许可，不能声明开放许可。"))
    if ends_on < add_years(starts_on, 1) - datetime.timedelta(days=1):
        errors.setdefault("ends_on", []).append(_("开放许可期限至少为一年。"))
    if patent.expiry_date is None:
        errors.setdefault("ends_on", []).append(_("请先填写申请日，以便确定专利保护期。"))
    elif ends_on > patent.expiry_date:
        errors.setdefault("ends_on", []).append(
            _("开放许可期限不得晚于专利保护期届满日（%(date)s）。") % {"date": patent.expiry_date}
        )
    if len(patent.applicant_list) > 1 and not co_owners_consent:
        errors.setdefault("co_owners_consent", []).append(_("专利有多个共有人，须经全体共有人同意。"))
    modes = OpenLicense.FeeMode
    if fee_mode == modes.LUMP_SUM and lump_sum is None:
        errors.setdefault("lump_sum", []).append(_("一次性支付方式须填写许可费金额。"))
    if fee_mode in (modes.ROYALTY, modes.ENTRY_FEE_ROYALTY) and royalty_rate is None:
        errors.setdefault("royalty_rate", []).append(_("提成支付方式须填写提成比例。"))
    if fee_mode == modes.ENTRY_FEE_ROYALTY and entry_fee is None:
        errors.setdefault("entry_fee", []).append(_("入门费+提成方式须填写入门费。"))
    if errors:
        raise ValidationError(errors)
    declaration = OpenLicense(
        patent=patent,
        fee_mode=fee_mode,
        lump_sum=lump_sum if fee_mode == modes.LUMP_SUM else None,
        entry_fee=entry_fee if fee_mode == modes.ENTRY_FEE_ROYALTY else None,
        royalty_rate=royalty_rate if fee_mode != modes.LUMP_SUM else None,
        fee_standard=fee_standard,
        starts_on=starts_on,
        ends_on=ends_on,
        co_owners_consent=co_owners_consent,
        declared_by=actor.user,
    )
    declaration.full_clean()
    declaration.save()
    patent.open_license = True
    patent.offers_license = True
    patent.save(update_fields=["open_license", "offers_license", "updated_at"])
    return declaration


@transaction.atomic
def open_license_withdraw(*, declaration: OpenLicense, actor: Actor) -> OpenLicense:
    """Withdraw an open-license declaration (licenses already taken continue under their terms)."""
    _require(permissions.can_edit(actor, declaration.patent))
    if declaration.status != OpenLicense.Status.ACTIVE:
        raise ApplicationError(_("该开放许可声明已不在有效状态。"))
    declaration.status = OpenLicense.Status.WITHDRAWN
    declaration.withdrawn_at = timezone.now()
    declaration.save(update_fields=["status", "withdrawn_at", "updated_at"])
    patent = declaration.patent
    patent.open_license = False
    patent.save(update_fields=["open_license", "updated_at"])
    return declaration


@transaction.atomic
def open_license_end_due(*, actor: Actor, today: datetime.date | None = None) -> int:
    """Declarations past their term end; the patent is no longer offered under open license."""
    today = today or timezone.localdate()
    due = list(OpenLicense.objects.filter(status=OpenLicense.Status.ACTIVE, ends_on__lt=today))
    for declaration in due:
        declaration.status = OpenLicense.Status.ENDED
        declaration.save(update_fields=["status", "updated_at"])
    if due:
        patents = Patent.objects.filter(pk__in=[d.patent_id for d in due])
        _bulk_set_with_history(patents, actor=actor, open_license=False)
    return len(due)


@transaction.atomic
def annual_fee_reduction_record(
    *,
    declaration: OpenLicense,
    actor: Actor,
    fee_year: int,
    annual_fee: Decimal,
    paid_on: datetime.date,
    reduction: Decimal | None = None,
) -> AnnualFeeReduction:
    """Record the annual-fee reduction granted for a fee year paid while the open-license
    declaration stood (by default ``AnnualFeeReduction.DEFAULT_RATE`` of the fee)."""
    _require(permissions.can_edit(actor, declaration.patent))
    errors: dict[str, list[str]] = {}
    in_force_until = declaration.withdrawn_at.date() if declaration.withdrawn_at else declaration.ends_on
    if not (declaration.starts_on <= paid_on <= min(in_force_until, declaration.ends_on)):
        errors["paid_on"] = [
            _("缴费日期须在开放许可期间内（%(start)s 至 %(end)s）。")
            % {"start": declaration.starts_on, "end": min(in_force_until, declaration.ends_on)}
        ]
    if paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(_("缴费日期不能晚于今天。"))
    if annual_fee is None or annual_fee <= 0:
        errors["annual_fee"] = [_("应缴年费必须大于 0。")]
    if errors:
        raise ValidationError(errors)
    if reduction is None:
        reduction = (annual_fee * AnnualFeeReduction.DEFAULT_RATE).quantize(Decimal("0.01"))
    if AnnualFeeReduction.objects.filter(open_license=declaration, fee_year=fee_year).exists():
        raise ValidationError({"fee_year": [_("该年度的年费减免已登记。")]})
    record = AnnualFeeReduction(
        open_license=declaration,
        fee_year=fee_year,
        annual_fee=annual_fee,
        reduction=reduction,
        paid_on=paid_on,
        recorded_by=getattr(actor, "user", None) if actor and getattr(actor.user, "pk", None) else None,
    )
    record.full_clean(validate_constraints=True)
    record.save()
    return record
