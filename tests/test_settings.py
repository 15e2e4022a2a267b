"""Settings come from the environment, with safe defaults and a clean deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.settings import database_from_url, env_bool, env_list

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://archive:s%40cret@db.example.org:5433/council",
            {
                "NAME": "council",
                "USER": "archive",
                "PASSWORD": "s@cret",
                "HOST": "db.example.org",
                "PORT": "5433",
            },
        ),
        (
            "postgresql:///archive?host=/var/run/postgresql",
            {"NAME": "archive", "USER": "", "HOST": "/var/run/postgresql", "PORT": ""},
        ),
        (
            "postgres://u@localhost/db?sslmode=require",
            {"NAME": "db", "HOST": "localhost", "OPTIONS": {"sslmode": "require"}},
        ),
    ],
)
def test_database_from_url(url, expected):
    config = database_from_url(url)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    for key, value in expected.items():
        assert config[key] == value


@pytest.mark.parametrize("url", ["sqlite:///db.sqlite3", "mysql://u@h/db", "not a url"])
def test_database_url_must_be_postgres(url):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        database_from_url(url)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False), ("", True)],
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is expected


def test_env_list(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.org, b.org ,,")
    assert env_list("HOSTS", []) == ["a.org", "b.org"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", ["x"]) == ["x"]


def _manage(*args, **env):
    # The browser tests' async-safety override must not leak into a production check.
    dropped = {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_default_database_is_the_embedded_server_when_no_url(settings):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("DATABASE_URL is set: the suite runs against that server")
    assert settings.DATABASES["default"]["ENGINE"] == "archive.dbbackend"


@pytest.mark.django_db
def test_the_database_is_real_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000
