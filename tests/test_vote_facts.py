"""What the public pages say about votes, on the real sources (issue 11, "Votes and vetoes"):
no undated vote, year filters that keep every veto, partial and impossible facts said as what
they are, sources that differ named, what is held before 1994, no placeholder or code."""

import datetime
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command

from archive.lookup import lookup
from archive.models import Resolution, Vote

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's text as a reader reads it: tags dropped, entities decoded, spaces collapsed."""
    assert response.status_code == 200, response.status_code
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(text).split())


def _vote(draft: str, outcome: str = "vetoed") -> Vote:
    return Vote.objects.get(draft_symbol=draft, outcome=outcome)


def test_every_vote_has_a_date_the_2020s_vetoes_included(reference_db):
    assert not Vote.objects.filter(date__isnull=True).exists()
    assert _vote("S/2020/654").date == datetime.date(2020, 7, 7)  # the meetings table's letter row
    assert _vote("S/2020/667").date == datetime.date(2020, 7, 10)
    assert _vote("S/2022/538").date == datetime.date(2022, 7, 8)  # the vetoes list (M/D/YYYY)
    s_2023_506 = _vote("S/2023/506")  # the votes file, its order settled by the meetings around
    assert s_2023_506.date == datetime.date(2023, 7, 11)
    assert s_2023_506.meeting_symbol == "S/PV.9371"
    assert not Resolution.objects.filter(adopted_on__isnull=True).exists()


def test_year_filters_keep_every_veto(client, reference_db):
    html = text_of(client.get("/states/rus/votes/?position=veto&year=2020"))
    assert "2 votes match these filters" in html
    assert "S/2020/654" in html and "S/2020/667" in html
    html = text_of(client.get("/votes/?outcome=vetoed&year=2020"))
    assert "3 decisions put to the vote match these filters" in html
    for draft in ("S/2020/654", "S/2020/667", "S/2020/852"):
        assert draft in html


def test_a_partial_vote_is_never_shown_as_a_result(client, reference_db):
    html = text_of(client.get("/resolutions/2781/2025/"))
    assert "6 of 15 members' votes are in the archive's sources" in html
    assert "the tally is not" in html
    assert "6 in favour" not in html
    assert "only some members' votes held" in text_of(client.get("/votes/?year=2025&topic=Sudan"))


def test_an_impossible_tally_is_said_and_the_other_source_named(client, reference_db):
    vote = _vote("S/2022/431")  # the UN table gives 13-0-2 for a veto; the votes file 13-2-0
    assert vote.tally == "13-2-0" and vote.source == "votes_file"
    html = text_of(client.get(vote.get_absolute_url()))
    assert "Another source differs" in html and "tally: 13-0-2" in html
    assert "UN Library meetings and resolutions tables" in html


def test_a_list_naming_states_not_on_the_council_is_not_shown(client, reference_db):
    vote = Resolution.objects.get(number=1027, year=1995).vote  # the file lists the 2023 Council
    assert "not_on_council" in vote.flags and not vote.member_votes.exists()
    html = text_of(client.get("/resolutions/1027/1995/"))
    assert "Switzerland" in html and "which did not sit on the Council in 1995" in html
    assert "its members' votes are not shown" in html
    assert "15 in favour, 0 against, 0 abstaining" in html  # the UN tables' tally


def test_before_1994_the_state_page_says_what_is_held(client, reference_db):
    html = text_of(client.get("/states/sun/"))
    assert "0 in favour" not in html and "0 abstaining" not in html
    assert "Per-member votes are in the archive from 1994; before that, vetoes only" in html
    html = text_of(client.get("/states/usa/"))
    assert "the counts in favour, against and abstaining are of the" in html


def test_no_placeholder_or_code_reaches_a_reader(client, reference_db):
    html = text_of(client.get("/resolutions/2520/2020/"))
    assert "Meeting --" not in html and "Voted by letter" in html and "S/2020/466" in html
    assert not Resolution.objects.filter(meeting_symbol="--").exists()
    assert not Vote.objects.filter(description__contains="Meeting as given").exists()
    html = text_of(client.get("/votes/?year=2020"))
    assert "V100" not in html and "V142" not in html and "as given by" not in html


def test_a_resolution_whose_meeting_record_is_not_held_says_so(client, reference_db):
    html = text_of(client.get("/resolutions/2467/2019/"))
    assert "S/PV.8514 · the archive does not hold this meeting's record" in html
    html = text_of(client.get("/resolutions/2781/2025/"))
    assert "S/PV.9928 · not among the archive's meetings" in html


def test_the_lookup_names_the_missing_resolution_numbers(reference_db):
    result = lookup(text="2800")
    assert not result.found
    assert result.understood == (
        "No resolution 2800; the archive holds resolutions 1–2781, except 2775, which is not in "
        "its sources"
    )


def test_check_archive_explains_every_vote_and_resolution_finding(reference_db):
    out = StringIO()
    call_command("check_archive", area=["votes", "resolutions"], stdout=out)
    report = out.getvalue()
    assert "0 unexplained" in report
    assert "votes/partial_members: 13 explained" in report
