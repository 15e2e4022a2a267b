"""Cold (uncached) search paths: phrase queries through the adjacent-pairs index."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from archive import search
from archive.middleware import clear_validator_cache
from archive.models import AgendaItem, Meeting, Speech


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    clear_validator_cache()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("tsquery", "pairs", "exact", "words"),
    [
        ("'sexual' <-> 'violenc'", "'sexual~violenc'", True, ""),
        ("'sexual' <-> 'violenc' & 'kosovo'", "'sexual~violenc'", True, "'kosovo'"),
        (
            "'unit' <-> 'nation' & 'secur' <-> 'council'",
            "'unit~nation' & 'secur~council'",
            True,
            "",
        ),
        # "and" is a stop word: <2> has no pair; the phrase is then tested on the candidates.
        ("'intern' <-> 'peac' <2> 'secur'", "'intern~peac'", False, ""),
        (
            "'two-stat' <-> 'two' <-> 'state' <-> 'solut'",
            "'two-stat~two' & 'two~state' & 'state~solut'",
            False,
            "",
        ),
    ],
)
def test_phrase_pairs_query(tsquery, pairs, exact, words):
    assert search.phrase_pairs_query(tsquery) == search.PairsQuery(pairs, exact, words)


@pytest.mark.parametrize(
    "tsquery",
    [
        "'peac'",  # no phrase
        "'peac' <2> 'secur'",  # no adjacent pair
        "'sexual' <-> 'violenc' | 'impun'",  # OR: a match need not have the pair
        "'syria' & !( 'sexual' <-> 'violenc' )",  # negation
        "'it''s' <-> 'x'",  # quoted lexeme: left to the general path
        f"'{'a' * 200}' <-> '{'b' * 200}'",  # longer than the pairs the column keeps
        "",
    ],
)
def test_phrase_pairs_query_unusable(tsquery):
    assert search.phrase_pairs_query(tsquery) is None


def _pairs_of(speech: Speech) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM archive_speech, unnest(phrase_pairs) WHERE id = %s", [speech.pk]
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def meeting(db) -> Meeting:
    agenda = AgendaItem.objects.create(title="Women and peace and security", slug="wps")
    return Meeting.objects.create(
        symbol="S/PV.9100", meeting_number=9100, date=datetime.date(2021, 3, 1), agenda_item=agenda
    )


def test_pairs_column_is_kept_by_the_database(meeting):
    speech = Speech.objects.create(
        meeting=meeting,
        sequence=1,
        attribution="Speaker",
        role="other",
        text="Sexual violence is a threat to international peace and security.",
    )
    pairs = _pairs_of(speech)
    assert {"sexual~violenc", "intern~peac"} <= pairs
    assert "peac~secur" not in pairs  # "and" lies between them
    speech.text = "Peace talks resumed."
    speech.save()
    assert _pairs_of(speech) == {"peac~talk", "talk~resum"}


def test_long_adjacent_words_are_stored(meeting):
    # Two adjacent words of 1,500 letters would make a pair longer than a lexeme may be.
    speech = Speech.objects.create(
        meeting=meeting,
        sequence=1,
        attribution="Speaker",
        role="other",
        text=f"{'a' * 1500} {'b' * 1500} the end game",
    )
    assert _pairs_of(speech) == {"end~game"}


@pytest.fixture
def phrases(meeting):
    texts = {
        "phrase": "Sexual violence in conflict must end. We support a two-state solution.",
        "phrase_again": "We condemn sexual violence and impunity in conflict.",
        "apart": "The violence was not sexual in nature; the solution is two states.",
        "words_far": "Sexual exploitation is one form of violence in conflict.",
        "ips": "A threat to international peace and security.",
        "ips_apart": "International security and peace.",
    }
    speeches = {}
    for n, (key, text) in enumerate(texts.items()):
        m = Meeting.objects.create(
            symbol=f"S/PV.{9200 + n}",
            meeting_number=9200 + n,
            date=datetime.date(2020, 1, 1 + n),
            agenda_item=meeting.agenda_item,
        )
        speeches[key] = Speech.objects.create(
            meeting=m, sequence=1, attribution="Speaker", role="other", text=text
        )
    return speeches


def _results(client, **params) -> tuple[int, list[int]]:
    response = client.get(reverse("archive:search"), params)
    assert response.status_code == 200
    return response.context["total"], [s.pk for s in response.context["speeches"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"sexual violence"', {"phrase", "phrase_again"}),  # exact through the pairs
        ('"sexual violence" conflict', {"phrase", "phrase_again"}),  # pairs and a word
        ('"international peace and security"', {"ips"}),  # pairs, then positions tested
        ('"two-state solution"', {"phrase"}),  # a hyphenated word makes a longer phrase
        ('"sexual violence" OR "international peace"', {"phrase", "phrase_again", "ips"}),
    ],
)
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("with_pairs", [True, False])
def test_phrase_results_with_and_without_pairs(
    client, phrases, monkeypatch, q, expected, sort, with_pairs
):
    if not with_pairs:
        monkeypatch.setattr(search, "phrase_plan", lambda *args, **kwargs: None)
    total, ids = _results(client, q=q, sort=sort)
    assert total == len(expected)
    assert set(ids) == {phrases[k].pk for k in expected}
    if sort == "newest":
        assert ids == sorted(
            ids, key=lambda pk: -Speech.objects.get(pk=pk).meeting_date.toordinal()
        )


def test_phrase_facets_count_only_real_phrases(client, phrases):
    stats = client.get(reverse("archive:search"), {"q": '"sexual violence"'}).context["stats"]
    assert stats.total == 2
    assert {v.value: v.count for v in stats.years} == {"2020": 2}
    assert {v.value: v.count for v in stats.topics} == {"wps": 2}
