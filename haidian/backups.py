"""Backups (数据备份恢复): the database with pg_dump, the media folder as a tar, and a manifest that
says what a faithful restore must find. `manage.py backup` and `manage.py restore` call these.

A backup is one folder, named by its local date and time (BACKUP_DIR/20261204-191002/):

    db.dump         pg_dump --format=custom of the whole database
    media.tar.gz    MEDIA_ROOT (uploaded photos, evidence, letters' attachments)
    manifest.json   when, which server and migrations, every table's row count and checksum, and the
                    size and SHA-256 of the two files

The counts and checksums are read in the very snapshot pg_dump dumps (pg_export_snapshot, a
repeatable-read transaction held open while pg_dump runs), so they describe exactly what is in the
file, whatever the users write meanwhile. The media folder is archived after that snapshot was
taken: every file the dump refers to is in the tar (a file uploaded meanwhile may be there too).

A table's checksum is the sum of the first 60 bits of each row's MD5 (its text form, in UTC and ISO
dates): independent of the rows' order, so the same on the restored copy, computed without sorting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg2
from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP, MEDIA, MANIFEST = "db.dump", "media.tar.gz", "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """What went wrong, in a sentence for the operator."""


# --- the PostgreSQL client binaries --------------------------------------------------------------

def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: in PG_BIN_DIR if set (only there), else the newest
    /usr/lib/postgresql/<version>/bin (a newer pg_dump reads older servers, never the reverse), else
    PATH."""
    if settings.PG_BIN_DIR:
        candidates = [Path(settings.PG_BIN_DIR) / name]
    else:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                          key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0, reverse=True)
        candidates = [path / name for path in versions]
        found = shutil.which(name)
        if found:
            candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    where = f"in PG_BIN_DIR ({settings.PG_BIN_DIR})" if settings.PG_BIN_DIR else \
        "under /usr/lib/postgresql/*/bin or on PATH"
    raise BackupError(f"{name} not found {where}: install the PostgreSQL client (apt-get install "
                      f"postgresql-client) or set PG_BIN_DIR")


# --- connections -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where a database is: what libpq needs (as PG* environment variables for the client binaries)."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict) -> Target:
        if "postgresql" not in settings_dict["ENGINE"]:
            raise BackupError(f"backups need PostgreSQL; this database is {settings_dict['ENGINE']} (the "
                              "embedded demo's SQLite file can simply be copied while nothing runs)")
        options = settings_dict.get("OPTIONS") or {}
        return cls(name=settings_dict["NAME"], host=settings_dict.get("HOST") or "",
                   port=str(settings_dict.get("PORT") or ""), user=settings_dict.get("USER") or "",
                   password=settings_dict.get("PASSWORD") or "", sslmode=options.get("sslmode", ""))

    @classmethod
    def from_url(cls, url: str) -> Target:
        return cls.from_settings(dj_database_url.parse(url))

    def env(self) -> dict[str, str]:
        values = {"PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user, "PGPASSWORD": self.password,
                  "PGDATABASE": self.name, "PGSSLMODE": self.sslmode}
        return {**os.environ, **{key: value for key, value in values.items() if value}}

    @contextmanager
    def connected(self, dbname: str | None = None):
        """A psycopg2 connection (its own, outside Django's), closed on the way out."""
        params = {"dbname": dbname or self.name, "host": self.host or None, "port": self.port or None,
                  "user": self.user or None, "password": self.password or None}
        if self.sslmode:
            params["sslmode"] = self.sslmode
        raw = psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
        try:
            yield raw
        finally:
            raw.close()


def _stable_text(cursor) -> None:
    """The session settings a row's text form depends on: the same when backing up and restoring."""
    cursor.execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
                   "SET extra_float_digits = 1; SET bytea_output = 'hex'")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_figures(cursor) -> dict[str, dict]:
    """{table: {"rows": n, "checksum": "…"}} for every table of the current schema."""
    _stable_text(cursor)
    cursor.execute("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                   "ORDER BY tablename")
    figures = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) "
                       f"FROM {_quote(table)} AS t")
        rows, checksum = cursor.fetchone()
        figures[table] = {"rows": rows, "checksum": str(checksum)}
    return figures


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except OSError as exc:
        raise BackupError(f"{what} could not be started: {exc}") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


