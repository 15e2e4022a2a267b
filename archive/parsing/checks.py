"""Self-checks of a parse (and of an import against the archive): what a person must look at.

The parser's own checks (vote lists against the announced tally, missed speaker turns, unplaced
body lines, OCR noise, ...) and the importer's comparison with what the archive already holds
produce the same ``Check`` rows, so that the preview, the ``--json`` output and the review queue
show them alike.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """ERROR: the record would be imported wrong or incomplete; importing it needs an explicit
    acknowledgement and marks it for review. WARNING: worth a look. INFO: noted."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Check:
    """One finding: its severity, a stable code, plain words, and where in the record it is."""

    severity: Severity
    code: str
    message: str
    page: int | None = None
    speech: int | None = None  # sequence of the speech it concerns
    excerpt: str | None = None  # the words it is about, as printed

    def to_dict(self) -> dict:
        """The JSON form used by ``parse_transcript --json``, the preview and the import record."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        """Rebuild a check stored as JSON."""
        return cls(**{**data, "severity": Severity(data["severity"])})


def has_errors(checks: list[Check]) -> bool:
    """Whether any check is an error (an import then needs an explicit acknowledgement)."""
    return any(check.severity is Severity.ERROR for check in checks)


# ---------------------------------------------------------------------------------------------
# The parser's self-checks

COUNCIL_SIZE = 15
_EXCERPT = 160


def run_checks(
    meeting, accounting, noisy: list, scanned: list[int] = (), *, unread_votes: list = ()
) -> list[Check]:
    """Every self-check of a parsed record (a ``ParsedMeeting``), in the order of the record."""
    checks: list[Check] = []
    for page in unread_votes:
        checks.append(
            Check(
                Severity.ERROR,
                "vote_not_read",
                "A vote was taken, but neither its lists of members nor its result could be "
                "read; it would not be imported.",
                page=page,
            )
        )
    checks += _cover_checks(meeting)
    checks += _unplaced_checks(accounting)
    checks += _noise_checks(noisy)
    if scanned:
        checks.append(
            Check(
                Severity.WARNING,
                "scanned_pages",
                f"{len(scanned)} page{'s are' if len(scanned) > 1 else ' is'} covered by "
                f"{'images' if len(scanned) > 1 else 'an image'} under visible text: the "
                "speeches were read from that text; compare them with the page images before "
                "relying on them.",
                page=scanned[0],
            )
        )
    checks += _vote_checks(meeting)
    checks += _turn_checks(meeting)
    checks += _participation_checks(meeting)
    return checks


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _council(meeting) -> list[str]:
    names = [m.country for m in meeting.members]
    if meeting.president and meeting.president.country:
        names.append(meeting.president.country)
    return names


def _cover_checks(meeting) -> list[Check]:
    out = []
    if not meeting.members:
        out.append(
            Check(
                Severity.WARNING,
                "cover_no_members",
                "No Council members were found on the cover page, so vote lists cannot be "
                "checked against them.",
                page=1,
            )
        )
    if meeting.date is None:
        out.append(
            Check(Severity.WARNING, "cover_no_date", "The meeting's date was not found.", page=1)
        )
    return out


def _unplaced_checks(accounting) -> list[Check]:
    """One error per page with lines no bucket took."""
    by_page: dict = {}
    for line in accounting.unplaced:
        by_page.setdefault(line.page, []).append(line)
    return [
        Check(
            Severity.ERROR,
            "unplaced_text",
            f"{len(lines)} line{'s' if len(lines) > 1 else ''} of the record could not be placed "
            "in a speech, a procedural note, a heading or a vote; the import would leave "
            f"{'them' if len(lines) > 1 else 'it'} out.",
            page=page,
            excerpt=_excerpt(" / ".join(line.flat for line in lines)),
        )
        for page, lines in by_page.items()
    ]


def _noise_checks(noisy: list) -> list[Check]:
    out = []
    for page, measured in noisy:
        what = (
            f"French runs beside the English ({measured.french:.0%} of its words are French)"
            if measured.bilingual and not measured.noise
            else f"only {measured.dictionary:.0%} of its words are ordinary words and "
            f"{measured.garbage:.0%} of its characters are stray symbols"
        )
        out.append(
            Check(
                Severity.ERROR,
                "ocr_noise",
                f"The text of {f'page {page}' if page else 'the record'} looks like OCR noise "
                f"from a scan: {what}. Its speeches would be imported garbled.",
                page=page,
            )
        )
    return out


def _vote_checks(meeting) -> list[Check]:
    council = _council(meeting)
    out: list[Check] = []
    for number, vote in enumerate(meeting.votes, start=1):
        where = f"Vote {number}" + (f" (draft {vote.draft})" if vote.draft else "")
        for severity, code, message, excerpt in [
            *_tally_findings(vote),
            *_member_findings(vote, council),
        ]:
            out.append(
                Check(
                    severity,
                    code,
                    f"{where}: {message}",
                    page=vote.page,
                    speech=vote.after_speech or None,
                    excerpt=excerpt,
                )
            )
    return out


def _tally_findings(vote) -> list[tuple]:
    """The lists against the President's announcement, and the outcome's resolution."""
    listed = "-".join(str(len(names)) for names in (vote.in_favour, vote.against, vote.abstaining))
    named = [*vote.in_favour, *vote.against, *vote.abstaining, *vote.not_participating]
    out = []
    if not named and vote.announced_tally:
        out.append(
            (
                Severity.ERROR,
                "vote_lists_missing",
                f"the President announced {vote.announced_tally} but no lists of members were "
                "found; the members' votes would not be imported.",
                None,
            )
        )
    elif vote.announced_tally and vote.announced_tally != listed:
        out.append(
            (
                Severity.ERROR,
                "vote_tally_mismatch",
                f"the lists give {listed} (in favour-against-abstaining) but the President "
                f"announced {vote.announced_tally}.",
                _excerpt(", ".join(named)),
            )
        )
    elif named and not vote.announced_tally:
        out.append(
            (
                Severity.WARNING,
                "vote_not_announced",
                f"no announcement of the result was found to confirm the lists ({listed}); the "
                f"outcome “{vote.result}” was inferred.",
                None,
            )
        )
    if vote.result == "adopted" and vote.subject == "draft resolution" and not vote.resolution:
        out.append(
            (
                Severity.WARNING,
                "vote_no_resolution",
                "the draft resolution was adopted but no resolution number was found in the "
                "announcement.",
                None,
            )
        )
    return out


def _member_findings(vote, council: list[str]) -> list[tuple]:
    """Members listed twice, too many, or not on the cover."""
    from .states import is_state, same_state

    named = [*vote.in_favour, *vote.against, *vote.abstaining, *vote.not_participating]
    out = []
    if len(named) > COUNCIL_SIZE:
        out.append(
            (
                Severity.ERROR,
                "vote_too_many",
                f"{len(named)} members are listed; the Council has {COUNCIL_SIZE}.",
                _excerpt(", ".join(named)),
            )
        )
    seen: list[str] = []
    for name in named:
        if any(same_state(name, other) for other in seen):
            out.append((Severity.ERROR, "vote_member_twice", f"{name} is listed twice.", name))
        seen.append(name)
        if len(council) >= 5 and not any(same_state(name, m) for m in council):
            what = "is not a State" if not is_state(name) else "is not on the cover page"
            out.append(
                (
                    Severity.ERROR,
                    "vote_member_not_on_cover",
                    f"“{_excerpt(name)}” {what} among the Council's members for this meeting.",
                    _excerpt(name),
                )
            )
    return out


def _turn_checks(meeting) -> list[Check]:
    from .labels import labels_ahead, labels_inside, match_label

    out = []
    for speech in meeting.speeches:
        positions = {p for p, _ in labels_inside(speech.text)} | set(labels_ahead(speech.text))
        for position in sorted(positions):
            label = match_label(speech.text[position:][:400])
            if label is None or (label.country and re.search(r"[\d/]", label.country)):
                continue
            out.append(
                Check(
                    Severity.ERROR,
                    "label_inside_speech",
                    f"A speaker label (“{label.attribution}:”) stands inside the text of speech "
                    f"{speech.sequence} ({speech.speaker}): a missed turn, whose words would "
                    "be attributed to the wrong speaker.",
                    page=speech.page,
                    speech=speech.sequence,
                    excerpt=_excerpt(speech.text[max(0, position - 60) : position + 100]),
                )
            )
    return out


def _participation_checks(meeting) -> list[Check]:
    from .participants import floor_given, surname_key
    from .states import is_state, same_state

    out: list[Check] = []
    resumption = bool(meeting.resumption)
    heard_states = [s.country for s in meeting.speeches if s.country]
    heard_people = {surname_key(s.speaker) for s in meeting.speeches}
    silent = [
        i.represents if i.rule == "37" else i.name
        for i in meeting.invitations
        if (i.rule == "37" and not any(same_state(i.represents or "", h) for h in heard_states))
        or (i.rule != "37" and surname_key(i.name) not in heard_people)
    ]
    if silent:
        out.append(
            Check(
                Severity.INFO,
                "invited_not_heard",
                f"{len(silent)} invited participant{'s' if len(silent) > 1 else ''} did not "
                "speak in this record (they may speak in another part of the meeting): "
                + "; ".join(silent[:12])
                + ("; …" if len(silent) > 12 else ""),
            )
        )
    invited_states = [i.represents or "" for i in meeting.invitations if i.rule == "37"]
    invited_people = {surname_key(i.name) for i in meeting.invitations if i.rule != "37"}
    previous = None
    for speech in meeting.speeches:
        given = floor_given(previous.text) if previous and previous.role == "president" else None
        if speech.role == "invited" and speech.country and is_state(speech.country):
            invited = any(same_state(speech.country, s) for s in invited_states)
            if not invited and not (given and same_state(given, speech.country)):
                out.append(
                    _not_invited(speech, f"the representative of {speech.country}", resumption)
                )
        elif (
            speech.role in ("other", "invited")
            and not speech.country
            and surname_key(speech.speaker) not in invited_people
            and not given
            and not (previous and previous.role == "president" and _named(previous, speech))
        ):
            out.append(_not_invited(speech, speech.speaker, resumption))
        if given and speech.country and is_state(given) and not same_state(given, speech.country):
            out.append(
                Check(
                    Severity.WARNING,
                    "floor_mismatch",
                    f"The President gave the floor to the representative of {given}, but "
                    f"speech {speech.sequence} is labelled {speech.attribution}.",
                    page=speech.page,
                    speech=speech.sequence,
                    excerpt=_excerpt(speech.attribution),
                )
            )
        previous = speech
    return out


_NAMED = (
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Archbishop|Bishop|Monsignor|Cardinal|Sheikh|"
    r"Ambassador|General|Judge|Professor|Prince|Princess|King|Queen)\.?\s+"
    r"(?:[A-Z][\w'’.-]*\s+){{0,4}}(?i:{surname})\b"
)


def _named(president, speech) -> bool:
    """Whether the President's last words name this speaker ("I now give the floor to
    Ms. Angela King" before "Ms. King:")."""
    from .participants import surname_key

    surname = surname_key(speech.speaker)
    if not surname:
        return False
    pattern = _NAMED.format(surname=re.escape(surname))
    return bool(re.search(pattern, president.text[-600:]))


def _not_invited(speech, who: str, resumption: bool) -> Check:
    return Check(
        Severity.INFO if resumption else Severity.WARNING,
        "speaker_not_invited",
        f"Speech {speech.sequence}: {who} speaks but was not invited in this record, nor given "
        "the floor by name"
        + (" (a resumption: the invitation is in an earlier part)." if resumption else "."),
        page=speech.page,
        speech=speech.sequence,
        excerpt=_excerpt(speech.attribution),
    )
