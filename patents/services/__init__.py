"""Writes for the patents app, one module per concern (callers import from ``patents.services``):

- ``inventory``: derived fields, create, edit, delete;
- ``listings``: the listing lifecycle (submit, review, publish, withdraw, renew, expire) and the
  daily maintenance;
- ``licensing``: facts the finance app records (transfers, licences, implementation);
- ``open_licenses``: open-licence declarations and annual-fee reductions;
- ``bulletins``: the monthly supply bulletin; ``navigation``: navigation projects.

Other apps call:
- ``patent_record_transfer`` when a transfer deal is registered (changes the owner),
- ``patent_assert_can_license`` before recording a license, then ``patent_record_license``,
- ``patent_refresh_dormant`` after changing anything the dormant state depends on.
"""

from ._shared import EDITABLE_FIELDS, LISTING_YEARS, RENEWAL_REMINDER_DAYS
from .bulletins import month_bounds, previous_month, supply_bulletin_publish
from .inventory import (
    compute_dormant,
    ipc_rows,
    ipc_values,
    normalize_ipc_codes,
    patent_create,
    patent_delete,
    patent_derive,
    patent_refresh_dormant,
    patent_save_edited,
    patent_update,
)
from .licensing import (
    open_license_standing,
    patent_assert_can_license,
    patent_record_implemented,
    patent_record_license,
    patent_record_transfer,
)
from .listings import (
    patent_approve,
    patent_daily_maintenance,
    patent_listings_expire,
    patent_listings_remind,
    patent_listings_withdraw_lapsed,
    patent_publish,
    patent_queue_matching,
    patent_reject,
    patent_renew,
    patent_submit,
    patent_withdraw,
)
from .navigation import (
    NAVIGATION_FIELDS,
    navigation_project_create,
    navigation_project_delete,
    navigation_project_update,
)
from .open_licenses import (
    annual_fee_reduction_record,
    open_license_declare,
    open_license_end_due,
    open_license_withdraw,
)

__all__ = [
    "EDITABLE_FIELDS",
    "LISTING_YEARS",
    "NAVIGATION_FIELDS",
    "RENEWAL_REMINDER_DAYS",
    "annual_fee_reduction_record",
    "compute_dormant",
    "ipc_rows",
    "ipc_values",
    "month_bounds",
    "navigation_project_create",
    "navigation_project_delete",
    "navigation_project_update",
    "normalize_ipc_codes",
    "open_license_declare",
    "open_license_end_due",
    "open_license_standing",
    "open_license_withdraw",
    "patent_approve",
    "patent_assert_can_license",
    "patent_create",
    "patent_daily_maintenance",
    "patent_delete",
    "patent_derive",
    "patent_listings_expire",
    "patent_listings_remind",
    "patent_listings_withdraw_lapsed",
    "patent_publish",
    "patent_queue_matching",
    "patent_record_implemented",
    "patent_record_license",
    "patent_record_transfer",
    "patent_refresh_dormant",
    "patent_reject",
    "patent_renew",
    "patent_save_edited",
    "patent_submit",
    "patent_update",
    "patent_withdraw",
    "previous_month",
    "supply_bulletin_publish",
]
