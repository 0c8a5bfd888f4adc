"""Backup and restore (``backup_db`` / ``restore_db``): a populated database is dumped, restored
into an EMPTY new database, and every table has the same number of rows as the original.

PostgreSQL: pg_dump/pg_restore (postgresql-client, installed by .ci/run); the comparison is done
here, independently of the manifest restore_db checks itself. The data must be committed for
pg_dump (another process) to see it, hence a transactional test.
"""

import json
import os
import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from portal.management.commands.backup_db import postgres_params, postgres_row_counts
from tests.demands.factories import DemandFactory
from tests.finance.factories import DealFactory, PaymentFactory, PledgeFactory
from tests.matching.factories import MatchFactory
from tests.patents.factories import PatentFactory
from tests.portal.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def populate():
    for _ in range(3):
        make_user("sme")
    patents = [PatentFactory(published=True) for _ in range(5)]
    demands = [DemandFactory() for _ in range(3)]
    MatchFactory(demand=demands[0], patent=patents[0])
    deal = DealFactory()
    PaymentFactory(deal=deal)
    PledgeFactory()


@pytest.fixture
def target_database(settings, postgres_only):
    """A name for the restore target; the database is dropped afterwards."""
    name = f"test_portal_restore_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(
        **postgres_params(settings.DATABASES["default"], dbname="postgres"), autocommit=True
    ) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def counts_of(settings, name: str) -> dict[str, int]:
    with psycopg.connect(
        **postgres_params(settings.DATABASES["default"], dbname=name), autocommit=True
    ) as conn:
        return postgres_row_counts(conn.cursor())


def test_backup_restores_into_an_empty_database_with_the_same_row_counts(settings, tmp_path, target_database):
    populate()
    dump = tmp_path / "portal.dump"
    call_command("backup_db", str(dump))
    assert dump.stat().st_size > 0
    manifest = json.loads((tmp_path / "portal.dump.manifest.json").read_text("utf-8"))

    original = counts_of(settings, connection.settings_dict["NAME"])
    assert manifest["tables"] == original
    populated = {table for table, rows in original.items() if rows}
    for table in (
        "public.auth_user",
        "public.patents_patent",
        "public.demands_demand",
        "public.matching_match",
        "public.finance_deal",
        "public.finance_payment",
        "public.portal_region",
        "public.django_migrations",
    ):
        assert table in populated, table

    call_command("restore_db", str(dump), "--target-database", target_database, "--create")

    restored = counts_of(settings, target_database)
    assert restored == original  # every table, same number of rows
    assert len(restored) > 40


def test_restore_refuses_a_non_empty_database_and_reports_count_differences(
    settings, tmp_path, target_database
):
    dump = tmp_path / "portal.dump"
    call_command("backup_db", str(dump))
    manifest_file = tmp_path / "portal.dump.manifest.json"
    manifest = json.loads(manifest_file.read_text("utf-8"))
    manifest["tables"]["public.portal_region"] += 1  # as if a row had been lost
    manifest_file.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CommandError, match=r"public\.portal_region: backup \d+, restored \d+"):
        call_command("restore_db", str(dump), "--target-database", target_database, "--create")
    # The database now holds the restore: a second restore into it is refused.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_db", str(dump), "--target-database", target_database)


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite only (PostgreSQL is tested above)",
)
def test_sqlite_backup_and_restore(settings, tmp_path):
    assert connection.vendor == "sqlite"
    populate()
    dump = tmp_path / "portal.sqlite3"
    call_command("backup_db", str(dump))
    restored = tmp_path / "restored.sqlite3"
    call_command("restore_db", str(dump), "--target-database", str(restored))  # checks the manifest
    import sqlite3

    from portal.management.commands.backup_db import sqlite_row_counts

    with sqlite3.connect(restored) as conn:
        counts = sqlite_row_counts(conn)
    conn.close()
    connection.ensure_connection()
    assert counts == sqlite_row_counts(connection.connection)
    assert counts["patents_patent"] >= 5 and counts["auth_user"] >= 3
