"""Load the reference tables (member states, names, Council terms, meetings, resolutions, votes,
vetoes, resolution texts) from the shared data folder, idempotently.

Every step reads its files, builds the rows it wants in memory, compares them with what the
database holds (one query per table) and writes only the difference in bulk, inside one
transaction per table. Running the load twice changes nothing the second time.

Rows that cannot be read or matched are never dropped silently: each becomes a ``Problem`` with
the file and line number, returned in the step's ``LoadResult``.

Decisions worth knowing (see each step's docstring for the details):

* Member states are keyed on ISO3; names come from ``un_member_states.csv`` corrected by
  ``fixtures/member_state_names.csv``; former States from ``fixtures/former_member_states.csv``.
* Meetings are keyed on (meeting number, resumption); a meeting another importer created
  (source other than "reference") is left untouched.
* Votes on adopted resolutions are keyed on the resolution; failed drafts from the votes file on
  ``source = "votingagent #<ID>"``; vetoes found only in the veto list on
  ``source = "vetoes <draft> at <meeting>"``.
* The votes file (1994-2025) swapped day and month on 330 dates. A date from it is used only when
  the day is above 12 (a swap could not have produced it); otherwise the meeting's or the
  resolution table's date is used, or the date stays empty.
* "adopted unanimously" without a tally is recorded as adopted with every seat in favour (11
  before 1966, 15 since); "without vote" / "by consensus" as adopted_without_vote with no tally.
"""

from __future__ import annotations

import csv
import datetime
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify

from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    Meeting,
    MemberState,
    MemberVote,
    NameAlias,
    Resolution,
    Vote,
    normalise_name,
)
from archive.names import BUILTIN_VARIANTS, NameResolver, normalise_key

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

MEMBER_STATES_CSV = "un-member-states/un_member_states.csv"
COUNTRY_CONVERTER_TSV = "un-member-states/country_converter_country_data.tsv"
ENTITIES_CSV = "unsc-debates-corpus-docs/entities.csv"
COUNTRY_ALIASES_CSV = "unsc-debates-corpus-docs/country_aliases.csv"
TERMS_CSV = "unsc-membership/sc_terms_1946-2026.csv"
MEETINGS_CSV = "unsc-meetings-intreleng/unsc_meetings_1946_2022.csv"
RESOLUTIONS_CSV = "unsc-meetings-intreleng/unsc_resolutions_from_meetings_1946_2022.csv"
DRAFTS_CSV = "unsc-meetings-intreleng/unsc_draft_resolutions_undl_export.csv"
VOTES_CSV = "unsc-votes-1994-2025-votingagent/sc_votes_by_member_1994_2025.csv"
VETOES_CSV = "unsc-vetoes-1946-2022/unsc_vetoes_1946_sept2022.csv"
TEXTS_DIR = "unsc-resolutions-text-1946-2015/texts"

VOTES_SOURCE = "votingagent"
VETOES_SOURCE = "vetoes"
RESOLUTIONS_SOURCE = "un-library-resolutions"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    """A row or file the loader could not use, with where it is."""

    file: str
    line: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.kind}] {self.message}"


@dataclass
class LoadResult:
    """What one step did: rows created, updated and left unchanged per table, and problems."""

    step: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def add_sync(self, table: str, outcome: SyncOutcome) -> None:
        self.created[table] += outcome.created
        self.updated[table] += outcome.updated
        self.unchanged[table] += outcome.unchanged

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())


class _Reporter:
    """Collects problems for one file."""

    def __init__(self, result: LoadResult, file: str) -> None:
        self.result = result
        self.file = file

    def __call__(self, line: int | None, kind: str, message: str) -> None:
        self.result.problems.append(Problem(self.file, line, kind, message))


# --------------------------------------------------------------------------- reading


def read_csv(
    path: Path, *, delimiter: str = ",", comments: bool = False, pad: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, row) from a UTF-8 CSV file.

    Raises ``OSError`` or ``UnicodeDecodeError``; callers turn them into problems. Rows with the
    wrong number of fields are yielded with a ``None`` key holding the extra fields, like
    ``csv.DictReader``; callers check ``row_shape_problem``. ``pad`` fills short rows with ""
    (country-converter's TSV drops trailing empty fields).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        numbers: list[int] = []

        def lines() -> Iterator[str]:
            for number, line in enumerate(handle, start=1):
                if comments and line.startswith("#"):
                    continue
                numbers.append(number)
                yield line

        reader = csv.reader(lines(), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        consumed = len(numbers)
        for values in reader:
            start = numbers[consumed] if consumed < len(numbers) else numbers[-1]
            consumed = len(numbers)
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(header, values, strict=False))
            if pad and len(values) < len(header):
                values = values + [""] * (len(header) - len(values))
            if len(values) > len(header):
                row[None] = values[len(header) :]
            elif len(values) < len(header):
                row[None] = []
            yield start, row


def row_shape_problem(row: dict) -> str | None:
    """A message if the row had the wrong number of fields."""
    if None not in row:
        return None
    extra = row[None]
    return f"wrong number of fields ({'extra: ' + repr(extra) if extra else 'too few'})"


def _rows(
    data_dir: Path, relative: str, result: LoadResult, **kwargs
) -> Iterator[tuple[int, dict[str, str], _Reporter]]:
    """Rows of a data file; an unreadable file or malformed row becomes a problem."""
    report = _Reporter(result, relative)
    path = data_dir / relative
    try:
        for line, row in read_csv(path, **kwargs):
            shape = row_shape_problem(row)
            if shape:
                report(line, "malformed_row", shape)
                continue
            yield line, row, report
    except FileNotFoundError:
        report(None, "missing_file", f"file not found: {path}")
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        report(None, "unreadable_file", f"{type(error).__name__}: {error}")


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def date_from_text(text: str, year: int) -> datetime.date | None:
    """The first day of a printed date such as "14-15 October", "1 Sep." or "29 + 30 March"."""
    match = re.match(r"^\s*(\d{1,2})\b.*?\b([A-Za-z]{3})[a-z]*\.?\s*$", text or "")
    if not match or match[2].lower() not in _MONTHS:
        return None
    try:
        return datetime.date(year, _MONTHS[match[2].lower()], int(match[1]))
    except ValueError:
        return None


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


# --------------------------------------------------------------------------- syncing


@dataclass
class SyncOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pks: dict[tuple, int] = field(default_factory=dict)


def sync_rows(
    model: type[models.Model],
    *,
    key: tuple[str, ...],
    rows: Iterable[dict],
    fields: Iterable[str],
    queryset: models.QuerySet | None = None,
    keep: Callable[[dict], bool] | None = None,
    fill_blank: Callable[[dict], bool] | None = None,
    batch_size: int = 2000,
) -> SyncOutcome:
    """Make the table hold ``rows`` (dicts of attnames), matched on ``key``: create what is
    missing, update what differs, leave the rest alone. Returns counts and key -> pk.

    ``keep(existing_values)`` returning True protects an existing row from updates (for rows
    another importer owns); ``fill_blank(existing_values)`` returning True lets only its empty
    fields (None, "", []) be filled in. Rows are never deleted.
    """
    fields = list(fields)
    qs = queryset if queryset is not None else model._default_manager.all()
    existing = {
        tuple(values[k] for k in key): values
        for values in qs.values("pk", *key, *[f for f in fields if f not in key])
    }
    outcome = SyncOutcome()
    to_create, to_update = [], []
    for row in rows:
        row_key = tuple(row[k] for k in key)
        current = existing.get(row_key)
        if current is None:
            to_create.append(model(**row))
            continue
        outcome.pks[row_key] = current["pk"]
        if fill_blank and fill_blank(current):
            row = {**row, **{f: current[f] for f in fields if not _is_blank(current[f])}}
        if (keep and keep(current)) or all(current[f] == row[f] for f in fields):
            outcome.unchanged += 1
            continue
        instance = model(pk=current["pk"], **row)
        to_update.append(instance)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=batch_size)
        for instance in to_create:
            outcome.pks[tuple(getattr(instance, k) for k in key)] = instance.pk
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=batch_size)
    outcome.created, outcome.updated = len(to_create), len(to_update)
    return outcome


