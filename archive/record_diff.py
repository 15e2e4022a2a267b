"""What replacing a meeting's record would change: statements, votes, mentions, the cover page.

Read-only. The statements are paired exactly as the replace path pairs them
(``archive.importing.match_speeches``), so "unchanged" here means "keeps its permalink and its
content" there, and "changed" means "keeps its permalink, with new content".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from archive.importing import (
    ResolvedNames,
    match_speeches,
    mention_items,
    speech_rows,
)
from archive.models import Meeting, MemberVote, Mention, Speech, Vote
from archive.record_votes import VOTE_LISTS as _VOTE_LISTS
from archive.record_votes import vote_outcome as _vote_outcome
from archive.record_votes import vote_subject as _vote_subject

# Speech fields compared, with the words the preview uses for them.
SPEECH_FIELDS = {
    "sequence": "position",
    "attribution": "attribution",
    "speaker_name": "speaker",
    "country_as_printed": "State or body as printed",
    "member_state_id": "State",
    "affiliation_id": "body",
    "role": "role",
    "spoke_in": "language",
    "on_behalf_of": "on behalf of",
    "page": "page",
    "text": "text",
}
POSITION_WORDS = dict(MemberVote.Position.choices)


@dataclass
class SpeechChange:
    """A statement that keeps its permalink but whose content would change."""

    old: Speech
    new: Speech
    fields: list[str]


@dataclass
class RecordDiff:
    """The differences between a meeting held and a parse of its record."""

    meeting: Meeting
    added: list[Speech] = field(default_factory=list)
    removed: list[Speech] = field(default_factory=list)
    changed: list[SpeechChange] = field(default_factory=list)
    unchanged: int = 0
    votes: list[str] = field(default_factory=list)
    mentions_added: list[tuple[int, str]] = field(default_factory=list)
    mentions_removed: list[tuple[int, str]] = field(default_factory=list)
    cover: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing would change."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.votes
            or self.mentions_added
            or self.mentions_removed
            or self.cover
        )

    def summary(self) -> str:
        """One line: "2 statements changed, 1 added, 0 removed; 1 vote differs; ..."."""
        from archive.wording import plural

        if self.is_empty:
            return "Nothing would change."
        parts = [
            f"{plural(len(self.changed), 'statement')} changed, {len(self.added)} added, "
            f"{len(self.removed)} removed ({self.unchanged} unchanged)"
        ]
        if self.votes:
            parts.append(f"{plural(len(self.votes), 'vote difference')}")
        if self.mentions_added or self.mentions_removed:
            parts.append(
                f"mentions: {len(self.mentions_added)} added, {len(self.mentions_removed)} removed"
            )
        if self.cover:
            parts.append(f"cover page: {', '.join(label for label, _, _ in self.cover)}")
        return "; ".join(parts) + "."


def compare(meeting: Meeting, parsed, names: ResolvedNames) -> RecordDiff:
    """Compare the meeting held with what importing ``parsed`` (resolved as ``names``) writes."""
    diff = RecordDiff(meeting=meeting)
    _compare_cover(diff, meeting, parsed, names)
    old = list(meeting.speeches.select_related("member_state", "affiliation").order_by("sequence"))
    new = speech_rows(meeting, parsed, names)
    matches = match_speeches(old, new)
    matched = {o.pk for o in matches.values()}
    for index, row in enumerate(new):
        if index not in matches:
            diff.added.append(row)
            continue
        before = matches[index]
        fields = [
            label
            for attr, label in SPEECH_FIELDS.items()
            if (getattr(before, attr) or "") != (getattr(row, attr) or "")
        ]
        if fields:
            diff.changed.append(SpeechChange(old=before, new=row, fields=fields))
        else:
            diff.unchanged += 1
    diff.removed = [o for o in old if o.pk not in matched]
    _compare_mentions(diff, meeting, parsed)
    _compare_votes(diff, meeting, parsed, names)
    return diff


def _compare_cover(diff: RecordDiff, meeting: Meeting, parsed, names: ResolvedNames) -> None:
    president = (parsed.president.name if parsed.president else "") or ""
    presidency = names.presidency.member_state_id if names.presidency else None
    for label, old, new in (
        ("date", meeting.date, parsed.date),
        ("agenda", list(meeting.agenda or []), [a for a in parsed.agenda or [] if a.strip()]),
        ("President", meeting.president_name, president[:200]),
        ("presidency", meeting.presidency_id, presidency),
        ("pages", meeting.page_count, parsed.page_count),
    ):
        if (old or None) != (new or None):
            diff.cover.append((label, _words(old), _words(new)))


def _words(value) -> str:
    if isinstance(value, list):
        return " / ".join(value) or "—"
    return "—" if value in (None, "") else str(value)


def _compare_mentions(diff: RecordDiff, meeting: Meeting, parsed) -> None:
    held = set(
        Mention.objects.filter(speech__meeting=meeting).values_list("speech__sequence", "symbol")
    )
    wanted = {
        (speech.sequence, symbol)
        for speech in parsed.speeches
        for _kind, symbol, _key in mention_items(speech)
    }
    diff.mentions_added = sorted(wanted - held)
    diff.mentions_removed = sorted(held - wanted)


def _compare_votes(diff: RecordDiff, meeting: Meeting, parsed, names: ResolvedNames) -> None:
    held = list(
        Vote.objects.filter(meeting=meeting)
        .select_related("resolution")
        .prefetch_related(
            Prefetch("member_votes", queryset=MemberVote.objects.select_related("member_state")),
        )
        .order_by("position", "pk")
    )
    count = max(len(held), len(parsed.votes))
    for index in range(count):
        number = index + 1
        old = held[index] if index < len(held) else None
        new = parsed.votes[index] if index < len(parsed.votes) else None
        if old is None:
            diff.votes.append(f"Vote {number} ({new.draft or 'no draft symbol'}) would be added.")
        elif new is None:
            diff.votes.append(f"Vote {number} ({old.draft_symbol or 'no draft'}) would be removed.")
        else:
            diff.votes += _vote_differences(number, old, new, names.votes[index])


def _vote_differences(number: int, old: Vote, new, lists: dict) -> list[str]:
    lines = []
    try:
        outcome = _vote_outcome(new.result)
    except Exception:  # noqa: BLE001  an unknown result is the importer's error to report
        outcome = new.result
    for label, before, after in (
        ("draft", old.draft_symbol, (new.draft or "")[:40]),
        ("subject", old.subject, _vote_subject(new.subject)),
        ("outcome", old.outcome, outcome),
        ("resolution", old.resolution.label if old.resolution else "", new.resolution or ""),
    ):
        if (before or "") != (after or "") and not (label == "resolution" and _same(before, after)):
            lines.append(f"Vote {number}: {label} {_words(before)} → {_words(after)}.")
    held = {mv.member_state.name: mv.position for mv in old.member_votes.all()}
    held.update({p.name: p.position for p in old.printed_members})
    wanted = {}
    for attr, position in _VOTE_LISTS:
        for printed, match in lists[attr]:
            wanted[match.name if match and match.member_state_id else printed] = position
    for name in sorted(set(held) | set(wanted)):
        if held.get(name) != wanted.get(name):
            before = POSITION_WORDS.get(held.get(name), "not listed")
            after = POSITION_WORDS.get(wanted.get(name), "not listed")
            lines.append(f"Vote {number}: {name} {before.lower()} → {after.lower()}.")
    return lines


def _same(label: str, reference: str) -> bool:
    """Whether a held resolution label ("2505 (2020)") and a parsed reference name one thing."""
    from archive.parsing import parse_resolution_reference

    a, b = parse_resolution_reference(label or ""), parse_resolution_reference(reference or "")
    return bool(a and b and a.number == b.number and (a.year == b.year or not b.year))
