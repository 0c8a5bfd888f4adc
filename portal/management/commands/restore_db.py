"""python manage.py restore_db INPUT --target-database NAME [--create] [--jobs N]

Restores a ``backup_db`` file into an EMPTY database and compares the row count of every table with
the backup's manifest (INPUT.manifest.json); any difference fails the command (exit status 1).

- PostgreSQL: NAME is a database on the server of the configured one (same host, port, user);
  ``--create`` creates it first. A database that already has tables is refused: a restore never
  overwrites data. Runs ``pg_restore --no-owner --no-acl --exit-on-error`` (in one transaction, or
  with ``--jobs N`` parallel jobs). Point DATABASE_URL at NAME afterwards, or rename it.
- SQLite: NAME is the path of the new database file (it must not exist or be empty).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup_db import (
    check_client_version,
    find_program,
    libpq_env,
    manifest_path,
    postgres_params,
    postgres_row_counts,
    sqlite_row_counts,
)


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    lines = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want != got:
            lines.append(
                f"{table}: backup {'-' if want is None else want}, restored {'-' if got is None else got}"
            )
    return lines


class Command(BaseCommand):
    help = "Restore a backup_db file into an empty database and check every table's row count."

    def add_arguments(self, parser):
        parser.add_argument("input", help="a file written by backup_db")
        parser.add_argument(
            "--target-database",
            required=True,
            help="PostgreSQL database name (SQLite: file path) to restore into",
        )
        parser.add_argument(
            "--create", action="store_true", help="create the target database first (PostgreSQL)"
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="parallel pg_restore jobs (default 1: one transaction)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="alias whose server and user to use")

    def handle(self, *args, input, target_database, create, jobs, database, **options):
        source = Path(input).expanduser().resolve()
        if not source.is_file():
            raise CommandError(f"no such backup file: {source}")
        manifest_file = manifest_path(source)
        manifest = json.loads(manifest_file.read_text("utf-8")) if manifest_file.exists() else None
        connection = connections[database]
        if connection.vendor == "postgresql":
            counts = self._postgres(
                connection.settings_dict, source, target_database, create=create, jobs=jobs
            )
        elif connection.vendor == "sqlite":
            counts = self._sqlite(source, Path(target_database))
        else:
            raise CommandError(f"restore_db supports PostgreSQL and SQLite, not {connection.vendor}")

        rows = sum(counts.values())
        self.stdout.write(f"restored {source.name} into {target_database}: {len(counts)} tables, {rows} rows")
        if manifest is None:
            self.stdout.write(f"no manifest ({manifest_file.name}): row counts not compared")
            return
        differences = count_differences(manifest["tables"], counts)
        if differences:
            raise CommandError("row counts differ from the backup:\n  " + "\n  ".join(differences))
        self.stdout.write(f"row counts match the backup ({len(counts)} tables)")

    def _postgres(self, db: dict, source: Path, target: str, *, create: bool, jobs: int) -> dict[str, int]:
        import psycopg
        from psycopg import sql

        pg_restore = find_program("pg_restore")
        with psycopg.connect(**postgres_params(db, dbname="postgres"), autocommit=True) as admin:
            check_client_version(pg_restore, admin.info.server_version)
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone()
            if not exists:
                if not create:
                    raise CommandError(f"database {target!r} does not exist (add --create to create it)")
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        with (
            psycopg.connect(**postgres_params(db, dbname=target), autocommit=True) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_%'"
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"database {target!r} is not empty: restore only into an empty database")

        command = [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", f"--dbname={target}"]
        command += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
        result = subprocess.run(
            [*command, str(source)], env=libpq_env(db), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed ({result.returncode}): {result.stderr.strip()}")

        with (
            psycopg.connect(**postgres_params(db, dbname=target), autocommit=True) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute("ANALYZE")
            return postgres_row_counts(cursor)

    def _sqlite(self, source: Path, target: Path) -> dict[str, int]:
        target = target.expanduser().resolve()
        if target.exists() and target.stat().st_size:
            raise CommandError(f"{target} exists and is not empty: restore only into a new database file")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as backup, sqlite3.connect(target) as restored:
            backup.backup(restored)
            counts = sqlite_row_counts(restored)
        backup.close()
        restored.close()
        return counts
