"""Bulk writes of the patents import: PostgreSQL COPY for inventories of 100,000 patents.

Django's ``bulk_create``/``bulk_update`` (and simple_history's helpers built on them) spend most of
a large import compiling multi-row statements in Python, one parameter per cell, and
``bulk_update`` makes PostgreSQL evaluate a ``CASE WHEN id = ...`` per field and row. Here the same
rows are streamed with psycopg 3's ``cursor.copy()``:
- new patents get their ids from the table's sequence first, then are copied with them, so that
  their IPC rows, industries and history rows can be copied too;
- changed patents are copied to a temporary table and applied with one ``UPDATE ... FROM``;
- every created or changed patent gets one historical row, exactly as ``bulk_create_with_history``
  / ``bulk_update_with_history`` write it (history type ``+`` or ``~``, one date, the user, no
  change reason), unless ``SIMPLE_HISTORY_ENABLED`` is off.
Callers check ``copy_supported()`` and use the ORM otherwise (SQLite in development and tests).
"""

from __future__ import annotations

import datetime
import itertools
import operator
import struct
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import connection, models
from psycopg.adapt import Dumper
from psycopg.pq import Format

from .models import Patent, PatentIpc
from .search import BigramCodesField

INT4_OID, INT4_ARRAY_OID = 23, 1007

# Field types whose Python values psycopg writes to COPY as they are (no get_db_prep_save): str,
# int, bool, Decimal, date, aware datetime or None.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)
IPC_FIELDS = ("patent", "code", "section", "klass", "subclass", "main_group", "is_main")
_HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
)


def copy_supported() -> bool:
    """Whether the default connection is PostgreSQL through psycopg 3 (which has cursor.copy)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


class Int4Array:
    """A list of integers already in PostgreSQL's binary ``integer[]`` format: psycopg dumps a
    list element by element in Python (~0.15 ms for the ~180 bigram codes of a patent, the single
    largest cost of a large import), struct packs it at once."""

    __slots__ = ("data",)

    def __init__(self, values: Sequence[int]):
        if values:  # 1 dimension, no nulls, int4 elements, size, lower bound 1; (length 4, value)*
            pairs = itertools.chain.from_iterable(zip(itertools.repeat(4), values))
            self.data = struct.pack(f">5i{2 * len(values)}i", 1, 0, INT4_OID, len(values), 1, *pairs)
        else:
            self.data = struct.pack(">3i", 0, 0, INT4_OID)


class _Int4ArrayDumper(Dumper):
    format = Format.BINARY
    oid = INT4_ARRAY_OID

    def dump(self, obj: Int4Array) -> bytes:
        return obj.data


def _converter(field: models.Field) -> Callable | None:
    """How a field's value must be converted for COPY (None: as it is)."""
    if isinstance(field, BigramCodesField):
        return Int4Array
    if field.get_internal_type() in _PLAIN_TYPES:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def row_function(fields: Sequence[models.Field], extra: Sequence = ()) -> Callable[[models.Model], list]:
    """A function of an instance giving its row for COPY: the fields' values (one attrgetter call,
    then the few conversions), followed by ``extra`` constant values."""
    get = operator.attrgetter(*(f.attname for f in fields))
    single = len(fields) == 1
    conversions = [(i, convert) for i, f in enumerate(fields) if (convert := _converter(f)) is not None]
    extra = list(extra)

    def row(obj) -> list:
        values = [get(obj)] if single else list(get(obj))
        for i, convert in conversions:
            values[i] = convert(values[i])
        return values + extra if extra else values

    return row


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` (tuples in the order of ``columns``) into ``table``, in the binary format:
    cheaper than text for PostgreSQL to read and for psycopg to write."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [quote(table)],
        )
        types = dict(cursor.fetchall())
        cursor.cursor.adapters.register_dumper(Int4Array, _Int4ArrayDumper)
        with cursor.cursor.copy(statement) as copy:
            copy.set_types([types[column] for column in columns])
            for row in rows:
                copy.write_row(row)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence, ascending."""
    if not count:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        return sorted(row[0] for row in cursor.fetchall())


def _history_rows(
    patents: Sequence[Patent], *, history_type: str, date: datetime.datetime, user_id: int | None
):
    history = Patent.history.model
    tracked = [f for f in history._meta.concrete_fields if f.name not in _HISTORY_FIELDS]
    specials = ["history_date", "history_change_reason", "history_type", "history_user"]
    columns = [f.column for f in tracked] + [history._meta.get_field(name).column for name in specials]
    row = row_function(tracked, extra=[date, None, history_type, user_id])
    return history._meta.db_table, columns, map(row, patents)


def history_insert(
    patents: Sequence[Patent], *, history_type: str, date: datetime.datetime, user_id: int | None
) -> None:
    """One historical row per patent, as simple_history's bulk helpers write them."""
    if not patents or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    table, columns, rows = _history_rows(patents, history_type=history_type, date=date, user_id=user_id)
    copy_rows(table, columns, rows)


def patents_insert(
    patents: Sequence[Patent],
    *,
    date: datetime.datetime,
    user_id: int | None,
    prepare: Callable[[Patent], object] | None = None,
) -> None:
    """Insert new patents (their pk is set) with their creation history.

    ``prepare`` (e.g. computing the derived fields) is called on each patent just before it is
    sent: while PostgreSQL is still writing the rows already streamed, mostly maintaining the
    search indexes, Python prepares the next ones.
    """
    if not patents:
        return
    for patent, pk in zip(patents, allocate_ids(Patent, len(patents)), strict=True):
        patent.pk = pk
    fields = Patent._meta.concrete_fields
    row = row_function(fields)

    def rows():
        for patent in patents:
            if prepare is not None:
                prepare(patent)
            yield row(patent)

    copy_rows(Patent._meta.db_table, [f.column for f in fields], rows())
    for patent in patents:
        patent._state.adding = False
    history_insert(patents, history_type="+", date=date, user_id=user_id)


def patents_update(
    patents: Sequence[Patent], field_names: Iterable[str], *, date: datetime.datetime, user_id: int | None
) -> None:
    """Write ``field_names`` of changed patents in one statement, with their change history."""
    if not patents:
        return
    quote = connection.ops.quote_name
    fields = [Patent._meta.get_field(name) for name in sorted(set(field_names))]
    columns = [f.column for f in fields]
    table = Patent._meta.db_table
    temp = "patents_import_changes"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} AS "
            f"SELECT {quote('id')}, {', '.join(quote(c) for c in columns)} FROM {quote(table)} WITH NO DATA"
        )
    copy_rows(temp, ["id", *columns], map(row_function([Patent._meta.pk, *fields]), patents))
    assignments = ", ".join(f"{quote(c)} = changes.{quote(c)}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {assignments} FROM {temp} AS changes "
            f"WHERE {quote(table)}.{quote('id')} = changes.{quote('id')}"
        )
        cursor.execute(f"DROP TABLE {temp}")
    history_insert(patents, history_type="~", date=date, user_id=user_id)


def ipc_insert(rows: Iterable[tuple]) -> None:
    """(patent id, code, section, class, subclass, main group, is main) rows of IPC codes."""
    fields = [PatentIpc._meta.get_field(name) for name in IPC_FIELDS]
    copy_rows(PatentIpc._meta.db_table, [f.column for f in fields], rows)


def industries_insert(pairs: Iterable[tuple[int, int]]) -> None:
    """(patent id, industry id) rows of the patents' industries."""
    through = Patent.industries.through
    copy_rows(
        through._meta.db_table,
        [through._meta.get_field("patent").column, through._meta.get_field("industry").column],
        pairs,
    )
