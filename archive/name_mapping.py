"""Map a printed name to a State or organization (or to no body) everywhere at once, undoably.

``map_printed_name`` is the one write behind the review queue's "Unresolved printed names":

- every statement printed with that name and still unattributed gets the State or body (and a
  speaker row for it, as an import would have made); for a presidency printed with it, the
  meeting gets its presidency and the President's own statements their State;
- members' lists that print it get the Member State; in vote lists, each source's claim that
  prints it (``VoteClaim.unmatched``) counts it as that State's vote (``VoteClaim.positions``,
  and ``vetoed_by`` for a permanent member's vote against a vetoed draft), unless that State
  already has a vote there: then it stays as printed. The votes shown are derived from the
  claims again (``reconcile_votes``), so the mapping holds through every later reconciliation,
  loader run and re-import, which read the name through the alias below the same way;
- a ``NameAlias`` makes ``archive.names`` (the one resolver) use the mapping in future imports;
- the decision is recorded (``archive.curation``) with exactly what it replaced, and
  ``curation.undo`` restores that.

The public pages show the change at once: every table touched bumps ``ArchiveState`` (database
triggers), which keys the pages' ETags and the cached search results.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from archive import curation
from archive.importing import hold_import_lock
from archive.models import (
    Affiliation,
    CouncilTerm,
    Decision,
    Meeting,
    MeetingMember,
    MemberState,
    MemberVote,
    NameAlias,
    PrintedMember,
    Speaker,
    Speech,
    Vote,
    VoteClaim,
    normalise_name,
)
from archive.reference_data.reconcile import reconcile_votes

KIND = "name_mapping"
SOURCE = "review queue"


class MappingRefused(Exception):
    """The mapping cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Target:
    """What a printed name stands for: a Member State, an affiliation, or neither (a person)."""

    member_state: MemberState | None = None
    affiliation: Affiliation | None = None
    new_body: tuple[str, str] | None = None  # (name, Affiliation.Kind) of a body to create

    def __post_init__(self) -> None:
        given = [self.member_state, self.affiliation, self.new_body]
        if sum(item is not None for item in given) > 1:
            raise ValueError("a printed name maps to one State or body, not several")

    @property
    def label(self) -> str:
        body = self.member_state or self.affiliation
        return body.name if body else "a person with no affiliation"


def _create_body(name: str, kind: str) -> Affiliation:
    """A new organization or observer, named as staff typed it."""
    name = " ".join(name.split())[:200]
    if not name:
        raise MappingRefused("Give the new organization a name.")
    if Affiliation.objects.filter(name__iexact=name).exists():
        raise MappingRefused(f"“{name}” is already in the archive: choose it in the list.")
    base = slugify(name)[:70] or "organization"
    slug, n = base, 1
    while Affiliation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Affiliation.objects.create(name=name, kind=kind, slug=slug)


def _variants(model, field: str, key: str, **unresolved) -> list[str]:
    """The spellings in ``model.field`` whose matching key is ``key``, among unresolved rows."""
    spellings = (
        model.objects.filter(**unresolved).values_list(field, flat=True).distinct().order_by()
    )
    return [s for s in spellings if s and normalise_name(s) == key]


@transaction.atomic
def map_printed_name(*, name: str, target: Target, user) -> Decision:
    """Apply and record the mapping of ``name`` (every spelling with its key) to ``target``."""
    key = normalise_name(name)
    if not key:
        raise MappingRefused("The name is empty.")
    hold_import_lock()
    before: dict = {"alias": _alias_state(key)}
    after: dict = {}
    if target.new_body:
        created = _create_body(*target.new_body)
        after["created_affiliation"] = created.pk
        target = Target(affiliation=created)
    counts = {
        "speeches": 0,
        "meetings": 0,
        "members": 0,
        "votes": 0,
        "kept": 0,
        "presidencies": 0,
    }
    if target.member_state:
        before["presidencies"] = _map_presidencies(key, target.member_state, counts)
    if target.member_state or target.affiliation:
        before["speeches"], after["speeches"], after["speakers"] = _reattribute_speeches(
            key, target, counts, presided=before.get("presidencies", [])
        )
    if target.member_state:
        before["members"], after["members"] = _map_members(key, target.member_state, counts)
        before["vote_claims"], after["vote_claims"] = _map_vote_names(
            key, target.member_state, counts
        )
    after["alias"] = _save_alias(name, key, target, user)
    summary = _summary(name, target, counts)
    if after.get("created_affiliation"):
        summary = summary.replace(" mapped to ", " mapped to a new organization, ", 1)
    return curation.record_decision(
        kind=KIND,
        user=user,
        summary=summary,
        target=f"printed-name:{key}"[:120],
        before=before,
        after=after,
    )


