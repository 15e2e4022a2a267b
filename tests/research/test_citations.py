"""The resolution citation graph, from the real texts of resolutions 1-2259."""

from __future__ import annotations

import csv
import io
import re

import pytest

from archive.models import Meeting, Mention, Resolution, ResolutionCitation, Speech
from archive.parsing.citations import scan_resolution_text
from archive.research.citations import build_citations, lineage

pytestmark = pytest.mark.django_db

WPS = ["1325 (2000)", "1820 (2008)", "1888 (2009)", "1889 (2009)", "1960 (2010)", "2106 (2013)"]


def resolution(label: str) -> Resolution:
    number, year = label.replace("(", "").replace(")", "").split()
    return Resolution.objects.get(number=int(number), year=int(year))


def cited(label: str) -> set[str]:
    return {
        c.cited.label
        for c in ResolutionCitation.objects.filter(citing=resolution(label), cited__isnull=False)
    }


# --------------------------------------------------------------------------- the parser


def test_the_grammar_is_the_transcript_parsers():
    text = (
        "Resolution 1888 (2009)\nThe Security Council,\n"
        "Reaffirming its commitment to the continuing and full implementation of resolution "
        "1325 (2000), 1612 (2005) and 1674 (2006),\n"
        "Recalling General Assembly resolution 60/1 and its resolutions 1820 (2008) and "
        "S/RES/1267 (1999),\n"
        "Recalling General Assembly resolution 1514 (XV), and resolution 1267,\n"
        "Recalling resolution\n1820 (2008) again,\n"
    )
    scan = scan_resolution_text(text, number=1888)
    assert [c.label for c in scan.citations] == [
        "1325 (2000)",
        "1612 (2005)",
        "1674 (2006)",
        "1820 (2008)",
        "1267 (1999)",
    ]
    # The first paragraph citing it, and how many do.
    first = scan.citations[3]
    assert first.paragraph == 4 and first.paragraphs == 2
    assert first.context.startswith("Recalling General Assembly resolution 60/1")
    # Its own number (the title) is no citation; undated numbers are counted, not linked.
    assert 1888 not in [c.number for c in scan.citations]
    assert scan.undated == []  # "resolution 1267" is dated elsewhere in the text


def test_general_assembly_resolutions_are_never_council_citations():
    text = (
        "Recalling General Assembly resolutions 1514 (XV), 1541 (XV) and 2625 (XXV), "
        "General Assembly resolution 377 A (V) and General Assembly resolution 46/182,"
    )
    scan = scan_resolution_text(text, number=1236)
    assert scan.citations == []


# --------------------------------------------------------------------------- the real texts


def test_1820_cites_1325(reference_db):
    assert cited("1820 (2008)") == {"1325 (2000)", "1612 (2005)", "1674 (2006)"}
    citation = ResolutionCitation.objects.get(
        citing=resolution("1820 (2008)"), cited=resolution("1325 (2000)")
    )
    assert "implementation of resolution 1325 (2000)" in citation.context
    assert citation.number == 1325 and citation.year == 2000


def test_later_women_peace_and_security_resolutions_cite_their_predecessors(reference_db):
    assert {"1325 (2000)", "1820 (2008)"} <= cited("1888 (2009)")
    assert {"1325 (2000)", "1820 (2008)", "1888 (2009)", "1889 (2009)"} <= cited("1960 (2010)")


def test_no_general_assembly_resolution_is_read_as_a_council_one(reference_db):
    # 1236 (1999) recalls General Assembly resolutions 1514 (XV), 1541 (XV), 2625 (XXV);
    # 119 (1956) General Assembly resolution 377 A (V): Council resolutions with those
    # numbers exist (1514 (2003) ...), and must not appear.
    assert not cited("1236 (1999)") & {"1514 (2003)", "1541 (2004)", "2625 (2021)"}
    assert "377 (1975)" not in cited("119 (1956)")
    numbers = set(
        ResolutionCitation.objects.filter(citing=resolution("1236 (1999)")).values_list(
            "number", flat=True
        )
    )
    assert not numbers & {1514, 1541, 2625}


