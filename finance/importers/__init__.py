"""Import kinds of the finance app: deals, payments, pledges, insurance, subsidies, filings.

The shared contract (portal.imports.base): every row is checked first, with the same rules as the
services (``finance.rules``) on facts loaded once in ``preload``; any error → nothing is written.
Rows are upserted by their natural key; an unchanged row writes nothing, so re-importing a file
changes nothing. Every created or changed record gets one history entry (reason "批量导入").

Rows of one file are checked in order and see the earlier rows: a file may register a transfer
A→B and then a transfer B→C of the same patent. A deal imported with a registration number is
registered, with all that follows (ownership change, license record, dormant state), through the
patents app's services, in file order.

Loading all patents, deals and subsidies in ``preload`` suits a city's volumes (tens of thousands).
"""

from . import deals, records  # noqa: F401  (each kind registers itself)