# --- backup ------------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    folder: Path
    tables: int
    rows: int
    media_files: int
    bytes: int


def backup(*, directory: Path | None = None, using: str = "default", now: dt.datetime | None = None) -> BackupResult:
    """Write one dated backup folder under `directory` (default BACKUP_DIR); see the module."""
    target = Target.from_settings(connections[using].settings_dict)
    pg_dump = pg_tool("pg_dump")
    now = timezone.localtime(now or timezone.now())
    folder = Path(directory or settings.BACKUP_DIR) / now.strftime("%Y%m%d-%H%M%S")
    try:
        folder.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise BackupError(f"{folder} exists already: one backup per second at most") from None
    try:
        manifest = _write(folder, target, pg_dump, now)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never a folder that looks like a backup and is not one
        raise
    return BackupResult(folder=folder, tables=len(manifest["database"]["tables"]),
                        rows=manifest["database"]["rows"], media_files=manifest["media"]["files"],
                        bytes=sum(entry["bytes"] for entry in manifest["files"].values()))


def _write(folder: Path, target: Target, pg_dump: str, now: dt.datetime) -> dict:
    with target.connected() as snapshot_holder:
        # One repeatable-read transaction, open until pg_dump is done: its snapshot is what is counted
        # here and what pg_dump dumps.
        snapshot_holder.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = table_figures(cursor)
            cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
            migrations = dict(cursor.fetchall())
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(folder / DUMP)],
                 target.env(), "pg_dump")
        snapshot_holder.rollback()

    media_root = Path(settings.MEDIA_ROOT)
    media_files = 0
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    media_files += 1

    manifest = {
        "format": FORMAT_VERSION,
        "created_at": now.isoformat(),
        "database": {"name": target.name, "server_version": server_version, "tables": tables,
                     "rows": sum(entry["rows"] for entry in tables.values()), "migrations": migrations},
        "media": {"root": str(media_root), "files": media_files},
        "files": {name: {"bytes": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
                  for name in (DUMP, MEDIA)},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


# --- restore -----------------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    database: str
    tables: int
    rows: int
    media_files: int


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, expected in manifest["files"].items():
        if not (folder / name).is_file():
            raise BackupError(f"{folder / name} is missing")
        if _sha256(folder / name) != expected["sha256"]:
            raise BackupError(f"{folder / name} does not match its checksum in {MANIFEST}: damaged or altered")
    return manifest


def _prepare_database(target: Target) -> None:
    """Create the database if it does not exist; refuse one that has tables (restore into a fresh one)."""
    with target.connected("postgres") as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name])
            exists = cursor.fetchone() is not None
            if not exists:
                cursor.execute(f"CREATE DATABASE {_quote(target.name)} TEMPLATE template0 ENCODING 'UTF8'")
    if exists:
        with target.connected() as restored, restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()")
            if cursor.fetchone()[0]:
                raise BackupError(f"database {target.name} is not empty: restore into a new database")


def restore(*, folder: Path, database_url: str, media_root: Path | None) -> RestoreResult:
    """Restore the backup in `folder` into the (new or empty) database at `database_url`, check every
    table's rows and checksum against the manifest, and unpack the media into `media_root` (None: not
    the media), which must be empty or absent."""
    manifest = read_manifest(folder)
    target = Target.from_url(database_url)
    pg_restore = pg_tool("pg_restore")
    if media_root is not None and media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: unpack the media into a new folder")
    _prepare_database(target)
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", target.name,
          str(folder / DUMP)], target.env(), "pg_restore")

    with target.connected() as restored, restored.cursor() as cursor:
        found = table_figures(cursor)
    expected = manifest["database"]["tables"]
    differences = [f"{table}: {expected.get(table)} in the backup, {found.get(table)} restored"
                   for table in sorted(set(expected) | set(found)) if expected.get(table) != found.get(table)]
    if differences:
        raise BackupError("the restored database differs from the backup: " + "; ".join(differences[:10]))

    media_files = 0
    if media_root is not None:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA, "r:gz") as archive:
            members = [member for member in archive.getmembers() if member.isfile()]
            archive.extractall(media_root, members=members, filter="data")
            media_files = len(members)
    return RestoreResult(database=target.name, tables=len(found), rows=sum(entry["rows"] for entry in found.values()),
                         media_files=media_files)
