"""The search page: websearch syntax, filters, facets, escaping, hostile input, downloads, feed."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse

from archive import search
from archive.middleware import clear_validator_cache
from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    Mention,
    Resolution,
    Speaker,
    Speech,
)

SCRIPT = "<script>alert('x')</script>"


@dataclass
class Archive:
    """A small archive: two meetings, six speeches, States on and off the Council."""

    france: MemberState
    uk: MemberState
    niger: MemberState
    eu: Affiliation
    wps: AgendaItem
    middle_east: AgendaItem
    m2019: Meeting
    m2020: Meeting
    speaker_fr: Speaker
    speeches: dict[str, Speech]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Pages are cached per archive version; tests roll back instead of committing.
    cache.clear()
    clear_validator_cache()
    yield
    cache.clear()


def _speech(meeting, sequence, text, *, role, state=None, body=None, speaker=None, name=""):
    return Speech.objects.create(
        meeting=meeting,
        sequence=sequence,
        attribution=f"{name or 'Speaker'} ({state or body or 'UN'})",
        speaker=speaker,
        speaker_name=name,
        country_as_printed=str(state or body or ""),
        member_state=state,
        affiliation=body,
        role=role,
        text=text,
    )


@pytest.fixture
def archive(db) -> Archive:
    france = MemberState.objects.create(name="France", iso3="FRA")
    uk = MemberState.objects.create(name="United Kingdom", iso3="GBR")
    niger = MemberState.objects.create(name="Niger", iso3="NER")
    CouncilTerm.objects.create(
        member_state=france, seat="permanent", start_year=1946, end_year=2026
    )
    CouncilTerm.objects.create(member_state=uk, seat="permanent", start_year=1946, end_year=2026)
    CouncilTerm.objects.create(member_state=niger, seat="elected", start_year=2020, end_year=2021)
    eu = Affiliation.objects.create(
        name="European Union", kind="organization", slug="european-union"
    )
    wps = AgendaItem.objects.create(title="Women and peace and security", slug="wps")
    middle_east = AgendaItem.objects.create(title="The situation in the Middle East", slug="me")
    m2019 = Meeting.objects.create(
        symbol="S/PV.8514", meeting_number=8514, date=datetime.date(2019, 4, 23), agenda_item=wps
    )
    m2020 = Meeting.objects.create(
        symbol="S/PV.8699",
        meeting_number=8699,
        date=datetime.date(2020, 1, 9),
        agenda_item=middle_east,
    )
    speaker_fr = Speaker.objects.create(name="Mr. Delattre", member_state=france)
    s = {}
    s["fr"] = _speech(
        m2019,
        1,
        "Sexual violence in conflict must end. We welcome resolution 2467 (2019) on peace.",
        role="president",
        state=france,
        speaker=speaker_fr,
        name="Mr. Delattre",
    )
    s["uk"] = _speech(
        m2019,
        2,
        "The violence was not sexual in nature, but peace remains distant.",
        role="member",
        state=uk,
        name="Ms. Pierce",
    )
    s["ner_2019"] = _speech(
        m2019,
        3,
        f"Peace in the Sahel {SCRIPT} & <b>bold</b> peace.",
        role="invited",
        state=niger,
        name="Mr. Abarry",
    )
    s["ner_2020"] = _speech(
        m2020,
        1,
        "Ceasefire talks and peace negotiations in Libya.",
        role="member",
        state=niger,
        name="Mr. Abarry",
    )
    s["eu"] = _speech(
        m2020, 2, "The European Union supports the ceasefire in Syria.", role="invited", body=eu
    )
    s["un"] = _speech(m2020, 3, "Humanitarian access in Syria remains blocked.", role="un")
    resolution = Resolution.objects.create(number=2467, year=2019)
    Mention.objects.create(
        speech=s["fr"], kind="resolution", symbol="S/RES/2467 (2019)", resolution=resolution
    )
    return Archive(france, uk, niger, eu, wps, middle_east, m2019, m2020, speaker_fr, s)


def _ids(response) -> set[int]:
    return {speech.pk for speech in response.context["speeches"]}


def _get(client, **params):
    return client.get(reverse("archive:search"), params)


# --------------------------------------------------------------------------- syntax


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("peace", {"fr", "uk", "ner_2019", "ner_2020"}),
        ('"sexual violence"', {"fr"}),
        ("sexual violence", {"fr", "uk"}),
        ("ceasefire OR humanitarian", {"ner_2020", "eu", "un"}),
        ("syria -ceasefire", {"un"}),
        ("peace -sahel -libya", {"fr", "uk"}),
        ("negotiate", {"ner_2020"}),  # stemming: negotiations
    ],
)
def test_websearch_syntax(client, archive, q, expected):
    response = _get(client, q=q)
    assert response.status_code == 200
    assert _ids(response) == {archive.speeches[k].pk for k in expected}
    assert response.context["total"] == len(expected)


def test_relevance_order_puts_the_densest_match_first(client, archive):
    response = _get(client, q="peace")
    assert response.context["speeches"][0].pk == archive.speeches["ner_2019"].pk


@pytest.mark.parametrize(
    ("sort", "first", "last"), [("newest", "ner_2020", "ner_2019"), ("oldest", "fr", "ner_2020")]
)
def test_date_sort(client, archive, sort, first, last):
    speeches = _get(client, q="peace", sort=sort).context["speeches"]
    assert speeches[0].pk == archive.speeches[first].pk
    assert speeches[-1].pk == archive.speeches[last].pk


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "fra"}, {"fr"}),
        ({"state": "NER"}, {"ner_2019", "ner_2020"}),
        ({"state": "european-union"}, {"eu"}),
        ({"role": "invited"}, {"ner_2019", "eu"}),
        ({"role": "un"}, {"un"}),
        ({"on_council": "yes"}, {"fr", "uk", "ner_2020"}),
        ({"on_council": "no"}, {"ner_2019"}),
        ({"date_from": "2020-01-01"}, {"ner_2020", "eu", "un"}),
        ({"date_to": "2019-12-31"}, {"fr", "uk", "ner_2019"}),
        ({"year": "2020"}, {"ner_2020", "eu", "un"}),
        ({"topic": "wps"}, {"fr", "uk", "ner_2019"}),
        ({"meeting": "S/PV.8699"}, {"ner_2020", "eu", "un"}),
        ({"resolution": "2467 (2019)"}, {"fr"}),
        ({"resolution": "2467"}, {"fr"}),
        ({"resolution": "S/RES/2467 (2019)"}, {"fr"}),
        ({"resolution": "2467 (2020)"}, set()),
        ({"state": "ner", "on_council": "yes"}, {"ner_2020"}),
        ({"q": "peace", "state": "ner", "year": "2019"}, {"ner_2019"}),
    ],
)
def test_filters(client, archive, params, expected):
    response = _get(client, **params)
    assert response.status_code == 200, response.context["errors"]
    assert _ids(response) == {archive.speeches[k].pk for k in expected}


def test_speaker_filter(client, archive):
    response = _get(client, speaker=str(archive.speaker_fr.pk))
    assert _ids(response) == {archive.speeches["fr"].pk}


def test_filters_are_kept_in_the_form(client, archive):
    response = _get(client, q="peace", state="ner", year="2019")
    html = response.content.decode()
    assert 'name="state" value="Niger"' in html
    assert 'name="year" value="2019"' in html


# --------------------------------------------------------------------------- facets


def test_facet_counts(client, archive):
    response = _get(client, q="peace")
    stats = response.context["stats"]
    assert {v.value: v.count for v in stats.states} == {"ner": 2, "fra": 1, "gbr": 1}
    assert {v.value: v.count for v in stats.years} == {"2019": 3, "2020": 1}
    assert {v.value: v.count for v in stats.topics} == {"wps": 3, "me": 1}


def test_facet_links_add_a_filter_to_the_current_url(client, archive):
    response = _get(client, q="peace", role="member", page="1")
    facets = {param: links for _title, param, links in response.context["facets"]}
    niger = next(link for link in facets["state"] if link["label"] == "Niger")
    params = parse_qs(urlsplit(niger["url"]).query)
    assert params == {"q": ["peace"], "role": ["member"], "state": ["ner"]}
    assert niger["count"] == 1  # Niger spoke as a member once about peace
    followed = client.get(reverse("archive:search") + niger["url"])
    assert _ids(followed) == {archive.speeches["ner_2020"].pk}
    year = next(link for link in facets["year"] if link["label"] == "2020")
    assert parse_qs(urlsplit(year["url"]).query)["year"] == ["2020"]
    assert f'href="{niger["url"].replace("&", "&amp;")}"' in response.content.decode()


# --------------------------------------------------------------------------- escaping


def test_snippets_escape_the_text_before_marking(client, archive):
    html = _get(client, q="sahel").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<mark>Sahel</mark>" in html


def test_listing_without_words_escapes_too(client, archive):
    html = _get(client, state="ner").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_highlight_escapes_then_marks():
    marked = f"a <i>b</i> {search.START_SEL}peace{search.STOP_SEL} \ue000<img>"
    assert search.highlight(marked) == "a &lt;i&gt;b&lt;/i&gt; <mark>peace</mark> &lt;img&gt;"


def test_text_carrying_sentinels_cannot_inject_markup(client, archive):
    Speech.objects.filter(pk=archive.speeches["un"].pk).update(
        text="Humanitarian \ue000<script>x</script>\ue001 access"
    )
    html = _get(client, q="humanitarian").content.decode()
    assert "<script>x" not in html


# --------------------------------------------------------------------------- hostile input

LONG = "peace " * 2000


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": LONG}, 400, "the limit is 300"),
        ({"q": '"unbalanced quote'}, 200, ""),
        ({"q": '"""'}, 200, ""),
        ({"q": "OR OR -"}, 200, ""),
        ({"q": "!:*&|<>()\\'"}, 200, ""),
        ({"q": "the"}, 200, "only very common words"),
        ({"q": "peace\x00"}, 400, ""),  # refused by the security middleware or the form
        ({"q": "p" * 3000}, 400, "the limit is 300"),
        ({"state": "zzz"}, 400, "No Member State or body"),
        ({"state": "x" * 500}, 400, "State or body"),
        ({"speaker": "abc"}, 400, "Speaker"),
        ({"speaker": "99999999999999999999999"}, 400, "Speaker"),
        ({"role": "king"}, 400, "Role"),
        ({"on_council": "maybe"}, 400, "Council seat"),
        ({"date_from": "2020-13-45"}, 400, "From"),
        ({"year": "nineteen"}, 400, "Year"),
        ({"year": "99999999999"}, 400, "Year"),
        ({"topic": "no-such-topic"}, 400, "Agenda item"),
        ({"meeting": "S/PV.0"}, 400, "Meeting"),
        ({"resolution": "banana"}, 400, "not a resolution"),
        ({"sort": "random"}, 400, "Order"),
        ({"page": "abc"}, 400, "not a page number"),
        ({"page": "0"}, 400, "not a page number"),
        ({"page": "-1"}, 400, "not a page number"),
        ({"page": "99999999999999999999"}, 200, "There is no page"),
        ({"q": "peace", "page": "50"}, 200, "There is no page"),
    ],
)
def test_hostile_input_gets_a_clear_page(client, archive, params, status, message):
    response = _get(client, **params)
    assert response.status_code == status
    if message:
        assert message in response.content.decode()


