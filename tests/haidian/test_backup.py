"""Backups (数据备份恢复): `manage.py backup` writes the database and the media into a dated folder;
`manage.py restore` brings them back into a fresh database, where every table has the rows it had.

Transactional: pg_dump is another process and sees only committed rows, and restoring creates (and
the test drops) a database beside the test database.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import make_user, test_database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def haidian_data(transactional_db):
    """Haidian itself (earlier transactional tests may have emptied the tables) and a user."""
    call_command("load_calendar", years=[2025, 2026], verbosity=0)
    call_command("seed_haidian", stdout=io.StringIO())
    make_user("backup-street-staff")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "attachments" / "2026" / "12").mkdir(parents=True)
    (root / "attachments" / "2026" / "12" / "井盖.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo " * 100)
    (root / "letters").mkdir()
    (root / "letters" / "函.pdf").write_bytes(b"%PDF-1.4 a letter")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def fresh_database():
    """The URL of a database that does not exist yet; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    url = test_database_url().rsplit("/", 1)[0] + "/" + name
    yield name, url
    admin = psycopg2.connect(test_database_url().rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def row_counts(url: str) -> dict[str, int]:
    """Every table's exact row count, read independently of the backup's own manifest."""
    with psycopg2.connect(url) as database, database.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [table for (table,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    database.close()
    return counts


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_in_every_table(
        haidian_data, media, fresh_database, tmp_path):
    name, url = fresh_database
    out = io.StringIO()
    call_command("backup", dir=tmp_path / "backups", stdout=out)

    [folder] = (tmp_path / "backups").iterdir()
    assert len(folder.name) == len("20261204-191002") and folder.name[8] == "-"
    assert sorted(path.name for path in folder.iterdir()) == ["db.dump", "manifest.json", "media.tar.gz"]
    manifest = json.loads((folder / "manifest.json").read_text())
    source = row_counts(test_database_url())
    assert {table: entry["rows"] for table, entry in manifest["database"]["tables"].items()} == source
    assert source["agencies_street"] == 29 and source["grids_gridcell"] == 3000
    assert manifest["media"]["files"] == 2
    assert f"into {folder}" in out.getvalue()

    restored_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(folder), database_url=url, media_root=restored_media, stdout=out)

    assert row_counts(url) == source  # every table, every row
    assert f"into database {name}" in out.getvalue()
    assert (restored_media / "attachments" / "2026" / "12" / "井盖.jpg").read_bytes() == \
        (media / "attachments" / "2026" / "12" / "井盖.jpg").read_bytes()
    assert (restored_media / "letters" / "函.pdf").read_bytes() == b"%PDF-1.4 a letter"


def test_a_restore_refuses_a_database_that_is_not_empty(haidian_data, media, tmp_path):
    call_command("backup", dir=tmp_path, stdout=io.StringIO())
    [folder] = tmp_path.glob("2*")

    with pytest.raises(CommandError, match="is not empty: restore into a new database"):
        call_command("restore", str(folder), database_url=test_database_url(), no_media=True)


def test_a_damaged_backup_is_refused_before_anything_is_restored(haidian_data, media, tmp_path, fresh_database):
    call_command("backup", dir=tmp_path, stdout=io.StringIO())
    [folder] = tmp_path.glob("2*")
    with (folder / "db.dump").open("ab") as dump:
        dump.write(b"garbage")

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(folder), database_url=fresh_database[1], no_media=True)


def test_a_restore_whose_tables_differ_from_the_manifest_is_refused(haidian_data, media, tmp_path, fresh_database):
    call_command("backup", dir=tmp_path, stdout=io.StringIO())
    [folder] = tmp_path.glob("2*")
    manifest = json.loads((folder / "manifest.json").read_text())
    streets = manifest["database"]["tables"]["agencies_street"]
    assert streets["rows"] == 29 and streets["checksum"]  # a table with rows has a checksum
    streets["checksum"] = "0" * len(streets["checksum"])  # as if one row had changed on the way
    (folder / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="differs from the backup: agencies_street"):
        call_command("restore", str(folder), database_url=fresh_database[1], no_media=True)


@pytest.mark.django_db  # nothing to dump: no need to commit
def test_without_pg_dump_the_backup_fails_with_a_clear_message_and_leaves_no_folder(settings, tmp_path):
    settings.PG_BIN_DIR = str(tmp_path / "nowhere")

    with pytest.raises(CommandError, match="pg_dump not found in PG_BIN_DIR"):
        call_command("backup", dir=tmp_path / "backups")
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


@pytest.mark.django_db
def test_a_failing_pg_dump_fails_the_backup_with_its_message(settings, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump: error: connection refused' >&2\nexit 1\n")
    (fake / "pg_dump").chmod(0o755)
    settings.PG_BIN_DIR = str(fake)

    with pytest.raises(CommandError, match="pg_dump failed .exit 1.: pg_dump: error: connection refused"):
        call_command("backup", dir=tmp_path / "backups")
    assert not any((tmp_path / "backups").iterdir())  # no half backup that looks like one
