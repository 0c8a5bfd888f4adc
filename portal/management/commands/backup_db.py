"""python manage.py backup_db OUTPUT [--database ALIAS]

Backs up the database to OUTPUT and writes OUTPUT.manifest.json with the row count of every table
as of the backup, which ``restore_db`` checks after restoring.

- PostgreSQL: ``pg_dump --format=custom --no-owner --no-acl`` (restore with ``pg_restore`` or
  ``restore_db``). The row counts are taken in the very snapshot pg_dump dumps
  (``pg_export_snapshot()`` + ``pg_dump --snapshot``), so they match the dump exactly even while the
  portal keeps writing. pg_dump must be at least the server's major version (postgresql-client-15
  for PostgreSQL 15); an older one is refused before anything runs.
- SQLite: a consistent copy through SQLite's online backup API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

MANIFEST_SUFFIX = ".manifest.json"


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def postgres_params(db: dict, *, dbname: str | None = None) -> dict:
    """psycopg/libpq connection parameters for a Django DATABASES entry."""
    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    options = db.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
        if options.get(key):
            params[key] = str(options[key])
    return {key: value for key, value in params.items() if value is not None}


def libpq_env(db: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore (no password on the command line)."""
    mapping = {
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "connect_timeout": "PGCONNECT_TIMEOUT",
    }
    env = dict(os.environ)
    for key, value in postgres_params(db).items():
        if key in mapping:
            env[mapping[key]] = value
    return env


TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def postgres_row_counts(cursor) -> dict[str, int]:
    """Exact row counts of every table of a PostgreSQL database (schema.table → count)."""
    from psycopg import sql

    cursor.execute(TABLES_SQL)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def sqlite_row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
    ]
    return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def client_major_version(program: str) -> int:
    """The major version of pg_dump/pg_restore ("pg_dump (PostgreSQL) 15.20 ..." → 15)."""
    try:
        output = subprocess.run([program, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise CommandError(f"cannot run {program}: {exc} (install postgresql-client)") from None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise CommandError(f"cannot read the version of {program}: {output!r}")
    return int(match.group(1))


def find_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (apt-get install postgresql-client)")
    return path


def check_client_version(program: str, server_version_num: int) -> None:
    server_major = server_version_num // 10000
    client_major = client_major_version(program)
    if client_major < server_major:
        raise CommandError(
            f"{Path(program).name} {client_major} cannot handle PostgreSQL {server_major}: "
            f"install postgresql-client-{server_major} (or newer)"
        )


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or SQLite's backup API) with a row-count manifest."

    def add_arguments(self, parser):
        parser.add_argument("output", help="file to write (e.g. backups/portal-20250101.dump)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args, output, database, **options):
        connection = connections[database]
        output_path = Path(output).expanduser().resolve()
        output_path.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "postgresql":
            manifest = self._postgres(connection.settings_dict, output_path)
        elif connection.vendor == "sqlite":
            manifest = self._sqlite(connection, output_path)
        else:
            raise CommandError(f"backup_db supports PostgreSQL and SQLite, not {connection.vendor}")
        manifest_path(output_path).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
        )
        rows = sum(manifest["tables"].values())
        size_mb = output_path.stat().st_size / 1e6
        self.stdout.write(
            f"backed up {manifest['database']} to {output_path} ({size_mb:.1f} MB): "
            f"{len(manifest['tables'])} tables, {rows} rows"
        )

    def _postgres(self, db: dict, output: Path) -> dict:
        import psycopg

        pg_dump = find_program("pg_dump")
        with psycopg.connect(**postgres_params(db), autocommit=True) as conn, conn.cursor() as cursor:
            check_client_version(pg_dump, conn.info.server_version)
            # Count and dump one snapshot: this transaction stays open until pg_dump is done.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = postgres_row_counts(cursor)
            command = [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={output}",
                "--dbname",
                db["NAME"],
            ]
            result = subprocess.run(command, env=libpq_env(db), capture_output=True, text=True, check=False)
            cursor.execute("ROLLBACK")
            if result.returncode != 0:
                output.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed ({result.returncode}): {result.stderr.strip()}")
            server_version = conn.info.server_version
        return {
            "format": "pg_dump-custom",
            "database": db["NAME"],
            "server_version_num": server_version,
            "pg_dump_major": client_major_version(pg_dump),
            "created_at": timezone.now().isoformat(),
            "tables": counts,
        }

    def _sqlite(self, connection, output: Path) -> dict:
        connection.ensure_connection()
        if output.exists():
            output.unlink()
        with sqlite3.connect(output) as target:
            connection.connection.backup(target)
            counts = sqlite_row_counts(target)
        target.close()
        return {
            "format": "sqlite",
            "database": str(connection.settings_dict["NAME"]),
            "created_at": timezone.now().isoformat(),
            "tables": counts,
        }