def _is_blank(value) -> bool:
    return value is None or value == "" or value == []


def _from_record(current: dict) -> bool:
    """Whether an existing Vote row (values with "source") belongs to a record import."""
    return current["source"] in Vote.RECORD_SOURCES


def _fixture_dir(fixtures_dir: Path | None) -> Path:
    return Path(fixtures_dir) if fixtures_dir else FIXTURES_DIR


# --------------------------------------------------------------------------- member states


def load_member_states(*, data_dir: Path, fixtures_dir: Path | None = None) -> LoadResult:
    """The 193 Member States plus the former ones in fixtures/former_member_states.csv."""
    result = LoadResult("member states")
    fixtures = _fixture_dir(fixtures_dir)
    overrides = {}
    for _line, row, _report in _rows(fixtures, "member_state_names.csv", result, comments=True):
        overrides[row["iso3"].strip()] = row
    current = []
    for line, row, report in _rows(data_dir, MEMBER_STATES_CSV, result):
        iso3 = row["iso3"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", iso3) or not row["name"].strip():
            report(line, "invalid_member_state", f"no usable iso3/name: {row['name']!r}")
            continue
        override = overrides.get(iso3, {})
        iso2 = (override.get("iso2") or row["iso2"]).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", iso2):
            report(line, "invalid_iso2", f"{row['name']}: iso2 {row['iso2']!r} left empty")
            iso2 = ""
        current.append(
            {
                "iso3": iso3,
                "iso2": iso2,
                "name": override.get("name") or row["name"].strip(),
                "official_name": override.get("official_name") or row["official_name"].strip(),
                "admission_date": _date(row["admission_date"]),
                "membership_ended": None,
                "successor_id": None,
                "region": row["un_subregion"].strip(),
            }
        )
    fields = [
        "name",
        "official_name",
        "iso2",
        "admission_date",
        "membership_ended",
        "successor_id",
        "region",
    ]
    with transaction.atomic():
        outcome = sync_rows(MemberState, key=("iso3",), rows=current, fields=fields)
        result.add_sync("MemberState", outcome)
        by_iso3 = {k[0]: pk for k, pk in outcome.pks.items()}
        former = []
        for line, row, report in _rows(fixtures, "former_member_states.csv", result, comments=True):
            successor = row["successor_iso3"].strip()
            if successor and successor not in by_iso3:
                report(line, "unknown_successor", f"{row['iso3']}: successor {successor} unknown")
            former.append(
                {
                    "iso3": row["iso3"].strip(),
                    "iso2": row["iso2"].strip(),
                    "name": row["name"].strip(),
                    "official_name": row["official_name"].strip(),
                    "admission_date": _date(row["admission_date"]),
                    "membership_ended": _date(row["membership_ended"]),
                    "successor_id": by_iso3.get(successor),
                    "region": row["region"].strip(),
                }
            )
        result.add_sync(
            "MemberState", sync_rows(MemberState, key=("iso3",), rows=former, fields=fields)
        )
    return result


# --------------------------------------------------------------------------- names

_ENTITY_KINDS = {
    "un": Affiliation.Kind.UNITED_NATIONS,
    "igo": Affiliation.Kind.ORGANIZATION,
    "ngo": Affiliation.Kind.CIVIL_SOCIETY,
    "civil_society": Affiliation.Kind.CIVIL_SOCIETY,
    "academia": Affiliation.Kind.CIVIL_SOCIETY,
    "company": Affiliation.Kind.OTHER,
    "other": Affiliation.Kind.OTHER,
    "state": Affiliation.Kind.OTHER,  # non-member States and territories: Kosovo, Niue, ...
}


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70] or "affiliation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def load_affiliations_and_aliases(
    *, data_dir: Path, fixtures_dir: Path | None = None
) -> LoadResult:
    """Affiliations (fixtures/affiliations.csv, then the corpus crosswalk's non-member labels)
    and every known spelling of a State or body as a NameAlias row."""
    result = LoadResult("affiliations and aliases")
    fixtures = _fixture_dir(fixtures_dir)
    with transaction.atomic():
        existing_slugs = dict(Affiliation.objects.values_list("name", "slug"))
        taken = set(existing_slugs.values())

        def affiliation_row(name: str, short_name: str, kind: str) -> dict:
            slug = existing_slugs.get(name) or _unique_slug(name, taken)
            existing_slugs[name] = slug
            return {"name": name, "short_name": short_name[:40], "kind": kind, "slug": slug}

        core_rows, core_aliases = [], []
        for line, row, report in _rows(fixtures, "affiliations.csv", result, comments=True):
            if row["kind"] not in Affiliation.Kind.values:
                report(line, "invalid_kind", f"{row['name']}: kind {row['kind']!r}")
                continue
            core_rows.append(affiliation_row(row["name"].strip(), row["short_name"], row["kind"]))
            core_aliases += [
                (a.strip(), row["name"].strip(), line)
                for a in row["aliases"].split("|")
                if a.strip()
            ]
        aff_fields = ["short_name", "kind", "slug"]
        result.add_sync(
            "Affiliation",
            sync_rows(Affiliation, key=("name",), rows=core_rows, fields=aff_fields),
        )

        resolver = NameResolver.load()
        # Aliases to write: normalised key -> (printed name, state id, affiliation name, source).
        candidates: list[tuple[str, int | None, str | None, str, _Reporter, int | None]] = []

        def state_alias(name, state_id, source, report, line):
            candidates.append((name, state_id, None, source, report, line))

        def affiliation_alias(name, affiliation_name, source, report, line):
            candidates.append((name, None, affiliation_name, source, report, line))

        # Spellings of member states: the member-state list and country-converter.
        for line, row, report in _rows(data_dir, MEMBER_STATES_CSV, result):
            match = resolver.by_iso3(row["iso3"])
            if match:
                for column in ("name", "official_name", "name_variant_2"):
                    if row[column].strip():
                        state_alias(
                            row[column].strip(),
                            match.member_state_id,
                            "un_member_states",
                            report,
                            line,
                        )
        for line, row, report in _rows(
            data_dir, COUNTRY_CONVERTER_TSV, result, delimiter="\t", pad=True
        ):
            match = resolver.by_iso3(row.get("ISO3", ""))
            if match and match.is_member_state:
                for column in ("name_short", "name_official"):
                    if row[column].strip():
                        state_alias(
                            row[column].strip(),
                            match.member_state_id,
                            "country_converter",
                            report,
                            line,
                        )
        for state_id, name, official_name in MemberState.objects.values_list(
            "pk", "name", "official_name"
        ):
            state_alias(name, state_id, "member_state", None, None)
            if official_name:
                state_alias(official_name, state_id, "member_state", None, None)
        fixture_report = _Reporter(result, "fixtures/name_aliases.csv")
        for line, row, report in _rows(fixtures, "name_aliases.csv", result, comments=True):
            target = row["target"].strip()
            if target.startswith("affiliation:"):
                affiliation_alias(
                    row["name"].strip(), target.split(":", 1)[1], "fixture", report, line
                )
            elif resolver.by_iso3(target):
                state_alias(
                    row["name"].strip(),
                    resolver.by_iso3(target).member_state_id,
                    "fixture",
                    report,
                    line,
                )
            else:
                fixture_report(line, "unknown_target", f"{row['name']}: target {target!r}")
        aff_report = _Reporter(result, "fixtures/affiliations.csv")
        for alias, name, line in core_aliases:
            affiliation_alias(alias, name, "fixture", aff_report, line)
        for row in core_rows:
            if row["short_name"]:
                affiliation_alias(row["short_name"], row["name"], "fixture", None, None)
        for printed, (what, ref) in BUILTIN_VARIANTS.items():
            if what == "state" and resolver.by_iso3(ref):
                state_alias(printed, resolver.by_iso3(ref).member_state_id, "builtin", None, None)
            elif what == "affiliation":
                affiliation_alias(printed, ref, "builtin", None, None)

        # The corpus crosswalk: states by the resolver (which knows Zaire, Yugoslavia, ...) or
        # ISO3; everything else is an affiliation, new unless the resolver already knows it.
        new_affiliations: dict[str, dict] = {}
        labels: dict[str, tuple[int | None, str | None]] = {}
        for line, row, report in _rows(data_dir, ENTITIES_CSV, result, comments=True):
            label = row["country_org"].strip()
            entity_type = row["entity_type"].strip()
            if entity_type not in _ENTITY_KINDS:
                report(line, "unknown_entity_type", f"{label}: {entity_type!r}")
                continue
            match = resolver.resolve(label, record=False)
            if entity_type == "state" and match is None:
                match = resolver.by_iso3(row["iso3"])
            if match is not None:
                if match.is_member_state:
                    state_alias(label, match.member_state_id, "entities", report, line)
                    labels[normalise_key(label)] = (match.member_state_id, None)
                else:
                    affiliation_alias(label, match.name, "entities", report, line)
                    labels[normalise_key(label)] = (None, match.name)
                continue
            if entity_type == "state" and row["iso3"].strip():
                report(
                    line,
                    "non_member_state",
                    f"{label} ({row['iso3']}) is not a Member State: kept as affiliation",
                )
            new_affiliations.setdefault(
                normalise_key(label),
                affiliation_row(label, "", _ENTITY_KINDS[entity_type]),
            )
            new_name = new_affiliations[normalise_key(label)]["name"]
            labels[normalise_key(label)] = (None, new_name)
            affiliation_alias(label, new_name, "entities", report, line)
        result.add_sync(
            "Affiliation",
            sync_rows(
                Affiliation, key=("name",), rows=list(new_affiliations.values()), fields=aff_fields
            ),
        )
        for line, row, report in _rows(data_dir, COUNTRY_ALIASES_CSV, result, comments=True):
            target = labels.get(normalise_key(row["canonical"]))
            if target is None:
                match = resolver.resolve(row["canonical"], record=False)
                target = match and (
                    match.member_state_id,
                    None if match.is_member_state else match.name,
                )
            if not target:
                report(line, "unmatched_name", f"canonical {row['canonical']!r} unknown")
                continue
            if target[0]:
                state_alias(row["alias"].strip(), target[0], "country_aliases", report, line)
            else:
                affiliation_alias(row["alias"].strip(), target[1], "country_aliases", report, line)

        # Spellings the membership and votes tables print, where they resolve; the steps that
        # read those files report the ones that do not.
        for relative, column in ((TERMS_CSV, "country"), (VOTES_CSV, "Member State")):
            seen: set[str] = set()
            for line, row, report in _rows(data_dir, relative, result):
                name = row[column].strip()
                if name in seen:
                    continue
                seen.add(name)
                match = resolver.resolve(name, record=False)
                if match and match.is_member_state:
                    state_alias(name, match.member_state_id, relative.split("/")[0], report, line)

        affiliation_ids = dict(Affiliation.objects.values_list("name", "pk"))
        alias_rows: dict[str, dict] = {}
        for name, state_id, affiliation_name, source, report, line in candidates:
            key = normalise_name(name)
            if not key:
                continue
            affiliation_id = affiliation_ids.get(affiliation_name) if affiliation_name else None
            if state_id is None and affiliation_id is None:
                if report:
                    report(line, "unknown_target", f"{name}: affiliation {affiliation_name!r}")
                continue
            row = {
                "normalised": key[:200],
                "name": name[:200],
                "member_state_id": state_id,
                "affiliation_id": affiliation_id,
                "source": source,
            }
            first = alias_rows.get(key)
            if first is None:
                alias_rows[key] = row
            elif report and (first["member_state_id"], first["affiliation_id"]) != (
                state_id,
                affiliation_id,
            ):
                report(
                    line,
                    "alias_conflict",
                    f"{name!r} already names another target (from {first['source']}); first kept",
                )
        result.add_sync(
            "NameAlias",
            sync_rows(
                NameAlias,
                key=("normalised",),
                rows=alias_rows.values(),
                fields=["name", "member_state_id", "affiliation_id", "source"],
            ),
        )
    return result