def _summary(name: str, target: Target, counts: dict) -> str:
    from archive.wording import plural

    parts = []
    if counts["speeches"]:
        parts.append(
            f"{plural(counts['speeches'], 'statement')} in {plural(counts['meetings'], 'meeting')}"
        )
    if counts["presidencies"]:
        parts.append(plural(counts["presidencies"], "presidency", "presidencies"))
    if counts["members"]:
        parts.append(plural(counts["members"], "members' list entry", "members' list entries"))
    if counts["votes"]:
        parts.append(plural(counts["votes"], "vote-list entry", "vote-list entries"))
    changed = ", ".join(parts) if parts else "nothing in the archive printed it yet"
    text = f"“{name}” mapped to {target.label}: {changed}"
    if counts["kept"]:
        text += (
            f"; {plural(counts['kept'], 'vote-list entry', 'vote-list entries')} kept as printed "
            "(the State already has a vote there)"
        )
    return text + "; imports from now on use it."


def _map_presidencies(key: str, state: MemberState, counts: dict) -> list[int]:
    """Meetings whose presidency was printed with this name and matched nothing."""
    spellings = _variants(Meeting, "presidency_as_printed", key, presidency__isnull=True)
    pks = sorted(
        Meeting.objects.filter(
            presidency__isnull=True, presidency_as_printed__in=spellings
        ).values_list("pk", flat=True)
    )
    Meeting.objects.filter(pk__in=pks).update(presidency=state)
    counts["presidencies"] = len(pks)
    return pks


def _reattribute_speeches(key: str, target: Target, counts: dict, presided: list[int]):
    """Statements printed with the name, and the President's own in the meetings ``presided``
    (printed "The President", they speak for the presidency)."""
    spellings = _variants(
        Speech, "country_as_printed", key, member_state__isnull=True, affiliation__isnull=True
    )
    chair = Q(meeting_id__in=presided, role=Speech.Role.PRESIDENT, country_as_printed="")
    speeches = list(
        Speech.objects.filter(member_state__isnull=True, affiliation__isnull=True)
        .filter(Q(country_as_printed__in=spellings) | chair)
        .select_related("speaker")
        .order_by("pk")
    )
    state_id = target.member_state.pk if target.member_state else None
    affiliation_id = target.affiliation.pk if target.affiliation else None
    before = [[s.pk, s.member_state_id, s.affiliation_id, s.speaker_id] for s in speeches]
    speakers: dict[tuple[str, str], Speaker] = {}
    created: list[int] = []
    for speech in speeches:
        if speech.speaker is not None:
            wanted = (speech.speaker.name, speech.speaker.title)
            if wanted not in speakers:
                speaker, made = Speaker.objects.get_or_create(
                    name=wanted[0],
                    member_state_id=state_id,
                    affiliation_id=affiliation_id,
                    defaults={"title": wanted[1]},
                )
                speakers[wanted] = speaker
                if made:
                    created.append(speaker.pk)
            speech.speaker = speakers[wanted]
        speech.member_state_id, speech.affiliation_id = state_id, affiliation_id
    Speech.objects.bulk_update(speeches, ["member_state", "affiliation", "speaker"], batch_size=500)
    counts["speeches"] = len(speeches)
    counts["meetings"] = len({s.meeting_id for s in speeches})
    after = [[s.pk, s.member_state_id, s.affiliation_id, s.speaker_id] for s in speeches]
    return before, after, created


