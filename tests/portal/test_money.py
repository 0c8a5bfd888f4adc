from decimal import Decimal

import pytest

from portal.money import format_wan, format_yuan, to_yuan


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1,234.5", "1234.50"),
        ("¥12", "12.00"),
        ("3万", "30000.00"),
        ("12元", "12.00"),
        (7, "7.00"),
        (0.1, "0.10"),
    ],
)
def test_to_yuan(raw, expected):
    assert to_yuan(raw) == Decimal(expected)


def test_format():
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_wan(Decimal("300000")) == "30万元"
    assert format_wan(Decimal("1234567.89")) == "123.46万元"
    assert format_wan(Decimal("999")) == "¥999.00"
    assert format_wan(None) == "—"
