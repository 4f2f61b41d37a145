"""Benchmarks run against the PostgreSQL database named by DATABASE_URL; create it if missing."""

import os

import dj_database_url


def ensure_database(drop: bool = False) -> None:
    """Create the database DATABASE_URL names (dropping it first when `drop`)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg2
    from psycopg2 import sql

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                            password=cfg["PASSWORD"] or None, dbname="postgres")
    conn.autocommit = True
    name = sql.Identifier(cfg["NAME"])
    with conn.cursor() as cursor:
        if drop:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    conn.close()