@pytest.mark.parametrize(
    "name", ["archive:search_csv", "archive:search_json", "archive:search_feed"]
)
@pytest.mark.parametrize("params", [{"q": LONG}, {"state": "zzz"}, {"resolution": "banana"}])
def test_hostile_input_on_downloads_and_feed(client, archive, name, params):
    response = client.get(reverse(name), params)
    assert response.status_code == 400
    assert "could not be run" in response.content.decode()


def test_no_match_page(client, archive):
    response = _get(client, q="zanzibar")
    assert response.status_code == 200
    assert "No statement matches" in response.content.decode()


# --------------------------------------------------------------------------- broad queries


def test_broad_queries_rank_every_match(client, archive):
    response = _get(client, q="peace")
    assert response.context["total"] == 4
    assert response.context["page"].paginator.count == 4
    assert "too many to rank" not in response.content.decode()
    # The oldest, densest match first (tests/test_search_ranking.py checks the exact order).
    assert response.context["speeches"][0].pk == archive.speeches["ner_2019"].pk


def test_a_repeated_search_counts_afresh(client, archive):
    # Counts and pages are kept nowhere but in the rendered page (the page cache, off here):
    # a search asked again reads the index again and shows what the archive holds now, even
    # within one archive version (this test never commits, so the version stays the same).
    assert _get(client, q="peace").context["total"] == 4
    _speech(archive.m2020, 50, "Peace and peace again.", role="member", state=archive.uk)
    response = _get(client, q="peace")
    assert response.context["total"] == 5