def _map_members(key: str, state: MemberState, counts: dict) -> tuple[list, list]:
    """Members' list entries printing the name get the State. ``after`` keeps each entry's
    place (meeting, position, spelling), so that undo finds it after a re-import rewrote it."""
    spellings = _variants(MeetingMember, "country_as_printed", key, member_state__isnull=True)
    rows = list(
        MeetingMember.objects.filter(
            member_state__isnull=True, country_as_printed__in=spellings
        ).order_by("pk")
    )
    pks = [row.pk for row in rows]
    MeetingMember.objects.filter(pk__in=pks).update(member_state=state)
    counts["members"] = len(pks)
    places = [[row.meeting_id, row.position, row.country_as_printed, state.pk] for row in rows]
    return pks, places


def _claim_state(claim: VoteClaim) -> list:
    """What a mapping changes in a claim, as stored in the decision: [pk, positions, vetoed_by,
    unmatched]."""
    return [claim.pk, dict(claim.positions), list(claim.vetoed_by), list(claim.unmatched)]


def _map_vote_names(key: str, state: MemberState, counts: dict) -> tuple[list, list]:
    """Every claim printing the name in a vote list counts it as ``state``'s vote."""
    claims = [
        claim
        for claim in VoteClaim.objects.exclude(unmatched=[]).select_related("vote").order_by("pk")
        if any(normalise_name(PrintedMember.of(e).name) == key for e in claim.unmatched)
    ]
    before, after = [], []
    for claim in claims:
        before.append(_claim_state(claim))
        moved, kept = _count_as_state(claim, key, state)
        counts["votes"] += moved
        counts["kept"] += kept
        claim.save(update_fields=["positions", "vetoed_by", "unmatched"])
        after.append(_claim_state(claim))
    if claims:
        reconcile_votes({claim.vote_id for claim in claims})
    return before, after


def _count_as_state(claim: VoteClaim, key: str, state: MemberState) -> tuple[int, int]:
    """Move the claim's entries printing the name into its members' votes, as a re-read of the
    source with the mapping would (a State voting twice keeps its first vote, the name stays
    as printed). Returns (moved, kept)."""
    moved = kept = 0
    remaining = []
    for entry in claim.unmatched:
        member = PrintedMember.of(entry)
        if normalise_name(member.name) != key:
            remaining.append(entry)
        elif state.iso3 in claim.positions or member.position not in MemberVote.Position.values:
            remaining.append(entry)
            kept += 1
        else:
            claim.positions[state.iso3] = member.position
            if _is_veto(claim, member.position, state) and state.iso3 not in claim.vetoed_by:
                claim.vetoed_by = sorted([*claim.vetoed_by, state.iso3])
            moved += 1
    claim.unmatched = remaining
    return moved, kept


def _is_veto(claim: VoteClaim, position: str, state: MemberState) -> bool:
    """As the sources are read: a permanent member's vote against a draft that was vetoed."""
    if claim.outcome != Vote.Outcome.VETOED or position != MemberVote.Position.AGAINST:
        return False
    date = claim.date or claim.vote.date
    return (
        date is not None
        and CouncilTerm.objects.filter(
            member_state=state,
            seat=CouncilTerm.Seat.PERMANENT,
            start_year__lte=date.year,
            end_year__gte=date.year,
        ).exists()
    )


def _alias_state(key: str) -> dict | None:
    alias = NameAlias.objects.filter(normalised=key).first()
    if alias is None:
        return None
    return {
        "pk": alias.pk,
        "name": alias.name,
        "member_state": alias.member_state_id,
        "affiliation": alias.affiliation_id,
        "source": alias.source,
        "no_affiliation": alias.no_affiliation,
    }


