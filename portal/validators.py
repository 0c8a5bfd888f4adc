"""Validators of text people type that others will read (titles, names).

Decided in issue 14: a title must show something (not only spaces or zero-width characters),
and may not carry the Unicode controls that reorder the text around them (U+202A-U+202E,
U+2066-U+2069: "‮" makes "exe.pdf" read as "fdp.exe"). Other scripts, emoji and ordinary
punctuation are fine.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE_CATEGORIES = ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn")


def validate_visible_text(value: str) -> None:
    text = str(value or "")
    if any(c in BIDI_CONTROLS for c in text):
        raise ValidationError(_("不能包含改变文字方向的控制字符（如 U+202E）。"), code="bidi")
    if text and all(unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in text):
        raise ValidationError(_("不能只包含空白或不可见字符。"), code="invisible")


REPORT_TYPES = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".pptx": b"PK\x03\x04"}


def validate_report_document(file) -> None:
    """A report for download (navigation reports): PDF or an Office document, checked by its
    first bytes as well as its name. HTML and SVG are refused: opened from the portal's own
    domain they could run script (decided in issue 14)."""
    name = str(getattr(file, "name", "") or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    magic = REPORT_TYPES.get(suffix)
    if magic is None:
        raise ValidationError(
            _("报告只接受 PDF、Word（.docx）、Excel（.xlsx）或 PowerPoint（.pptx）文件。"), code="type"
        )
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        head = file.read(len(magic))
    finally:
        if position is not None:
            file.seek(position)
    if head != magic:
        raise ValidationError(_("文件内容与扩展名不符。"), code="content")