# --------------------------------------------------------------------------- query counts


def _add_speeches(archive: Archive, count: int) -> None:
    states = [archive.france, archive.uk, archive.niger]
    for n in range(count):
        speaker = Speaker.objects.create(name=f"Speaker {n}", member_state=states[n % 3])
        _speech(
            archive.m2020,
            100 + n,
            f"Peace statement number {n}.",
            role="member",
            state=states[n % 3],
            speaker=speaker,
            name=speaker.name,
        )


@pytest.mark.parametrize(
    ("params", "shown"),
    [({"q": "peace"}, 20), ({"state": "fra"}, 11), ({"q": "peace", "sort": "newest"}, 20)],
)
def test_no_query_per_row(client, archive, django_assert_max_num_queries, params, shown):
    _add_speeches(archive, 30)
    # Values kept per archive version (topics, holdings, suggestions) are built once: warm.
    _get(client, **params)
    cache.clear()
    # Validators, filter lookups, stats, ids, rows, snippets and the transaction: not per row.
    with django_assert_max_num_queries(12):
        response = _get(client, **params)
    assert len(response.context["speeches"]) == shown


def test_downloads_run_a_fixed_number_of_queries(client, archive, django_assert_max_num_queries):
    _add_speeches(archive, 30)
    for name in ("archive:search_csv", "archive:search_json", "archive:search_feed"):
        with django_assert_max_num_queries(8):
            response = client.get(reverse(name), {"q": "peace"})
            if response.streaming:
                b"".join(response.streaming_content)


