"""Writes of finance records. Every function validates with ``finance.rules`` (the same rules the
importers apply), saves in one transaction and records one history entry attributed to the actor.

``actor`` is the acting ``portal.permissions.Actor`` (its permissions are checked and its user is
recorded in the history), or None for the system (imports, data fixes).

What follows from a deal (through the patents app's services):
- registering a transfer or equity contribution moves its patents to the buyer
  (``patent_record_transfer``: owner, transfer count, last transferred date, dormant state);
- registering a license records it (``patent_record_license``: the open-license rule, license
  count, last licensed date, exclusivity, dormant state);
- terminating a registered exclusive or sole license ends the exclusivity on the termination
  date (done here: the patents app has no service for it);
- a product filing marks its patents as implemented (``patent_record_implemented``).
Terminating a registered transfer does not move the patent back: that needs a new transfer.
"""

from .contracts import (
    CONTRACT_FIELDS,
    contract_confirm,
    contract_draft,
    contract_prefill,
    contract_record_signed,
    contract_terms_errors,
    contract_update,
)
from .deals import (
    DEAL_FIELDS,
    deal_create,
    deal_delete,
    deal_register,
    deal_terminate,
    deal_update,
    payment_create,
    payment_delete,
    payment_update,
)
from .follow_ups import follow_up_answer, follow_up_request_due
from .open_licenses import open_license_take, open_license_term_end
from .records import (
    FILING_FIELDS,
    INSURANCE_FIELDS,
    PLEDGE_FIELDS,
    SUBSIDY_FIELDS,
    insurance_policy_create,
    insurance_policy_delete,
    insurance_policy_update,
    pledge_create,
    pledge_delete,
    pledge_update,
    product_filing_create,
    product_filing_delete,
    product_filing_update,
    subsidy_create,
    subsidy_delete,
    subsidy_update,
)

__all__ = [
    "CONTRACT_FIELDS",
    "DEAL_FIELDS",
    "FILING_FIELDS",
    "INSURANCE_FIELDS",
    "PLEDGE_FIELDS",
    "SUBSIDY_FIELDS",
    "contract_confirm",
    "contract_draft",
    "contract_prefill",
    "contract_record_signed",
    "contract_terms_errors",
    "contract_update",
    "deal_create",
    "deal_delete",
    "deal_register",
    "deal_terminate",
    "deal_update",
    "follow_up_answer",
    "follow_up_request_due",
    "insurance_policy_create",
    "insurance_policy_delete",
    "insurance_policy_update",
    "open_license_take",
    "open_license_term_end",
    "payment_create",
    "payment_delete",
    "payment_update",
    "pledge_create",
    "pledge_delete",
    "pledge_update",
    "product_filing_create",
    "product_filing_delete",
    "product_filing_update",
    "subsidy_create",
    "subsidy_delete",
    "subsidy_update",
]
