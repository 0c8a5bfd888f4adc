"""What the patent pages share: page sizes and the flag filters."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

PAGE_SIZES = (10, 20, 50)
FLAG_FILTERS = (
    ("open_license", _lazy("开放许可")),
    ("use_first_pay_later", _lazy("先使用后付费")),
    ("sme_fee_waiver", _lazy("中小微企业费用减免")),
    ("dormant", _lazy("沉睡专利")),
)
DEFAULT_PAGE_SIZE = 20
CARDS_CACHE_SECONDS = 600  # as each card's own entry (_patent_card.html)


def page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