# --------------------------------------------------------------------------- downloads


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _json(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize(
    "params",
    [
        {"q": "peace"},
        {"q": "peace", "sort": "oldest"},
        {"q": "syria OR sahel", "on_council": "no"},
        {"state": "ner"},
        {"year": "2020", "role": "invited"},
        {"resolution": "2467"},
    ],
)
def test_downloads_have_the_same_rows_as_the_page(client, archive, params):
    page_ids = [s.pk for s in _get(client, **params).context["speeches"]]
    csv_response = client.get(reverse("archive:search_csv"), params)
    json_response = client.get(reverse("archive:search_json"), params)
    assert isinstance(csv_response, StreamingHttpResponse)
    assert isinstance(json_response, StreamingHttpResponse)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert json_response["Content-Type"].startswith("application/json")
    csv_rows = _csv_rows(csv_response)
    data = _json(json_response)
    assert [int(r["id"]) for r in csv_rows] == page_ids
    assert [r["id"] for r in data["rows"]] == page_ids
    assert data["meta"]["query"] == params.get("q", "")


def test_json_fields_are_stable(client, archive):
    data = _json(client.get(reverse("archive:search_json"), {"q": '"sexual violence"'}))
    assert data["fields"] == [
        "id",
        "url",
        "meeting_url",
        "meeting",
        "date",
        "sequence",
        "speaker",
        "speaker_id",
        "state_iso3",
        "state_or_body",
        "body_slug",
        "role",
        "agenda_item",
        "spoke_in",
        "attribution",
        "citation",
        "text",
        # Added at the end (README, "Exports"): the same schema in every statement download.
        "page",
        "speaker_label",
        "speaker_source",
        "person_id",
        "person_url",
        "topics",
    ]
    (row,) = data["rows"]
    fr = archive.speeches["fr"]
    assert row["url"] == f"http://testserver/speeches/{fr.pk}/"
    assert row["meeting_url"] == "http://testserver/meetings/S-PV.8514/#speech-1"
    assert row["date"] == "2019-04-23"
    assert row["state_iso3"] == "FRA"
    assert row["text"] == fr.text


def test_csv_keeps_the_raw_text(client, archive):
    rows = _csv_rows(client.get(reverse("archive:search_csv"), {"q": "sahel"}))
    assert rows[0]["text"] == archive.speeches["ner_2019"].text


# --------------------------------------------------------------------------- feed

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed(client, archive):
    response = client.get(reverse("archive:search_feed"), {"q": "peace", "state": "ner"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert "peace" in root.find(f"{ATOM}title").text
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://testserver/speeches/{archive.speeches['ner_2020'].pk}/",
        f"http://testserver/speeches/{archive.speeches['ner_2019'].pk}/",
    ]
    summary = entries[1].find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # Once XML-decoded, the HTML is escaped text with <mark> only.
    assert SCRIPT not in summary.text
    assert "&lt;script&gt;" in summary.text
    assert "<mark>" in summary.text


def test_search_page_links_its_feed_and_downloads(client, archive):
    html = _get(client, q="peace", state="ner").content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/search.csv?q=peace&amp;state=ner" in html
    assert "/search.json?q=peace&amp;state=ner" in html


def test_empty_search_page(client, db):
    response = client.get(reverse("archive:search"))
    assert response.status_code == 200
    assert 'label for="id_q"' in response.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Short.",
        "word " * 400,
        "  spaced \n\n  out " * 300,
        "x" * 2000,
        " " * 1500 + "late start " * 100,
        "a" * 319 + " " + "b" * 50 + " tail " * 300,
        "a" * 320 + " " + "b" * 500,
        "word " * 64 + " " * 600 + "end " * 200,
        "x " * 160 + "y" * 100,
        " \n" * 200 + "z" * 330,
        "a" * 399,
        "a " * 200,
    ],
)
def test_the_lead_of_a_hit_reads_only_the_start(text):
    from archive.templatetags.archive_tags import lead
    from archive.views.search_html import text_lead

    assert text_lead(text) == lead(text, 320)