# --------------------------------------------------------------------------- council terms


def load_council_terms(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """Every Council term 1946-2026; each country name must resolve to a MemberState."""
    result = LoadResult("council terms")
    resolver = resolver or NameResolver.load()
    rows = {}
    for line, row, report in _rows(data_dir, TERMS_CSV, result):
        match = resolver.resolve(row["country"], record=False)
        start, end = _int(row["start_year"]), _int(row["end_year"])
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"country {row['country']!r} is not a Member State")
            continue
        if start is None or end is None or row["seat"] not in CouncilTerm.Seat.values:
            report(line, "invalid_term", f"{row['country']}: {row['seat']} {start}-{end}")
            continue
        key = (match.member_state_id, start)
        if key in rows:
            report(line, "duplicate_term", f"{row['country']} {start} listed twice")
            continue
        rows[key] = {
            "member_state_id": match.member_state_id,
            "start_year": start,
            "end_year": end,
            "seat": row["seat"],
            "note": row["note"].strip(),
        }
    with transaction.atomic():
        result.add_sync(
            "CouncilTerm",
            sync_rows(
                CouncilTerm,
                key=("member_state_id", "start_year"),
                rows=rows.values(),
                fields=["end_year", "seat", "note"],
            ),
        )
    return result


# --------------------------------------------------------------------------- meetings

_SPV = re.compile(r"^\s*S/PV\.\s*(\d{1,5})\s*(?:\(\s*Resumption\s*(\d*)\s*\))?", re.IGNORECASE)


def parse_meeting_symbol(value: str) -> tuple[int, int | None] | None:
    """(meeting number, resumption) from "S/PV.8699 (Resumption 1)", "S/PV.3652(Resumption 1)",
    "S/PV.733 (closed)"; "(Resumption)" without a number is resumption 1."""
    match = _SPV.match(value or "")
    if not match:
        return None
    resumption = None
    if match.group(2) is not None:
        resumption = int(match[2]) if match[2] else 1
    return int(match[1]), resumption


def meeting_symbol(number: int, resumption: int | None) -> str:
    """The printed symbol: S/PV.8514 or S/PV.8699 (Resumption 1)."""
    return f"S/PV.{number}" + (f" (Resumption {resumption})" if resumption else "")


def _topics(value: str) -> list[str]:
    return [" ".join(t.split()) for t in (value or "").split(" | ") if t.strip()]


def agenda_slug(title: str) -> str:
    """The AgendaItem key: titles differing only in case or punctuation are one item."""
    return slugify(title)[:120].strip("-") or "item"


