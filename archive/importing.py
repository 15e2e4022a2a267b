"""The one atomic import service: a parsed verbatim record in, a meeting and everything in it out.

``import_meeting`` is called by the admin upload and by ``import_transcripts`` alike. It writes
in a single transaction, so a failure anywhere leaves the database as it was.

Names the resolver does not know are kept as printed (``country_as_printed``) with no State or
affiliation, and reported in the result: they are never guessed.

Replacing a meeting keeps speech permalinks (``/speeches/<pk>/``) working. An old speech is
matched to a new one, and updated in place, when either

1. the attribution and the text (whitespace-normalised) are the same, wherever the speech now
   stands in the record (a speech inserted earlier only shifts the sequence), or
2. the sequence and the attribution are the same and the texts are near-identical
   (similarity >= ``NEAR_IDENTICAL``: a corrected typo, a re-flowed paragraph).

Old speeches left unmatched are deleted; new speeches left unmatched are inserted.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from archive.import_review import close_superseded
from archive.models import (
    AgendaItem,
    ImportRecord,
    Meeting,
    MeetingMember,
    Mention,
    ProceduralLine,
    Resolution,
    Speaker,
    Speech,
    TranscriptUpload,
)
from archive.parsing.checks import Check
from archive.people.attribution import after_import
from archive.record_votes import VOTE_LISTS as _VOTE_LISTS
from archive.record_votes import UnknownResult, write_votes
from archive.topics.rules import assign_topics
from archive.vote_sources import Choice, VoteConflict, conflict_checks

if TYPE_CHECKING:
    from archive.parsing import ParsedMeeting

NEAR_IDENTICAL = 0.9
MAX_COUNCIL_VOTES = 15
SHOWN_PLACES = 4  # places listed per unresolved name in summaries

_IMPORTED_SOURCES = {Meeting.Source.PDF, Meeting.Source.TEXT, Meeting.Source.CORPUS}


class ImportFailed(Exception):
    """The parsed record cannot be imported; the message says why."""

    @property
    def message(self) -> str:
        """The human-readable explanation."""
        return str(self.args[0])


class AlreadyImported(ImportFailed):
    """The meeting's record is already in the archive and replace was not asked for."""

    def __init__(self, symbol: str, meeting: Meeting | None = None) -> None:
        super().__init__(
            f"{symbol} is already in the archive"
            + (
                f" (imported {meeting.imported_at:%Y-%m-%d %H:%M})"
                if meeting and meeting.imported_at
                else ""
            )
            + ". Replace the record to import it again (speeches that did not change keep "
            "their addresses)."
        )
        self.symbol = symbol
        self.meeting = meeting


