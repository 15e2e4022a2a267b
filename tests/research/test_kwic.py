"""Keyword in context on real statements: every occurrence, found as the search found them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from archive import search
from archive.models import Meeting, Speech
from archive.research import kwic
from archive.views.search import parse_search

pytestmark = pytest.mark.django_db

QUERIES = [
    '"sexual violence"',
    "violence",
    "peace",
    "Syria OR Yemen",
    '"women and peace and security"',
    "ceasefire -Libya",
    "humanitarian access",
]


def matching(query: str) -> set[int]:
    parsed = parse_search(RequestFactory().get("/search/", {"q": query}))
    return set(parsed.queryset.values_list("pk", flat=True))


def lines_of(query: str) -> list[kwic.Line]:
    parsed = parse_search(RequestFactory().get("/search/", {"q": query}))
    return kwic.cached_concordance(
        parsed.filterset.qs, query=query, filters={}, version="test"
    ).lines


@pytest.mark.parametrize("query", QUERIES)
def test_every_matching_statement_has_its_lines_and_only_those(statements, query):
    lines = lines_of(query)
    assert {line.speech_id for line in lines} == matching(query)


@pytest.mark.parametrize("query", QUERIES)
def test_each_keyword_is_an_occurrence_postgresql_agrees_with(statements, query):
    lines = lines_of(query)
    assert lines
    with connection.cursor() as cursor:
        for line in {(line.keyword, line.term) for line in lines}:
            keyword, term = line
            # The keyword, read by the index, holds every lexeme of its term.
            cursor.execute(
                "SELECT ARRAY(SELECT lexeme FROM unnest(to_tsvector('english', %s)))", [keyword]
            )
            assert set(term.split()) <= set(cursor.fetchone()[0]), (keyword, term)


def test_lines_count_what_the_trends_count(client, statements):
    """Two ways of counting occurrences agree: the text (KWIC) and the index positions."""
    for query in ["violence", '"sexual violence"', "Syria OR Yemen"]:
        response = client.get("/trends/", {"q": query, "measure": "per10k", "format": "json"})
        rows = json.loads(b"".join(response.streaming_content))["rows"]
        from_index = sum(r["matches"] for r in rows)
        assert len(lines_of(query)) == from_index, query


def test_context_is_about_sixty_characters_on_one_line(statements):
    lines = lines_of("violence")
    assert all(len(line.left) <= kwic.CONTEXT and len(line.right) <= kwic.CONTEXT for line in lines)
    assert all("\n" not in line.left + line.right for line in lines)
    assert max(len(line.left) for line in lines) > 45
    speech = Speech.objects.get(pk=lines[0].speech_id)
    assert speech.text[lines[0].start : lines[0].end].lower().startswith("violen")


def test_page_sorts_by_left_and_right_context(client, statements):
    for order, key in [
        ("right", lambda row: row[2].lower().split()),
        ("left", lambda row: row[0].lower().split()[::-1]),
    ]:
        html = client.get("/search/kwic/", {"q": "violence", "order": order}).content.decode()
        rows = re.findall(
            r'<td class="kwic-left"><span>(.*?)</span></td>\s*<td class="kwic-kw"><mark>(.*?)'
            r'</mark></td>\s*<td class="kwic-right">(.*?)</td>',
            html,
            re.S,
        )
        assert len(rows) == 50
        unescaped = [tuple(map(html_unescape, row)) for row in rows]
        assert [key(r) for r in unescaped] == sorted(key(r) for r in unescaped)


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_page_shows_speaker_state_and_date_and_paginates(client, statements):
    first = client.get("/search/kwic/", {"q": "violence"}).content.decode()
    assert "occurrences of “violence”" in first
    assert "?q=violence&amp;page=2" in first
    second = client.get("/search/kwic/", {"q": "violence", "page": "2"})
    assert second.status_code == 200
    assert re.search(r'<td class="kwic-meta"><a href="/speeches/\d+/">', first)
    assert "2020</time>" in first
    bad = client.get("/search/kwic/", {"q": "violence", "page": "x"})
    assert bad.status_code == 400 and "not a page number" in bad.content.decode()


def test_text_is_escaped_before_the_keyword_is_marked(client, statements):
    meeting = Meeting.objects.filter(kind="verbatim_record").first()
    Speech.objects.create(
        meeting=meeting,
        sequence=999,
        attribution="Ms. X",
        role="other",
        text='<script>alert("x")</script> & the violence <b>Zanzibarite</b>',
    )
    html = client.get("/search/kwic/", {"q": "violence zanzibarite"}).content.decode()
    assert "2 occurrences" in html
    assert "<script>alert" not in html and "<b>Zanzibarite" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the" in html
    assert "<mark>violence</mark>" in html


def test_csv_streams_every_line_in_quanteda_form(client, statements, monkeypatch):
    every_line = lines_of("violence")
    monkeypatch.setattr(kwic, "STATEMENT_LIMIT", 5)
    page = client.get("/search/kwic/", {"q": "violence"}).content.decode()
    assert "this page reads the 5 most recent" in page
    response = client.get("/search/kwic.csv", {"q": "violence"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0])[:7] == [
        "docname",
        "start_char",
        "end_char",
        "pre",
        "keyword",
        "post",
        "pattern",
    ]
    assert len(rows) == len(every_line)  # every statement, past the page's limit
    assert {r["docname"] for r in rows} == {f"speech-{pk}" for pk in matching("violence")}
    texts = dict(Speech.objects.values_list("pk", "text"))
    for row in rows[:40]:
        text = texts[int(row["docname"].removeprefix("speech-"))]
        assert text[int(row["start_char"]) : int(row["end_char"])] == row["keyword"]


def test_json_download_and_bad_requests(client, statements):
    response = client.get("/search/kwic.json", {"q": '"sexual violence"', "order": "right"})
    data = json.loads(b"".join(response.streaming_content))
    assert data["meta"]["query"] == '"sexual violence"'
    assert data["rows"] and all(r["keyword"].lower().startswith("sexual") for r in data["rows"])
    assert client.get("/search/kwic.csv").status_code == 302  # to the page, which asks for words
    assert client.get("/search/kwic.csv", {"q": "x" * 400}).status_code == 400


def test_finder_reads_words_as_postgresql_does():
    finder = kwic.Finder.of(
        [kwic.Term(("violenc",), (0,)), kwic.Term(("sexual", "violenc"), (0, 1))]
    )
    text = "Nonviolence; VIOLENCE. Sexually violent, sexual violences and İstanbul violence"
    stems = {
        "violence": frozenset({"violenc"}),
        "violences": frozenset({"violenc"}),
        "violent": frozenset({"violent"}),
        "sexually": frozenset({"sexual"}),
        "sexual": frozenset({"sexual"}),
    }
    found = kwic.find_occurrences(text, finder.candidates(text), finder.terms, stems)
    spans = [text[s:e] for s, e, _ in found]
    assert spans == ["VIOLENCE", "sexual violences", "violences", "violence"]


def test_search_tabs_link_the_three_views(client, statements):
    html = client.get("/search/kwic/", {"q": "peace", "state": "fra"}).content.decode()
    assert 'href="/search/?q=peace&amp;state=fra"' in html
    assert 'href="/trends/?q=peace"' in html
    assert search.clean_query("peace") == "peace"