def load_meetings(*, data_dir: Path) -> LoadResult:
    """One Meeting per S/PV symbol (rows of one meeting x several agenda items are merged) and
    an AgendaItem per distinct topic (meetings and resolutions). Letter-procedure rows of the
    2020-21 videoconference period are skipped as meetings and reported."""
    result = LoadResult("meetings")
    meetings: dict[tuple[int, int | None], dict] = {}
    agenda_titles: dict[str, str] = {}
    for line, row, report in _rows(data_dir, MEETINGS_CSV, result):
        topics = _topics(row["topic"])
        for topic in topics:
            agenda_titles.setdefault(agenda_slug(topic), topic[:500])
        record = row["meeting_record"].strip()
        if record == "--":
            report(
                line,
                "letter_procedure_skipped",
                f"videoconference/letter row {row['date']} {row['letter_vote_procedure']!r}",
            )
            continue
        parsed = parse_meeting_symbol(row["meeting_symbols"] or record)
        if parsed is None:
            report(
                line,
                "missing_symbol",
                f"no S/PV symbol ({row['year']} {row['date_text']!r} {row['topic'][:60]!r})",
            )
            continue
        year = _int(row["year"])
        date = _date(row["date"])
        if date is None and year:
            date = date_from_text(row["date_text"], year)
            report(
                line,
                "date_from_text" if date else "missing_date",
                f"{meeting_symbol(*parsed)}: date {row['date_text']!r} -> {date}",
            )
        meeting = meetings.get(parsed)
        if meeting is None:
            meeting = meetings[parsed] = {
                "meeting_number": parsed[0],
                "resumption": parsed[1],
                "symbol": meeting_symbol(*parsed),
                "kind": Meeting.Kind.VERBATIM_RECORD,
                "date": date,
                "agenda": [],
                "first_topic": topics[0] if topics else "",
                "outcome": [],
                "press_release": row["press_release"].strip()[:60],
                "source": Meeting.Source.REFERENCE,
                "line": line,
            }
        elif date and meeting["date"] and date != meeting["date"]:
            report(
                line,
                "conflicting_date",
                f"{meeting['symbol']}: {date} here, {meeting['date']} on line {meeting['line']};"
                " earliest kept",
            )
            meeting["date"] = min(date, meeting["date"])
        meeting["date"] = meeting["date"] or date
        for topic in topics:
            if topic not in meeting["agenda"]:
                meeting["agenda"].append(topic)
        outcome = row["outcome"].strip()
        if outcome and outcome != "--" and outcome not in meeting["outcome"]:
            meeting["outcome"].append(outcome)
    for _line, row, _report in _rows(data_dir, RESOLUTIONS_CSV, result):
        for topic in _topics(row["topic"]):
            agenda_titles.setdefault(agenda_slug(topic), topic[:500])

    with transaction.atomic():
        # Two slugs may share a title only if the title is long and truncated; keep one.
        seen_titles: set[str] = set()
        agenda_rows = []
        for slug, title in agenda_titles.items():
            if title in seen_titles:
                continue
            seen_titles.add(title)
            agenda_rows.append({"slug": slug, "title": title})
        outcome = sync_rows(AgendaItem, key=("slug",), rows=agenda_rows, fields=["title"])
        result.add_sync("AgendaItem", outcome)
        agenda_ids = {k[0]: pk for k, pk in outcome.pks.items()}
        rows = []
        for meeting in meetings.values():
            first_topic = meeting.pop("first_topic")
            slug = agenda_slug(first_topic) if first_topic else None
            meeting.pop("line")
            meeting["agenda_item_id"] = agenda_ids.get(slug) if slug else None
            meeting["outcome"] = "\n".join(meeting["outcome"])
            rows.append(meeting)
        result.add_sync(
            "Meeting",
            sync_rows(
                Meeting,
                key=("meeting_number", "resumption"),
                rows=rows,
                fields=[
                    "symbol",
                    "kind",
                    "date",
                    "agenda",
                    "agenda_item_id",
                    "outcome",
                    "press_release",
                    "source",
                ],
                # A record imported from a PDF or the corpus is richer than this table.
                keep=lambda current: current["source"] != Meeting.Source.REFERENCE,
            ),
        )
    return result


# --------------------------------------------------------------------------- resolutions

_RES_SYMBOL = re.compile(r"S/RES/(\d{1,4})\s*\((\d{4})\)")
_RES_FREE = re.compile(
    r"^\s*(?:S/RES/|Resolution\s+)?(\d{1,4})\s*(?:\(\s*(\d{4})\s*\)?|/(\d{4}))?\s*$",
    re.IGNORECASE,
)
_TALLY = re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{1,2})\b")


def parse_resolution_label(value: str) -> tuple[int, int | None] | None:
    """(number, year) from the votes file's free text: "2467 (2019)", "2367(2017)",
    "Resolution 2618 (2022)", "2541 (2020", "S/RES/2673 (2023)"; None for "Missing" or ""."""
    match = _RES_FREE.match((value or "").replace("\xa0", " "))
    if not match:
        return None
    year = match[2] or match[3]
    return int(match[1]), int(year) if year else None


def _clean_draft_title(title: str) -> str:
    """ "Draft resolution [on sexual violence in armed conflict]" -> "On sexual violence ..." """
    title = " ".join((title or "").split())
    match = re.match(
        r"^(?:Joint\s+|Revised\s+)?draft resolution\s*\[(.+?)\]?\s*\.?$", title, re.IGNORECASE
    )
    if match:
        inner = match[1].strip().rstrip("]").strip()
        return inner[:1].upper() + inner[1:]
    return title


def _seats(year: int) -> int:
    return 11 if year < 1966 else 15


def _resolution_vote_fields(row: dict, year: int) -> dict:
    """Outcome and tally of an adopted resolution from the resolutions table."""
    yes, no, abstain = (_int(row[c]) for c in ("vote_yes", "vote_no", "vote_abstain"))
    note = row["vote_note"].strip().lower()
    outcome_text = row["outcome_text"].lower()
    if yes is not None:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": (yes, no or 0, abstain or 0)}
    if "unanimous" in note:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": (_seats(year), 0, 0)}
    if re.search(r"without (?:a )?vote|by consensus|by acclamation", outcome_text):
        return {"outcome": Vote.Outcome.ADOPTED_WITHOUT_VOTE, "counts": (None, None, None)}
    tallies = _TALLY.findall(row["outcome_text"])
    if len(tallies) == 1:
        return {"outcome": Vote.Outcome.ADOPTED, "counts": tuple(int(t) for t in tallies[0])}
    return {"outcome": Vote.Outcome.ADOPTED, "counts": (None, None, None)}