@pytest.mark.parametrize(
    "text",
    [
        "Peace, peacekeeping and PEACEFUL means; the peace-process (peace_talks) 2peace.",
        "hope operations Speed pe PE pē Pea's peace’s «peace» peace\npeace\tpeace",
        "İstanbul peace: a text whose length changes in lower case",
        "Libya, libyan LIBYA's ceasefire cease-fire ceasefires; liberty library",
        "",
    ],
)
def test_snippet_candidates_are_the_pattern_matches(text):
    from archive import snippets

    lexemes = {"peac", "libya", "ceasefir", "pe"}
    pattern = snippets.candidates_pattern(lexemes)
    heads = [re.compile(re.escape(h) + r"\w*") for h in snippets._heads(lexemes)]
    expected = [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
    assert snippets.candidates(text, heads, pattern) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"state": "fra"},
        {"state": "european-union"},
        {"state": "Niger", "q": "peace"},
        {"role": "member"},
        {"role": "invited", "q": "ceasefire"},
        {"on_council": "yes"},
        {"on_council": "no"},
        {"on_council": "invited", "q": "syria OR peace"},
        {"year": "2019"},
        {"year": "2020", "date_from": "2020-01-09", "date_to": "2020-01-09"},
        {"date_from": "2019-05-01"},
        {"date_to": "2019-04-23", "q": "peace"},
        {"topic": "wps"},
        {"topic": "middle east", "role": "un"},
        {"resolution": "2467", "state": "fra"},
        {"speaker": "0", "state": "fra"},
        {"state": "gbr", "on_council": "yes", "year": "2019", "q": '"sexual in nature"'},
    ],
)
def test_the_index_filters_like_postgres(archive, params):
    # The catalogue evaluates State, role, seat, dates and topic (SpeechFilterSet.split_for_index):
    # the same speeches as the FilterSet's SQL, alone or beside the filters PostgreSQL keeps.
    from django.test import RequestFactory

    from archive import search_index
    from archive.views.search import parse_search

    if params.get("speaker") == "0":
        params = {**params, "speaker": str(archive.speaker_fr.pk)}
    parsed = parse_search(RequestFactory().get(reverse("archive:search"), params))
    assert not parsed.errors
    expected = set(search.matching(parsed.filterset.qs, parsed.query).values_list("pk", flat=True))
    found = search_index.find(
        parsed.filterset.qs,
        query=parsed.query,
        has_filters=True,
        index_filters=parsed.index_filters,
        sql_filtered=parsed.sql_filtered,
    )
    assert {int(pk) for pk in found.matches.ids} == expected
    assert (parsed.sql_filtered is None) == (not {"resolution", "speaker"} & set(params))


