"""A small archive built in the test database for the page, lookup and browser tests.

Real names and figures (resolution 2467 (2019) adopted 13-0-2, China and the Russian Federation
abstaining), but only the handful of rows the pages need; ``add_rows`` adds N more of each list's
rows so query counts can be compared between a small and a larger archive.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count

from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MeetingMember,
    MemberState,
    MemberVote,
    Mention,
    ProceduralLine,
    Resolution,
    Speaker,
    Speech,
    Vote,
)

STATES = [
    # iso3, iso2, name, permanent
    ("CHN", "CN", "China", True),
    ("FRA", "FR", "France", True),
    ("RUS", "RU", "Russian Federation", True),
    ("GBR", "GB", "United Kingdom of Great Britain and Northern Ireland", True),
    ("USA", "US", "United States of America", True),
    ("DEU", "DE", "Germany", False),
    ("VNM", "VN", "Viet Nam", False),
    ("EST", "EE", "Estonia", False),
    ("NER", "NE", "Niger", False),
    ("ZAF", "ZA", "South Africa", False),
    ("IDN", "ID", "Indonesia", False),
    ("BEL", "BE", "Belgium", False),
    ("DOM", "DO", "Dominican Republic", False),
    ("TUN", "TN", "Tunisia", False),
    ("VCT", "VC", "Saint Vincent and the Grenadines", False),
    ("KWT", "KW", "Kuwait", False),
    ("PER", "PE", "Peru", False),
    ("CIV", "CI", "Côte d'Ivoire", False),
    ("GNQ", "GQ", "Equatorial Guinea", False),
    ("POL", "PL", "Poland", False),
    ("MEX", "MX", "Mexico", False),
    ("CHE", "CH", "Switzerland", False),
]

ELECTED_2019 = ["DEU", "ZAF", "IDN", "BEL", "DOM", "KWT", "PER", "CIV", "GNQ", "POL"]
ELECTED_2020 = ["DEU", "ZAF", "IDN", "BEL", "DOM", "VNM", "EST", "NER", "TUN", "VCT"]

ZHANG_TEXT = (
    "China abstained in the voting on resolution 2467 (2019).\n\n"
    "We believe that the Council should respect the mandates set out in resolution 1325 (2000) "
    "and avoid overlapping with the work of other bodies, as the report S/2019/280 makes clear."
)


@dataclass
class SmallArchive:
    """Handles on the rows the tests look at."""

    states: dict[str, MemberState]
    meeting: Meeting
    resumption: Meeting
    veto_meeting: Meeting
    resolution: Resolution
    resolution_1325: Resolution
    vote: Vote
    veto: Vote
    zhang: Speech
    nebenzia: Speech
    president: Speech
    patten: Speech
    un: Affiliation


def _term(state, start, end, seat):
    return CouncilTerm(member_state=state, start_year=start, end_year=end, seat=seat)


def build_archive() -> SmallArchive:
    """Create the small archive and return handles on its main rows."""
    states = {
        iso3: MemberState.objects.create(
            name=name, iso3=iso3, iso2=iso2, region="", admission_date=datetime.date(1945, 10, 24)
        )
        for iso3, iso2, name, _ in STATES
    }
    terms = [
        _term(states[iso3], 1946, 2100, CouncilTerm.Seat.PERMANENT)
        for iso3, _, _, permanent in STATES
        if permanent
    ]
    terms += [_term(states[i], 2019, 2020, CouncilTerm.Seat.ELECTED) for i in ELECTED_2019[:5]]
    terms += [_term(states[i], 2018, 2019, CouncilTerm.Seat.ELECTED) for i in ELECTED_2019[5:]]
    terms += [_term(states[i], 2020, 2021, CouncilTerm.Seat.ELECTED) for i in ELECTED_2020[5:]]
    this_year = datetime.date.today().year
    terms.append(_term(states["MEX"], this_year, this_year + 1, CouncilTerm.Seat.ELECTED))
    CouncilTerm.objects.bulk_create(terms)

    un = Affiliation.objects.create(
        name="United Nations", short_name="UN", kind="united_nations", slug="united-nations"
    )
    wps = AgendaItem.objects.create(
        title="Women and peace and security", slug="women-and-peace-and-security"
    )
    west_africa = AgendaItem.objects.create(
        title="Peace consolidation in West Africa", slug="peace-consolidation-in-west-africa"
    )
    resolution_1325 = Resolution.objects.create(
        number=1325,
        year=2000,
        adopted_on=datetime.date(2000, 10, 31),
        agenda_item=wps,
        title="Women and peace and security",
    )

    meeting = Meeting.objects.create(
        symbol="S/PV.8514",
        meeting_number=8514,
        date=datetime.date(2019, 4, 23),
        time=datetime.time(10, 0),
        place="New York",
        agenda_item=wps,
        agenda=["Women and peace and security", "Sexual violence in conflict (S/2019/280)"],
        presidency=states["DEU"],
        president_name="Mr. Maas",
        outcome="S/RES/2467 (2019) 13-0-2",
    )
    MeetingMember.objects.bulk_create(
        MeetingMember(
            meeting=meeting,
            member_state=states[iso3],
            country_as_printed=states[iso3].name,
            representative=f"Representative of {states[iso3].name}",
            position=index,
        )
        for index, iso3 in enumerate(["CHN", "FRA", "RUS", "GBR", "USA", *ELECTED_2019], start=1)
    )
    speakers = {
        "maas": Speaker.objects.create(name="Mr. Maas", member_state=states["DEU"]),
        "patten": Speaker.objects.create(name="Ms. Patten", affiliation=un),
        "zhang": Speaker.objects.create(name="Mr. Zhang Jun", member_state=states["CHN"]),
        "nebenzia": Speaker.objects.create(name="Mr. Nebenzia", member_state=states["RUS"]),
    }
    president = Speech.objects.create(
        meeting=meeting,
        sequence=1,
        attribution="The President:",
        speaker=speakers["maas"],
        speaker_name="Mr. Maas",
        country_as_printed="Germany",
        member_state=states["DEU"],
        role="president",
        page=2,
        text="Members of the Council have before them document S/2019/328, the text of a draft "
        "resolution.\n\nI shall put the draft resolution to the vote now.",
    )
    patten = Speech.objects.create(
        meeting=meeting,
        sequence=2,
        attribution="Ms. Patten:",
        speaker=speakers["patten"],
        speaker_name="Ms. Patten",
        country_as_printed="United Nations",
        affiliation=un,
        role="un",
        page=3,
        text="Sexual violence in conflict is a <script>alert(1)</script> crime & a tactic.",
    )
    zhang = Speech.objects.create(
        meeting=meeting,
        sequence=3,
        attribution="Mr. Zhang Jun (China) (spoke in Chinese):",
        speaker=speakers["zhang"],
        speaker_name="Mr. Zhang Jun",
        country_as_printed="China",
        member_state=states["CHN"],
        role="member",
        spoke_in="Chinese",
        page=12,
        text=ZHANG_TEXT,
    )
    nebenzia = Speech.objects.create(
        meeting=meeting,
        sequence=4,
        attribution="Mr. Nebenzia (Russian Federation):",
        speaker=speakers["nebenzia"],
        speaker_name="Mr. Nebenzia",
        country_as_printed="Russian Federation",
        member_state=states["RUS"],
        role="member",
        page=14,
        text="We abstained. Resolution 2467 (2019) goes beyond the agreed language.",
    )
    ProceduralLine.objects.bulk_create(
        [
            ProceduralLine(
                meeting=meeting,
                after_speech=0,
                position=1,
                text="The meeting was called to order at 10.05 a.m.",
            ),
            ProceduralLine(
                meeting=meeting, after_speech=0, position=2, text="The agenda was adopted."
            ),
            ProceduralLine(
                meeting=meeting,
                after_speech=1,
                position=3,
                text="A vote was taken by show of hands.",
            ),
            ProceduralLine(
                meeting=meeting, after_speech=4, position=4, text="The meeting rose at 1.05 p.m."
            ),
        ]
    )
    resolution = Resolution.objects.create(
        number=2467,
        year=2019,
        adopted_on=meeting.date,
        meeting=meeting,
        agenda_item=wps,
        meeting_symbol=meeting.symbol,
        title="Women and peace and security",
        draft_symbol="S/2019/328",
        text="The Security Council,\n\nReaffirming its commitment to resolution 1325 (2000),\n\n"
        "1. Demands the complete cessation of all acts of sexual violence;",
    )
    vote = Vote.objects.create(
        meeting=meeting,
        date=meeting.date,
        draft_symbol="S/2019/328",
        resolution=resolution,
        outcome=Vote.Outcome.ADOPTED,
        in_favour_count=13,
        against_count=0,
        abstaining_count=2,
        after_speech=1,
        position=1,
    )
    MemberVote.objects.bulk_create(
        MemberVote(
            vote=vote,
            member_state=states[iso3],
            position="abstaining" if iso3 in {"CHN", "RUS"} else "in_favour",
        )
        for iso3 in ["CHN", "FRA", "RUS", "GBR", "USA", *ELECTED_2019]
    )
    Mention.objects.bulk_create(
        [
            Mention(speech=president, kind="document", symbol="S/2019/328"),
            Mention(
                speech=zhang, kind="resolution", symbol="S/RES/2467 (2019)", resolution=resolution
            ),
            Mention(
                speech=zhang,
                kind="resolution",
                symbol="S/RES/1325 (2000)",
                resolution=resolution_1325,
            ),
            Mention(speech=zhang, kind="document", symbol="S/2019/280"),
            Mention(
                speech=nebenzia,
                kind="resolution",
                symbol="S/RES/2467 (2019)",
                resolution=resolution,
            ),
        ]
    )
    Meeting.objects.filter(pk=meeting.pk).update(speech_count=4)

    first_2020 = Meeting.objects.create(
        symbol="S/PV.8699",
        meeting_number=8699,
        date=datetime.date(2020, 1, 9),
        agenda_item=west_africa,
        presidency=states["VNM"],
    )
    resumption = Meeting.objects.create(
        symbol="S/PV.8699 (Resumption 1)",
        meeting_number=8699,
        resumption=1,
        date=datetime.date(2020, 1, 10),
        agenda_item=west_africa,
        presidency=states["VNM"],
    )
    Speech.objects.create(
        meeting=resumption,
        sequence=1,
        attribution="Mr. Zhang Jun (China):",
        speaker=speakers["zhang"],
        speaker_name="Mr. Zhang Jun",
        country_as_printed="China",
        member_state=states["CHN"],
        role="member",
        page=5,
        text="China supports the work of the Office in West Africa.",
    )
    Meeting.objects.filter(pk=resumption.pk).update(speech_count=1)
    del first_2020

    veto_meeting = Meeting.objects.create(
        symbol="S/PV.8697",
        meeting_number=8697,
        date=datetime.date(2019, 12, 20),
        agenda_item=AgendaItem.objects.create(
            title="The situation in the Middle East", slug="the-situation-in-the-middle-east"
        ),
    )
    veto = Vote.objects.create(
        meeting=veto_meeting,
        date=veto_meeting.date,
        draft_symbol="S/2019/961",
        outcome=Vote.Outcome.VETOED,
        in_favour_count=13,
        against_count=2,
        abstaining_count=0,
        position=1,
    )
    MemberVote.objects.bulk_create(
        [
            MemberVote(vote=veto, member_state=states["CHN"], position="against", is_veto=True),
            MemberVote(vote=veto, member_state=states["RUS"], position="against", is_veto=True),
            MemberVote(vote=veto, member_state=states["FRA"], position="in_favour"),
        ]
    )
    return SmallArchive(
        states=states,
        meeting=Meeting.objects.get(pk=meeting.pk),
        resumption=Meeting.objects.get(pk=resumption.pk),
        veto_meeting=veto_meeting,
        resolution=resolution,
        resolution_1325=resolution_1325,
        vote=vote,
        veto=veto,
        zhang=zhang,
        nebenzia=nebenzia,
        president=president,
        patten=patten,
        un=un,
    )


def add_rows(archive: SmallArchive, count: int) -> None:
    """Add ``count`` meetings (each with a speech by China citing 2467, a resolution and a
    vote with member votes) so every list and detail page has more rows of each kind."""
    china, russia, france = (archive.states[i] for i in ("CHN", "RUS", "FRA"))
    zhang = archive.zhang.speaker
    start = Meeting.objects.filter(meeting_number__gte=7000, meeting_number__lt=8000).count()
    for index in range(start, start + count):
        number = 7000 + index
        date = datetime.date(2010 + index % 10, 1 + index % 12, 1 + index % 28)
        meeting = Meeting.objects.create(
            symbol=f"S/PV.{number}",
            meeting_number=number,
            date=date,
            agenda_item=archive.meeting.agenda_item,
            presidency=france,
            speech_count=2,
        )
        for sequence, (state, speaker) in enumerate([(china, zhang), (russia, None)], start=1):
            speech = Speech.objects.create(
                meeting=meeting,
                sequence=sequence,
                attribution="Speaker:",
                speaker=speaker,
                speaker_name="Mr. Zhang Jun" if speaker else "Mr. Other",
                country_as_printed=state.name,
                member_state=state,
                role="member",
                page=sequence,
                text=f"Statement {index} on resolution 2467 (2019) and S/2019/280.",
            )
            Mention.objects.create(
                speech=speech,
                kind="resolution",
                symbol="S/RES/2467 (2019)",
                resolution=archive.resolution,
            )
            Mention.objects.create(speech=speech, kind="document", symbol="S/2019/280")
            Mention.objects.create(
                speech=speech,
                kind="resolution",
                symbol="S/RES/1325 (2000)",
                resolution=archive.resolution_1325,
            )
        ProceduralLine.objects.create(
            meeting=meeting, after_speech=1, position=1, text="The meeting rose."
        )
        resolution = Resolution.objects.create(
            number=100 + index,
            year=date.year,
            adopted_on=date,
            meeting=meeting,
            title=f"Resolution {index}",
        )
        vote = Vote.objects.create(
            meeting=meeting,
            date=date,
            resolution=resolution,
            outcome=Vote.Outcome.ADOPTED,
            in_favour_count=15,
            against_count=0,
            abstaining_count=0,
            after_speech=1,
            position=1,
        )
        MemberVote.objects.bulk_create(
            MemberVote(vote=vote, member_state=state, position="in_favour")
            for state in (china, russia, france)
        )
    # A busy meeting for the meeting page: more speeches and votes on one record.
    busy = archive.meeting
    last = busy.speeches.count()
    for extra in range(count):
        speech = Speech.objects.create(
            meeting=busy,
            sequence=last + 1 + extra,
            attribution="Mr. Zhang Jun (China):",
            speaker=zhang,
            speaker_name="Mr. Zhang Jun",
            country_as_printed="China",
            member_state=china,
            role="member",
            page=20 + extra,
            text="Further remarks on resolution 2467 (2019).",
        )
        Mention.objects.create(
            speech=speech,
            kind="resolution",
            symbol="S/RES/2467 (2019)",
            resolution=archive.resolution,
        )
        ProceduralLine.objects.create(
            meeting=busy,
            after_speech=speech.sequence,
            position=100 + speech.sequence,
            text="Procedure.",
        )
    total = busy.speeches.aggregate(n=Count("id"))["n"]
    Meeting.objects.filter(pk=busy.pk).update(speech_count=total)
