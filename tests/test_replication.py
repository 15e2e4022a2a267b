"""Read replicas: the router's rules, then a real primary and streaming replica end to end."""

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth import get_user_model

from archive import db_router, embedded_db
from archive.db_router import PrimaryReplicaRouter, reads_from
from archive.models import Meeting, Speech

BASE_DIR = Path(__file__).resolve().parent.parent
PRIMARY_PORT = 5432
REPLICA_PORT = 5433
DATABASE = "archive_replication"


# --------------------------------------------------------------------------- the router


def test_reads_go_to_the_primary_unless_a_request_opted_in():
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Meeting) is None
    with reads_from("replica_1"):
        assert router.db_for_read(Speech) == "replica_1"
        assert db_router.current_read_alias() == "replica_1"
    assert db_router.current_read_alias() == "default"


def test_writes_logins_and_migrations_always_use_the_primary():
    router = PrimaryReplicaRouter()
    with reads_from("replica_1"):
        assert router.db_for_write(Meeting) == "default"
        assert router.db_for_read(get_user_model()) == "default"
    assert router.allow_migrate("default", "archive")
    assert not router.allow_migrate("replica_1", "archive")


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_REPLICA_URLS")), reason="DATABASE_REPLICA_URLS is set here"
)
def test_without_replicas_nothing_changes(settings):
    assert list(settings.DATABASES) == ["default"]
    assert db_router.replica_aliases() == []
    assert db_router.choose_replica() == "default"


# --------------------------------------------------------------------------- real servers

REQUIRED_BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def _binaries() -> Path:
    try:
        bin_dir = embedded_db.bin_dir()
    except ModuleNotFoundError as exc:
        pytest.skip(f"pgserver is not installed, so no PostgreSQL binaries: {exc}")
    missing = [name for name in REQUIRED_BINARIES if not (bin_dir / name).exists()]
    if missing:
        pytest.skip(f"PostgreSQL binaries missing from {bin_dir}: {', '.join(missing)}")
    return bin_dir


class Cluster:
    """A primary and a streaming replica in a temporary directory, on Unix sockets only."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        # PostgreSQL refuses to run as root; pgserver runs it as the "pgserver" user.
        self.user = "pgserver" if os.geteuid() == 0 else None
        # Short path: a Unix socket path must fit in 107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="ca-repl-"))
        self.socket_dir = self.root / "s"
        self.primary = self.root / "primary"
        self.replica = self.root / "replica"
        self.socket_dir.mkdir()
        if self.user:
            account = pwd.getpwnam(self.user)
            for path in (self.root, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        self.running: list[Path] = []

    def run(self, name: str, *args: str) -> None:
        """Run a PostgreSQL program as the server's user, failing with its output."""
        result = subprocess.run(
            [str(self.bin_dir / name), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.root,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{name} {' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    def start(self, pgdata: Path, port: int) -> None:
        settings = (
            f"\nlisten_addresses = ''\nunix_socket_directories = '{self.socket_dir}'\n"
            f"port = {port}\nfsync = off\nshared_buffers = 32MB\n"
        )
        with (pgdata / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        self.run("pg_ctl", "-D", str(pgdata), "-l", str(self.root / f"{pgdata.name}.log"),
                 "-w", "-t", "30", "start")  # fmt: skip
        self.running.append(pgdata)

    def set_up(self) -> None:
        """initdb the primary, start it, clone it with pg_basebackup -R, start the replica."""
        self.run("initdb", "-D", str(self.primary), "--auth=trust", "-U", "postgres",
                 "--encoding=utf8", "--no-sync")  # fmt: skip
        self.start(self.primary, PRIMARY_PORT)
        with psycopg.connect(host=str(self.socket_dir), port=PRIMARY_PORT, user="postgres",
                             dbname="postgres", autocommit=True) as conn:  # fmt: skip
            conn.execute(f"CREATE DATABASE {DATABASE}")
        # -R writes standby.signal and primary_conninfo: a streaming replica, nothing home-made.
        self.run("pg_basebackup", "-h", str(self.socket_dir), "-p", str(PRIMARY_PORT),
                 "-U", "postgres", "-D", str(self.replica), "-R", "-X", "stream",
                 "-c", "fast", "--no-sync")  # fmt: skip
        self.start(self.replica, REPLICA_PORT)

    def url(self, port: int) -> str:
        return f"postgres://postgres@:{port}/{DATABASE}?host={self.socket_dir}"

    def tear_down(self) -> None:
        """Stop the servers cleanly; kill whatever does not stop; remove the files."""
        for pgdata in reversed(self.running):
            try:
                self.run("pg_ctl", "-D", str(pgdata), "-m", "fast", "-w", "-t", "20", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                self._kill(pgdata)
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def _kill(pgdata: Path) -> None:
        try:
            pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def cluster(request):
    """A running primary + streaming replica, stopped when the module's tests are done."""
    bin_dir = _binaries()
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("pgserver")
        except KeyError:
            pytest.skip("running as root and the unprivileged user 'pgserver' does not exist")
    servers = Cluster(bin_dir)
    request.addfinalizer(servers.tear_down)
    servers.set_up()
    return servers


@pytest.mark.slow
def test_public_pages_read_from_a_real_streaming_replica(cluster):
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(PRIMARY_PORT),
        "DATABASE_REPLICA_URLS": cluster.url(REPLICA_PORT),
        "ARCHIVE_STATE_CACHE_SECONDS": "0",
        "DEBUG": "1",
    }
    env.pop("COUNCIL_ARCHIVE_TEST_DB", None)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "tests" / "replication_probe.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))  # shown by pytest when an assertion below fails
    elapsed = time.monotonic() - started

    # Two real servers: the replica is in recovery, streaming from the primary.
    servers = report["servers"]
    assert servers["default"] == {
        "in_recovery": False,
        "port": PRIMARY_PORT,
        "application_name": "council-archive:default",
    }
    assert servers["replica_1"] == {
        "in_recovery": True,
        "port": REPLICA_PORT,
        "application_name": "council-archive:replica_1",
    }
    assert [state for _name, state in report["pg_stat_replication"]] == ["streaming"]
    assert report["schema_replayed_after"] >= 0

    # An anonymous visitor's page is built from the replica alone.
    home = report["home_anonymous"]
    assert home["status"] == 200
    assert home["replica_queries"] > 0
    assert home["primary_queries"] == 0
    assert "public" in home["cache_control"]

    # Staff see the meeting they just imported at once, read from the primary.
    staff = report["meeting_staff"]
    assert staff["status"] == 200 and staff["has_symbol"]
    assert staff["replica_queries"] == 0
    assert "no-store" in staff["cache_control"]

    # The replica replays the import within the bounded wait; the public then sees it there.
    assert 0 <= report["meeting_replayed_after"] < 10
    public = report["meeting_anonymous"]
    assert public["status"] == 200 and public["has_symbol"]
    assert public["primary_queries"] == 0 and public["replica_queries"] > 0
    assert report["state_versions"]["default"] == report["state_versions"]["replica_1"]
    assert report["write_alias"] == "default"
    print(f"replication probe: {elapsed:.1f} s")
