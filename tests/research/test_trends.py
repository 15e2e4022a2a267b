"""Trends over time, on real statements: each point is the search's own count for its year."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from archive import search
from archive.models import MemberState, Speech, SpeechYearCount
from archive.research import trends
from archive.research.terms import Term, positive_terms
from archive.views.search import parse_search

pytestmark = pytest.mark.django_db


def search_total(url: str) -> int:
    """What the search page counts for the link of a point."""
    parsed = parse_search(RequestFactory().get(url))
    assert not parsed.errors, parsed.errors
    return search.compute_stats(parsed.queryset).total


def drawn(client, url: str) -> list[dict]:
    response = client.get(url + "&format=json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))["rows"]


@pytest.mark.parametrize(
    "query", ["peace", '"sexual violence"', "Syria OR Yemen", "ceasefire -Libya", "civilians"]
)
def test_a_series_is_the_search_count_per_year(client, statements, query):
    rows = drawn(client, "/trends/?" + "&".join([f"q={query}"]))
    assert rows
    for row in rows:
        link = urlsplit(row["search_url"])
        url = f"{link.path}?{link.query}"
        assert dict(parse_qsl(link.query))["year"] == str(row["year"])
        assert row["matching_statements"] == search_total(url), (query, row["year"])
    # And the whole series is the search's facet by year.
    parsed = parse_search(RequestFactory().get("/search/", {"q": query}))
    facet = {int(v.value): v.count for v in search.compute_stats(parsed.queryset).years}
    drawn_years = {r["year"]: r["matching_statements"] for r in rows if r["matching_statements"]}
    assert drawn_years == facet
    assert set(drawn_years) <= {2020, 2026}


@pytest.mark.parametrize(
    "split, extra",
    [
        ("state", "&state=fra&state=usa&state=China&state=rus&state=gbr"),
        ("state", ""),
        ("council", ""),
        ("role", ""),
    ],
)
def test_split_lines_are_the_search_counts_with_their_filter(client, statements, split, extra):
    rows = drawn(client, f"/trends/?q=peace&split={split}{extra}")
    lines = {row["line"] for row in rows}
    assert 2 <= len(lines) <= 5
    for row in rows:
        link = urlsplit(row["search_url"])
        assert row["matching_statements"] == search_total(f"{link.path}?{link.query}"), row
        # The share drawn is the count over the group's statements that year.
        if row["statements"]:
            assert row["share_percent"] == pytest.approx(
                100 * row["matching_statements"] / row["statements"], abs=1e-3
            )


def test_group_totals_are_every_statement_of_the_group(client, statements):
    rows = drawn(client, "/trends/?q=peace&split=council")
    members = sum(r["statements"] for r in rows if r["label"] == "Council members")
    invited = sum(r["statements"] for r in rows if r["label"].startswith("Invited"))
    dated = Speech.objects.filter(meeting_date__isnull=False)
    assert members == dated.filter(on_council=True).count()
    assert invited == dated.filter(on_council=False).count()
    assert members + invited == dated.count()


def test_year_counts_are_kept_by_triggers_whatever_writes(statements):
    def recount():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT extract(year FROM meeting_date)::int, member_state_id, affiliation_id,"
                " role, on_council, count(*), sum(word_count) FROM archive_speech"
                " WHERE meeting_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5"
            )
            direct = {tuple(r[:5]): (r[5], r[6]) for r in cursor.fetchall()}
        kept = {
            (c.year, c.member_state_id, c.affiliation_id, c.role, c.on_council): (
                c.statements,
                c.words,
            )
            for c in SpeechYearCount.objects.all()
        }
        assert kept == direct

    recount()
    speech = Speech.objects.filter(member_state__isnull=False).first()
    # An edit of the text (word count), a change of State (group), a move of the meeting's
    # date to another year (the date trigger updates the speeches), a deletion.
    speech.text += " Three more words."
    speech.member_state = MemberState.objects.exclude(pk=speech.member_state_id).first()
    speech.save()
    recount()
    meeting = speech.meeting
    meeting.date = meeting.date.replace(year=2019)
    meeting.save(update_fields=["date"])
    recount()
    Speech.objects.filter(meeting=meeting).delete()
    recount()
    assert SpeechYearCount.objects.filter(statements=0).count() == 0


def test_word_count_is_the_words_between_spaces(statements):
    speech = Speech.objects.first()
    speech.refresh_from_db()
    assert speech.word_count == len(re.findall(r"\S+", speech.text, re.ASCII))


def test_matches_per_10000_words_counts_every_occurrence(client, statements):
    rows = drawn(client, "/trends/?q=violence&measure=per10k")
    row = next(r for r in rows if r["year"] == 2020)
    texts = Speech.objects.filter(meeting_date__year=2020).values_list("text", flat=True)
    # Every occurrence of the word in its forms the index gives the same lexeme to.
    words = re.compile(r"\bviolences?\b", re.IGNORECASE)
    expected = sum(len(words.findall(t)) for t in texts)
    assert row["matches"] == expected
    assert row["words"] == sum(len(re.findall(r"\S+", t, re.ASCII)) for t in texts)
    assert row["matches_per_10000_words"] == pytest.approx(10_000 * expected / row["words"])


def test_phrase_occurrences(client, statements):
    rows = drawn(client, '/trends/?q="sexual violence"&measure=per10k')
    row = next(r for r in rows if r["year"] == 2020)
    texts = Speech.objects.filter(meeting_date__year=2020).values_list("text", flat=True)
    # As the index reads a phrase: "sexually" is 'sexual', punctuation between is no word.
    phrase = re.compile(r"\bsexual(?:ly)?\W+violences?\b", re.IGNORECASE)
    expected = sum(len(phrase.findall(t)) for t in texts)
    assert row["matches"] == expected > 20


def test_positive_terms_leave_out_excluded_words():
    tsquery = "'women' <2> 'peac' <2> 'secur' | 'peace-keep' <-> 'peac' <-> 'keep' & !( 'sexual' <-> 'abus' ) & !'iran'"
    assert positive_terms(tsquery) == [
        Term(("women", "peac", "secur"), (0, 2, 4)),
        Term(("peace-keep", "peac", "keep"), (0, 1, 2)),
    ]
    assert Term(("peace-keep", "peac", "keep"), (0, 1, 2)).without_compounds() == Term(
        ("peac", "keep"), (0, 1)
    )


def test_page_draws_an_accessible_chart_with_a_table(client, statements):
    response = client.get("/trends/?q=peace&q=Syria")
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg class=\"trend-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "Share of statements (%)" in svg and ">Year<" in svg
    assert "<script" not in html.split("</head>")[1]  # no inline script
    assert 'style="' not in html
    # Each point links to the search for its year, in the chart and in the table.
    assert '/search/?q=peace&amp;year=2020"' in svg
    assert 'href="/search/?q=peace&amp;year=2020"' in html.split("<table")[1]


@pytest.mark.parametrize(
    "query, message",
    [
        ("q=a&q=b&q=c&q=d&q=e&q=f", "at most 5"),
        ("q=peace&q=war&split=state", "give one search"),
        ("q=peace&split=state&state=Atlantis", "No Member State or body called"),
        ("q=peace&from=2020&to=2010", "after To"),
        ("q=peace&split=nonsense", "Lines"),
        ("q=peace&measure=loudness", "Measure"),
        ("q=" + "x" * 400, "the limit is 300"),
    ],
)
def test_bad_requests_say_what_is_wrong(client, db, query, message):
    response = client.get("/trends/?" + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    download = client.get("/trends/?" + query + "&format=csv")
    assert download.status_code == 400 and message in download.content.decode()


def test_csv_is_what_is_drawn(client, statements):
    response = client.get("/trends/?q=peace&split=council&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    page = client.get("/trends/?q=peace&split=council").content.decode()
    for row in rows:
        if int(row["statements"]):
            assert f"{float(row['share_percent']):.1f} %" in page


def test_search_page_links_to_trends_and_kwic(client, statements):
    html = client.get(reverse("archive:search"), {"q": "peace", "state": "fra"}).content.decode()
    assert "/trends/?q=peace&amp;split=state&amp;state=fra" in html
    assert "/search/kwic/?q=peace" in html


def test_state_page_offers_its_trends(client, statements):
    html = client.get("/states/fra/").content.decode()
    assert 'action="/trends/"' in html and 'name="state" value="fra"' in html


def test_occurrence_sql_counts_words_and_phrases(statements):
    speech = Speech.objects.filter(text__icontains="sexual violence").first()
    terms = positive_terms(trends.tsquery_of('"sexual violence" OR violence'))
    sql, params = trends.occurrences_sql(terms)
    from django.db.models import IntegerField
    from django.db.models.expressions import RawSQL

    counted = (
        Speech.objects.filter(pk=speech.pk)
        .annotate(n=RawSQL(sql, params, output_field=IntegerField()))
        .values_list("n", flat=True)
        .get()
    )
    text = speech.text
    expected = len(re.findall(r"\bsexual\s+violence\b", text, re.I)) + len(
        re.findall(r"\bviolences?\b", text, re.I)
    )
    assert counted == expected


@pytest.mark.parametrize(
    "query", ["violence", "Syria OR Yemen", "ceasefire -Libya", "civilians protection", "peace"]
)
def test_occurrences_from_the_index_are_what_postgres_counts(statements, query):
    """Over every statement, per 10,000 words reads the search index; PostgreSQL agrees."""
    line = trends.TrendLine(label=query, query=query)
    base = Speech.objects.filter(meeting_date__isnull=False)
    by_sql = {
        r["year"]: (r["matching"], r["matches"] or 0)
        for r in trends._numerators(base, [line], count_matches=True)
    }
    rows = trends._index_counts(query, year_from=None, year_to=None, using="default")
    assert {r["year"]: (r["matching"], r["matches"]) for r in rows} == by_sql
    assert by_sql  # every query here matches something
    later = trends._index_counts(query, year_from=2021, year_to=None, using="default")
    assert {r["year"] for r in later} <= {2026}


@pytest.mark.parametrize("query", ['"sexual violence"', '"sexual violence" OR peace'])
def test_phrases_are_counted_by_postgres(statements, query):
    assert trends._index_counts(query, year_from=None, year_to=None, using="default") is None