def _save_alias(name: str, key: str, target: Target, user) -> dict:
    source = f"{SOURCE} ({user.get_username()})" if getattr(user, "pk", None) else SOURCE
    alias, _ = NameAlias.objects.update_or_create(
        normalised=key,
        defaults={
            "name": name[:200],
            "member_state": target.member_state,
            "affiliation": target.affiliation,
            "no_affiliation": target.member_state is None and target.affiliation is None,
            "source": source[:80],
        },
    )
    return {"pk": alias.pk}


# --------------------------------------------------------------------------- undo


@curation.undo_handler(KIND)
def undo_mapping(decision: Decision) -> None:
    """Put back exactly what ``map_printed_name`` replaced (refused if it changed since)."""
    hold_import_lock()
    before, after = decision.before, decision.after
    _check_unchanged(after)
    for pk, state_id, affiliation_id, speaker_id in before.get("speeches", []):
        Speech.objects.filter(pk=pk).update(
            member_state_id=state_id, affiliation_id=affiliation_id, speaker_id=speaker_id
        )
    Speaker.objects.filter(pk__in=after.get("speakers", []), speeches__isnull=True).delete()
    MeetingMember.objects.filter(pk__in=before.get("members", [])).update(member_state=None)
    for meeting_id, position, printed, state_id in after.get("members", []):
        # The same entry written again by a re-import (through the alias): a new row.
        MeetingMember.objects.filter(
            meeting_id=meeting_id,
            position=position,
            country_as_printed=printed,
            member_state_id=state_id,
        ).update(member_state=None)
    Meeting.objects.filter(pk__in=before.get("presidencies", [])).update(presidency=None)
    for pk, positions, vetoed_by, unmatched in before.get("vote_claims", []):
        VoteClaim.objects.filter(pk=pk).update(
            positions=positions, vetoed_by=vetoed_by, unmatched=unmatched
        )
    claimed = [row[0] for row in before.get("vote_claims", [])]
    if claimed:
        reconcile_votes(
            set(VoteClaim.objects.filter(pk__in=claimed).values_list("vote", flat=True))
        )
    _restore_alias(before.get("alias"), after["alias"]["pk"])
    if after.get("created_affiliation"):
        Affiliation.objects.filter(pk=after["created_affiliation"]).delete()


def _check_unchanged(after: dict) -> None:
    """Refuse to undo over later changes (a re-import, another decision)."""
    rows = after.get("speeches", [])
    current = {
        pk: [pk, state, affiliation, speaker]
        for pk, state, affiliation, speaker in Speech.objects.filter(
            pk__in=[row[0] for row in rows]
        ).values_list("pk", "member_state_id", "affiliation_id", "speaker_id")
    }
    if any(current.get(row[0]) != row for row in rows):
        raise curation.CannotUndo(
            "Some of these statements have changed since (re-imported or re-attributed): "
            "this mapping can no longer be undone as a whole."
        )
    if "member_votes" in after:
        # Made before vote-list names were kept in the claims (migration 0017): what it wrote
        # is gone with the table it restored into.
        raise curation.CannotUndo(
            "This mapping was made before vote lists were kept with their sources: map the "
            "name again to change it."
        )
    claims = after.get("vote_claims", [])
    current = {
        claim.pk: _claim_state(claim)
        for claim in VoteClaim.objects.filter(pk__in=[row[0] for row in claims])
    }
    if any(current.get(row[0]) != row for row in claims):
        raise curation.CannotUndo(
            "Some of these votes' sources have changed since (re-imported or reloaded): this "
            "mapping can no longer be undone as a whole."
        )


def _restore_alias(previous: dict | None, pk: int) -> None:
    if previous is None:
        NameAlias.objects.filter(pk=pk).delete()
        return
    NameAlias.objects.filter(pk=previous["pk"]).update(
        name=previous["name"],
        member_state_id=previous["member_state"],
        affiliation_id=previous["affiliation"],
        source=previous["source"],
        no_affiliation=previous["no_affiliation"],
    )