def load_resolutions(*, data_dir: Path) -> LoadResult:
    """Resolutions 1-2640 with their meeting, agenda item, draft symbol and title, and the Vote
    that adopted each."""
    result = LoadResult("resolutions")
    drafts: dict[int, tuple[str, str]] = {}
    for line, row, report in _rows(data_dir, DRAFTS_CSV, result):
        symbols = _RES_SYMBOL.findall(row["resolution_symbol"])
        if row["resolution_symbol"].strip() and not symbols:
            bare = re.fullmatch(r"S/RES/(\d{1,4})", row["resolution_symbol"].strip())
            if bare:
                symbols = [(bare[1], "")]
            else:
                report(line, "unparsed_symbol", f"resolution_symbol {row['resolution_symbol']!r}")
        for number, _year in symbols:
            title = _clean_draft_title(row["title"])
            current = drafts.get(int(number))
            # Keep the first draft with a title: revised drafts repeat the resolution symbol.
            if current is None or (not current[1] and title):
                drafts[int(number)] = (row["draft_symbol"].strip()[:40], title)

    meeting_ids = {
        (n, r): pk for pk, n, r in Meeting.objects.values_list("pk", "meeting_number", "resumption")
    }
    agenda_ids = dict(AgendaItem.objects.values_list("slug", "pk"))
    resolutions, votes = {}, {}
    for line, row, report in _rows(data_dir, RESOLUTIONS_CSV, result):
        number, year = _int(row["resolution_number"]), _int(row["resolution_year"])
        if not number or not year:
            report(line, "invalid_resolution", f"number/year {row['symbol']!r}")
            continue
        if number in resolutions:
            report(line, "duplicate_resolution", f"{row['symbol']} listed twice")
            continue
        meetings = [m for m in row["meetings"].split(";") if m.strip()]
        parsed = parse_meeting_symbol(meetings[0]) if meetings else None
        meeting_id = meeting_ids.get(parsed) if parsed else None
        if parsed and meeting_id is None:
            report(line, "unmatched_meeting", f"{row['symbol']}: meeting {meetings[0]} not loaded")
        topics = _topics(row["topic"])
        draft_symbol, title = drafts.get(number, ("", ""))
        adopted_on = _date(row["date"])
        if adopted_on is None:
            report(line, "missing_date", f"{row['symbol']} has no date")
        elif adopted_on.year != year:
            # The date comes from the year's own table page; the symbol was mistyped.
            report(
                line,
                "year_from_date",
                f"{row['symbol']} adopted on {adopted_on}: year {adopted_on.year} used",
            )
            year = adopted_on.year
        resolutions[number] = {
            "number": number,
            "year": year,
            "adopted_on": adopted_on,
            "meeting_id": meeting_id,
            "meeting_symbol": row["meetings"].strip()[:60],
            "agenda_item_id": agenda_ids.get(agenda_slug(topics[0])) if topics else None,
            "title": title or "; ".join(topics),
            "draft_symbol": draft_symbol,
        }
        fields = _resolution_vote_fields(row, year)
        votes[number] = {
            "meeting_id": meeting_id,
            "date": adopted_on,
            "subject": Vote.Subject.DRAFT_RESOLUTION,
            "draft_symbol": draft_symbol,
            "outcome": fields["outcome"],
            "in_favour_count": fields["counts"][0],
            "against_count": fields["counts"][1],
            "abstaining_count": fields["counts"][2],
            "source": RESOLUTIONS_SOURCE,
        }
    with transaction.atomic():
        # A resolution whose vote a record import owns keeps what the record gave it (its
        # meeting above all); this table only fills in what is missing, such as the title.
        recorded = _resolutions_from_records()
        outcome = sync_rows(
            Resolution,
            key=("number",),
            rows=resolutions.values(),
            fields=[
                "year",
                "adopted_on",
                "meeting_id",
                "meeting_symbol",
                "agenda_item_id",
                "title",
                "draft_symbol",
            ],
            fill_blank=lambda current: current["pk"] in recorded,
        )
        result.add_sync("Resolution", outcome)
        vote_rows = []
        for (number,), pk in outcome.pks.items():
            if number in votes:
                vote_rows.append({**votes[number], "resolution_id": pk})
        result.add_sync(
            "Vote",
            sync_rows(
                Vote,
                key=("resolution_id",),
                rows=vote_rows,
                fields=[
                    "meeting_id",
                    "date",
                    "subject",
                    "draft_symbol",
                    "outcome",
                    "in_favour_count",
                    "against_count",
                    "abstaining_count",
                    "source",
                ],
                queryset=Vote.objects.filter(resolution__isnull=False),
                fill_blank=_from_record,
            ),
        )
    return result


def _resolutions_from_records() -> set[int]:
    """Pks of the resolutions whose adopting vote a record import wrote."""
    return set(
        Vote.objects.from_records()
        .filter(resolution__isnull=False)
        .values_list("resolution_id", flat=True)
    )


def _claim_by_records(rows: list[dict]) -> tuple[list[dict], int]:
    """Drop the failed-draft rows that a vote from an imported record already stands for.

    Matched like the importer matches a reference vote: the same meeting (or, without one, the
    same date), then the same draft symbol, else the same outcome and tally (the votes file
    records an amendment as a vote on the draft it amends). Each recorded vote stands for one
    row. Returns the rows left and how many were claimed.
    """
    recorded = list(
        Vote.objects.from_records()
        .failed()
        .filter(resolution__isnull=True)
        .values(
            "pk",
            "meeting_id",
            "date",
            "draft_symbol",
            "outcome",
            "in_favour_count",
            "against_count",
            "abstaining_count",
        )
    )
    if not recorded:
        return rows, 0
    taken: set[int] = set()
    left = []
    for row in rows:
        same_place = [
            v
            for v in recorded
            if v["pk"] not in taken
            and (
                v["meeting_id"] == row["meeting_id"]
                if row["meeting_id"] is not None
                else (row["date"] is not None and v["date"] == row["date"])
            )
        ]
        tally = ("outcome", "in_favour_count", "against_count", "abstaining_count")
        found = next(
            (
                v
                for v in same_place
                if row["draft_symbol"] and v["draft_symbol"] == row["draft_symbol"]
            ),
            None,
        ) or next((v for v in same_place if all(v[f] == row[f] for f in tally)), None)
        if found is None:
            left.append(row)
        else:
            taken.add(found["pk"])
    return left, len(rows) - len(left)


# --------------------------------------------------------------------------- votes by member

_POSITIONS = {
    "yes": MemberVote.Position.IN_FAVOUR,
    "no": MemberVote.Position.AGAINST,
    "abstain": MemberVote.Position.ABSTAINING,
}
_VOTE_FIELDS = [
    "meeting_id",
    "date",
    "subject",
    "draft_symbol",
    "description",
    "resolution_id",
    "outcome",
    "in_favour_count",
    "against_count",
    "abstaining_count",
    "source",
]


_DRAFT_SYMBOL = re.compile(r"^(S/(?:\d{4}/)?\d+(?:/Rev\.\d+)?)\b(.*)$")


def reliable_votes_file_date(value: str) -> datetime.date | None:
    """A date from the votes file only where a day/month swap cannot have produced it."""
    date = _date(value)
    return date if date and date.day > 12 else None


def _permanent_members(year: int, terms: list[tuple[int, int, int]]) -> set[int]:
    return {state for state, start, end in terms if start <= year <= end}


def _counts(positions: Iterable[str]) -> tuple[int, int, int]:
    counts = Counter(positions)
    return (
        counts[MemberVote.Position.IN_FAVOUR],
        counts[MemberVote.Position.AGAINST],
        counts[MemberVote.Position.ABSTAINING],
    )


def _meeting_from_votes_file(value: str) -> tuple[int, int | None] | None:
    value = (value or "").strip()
    if value.isdigit():
        return int(value), None
    if value.upper().startswith("PV."):
        value = "S/" + value
    return parse_meeting_symbol(value)


