"""Relevance over every match (BM25 from the stored index), and the index following every write.

The expected order is computed here from the definition (docs in ``archive.ranking``) with the
lexeme counts PostgreSQL itself stores in ``search_vector``: the archive must agree exactly,
on every page, whatever the number of matches and however old the best one is.
"""

from __future__ import annotations

import datetime
import json
import math

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import ranking, search, search_index
from archive.importing import import_meeting
from archive.middleware import clear_validator_cache
from archive.models import AgendaItem, Meeting, MemberState, Speech
from tests.council_2020 import load_council_2020, parsed_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    clear_validator_cache()
    yield
    cache.clear()


# --------------------------------------------------------------------------- a corpus for BM25

# The best match for "ceasefire" is the OLDEST speech: short, and saying it three times.
# Thirty newer speeches say it once, at various lengths; others say only "peace".
BEST = "Ceasefire, ceasefire, ceasefire now."
FILLER = "The Council discussed the situation at length with many delegations present today."


@pytest.fixture
def corpus():
    france = MemberState.objects.create(name="France", iso3="FRA")
    niger = MemberState.objects.create(name="Niger", iso3="NER")
    topic = AgendaItem.objects.create(title="The situation in Libya", slug="libya")
    speeches = {}
    texts = [("best", datetime.date(1990, 1, 5), BEST)]
    for n in range(30):
        filler = " ".join([FILLER] * (1 + n % 4))
        texts.append(
            (
                f"once_{n}",
                datetime.date(2000 + n % 20, 1 + n % 12, 1),
                f"A ceasefire in Libya. {filler}",
            )
        )
    texts += [
        (f"peace_{n}", datetime.date(2010, 2, 1 + n), f"Peace in the Sahel. {FILLER}")
        for n in range(5)
    ]
    texts.append(
        (
            "twice",
            datetime.date(2015, 6, 1),
            "Ceasefire talks; the ceasefire holds in Libya. " + FILLER,
        )
    )
    for n, (key, day, text) in enumerate(texts):
        meeting = Meeting.objects.create(
            symbol=f"S/PV.{7000 + n}", meeting_number=7000 + n, date=day, agenda_item=topic
        )
        speeches[key] = Speech.objects.create(
            meeting=meeting, sequence=1, attribution="Speaker", role="member",
            member_state=(france, niger)[n % 2], text=text,
        )  # fmt: skip
    return speeches


