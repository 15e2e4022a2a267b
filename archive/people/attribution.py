"""After an import: names from the cover page, a person per new spelling, merge proposals.

``after_import(meeting_ids=...)`` is what the transcript import and the corpus import call, in
their own transaction, once their speeches are written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from archive.models import Meeting, MeetingMember, Speaker, Speech
from archive.people.folding import fold_name
from archive.people.labels import PLACEHOLDER_NAMES, is_placeholder
from archive.people.persons import ensure_persons
from archive.people.proposals import propose_merges


@dataclass
class PeopleReport:
    """What ``after_import`` did."""

    from_cover_page: int = 0
    new_persons: int = 0
    new_proposals: int = 0


def names_one_person(name: str) -> bool:
    """Whether a cover-page entry names exactly one person ("Mr. Pham Binh Minh/Mr. Dang" names
    two: the minister who presided, then the ambassador)."""
    name = " ".join((name or "").split())
    return bool(name) and not is_placeholder(name) and "/" not in name and " and " not in name


def cover_page_names(meeting_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """(meeting, State) -> the one representative the cover page names for that State."""
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    members = MeetingMember.objects.filter(
        meeting_id__in=meeting_ids, member_state__isnull=False
    ).values_list("meeting_id", "member_state_id", "representative")
    for meeting_id, state_id, representative in members:
        found[(meeting_id, state_id)].add(" ".join(representative.split()))
    presidents = Meeting.objects.filter(pk__in=meeting_ids, presidency__isnull=False).values_list(
        "pk", "presidency_id", "president_name"
    )
    for meeting_id, state_id, name in presidents:
        found[(meeting_id, state_id)].add(" ".join(name.split()))
    return {
        key: next(iter(names))
        for key, names in found.items()
        if len(names) == 1 and names_one_person(next(iter(names)))
    }


def attribute_from_cover_page(meeting_ids: Iterable[int]) -> int:
    """Link statements the source leaves unnamed to the State's representative on the cover
    page, where it names exactly one; the printed name stays as it is (empty)."""
    meeting_ids = list(meeting_ids)
    unnamed = list(
        Speech.objects.filter(
            meeting_id__in=meeting_ids, speaker__isnull=True, member_state__isnull=False
        )
        .filter(speaker_name__iregex=_placeholder_regex())
        .only("pk", "meeting_id", "member_state_id")
    )
    if not unnamed:
        return 0
    names = cover_page_names({s.meeting_id for s in unnamed})
    wanted = {
        (names[(s.meeting_id, s.member_state_id)], s.member_state_id)
        for s in unnamed
        if (s.meeting_id, s.member_state_id) in names
    }
    speakers = _speakers(wanted)
    linked = []
    for speech in unnamed:
        name = names.get((speech.meeting_id, speech.member_state_id))
        if name:
            speech.speaker = speakers[(name, speech.member_state_id)]
            linked.append(speech)
    Speech.objects.bulk_update(linked, ["speaker"], batch_size=500)
    return len(linked)


def _placeholder_regex() -> str:
    return r"^\s*(" + "|".join(n.replace("/", "\\/") for n in PLACEHOLDER_NAMES if n) + r")?\s*$"


def _speakers(wanted: set[tuple[str, int]]) -> dict[tuple[str, int], Speaker]:
    found = {}
    for name, state_id in wanted:
        speaker, _ = Speaker.objects.get_or_create(
            name=name[:200],
            member_state_id=state_id,
            affiliation=None,
            defaults={"folded_name": fold_name(name)[:200]},
        )
        found[(name, state_id)] = speaker
    return found


def after_import(*, meeting_ids: Iterable[int] | None, propose: bool = True) -> PeopleReport:
    """Cover-page names for ``meeting_ids``, a person per new spelling, merge proposals for the
    new persons. Run inside the import's transaction."""
    report = PeopleReport()
    if meeting_ids is not None:
        report.from_cover_page = attribute_from_cover_page(meeting_ids)
    new = ensure_persons()
    report.new_persons = len(new)
    if propose and new:
        report.new_proposals = propose_merges(involving=new)
    return report