class ChecksNotAcknowledged(ImportFailed):
    """The parse found errors (facts that would be imported wrong, text that would be lost) and
    the importer has not acknowledged them."""

    def __init__(self, errors: list) -> None:
        listed = "; ".join(describe_check(check) for check in errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        super().__init__(
            f"The parser found {len(errors)} error{'s' if len(errors) != 1 else ''} in this "
            f"record: {listed}{more}. Import it only after reading them, by acknowledging them "
            "(the preview's checkbox, or --acknowledge-errors); it is then marked for review."
        )
        self.errors = errors


def describe_check(check) -> str:
    """One check in a line: its message and where it was found."""
    where = []
    if check.page:
        where.append(f"page {check.page}")
    if check.speech:
        where.append(f"speech {check.speech}")
    return check.message + (f" ({', '.join(where)})" if where else "")


def error_checks(parsed) -> list:
    """The parse's checks of severity error."""
    from archive.parsing import Severity

    return [c for c in getattr(parsed, "checks", None) or [] if c.severity == Severity.ERROR]


class Resolved(Protocol):
    """What ``archive.names.NameResolver.resolve`` returns (a ``NameMatch``)."""

    member_state_id: int | None
    affiliation_id: int | None
    kind: str
    name: str


class Resolver(Protocol):
    """The part of ``archive.names.NameResolver`` the importer uses."""

    def resolve(self, printed_name: str) -> Resolved | None: ...


@dataclass
class UnresolvedName:
    """A printed name no State or body could be found for, and where it occurred."""

    name: str
    places: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.places[:SHOWN_PLACES]
        more = len(self.places) - len(shown)
        return f"{self.name} ({', '.join(shown)}{f', +{more} more' if more else ''})"


@dataclass
class ImportResult:
    """What an import did."""

    meeting: Meeting
    created: bool
    replaced: bool
    counts: dict[str, int]
    unresolved: list[UnresolvedName]
    warnings: list[str]
    vote_conflicts: list[VoteConflict] = field(default_factory=list)
    vote_choices: dict[int, str] = field(default_factory=dict)  # position -> choice made
    record: ImportRecord | None = None

    @property
    def checks(self) -> list[Check]:
        """The import-time checks: the record's votes that disagree with the archive."""
        return conflict_checks(self.vote_conflicts)

    @property
    def pending_votes(self) -> list[VoteConflict]:
        """Disagreeing votes no one chose for: the archive's values kept, to be reviewed."""
        return [c for c in self.vote_conflicts if c.position not in self.vote_choices]

    @property
    def summary(self) -> str:
        """One line for the audit trail, the admin and the command line."""
        from archive.wording import plural

        c = self.counts
        text = (
            f"{plural(c['speeches'], 'speech', 'speeches')}, {plural(c['votes'], 'vote')}, "
            f"{plural(c['mentions'], 'mention')}, {plural(c['members'], 'member')}"
        )
        if self.replaced:
            text += (
                f" (kept {c['speeches_kept']}, removed "
                f"{plural(c['speeches_removed'], 'old speech', 'old speeches')})"
            )
        if self.unresolved:
            names = "; ".join(str(u) for u in self.unresolved)
            text += f"; {plural(len(self.unresolved), 'unresolved name')}: {names}"
        if self.warnings:
            text += f"; warnings: {' / '.join(self.warnings)}"
        if self.vote_conflicts:
            text += "; " + "; ".join(
                _conflict_words(c, self.vote_choices) for c in self.vote_conflicts
            )
        return text


def _conflict_words(conflict: VoteConflict, choices: dict[int, str]) -> str:
    diffs = ", ".join(
        f"{d.label.lower()} {d.record} (archive: {d.archive})" for d in conflict.differences
    )
    done = {
        Choice.RECORD: "the record's reading taken",
        Choice.ARCHIVE: "the archive's values kept",
    }.get(
        choices.get(conflict.position),
        "the archive's values kept; the record's reading awaits review",
    )
    return f"vote {conflict.position} ({conflict.what}) reads {diffs}: {done}"


def _chooser(vote_choices: dict[int, Choice] | None, take_record_votes: bool):
    """The importer's choice for each disagreeing vote, by its position in the record."""

    def choose(conflict: VoteConflict) -> Choice | None:
        if take_record_votes:
            return Choice.RECORD
        return (vote_choices or {}).get(conflict.position)

    return choose


# --------------------------------------------------------------------------- name resolution


@dataclass
class SpeechBody:
    """Who a speech was resolved to speak for."""

    member_state_id: int | None
    affiliation_id: int | None
    label: str  # the resolved State's or body's name, "" if unresolved
    role: str  # the parser's role, or the one an earlier part of the meeting gave the speaker
    country_as_printed: str  # as printed, or as the earlier part printed or invited it
    attributed_from: str = ""  # symbol of the earlier part the attribution came from


@dataclass
class ResolvedNames:
    """Every printed name of a record resolved once: shared by the preview and the import."""

    presidency: Resolved | None
    members: list[Resolved | None]
    speeches: list[SpeechBody]
    votes: list[dict[str, list[tuple[str, Resolved | None]]]]
    unresolved: list[UnresolvedName]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EarlierAttribution:
    """Whom a speaker spoke for, or was invited as, in an earlier part of the same meeting."""

    symbol: str
    role: str
    country_as_printed: str
    member_state_id: int | None = None
    affiliation_id: int | None = None
    name: str = ""  # the State's or body's name
    from_invitation: bool = False  # country_as_printed still has to be resolved


def earlier_attributions(parsed: ParsedMeeting) -> dict[str, EarlierAttribution]:
    """For a resumption: the speakers printed without a State or body, attributed from the
    earlier parts of the meeting in the archive (latest part first).

    A speaker who spoke there keeps that speech's State or body and role; otherwise a rule 39
    invitation the President read there is used. A name attributed two ways in the same part
    is left alone rather than guessed.
    """
    if not parsed.resumption or not parsed.meeting_number:
        return {}
    wanted = {
        (speech.speaker or "").strip()
        for speech in parsed.speeches
        if not speech.country and speech.role not in (Speech.Role.PRESIDENT, Speech.Role.UN)
    } - {""}
    if not wanted:
        return {}
    parts = list(
        Meeting.objects.filter(meeting_number=parsed.meeting_number)
        .filter(Q(resumption__isnull=True) | Q(resumption__lt=parsed.resumption))
        .exclude(symbol=parsed.symbol)
        .order_by(F("resumption").desc(nulls_last=True))
        .values_list("pk", "symbol")
    )
    if not parts:
        return {}
    spoken: dict[tuple[int, str], set[tuple]] = defaultdict(set)
    for row in (
        Speech.objects.filter(meeting_id__in=[pk for pk, _ in parts], speaker_name__in=wanted)
        .exclude(member_state__isnull=True, affiliation__isnull=True, country_as_printed="")
        .values_list(
            "meeting_id",
            "speaker_name",
            "role",
            "country_as_printed",
            "member_state_id",
            "affiliation_id",
            "member_state__name",
            "affiliation__name",
        )
    ):
        meeting_id, name, *body = row
        spoken[(meeting_id, name)].add(tuple(body))
    chair_texts: dict[int, list[str]] = defaultdict(list)
    for meeting_id, text in Speech.objects.filter(
        meeting_id__in=[pk for pk, _ in parts], role=Speech.Role.PRESIDENT
    ).values_list("meeting_id", "text"):
        chair_texts[meeting_id].append(text)

    from archive.parsing import attribute_from_invitations

    found: dict[str, EarlierAttribution] = {}
    for name in sorted(wanted):
        for pk, symbol in parts:
            bodies = spoken.get((pk, name), set())
            if len(bodies) == 1:
                role, printed, state, affiliation, state_name, affiliation_name = bodies.pop()
                found[name] = EarlierAttribution(
                    symbol=symbol,
                    role=role,
                    country_as_printed=printed,
                    member_state_id=state,
                    affiliation_id=affiliation,
                    name=state_name or affiliation_name or "",
                )
                break
            if bodies:
                break  # attributed two ways there: not guessed
            invited = attribute_from_invitations(name, chair_texts.get(pk, []))
            if invited and invited[0]:
                found[name] = EarlierAttribution(
                    symbol=symbol,
                    role=invited[1],
                    country_as_printed=invited[0],
                    from_invitation=True,
                )
                break
    return found


def default_resolver() -> Resolver:
    """Load the name resolver from the database (aliases, States, affiliations)."""
    from archive.names import NameResolver

    return NameResolver.load()


def resolve_names(parsed: ParsedMeeting, resolver: Resolver) -> ResolvedNames:
    """Resolve the presidency, members, speakers' States and vote lists of a parsed record."""
    unresolved: dict[str, UnresolvedName] = {}
    cache: dict[str, Resolved | None] = {}
    # Names staff marked as a person's description, not a State or body (review queue).
    known_without_body = getattr(resolver, "known_without_body", lambda name: False)

    def resolve(name: str | None, place: str) -> Resolved | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in cache:
            cache[name] = resolver.resolve(name)
        match = cache[name]
        if match is None and not known_without_body(name):
            entry = unresolved.setdefault(name, UnresolvedName(name))
            if place not in entry.places:
                entry.places.append(place)
        return match

    president = getattr(parsed, "president", None)
    presidency = resolve(president.country, "presidency") if president else None
    members = [resolve(m.country, "members") for m in parsed.members]

    # A resumption only names who its invitees are in an earlier part (a separate document).
    earlier = earlier_attributions(parsed)
    warnings = []
    speeches = []
    for speech in parsed.speeches:
        place = f"speech {speech.sequence}"
        role, printed, source = speech.role, speech.country or "", None
        if speech.role == Speech.Role.PRESIDENT and not speech.country:
            match = presidency
        elif speech.country:
            match = resolve(speech.country, place)
        elif speech.role == Speech.Role.UN:
            # A UN official prints no body; the role says whom they speak for. Not
            # reported when missing: nothing was printed that failed to resolve.
            match = resolver.resolve("United Nations")
        elif (source := earlier.get((speech.speaker or "").strip())) is not None:
            role, printed = source.role, source.country_as_printed
            match = resolve(printed, place) if source.from_invitation else source
            warnings.append(
                f"speech {speech.sequence} ({speech.speaker}): attributed from {source.symbol}"
                f" to {match.name if match else printed}"
            )
        else:
            match = None
        state_id = match.member_state_id if match else None
        affiliation_id = None if not match or state_id else match.affiliation_id
        speeches.append(
            SpeechBody(
                member_state_id=state_id,
                affiliation_id=affiliation_id,
                label=match.name if match else "",
                role=role if role in Speech.Role.values else Speech.Role.OTHER,
                country_as_printed=printed,
                attributed_from=source.symbol if source else "",
            )
        )

    votes = []
    for number, vote in enumerate(parsed.votes, start=1):
        lists = {}
        for attr, _position in _VOTE_LISTS:
            lists[attr] = [
                (name, resolve(name, f"vote {number}")) for name in getattr(vote, attr, []) or []
            ]
        votes.append(lists)

    return ResolvedNames(
        presidency=presidency,
        members=members,
        speeches=speeches,
        votes=votes,
        unresolved=list(unresolved.values()),
        warnings=warnings,
    )


# --------------------------------------------------------------------------- the service


def import_meeting(
    *,
    parsed: ParsedMeeting,
    source: Meeting.Source | str,
    upload: TranscriptUpload | None = None,
    user=None,
    replace: bool = False,
    resolver: Resolver | None = None,
    source_name: str = "",
    vote_choices: dict[int, Choice] | None = None,
    take_record_votes: bool = False,
    acknowledge_errors: bool = False,
) -> ImportResult:
    """Write a parsed verbatim record and everything in it to the database, atomically.

    A record whose checks hold errors is refused (``ChecksNotAcknowledged``) unless
    ``acknowledge_errors``: it is then imported, marked for review, and the acknowledgement is
    recorded as a decision of ``user``.

    A parsed vote that disagrees with the vote the archive holds (``archive.vote_sources``)
    takes the importer's choice from ``vote_choices`` (the vote's position in the record ->
    keep the archive's or take the record's); ``take_record_votes`` takes the record's for
    every such vote. Without a choice the archive's values stay and the record's reading
    awaits review. Every choice is recorded as a curation decision."""
    source = Meeting.Source(source)
    errors = error_checks(parsed)
    if errors and not acknowledge_errors:
        raise ChecksNotAcknowledged(errors)
    if source not in _IMPORTED_SOURCES:
        raise ValueError(f"cannot import a transcript with source {source!r}")
    if not parsed.symbol:
        raise ImportFailed("The record has no symbol (S/PV.…).")
    sequences = [s.sequence for s in parsed.speeches]
    if len(set(sequences)) != len(sequences) or any(n < 1 for n in sequences):
        raise ImportFailed("The parsed speeches do not have distinct positive sequence numbers.")
    resolver = resolver or default_resolver()
    names = resolve_names(parsed, resolver)
    created_here: dict[str, bool] = {}
    try:
        with transaction.atomic():
            _serialise_imports()
            result = _import(
                created_here=created_here,
                parsed=parsed,
                names=names,
                source=source,
                upload=upload,
                user=user,
                replace=replace,
                source_name=source_name,
                choose=_chooser(vote_choices, take_record_votes),
            )
            if errors:
                _record_acknowledgement(result, errors, user=user)
    except IntegrityError as exc:
        # Another import of the same meeting committed between our look-up and our insert:
        # its row now holds the symbol (or the meeting number). Anything else is re-raised.
        if created_here.get("created"):
            existing = _existing_meeting(parsed, lock=False)
            if existing is not None:
                raise AlreadyImported(parsed.symbol, existing) from exc
        raise
    return result


# Any fixed 64-bit number, the same in every process: the key of the advisory lock below.
IMPORT_LOCK_KEY = 0x5C_A4C1_1E_1A11


def hold_import_lock() -> None:
    """Inside a transaction: wait until no import runs, and keep others out until it ends.

    Curation that rewrites attributions (the review queue) takes it too, so that it never
    interleaves with an import of the same speeches.
    """
    _serialise_imports()


def _serialise_imports() -> None:
    """Wait for any other import to commit or roll back (lock released at transaction end).

    Imports are rare staff writes. Run one at a time, two imports of the same meeting cannot
    both miss each other's row: the second waits, then sees the first's meeting and raises
    AlreadyImported.
    Imports of different meetings cannot race on the agenda items, speakers and resolutions
    they create with look-up-then-insert either.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _existing_meeting(parsed: ParsedMeeting, *, lock: bool) -> Meeting | None:
    condition = Q(symbol=parsed.symbol)
    if parsed.meeting_number:
        condition |= Q(meeting_number=parsed.meeting_number, resumption=parsed.resumption)
    qs = Meeting.objects.filter(condition).order_by("pk")
    if lock:
        qs = qs.select_for_update()
    # The symbol match first: the reference table may print a resumption differently.
    found = list(qs)
    return next((m for m in found if m.symbol == parsed.symbol), found[0] if found else None)


def _import(
    *,
    created_here: dict[str, bool],
    parsed: ParsedMeeting,
    names: ResolvedNames,
    source: Meeting.Source,
    upload: TranscriptUpload | None,
    user,
    replace: bool,
    source_name: str,
    choose,
) -> ImportResult:
    warnings: list[str] = list(names.warnings)
    meeting = _existing_meeting(parsed, lock=True)
    created = meeting is None
    replaced = False
    if meeting is not None:
        already = meeting.source in _IMPORTED_SOURCES or meeting.speeches.exists()
        if already and not replace:
            raise AlreadyImported(parsed.symbol, meeting)
        replaced = already
    else:
        meeting = Meeting(symbol=parsed.symbol)

    agenda = [line for line in (parsed.agenda or []) if line.strip()]
    meeting.symbol = parsed.symbol
    meeting.kind = Meeting.Kind.VERBATIM_RECORD
    meeting.meeting_number = parsed.meeting_number
    meeting.resumption = parsed.resumption or None
    meeting.date = parsed.date
    meeting.time = _parse_time(parsed.time)
    meeting.place = (parsed.place or "")[:80]
    meeting.agenda = agenda
    meeting.agenda_item = _agenda_item(agenda[0]) if agenda else meeting.agenda_item
    meeting.presidency_id = names.presidency.member_state_id if names.presidency else None
    meeting.presidency_as_printed = ((parsed.president.country or "") if parsed.president else "")[
        :200
    ]
    meeting.president_name = (parsed.president.name if parsed.president else "")[:200]
    meeting.language = parsed.language or "English"
    meeting.source = source
    meeting.upload = upload
    meeting.page_count = parsed.page_count
    meeting.speech_count = len(parsed.speeches)
    meeting.imported_at = timezone.now()
    if created:
        created_here["created"] = True
        meeting.save(force_insert=True)
    else:
        meeting.save()

    members = _write_members(meeting, parsed, names)
    _write_procedure(meeting, parsed)
    speeches, kept, removed = _write_speeches(meeting, parsed, names, replace=not created)
    try:
        written = write_votes(
            meeting,
            parsed,
            names.votes,
            warnings,
            choose=choose,
            user=user,
            via=f"import of {source_name or (upload.original_name if upload else parsed.symbol)}",
        )
    except UnknownResult as exc:
        raise ImportFailed(str(exc)) from exc
    votes = written.count
    mentions = _write_mentions(meeting, parsed, speeches)
    # Names from the cover page, a person per new spelling, topics of a new agenda item.
    after_import(meeting_ids=[meeting.pk])
    assign_topics(agenda_item_ids=[meeting.agenda_item_id])

    counts = {
        "speeches": len(speeches),
        "speeches_kept": kept,
        "speeches_removed": removed,
        "members": members,
        "procedure": len(parsed.procedure),
        "votes": votes,
        "mentions": mentions,
    }
    result = ImportResult(
        meeting=meeting,
        created=created,
        replaced=replaced,
        counts=counts,
        unresolved=names.unresolved,
        warnings=warnings,
        vote_conflicts=written.conflicts,
        vote_choices=written.choices,
    )
    result.record = ImportRecord.objects.create(
        action=ImportRecord.Action.REPLACE if replaced else ImportRecord.Action.IMPORT,
        user=user if user is not None and user.is_authenticated else None,
        upload=upload,
        source_name=(source_name or (upload.original_name if upload else "") or parsed.symbol)[
            :255
        ],
        symbol=parsed.symbol,
        meeting=meeting,
        summary=result.summary,
        # The parser's own checks, then the import's: votes read differently from the archive.
        checks=[c.to_dict() for c in [*(getattr(parsed, "checks", None) or []), *result.checks]],
        needs_review=bool(error_checks(parsed)),
    )
    close_superseded(result.record)
    if upload is not None:
        upload.status = TranscriptUpload.Status.IMPORTED
        upload.symbol = parsed.symbol[:60]
        upload.message = result.summary
        upload.save(update_fields=["status", "symbol", "message"])
    return result


def _record_acknowledgement(result: ImportResult, errors: list, *, user) -> None:
    """Record, in the import's transaction, that a person imported a record despite its errors.

    There is no undo handler: undoing an acknowledgement would mean un-importing the record,
    which is a replace or a deletion with its own trail, not the reversal of this choice.
    """
    from archive.curation import record_decision

    record = result.record
    record_decision(
        kind="import_acknowledged",
        user=user,
        summary=(
            f"Imported {result.meeting.symbol} despite {len(errors)} error check"
            f"{'s' if len(errors) != 1 else ''}; marked for review"
        ),
        target=f"importrecord:{record.pk}" if record else f"meeting:{result.meeting.pk}",
        before={},
        after={
            "symbol": result.meeting.symbol,
            "import_record": record.pk if record else None,
            "errors": [c.to_dict() for c in errors],
        },
    )


def _parse_time(value: str | datetime.time | None) -> datetime.time | None:
    if isinstance(value, datetime.time) or value is None:
        return value
    match = re.match(r"^\s*(\d{1,2})[:.](\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return datetime.time(int(match[1]), int(match[2]))


def _agenda_item(title: str) -> AgendaItem:
    title = title.strip()[:500]
    item = AgendaItem.objects.filter(title=title).first()
    if item:
        return item
    slug = slugify(title)[:120].strip("-") or "agenda-item"
    # Two titles can slugify alike (punctuation, truncation): number the later one.
    candidate, n = slug, 1
    while AgendaItem.objects.filter(slug=candidate).exists():
        n += 1
        suffix = f"-{n}"
        candidate = slug[: 120 - len(suffix)] + suffix
    return AgendaItem.objects.create(title=title, slug=candidate)


def _write_members(meeting: Meeting, parsed: ParsedMeeting, names: ResolvedNames) -> int:
    meeting.members.all().delete()
    rows = [
        MeetingMember(
            meeting=meeting,
            member_state_id=match.member_state_id if match else None,
            country_as_printed=member.country[:200],
            representative=(member.name or "")[:200],
            position=position,
        )
        for position, (member, match) in enumerate(
            zip(parsed.members, names.members, strict=True), start=1
        )
    ]
    MeetingMember.objects.bulk_create(rows)
    return len(rows)


def _write_procedure(meeting: Meeting, parsed: ParsedMeeting) -> None:
    meeting.procedure.all().delete()
    ProceduralLine.objects.bulk_create(
        ProceduralLine(
            meeting=meeting, after_speech=line.after_speech or 0, position=position, text=line.text
        )
        for position, line in enumerate(parsed.procedure, start=1)
    )


def _speakers(parsed: ParsedMeeting, names: ResolvedNames) -> dict[tuple, Speaker]:
    """Get or create every speaker of the record, in three queries whatever their number."""
    wanted: dict[tuple, str] = {}
    for speech, body in zip(parsed.speeches, names.speeches, strict=True):
        name = _speaker_name(parsed, speech)
        if name:
            key = (name[:200], body.member_state_id, body.affiliation_id)
            wanted.setdefault(key, (speech.speaker_title or "")[:40])
    if not wanted:
        return {}

    def fetch() -> dict[tuple, Speaker]:
        condition = Q()
        for name, state, affiliation in wanted:
            condition |= Q(name=name, member_state_id=state, affiliation_id=affiliation)
        return {
            (s.name, s.member_state_id, s.affiliation_id): s
            for s in Speaker.objects.filter(condition)
        }

    found = fetch()
    missing = [
        Speaker(name=name, title=title, member_state_id=state, affiliation_id=affiliation)
        for (name, state, affiliation), title in wanted.items()
        if (name, state, affiliation) not in found
    ]
    if missing:
        # ignore_conflicts: a concurrent import may create the same speaker meanwhile.
        Speaker.objects.bulk_create(missing, ignore_conflicts=True)
        found = fetch()
    return found


def _speaker_name(parsed: ParsedMeeting, speech) -> str:
    if speech.role == Speech.Role.PRESIDENT and parsed.president and _is_chair(speech.speaker):
        return parsed.president.name or ""
    return speech.speaker or ""


def _is_chair(name: str | None) -> bool:
    return not name or name.strip().lower() in {"the president", "president"}


def _normalise_text(text: str) -> str:
    return " ".join((text or "").split())


def speech_rows(
    meeting: Meeting, parsed: ParsedMeeting, names: ResolvedNames, speakers: dict | None = None
) -> list[Speech]:
    """The unsaved Speech rows an import writes (the preview compares them, without speakers)."""
    speakers = speakers or {}
    rows = []
    for speech, body in zip(parsed.speeches, names.speeches, strict=True):
        name = _speaker_name(parsed, speech)[:200]
        rows.append(
            Speech(
                meeting=meeting,
                sequence=speech.sequence,
                attribution=(speech.attribution or "")[:500],
                speaker=speakers.get((name, body.member_state_id, body.affiliation_id)),
                speaker_name=(speech.speaker or "")[:200],
                country_as_printed=body.country_as_printed[:200],
                member_state_id=body.member_state_id,
                affiliation_id=body.affiliation_id,
                role=body.role,
                spoke_in=(speech.spoke_in or "")[:20],
                on_behalf_of=(speech.on_behalf_of or "")[:300],
                page=speech.page,
                text=speech.text,
            )
        )
    return rows


def _write_speeches(
    meeting: Meeting, parsed: ParsedMeeting, names: ResolvedNames, *, replace: bool
) -> tuple[list[Speech], int, int]:
    """Write the speeches; on replace, update matched old rows in place to keep their pks."""
    new_rows = speech_rows(meeting, parsed, names, _speakers(parsed, names))

    old = list(meeting.speeches.order_by("sequence")) if replace else []
    matches = match_speeches(old, new_rows)
    matched_old = {o.pk for o in matches.values()}
    removed = [o.pk for o in old if o.pk not in matched_old]
    if removed:
        Speech.objects.filter(pk__in=removed).delete()
    updated = []
    for index, old_row in matches.items():
        row = new_rows[index]
        row.pk = old_row.pk
        updated.append(row)
    if updated:
        # The (meeting, sequence) constraint is deferred, so sequences may swap here.
        Speech.objects.bulk_update(
            updated,
            [
                "sequence",
                "attribution",
                "speaker",
                "speaker_name",
                "country_as_printed",
                "member_state",
                "affiliation",
                "role",
                "spoke_in",
                "on_behalf_of",
                "page",
                "text",
            ],
            batch_size=200,
        )
    Speech.objects.bulk_create([r for i, r in enumerate(new_rows) if i not in matches])
    return new_rows, len(updated), len(removed)


def match_speeches(old: list[Speech], new: list[Speech]) -> dict[int, Speech]:
    """Pair new speeches (by index) with old rows to keep, per the rule in the module docstring."""
    matches: dict[int, Speech] = {}
    taken: set[int] = set()
    by_content: dict[tuple[str, str], list[Speech]] = defaultdict(list)
    for row in old:
        by_content[(row.attribution, _digest(row.text))].append(row)
    for index, row in enumerate(new):
        candidates = [
            o for o in by_content.get((row.attribution, _digest(row.text)), []) if o.pk not in taken
        ]
        if candidates:
            # Prefer the candidate nearest the new position when a text repeats.
            best = min(candidates, key=lambda o: abs(o.sequence - row.sequence))
            matches[index] = best
            taken.add(best.pk)
    by_sequence = {o.sequence: o for o in old if o.pk not in taken}
    for index, row in enumerate(new):
        if index in matches:
            continue
        candidate = by_sequence.get(row.sequence)
        if (
            candidate is not None
            and candidate.pk not in taken
            and candidate.attribution == row.attribution
            and _similar(candidate.text, row.text)
        ):
            matches[index] = candidate
            taken.add(candidate.pk)
    return matches


def _digest(text: str) -> str:
    return hashlib.sha256(_normalise_text(text).encode()).hexdigest()


def _similar(a: str, b: str) -> bool:
    a, b = _normalise_text(a), _normalise_text(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds first: most unrelated texts are rejected without the full diff.
    return (
        matcher.real_quick_ratio() >= NEAR_IDENTICAL
        and matcher.quick_ratio() >= NEAR_IDENTICAL
        and matcher.ratio() >= NEAR_IDENTICAL
    )


# --------------------------------------------------------------------------- votes


def _resolution_ref(value: str | None):
    from archive.parsing.symbols import parse_resolution_reference

    return parse_resolution_reference(value) if value else None


# --------------------------------------------------------------------------- mentions


def mention_items(speech) -> list[tuple[str, str, tuple[int, int] | None]]:
    """The (kind, symbol, (number, year) or None) rows a parsed speech's mentions become."""
    items: dict[str, tuple[str, str, tuple[int, int] | None]] = {}
    mentions = speech.mentions
    for text in getattr(mentions, "resolutions", []) or []:
        ref = _resolution_ref(text)
        if ref is None:
            continue
        if ref.year:
            key = (ref.number, ref.year)
            symbol = f"S/RES/{ref.number} ({ref.year})"
        else:
            # Cited without its year: kept, but linked to nothing rather than guessed.
            key, symbol = None, f"S/RES/{ref.number}"
        items.setdefault(symbol, (Mention.Kind.RESOLUTION, symbol, key))
    for symbol in getattr(mentions, "documents", []) or []:
        # find_mentions lists S/RES/… symbols among documents too: one row per symbol.
        if symbol and symbol not in items:
            items[symbol] = (Mention.Kind.DOCUMENT, symbol[:80], None)
    return list(items.values())


def _write_mentions(meeting: Meeting, parsed: ParsedMeeting, speeches: list[Speech]) -> int:
    """Write the resolutions and documents each speech cites, linked to resolutions we hold."""
    Mention.objects.filter(speech__meeting=meeting).delete()
    per_speech = [mention_items(speech) for speech in parsed.speeches]
    wanted = {key for items in per_speech for _kind, _symbol, key in items if key}

    resolutions: dict[tuple[int, int], int] = {}
    if wanted:
        condition = Q()
        for number, year in wanted:
            condition |= Q(number=number, year=year)
        resolutions = {
            (n, y): pk
            for pk, n, y in Resolution.objects.filter(condition).values_list("pk", "number", "year")
        }

    rows = [
        Mention(
            speech=speech,
            kind=kind,
            symbol=symbol,
            resolution_id=resolutions.get(key) if key else None,
        )
        for speech, items in zip(speeches, per_speech, strict=True)
        for kind, symbol, key in items
    ]
    Mention.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --------------------------------------------------------------------------- uploads

PDF_MAGIC = b"%PDF-"


def sniff_content_type(data: bytes) -> str:
    """What a file is, by its content: "application/pdf", "text/plain" or "" (neither)."""
    if data.lstrip()[:5] == PDF_MAGIC:
        return "application/pdf"
    if not data or b"\x00" in data[:4096]:
        return ""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data[:65536].decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
        if controls <= len(sample) * 0.01:
            return "text/plain"
    return ""


def source_for(content_type: str) -> Meeting.Source:
    """The Meeting.Source of a transcript with this (sniffed) content type."""
    return Meeting.Source.PDF if content_type == "application/pdf" else Meeting.Source.TEXT


def store_upload(
    *,
    data: bytes | None,
    original_name: str,
    user=None,
    size: int | None = None,
    status: str = TranscriptUpload.Status.UPLOADED,
    message: str = "",
) -> TranscriptUpload:
    """Keep an uploaded transcript file with its checksum and content type.

    ``data=None`` records an upload whose content is not kept (one over the size limit).
    """
    upload = TranscriptUpload(
        original_name=original_name[:255],
        sha256=hashlib.sha256(data).hexdigest() if data is not None else "",
        size=len(data) if data is not None else (size or 0),
        content_type=sniff_content_type(data) if data else "",
        uploaded_by=user if user is not None and user.is_authenticated else None,
        status=status,
        message=message,
    )
    if data is not None:
        from django.core.files.base import ContentFile

        upload.file.save(_safe_name(original_name), ContentFile(data), save=False)
    upload.save()
    return upload


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.()-]+", "_", base).strip("._") or "transcript"
    return base[-100:]
