"""`manage.py backup` / `restore` round-trip the database, and restore refuses a non-empty one."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from archive import backup as backups

from .security_data import make_small_archive

RESTORE_DB = "test_archive_sec_restored"


def _tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _fingerprint(conn) -> dict:
    """Row counts per table and a checksum of every speech text, in id order."""
    counts = {
        table: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in _tables(conn)
    }
    checksum = conn.execute(
        "SELECT md5(coalesce(string_agg(text, E'\\n' ORDER BY id), '')) FROM archive_speech"
    ).fetchone()[0]
    return {"counts": counts, "speech_md5": checksum}


@pytest.fixture
def restore_db():
    """A database name on the same server that does not exist yet, dropped afterwards."""
    source = backups.target()

    def drop():
        with source.connect(dbname="postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(RESTORE_DB)
                )
            )

    drop()
    yield RESTORE_DB
    drop()


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_identically(tmp_path, restore_db):
    make_small_archive()
    make_small_archive(suffix=1)
    dump = backups.backup(out_dir=tmp_path)
    assert dump.name.startswith("archive-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    assert not list(tmp_path.glob("*.partial"))

    restored = backups.restore(dump, database=restore_db)

    source = backups.target(connection.settings_dict["NAME"])
    with source.connect() as before, restored.connect() as after:
        original = _fingerprint(before)
        copy = _fingerprint(after)
    assert original["counts"]["archive_speech"] == 6
    assert original["counts"]["django_migrations"] > 0
    assert copy == original


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_tables_unless_forced(tmp_path, restore_db):
    make_small_archive()
    dump = backups.backup(out_dir=tmp_path)
    backups.restore(dump, database=restore_db)
    with pytest.raises(backups.RestoreRefused, match="is not empty"):
        backups.restore(dump, database=restore_db)

    # The command line says the same, with the way out.
    with pytest.raises(CommandError, match="FORCE=1"):
        call_command("restore", str(dump), "--database", restore_db)

    # Forced: the target is replaced by the backup, not merged with it.
    with backups.target(restore_db).connect(autocommit=True) as conn:
        conn.execute("DELETE FROM archive_mention")
        conn.execute("DELETE FROM archive_speech WHERE sequence = 1")
    backups.restore(dump, database=restore_db, force=True)
    source = backups.target(connection.settings_dict["NAME"])
    with source.connect() as before, backups.target(restore_db).connect() as after:
        assert _fingerprint(after) == _fingerprint(before)


@pytest.mark.django_db(transaction=True)
def test_backup_command_writes_a_dump(tmp_path, capsys):
    make_small_archive()
    call_command("backup", "--output-dir", str(tmp_path))
    dumps = list(tmp_path.glob("archive-*.dump"))
    assert len(dumps) == 1
    assert "Backed up to" in capsys.readouterr().out


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "nope.dump"), "--database", RESTORE_DB)


@pytest.mark.django_db(transaction=True)
def test_backups_are_private_whatever_the_umask(tmp_path):
    import os
    import stat

    make_small_archive()
    folder = tmp_path / "backups"
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    try:
        dump = backups.backup(out_dir=folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert backups.exposure_warning(dump) is None


@pytest.mark.django_db(transaction=True)
def test_restore_warns_about_a_dump_others_can_read(tmp_path, restore_db, capsys):
    import os

    make_small_archive()
    dump = backups.backup(out_dir=tmp_path)
    os.chmod(dump, 0o644)
    call_command("restore", str(dump), "--database", restore_db)
    err = capsys.readouterr().err
    assert "can be read by other users (mode 0644)" in err
    assert f"chmod 600 {dump}" in err
    # A private dump restores without the warning.
    os.chmod(dump, 0o600)
    call_command("restore", str(dump), "--database", restore_db, "--force")
    assert "can be read" not in capsys.readouterr().err
