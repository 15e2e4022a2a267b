"""Write ``archive/parsing/state_names.py``: the names of States as the records print them.

The parser is pure (no database), yet it must split vote lists such as "China and Russian
Federation" against the names of States, never on every "and". This script derives a static
list once from the shared reference data and the project's fixtures; run it again when those
change, then review the diff:

    python -m archive.parsing.build_state_names [--data ../shared/data]

Sources: ``un-member-states/un_member_states.csv`` (short, official and variant names of the
193 Member States), ``unsc-debates-corpus-docs/entities.csv`` (State labels as printed in Council
records 1992-2023) and ``country_aliases.csv``, ``fixtures/member_state_names.csv`` (the UN's own
short names) and ``fixtures/former_member_states.csv``, plus the historical and observer names
listed in ``EXTRA`` below.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "state_names.py"

# Names printed in Council records that none of the files holds: former names of Members,
# former Members, and the two non-member observer States.
EXTRA = (
    "Byelorussian Soviet Socialist Republic",
    "Ukrainian Soviet Socialist Republic",
    "Union of Soviet Socialist Republics",
    "Federal Republic of Germany",
    "German Democratic Republic",
    "Czech and Slovak Federal Republic",
    "Czechoslovakia",
    "Yugoslavia",
    "Federal Republic of Yugoslavia",
    "Serbia and Montenegro",
    "The former Yugoslav Republic of Macedonia",
    "United Arab Republic",
    "Democratic Kampuchea",
    "Democratic Yemen",
    "Yemen Arab Republic",
    "Zaire",
    "Upper Volta",
    "Dahomey",
    "Ceylon",
    "Burma",
    "Swaziland",
    "Cape Verde",
    "Libyan Arab Jamahiriya",
    "United Republic of Cameroon",
    "Ivory Coast",
    "Khmer Republic",
    "Republic of China",
    "Holy See",
    "State of Palestine",
    "Palestine",
    "Turkey",
    "Türkiye",
    "Czechia",
    "Eswatini",
    "North Macedonia",
    "Côte d’Ivoire",
    "Bolivarian Republic of Venezuela",
    "Venezuela (Bolivarian Republic of)",
    "Iran (Islamic Republic of)",
    "Bolivia (Plurinational State of)",
    "Micronesia (Federated States of)",
    "United States",
    "United Kingdom",
    "Viet Nam",
    "Republic of Korea",
    "Democratic People’s Republic of Korea",
    "Lao People’s Democratic Republic",
)


# Names of one State at different times, or in forms no file pairs with its code.
EXTRA_GROUPS = (
    ("Palestine", "State of Palestine"),
    ("Turkey", "Türkiye"),
    ("Czech Republic", "Czechia"),
    ("Swaziland", "Eswatini"),
    ("The former Yugoslav Republic of Macedonia", "North Macedonia"),
    ("Cape Verde", "Cabo Verde"),
    ("Zaire", "Democratic Republic of the Congo"),
    ("Burma", "Myanmar"),
    ("Ceylon", "Sri Lanka"),
    ("Upper Volta", "Burkina Faso"),
    ("Dahomey", "Benin"),
    ("Ivory Coast", "Côte d’Ivoire", "Côte d'Ivoire", "Cote d'Ivoire"),
    ("Khmer Republic", "Democratic Kampuchea", "Cambodia"),
    ("Libyan Arab Jamahiriya", "Libya"),
    ("United Republic of Cameroon", "Cameroon"),
    ("Federal Republic of Germany", "Germany"),
    ("United Arab Republic", "Egypt"),
    ("Venezuela (Bolivarian Republic of)", "Bolivarian Republic of Venezuela", "Venezuela"),
    ("Iran (Islamic Republic of)", "Islamic Republic of Iran", "Iran"),
    ("Bolivia (Plurinational State of)", "Plurinational State of Bolivia", "Bolivia"),
    ("Micronesia (Federated States of)", "Federated States of Micronesia", "Micronesia"),
    ("United Kingdom", "United Kingdom of Great Britain and Northern Ireland"),
    ("United States", "United States of America"),
    ("Viet Nam", "Vietnam"),
    ("Republic of Korea", "South Korea"),
    ("Democratic People’s Republic of Korea", "Democratic People's Republic of Korea"),
    ("Lao People’s Democratic Republic", "Lao People's Democratic Republic"),
    ("Syrian Arab Republic", "Syria"),
    ("Russian Federation", "Russia"),
    ("Republic of Moldova", "Moldova"),
    ("United Republic of Tanzania", "Tanzania"),
)


def _read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter=delimiter))


def collect(data: Path) -> list[str]:
    """Every State name the sources give, deduplicated, sorted."""
    names: set[str] = set(EXTRA)
    for row in _read(data / "un-member-states" / "un_member_states.csv"):
        names.update(row[k] for k in ("name", "official_name", "name_variant_2"))
    for row in _read(data / "unsc-debates-corpus-docs" / "entities.csv"):
        if row.get("entity_type") == "state":
            names.add(row["country_org"])
    states = {n.lower() for n in names}
    for row in _read(data / "unsc-debates-corpus-docs" / "country_aliases.csv"):
        if row.get("canonical", "").lower() in states:
            names.add(row["alias"])
    for row in _read(REPO / "fixtures" / "member_state_names.csv"):
        names.update((row["name"], row["official_name"]))
    for row in _read(REPO / "fixtures" / "former_member_states.csv"):
        names.update((row["name"], row["official_name"]))
    # A name with a comma ("Micronesia, Fed. Sts.") is a catalogue form, never printed in a
    # record, and would break the comma-separated vote lists it is meant to split.
    cleaned = {" ".join(n.split()) for n in names if n and n.strip() and "," not in n}
    # One spelling per name regardless of case: the UN's ("Republic of") over the corpus'
    # title case ("Republic Of"), i.e. the spelling with the fewest capitals.
    by_key: dict[str, str] = {}
    for name in sorted(cleaned, key=lambda n: (sum(c.isupper() for c in n), n)):
        by_key.setdefault(name.lower().replace("'", "’"), name)
    return sorted(by_key.values(), key=str.lower)


def collect_groups(data: Path) -> list[tuple[str, ...]]:
    """Names that denote one State, grouped by its ISO code (and ``EXTRA_GROUPS``)."""
    by_code: dict[str, set[str]] = {}
    for row in _read(data / "un-member-states" / "un_member_states.csv"):
        by_code.setdefault(row["iso3"], set()).update(
            row[k] for k in ("name", "official_name", "name_variant_2")
        )
    codes_by_name: dict[str, str] = {}
    for row in _read(data / "unsc-debates-corpus-docs" / "entities.csv"):
        if row.get("entity_type") == "state" and row.get("iso3"):
            by_code.setdefault(row["iso3"], set()).add(row["country_org"])
            codes_by_name[row["country_org"].lower()] = row["iso3"]
    for row in _read(data / "unsc-debates-corpus-docs" / "country_aliases.csv"):
        code = codes_by_name.get(row.get("canonical", "").lower())
        if code:
            by_code[code].add(row["alias"])
    for name in ("member_state_names.csv", "former_member_states.csv"):
        for row in _read(REPO / "fixtures" / name):
            by_code.setdefault(row["iso3"], set()).update((row["name"], row["official_name"]))
    groups = [tuple(sorted(n for n in names if n and "," not in n)) for names in by_code.values()]
    groups += [tuple(sorted(g)) for g in EXTRA_GROUPS]
    return sorted({g for g in groups if len(g) > 1})


def render(names: list[str], groups: list[tuple[str, ...]]) -> str:
    """The module text."""
    body = "".join(f"    {name!r},\n" for name in names)
    group_body = "".join(f"    {group!r},\n" for group in groups)
    return (
        '"""Names of States as Council records print them (generated: do not edit by hand).\n\n'
        "Written by ``python -m archive.parsing.build_state_names`` from the shared reference data\n"
        "(un-member-states, unsc-debates-corpus-docs) and fixtures/member_state_names.csv and\n"
        "fixtures/former_member_states.csv; see that module for the sources and how to refresh.\n"
        '"""\n\n'
        f"STATE_NAMES = (\n{body})\n\n"
        "# Names that denote one State (by ISO code, and former names of the same Member).\n"
        f"STATE_GROUPS = (\n{group_body})\n"
    )


def main() -> int:
    """Regenerate the module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data")
    args = parser.parse_args()
    names = collect(args.data.resolve())
    groups = collect_groups(args.data.resolve())
    OUTPUT.write_text(render(names, groups), encoding="utf-8")
    print(f"wrote {len(names)} names to {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
