"""Snapshots of closed years' KPI figures (PostgreSQL).

A report of 2023 reads the records of 2020 (the plan's base year), 2022 and 2023 — years that are
over and rarely change. The raw figures of a closed year (before the current one, Asia/Shanghai),
for one scope (the city, a district, or every district grouped), are kept in ``KpiSnapshot`` with
the database snapshot they were read in, and reused while they are still what a fresh computation
would give:

- **Every change is recorded by the database.** Triggers (``reports`` migration 0006) add one
  ``KpiChange`` row per statement that inserts, updates, deletes or truncates a record the KPIs
  count — whatever wrote it: a service, an import, ``QuerySet.update()``, raw SQL, the admin —
  with the first year whose figures the statement may change and its transaction id. A year's
  figures depend only on records dated in that year or before (docs/kpi.md, 1: decision 4) and on
  what they point to (a deal's parties for its later payments, an organization's periods, a
  patent's grant and industries); the triggers name the earliest year accordingly.
- **A snapshot is valid while no change it could not see touches its year.** It is used only if no
  ``KpiChange`` with ``from_year <= year`` comes from a transaction that was not visible in the
  snapshot it was read in (``pg_visible_in_snapshot``). So a change committed while a report was
  being computed (after its snapshot was taken, before it was stored) still invalidates it; and a
  change to a 2024 record leaves 2023's snapshot in use.
- **A change of the counting code invalidates every snapshot** (``definition``: a hash of the
  modules that define the figures).

On SQLite, with ``REPORTS_KPI_SNAPSHOTS`` off, inside an enclosing transaction (the figures are
then read in READ COMMITTED, not in one snapshot) or for the current year, nothing is stored and
the figures are computed as before.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import json
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import connection, transaction

from reports.models import KpiChange, KpiSnapshot

from .records import TIMEZONE

# Bumped when the stored form changes.
FORMAT = "1"
# A change row older than this is deleted when snapshots are stored, after the snapshots it made
# stale (no report computation runs that long).
CHANGE_RETENTION = datetime.timedelta(days=1)

CITY, EVERY_DISTRICT = "", "*"


def enabled() -> bool:
    return connection.vendor == "postgresql" and settings.REPORTS_KPI_SNAPSHOTS


def closed_years(years) -> list[int]:
    """The years that are over (in Asia/Shanghai)."""
    this_year = datetime.datetime.now(TIMEZONE).year
    return [year for year in years if year < this_year]


def scope_of(district: str | None, by_district: bool) -> str:
    return EVERY_DISTRICT if by_district else (district or CITY)


@cache
def definition() -> str:
    """A hash of the code that defines the figures: a new release that counts differently does
    not reuse the figures of the old one."""
    from finance import models as finance_models
    from finance import rules

    from . import figures, records

    digest = hashlib.sha256(FORMAT.encode())
    for module in (records, figures, rules, finance_models):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:64]


# --- Stored form: {group: {"figure.measure": value}}; the city's group (None) as "" -----------------


def _encode(value):
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _decode(value):
    return Decimal(value["decimal"]) if isinstance(value, dict) else value


def _year_of(raw_by_group: dict, year: int) -> dict:
    return {
        "" if group is None else group: {
            key: _encode(values[year]) for key, values in raw.items() if year in values
        }
        for group, raw in raw_by_group.items()
    }


def merge(out: dict, year: int, stored: dict) -> None:
    """Add one year's stored figures to ``out`` ({group: {"figure.measure": {year: value}}})."""
    for group, values in stored.items():
        raw = out.setdefault(group or None, {})
        for key, value in values.items():
            raw.setdefault(key, {})[year] = _decode(value)


# --- Reads and writes ------------------------------------------------------------------------------

# A snapshot is stale when a change that may touch its year comes from a transaction its snapshot
# did not see (committed later, or still running). Only transactions from the snapshot's xmin on
# can be invisible to it: the index on transaction_id keeps the test to the recent changes.
_STALE = f"""
    EXISTS (
        SELECT 1 FROM {KpiChange._meta.db_table} c
        WHERE c.transaction_id >= pg_snapshot_xmin(s.taken_in::pg_snapshot)::text::bigint
          AND c.from_year <= s.year
          AND NOT pg_visible_in_snapshot(c.transaction_id::text::xid8, s.taken_in::pg_snapshot)
    )
"""


def load(years: list[int], scope: str) -> dict[int, dict]:
    """The valid snapshots of ``years`` (closed years only) for ``scope``: {year: stored figures}.
    One query."""
    wanted = closed_years(years)
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.year, s.figures FROM {KpiSnapshot._meta.db_table} s "
            f"WHERE s.scope = %s AND s.definition = %s AND s.year = ANY(%s) AND NOT {_STALE}",
            [scope, definition(), wanted],
        )
        rows = cursor.fetchall()
    return {year: json.loads(figures) if isinstance(figures, str) else figures for year, figures in rows}


def store(raw_by_group: dict, years: list[int], scope: str, taken_in: str) -> None:
    """Keep the figures of the closed ``years`` among those just computed in the database snapshot
    ``taken_in``; drop stale snapshots and old change rows."""
    years = closed_years(years)
    if not years:
        return
    rows = [
        KpiSnapshot(
            year=year,
            scope=scope,
            definition=definition(),
            figures=_year_of(raw_by_group, year),
            taken_in=taken_in,
        )
        for year in years
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        KpiSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["year", "scope"],
            update_fields=["definition", "figures", "taken_in", "created_at"],
        )
        cursor.execute(
            f"DELETE FROM {KpiSnapshot._meta.db_table} s WHERE s.definition <> %s OR {_STALE}",
            [definition()],
        )
        # Once the stale snapshots are gone, no change row matters to the snapshots left (it is
        # visible to them, or about later years); it only matters to a report being computed
        # right now from a database snapshot that did not see it — and none runs for a day.
        cursor.execute(
            f"DELETE FROM {KpiChange._meta.db_table} WHERE created_at < %s",
            [datetime.datetime.now(datetime.UTC) - CHANGE_RETENTION],
        )


def clear() -> None:
    """Forget every snapshot (they are rebuilt by the next reports)."""
    KpiSnapshot.objects.all().delete()
