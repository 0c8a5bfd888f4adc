"""International Patent Classification codes: parsing, canonical form and titles.

A full code is ``H01M 10/052``: section ``H``, class ``H01``, subclass ``H01M``, main group
``H01M 10/00``, subgroup ``052``. Exports write it in many ways (``H01M10/052``,
``H01M 10/052 (2010.01)``, WIPO's 14-character ``H01M0010052000``); one canonical form is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.identifiers import ascii_fold

SECTIONS = "ABCDEFGH"

_VERSION_SUFFIX = re.compile(r"\s*[\(（]\s*\d{4}\s*[\.．]\s*\d{2}\s*[\)）]\s*$")
_FULL = re.compile(r"^([A-H])(\d{2})([A-Z])\s*0*(\d{1,4})\s*/\s*(\d{2,6})$")
_WIPO14 = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")
_PREFIX = re.compile(r"^([A-H])(?:(\d{2})([A-Z])?)?$")


@dataclass(frozen=True)
class IpcCode:
    """A parsed IPC code at group level."""

    section: str
    klass: str  # "H01"
    subclass: str  # "H01M"
    group: int  # 10
    subgroup: str  # "052"

    @property
    def code(self) -> str:
        return f"{self.subclass} {self.group}/{self.subgroup}"

    @property
    def main_group(self) -> str:
        return f"{self.subclass} {self.group}/00"

    def __str__(self) -> str:
        return self.code


def _clean(value: str) -> str:
    text = ascii_fold(value or "").strip().upper()
    return _VERSION_SUFFIX.sub("", text).strip()


def parse_ipc(value: str) -> IpcCode:
    """Parse one group-level IPC code; raises ValidationError with a Chinese message."""
    text = _clean(value)
    if not text:
        raise ValidationError(_("IPC 分类号为空。"), code="empty")
    match = _WIPO14.match(text)
    if match:
        section, cls, sub, group, subgroup = match.groups()
        subgroup = subgroup.rstrip("0").ljust(2, "0")
    else:
        match = _FULL.match(text)
        if not match:
            raise ValidationError(
                _("IPC 分类号“%(value)s”格式不正确，应形如 H01M 10/052。"),
                code="format",
                params={"value": str(value).strip()},
            )
        section, cls, sub, group, subgroup = match.groups()
    group_no = int(group)
    if group_no == 0:
        raise ValidationError(
            _("IPC 分类号“%(value)s”的大组号不能为 0。"), code="format", params={"value": str(value).strip()}
        )
    return IpcCode(
        section=section,
        klass=f"{section}{cls}",
        subclass=f"{section}{cls}{sub}",
        group=group_no,
        subgroup=subgroup,
    )


_PLAIN = re.compile(r"([A-H])(\d{2})([A-Z]) ?([1-9]\d{0,3})/(\d{2,6})")


def split_ipc(code: str) -> IpcCode:
    """``parse_ipc`` without the normalisation for a code written plainly, as stored
    (``H01M 10/052``) or as exports write it (``H01M10/052``): an import splits hundreds of
    thousands of them. Anything else goes through ``parse_ipc``."""
    match = _PLAIN.fullmatch(code)
    if match is None:
        return parse_ipc(code)
    section, cls, sub, group, subgroup = match.groups()
    return IpcCode(
        section=section,
        klass=section + cls,
        subclass=section + cls + sub,
        group=int(group),
        subgroup=subgroup,
    )


def normalize_ipc(value: str) -> str:
    return parse_ipc(value).code


def split_ipc_list(value: str) -> list[str]:
    """Split a list of codes written with ; , ； 、 | or line breaks."""
    return [part.strip() for part in re.split(r"[;,；，、|\n]+", str(value or "")) if part.strip()]


def parse_prefix(value: str) -> tuple[str, str] | None:
    """A filter prefix: ("section"|"class"|"subclass"|"main_group"|"code", canonical value).

    Accepts ``H``, ``H01``, ``H01M``, ``H01M 10/00`` (a main group) or a full code.
    """
    text = _clean(value).replace(" ", "")
    if not text:
        return None
    match = _PREFIX.match(text)
    if match:
        _section, cls, sub = match.groups()
        if sub:
            return "subclass", text
        if cls:
            return "class", text
        return "section", text
    try:
        code = parse_ipc(text)
    except ValidationError:
        return None
    if code.subgroup == "00":
        return "main_group", code.main_group
    return "code", code.code


def level_of(code: str) -> str:
    """section / class / subclass / main_group for an IpcEntry code."""
    if len(code) == 1:
        return "section"
    if len(code) == 3:
        return "class"
    if len(code) == 4:
        return "subclass"
    return "main_group"


_UPPER: dict[str, tuple[str, str]] = {}


def _upper_levels() -> dict[str, tuple[str, str]]:
    """Titles of sections, classes and subclasses (under 800 rows, read once per process).

    An empty table (a flushed test database) is not cached, so it is read again next time.
    """
    if not _UPPER:
        from .models import IpcEntry

        _UPPER.update(
            (code, (zh, en))
            for code, zh, en in IpcEntry.objects.exclude(level=IpcEntry.Level.MAIN_GROUP).values_list(
                "code", "title_zh", "title_en"
            )
        )
    return _UPPER


def clear_title_cache() -> None:
    _UPPER.clear()


def known_subclass(subclass: str) -> bool:
    """Whether the subclass exists in the shipped scheme (unknown when the table is empty)."""
    upper = _upper_levels()
    return not upper or subclass in upper


def localized_title(pair: tuple[str, str]) -> str:
    """The title in the reader's language: Chinese, or WIPO's English (upper levels are all
    capitals there, shown in sentence case); "" rather than the other language when missing."""
    zh, en = pair
    if not (get_language() or "").startswith("en"):
        return zh
    return en.capitalize() if en.isupper() else en


def title_of(code: str) -> str:
    """The title of a section/class/subclass code in the reader's language ("" when unknown)."""
    entry = _upper_levels().get(code)
    return localized_title(entry) if entry else ""


