"""Taking an open licence in one step (专利开放许可): a verified SME declares that it takes the
licence a holder offered in its declaration; the licence deal is recorded on the published terms
(ordinary, non-exclusive: scope "open"; fee from the declaration; term within the declaration and
the patent's life) and the holder side is notified."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import permissions as matching_permissions
from matching.models import Notification
from matching.services.notifications import notification_create, owner_side_organization_ids
from patents.models import OpenLicense, Patent
from portal.errors import ApplicationError
from portal.models import Organization
from portal.permissions import Actor, system_actor

from ..models import Deal
from .deals import deal_create

__all__ = ["open_license_take", "open_license_term_end"]


def open_license_term_end(declaration: OpenLicense) -> datetime.date:
    """The latest day a licence taken on the declaration may run to: its term, within the patent's life."""
    expiry = declaration.patent.expiry_date
    return min(declaration.ends_on, expiry) if expiry else declaration.ends_on


def _amount(declaration: OpenLicense, expected_amount: Decimal | None) -> Decimal:
    modes = OpenLicense.FeeMode
    if declaration.fee_mode == modes.LUMP_SUM:
        return declaration.lump_sum or Decimal("0.00")
    if declaration.fee_mode == modes.ENTRY_FEE_ROYALTY and declaration.entry_fee:
        return declaration.entry_fee
    # Royalties only (or no entry fee): the contract amount is the licensee's estimate.
    if expected_amount is None or expected_amount <= 0:
        raise ValidationError({"expected_amount": _("提成支付方式请填写预计许可使用费（元）。")})
    return expected_amount


@transaction.atomic
def open_license_take(
    *,
    declaration: OpenLicense,
    actor: Actor,
    ends_on: datetime.date | None = None,
    expected_amount: Decimal | None = None,
) -> Deal:
    """A verified SME takes the open licence: refused when the declaration no longer stands, the
    patent is not in force, the SME already holds a licence on it, or the term would run beyond
    the declaration or the patent's life. Returns the recorded licence deal."""
    if not matching_permissions.can_inquire(actor):
        raise PermissionDenied(_("只有已认证的中小微企业可以实施开放许可。"))
    declaration = (
        OpenLicense.objects.select_for_update()
        .select_related("patent", "patent__owner")
        .get(pk=declaration.pk)
    )
    patent: Patent = declaration.patent
    buyer = Organization.objects.select_for_update().get(pk=actor.organization_id)
    today = timezone.localdate()
    if not declaration.stands_on(today):
        raise ApplicationError(_("该开放许可声明已撤回或不在许可期限内。"))
    if not patent.in_force:
        raise ApplicationError(_("专利已失效或届满，不能实施开放许可。"))
    if patent.owner_id == buyer.pk:
        raise ApplicationError(_("专利权人不能取得自己专利的许可。"))
    held = Deal.objects.filter(open_license=declaration, buyer=buyer).exclude(status=Deal.Status.TERMINATED)
    if held.exists():
        raise ApplicationError(_("贵单位已取得该专利的开放许可。"))
    latest = open_license_term_end(declaration)
    ends_on = ends_on or latest
    if ends_on <= today:
        raise ValidationError({"ends_on": _("许可期限须晚于今天。")})
    if ends_on > latest:
        raise ValidationError(
            {"ends_on": _("许可期限不得晚于开放许可期限和专利保护期（%(date)s）。") % {"date": latest}}
        )
    amount = _amount(declaration, expected_amount)
    terms = _("按开放许可声明取得：%(mode)s") % {"mode": declaration.get_fee_mode_display()}
    if declaration.royalty_rate is not None:
        terms += _("，提成比例 %(rate)s%%") % {"rate": declaration.royalty_rate}
    if declaration.fee_standard:
        terms += f"；{declaration.fee_standard}"
    # An SME may not record deals itself: the system records the licence the declaration grants.
    deal = deal_create(
        actor=system_actor(),
        deal_no=f"KF{today:%Y%m%d}-{declaration.pk}-{buyer.pk}",
        kind=Deal.Kind.LICENSE,
        license_scope=Deal.LicenseScope.OPEN,
        seller=patent.owner,
        buyer=buyer,
        patents=[patent],
        contract_date=today,
        contract_amount=amount,
        license_ends_on=ends_on,
        fee_waived=amount == 0,
        source_reference=_("开放许可声明#%(pk)d") % {"pk": declaration.pk},
        notes=terms[:2000],
        open_license=declaration,
    )
    params = {"org": buyer.name, "title": patent.title, "terms": terms}
    notification_create(
        kind=Notification.Kind.STATUS,
        text_code="openlicense.taken",
        text_params=params,
        url=reverse("finance:deal-detail", kwargs={"pk": deal.pk}),
        organization_ids=owner_side_organization_ids([patent.owner_id])[patent.owner_id],
        exclude_user=actor.user,
    )
    return deal
