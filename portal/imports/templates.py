"""Downloadable templates of each import kind: the Chinese header every importer reads (each
column's first spelling) and one example row, as CSV (UTF-8 with BOM, for Excel) or XLSX."""

from portal.exports import csv_bytes, xlsx_bytes
from portal.languages import reads_chinese

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


def import_template_list(kinds: list[tuple[str, str]]) -> list[dict]:
    """For the import page: each kind the user may upload with its columns (header, required).
    Chinese pages show the templates' Chinese headers; other pages the column names, which every
    importer accepts too."""
    chinese = reads_chinese()
    return [
        {
            "kind": kind,
            "label": label,
            "columns": [
                (column.aliases[0] if column.aliases and chinese else column.name, column.required)
                for column in importer_for(kind).columns
            ],
        }
        for kind, label in kinds
    ]
