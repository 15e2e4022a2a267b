"""Real rows for the research pages in a browser: the small archive of tests.pages_data, plus
the 2019 roll calls of the votes file, the texts of the women and peace and security
resolutions with their citation graph, and two 2020 documents of statements."""

from __future__ import annotations

import csv
import datetime
import tempfile
from pathlib import Path

from archive.corpus import import_corpus, open_corpus
from archive.models import AgendaItem, MemberState, MemberVote, Resolution, Vote
from archive.reference_data.texts import clean_resolution_text, decode_text
from archive.research.citations import build_citations
from tests.pages_data import SmallArchive, build_archive
from tests.test_corpus import csv_rows, write_csv

VOTES_FILE = "unsc-votes-1994-2025-votingagent/sc_votes_by_member_1994_2025.csv"
TEXTS = "unsc-resolutions-text-1946-2015/texts"
WPS = [(1820, 2008), (1888, 2009), (1889, 2009), (1960, 2010)]
NAMES = {"United States": "USA", "United Kingdom": "GBR", "Russian Federation": "RUS"}
POSITIONS = {"Yes": "in_favour", "No": "against", "Abstain": "abstaining"}
DOCUMENTS = {"S/2020/594", "S/PV.8741"}


def add_votes_of_2019(data_dir: Path, archive: SmallArchive) -> int:
    """The 2019 roll calls of the votes file (not already in the small archive)."""
    by_name = {s.name: s for s in archive.states.values()}
    by_name.update({name: archive.states[iso3] for name, iso3 in NAMES.items()})
    events: dict[str, list[dict]] = {}
    with open(data_dir / VOTES_FILE, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Year"] == "2019" and "2467" not in row["Resolution"]:
                events.setdefault(row["ID"], []).append(row)
    for event, rows in events.items():
        vote = Vote.objects.create(
            date=datetime.date(2019, 6, 30),
            draft_symbol=rows[0]["Draft"][:40],
            outcome="adopted" if rows[0]["Outcome results"].startswith("Adopted") else "vetoed",
            source=f"test #{event}",
        )
        MemberVote.objects.bulk_create(
            MemberVote(
                vote=vote,
                member_state=by_name[row["Member State"]],
                position=POSITIONS[row["Vote"]],
            )
            for row in rows
            if row["Member State"] in by_name
        )
    return len(events)


def add_wps_resolutions(data_dir: Path, archive: SmallArchive) -> None:
    """1325 (2000) and its successors with their real texts, and the citations between them."""
    wps = AgendaItem.objects.get(slug="women-and-peace-and-security")
    for number, year in [(1325, 2000), *WPS]:
        path = data_dir / TEXTS / f"S-RES-{number}({year}).txt"
        text = clean_resolution_text(decode_text(path.read_bytes()), number=number, year=year)
        Resolution.objects.update_or_create(
            number=number,
            year=year,
            defaults={"text": text, "agenda_item": wps, "title": "Women and peace and security"},
        )
    build_citations()


def add_statements(data_dir: Path) -> None:
    """Two real 2020 documents: a sexual violence debate by letter, and a meeting."""
    with tempfile.TemporaryDirectory() as folder:
        rows = csv_rows(data_dir, DOCUMENTS)
        import_corpus(reader=open_corpus(write_csv(Path(folder) / "speeches.csv", rows)))


def build_research_archive(data_dir: Path) -> SmallArchive:
    """The small archive and the research rows above."""
    archive = build_archive()
    add_votes_of_2019(data_dir, archive)
    add_wps_resolutions(data_dir, archive)
    add_statements(data_dir)
    assert MemberState.objects.filter(iso3="FRA").exists()
    return archive