def titles_for(codes: list[str]) -> list[dict]:
    """For each full code: the code with its subclass and main-group titles, for display."""
    from .models import IpcEntry

    parsed = []
    for raw in codes:
        try:
            parsed.append(parse_ipc(raw))
        except ValidationError:
            continue
    groups = {
        code: localized_title((zh, en))
        for code, zh, en in IpcEntry.objects.filter(code__in={c.main_group for c in parsed}).values_list(
            "code", "title_zh", "title_en"
        )
    }
    upper = _upper_levels()
    none = ("", "")
    return [
        {
            "code": c.code,
            "section": c.section,
            "klass": c.klass,
            "subclass": c.subclass,
            "main_group": c.main_group,
            "section_title": localized_title(upper.get(c.section, none)),
            "class_title": localized_title(upper.get(c.klass, none)),
            "subclass_title": localized_title(upper.get(c.subclass, none)),
            "group_title": groups.get(c.main_group, ""),
        }
        for c in parsed
    ]


def section_class_tree() -> list[dict]:
    """Sections with their classes (code + Chinese title) for the browse filter."""
    upper = _upper_levels()
    tree = []
    for section in SECTIONS:
        classes = sorted(code for code in upper if len(code) == 3 and code.startswith(section))
        tree.append(
            {
                "code": section,
                "title": localized_title(upper.get(section, ("", ""))),
                "classes": [{"code": c, "title": localized_title(upper[c])} for c in classes],
            }
        )
    return tree


def subclasses_of(klass: str) -> list[dict]:
    upper = _upper_levels()
    return [
        {"code": code, "title": localized_title(upper[code])}
        for code in sorted(code for code in upper if len(code) == 4 and code.startswith(klass))
    ]
