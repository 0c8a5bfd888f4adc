"""Chinese patent application numbers (申请号) and terms of protection.

Since 2003 an application number is ``YYYY T NNNNNNN`` plus a check character, written
``202110123456.X``: four digits of the filing year, the type digit (1 invention, 2 utility model,
3 design, 8 PCT invention entering China, 9 PCT utility model), a seven-digit serial number, then
``.`` and the check character. The check character is the sum of digit x weight, weights
2,3,4,5,6,7,8,9,2,3,4,5, modulo 11, with 10 written ``X``. Numbers from 1985 to 2003 have eight
digits (``YY T NNNNN``) with weights 2..9. Input may carry a ``CN``/``ZL`` prefix, miss the dot,
use a lower-case ``x``, full-width characters, other scripts' digits or spaces; one canonical
ASCII form is stored.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.identifiers import ascii_fold, non_ascii_chars

WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)

# Design applications filed on or after this date get 15 years (Patent Law as amended in 2020).
DESIGN_15_YEARS_FROM = datetime.date(2021, 6, 1)


class PatentType(models.TextChoices):
    INVENTION = "invention", _("发明")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")


TYPE_BY_DIGIT = {
    "1": PatentType.INVENTION,
    "8": PatentType.INVENTION,  # PCT application entering the national phase
    "2": PatentType.UTILITY_MODEL,
    "9": PatentType.UTILITY_MODEL,  # PCT application entering the national phase
    "3": PatentType.DESIGN,
}

_PREFIX = re.compile(r"^(?:CN|ZL)")
_SEPARATORS = re.compile(r"[\s\-_]")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts ٢ and ²


@dataclass(frozen=True)
class ApplicationNumber:
    """A parsed, valid application number."""

    digits: str  # 12 or 8 digits, without the check character
    check: str

    @property
    def canonical(self) -> str:
        return f"{self.digits}.{self.check}"

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def patent_type(self) -> PatentType:
        return TYPE_BY_DIGIT[self.type_digit]

    @property
    def is_pct(self) -> bool:
        return self.type_digit in ("8", "9")

    @property
    def year(self) -> int:
        """The year the number was given (the filing year, or national-phase entry for PCT)."""
        if len(self.digits) == 12:
            return int(self.digits[:4])
        yy = int(self.digits[:2])
        return 1900 + yy if yy >= 85 else 2000 + yy

    def __str__(self) -> str:
        return self.canonical


def check_character(digits: str) -> str:
    """The check character for 12 (since 2003) or 8 (1985-2003) digits."""
    if len(digits) == 12:
        weights = WEIGHTS_12
    elif len(digits) == 8:
        weights = WEIGHTS_8
    else:
        raise ValueError("an application number has 12 or 8 digits before the check character")
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def parse_application_no(value: str) -> ApplicationNumber:
    """Parse and validate an application number; raises ValidationError with a Chinese message
    that says what is wrong (for a wrong check character: which one was expected).

    The number is folded to ASCII first (full-width characters, any script's decimal digits,
    the ideographic full stop), so the canonical form is always ``[0-9]{12}.[0-9X]``; a
    character that only looks like a digit (〇, O) is refused by name."""
    raw = "" if value is None else str(value).strip()
    text = ascii_fold(raw).replace("。", ".").upper()
    text = _SEPARATORS.sub("", text)
    text = _PREFIX.sub("", text)
    if not text:
        raise ValidationError(_("申请号为空。"), code="empty")
    strange = non_ascii_chars(text)
    if strange:
        raise ValidationError(
            _("申请号“%(value)s”含有无法识别的字符“%(chars)s”；请只用半角数字 0-9、小数点和 X。"),
            code="charset",
            params={"value": raw, "chars": strange},
        )
    if text.count(".") > 1:
        raise ValidationError(_("申请号“%(value)s”含有多个小数点。"), code="format", params={"value": raw})
    if "." in text:
        digits, check = text.split(".")
        if not check:
            return _missing_check(raw, digits)
        if len(check) != 1:
            raise ValidationError(
                _("申请号“%(value)s”的校验位应为小数点后的一位数字或 X。"),
                code="format",
                params={"value": raw},
            )
    else:
        if not _DIGITS.fullmatch(text) and not (_DIGITS.fullmatch(text[:-1]) and text[-1] == "X"):
            raise ValidationError(
                _("申请号“%(value)s”含有无效字符；应为 12 位数字加校验位，如 202110123456.X。"),
                code="format",
                params={"value": raw},
            )
        if len(text) in (12, 8) and _DIGITS.fullmatch(text):
            return _missing_check(raw, text)
        digits, check = text[:-1], text[-1]
    if not _DIGITS.fullmatch(digits):
        raise ValidationError(
            _("申请号“%(value)s”含有无效字符；小数点前应全为数字。"), code="format", params={"value": raw}
        )
    if len(digits) not in (12, 8):
        raise ValidationError(
            _("申请号“%(value)s”小数点前应为 12 位数字（2003 年以前为 8 位），实际为 %(n)d 位。"),
            code="length",
            params={"value": raw, "n": len(digits)},
        )
    if check not in "0123456789X":
        raise ValidationError(
            _("申请号“%(value)s”的校验位“%(check)s”无效，应为数字或 X。"),
            code="format",
            params={"value": raw, "check": check},
        )
    number = ApplicationNumber(digits=digits, check=check)
    if number.type_digit not in TYPE_BY_DIGIT:
        raise ValidationError(
            _(
                "申请号“%(value)s”的专利类型位为“%(digit)s”，应为 1（发明）、2（实用新型）、3（外观设计）、8 或 9（PCT）。"
            ),
            code="type",
            params={"value": raw, "digit": number.type_digit},
        )
    if len(digits) == 12 and not 2003 <= number.year <= 2100:
        raise ValidationError(
            _("申请号“%(value)s”的年份“%(year)s”不合理。"),
            code="year",
            params={"value": raw, "year": digits[:4]},
        )
    expected = check_character(digits)
    if check != expected:
        raise ValidationError(
            _("申请号“%(value)s”校验位错误：应为 %(expected)s，实际为 %(got)s（请核对各位数字）。"),
            code="check",
            params={"value": raw, "expected": expected, "got": check},
        )
    return number


def _missing_check(raw: str, digits: str):
    if len(digits) in (12, 8) and _DIGITS.fullmatch(digits):
        raise ValidationError(
            _("申请号“%(value)s”缺少校验位：应为 %(canonical)s。"),
            code="missing_check",
            params={"value": raw, "canonical": f"{digits}.{check_character(digits)}"},
        )
    raise ValidationError(
        _("申请号“%(value)s”格式不正确；应为 12 位数字加校验位，如 202110123456.X。"),
        code="format",
        params={"value": raw},
    )


def normalize_application_no(value: str) -> str:
    """The canonical form (``202110123456.X``); raises ValidationError when invalid."""
    return parse_application_no(value).canonical


def validate_application_no(value: str) -> None:
    """Model/form field validator."""
    parse_application_no(value)


def patent_type_of(application_no: str) -> PatentType:
    return parse_application_no(application_no).patent_type


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def term_years(patent_type: str, application_date: datetime.date) -> int:
    """Years of protection counted from the filing date (Patent Law art. 42)."""
    if patent_type == PatentType.INVENTION:
        return 20
    if patent_type == PatentType.DESIGN and application_date >= DESIGN_15_YEARS_FROM:
        return 15
    return 10


def expiry_date(patent_type: str, application_date: datetime.date | None) -> datetime.date | None:
    """The last day of protection: the day before the anniversary of the filing date.

    CNIPA's examination guidelines (part V, ch. 9): a utility model filed on 1999-09-06 is
    protected from 1999-09-06 to 2009-09-05. Term extensions for delays are not modelled.
    """
    if application_date is None:
        return None
    return add_years(application_date, term_years(patent_type, application_date)) - datetime.timedelta(days=1)


def years_remaining(expiry: datetime.date | None, today: datetime.date) -> float | None:
    """Years of protection left (one decimal), 0 when expired, None when unknown."""
    if expiry is None:
        return None
    days = (expiry - today).days + 1
    return max(0.0, round(days / 365.25, 1))
