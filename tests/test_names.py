"""The name resolver: printed names -> member states and affiliations, never a guess."""

import csv
from collections import Counter

import pytest

from archive.names import NameResolver, word_order_variants
from archive.names import Resolution as NameMatch

# (printed, ISO3 of the member state, or "affiliation:<name>", or None for "no match")
VARIANTS = [
    ("United Kingdom", "GBR"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("UK", "GBR"),
    ("United States", "USA"),
    ("United States of America", "USA"),
    ("USA", "USA"),
    ("Russian Federation", "RUS"),
    ("Russia", "RUS"),
    ("the Niger", "NER"),
    ("Niger", "NER"),
    ("Nigeria", "NGA"),
    ("the Sudan", "SDN"),
    ("The Gambia", "GMB"),
    ("Saint Vincent and the Grenadines", "VCT"),
    ("Saint Vincent and Grenadines", "VCT"),
    ("St. Vincent & the Grenadines", "VCT"),
    ("Iran (Islamic Republic of)", "IRN"),
    ("Islamic Republic of Iran", "IRN"),
    ("Venezuela (Bolivarian Republic of)", "VEN"),
    ("Bolivarian Republic of Venezuela", "VEN"),
    ("Bolivia (Plurinational State of)", "BOL"),
    ("Plurinational State of Bolivia", "BOL"),
    ("Republic of Korea", "KOR"),
    ("Korea, Republic of", "KOR"),
    ("Democratic People's Republic of Korea", "PRK"),
    ("Democratic People’s Republic of Korea", "PRK"),
    ("United Republic of Tanzania", "TZA"),
    ("Côte d'Ivoire", "CIV"),
    ("Cote d'Ivoire", "CIV"),
    ("CÔTE D’IVOIRE", "CIV"),
    ("Türkiye", "TUR"),
    ("Turkey", "TUR"),
    ("Czechia", "CZE"),
    ("Czech Republic", "CZE"),
    ("Eswatini", "SWZ"),
    ("Swaziland", "SWZ"),
    ("North Macedonia", "MKD"),
    ("The former Yugoslav Republic of Macedonia", "MKD"),
    ("Viet Nam", "VNM"),
    ("Vietnam", "VNM"),
    ("Lao People's Democratic Republic", "LAO"),
    ("Syrian Arab Republic", "SYR"),
    ("Syria", "SYR"),
    ("Democratic Republic of the Congo", "COD"),
    ("DR Congo", "COD"),
    ("Zaire", "COD"),
    ("Congo", "COG"),
    ("Republic of the Congo", "COG"),
    ("Micronesia (Federated States of)", "FSM"),
    ("Federated States of Micronesia", "FSM"),
    ("Moldova", "MDA"),
    ("Republic of Moldova", "MDA"),
    ("Union of Soviet Socialist Republics", "SUN"),
    ("USSR", "SUN"),
    ("Soviet Union", "SUN"),
    ("Yugoslavia", "YUG"),
    ("German Democratic Republic", "DDR"),
    ("Czechoslovakia", "CSK"),
    ("United Arab Republic", "EGY"),
    ("UN", "affiliation:United Nations"),
    ("United Nations", "affiliation:United Nations"),
    ("Secretariat", "affiliation:United Nations"),
    ("Holy See", "affiliation:Holy See"),
    ("Palestine", "affiliation:State of Palestine"),
    ("State of Palestine", "affiliation:State of Palestine"),
    ("Korea", None),  # two States: never guess
    ("Narnia", None),
    ("", None),
]

FORMER = [
    ("SUN", "Union of Soviet Socialist Republics"),
    ("YUG", "Yugoslavia"),
    ("DDR", "German Democratic Republic"),
    ("CSK", "Czechoslovakia"),
]
AFFILIATIONS = [
    ("United Nations", "UN", "united_nations"),
    ("Holy See", "", "observer_state"),
    ("State of Palestine", "", "observer_state"),
]


@pytest.fixture(scope="module")
def bare_resolver(data_dir) -> NameResolver:
    """A resolver from the member-state CSV only: no alias rows, no overrides, no database."""
    path = data_dir / "un-member-states" / "un_member_states.csv"
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    states = [(i, r["name"], r["official_name"], r["iso3"]) for i, r in enumerate(rows, 1)]
    states += [(1000 + i, name, "", iso3) for i, (iso3, name) in enumerate(FORMER)]
    affiliations = [(i, *a) for i, a in enumerate(AFFILIATIONS, 1)]
    return NameResolver(member_states=states, affiliations=affiliations)


def _check(match: NameMatch | None, expected: str | None) -> None:
    if expected is None:
        assert match is None
    elif expected.startswith("affiliation:"):
        assert match is not None and match.member_state_id is None
        assert match.name == expected.split(":", 1)[1]
        assert match.affiliation_id is not None
    else:
        assert match is not None and match.kind == "member_state", match
        assert match.iso3 == expected
        assert match.affiliation_id is None


@pytest.mark.parametrize(("printed", "expected"), VARIANTS)
def test_variants_without_alias_rows(bare_resolver, printed, expected):
    _check(bare_resolver.resolve(printed, record=False), expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("printed", "expected"), VARIANTS)
def test_variants_with_reference_data(reference_db, printed, expected):
    _check(NameResolver.load().resolve(printed), expected)


@pytest.mark.django_db
def test_un_is_the_united_nations_affiliation(reference_db):
    match = NameResolver.load().resolve("UN")
    assert match.kind == "united_nations"
    assert match.member_state_id is None


@pytest.mark.django_db
def test_load_is_three_queries(reference_db, django_assert_num_queries):
    with django_assert_num_queries(3):
        resolver = NameResolver.load()
    assert resolver.resolve("Türkiye").name == "Türkiye"


def test_unresolved_names_are_counted(bare_resolver):
    resolver = NameResolver(
        member_states=[(1, "France", "French Republic", "FRA")], affiliations=[]
    )
    result = resolver.resolve_many(["France", "Narnia", "Narnia", "Atlantis"])
    assert result["France"].iso3 == "FRA"
    assert result["Narnia"] is None
    resolver.resolve("Narnia")
    resolver.resolve("Oz", record=False)
    assert resolver.unresolved == Counter({"Narnia": 2, "Atlantis": 1})


def test_ambiguous_key_is_dropped_not_guessed():
    resolver = NameResolver(
        member_states=[(1, "Alpha", "Republic of X", "AAA"), (2, "Beta", "Republic of X", "BBB")],
        affiliations=[],
    )
    assert resolver.resolve("Republic of X") is None
    assert resolver.resolve("Alpha").iso3 == "AAA"


def test_alias_rows_win_over_names():
    resolver = NameResolver(
        member_states=[(1, "Alpha", "", "AAA"), (2, "Beta", "", "BBB")],
        affiliations=[],
        aliases=[("alpha", 2, None)],
    )
    assert resolver.resolve("Alpha").iso3 == "BBB"


@pytest.mark.parametrize(
    ("printed", "variants"),
    [
        ("Iran (Islamic Republic of)", ["Islamic Republic of Iran"]),
        ("Congo (Democratic Republic of the)", ["Democratic Republic of the Congo"]),
        ("Korea, Republic of", ["Republic of Korea"]),
        ("Congo (Brazzaville)", []),
        ("France", []),
    ],
)
def test_word_order_variants(printed, variants):
    assert word_order_variants(printed) == variants
