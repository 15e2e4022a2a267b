"""Bulk downloads (archive.bulk): built once per archive version, served as static files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json

import pytest
from django.core.management import call_command
from django.test import Client

from archive import bulk
from archive.models import ArchiveState, Speech
from tests.pages_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk_root(tmp_path, settings):
    settings.BULK_DOWNLOADS_ROOT = tmp_path / "bulk"
    settings.PUBLIC_BASE_URL = "https://archive.example.org"
    return settings.BULK_DOWNLOADS_ROOT


@pytest.fixture
def archive():
    return build_archive()


def _rows(path, fmt):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            return list(csv.DictReader(handle))
        return [json.loads(line) for line in handle]


def test_build_writes_every_statement_and_each_year_with_a_manifest(bulk_root, archive):
    speech = Speech.objects.order_by("pk").first()
    speech.text = '=HYPERLINK("http://evil.example/")\n\nRest of the statement.'
    speech.save()
    result = bulk.build()
    assert result.built
    manifest = bulk.current_manifest()
    assert manifest["archive_version"] == ArchiveState.objects.get().version
    total = Speech.objects.count()
    folder = bulk_root / f"v{manifest['archive_version']}"
    by_name = {f["name"]: f for f in manifest["files"]}
    whole_csv = by_name["council-archive-statements.csv.gz"]
    whole_json = by_name["council-archive-statements.jsonl.gz"]
    assert whole_csv["rows"] == whole_json["rows"] == total
    years = [f for f in manifest["files"] if f["year"] is not None and f["format"] == "csv"]
    assert sum(f["rows"] for f in years) == total
    for entry in manifest["files"]:
        path = folder / entry["name"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]
        assert len(_rows(path, entry["format"])) == entry["rows"]
    csv_rows = {r["id"]: r for r in _rows(folder / whole_csv["name"], "csv")}
    json_rows = {str(r["id"]): r for r in _rows(folder / whole_json["name"], "jsonl")}
    assert csv_rows[str(speech.pk)]["text"] == "'" + speech.text  # neutralised in CSV
    assert json_rows[str(speech.pk)]["text"] == speech.text  # exact in JSON lines
    assert json_rows[str(speech.pk)]["url"] == f"https://archive.example.org/speeches/{speech.pk}/"
    assert [f["name"] for f in manifest["fields"]][:2] == ["id", "url"]


def test_build_is_cheap_when_nothing_changed_and_rebuilds_after_a_change(
    bulk_root, archive, django_assert_max_num_queries
):
    first = bulk.build()
    with django_assert_max_num_queries(3):
        again = bulk.build()
    assert not again.built
    assert again.manifest["archive_version"] == first.manifest["archive_version"]
    Speech.objects.filter(pk=Speech.objects.order_by("pk").first().pk).update(text="Changed.")
    # The ArchiveState trigger fires at commit; the test transaction stands in for one here.
    ArchiveState.objects.update(version=first.manifest["archive_version"] + 1)
    rebuilt = bulk.build()
    assert rebuilt.built
    assert bulk.current_manifest()["archive_version"] == first.manifest["archive_version"] + 1
    # The previous build stays for pages that still link it; older ones are removed.
    ArchiveState.objects.update(version=first.manifest["archive_version"] + 2)
    bulk.build()
    kept = sorted(p.name for p in bulk_root.glob("v*"))
    assert kept == [f"v{first.manifest['archive_version'] + n}" for n in (1, 2)]


def test_command_says_what_it_did(bulk_root, archive, capsys):
    call_command("build_bulk_downloads")
    assert "Built bulk downloads for archive version" in capsys.readouterr().out
    call_command("build_bulk_downloads")
    assert "are current" in capsys.readouterr().out


def test_files_are_served_as_static_files_and_the_page_links_them(bulk_root, archive, client):
    page = client.get("/downloads/")
    assert page.status_code == 200
    assert b"have not been built yet" in page.content
    bulk.build()
    manifest = bulk.current_manifest()
    page = client.get("/downloads/")
    html = page.content.decode()
    url = f"/downloads/files/v{manifest['archive_version']}/council-archive-statements.csv.gz"
    assert f'href="{url}"' in html
    assert manifest["files"][0]["sha256"] in html
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Type"] == "application/gzip"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == manifest["files"][0]["sha256"]
    assert client.get("/downloads/files/current.json").status_code == 404
    assert client.get("/downloads/files/../../manifest.json").status_code == 404


def test_the_file_goes_to_the_server_as_a_file(bulk_root, archive):
    """No Python loop streams the rows: the WSGI server gets the open file (sendfile)."""
    from django.test import RequestFactory

    from archive.bulk_serve import BulkFilesMiddleware

    bulk.build()
    version = bulk.current_manifest()["archive_version"]
    middleware = BulkFilesMiddleware(lambda request: pytest.fail("not a bulk file"))
    request = RequestFactory().get(
        f"/downloads/files/v{version}/council-archive-statements.jsonl.gz"
    )
    response = middleware(request)
    assert response.file_to_stream is not None
    response.close()


def test_a_new_build_is_served_without_a_restart(bulk_root, archive):
    client = Client()
    bulk.build()
    version = bulk.current_manifest()["archive_version"]
    assert client.get(f"/downloads/files/v{version}/manifest.json").status_code == 200
    ArchiveState.objects.update(version=version + 5)
    bulk.build()
    assert client.get(f"/downloads/files/v{version + 5}/manifest.json").status_code == 200


def test_the_page_shows_a_new_build_at_once(bulk_root, archive, settings):
    """The page follows the build, not the archive's version: never a stale 304 or copy."""
    settings.PAGE_CACHE_SECONDS = 300
    client = Client()
    first = client.get("/downloads/")
    assert b"have not been built yet" in first.content
    assert "ETag" not in first
    assert first["Cache-Control"] == "public, max-age=60"
    bulk.build()
    assert b"council-archive-statements.csv.gz" in client.get("/downloads/").content
