"""The public pages: content, filters, exports, feeds, bad input, and query counts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.templatetags.archive_tags import bar_chart, marked_excerpt, resolution_pattern
from tests.pages_data import add_rows, build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    return build_archive()


def text_of(response) -> str:
    return response.content.decode()


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


# --------------------------------------------------------------------------- home & meetings


def test_home_shows_counts_box_and_latest_records(client, archive):
    response = client.get(reverse("archive:home"))
    html = text_of(response)
    assert response.status_code == 200
    assert 'action="/go/"' in html
    assert '<label for="q">' in html
    assert "S/PV.8699 (Resumption 1)" in html  # latest meeting with a record
    assert "S/PV.8697" not in html  # no record held: not among the latest records
    assert "<strong>2</strong> resolutions" in html


def test_meeting_page_has_whole_record_in_order(client, archive):
    response = client.get(archive.meeting.get_absolute_url())
    html = text_of(response)
    assert response.status_code == 200
    order = [
        "The meeting was called to order",
        'id="speech-1"',
        "A vote was taken by show of hands.",
        'id="vote-',
        'id="speech-2"',
        'id="speech-3"',
        'id="speech-4"',
        "The meeting rose at 1.05 p.m.",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # Cover page: presidency, members with representatives, agenda with the document symbol.
    assert "Representative of China" in html
    assert "Sexual violence in conflict (S/2019/280)" in html
    # Votes: each member's position, the resolution linked.
    assert 'href="/resolutions/2467/2019/"' in html
    assert "Abstaining" in html
    # Mentions linked inside the text, speech text escaped.
    assert '<a href="/resolutions/2467/2019/">2467 (2019)</a>' in html
    assert '<a href="/documents/S/2019/280/">S/2019/280</a>' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; crime &amp; a tactic" in html
    assert "https://undocs.org/S/PV.8514" in html
    assert f'href="/speeches/{archive.zhang.pk}/"' in html


def test_meeting_page_for_a_resumption_and_canonical_slug(client, archive):
    response = client.get("/meetings/S-PV.8699-Resumption-1/")
    assert response.status_code == 200
    assert "S/PV.8699 (Resumption 1)" in text_of(response)
    redirect = client.get("/meetings/s-pv.8699-resumption-1/")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/meetings/S-PV.8699-Resumption-1/"


def test_unknown_meeting_is_a_clear_404(client, archive):
    response = client.get("/meetings/S-PV.99999/")
    assert response.status_code == 404
    assert "The archive has no meeting S/PV.99999." in text_of(response)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("year=2019", ["S/PV.8514", "S/PV.8697"], ["S/PV.8699 (Resumption 1)"]),
        ("outcome=veto", ["S/PV.8697"], ["S/PV.8514"]),
        ("outcome=resolution", ["S/PV.8514"], ["S/PV.8697"]),
        ("outcome=no_vote", ["S/PV.8699 (Resumption 1)"], ["S/PV.8514", "S/PV.8697"]),
        ("with_record=on", ["S/PV.8514", "S/PV.8699 (Resumption 1)"], ["S/PV.8697"]),
        ("topic=west+africa", ["S/PV.8699 (Resumption 1)"], ["S/PV.8514"]),
        ("date_from=2019-12-01&date_to=2019-12-31", ["S/PV.8697"], ["S/PV.8514"]),
    ],
)
def test_meeting_list_filters(client, archive, query, shown, hidden):
    response = client.get(f"/meetings/?{query}")
    html = text_of(response)
    assert response.status_code == 200
    for symbol in shown:
        assert f">{symbol}</a>" in html
    for symbol in hidden:
        assert f">{symbol}</a>" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "Year: Enter a whole number."),
        ("outcome=maybe", "Select a valid choice. maybe is not one of the available choices."),
        ("date_from=yesterday", "Enter a valid date."),
    ],
)
def test_bad_filter_values_are_explained_not_a_500(client, archive, query, message):
    response = client.get(f"/meetings/?{query}")
    assert response.status_code == 200
    assert "Some filters were not understood and were ignored" in text_of(response)
    assert message in text_of(response)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/meetings/?page=99", "Page 99 does not exist: this list has 1 page."),
        ("/meetings/?page=abc", "is not a page number"),
        ("/resolutions/?page=0", "is not a page number"),
        ("/meetings/?format=xml", "downloads are available as csv or json"),
        ("/states/zzz/", "no Member State with the code"),
        ("/states/china/", "no Member State with the code"),
        ("/resolutions/9999/2019/", "Not found"),
        ("/speeches/999999/", "Not found"),
        ("/documents/not-a-symbol/", "is not a UN document symbol"),
        ("/no/such/page/", "There is no page at"),
    ],
)
def test_bad_urls_get_a_clear_404_page(client, archive, url, message):
    response = client.get(url)
    assert response.status_code == 404
    assert message in text_of(response)
    assert '<main id="main"' in text_of(response)


def test_meeting_list_csv_and_json_have_the_filtered_rows(client, archive):
    response = client.get("/meetings/?year=2019&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    assert sorted(r["symbol"] for r in rows) == ["S/PV.8514", "S/PV.8697"]
    assert rows[0]["url"].startswith("http://testserver/meetings/")
    data = json.loads(streamed(client.get("/meetings/?year=2019&format=json")))
    assert sorted(r["symbol"] for r in data["rows"]) == ["S/PV.8514", "S/PV.8697"]
    assert data["meta"]["filters"] == {"year": "2019"}


def test_meeting_feed_is_atom(client, archive):
    response = client.get("/meetings/feed/?with_record=on")
    body = text_of(response)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "S/PV.8514" in body and "S/PV.8697" not in body


# --------------------------------------------------------------------------- speeches & speakers


def test_speech_permalink_has_citation_neighbours_and_vote(client, archive):
    response = client.get(archive.zhang.get_absolute_url())
    html = text_of(response)
    assert response.status_code == 200
    assert "Mr. Zhang Jun (China), S/PV.8514, 23 April 2019, p. 12." in html
    assert 'data-copy-target="citation"' in html
    assert f'href="/speeches/{archive.patten.pk}/" rel="prev"' in html
    assert f'href="/speeches/{archive.nebenzia.pk}/" rel="next"' in html
    assert 'href="/meetings/S-PV.8514/#speech-3"' in html
    assert "Abstaining" in html  # China's vote at this meeting
    assert "<script" not in html.replace('<script src="/static/archive/archive.js" defer>', "")


def test_speaker_page_lists_speeches_and_exports(client, archive):
    speaker = archive.zhang.speaker
    response = client.get(speaker.get_absolute_url())
    html = text_of(response)
    assert "Spoke for" in html and ">China</a>" in html
    assert "2 statements" in html
    assert "23 April 2019" in html and "10 January 2020" in html
    rows = list(
        csv.DictReader(
            io.StringIO(streamed(client.get(f"{speaker.get_absolute_url()}?format=csv")))
        )
    )
    assert [r["meeting"] for r in rows] == ["S/PV.8514", "S/PV.8699 (Resumption 1)"]


# --------------------------------------------------------------------------- States


def test_state_list_marks_permanent_and_current_members(client, archive):
    html = text_of(client.get("/states/"))
    assert "badge-permanent" in html
    row = re.search(r'<tr class="current-member">\s*<th scope="row"><a href="/states/mex/">', html)
    assert row, "this year's elected member is highlighted"
    assert '<a href="/states/est/">Estonia</a>' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("council=permanent", ["China"], ["Estonia"]),
        ("council=never", ["Switzerland"], ["China", "Estonia"]),
        ("name=viet", ["Viet Nam"], ["China"]),
    ],
)
def test_state_list_filters(client, archive, query, shown, hidden):
    html = text_of(client.get(f"/states/?{query}"))
    for name in shown:
        assert f">{name}</a>" in html
    for name in hidden:
        assert f">{name}</a>" not in html


def test_state_page_terms_chart_votes_statements(client, archive):
    response = client.get("/states/chn/")
    html = text_of(response)
    assert response.status_code == 200
    assert "Permanent member" in html
    assert '<svg class="chart"' in html
    assert "<title>2019: 1 statement</title>" in html
    assert "<title>2020: 1 statement</title>" in html
    assert re.search(r"<strong>1</strong> abstaining", html)
    assert re.search(r"<strong>1</strong> veto", html)
    assert "Draft <a" in html and "S/2019/961" in html
    assert 'href="/states/chn/statements/"' in html
    assert client.get("/states/CHN/")["Location"] == "/states/chn/"


def test_state_statements_are_searchable_and_exported(client, archive):
    html = text_of(client.get("/states/chn/statements/?q=abstained"))
    assert "China abstained in the voting" in html
    assert "West Africa" not in html.split('<ol class="statements">')[1]
    rows = list(
        csv.DictReader(
            io.StringIO(streamed(client.get("/states/chn/statements/?q=abstained&format=csv")))
        )
    )
    assert len(rows) == 1
    assert rows[0]["citation"] == "Mr. Zhang Jun (China), S/PV.8514, 23 April 2019, p. 12."
    feed = client.get("/states/chn/statements/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Statements by China" in text_of(feed)


def test_state_votes_filter_vetoes(client, archive):
    html = text_of(client.get("/states/rus/votes/?position=veto"))
    assert "S/2019/961" in html
    assert "Resolution 2467 (2019)" not in html
    data = json.loads(streamed(client.get("/states/rus/votes/?format=json")))
    assert {r["position"] for r in data["rows"]} == {"abstaining", "against"}


def test_affiliation_page(client, archive):
    html = text_of(client.get("/affiliations/united-nations/"))
    assert "Ms. Patten" in html
    assert "&lt;script&gt;" in html


# --------------------------------------------------------------------------- resolutions & votes


def test_resolution_page_puts_statements_beside_votes(client, archive):
    response = client.get("/resolutions/2467/2019/")
    html = text_of(response)
    assert response.status_code == 200
    assert "13 in favour, 0 against, 2 abstaining" in html
    # China's row: its vote, then its explanation made after the vote.
    china_row = re.search(r'<a href="/states/chn/">China</a></th>(.*?)</tr>', html, re.S).group(1)
    assert "Abstaining" in china_row
    assert "after the vote" in china_row
    assert "China abstained in the voting" in china_row
    france_row = re.search(r'<a href="/states/fra/">France</a></th>(.*?)</tr>', html, re.S).group(1)
    assert "No statement" in france_row
    # Citations with the resolution marked, text escaped first.
    assert "<mark>2467 (2019)</mark>" in html
    assert "Demands the complete cessation" in html
    assert "Ms. Patten" in html  # a non-member speaker at the meeting


def test_resolution_citations_export_and_feed(client, archive):
    rows = list(
        csv.DictReader(io.StringIO(streamed(client.get("/resolutions/2467/2019/?format=csv"))))
    )
    assert [r["speaker"] for r in rows] == ["Mr. Zhang Jun", "Mr. Nebenzia"]
    feed = text_of(client.get("/resolutions/2467/2019/citations/feed/"))
    assert "Speeches citing resolution 2467 (2019)" in feed
    assert feed.count("<entry>") == 2


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("outcome=abstentions", ["2467 (2019)"], []),
        ("outcome=unanimous", [], ["2467 (2019)"]),
        ("year=2000", ["1325 (2000)"], ["2467 (2019)"]),
        ("topic=women", ["1325 (2000)", "2467 (2019)"], []),
    ],
)
def test_resolution_list_filters(client, archive, query, shown, hidden):
    html = text_of(client.get(f"/resolutions/?{query}"))
    for label in shown:
        assert f">{label}</a>" in html
    for label in hidden:
        assert f">{label}</a>" not in html


def test_vote_list_shows_vetoed_drafts(client, archive):
    html = text_of(client.get("/votes/?outcome=vetoed"))
    assert "S/2019/961" in html
    assert '<a href="/states/chn/">China</a>, <a href="/states/rus/">Russian Federation</a>' in html
    assert "Resolution 2467" not in html
    rows = list(
        csv.DictReader(io.StringIO(streamed(client.get("/votes/?vetoed_by=rus&format=csv"))))
    )
    assert [r["vetoed_by"] for r in rows] == ["CHN; RUS"]


def test_document_page_lists_citing_speeches(client, archive):
    html = text_of(client.get("/documents/S/2019/280/"))
    assert "Mr. Zhang Jun" in html
    assert "<mark>S/2019/280</mark>" in html
    draft = text_of(client.get("/documents/S/2019/328/"))
    assert "Put to the vote" in draft and "resolution 2467 (2019)" in draft
    assert client.get("/documents/s/2019/280/")["Location"] == "/documents/S/2019/280/"


# --------------------------------------------------------------------------- helpers


def test_marked_excerpt_escapes_before_marking():
    html = marked_excerpt("<b>bold</b> cites 2467 (2019) & more", resolution_pattern(2467, 2019))
    assert html == "&lt;b&gt;bold&lt;/b&gt; cites <mark>2467 (2019)</mark> &amp; more"


def test_bar_chart_fills_empty_years():
    svg = str(bar_chart([(2018, 4), (2020, 2)], title="Statements <per> year"))
    assert svg.count("<rect") == 3
    assert "<title>2019: 0 statements</title>" in svg
    assert 'aria-label="Statements &lt;per&gt; year"' in svg


# --------------------------------------------------------------------------- query counts

PAGES = [
    "/",
    "/meetings/",
    "/meetings/?with_record=on&year=2019",
    "/meetings/S-PV.8514/",
    "/speeches/{zhang}/",
    "/speakers/{speaker}/",
    "/states/",
    "/states/chn/",
    "/states/chn/statements/",
    "/states/chn/votes/",
    "/affiliations/",
    "/affiliations/united-nations/",
    "/resolutions/",
    "/resolutions/2467/2019/",
    "/votes/",
    "/documents/S/2019/280/",
    "/go/?q=9999",
]
EXPORTS = [
    "/meetings/?format=csv",
    "/states/?format=json",
    "/states/chn/statements/?format=csv",
    "/states/chn/votes/?format=csv",
    "/resolutions/?format=json",
    "/resolutions/2467/2019/?format=csv",
    "/votes/?format=csv",
    "/speakers/{speaker}/?format=json",
]


def count_queries(client, url: str) -> int:
    # Values kept per archive version (topics, holdings, suggestions) are built by a worker's
    # first request, then never again: warm them, then count what every request costs.
    warm = client.get(url)
    if hasattr(warm, "streaming_content"):
        b"".join(warm.streaming_content)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code in (200, 404), url
    # The caching middleware's validator read is cached per process: not the page's cost.
    return sum(
        1
        for q in context.captured_queries
        if "archive_archivestate" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    )


@pytest.mark.parametrize("template", PAGES + EXPORTS)
def test_query_count_does_not_grow_with_rows(client, archive, template):
    url = template.format(zhang=archive.zhang.pk, speaker=archive.zhang.speaker_id)
    add_rows(archive, 3)
    small = count_queries(client, url)
    add_rows(archive, 27)
    large = count_queries(client, url)
    assert small == large, f"{url}: {small} queries with few rows, {large} with more"
    # As above, without the validator read: it happens whenever the per-process cache of the
    # archive's version expires, which a slow shared machine reaches mid-test. 14: a State's
    # page reads its latest votes and statements in two steps each (their ids, then the rows by
    # id: archive.page_rows.fetch_page), which is cheaper than one join.
    assert count_queries(client, url) <= 14, url
