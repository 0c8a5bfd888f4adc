"""Money is Decimal yuan; shown as 元 or 万元 the way users in China read amounts."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import pgettext

CENT = Decimal("0.01")
WAN = Decimal("10000")


def to_yuan(value, unit: Decimal = Decimal(1)) -> Decimal:
    """Parse a yuan amount (accepts '1,234.5', '¥12', '12元'); raises InvalidOperation. ``unit``:
    yuan per unit of ``value`` (10000 for an amount in 万元), applied before rounding to cents."""
    if isinstance(value, Decimal):
        return (value * unit).quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, int | float):
        return (Decimal(str(value)) * unit).quantize(CENT, rounding=ROUND_HALF_UP)
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    text = text.removesuffix("元")
    multiplier = Decimal(1)
    if text.endswith("万"):
        text, multiplier = text[:-1], WAN
    if not text:
        raise InvalidOperation("empty")
    return (Decimal(text) * multiplier * unit).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value) -> str:
    """'¥1,234.50'."""
    if value is None:
        return "—"
    return f"¥{Decimal(value):,.2f}"


def format_wan(value) -> str:
    """'123.45万元' / '30万元' for amounts of 10,000 yuan or more, else '¥x.xx'.

    Languages that do not count in 万 (the English translation) show every amount as '¥x.xx'.
    """
    if value is None:
        return "—"
    value = Decimal(value)
    if abs(value) >= WAN and _counts_in_wan():
        wan = (value / WAN).quantize(CENT, rounding=ROUND_HALF_UP)
        text = f"{wan:,.2f}".rstrip("0").rstrip(".")
        return f"{text}万元"
    return format_yuan(value)


def _counts_in_wan() -> bool:
    # Translators: "yes" if amounts of 10,000 yuan or more read best in 万元 (units of 10,000
    # yuan) in your language; anything else shows them in full, e.g. ¥300,000.00.
    return pgettext("money format: count in 万元", "yes") == "yes"
