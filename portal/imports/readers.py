"""Read an uploaded table as a header and an iterator of (spreadsheet row number, cells).

CSV encodings are detected (UTF-8, UTF-8 with BOM, GB18030 as Chinese Excel writes it); XLSX is
read in openpyxl's streaming mode. Files are checked by content, not only by name.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .base import ImportFileError

CHUNK_BYTES = 1024 * 1024
XLSX_MAX_UNCOMPRESSED = 500 * 1024 * 1024  # refuse zip bombs before openpyxl inflates them
XLSX_MAX_RATIO = 200
csv.field_size_limit(16 * 1024 * 1024)


def detect_kind(path: Path, filename: str | None) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    name = (filename or str(path)).lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再上传。"))
    if name.endswith(".xlsx"):
        raise ImportFileError(_("文件扩展名为 .xlsx，但内容不是有效的 Excel 文件。"))
    if b"\x00" in head:
        raise ImportFileError(_("文件不是文本格式的 CSV，也不是 .xlsx。"))
    return "csv"


def check_upload(path: Path, filename: str | None = None) -> str:
    """Check an uploaded table by its content before it is stored: its kind ("csv" or "xlsx"),
    or ImportFileError with a message for the uploader. An .xlsx must be a real workbook whose
    archive does not inflate past the limits (zip bombs) and that openpyxl can open; a CSV must be
    text (no NUL bytes) in an encoding the importer reads."""
    path = Path(path)
    kind = detect_kind(path, filename)
    if kind == "xlsx":
        _check_zip(path)
        _check_workbook(path)
    else:
        _check_text(path)
        detect_encoding(path)
    return kind


def _check_text(path: Path) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            if b"\x00" in chunk:
                raise ImportFileError(
                    _(
                        "文件含有空字符（NUL），不是文本格式的 CSV：请另存为 UTF-8 或 GB18030 编码的 CSV，或 .xlsx。"
                    )
                )


def _check_workbook(path: Path) -> None:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for malformed files
        raise ImportFileError(_("Excel 文件已损坏或格式不正确，无法打开。")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("Excel 文件中没有工作表。"))
        next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), None)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("Excel 文件已损坏或格式不正确，无法打开。")) from None
    finally:
        workbook.close()


def _decodes_as(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding`` (read in chunks: a Chinese character may
    first appear megabytes into an export whose first rows are ASCII)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(len(codecs.BOM_UTF8))
    if head == codecs.BOM_UTF8:
        return "utf-8-sig"
    if _decodes_as(path, "utf-8"):
        return "utf-8"
    if _decodes_as(path, "gb18030"):
        return "gb18030"
    raise ImportFileError(_("无法识别文件编码：请使用 UTF-8 或 GB18030 编码的 CSV。"))


def open_table(path, filename: str | None = None) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    path = Path(path)
    if not path.exists():
        raise ImportFileError(_("文件不存在：%(path)s") % {"path": path})
    if detect_kind(path, filename) == "xlsx":
        return _open_xlsx(path)
    return _open_csv(path)


def _open_csv(path: Path):
    encoding = detect_encoding(path)
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by the generator)
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        fh.close()
        raise ImportFileError(_("文件为空：缺少表头行。")) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        fh.close()
        raise ImportFileError(_("无法读取 CSV：%(error)s") % {"error": exc}) from None

    def rows():
        # Rows are numbered by record, as a spreadsheet shows them (a record with an embedded
        # newline is still one row), not by csv's physical line_num.
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                yield number, cells
        except Exception as exc:  # fail closed: whatever the reader raises names the row
            raise ImportFileError(
                _("第 %(row)d 行无法读取（其后的内容未检查）：%(error)s") % {"row": number + 1, "error": exc},
                row=number + 1,
            ) from None
        finally:
            fh.close()

    return header, rows()


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            compressed = max(1, sum(i.compress_size for i in infos))
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        raise ImportFileError(_("Excel 文件已损坏，无法打开。")) from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("压缩包不是 Excel 工作簿（缺少 xl/workbook.xml）。"))
    if total > XLSX_MAX_UNCOMPRESSED or total / compressed > XLSX_MAX_RATIO:
        raise ImportFileError(_("Excel 文件解压后过大（可能是压缩炸弹），已拒绝。"))


def _open_xlsx(path: Path):
    import openpyxl

    _check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = list(next(iterator))
    except StopIteration:
        workbook.close()
        raise ImportFileError(_("文件为空：缺少表头行。")) from None
    except Exception as exc:
        workbook.close()
        raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": str(exc)[:300]}) from None
    while header and header[-1] is None:
        header.pop()

    def rows():
        index = 1
        try:
            for index, cells in enumerate(iterator, start=2):
                yield index, list(cells)
        except Exception as exc:  # broken sheet XML, a forbidden entity, a bad cell: fail closed
            raise ImportFileError(
                _("第 %(row)d 行无法读取（其后的内容未检查）：%(error)s")
                % {"row": index + 1, "error": str(exc)[:300] or type(exc).__name__},
                row=index + 1,
            ) from None
        finally:
            workbook.close()

    return header, rows()


def read_bytes_as_table(data: bytes, filename: str) -> tuple[list[Any], list[list[Any]]]:
    """Small helper for previews: the header and all rows of an in-memory file."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=Path(filename).suffix) as tmp:
        tmp.write(data)
        tmp.flush()
        header, rows = open_table(tmp.name, filename)
        return header, [cells for _n, cells in rows]
