"""Identifiers typed by people: ASCII folding, and the unified social credit code
(统一社会信用代码, GB 32100-2015).

Every identifier (application numbers, credit codes, IPC codes) is folded to ASCII at the one
function that parses it, before validation and before any uniqueness check, so that the same
number typed with full-width, Arabic-Indic or Devanagari digits is the same row and every stored
value can be put in a URL.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def ascii_fold(value) -> str:
    """NFKC (full-width letters, digits, dots and spaces become ASCII), then every Unicode
    decimal digit (Arabic-Indic ٢, Devanagari २, ...) becomes 0-9. Other characters are kept, so
    the caller's validation can reject a look-alike it cannot map (〇, O for 0) by name."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def non_ascii_chars(text: str) -> str:
    """The distinct non-ASCII characters of ``text`` (for an error message), in order."""
    return "".join(dict.fromkeys(c for c in text if not c.isascii()))


def normalize_credit_code(value: str) -> str:
    """Canonical form: upper case, no spaces. Raises ValidationError when the code is invalid."""
    code = "".join(ascii_fold(value).split()).upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(n)d位。"), code="length", params={"n": len(code)}
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有无效字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="charset",
            params={"chars": "".join(bad)},
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：应为 %(expected)s，实际为 %(got)s。"),
            code="check",
            params={"expected": expected, "got": code[17]},
        )
    return code


def validate_credit_code(value: str) -> None:
    """Model/form field validator."""
    normalize_credit_code(value)


def make_credit_code(prefix17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return prefix17 + credit_code_check_char(prefix17)
