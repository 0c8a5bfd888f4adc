"""The one import pipeline every data kind shares.

Contract (the `import_data` command, the upload pages and the admin all call `run_import`):
- FILE is .csv (UTF-8, UTF-8 with BOM or GB18030, detected) or .xlsx; a header row is required;
  headers may be the canonical column names or their Chinese aliases; unknown columns are ignored.
- Every row is checked. Any invalid row: every error is reported as `row N, column C: reason`
  (N as the spreadsheet shows it, the header being row 1) and nothing is written.
- Otherwise rows are upserted by their natural key in one transaction and the result counts
  `created X, updated Y, unchanged Z`. Re-importing the same file changes nothing.

The file is read twice (validate, then write in chunks) so that large files stream in bounded
memory; a kind that sets `spool_cleaned` is read and cleaned once instead, its cleaned rows kept in
a temporary file between the two passes. A kind is an `Importer` subclass registered with
`@register`.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import re
import tempfile
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.exports import FORMULA_PREFIXES
from portal.limits import IMPORT_CELL_MAX
from portal.money import to_yuan

CHUNK_SIZE = 2000
MAX_ERRORS = 1000


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, unreadable); ``row`` is the
    spreadsheet row where reading failed, when it failed part-way (1: the file itself)."""

    def __init__(self, message, row: int = 1):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class Column:
    """A column of an import kind: its canonical name and the headers accepted for it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    label: str = ""  # human description shown in templates/help


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    def summary(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    # Values accepted but worth a second look (shown in the preview; they do not stop the import).
    warnings: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    dry_run: bool = False
    # False when a dry run validated every row but skipped the trial write that counts created /
    # updated / unchanged (a large file on SQLite: see run_import).
    counted: bool = True
    # What else the import did, by the importer's own keys (e.g. ``submitted``: listings sent to review).
    outcomes: dict[str, int] = field(default_factory=dict)
    # The first rows as they will be saved (header as written in the file, then cleaned values).
    preview: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [str(e) for e in self.errors]

    def warning_lines(self) -> list[str]:
        return [str(w) for w in self.warnings[:MAX_ERRORS]]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "counted": self.counted,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
            "errors_truncated": self.errors_truncated,
            **self.outcomes,
            "preview": self.preview,
            "warnings": [
                {"row": w.row, "column": w.column, "message": w.message} for w in self.warnings[:MAX_ERRORS]
            ],
        }


_TRUE = {"1", "true", "yes", "y", "是", "有", "√", "t", "on", "已实施"}
_FALSE = {"0", "false", "no", "n", "否", "无", "×", "f", "off", "未实施", ""}
# A unit in an amount column's header: 营业收入(万元), 合同金额（单位：亿元）, 金额[元].
_UNIT_RE = re.compile(r"^(?P<base>.+?)[(\[](?:单位[:：])?(?P<unit>元|万元|亿元)[)\]]$")
UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
PREVIEW_ROWS = 5


def preview_text(value: Any) -> str:
    """A cleaned value as the import preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return "；".join(preview_text(item) for item in value)
    return str(value)


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class Row:
    """One data row: typed accessors that record an error and return None on bad input."""

    def __init__(
        self,
        number: int,
        values: dict[str, Any],
        headers: dict[str, str],
        errors: list[RowError],
        warnings: list[RowError] | None = None,
    ):
        self.number = number
        self._values = values
        self._headers = headers  # canonical name -> header as written in the file
        self._errors = errors
        self._warnings = warnings if warnings is not None else []
        self.failed = False

    def header(self, name: str) -> str:
        return self._headers.get(name, name)

    def error(self, name: str, message: str) -> None:
        self.failed = True
        self._errors.append(RowError(self.number, self.header(name), str(message)))

    def warn(self, name: str, message: str) -> None:
        """A value accepted but implausible: shown in the preview, the import goes on."""
        self._warnings.append(RowError(self.number, self.header(name), str(message)))

    def unit(self, name: str) -> tuple[str, Decimal] | None:
        """The unit named in the column's header (营业收入(万元) → ("万元", 10000)), if any."""
        return header_unit(self._headers.get(name, ""))

    def has(self, name: str) -> bool:
        return name in self._headers

    def raw(self, name: str) -> Any:
        value = self._values.get(name)
        if isinstance(value, str):
            value = value.strip()
            # The apostrophe our exports put before formula-like text (portal.exports.safe_cell)
            # is not part of the value: an export imported again is unchanged.
            if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
                value = value[1:]
            return value or None
        return value

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, _("必填，不能为空"))
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
        # Every column has a limit: one the importer names, else the longest free text any form
        # takes (a file must not store what the forms refuse).
        max_length = min(max_length or IMPORT_CELL_MAX, IMPORT_CELL_MAX)
        if len(value) > max_length:
            self.error(
                name, _("过长：最多 %(max)d 个字符，实际 %(n)d 个") % {"max": max_length, "n": len(value)}
            )
            return None
        return value

    def date(self, name: str, *, required: bool = False, not_future: bool = False) -> dt.date | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, _("必填，不能为空"))
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(name, _("日期格式无效：%(value)s（应为 YYYY-MM-DD）") % {"value": value})
            return None
        if not_future:
            from django.utils import timezone

            if parsed > timezone.localdate():
                self.error(name, _("日期不能晚于今天：%(value)s") % {"value": parsed.isoformat()})
                return None
        return parsed

    def decimal(
        self,
        name: str,
        *,
        required: bool = False,
        min_value: Decimal | int | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, _("必填，不能为空"))
            return None
        unit = self.unit(name)
        if unit and unit[1] != 1 and isinstance(value, str) and value.rstrip().endswith(("元", "万", "亿")):
            self.error(
                name,
                _("表头已注明单位（%(unit)s），单元格中只填数字：%(value)s")
                % {"unit": unit[0], "value": value},
            )
            return None
        try:
            amount = to_yuan(value, unit[1] if unit else Decimal(1))
        except (InvalidOperation, ValueError):
            self.error(name, _("金额无效：%(value)s") % {"value": value})
            return None
        if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
            self.error(name, _("金额超出范围：%(value)s") % {"value": value})
            return None
        if positive and amount <= 0:
            self.error(name, _("金额必须大于 0：%(value)s") % {"value": value})
            return None
        if min_value is not None and amount < min_value:
            self.error(name, _("不能小于 %(min)s：%(value)s") % {"min": min_value, "value": value})
            return None
        return amount

    def integer(
        self, name: str, *, required: bool = False, min_value: int | None = None, max_value: int | None = None
    ) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, _("必填，不能为空"))
            return None
        unit = self.unit(name)
        if unit:
            self.error(name, _("该列不是金额，表头不能注明金额单位（%(unit)s）") % {"unit": unit[0]})
            return None
        try:
            number = int(Decimal(str(value).replace(",", "")))
            if Decimal(str(value).replace(",", "")) != number:
                raise ValueError
        except (InvalidOperation, ValueError):
            self.error(name, _("应为整数：%(value)s") % {"value": value})
            return None
        if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
            lo = "" if min_value is None else min_value
            hi = "" if max_value is None else max_value
            self.error(name, _("超出范围 %(lo)s–%(hi)s：%(value)s") % {"lo": lo, "hi": hi, "value": value})
            return None
        return number

    def boolean(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.error(name, _("应为 yes/no（是/否）：%(value)s") % {"value": value})
        return None

    def choice(
        self, name: str, choices: dict[str, str], *, required: bool = False, default: str | None = None
    ) -> str | None:
        """`choices` maps every accepted spelling (lower-case) to the stored value."""
        value = self.raw(name)
        if value is None:
            if required:
                self.error(name, _("必填，不能为空"))
            return default
        stored = choices.get(str(value).strip().lower())
        if stored is None:
            accepted = ", ".join(sorted({v for v in choices.values()}))
            self.error(
                name, _("无效取值 %(value)s（可选：%(accepted)s）") % {"value": value, "accepted": accepted}
            )
        return stored

    def split(self, name: str, *, separators: str = ";；,，、|") -> list[str]:
        value = self.raw(name)
        if value is None:
            return []
        parts = _separator_pattern(separators).split(str(value))
        return [p.strip() for p in parts if p.strip()]


@functools.cache
def _separator_pattern(separators: str) -> re.Pattern:
    return re.compile("[" + re.escape(separators) + "]")


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: date/datetime objects, Excel serials, YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date (1954-2119)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value))
    text = str(value).strip().split(" ")[0].split("T")[0]
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def choices_map(choices: Iterable[tuple[str, Any]], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accept a TextChoices' values and labels (Chinese) as spellings, plus any extra aliases."""
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[str(value).lower()] = value
        mapping[str(label).lower()] = value
    for alias, value in (extra or {}).items():
        mapping[alias.lower()] = value
    return mapping


class Importer:
    """One data kind. Subclasses declare columns and implement clean_row, key and write."""

    kind: ClassVar[str]
    label: ClassVar[str] = ""
    # One plausible row, by column name: the example line of the downloadable template.
    example: ClassVar[dict[str, str]] = {}
    columns: ClassVar[tuple[Column, ...]]
    # Options a command/upload may pass, e.g. ("owner",): the owning organization's credit code.
    option_names: ClassVar[tuple[str, ...]] = ()
    # Roles that may upload this kind in the browser (the command line is for operators).
    allowed_roles: ClassVar[frozenset[str]] = frozenset({"bureau", "district_officer", "admin"})
    # Keep the rows cleaned while validating (pickled to a temporary file) and write those, instead
    # of reading and cleaning the file a second time: for kinds whose cleaning is a large part of a
    # big import. Their cleaned dicts must pickle (ids rather than model instances).
    spool_cleaned: ClassVar[bool] = False

    def __init__(self, *, options: dict | None = None, actor=None):
        self.options = options or {}
        self.actor = actor

    def check_options(self) -> list[RowError]:
        """Errors in the options themselves (reported before any row)."""
        return []

    def check_headers(self, present: set[str]) -> list[str]:
        """Canonical names of required columns missing from the header."""
        return [c.name for c in self.columns if c.required and c.name not in present]

    def preload(self) -> None:
        """Bulk look-ups (e.g. credit code → organization) before rows are cleaned."""

    def clean_row(self, row: Row) -> dict | None:
        raise NotImplementedError

    def key(self, cleaned: dict) -> Hashable:
        raise NotImplementedError

    def write(self, rows: list[dict]) -> Counts:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last chunk, inside the transaction."""

    def preview_values(self, row: Row, cleaned: dict, names: list[str]) -> list[str]:
        """The values a cleaned row will be saved with, one per column of the file (``names``):
        amounts in yuan, dates in ISO form, yes/no; a column the importer resolves to something
        else (a credit code to an organization) shows the value as given."""
        fields = cleaned.get("fields") if isinstance(cleaned.get("fields"), dict) else {}
        values = []
        for name in names:
            if name in cleaned:
                value = cleaned[name]
            elif name in fields:
                value = fields[name]
            else:
                value = row.raw(name)
            values.append(preview_text(value))
        return values

    def outcomes(self) -> dict[str, int]:
        """Counts beyond created/updated/unchanged that the uploader should be told about."""
        return {}


REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    REGISTRY[cls.kind] = cls
    return cls


def importers() -> dict[str, type[Importer]]:
    """Every registered importer by kind."""
    from . import registry  # noqa: F401  (imports every app's importers)

    return REGISTRY


def importer_for(kind: str) -> type[Importer]:
    importers()
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ImportFileError(
            _("未知的数据类型 %(kind)s（可选：%(kinds)s）")
            % {"kind": kind, "kinds": ", ".join(sorted(REGISTRY))}
        ) from None


def _normalise_header(text: Any) -> str:
    value = str(text or "").replace("\ufeff", "").strip().lower()
    value = value.replace("（", "(").replace("）", ")").replace(" ", "").replace("_", "").replace("-", "")
    return value


def header_unit(header: str) -> tuple[str, Decimal] | None:
    match = _UNIT_RE.match(_normalise_header(header))
    return (match["unit"], UNITS[match["unit"]]) if match else None


def map_headers(importer: Importer, header: list[Any]) -> tuple[dict[int, str], dict[str, str]]:
    """Column index → canonical name, and canonical name → header as written in the file. A
    header with an amount unit (营业收入(万元)) names the column without it; ``Row.decimal``
    converts its values to yuan."""
    lookup: dict[str, str] = {}
    for column in importer.columns:
        for spelling in (column.name, *column.aliases):
            lookup.setdefault(_normalise_header(spelling), column.name)
    by_index: dict[int, str] = {}
    written: dict[str, str] = {}
    for index, cell in enumerate(header):
        name = lookup.get(_normalise_header(cell))
        if name is None:
            match = _UNIT_RE.match(_normalise_header(cell))
            name = lookup.get(match["base"]) if match else None
        if name and name not in written:
            by_index[index] = name
            written[name] = str(cell).replace("\ufeff", "").strip()
    return by_index, written


def _rows(importer: Importer, path, filename: str | None) -> tuple[dict[int, str], dict[str, str], Iterator]:
    from .readers import open_table

    header, data = open_table(path, filename)
    by_index, written = map_headers(importer, header)
    return by_index, written, data


def run_import(
    *,
    kind: str,
    path,
    filename: str | None = None,
    options: dict | None = None,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportResult:
    """Validate the whole file, then (no errors, not a dry run) upsert it in one transaction."""
    importer = importer_for(kind)(options=options, actor=actor)
    result = ImportResult(kind=kind, dry_run=dry_run)
    result.errors.extend(importer.check_options())
    if result.errors:
        return result

    by_index, written, data = _rows(importer, path, filename)
    missing = importer.check_headers(set(written))
    if missing:
        result.errors.extend(RowError(1, name, _("缺少必需的列")) for name in missing)
        return result

    importer.preload()
    spool = tempfile.TemporaryFile() if importer.spool_cleaned else None  # noqa: SIM115 (closed below)
    try:
        _validate(importer, data, by_index, written, result, spool, progress)
        if result.errors:
            return result
        if dry_run and not trial_write_allowed(result.rows):
            result.counted = False
            return result
        with transaction.atomic():
            if spool is not None:
                _write_spooled(importer, spool, result, progress)
            else:
                _by_index, _written, data = _rows(importer, path, filename)
                _write_rows(importer, data, by_index, written, result, progress)
            importer.finish()
            result.outcomes = importer.outcomes()
            if dry_run:
                transaction.set_rollback(True)
    finally:
        if spool is not None:
            spool.close()
    if progress:
        progress(result.rows, result.rows)
    return result


def trial_write_allowed(rows: int) -> bool:
    """Whether a dry run may write its rows in a transaction it rolls back, to count what the import
    would create and update. SQLite has one writer for the whole database: a trial write of a large
    file would hold it for minutes and every other write (a login, a form) would time out. There the
    dry run stops after validating every row, and the counts come with the import itself."""
    if transaction.get_connection().vendor != "sqlite":
        return True
    return rows <= settings.PORTAL_IMPORT_SQLITE_TRIAL_WRITE_MAX_ROWS


def _validate(
    importer: Importer,
    data: Iterator,
    by_index: dict[int, str],
    written: dict[str, str],
    result: ImportResult,
    spool,
    progress,
) -> None:
    """Clean every row, collecting every error; spool the cleaned rows while there is none."""
    seen: dict[Hashable, int] = {}
    chunk: list[dict] = []
    for number, cells in data:
        result.rows += 1
        if not any(c not in (None, "") for c in cells):
            continue
        values = {name: cells[i] if i < len(cells) else None for i, name in by_index.items()}
        row = Row(number, values, written, result.errors, result.warnings)
        cleaned = importer.clean_row(row)
        if cleaned is not None and not row.failed:
            key = importer.key(cleaned)
            if key in seen:
                first_column = importer.columns[0].name
                row.error(first_column, _("与第 %(row)d 行重复（%(key)s）") % {"row": seen[key], "key": key})
            else:
                seen[key] = number
                if len(result.preview.get("rows", ())) < PREVIEW_ROWS:
                    names = list(by_index.values())
                    result.preview.setdefault("header", [written[name] for name in names])
                    result.preview.setdefault("rows", []).append(importer.preview_values(row, cleaned, names))
                if spool is not None and not result.errors:
                    chunk.append(cleaned)
                    if len(chunk) >= CHUNK_SIZE:
                        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                        chunk = []
        if len(result.errors) >= MAX_ERRORS:
            result.errors_truncated = True
            break
        if progress and result.rows % 1000 == 0:
            progress(result.rows, None)
    if spool is not None and chunk and not result.errors:
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)


def _write_rows(
    importer: Importer,
    data: Iterator,
    by_index: dict[int, str],
    written: dict[str, str],
    result: ImportResult,
    progress,
) -> None:
    """Read and clean the (valid) file again, writing it in chunks."""
    done = 0
    chunk: list[dict] = []
    for number, cells in data:
        if not any(c not in (None, "") for c in cells):
            continue
        values = {name: cells[i] if i < len(cells) else None for i, name in by_index.items()}
        chunk.append(importer.clean_row(Row(number, values, written, [])))
        if len(chunk) >= CHUNK_SIZE:
            result.counts += importer.write(chunk)
            done += len(chunk)
            chunk = []
            if progress:
                progress(done, result.rows)
    if chunk:
        result.counts += importer.write(chunk)


def _write_spooled(importer: Importer, spool, result: ImportResult, progress) -> None:
    """Write the rows cleaned while validating, chunk by chunk as they were spooled."""
    spool.seek(0)
    done = 0
    while True:
        try:
            chunk = pickle.load(spool)  # our own temporary file, written above
        except EOFError:
            break
        result.counts += importer.write(chunk)
        done += len(chunk)
        if progress:
            progress(done, result.rows)


def upsert(model: type[models.Model], key_field: str, rows: list[dict], fields: list[str]) -> Counts:
    """Create or update `rows` (dicts of field values) by a unique key; counts unchanged rows.

    Two queries per chunk plus the bulk writes: no per-row queries.
    """
    counts = Counts()
    keys = [r[key_field] for r in rows]
    existing = {getattr(o, key_field): o for o in model._default_manager.filter(**{f"{key_field}__in": keys})}
    to_create, to_update = [], []
    for data in rows:
        obj = existing.get(data[key_field])
        if obj is None:
            to_create.append(model(**data))
            continue
        changed = False
        for name in fields:
            if name in data and _differs(getattr(obj, name), data[name]):
                setattr(obj, name, data[name])
                changed = True
        if changed:
            to_update.append(obj)
        else:
            counts.unchanged += 1
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=1000)
    if to_update:
        update_fields = list(fields)
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            from django.utils import timezone

            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
            update_fields.append("updated_at")
        model._default_manager.bulk_update(to_update, update_fields, batch_size=1000)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(current)) != Decimal(str(new))
        except InvalidOperation:
            return True
    if hasattr(current, "pk") and not isinstance(new, models.Model):
        return current.pk != new
    return current != new
