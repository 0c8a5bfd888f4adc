"""The one way the portal writes CSV and XLSX files for people to open in a spreadsheet.

Every text cell goes through ``safe_cell``: text that a spreadsheet would take for a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe,
so that a title such as ``=HYPERLINK("http://evil.example")`` shows as text instead of running
(CSV/formula injection). Numbers, dates and empty cells pass unchanged. openpyxl would otherwise
store such a string as a live formula.

- ``write_csv(stream, rows, header=...)`` / ``csv_bytes(rows, header=...)``: CSV, UTF-8 with a
  byte-order mark (Excel opens Chinese text correctly);
- ``append_row(sheet, values)``: one row of an openpyxl sheet (for exports with their own layout);
- ``xlsx_bytes(rows, header=..., title=...)``: a one-sheet workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet cell may hold it: formula-like text is quoted with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def _text(value: Any) -> Any:
    # Lazy translations become their text before the check; numbers and dates stay what they are.
    return str(value) if isinstance(value, Promise) else value


def write_csv(
    stream, rows: Iterable[Sequence[Any]], *, header: Sequence[Any] | None = None, bom: bool = True
):
    """Write rows (and a header) to a text stream (a file, a StringIO or an HttpResponse)."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    if header is not None:
        writer.writerow(safe_row(_text(v) for v in header))
    for row in rows:
        writer.writerow(safe_row(_text(v) for v in row))
    return stream


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, header: Sequence[Any] | None = None, bom: bool = True
) -> bytes:
    return write_csv(io.StringIO(), rows, header=header, bom=bom).getvalue().encode("utf-8")


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet, every text cell made safe."""
    sheet.append(safe_row(_text(v) for v in values))


def xlsx_bytes(
    rows: Iterable[Sequence[Any]], *, header: Sequence[Any] | None = None, title: str = "Sheet"
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    if header is not None:
        append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
