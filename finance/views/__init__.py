"""Thin views for the finance pages, one module per concern: the records (an overview, and for
each record a list, a detail page with its history, create/edit/delete forms), the deal actions,
the market features (typical cases, pledge candidates) and the conversion pages (contracts from
an inquiry, taking an open licence, follow-ups after a deal)."""

from .conversion import (
    contract_confirm,
    contract_create,
    contract_detail,
    contract_download,
    contract_edit,
    contract_record_signed,
    follow_up_detail,
    follow_up_list,
    open_license_take,
)
from .deals import deal_register, deal_terminate, payment_create, payment_delete
from .market import (
    case_consent,
    case_consent_withdraw,
    case_create,
    case_detail,
    case_edit,
    case_list,
    case_publish,
    case_unpublish,
    pledge_candidate_create,
    pledge_candidates,
)
from .records import RECORDS, Record, create_view, delete_view, detail_view, home, list_view, update_view

__all__ = [
    "RECORDS",
    "Record",
    "case_consent",
    "case_consent_withdraw",
    "case_create",
    "case_detail",
    "case_edit",
    "case_list",
    "case_publish",
    "case_unpublish",
    "contract_confirm",
    "contract_create",
    "contract_detail",
    "contract_download",
    "contract_edit",
    "contract_record_signed",
    "create_view",
    "deal_register",
    "deal_terminate",
    "delete_view",
    "detail_view",
    "follow_up_detail",
    "follow_up_list",
    "home",
    "list_view",
    "open_license_take",
    "payment_create",
    "payment_delete",
    "pledge_candidate_create",
    "pledge_candidates",
    "update_view",
]
