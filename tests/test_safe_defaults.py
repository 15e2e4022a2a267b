"""Safe defaults: `make run` serves with DEBUG off over plain HTTP on the loopback, production
keeps its HTTPS redirect, the site's own error pages have a way back, and no input reaches a
traceback whatever DEBUG says."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PORT = 8144  # this branch's range is 8140-8149


# --------------------------------------------------------------------------- no traceback


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_nul_in_the_address_is_a_clean_400_in_every_mode(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/search/?q=%00")
    html = response.content.decode()
    assert response.status_code == 400
    assert "could not be understood" in html and "NUL character" in html
    assert "Traceback" not in html and "technical" not in html.lower()
    assert reverse("archive:lookup") in html  # a way back


@pytest.mark.django_db
def test_the_404_page_has_a_way_back(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'role="search"' in html and reverse("archive:home") in html
    assert "URLconf" not in html


@pytest.mark.django_db
def test_the_403_page_is_the_sites_own(client):
    user = User.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:archive_transcriptupload_upload"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not open this page" in html and "permission to import" in html
    assert 'role="search"' in html


def test_the_500_page_needs_nothing_and_has_a_way_back():
    html = render_to_string("500.html")
    assert 'action="/go/"' in html and 'href="/"' in html


# --------------------------------------------------------------------------- settings


def _settings_env(**env) -> dict:
    dropped = {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "PLAIN_HTTP", "ALLOWED_HOSTS"}
    dropped |= {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**{k: v for k, v in os.environ.items() if k not in dropped}, **env}


def test_plain_http_is_refused_for_a_public_host_name():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_settings_env(SECRET_KEY="x" * 50, PLAIN_HTTP="1", ALLOWED_HOSTS="archive.example.org"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "PLAIN_HTTP=1 is for serving on the loopback" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=_settings_env(DJANGO_SETTINGS_MODULE="archive.settings", SECRET_KEY="x" * 50),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "True"], result.stderr[-1000:]


# --------------------------------------------------------------------------- make run itself


def _make_run_gunicorn() -> str:
    """The gunicorn command line `make run` runs (from `make -n`), with its environment."""
    dry = subprocess.run(
        ["make", "-n", "run", f"PORT={PORT}", "WORKERS=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    lines = dry.replace("\\\n", " ").splitlines()
    command = next(line for line in lines if "gunicorn archive.wsgi" in line)
    return re.sub(r"\s+", " ", command).strip()


def _get(path: str, **headers):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _serve(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        ["sh", "-c", _make_run_gunicorn()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get("/favicon.ico")
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise AssertionError("gunicorn did not start: " + server.stderr.read().decode()[-2000:])


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, 15)
    server.wait(30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_run_serves_without_debug_pages_over_plain_http(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("k" * 60)
    env = _settings_env(SECRET_KEY_FILE=str(key))
    name = connection.settings_dict["NAME"]
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + name))
    else:
        env["COUNCIL_ARCHIVE_DB_NAME"] = name
    command = _make_run_gunicorn()
    assert "DEBUG=${DEBUG:-0}" in command and "PLAIN_HTTP=${PLAIN_HTTP:-1}" in command
    # make run collects the static files first (DEBUG off: hashed names from the manifest).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**env, "DEBUG": "0", "PLAIN_HTTP": "1"},
        check=True,
        timeout=300,
    )
    server = _serve(env)
    try:
        status, headers, html = _get("/no/such/page/")
        assert status == 404
        assert "URLconf" not in html and "Traceback" not in html and 'role="search"' in html
        status, _, html = _get("/search/?q=%00")
        assert status == 400 and "Traceback" not in html
        status, headers, _ = _get("/")
        assert status == 200  # plain HTTP on the loopback: no redirect to HTTPS
        assert "Strict-Transport-Security" not in headers
    finally:
        _stop(server)

    production = {**env, "PLAIN_HTTP": "0", "ALLOWED_HOSTS": "127.0.0.1"}
    server = _serve(production)
    try:
        status, headers, _ = _get("/")
        assert status == 301 and headers["Location"].startswith("https://")
    finally:
        _stop(server)