def test_a_hit_read_as_a_row_shows_what_the_model_shows(archive):
    # Search hits are read as light rows (archive.hits), borrowing the models' URLs and
    # properties: each renders exactly as the model instance does.
    from archive.statement_fields import RELATED
    from archive.views.search_html import hit

    Speaker.objects.create(name="Ms. Cover Page", member_state=archive.uk)
    unnamed = _speech(archive.m2020, 9, "Unnamed peace.", role="member", state=archive.uk)
    unnamed.speaker = Speaker.objects.get(name="Ms. Cover Page")
    unnamed.save()
    ids = [s.pk for s in archive.speeches.values()] + [unnamed.pk]
    from archive import hits

    rows = hits.fetch(ids)
    models = search.fetch_page(ids, related=RELATED)
    assert [r.pk for r in rows] == ids
    for row, model in zip(rows, models, strict=True):
        html = hit(row, "excerpt", "en-gb")
        assert html == hit(model, "excerpt", "en-gb")
        assert row.get_absolute_url() == model.get_absolute_url()
        # The page's reverser gives the models' own URLs.
        assert f'href="{model.get_absolute_url()}"' in html
        assert f'href="{model.meeting.get_absolute_url()}#' in html
        body = model.member_state or model.affiliation
        if body is not None and 'class="body"' in html:
            assert f'href="{body.get_absolute_url()}"' in html


def test_search_forms_share_fields_without_sharing_state(client, archive):
    # The words-and-order form's fields are copied cheaply (widgets shared): one request's
    # bad value never shows in the next, and each form has its own dict of fields.
    from archive.views.search import SearchForm

    bad = client.get(reverse("archive:search"), {"q": "peace", "sort": "bogus"})
    assert bad.status_code == 400 and "Order" in bad.content.decode()
    good = client.get(reverse("archive:search"), {"q": "peace", "sort": "newest"})
    assert good.status_code == 200 and "bogus" not in good.content.decode()
    first, second = SearchForm({"q": "a"}), SearchForm({"q": "b"})
    assert first.fields is not second.fields
    assert first.fields["q"] is not second.fields["q"]
    assert first.fields["q"].widget is second.fields["q"].widget


def test_no_results_repeat_the_words_exactly(client, archive):
    # The words are quoted whole in the heading and in the "nothing found" line, whatever
    # they contain ("matching" included).
    html = client.get(reverse("archive:search"), {"q": "zzzq matching"}).content.decode()
    assert "0 statements matching “zzzq matching”</h2>" in html
    assert "No statement matches “zzzq matching”." in html