def _expected_order(query: str) -> list[int]:
    """BM25 (k1 1.2, b 0.75) by its definition, ties newest first: the oracle."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery('english', %s)::text", [query])
        tree = ranking.parse_tsquery(cursor.fetchone()[0])
        cursor.execute(
            "SELECT s.id, u.lexeme, cardinality(u.positions) FROM archive_speech s"
            " LEFT JOIN LATERAL unnest(s.search_vector) u ON true"
        )
        counts: dict[int, dict[str, int]] = {}
        for pk, lexeme, tf in cursor.fetchall():
            counts.setdefault(pk, {})
            if lexeme:
                counts[pk][lexeme] = tf
    matching = set(
        Speech.objects.filter(search_vector=search.websearch(query)).values_list("pk", flat=True)
    )
    n = len(counts)
    lengths = {pk: sum(c.values()) for pk, c in counts.items()}
    average = sum(lengths.values()) / n
    words = ranking.lexemes(tree)
    df = {w: sum(1 for c in counts.values() if w in c) for w in words}

    def score(pk):
        total = 0.0
        for w in words:
            tf = counts[pk].get(w, 0)
            if tf and df[w]:
                idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                total += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[pk] / average))
        return total

    dates = {s.pk: s for s in Speech.objects.filter(pk__in=matching)}

    def newest(pk):
        s = dates[pk]
        return (-s.meeting_date.toordinal(), s.meeting_id, s.sequence)

    return sorted(matching, key=lambda pk: (-round(score(pk), 9), newest(pk)))


def _site_order(client, **params) -> list[int]:
    ids, page = [], 1
    while True:
        response = client.get(reverse("archive:search"), {**params, "page": page})
        assert response.status_code == 200
        ids += [s.pk for s in response.context["speeches"]]
        if not response.context["page"].has_next():
            return ids
        page += 1


@pytest.mark.parametrize(
    "q", ["ceasefire", "ceasefire libya", "ceasefire OR peace", "libya -talks"]
)
def test_relevance_order_is_exact_over_every_match(client, corpus, q):
    expected = _expected_order(q)
    assert len(expected) > 20  # more than a page: the order across pages counts too
    assert _site_order(client, q=q) == expected


def test_the_best_match_is_first_even_when_it_is_the_oldest(client, corpus, monkeypatch):
    response = client.get(reverse("archive:search"), {"q": "ceasefire"})
    assert response.context["total"] == 32
    assert response.context["speeches"][0].pk == corpus["best"].pk
    assert response.context["speeches"][1].pk == corpus["twice"].pk
    assert "too many to rank" not in response.content.decode()


def test_downloads_follow_the_relevance_order(client, corpus):
    data = json.loads(
        b"".join(client.get(reverse("archive:search_json"), {"q": "ceasefire"}).streaming_content)
    )
    assert [row["id"] for row in data["rows"]] == _expected_order("ceasefire")


def test_filters_and_phrases_rank_within_their_matches(client, corpus):
    expected = [
        pk
        for pk in _expected_order("ceasefire")
        if Speech.objects.get(pk=pk).member_state.iso3 == "FRA"
    ]
    assert _site_order(client, q="ceasefire", state="fra") == expected
    phrase = _site_order(client, q='"ceasefire in libya"')
    assert set(phrase) == set(
        Speech.objects.filter(search_vector=search.websearch('"ceasefire in libya"')).values_list(
            "pk", flat=True
        )
    )
    # Scored by their words like every match: longer speeches later.
    assert phrase == [pk for pk in _expected_order("ceasefire libya") if pk in set(phrase)]


# --------------------------------------------------------------------------- the engine vs PostgreSQL

WORDS = ["ceasefire", "libya", "peace", "sahel", "talks", "council", "the", "holds", "delegations"]


def _engine(query: str, **filters) -> tuple[set[int], search.SearchStats]:
    qs = Speech.objects.all()
    if filters:
        qs = qs.filter(**filters)
    results = search_index.Results(qs, query=query, sort="relevance", has_filters=bool(filters))
    stats = results.stats()
    return {int(pk) for pk in results.found.matches.ids}, stats


def _postgres(query: str, **filters) -> tuple[set[int], search.SearchStats]:
    qs = Speech.objects.all()
    if filters:
        qs = qs.filter(**filters)
    matched = search.matching(qs, query)
    return set(matched.values_list("pk", flat=True)), search.compute_stats(matched)


def _facets(stats):
    return (
        stats.total,
        [(v.value, v.count) for v in stats.states],
        [(v.value, v.count) for v in stats.years],
        [(v.value, v.count) for v in stats.topics],
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    joiner=st.sampled_from([" ", " OR ", " -", ' "']),
)
def test_engine_matches_and_counts_like_postgres(corpus, words, joiner):
    query = joiner.join(words) + ('"' if joiner == ' "' else "")
    for filters in ({}, {"member_state__iso3": "NER"}):
        ids, stats = _engine(query, **filters)
        expected_ids, expected_stats = _postgres(query, **filters)
        assert ids == expected_ids, query
        assert _facets(stats) == _facets(expected_stats), query


# --------------------------------------------------------------------------- the index follows writes


def _found(q: str) -> set[int]:
    return _engine(q)[0]


def test_index_follows_inserts_edits_deletes_and_rebuilds(corpus):
    speech = corpus["peace_0"]
    assert speech.pk not in _found("ceasefire")
    speech.text = "We call for a ceasefire and for peace."
    speech.save()  # what the admin's change form does
    assert speech.pk in _found("ceasefire")
    assert speech.pk in _found("peace")
    assert speech.pk not in _found("sahel")  # the old text's words are gone
    search_index.rebuild()
    assert speech.pk in _found("ceasefire") and speech.pk not in _found("sahel")
    speech.text = "Sahel."
    speech.save()
    assert speech.pk not in _found("ceasefire") and speech.pk in _found("sahel")
    speech.delete()
    assert speech.pk not in _found("sahel")
    corpus["best"].meeting.delete()  # cascades to its speeches
    assert corpus["best"].pk not in _found("ceasefire")
    assert _found("ceasefire") == _postgres("ceasefire")[0]
    status = search_index.status()
    assert status.documents == status.speeches == Speech.objects.count()


def test_an_import_is_searchable_at_once_and_ranked(client, data_dir):
    load_council_2020()
    parsed = parsed_pdf(data_dir, "S_PV.8700_E.pdf")
    import_meeting(parsed=parsed, source=Meeting.Source.PDF)
    ids, stats = _engine("humanitarian")
    expected_ids, expected_stats = _postgres("humanitarian")
    assert ids == expected_ids and ids
    assert _facets(stats) == _facets(expected_stats)
    assert _site_order(client, q="humanitarian") == _expected_order("humanitarian")


def test_admin_edit_of_a_speech_reaches_the_index(admin_client, corpus):
    speech = corpus["peace_1"]
    url = reverse("admin:archive_speech_change", args=[speech.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(text="An armistice was signed.")
    data.update({"mentions-TOTAL_FORMS": "0", "mentions-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert speech.pk in _found("armistice")
    assert speech.pk not in _found("sahel")


def test_truncating_the_speeches_empties_the_index(corpus):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred triggers fire first
        cursor.execute("TRUNCATE archive_speech CASCADE")
    assert search_index.status().delta_rows == 0
    assert _found("ceasefire") == set()


# --------------------------------------------------------------------------- parsing, snippets


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("'peac'", ranking.Term("peac")),
        ("'it''s' & !'war'", ranking.And(ranking.Term("it's"), ranking.Not(ranking.Term("war")))),
        ("'a' | 'b' & 'c'", ranking.Or(ranking.Term("a"), ranking.And(ranking.Term("b"), ranking.Term("c")))),
        ("( 'a' | 'b' ) & 'c'", ranking.And(ranking.Or(ranking.Term("a"), ranking.Term("b")), ranking.Term("c"))),
        ("'intern' <-> 'peac' <2> 'secur'", ranking.Phrase(ranking.Phrase(ranking.Term("intern"), ranking.Term("peac"), 1), ranking.Term("secur"), 2)),
        ("'peac':*", ranking.Term("peac", exact=False)),
        ("", None),
    ],
)  # fmt: skip
def test_tsquery_parsing(text, tree):
    assert ranking.parse_tsquery(text) == tree


def test_snippets_mark_every_form_of_the_words_and_escape_the_rest(client, corpus):
    corpus["once_0"].text = "<b>Negotiations</b> & a CEASEFIRE; they negotiate."
    corpus["once_0"].save()
    html = client.get(reverse("archive:search"), {"q": "negotiate ceasefire"}).content.decode()
    assert "&lt;b&gt;<mark>Negotiations</mark>&lt;/b&gt; &amp; a <mark>CEASEFIRE</mark>" in html
    assert "they <mark>negotiate</mark>." in html


@pytest.mark.parametrize(
    "query",
    [
        '"ceasefire in libya"',
        '"the ceasefire holds"',
        '"ceasefire talks" libya',
        'libya -"ceasefire in libya"',
        '"peace in the sahel" OR "ceasefire now"',
        '"discussed the situation at length"',
    ],
)
def test_phrases_are_matched_from_stored_positions_like_postgres(corpus, query, monkeypatch):
    # The positions in the index decide, not PostgreSQL's phrase path.
    monkeypatch.setattr(search, "phrase_plan", None)
    for filters in ({}, {"member_state__iso3": "FRA"}):
        assert _engine(query, **filters)[0] == _postgres(query, **filters)[0], query
    speech = corpus["twice"]
    speech.text = "The ceasefire holds."
    speech.save()  # the delta's positions
    assert _engine('"the ceasefire holds"')[0] == _postgres('"the ceasefire holds"')[0]


# --------------------------------------------------------------------------- filters only


@pytest.mark.django_db(transaction=True)
def test_filters_only_check_the_catalogue_with_the_page_rows(client, corpus, monkeypatch):
    # A search of catalogue filters only (no words) uses the catalogue held without a statement
    # of its own; the archive's version comes with the page's rows, and a version that moved
    # meanwhile has the search found again (catalogue re-read) before anything is shown.
    statements = []
    find_sql = search_index._find_sql
    monkeypatch.setattr(
        search_index, "_find_sql", lambda *a, **k: statements.append(1) or find_sql(*a, **k)
    )
    url = reverse("archive:search") + "?state=fra&sort=oldest"

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return response.context["total"], [s.pk for s in response.context["speeches"]]

    def truth():
        rows = Speech.objects.filter(member_state__iso3="FRA").order_by("meeting_date", "pk")
        return rows.count(), list(rows.values_list("pk", flat=True)[:20])

    assert page() == truth() and len(statements) == 1  # the catalogue read and held
    assert page() == truth() and len(statements) == 1  # held: no statement of its own
    gone = Speech.objects.filter(member_state__iso3="FRA").order_by("meeting_date").first()
    gone.delete()  # committed: the archive's version moves
    total, ids = page()
    assert (total, ids) == truth() and gone.pk not in ids
    assert len(statements) == 2  # found again once the rows' version differed
    assert page() == truth() and len(statements) == 2
    client.get(reverse("archive:search") + "?state=fra&q=ceasefire")
    assert len(statements) == 3  # words: always the statement
