"""Constants and small helpers shared by the patents services' modules."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.permissions import Actor

from ..models import Patent

LISTING_YEARS = 1  # a listing runs 12 months unless renewed
RENEWAL_REMINDER_DAYS = 30

# Fields an owner (or staff) may set through patent_create / patent_update.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "claims",
        "ipc_codes",
        "applicants",
        "inventors",
        "application_date",
        "grant_date",
        "publication_no",
        "legal_status",
        "keywords",
        "trl",
        "implemented",
        "transfer_count",
        "license_count",
        "last_transferred_on",
        "last_licensed_on",
        "offers_transfer",
        "offers_license",
        "offers_equity",
        "license_scope",
        "open_license",
        "use_first_pay_later",
        "sme_fee_waiver",
        "asking_price",
    }
)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("无权操作该专利。"))


def _withdraw(patent: Patent, *, note: str = "") -> Patent:
    patent.listing_status = Patent.ListingStatus.WITHDRAWN
    patent.review_note = note[:500]
    patent.save(update_fields=["listing_status", "review_note", "updated_at"])
    return patent


def _bulk_set_with_history(queryset, *, actor: Actor, **values) -> int:
    """Update rows and record one history entry each, in the actor's name (queryset.update skips
    simple_history)."""
    from simple_history.utils import bulk_update_with_history

    patents = list(queryset.select_for_update())
    if not patents:
        return 0
    now = timezone.now()
    for patent in patents:
        for name, value in values.items():
            setattr(patent, name, value)
        patent.updated_at = now
    bulk_update_with_history(
        patents, Patent, [*values, "updated_at"], batch_size=500, default_user=actor.user
    )
    return len(patents)
