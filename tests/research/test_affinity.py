"""Voting affinity, checked by hand against the rows of the votes file."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

import pytest

from archive.models import MemberState
from archive.research import affinity
from tests.pages_data import build_archive

pytestmark = pytest.mark.django_db

VOTES_FILE = "unsc-votes-1994-2025-votingagent/sc_votes_by_member_1994_2025.csv"
TERMS_FILE = "unsc-membership/sc_terms_1946-2026.csv"
# The file's names for the two States of each pair checked.
PAIRS = [
    ("CHN", "China", "RUS", "Russian Federation", 2019),
    ("USA", "United States", "RUS", "Russian Federation", 2019),
    ("GBR", "United Kingdom", "FRA", "France", 2017),
]


def skipped_events(results) -> set[str]:
    """Events the loader reported and did not load (no resolution number on an adoption)."""
    return {
        match[1]
        for result in results
        for problem in result.problems
        if problem.kind == "missing_resolution_number"
        for match in [re.search(r"event (\d+)", problem.message)]
        if match
    }


def by_hand(data_dir, results, first: str, second: str, year: int) -> tuple[int, int]:
    """(shared, same) from the file's rows: the votes of ``year`` both cast a position on."""
    events: dict[str, dict[str, str]] = defaultdict(dict)
    with open(data_dir / VOTES_FILE, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Year"] == str(year):
                events[row["ID"]][row["Member State"]] = row["Vote"]
    skipped = skipped_events(results)
    shared = same = 0
    for event, votes in events.items():
        if event in skipped or first not in votes or second not in votes:
            continue
        shared += 1
        same += votes[first] == votes[second]
    return shared, same


# The membership file's names for the States the archive names otherwise.
NAMES_IN_FILE = {
    "United States": "United States of America",
    "United Kingdom": "United Kingdom of Great Britain and Northern Ireland",
    "Czechia": "Czech Republic",
    "Türkiye": "Turkey",
}


def seated_in_file(data_dir, year: int) -> set[str]:
    with open(data_dir / TERMS_FILE, encoding="utf-8") as handle:
        return {
            row["country"]
            for row in csv.DictReader(handle)
            if int(row["start_year"]) <= year <= int(row["end_year"])
        }


@pytest.mark.parametrize("a, a_name, b, b_name, year", PAIRS)
def test_agreement_is_what_the_votes_file_says(
    client, reference_db, data_dir, a, a_name, b, b_name, year
):
    shared, same = by_hand(data_dir, reference_db, a_name, b_name, year)
    assert shared > 40
    state_a, state_b = MemberState.objects.get(iso3=a), MemberState.objects.get(iso3=b)
    result = affinity.matrix(affinity.Span(year, year))
    pair = result.between(state_a.pk, state_b.pk)
    assert (pair.shared, pair.same, pair.left_out) == (shared, same, 0)
    # The page's download and the votes behind the figure say the same.
    response = client.get(f"/affinity/?year={year}&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in rows if {r["iso3_a"], r["iso3_b"]} == {a, b})
    assert (int(row["shared_votes"]), int(row["same_votes"])) == (shared, same)
    assert float(row["agreement_percent"]) == pytest.approx(100 * same / shared)
    html = client.get(f"/affinity/{a.lower()}/?with={b.lower()}&year={year}").content.decode()
    assert f"The same vote on <strong>{same} of {shared}</strong>" in html
    assert html.count('class="same-yes"') == same
    assert html.count('class="same-no"') == shared - same


def test_the_year_of_the_check_has_no_impossible_roll_call(reference_db, data_dir):
    """2019's roll calls name only States with a seat (the membership file, read apart)."""
    seated = seated_in_file(data_dir, 2019)
    with open(data_dir / VOTES_FILE, encoding="utf-8") as handle:
        names = {row["Member State"] for row in csv.DictReader(handle) if row["Year"] == "2019"}
    assert {NAMES_IN_FILE.get(n, n) for n in names} <= seated
    calls = affinity.roll_calls()
    assert not [v for v, y in {**calls.unseated, **calls.partial}.items() if y == 2019]


def test_roll_calls_naming_states_without_a_seat_are_left_out(client, reference_db, data_dir):
    calls = affinity.roll_calls()
    # In 1995 the votes file gives many resolutions the roll call of another year's Council:
    # the votes are flagged and left out, never counted with those positions.
    left_out = [v for v, y in {**calls.unseated, **calls.partial}.items() if y == 1995]
    assert len(left_out) > 40
    html = client.get("/affinity/?year=1995").content.decode()
    assert "left out" in html and "without a seat" in html
    # Every vote counted names only States seated that year (the membership file, read apart).
    for year in (1995, 2019):
        seated = seated_in_file(data_dir, year)
        votes = [v for v, y in calls.years.items() if y == year]
        names = set(
            MemberState.objects.filter(member_votes__vote_id__in=votes).values_list(
                "name", flat=True
            )
        )
        names = {NAMES_IN_FILE.get(name, name) for name in names}
        assert len(names) == 15 and names <= seated, (year, names - seated)


def test_matrix_page_is_an_accessible_heatmap(client, reference_db):
    response = client.get("/affinity/?year=2019")
    html = response.content.decode()
    svg = re.search(r'<svg class="heatmap".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert svg.count('class="row-label"') == 15
    assert re.search(r'<a href="/affinity/chn/\?with=rus&amp;year=2019" tabindex="-1">', svg)
    assert "What “voted the same” means" in html and "did not participate" in html
    assert 'style="' not in html


def test_before_1994_only_vetoes(client, reference_db):
    html = client.get("/affinity/?year=1990").content.decode()
    assert "Votes before 1994 are vetoes only" in html
    assert "Vetoed by" in html and "S/21326" in html and 'href="/states/usa/"' in html
    assert "heatmap" not in html.split("</header>")[1].split("<footer")[0].replace(
        "heat-legend", ""
    )


def test_state_page_most_and_least_like(client, reference_db):
    html = client.get("/states/deu/").content.decode()
    section = html.split('id="affinity-title"')[1].split("</section>")[0]
    assert "Term 2019–2020" in section and "Most like" in section and "Least like" in section
    assert re.search(r'href="/affinity/deu/\?with=[a-z]{3}&amp;from=2019&amp;to=2020"', section)
    germany = MemberState.objects.get(iso3="DEU")
    terms = list(germany.council_terms.all())
    term = next(t for t in affinity.state_affinity(germany, terms) if t.span.start == 2019)
    best = term.most_like(1)[0]
    other = MemberState.objects.get(pk=best.other(germany.pk))
    assert f"{other.name}</a>: <a" in section
    assert f"same vote on {best.same} of {best.shared}" in section


def test_early_members_say_vetoes_only(client, reference_db):
    # Finland sat on the Council only before 1994 (1953-1954, 1969-1970, 1989-1990).
    state = MemberState.objects.get(iso3="FIN")
    html = client.get(state.get_absolute_url()).content.decode()
    section = html.split('id="affinity-title"')[1].split("</section>")[0]
    assert "vetoes only" in section


def test_thin_data_is_marked_and_never_ranked(client):
    build_archive()  # a handful of real 2019-2020 votes: every pair shares one or two
    html = client.get("/affinity/?year=2019").content.decode()
    assert "fewer than 10 votes" in html and "thin data" in html
    assert re.search(r'class="cell-text thin"[^>]*>\d+\*<', html)
    china = MemberState.objects.get(iso3="CHN")
    terms = list(china.council_terms.all())
    results = affinity.state_affinity(china, terms)
    assert all(not r.most_like() and r.thin for r in results)
    page = client.get("/states/chn/").content.decode()
    assert "shared fewer than 10 votes" in page


@pytest.mark.parametrize(
    "url, message",
    [
        ("/affinity/?year=abc", "is not a year"),
        ("/affinity/?from=2020&to=2010", "is after"),
        ("/affinity/?year=1800", "is not a year"),
    ],
)
def test_bad_years(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and message in response.content.decode()


def test_pair_of_one_state_is_refused(client):
    build_archive()
    assert client.get("/affinity/chn/?with=chn&year=2019").status_code == 404
    assert client.get("/affinity/chn/?with=xyz&year=2019").status_code == 404


def test_a_states_row_of_the_matrix(client, reference_db):
    html = client.get("/affinity/deu/?from=2019&to=2020").content.decode()
    rows = re.findall(r'<a href="/affinity/deu/\?with=([a-z]{3})&amp;from=2019&amp;to=2020">', html)
    assert len(rows) >= 14 and "deu" not in rows
    # Without years: its last term with roll calls.
    assert (
        "How Germany voted with each member, 2020" in client.get("/affinity/deu/").content.decode()
    )
    missing = client.get("/affinity/fin/")
    assert missing.status_code == 404 and "held no seat" in missing.content.decode()
