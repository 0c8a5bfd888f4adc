"""Thin views for the patent pages, one module per concern: browse and detail (public), the
institution's inventory, the review queue, open-license declarations, supply bulletins and
navigation projects."""

from .browse import ipc_subclasses, patent_detail, patent_list
from .bulletins import bulletin_detail, bulletin_list, bulletin_xlsx
from .inventory import (
    patent_create,
    patent_delete,
    patent_edit,
    patent_export,
    patent_mine,
    patent_publish,
    patent_renew,
    patent_submit,
    patent_withdraw,
)
from .navigation import (
    navigation_create,
    navigation_delete,
    navigation_detail,
    navigation_edit,
    navigation_list,
    navigation_report,
)
from .open_licenses import fee_reduction_create, open_license_declare, open_license_withdraw
from .review import patent_review, patent_review_decide

__all__ = [
    "bulletin_detail",
    "bulletin_list",
    "bulletin_xlsx",
    "fee_reduction_create",
    "ipc_subclasses",
    "navigation_create",
    "navigation_delete",
    "navigation_detail",
    "navigation_edit",
    "navigation_list",
    "navigation_report",
    "open_license_declare",
    "open_license_withdraw",
    "patent_create",
    "patent_delete",
    "patent_detail",
    "patent_edit",
    "patent_export",
    "patent_list",
    "patent_mine",
    "patent_publish",
    "patent_renew",
    "patent_review",
    "patent_review_decide",
    "patent_submit",
    "patent_withdraw",
]
