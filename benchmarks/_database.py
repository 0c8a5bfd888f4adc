"""The benchmark databases: create or recreate them through the server's maintenance database."""

from __future__ import annotations


def _maintenance_connection(config: dict):
    """An autocommit connection to the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    import psycopg

    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def recreate_database(config: dict, *, keep_option: str) -> None:
    """Drop and create the benchmark database — only one whose name says it is one."""
    from psycopg import sql

    name = config["NAME"]
    if not name.startswith("portal_bench"):
        raise SystemExit(
            f"refusing to drop database {name!r}: the benchmark recreates its database, so its name "
            f"must start with 'portal_bench' (or pass {keep_option} to measure the data already there)"
        )
    with _maintenance_connection(config) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def create_database_if_missing(config: dict) -> None:
    from psycopg import sql

    with _maintenance_connection(config) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            print(f"creating database {config['NAME']}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
