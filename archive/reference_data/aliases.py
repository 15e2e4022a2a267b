"""Affiliations (UN bodies, organizations, observers) and every known spelling of a State or body
as a ``NameAlias``: from the member-state list, country-converter, the fixtures, the corpus
crosswalk (``entities.csv``, ``country_aliases.csv``) and the names the membership and votes
tables print. The first source to name a spelling wins; a later one naming another target is
reported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from archive.models import Affiliation, MemberState, NameAlias, normalise_name
from archive.names import BUILTIN_VARIANTS, NameResolver, normalise_key
from archive.reference_data.base import (
    COUNTRY_ALIASES_CSV,
    COUNTRY_CONVERTER_TSV,
    ENTITIES_CSV,
    MEMBER_STATES_CSV,
    TERMS_CSV,
    VOTES_CSV,
    LoadResult,
    Reporter,
    fixture_dir,
    rows,
    sync_rows,
)

ENTITY_KINDS = {
    "un": Affiliation.Kind.UNITED_NATIONS,
    "igo": Affiliation.Kind.ORGANIZATION,
    "ngo": Affiliation.Kind.CIVIL_SOCIETY,
    "civil_society": Affiliation.Kind.CIVIL_SOCIETY,
    "academia": Affiliation.Kind.CIVIL_SOCIETY,
    "company": Affiliation.Kind.OTHER,
    "other": Affiliation.Kind.OTHER,
    "state": Affiliation.Kind.OTHER,  # non-member States and territories: Kosovo, Niue, ...
}
AFFILIATION_FIELDS = ["short_name", "kind", "slug"]


def load_affiliations_and_aliases(
    *, data_dir: Path, fixtures_dir: Path | None = None
) -> LoadResult:
    """Affiliations (fixtures/affiliations.csv, then the corpus crosswalk's non-member labels)
    and every known spelling of a State or body as a NameAlias row."""
    result = LoadResult("affiliations and aliases")
    fixtures = fixture_dir(fixtures_dir)
    with transaction.atomic():
        slugs = _Slugs(dict(Affiliation.objects.values_list("name", "slug")))
        core_rows, core_aliases = _core_affiliations(fixtures, slugs, result)
        result.add_sync(
            "Affiliation",
            sync_rows(Affiliation, key=("name",), rows=core_rows, fields=AFFILIATION_FIELDS),
        )
        aliases = _Aliases(NameResolver.load())
        aliases.from_member_state_files(data_dir, result)
        aliases.from_fixtures(fixtures, core_rows, core_aliases, result)
        new_affiliations = aliases.from_entities(data_dir, slugs, result)
        result.add_sync(
            "Affiliation",
            sync_rows(Affiliation, key=("name",), rows=new_affiliations, fields=AFFILIATION_FIELDS),
        )
        aliases.from_country_aliases(data_dir, result)
        aliases.from_printed_names(data_dir, result)
        result.add_sync(
            "NameAlias",
            sync_rows(
                NameAlias,
                key=("normalised",),
                rows=aliases.rows(),
                fields=["name", "member_state_id", "affiliation_id", "source"],
            ),
        )
    return result


class _Slugs:
    """Affiliation slugs: kept for known names, unique for new ones."""

    def __init__(self, existing: dict[str, str]) -> None:
        self.by_name = existing
        self.taken = set(existing.values())

    def row(self, name: str, short_name: str, kind: str) -> dict:
        slug = self.by_name.get(name) or self._unique(name)
        self.by_name[name] = slug
        return {"name": name, "short_name": short_name[:40], "kind": kind, "slug": slug}

    def _unique(self, name: str) -> str:
        base = slugify(name)[:70] or "affiliation"
        slug, n = base, 2
        while slug in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug)
        return slug


def _core_affiliations(fixtures: Path, slugs: _Slugs, result: LoadResult):
    """fixtures/affiliations.csv: the rows and their (alias, name, line) spellings."""
    core_rows, core_aliases = [], []
    for line, row, report in rows(fixtures, "affiliations.csv", result, comments=True):
        if row["kind"] not in Affiliation.Kind.values:
            report(line, "invalid_kind", f"{row['name']}: kind {row['kind']!r}")
            continue
        core_rows.append(slugs.row(row["name"].strip(), row["short_name"], row["kind"]))
        core_aliases += [
            (a.strip(), row["name"].strip(), line) for a in row["aliases"].split("|") if a.strip()
        ]
    return core_rows, core_aliases


@dataclass
class _Candidate:
    name: str
    state_id: int | None
    affiliation_name: str | None
    source: str
    report: Reporter | None
    line: int | None


class _Aliases:
    """Spellings to write, in the order the sources are read (the first one wins)."""

    def __init__(self, resolver: NameResolver) -> None:
        self.resolver = resolver
        self.candidates: list[_Candidate] = []
        # The corpus crosswalk's labels -> (state id, affiliation name), for country_aliases.
        self.labels: dict[str, tuple[int | None, str | None]] = {}

    def state(self, name, state_id, source, report=None, line=None) -> None:
        self.candidates.append(_Candidate(name, state_id, None, source, report, line))

    def affiliation(self, name, affiliation_name, source, report=None, line=None) -> None:
        self.candidates.append(_Candidate(name, None, affiliation_name, source, report, line))

    def from_member_state_files(self, data_dir: Path, result: LoadResult) -> None:
        """The member-state list, country-converter, and the names in the database."""
        for line, row, report in rows(data_dir, MEMBER_STATES_CSV, result):
            match = self.resolver.by_iso3(row["iso3"])
            if match:
                for column in ("name", "official_name", "name_variant_2"):
                    if row[column].strip():
                        name = row[column].strip()
                        self.state(name, match.member_state_id, "un_member_states", report, line)
        for line, row, report in rows(
            data_dir, COUNTRY_CONVERTER_TSV, result, delimiter="\t", pad=True
        ):
            match = self.resolver.by_iso3(row.get("ISO3", ""))
            if match and match.is_member_state:
                for column in ("name_short", "name_official"):
                    if row[column].strip():
                        name = row[column].strip()
                        self.state(name, match.member_state_id, "country_converter", report, line)
        for state_id, name, official_name in MemberState.objects.values_list(
            "pk", "name", "official_name"
        ):
            self.state(name, state_id, "member_state")
            if official_name:
                self.state(official_name, state_id, "member_state")

    def from_fixtures(self, fixtures: Path, core_rows, core_aliases, result: LoadResult) -> None:
        """fixtures/name_aliases.csv, the affiliations' own spellings, the built-in variants."""
        fixture_report = Reporter(result, "fixtures/name_aliases.csv")
        for line, row, report in rows(fixtures, "name_aliases.csv", result, comments=True):
            target, name = row["target"].strip(), row["name"].strip()
            if target.startswith("affiliation:"):
                self.affiliation(name, target.split(":", 1)[1], "fixture", report, line)
            elif self.resolver.by_iso3(target):
                state_id = self.resolver.by_iso3(target).member_state_id
                self.state(name, state_id, "fixture", report, line)
            else:
                fixture_report(line, "unknown_target", f"{row['name']}: target {target!r}")
        aff_report = Reporter(result, "fixtures/affiliations.csv")
        for alias, name, line in core_aliases:
            self.affiliation(alias, name, "fixture", aff_report, line)
        for row in core_rows:
            if row["short_name"]:
                self.affiliation(row["short_name"], row["name"], "fixture")
        for printed, (what, ref) in BUILTIN_VARIANTS.items():
            if what == "state" and self.resolver.by_iso3(ref):
                self.state(printed, self.resolver.by_iso3(ref).member_state_id, "builtin")
            elif what == "affiliation":
                self.affiliation(printed, ref, "builtin")

    def from_entities(self, data_dir: Path, slugs: _Slugs, result: LoadResult) -> list[dict]:
        """The corpus crosswalk: States by the resolver (which knows Zaire, Yugoslavia, ...) or
        ISO3; everything else is an affiliation, new unless the resolver already knows it.
        Returns the new affiliations' rows."""
        new: dict[str, dict] = {}
        for line, row, report in rows(data_dir, ENTITIES_CSV, result, comments=True):
            label, entity_type = row["country_org"].strip(), row["entity_type"].strip()
            if entity_type not in ENTITY_KINDS:
                report(line, "unknown_entity_type", f"{label}: {entity_type!r}")
                continue
            match = self.resolver.resolve(label, record=False)
            if entity_type == "state" and match is None:
                match = self.resolver.by_iso3(row["iso3"])
            if match is not None:
                if match.is_member_state:
                    self.state(label, match.member_state_id, "entities", report, line)
                    self.labels[normalise_key(label)] = (match.member_state_id, None)
                else:
                    self.affiliation(label, match.name, "entities", report, line)
                    self.labels[normalise_key(label)] = (None, match.name)
                continue
            if entity_type == "state" and row["iso3"].strip():
                report(
                    line,
                    "non_member_state",
                    f"{label} ({row['iso3']}) is not a Member State: kept as affiliation",
                )
            key = normalise_key(label)
            new.setdefault(key, slugs.row(label, "", ENTITY_KINDS[entity_type]))
            self.labels[key] = (None, new[key]["name"])
            self.affiliation(label, new[key]["name"], "entities", report, line)
        return list(new.values())

    def from_country_aliases(self, data_dir: Path, result: LoadResult) -> None:
        """The corpus's alias list, each alias pointing to a crosswalk label."""
        for line, row, report in rows(data_dir, COUNTRY_ALIASES_CSV, result, comments=True):
            target = self.labels.get(normalise_key(row["canonical"]))
            if target is None:
                match = self.resolver.resolve(row["canonical"], record=False)
                target = match and (
                    match.member_state_id,
                    None if match.is_member_state else match.name,
                )
            if not target:
                report(line, "unmatched_name", f"canonical {row['canonical']!r} unknown")
                continue
            if target[0]:
                self.state(row["alias"].strip(), target[0], "country_aliases", report, line)
            else:
                self.affiliation(row["alias"].strip(), target[1], "country_aliases", report, line)

    def from_printed_names(self, data_dir: Path, result: LoadResult) -> None:
        """Spellings the membership and votes tables print, where they resolve; the steps that
        read those files report the ones that do not."""
        for relative, column in ((TERMS_CSV, "country"), (VOTES_CSV, "Member State")):
            seen: set[str] = set()
            for line, row, report in rows(data_dir, relative, result):
                name = row[column].strip()
                if name in seen:
                    continue
                seen.add(name)
                match = self.resolver.resolve(name, record=False)
                if match and match.is_member_state:
                    source = relative.split("/")[0]
                    self.state(name, match.member_state_id, source, report, line)

    def rows(self) -> list[dict]:
        """One NameAlias row per matching key; a later source naming another target is
        reported and ignored."""
        affiliation_ids = dict(Affiliation.objects.values_list("name", "pk"))
        chosen: dict[str, dict] = {}
        for c in self.candidates:
            key = normalise_name(c.name)
            if not key:
                continue
            affiliation_id = affiliation_ids.get(c.affiliation_name) if c.affiliation_name else None
            if c.state_id is None and affiliation_id is None:
                if c.report:
                    c.report(
                        c.line, "unknown_target", f"{c.name}: affiliation {c.affiliation_name!r}"
                    )
                continue
            row = {
                "normalised": key[:200],
                "name": c.name[:200],
                "member_state_id": c.state_id,
                "affiliation_id": affiliation_id,
                "source": c.source,
            }
            first = chosen.setdefault(key, row)
            if (
                first is not row
                and c.report
                and (
                    (first["member_state_id"], first["affiliation_id"])
                    != (c.state_id, affiliation_id)
                )
            ):
                c.report(
                    c.line,
                    "alias_conflict",
                    f"{c.name!r} already names another target (from {first['source']}); first kept",
                )
        return list(chosen.values())