def test_a_year_that_does_not_fit_the_number_is_kept_as_printed_not_linked(reference_db):
    # 186 (1964) cites the Treaty Series, "vol. 382 (1960)": no Council resolution.
    treaty = ResolutionCitation.objects.get(citing=resolution("186 (1964)"), number=382)
    assert treaty.cited is None and treaty.year == 1960 and "Treaty Series" in treaty.context
    # No resolution cites a later one.
    for citation in ResolutionCitation.objects.filter(cited__isnull=False).select_related(
        "citing", "cited"
    ):
        assert citation.cited.number < citation.citing.number


def test_building_again_changes_nothing(reference_db):
    before = ResolutionCitation.objects.count()
    again = build_citations()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert ResolutionCitation.objects.count() == before == again.citations
    assert before > 9000


def test_lineage_of_1325_is_women_and_peace_and_security(reference_db):
    result = lineage(resolution("1325 (2000)"))
    labels = [e.resolution.label for e in result.entries]
    assert labels[: len(WPS)] == WPS
    assert result.by_subject
    # Country resolutions citing 1325 are not its lineage: another agenda item.
    assert "2259 (2015)" not in labels and "2252 (2015)" not in labels
    years = dict(result.years)
    assert [e.resolution.label for e in years[2009]] == ["1888 (2009)", "1889 (2009)"]
    entry = next(e for e in result.entries if e.resolution.label == "1888 (2009)")
    assert {r.label for r in entry.cites} == {"1325 (2000)", "1820 (2008)"}


def test_resolution_page_shows_cites_and_cited_by(
    client, reference_db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = client.get("/resolutions/1820/2008/")
    html = response.content.decode()
    graph = html.split('id="resolution-citations"')[1].split("</section>")[0]
    assert 'href="/resolutions/1325/2000/">Resolution 1325 (2000)</a>' in graph
    assert 'href="/resolutions/1888/2009/">1888 (2009)</a>' in graph  # cited by
    assert "/resolutions/1820/2008/lineage/" in graph
    # Without a text, the page says what it does not know.
    later = client.get("/resolutions/2467/2019/").content.decode()
    assert "has no text of resolution 2467 (2019)" in later


def test_lineage_page_and_download(client, reference_db):
    html = client.get("/resolutions/1325/2000/lineage/").content.decode()
    assert "Women and peace and security" in html and "1888 (2009)" in html
    response = client.get("/resolutions/1325/2000/lineage/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_symbol = {r["symbol"]: r for r in rows}
    assert by_symbol["S/RES/1820 (2008)"]["cites_in_lineage"] == "1325 (2000)"
    assert int(by_symbol["S/RES/1325 (2000)"]["cited_by_all"]) > 100
    assert client.get("/resolutions/1325/2000/lineage/?format=xml").status_code == 404


@pytest.mark.parametrize("text", ["", "No citation at all.", "resolution 0 (2000)"])
def test_texts_without_citations(text):
    assert scan_resolution_text(text, number=5).citations == []


def test_resolution_page_pages_its_citing_statements(client, reference_db):
    """The statements citing a resolution are paged from their ids: count, pages and 404s."""
    resolution = Resolution.objects.get(number=1325, year=2000)
    meeting = Meeting.objects.create(symbol="S/PV.9999", meeting_number=9999)
    for sequence in range(1, 26):
        speech = Speech.objects.create(
            meeting=meeting,
            sequence=sequence,
            role="member",
            text=f"Resolution 1325 (2000), turn {sequence}.",
        )
        speech.mentions.create(
            kind=Mention.Kind.RESOLUTION, resolution=resolution, symbol="S/RES/1325 (2000)"
        )
    first = client.get("/resolutions/1325/2000/").content.decode()
    assert "25 statements" in first
    assert all(f"turn {n}." in first for n in range(1, 21)) and "turn 21." not in first
    second = client.get("/resolutions/1325/2000/?page=2").content.decode()
    turns = [int(n) for n in re.findall(r"turn (\d+)\.", second)]
    assert sorted(set(turns)) == [21, 22, 23, 24, 25] and turns == sorted(turns)
    assert client.get("/resolutions/1325/2000/?page=3").status_code == 404
