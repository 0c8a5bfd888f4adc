"""Downloadable templates of each import kind: the Chinese header every importer reads (each
column's first spelling) and one example row, as CSV (UTF-8 with BOM, for Excel) or XLSX."""

from portal.exports import csv_bytes, xlsx_bytes

from .base import importer_for

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def import_template_rows(kind: str) -> tuple[list[str], list[str]]:
    """The header and the example row of ``kind``; required columns first, as the importer names them."""
    importer = importer_for(kind)
    columns = sorted(importer.columns, key=lambda column: not column.required)
    header = [column.aliases[0] if column.aliases else column.name for column in columns]
    example = [importer.example.get(column.name, "") for column in columns]
    return header, example


def import_template_file(kind: str, file_format: str) -> bytes:
    header, example = import_template_rows(kind)
    if file_format == "xlsx":
        return xlsx_bytes([example], header=header, title=str(importer_for(kind).label))
    return csv_bytes([example], header=header)