def load_member_votes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """How each member voted 1994-2025: attached to the adopting Vote of each resolution, or to
    a Vote for each failed draft (vetoed / not adopted). Resolutions after 2640 that only this
    file knows are created (date: see ``reliable_votes_file_date``)."""
    result = LoadResult("votes by member")
    resolver = resolver or NameResolver.load()
    events: dict[str, dict] = {}
    for line, row, report in _rows(data_dir, VOTES_CSV, result):
        event = events.get(row["ID"])
        if event is None:
            event = events[row["ID"]] = {"row": row, "line": line, "members": {}}
        match = resolver.resolve(row["Member State"], record=False)
        if match is None or not match.is_member_state:
            report(line, "unmatched_name", f"member {row['Member State']!r} (event {row['ID']})")
            continue
        position = _POSITIONS.get(row["Vote"].strip().lower())
        if position is None:
            report(line, "invalid_position", f"vote {row['Vote']!r} (event {row['ID']})")
            continue
        if match.member_state_id in event["members"]:
            report(
                line,
                "duplicate_member_vote",
                f"{row['Member State']} votes twice in event {row['ID']}; first kept",
            )
            continue
        event["members"][match.member_state_id] = position

    report = _Reporter(result, VOTES_CSV)
    meetings = {
        (n, r): (pk, d)
        for pk, n, r, d in Meeting.objects.values_list("pk", "meeting_number", "resumption", "date")
    }
    resolutions = {
        number: (pk, year, adopted_on)
        for pk, number, year, adopted_on in Resolution.objects.values_list(
            "pk", "number", "year", "adopted_on"
        )
    }
    # Resolutions the UN Library table knows; the others are this file's to create and update.
    table_numbers = set(
        Resolution.objects.filter(vote__source=RESOLUTIONS_SOURCE).values_list("number", flat=True)
    )
    permanent = list(
        CouncilTerm.objects.filter(seat=CouncilTerm.Seat.PERMANENT).values_list(
            "member_state_id", "start_year", "end_year"
        )
    )
    new_resolutions: dict[int, dict] = {}
    adopted: list[tuple[int, dict]] = []  # (resolution number, event)
    failed_votes: list[dict] = []
    failed_members: dict[str, dict[int, str]] = {}
    undated = 0
    for event_id, event in events.items():
        row, line = event["row"], event["line"]
        label, draft = row["Resolution"].strip(), row["Draft"].strip()
        if label.startswith("S/") and not label.startswith("S/RES") and draft.startswith("S/RES"):
            report(
                line,
                "swapped_columns",
                f"event {event_id}: Resolution {label!r} and Draft {draft!r} swapped",
            )
            label, draft = draft, label
        meeting = _meeting_from_votes_file(row["Meeting"])
        meeting_id, meeting_date = meetings.get(meeting, (None, None)) if meeting else (None, None)
        outcome_text = row["Outcome results"].strip().lower()
        # "S/2007/14 as orally revised": the symbol, and the rest as a description.
        symbol_match = _DRAFT_SYMBOL.match(draft)
        draft_note = symbol_match[2].strip() if symbol_match else ""
        if symbol_match:
            draft = symbol_match[1]
        if outcome_text.startswith("not adopted"):
            date = meeting_date or reliable_votes_file_date(row["Date"])
            undated += date is None
            vetoed = "veto" in outcome_text
            is_amendment = "amendment" in draft.lower()
            counts = _counts(event["members"].values())
            description = [draft if is_amendment else "", draft_note]
            if meeting_id is None and row["Meeting"].strip():
                description.append(f"Meeting as given by the votes file: {row['Meeting'].strip()}")
            failed_votes.append(
                {
                    "meeting_id": meeting_id,
                    "date": date,
                    "subject": Vote.Subject.AMENDMENT
                    if is_amendment
                    else Vote.Subject.DRAFT_RESOLUTION,
                    "draft_symbol": "" if is_amendment else draft[:40],
                    "description": ". ".join(d for d in description if d),
                    "resolution_id": None,
                    "outcome": Vote.Outcome.VETOED if vetoed else Vote.Outcome.NOT_ADOPTED,
                    "in_favour_count": counts[0],
                    "against_count": counts[1],
                    "abstaining_count": counts[2],
                    "source": f"{VOTES_SOURCE} #{event_id}",
                }
            )
            year = date.year if date else _int(row["Year"]) or 0
            vetoers = _permanent_members(year, permanent) if vetoed else set()
            failed_members[f"{VOTES_SOURCE} #{event_id}"] = {
                state: (position, state in vetoers and position == MemberVote.Position.AGAINST)
                for state, position in event["members"].items()
            }
            continue
        parsed = parse_resolution_label(label)
        if parsed is None:
            report(
                line,
                "missing_resolution_number",
                f"event {event_id} ({row['Outcome results']}, draft {draft!r}, "
                f"meeting {row['Meeting']!r}): Resolution {label!r}; skipped",
            )
            continue
        number, year = parsed
        year = year or _int(row["Year"])
        if number in table_numbers:
            if year and resolutions[number][1] != year:
                report(
                    line,
                    "conflicting_year",
                    f"event {event_id}: {number} ({year}) but table says {resolutions[number][1]}",
                )
        elif number not in new_resolutions:
            date = meeting_date or reliable_votes_file_date(row["Date"])
            undated += date is None
            new_resolutions[number] = {
                "number": number,
                "year": year,
                "adopted_on": date,
                "meeting_id": meeting_id,
                "meeting_symbol": row["Meeting"].strip()[:60],
                "agenda_item_id": None,
                "title": " ".join(row["Agenda item"].split()),
                "draft_symbol": draft[:40],
                "_event": event,
            }
        adopted.append((number, event))
    if undated:
        report(
            None,
            "undated_vote",
            f"{undated} votes have no reliable date (day <= 12 in the votes file and no "
            "meeting or resolution date to check it against): left empty",
        )

    with transaction.atomic():
        recorded = _resolutions_from_records()
        rows = [{k: v for k, v in r.items() if k != "_event"} for r in new_resolutions.values()]
        outcome = sync_rows(
            Resolution,
            key=("number",),
            rows=rows,
            fields=[
                "year",
                "adopted_on",
                "meeting_id",
                "meeting_symbol",
                "title",
                "draft_symbol",
            ],
            queryset=Resolution.objects.filter(number__in=list(new_resolutions)),
            fill_blank=lambda current: current["pk"] in recorded,
        )
        result.add_sync("Resolution", outcome)
        for (number,), pk in outcome.pks.items():
            new = new_resolutions[number]
            resolutions[number] = (pk, new["year"], new["adopted_on"])
        # Votes for resolutions this file created (the table's own votes exist already).
        vote_rows = []
        for number, r in new_resolutions.items():
            counts = _counts(r["_event"]["members"].values())
            outcome_text = r["_event"]["row"]["Outcome results"].lower()
            without_vote = "consensus" in outcome_text or "acclamation" in outcome_text
            vote_rows.append(
                {
                    "meeting_id": r["meeting_id"],
                    "date": r["adopted_on"],
                    "subject": Vote.Subject.DRAFT_RESOLUTION,
                    "draft_symbol": r["draft_symbol"],
                    "description": "",
                    "resolution_id": resolutions[number][0],
                    "outcome": Vote.Outcome.ADOPTED_WITHOUT_VOTE
                    if without_vote
                    else Vote.Outcome.ADOPTED,
                    "in_favour_count": None if without_vote else counts[0],
                    "against_count": None if without_vote else counts[1],
                    "abstaining_count": None if without_vote else counts[2],
                    "source": VOTES_SOURCE,
                }
            )
        result.add_sync(
            "Vote",
            sync_rows(
                Vote,
                key=("resolution_id",),
                rows=vote_rows,
                fields=_VOTE_FIELDS,
                queryset=Vote.objects.filter(resolution__isnull=False),
                fill_blank=_from_record,
            ),
        )
        # The record's reading of a failed draft wins; a vote this file made for it earlier
        # (before the record was imported) is then stale and deleted below.
        failed_votes, claimed = _claim_by_records(failed_votes)
        result.unchanged["Vote"] += claimed
        failed = sync_rows(
            Vote,
            key=("source",),
            rows=failed_votes,
            fields=_VOTE_FIELDS,
            queryset=Vote.objects.filter(source__startswith=f"{VOTES_SOURCE} #"),
        )
        result.add_sync("Vote", failed)
        result.deleted["Vote"] += _delete_stale_votes(f"{VOTES_SOURCE} #", failed)

        # Member votes of a recorded vote are the record's: this file does not touch them.
        vote_by_resolution = dict(
            Vote.objects.filter(resolution__isnull=False)
            .exclude(source__in=Vote.RECORD_SOURCES)
            .values_list("resolution_id", "pk")
        )
        member_rows: dict[tuple[int, int], dict] = {}
        tallies = {
            pk: (a, b, c)
            for pk, a, b, c in Vote.objects.filter(resolution__isnull=False).values_list(
                "pk", "in_favour_count", "against_count", "abstaining_count"
            )
        }
        for number, event in adopted:
            if resolutions[number][0] in recorded:
                continue
            vote_id = vote_by_resolution.get(resolutions[number][0])
            if vote_id is None:
                report(event["line"], "missing_vote", f"resolution {number} has no Vote")
                continue
            tally = tallies.get(vote_id)
            counted = _counts(event["members"].values())
            if tally and None not in tally and tally != counted:
                report(
                    event["line"],
                    "tally_mismatch",
                    f"resolution {number}: table {'-'.join(map(str, tally))}, member votes "
                    f"{'-'.join(map(str, counted))}",
                )
            for state, position in event["members"].items():
                member_rows.setdefault(
                    (vote_id, state),
                    {
                        "vote_id": vote_id,
                        "member_state_id": state,
                        "position": position,
                        "is_veto": False,
                    },
                )
        for (source,), vote_id in failed.pks.items():
            for state, (position, is_veto) in failed_members[source].items():
                member_rows[(vote_id, state)] = {
                    "vote_id": vote_id,
                    "member_state_id": state,
                    "position": position,
                    "is_veto": is_veto,
                }
        result.add_sync(
            "MemberVote",
            sync_rows(
                MemberVote,
                key=("vote_id", "member_state_id"),
                rows=member_rows.values(),
                fields=["position", "is_veto"],
                # A veto recorded from the veto list (load_vetoes) outranks this file.
                keep=lambda current: current["is_veto"],
            ),
        )
    return result


