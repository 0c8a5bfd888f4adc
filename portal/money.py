"""Money is Decimal yuan; shown as 元 or 万元 the way users in China read amounts."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import pgettext

CENT = Decimal("0.01")
WAN = Decimal("10000")
YI = Decimal("100000000")


def to_yuan(value, unit: Decimal = Decimal(1)) -> Decimal:
    """Parse a yuan amount (accepts '1,234.5', '¥12', '12元', '50万', '1.2亿'); raises InvalidOperation.
    ``unit``: yuan per unit of a bare number (10000 for a field or column in 万元), applied before
    rounding to cents; a 万 or 亿 written in the value replaces it. The one parser of amounts: the
    importers and every amount field of the forms (``portal.forms.AmountField``) use it."""
    if isinstance(value, Decimal):
        return (value * unit).quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, int | float):
        return (Decimal(str(value)) * unit).quantize(CENT, rounding=ROUND_HALF_UP)
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    text = text.removesuffix("元").strip()
    if text.endswith(("万", "亿")):
        # A unit written in the value wins over the field's: "50万" is 500,000 yuan wherever it is typed.
        unit = YI if text.endswith("亿") else WAN
        text = text[:-1].strip()
    if not text:
        raise InvalidOperation("empty")
    return (Decimal(text) * unit).quantize(CENT, rounding=ROUND_HALF_UP)


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
