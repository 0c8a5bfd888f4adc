"""Facts the finance app records on patents: transfers, licences, implementation."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import Organization

from ..identifiers import add_years
from ..models import OpenLicense, Patent
from .inventory import compute_dormant

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Facts recorded by the finance app: transfers and licenses
# ---------------------------------------------------------------------------------------------


def open_license_standing(patent: Patent, on: datetime.date | None = None) -> OpenLicense | None:
    on = on or timezone.localdate()
    return (
        patent.open_licenses.filter(status=OpenLicense.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on)
        .order_by("-starts_on")
        .first()
    )


def patent_assert_can_license(patent: Patent, scope: str, *, on: datetime.date | None = None) -> None:
    """Raise ApplicationError if a license of ``scope`` (exclusive/sole/ordinary/open) may not be
    recorded for the patent on ``on``: no exclusive or sole license while an open-license
    declaration stands, nothing beside a standing exclusive/sole license, nothing for a patent
    that is no longer in force."""
    on = on or timezone.localdate()
    scopes = Patent.LicenseScope
    if scope not in scopes.values:
        raise ApplicationError(_("未知的许可方式：%(scope)s。") % {"scope": scope})
    if patent.legal_status in Patent.DEAD_STATUSES or (patent.expiry_date and patent.expiry_date < on):
        raise ApplicationError(_("专利已失效或届满，不能登记许可。"))
    if scope in (scopes.EXCLUSIVE, scopes.SOLE) and (
        patent.open_license or open_license_standing(patent, on)
    ):
        raise ApplicationError(_("该专利已声明开放许可，开放许可期间不得实行独占许可或排他许可。"))
    if patent.exclusive_license_until and patent.exclusive_license_until >= on:
        raise ApplicationError(
            _("该专利已有独占或排他许可（有效期至 %(until)s），不能再登记许可。")
            % {"until": patent.exclusive_license_until}
        )


@transaction.atomic
def patent_record_license(
    *,
    patent: Patent,
    scope: str,
    licensed_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Patent:
    """Record that a license was granted (called by the finance app when a deal is registered)."""
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    patent_assert_can_license(patent, scope, on=licensed_on)
    patent.license_count += 1
    patent.last_licensed_on = max(filter(None, [patent.last_licensed_on, licensed_on]))
    fields = ["license_count", "last_licensed_on", "dormant", "updated_at"]
    if scope in (Patent.LicenseScope.EXCLUSIVE, Patent.LicenseScope.SOLE):
        patent.exclusive_license_until = ends_on or patent.expiry_date or add_years(licensed_on, 1)
        fields.append("exclusive_license_until")
        if patent.listing_status in Patent.LIVE_LISTING_STATUSES:
            patent.listing_status = Patent.ListingStatus.TRADED
            fields.append("listing_status")
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=fields)
    return patent


@transaction.atomic
def patent_record_transfer(
    *, patent: Patent, new_owner: Organization, transferred_on: datetime.date
) -> Patent:
    """Record a registered transfer: the new owner holds the patent, the listing is traded."""
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    if patent.legal_status in Patent.DEAD_STATUSES:
        raise ApplicationError(_("专利已失效，不能登记转让。"))
    if new_owner.pk == patent.owner_id:
        raise ApplicationError(_("受让方与当前权利人相同。"))
    patent.owner = new_owner
    patent.transfer_count += 1
    patent.last_transferred_on = max(filter(None, [patent.last_transferred_on, transferred_on]))
    fields = ["owner", "transfer_count", "last_transferred_on", "dormant", "updated_at"]
    if patent.listing_status in Patent.LIVE_LISTING_STATUSES:
        patent.listing_status = Patent.ListingStatus.TRADED
        fields.append("listing_status")
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=fields)
    return patent


@transaction.atomic
def patent_record_implemented(*, patent: Patent, implemented: bool = True) -> Patent:
    """Mark a patent as implemented (e.g. a patent product filing), which ends dormancy."""
    patent.implemented = implemented
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=["implemented", "dormant", "updated_at"])
    return patent