# --------------------------------------------------------------------------- vetoes


def _delete_stale_votes(prefix: str, outcome: SyncOutcome) -> int:
    """Remove votes an earlier run created from a row that no longer exists (these sources
    belong to this loader alone)."""
    current = [key[0] for key in outcome.pks]
    deleted, _ = (
        Vote.objects.filter(source__startswith=prefix, resolution__isnull=True)
        .exclude(source__in=current)
        .delete()
    )
    return deleted


def _us_date(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


def load_vetoes(*, data_dir: Path, resolver: NameResolver | None = None) -> LoadResult:
    """Every vetoed draft 1946-2022: matched to a failed Vote from the votes file by draft
    symbol (and meeting), or created; the vetoing members get MemberVote(is_veto=True)."""
    result = LoadResult("vetoes")
    resolver = resolver or NameResolver.load()
    meetings = {
        (n, r): (pk, d)
        for pk, n, r, d in Meeting.objects.values_list("pk", "meeting_number", "resumption", "date")
    }
    failed = defaultdict(list)
    for pk, draft, meeting_id, outcome in Vote.objects.filter(
        resolution__isnull=True, source__startswith=f"{VOTES_SOURCE} #"
    ).values_list("pk", "draft_symbol", "meeting_id", "outcome"):
        failed[draft].append((pk, meeting_id, outcome))
    recorded = defaultdict(list)  # failed drafts as an imported record gives them
    for draft, meeting_id, outcome in (
        Vote.objects.from_records()
        .failed()
        .filter(resolution__isnull=True)
        .exclude(draft_symbol="")
        .values_list("draft_symbol", "meeting_id", "outcome")
    ):
        recorded[draft].append((meeting_id, outcome))
    new_votes: dict[str, dict] = {}
    occurrence: Counter[str] = Counter()
    vetoers: dict[str, list[int]] = {}  # vote source or "pk:<id>" -> vetoing member ids
    for line, row, report in _rows(data_dir, VETOES_CSV, result):
        draft = " ".join(row["draft"].split())
        record = row["meeting_record"].strip()
        meeting = parse_meeting_symbol(record)
        meeting_id, meeting_date = meetings.get(meeting, (None, None)) if meeting else (None, None)
        if meeting and meeting_id is None:
            report(line, "unmatched_meeting", f"{draft}: meeting {record} not loaded")
        members = []
        for column in ("member_veto1", "member_veto2", "member_veto3"):
            name = row[column].strip()
            if not name:
                continue
            match = resolver.resolve(name, record=False)
            if match is None or not match.is_member_state:
                report(line, "unmatched_name", f"{draft}: vetoing member {name!r}")
                continue
            members.append(match.member_state_id)
        if not members:
            report(line, "no_vetoing_member", f"{draft}: no vetoing member could be matched")
            continue
        # The record's vote on the draft wins, member votes and veto flags included.
        from_record = [
            o
            for m, o in recorded.get(draft, [])
            if meeting_id is None or m is None or m == meeting_id
        ]
        if from_record:
            if Vote.Outcome.VETOED not in from_record:
                report(line, "outcome_conflict", f"{draft}: the imported record has no veto; kept")
            continue
        # Same draft, same meeting (or no meeting on either side) in the votes file.
        candidates = [
            (pk, m, o)
            for pk, m, o in failed.get(draft, [])
            if meeting_id is None or m is None or m == meeting_id
        ]
        vetoed = [c for c in candidates if c[2] == Vote.Outcome.VETOED]
        if vetoed:
            vetoers[f"pk:{vetoed[0][0]}"] = members
            continue
        if candidates:
            report(
                line,
                "outcome_conflict",
                f"{draft}: votes file says not adopted without a veto; veto list wins",
            )
        is_spv = draft.upper().startswith("S/PV")
        # Early drafts without an S/ symbol are named by their meeting: several per meeting.
        base = f"{VETOES_SOURCE} {draft} at {record.splitlines()[0] if record else '?'}"[:70]
        occurrence[base] += 1
        source = base if occurrence[base] == 1 else f"{base} #{occurrence[base]}"
        new_votes[source] = {
            "meeting_id": meeting_id,
            "date": meeting_date or _us_date(row["date"]),
            "subject": Vote.Subject.DRAFT_RESOLUTION,
            "draft_symbol": "" if is_spv else draft[:40],
            "description": " ".join(
                filter(
                    None,
                    [
                        "Draft without an S/ symbol, voted at this meeting." if is_spv else "",
                        row["agenda_item"].strip(),
                        "" if meeting_id or not record else f"Record: {' '.join(record.split())}",
                    ],
                )
            ),
            "resolution_id": None,
            "outcome": Vote.Outcome.VETOED,
            "in_favour_count": None,
            "against_count": None,
            "abstaining_count": None,
            "source": source,
        }
        vetoers[source] = members
    with transaction.atomic():
        # Merged: a failed vote the votes file did not call a veto becomes one.
        outcome = sync_rows(
            Vote,
            key=("source",),
            rows=new_votes.values(),
            fields=_VOTE_FIELDS,
            queryset=Vote.objects.filter(source__startswith=f"{VETOES_SOURCE} "),
        )
        result.add_sync("Vote", outcome)
        result.deleted["Vote"] += _delete_stale_votes(f"{VETOES_SOURCE} ", outcome)
        vote_ids = {}
        for key, members in vetoers.items():
            vote_id = int(key[3:]) if key.startswith("pk:") else outcome.pks[(key,)]
            vote_ids[vote_id] = members
        existing = {
            (v, s): (pk, p, veto)
            for pk, v, s, p, veto in MemberVote.objects.filter(
                vote_id__in=list(vote_ids)
            ).values_list("pk", "vote_id", "member_state_id", "position", "is_veto")
        }
        rows = []
        for vote_id, members in vote_ids.items():
            for state in members:
                current = existing.get((vote_id, state))
                if current and current[1] != MemberVote.Position.AGAINST:
                    result.problems.append(
                        Problem(
                            VETOES_CSV,
                            None,
                            "veto_position_conflict",
                            f"vote {vote_id}: veto list says member {state} vetoed, votes file says "
                            f"{current[1]}; veto list wins",
                        )
                    )
                rows.append(
                    {
                        "vote_id": vote_id,
                        "member_state_id": state,
                        "position": MemberVote.Position.AGAINST,
                        "is_veto": True,
                    }
                )
        result.add_sync(
            "MemberVote",
            sync_rows(
                MemberVote,
                key=("vote_id", "member_state_id"),
                rows=rows,
                fields=["position", "is_veto"],
                queryset=MemberVote.objects.filter(vote_id__in=list(vote_ids)),
            ),
        )
    return result


# --------------------------------------------------------------------------- texts

_TEXT_NAME = re.compile(r"^S-RES-(\d{1,4})\((\d{4})\)\.txt$")
_JOB_NUMBER = re.compile(r"^\s*\d{2}-\d{4,6}\s*\(E\).*$")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_BARCODE = re.compile(r"^\s*\*\d{5,}\*\s*$")


def decode_text(raw: bytes) -> str:
    """UTF-8 first (BOM dropped), Windows-1252 otherwise."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def clean_resolution_text(text: str, *, number: int, year: int) -> str:
    """Drop page furniture: job numbers ("00-72018 (E) ````"), repeated running headers
    ("S/RES/1325 (2000)" after its first appearance), page numbers and barcodes."""
    header = re.compile(rf"^\s*S/RES/{number}\s*\({year}\)\s*$")
    kept, seen_header = [], False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "").split("\n"):
        if _JOB_NUMBER.match(line) or _BARCODE.match(line) or _PAGE_NUMBER.match(line):
            continue
        if header.match(line):
            if seen_header:
                continue
            seen_header = True
        kept.append(line.rstrip())
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    return cleaned.strip()


_ADOPTED_ON = re.compile(
    r"Adopted by the Security Council at its \d+\w* meeting,? on (\d{1,2} \w+ \d{4})"
)


def _adoption_date(text: str) -> datetime.date | None:
    match = _ADOPTED_ON.search(text)
    if not match:
        return None
    try:
        return datetime.datetime.strptime(match[1], "%d %B %Y").date()
    except ValueError:
        return None


def load_resolution_texts(*, data_dir: Path) -> LoadResult:
    """The text of resolutions 1-2259 into Resolution.text, matched on the number (numbers run
    on across years; a few file names carry the wrong year). A resolution the tables lack
    (666, 695) is created from its text."""
    result = LoadResult("resolution texts")
    report = _Reporter(result, TEXTS_DIR)
    folder = data_dir / TEXTS_DIR
    if not folder.is_dir():
        report(None, "missing_file", f"folder not found: {folder}")
        return result
    existing = {
        n: (pk, y, text)
        for pk, n, y, text in Resolution.objects.values_list("pk", "number", "year", "text")
    }
    updates, missing = [], []
    unchanged = 0
    for path in sorted(folder.iterdir()):
        match = _TEXT_NAME.match(path.name)
        if not match:
            report(None, "unexpected_file", f"{path.name}: not S-RES-<n>(<year>).txt")
            continue
        number, year = int(match[1]), int(match[2])
        try:
            raw = decode_text(path.read_bytes())
        except OSError as error:
            report(None, "unreadable_file", f"{path.name}: {error}")
            continue
        current = existing.get(number)
        if current is None:
            report(None, "created_from_text", f"{path.name}: resolution not in the tables")
            text = clean_resolution_text(raw, number=number, year=year)
            missing.append(
                {"number": number, "year": year, "adopted_on": _adoption_date(text), "text": text}
            )
            continue
        if current[1] != year:
            report(
                None,
                "year_mismatch",
                f"{path.name}: the resolutions table has {number} ({current[1]})",
            )
        text = clean_resolution_text(raw, number=number, year=year)
        if text == current[2]:
            unchanged += 1
        else:
            updates.append(Resolution(pk=current[0], text=text))
    with transaction.atomic():
        Resolution.objects.bulk_update(updates, ["text"], batch_size=200)
        result.add_sync(
            "Resolution",
            sync_rows(
                Resolution,
                key=("number",),
                rows=missing,
                fields=["year", "adopted_on", "text"],
                queryset=Resolution.objects.filter(number__in=[r["number"] for r in missing]),
            ),
        )
    result.updated["Resolution.text"] = len(updates)
    result.unchanged["Resolution.text"] = unchanged
    return result


def load_resolution_citations(*, data_dir: Path) -> LoadResult:
    """The citation graph from the texts just loaded (archive.research.citations)."""
    from archive.research.citations import build_citations

    result = LoadResult("resolution citations")
    built = build_citations()
    result.created["ResolutionCitation"] = built.created
    result.updated["ResolutionCitation"] = built.updated
    result.deleted["ResolutionCitation"] = built.deleted
    result.unchanged["ResolutionCitation"] = built.citations - built.created - built.updated
    return result


# --------------------------------------------------------------------------- everything

STEPS = (
    "member_states",
    "affiliations_and_aliases",
    "council_terms",
    "meetings",
    "resolutions",
    "member_votes",
    "vetoes",
    "resolution_texts",
    "resolution_citations",
)


def load_reference_data(
    *,
    data_dir: Path | None = None,
    fixtures_dir: Path | None = None,
    progress: Callable[[LoadResult], None] | None = None,
) -> list[LoadResult]:
    """Run every step in order; each step is its own transaction. Returns one result per step."""
    data_dir = Path(data_dir or settings.COUNCIL_ARCHIVE_DATA)
    results = []

    def run(step: Callable[..., LoadResult], **kwargs) -> None:
        started = time.perf_counter()
        step_result = step(data_dir=data_dir, **kwargs)
        step_result.seconds = time.perf_counter() - started
        results.append(step_result)
        if progress:
            progress(step_result)

    run(load_member_states, fixtures_dir=fixtures_dir)
    run(load_affiliations_and_aliases, fixtures_dir=fixtures_dir)
    resolver = NameResolver.load()
    run(load_council_terms, resolver=resolver)
    run(load_meetings)
    run(load_resolutions)
    run(load_member_votes, resolver=resolver)
    run(load_vetoes, resolver=resolver)
    run(load_resolution_texts)
    run(load_resolution_citations)
    return results


def table_counts() -> dict[str, int]:
    """Rows per reference table, for reports and tests."""
    tables = [
        MemberState,
        Affiliation,
        NameAlias,
        CouncilTerm,
        AgendaItem,
        Meeting,
        Resolution,
        Vote,
        MemberVote,
    ]
    return {model.__name__: model.objects.count() for model in tables}
