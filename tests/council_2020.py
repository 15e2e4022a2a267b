"""A small slice of reference data for import tests: the Council of January 2020 and a few States.

Deliberately tiny and hand-written, so import tests do not depend on the reference loader.
"""

from archive.models import Affiliation, CouncilTerm, MemberState

PERMANENT = {"CHN", "FRA", "RUS", "GBR", "USA"}

STATES = [
    ("Belgium", "BEL"),
    ("China", "CHN"),
    ("Dominican Republic", "DOM"),
    ("Estonia", "EST"),
    ("France", "FRA"),
    ("Germany", "DEU"),
    ("Indonesia", "IDN"),
    ("Niger", "NER"),
    ("Russian Federation", "RUS"),
    ("Saint Vincent and the Grenadines", "VCT"),
    ("South Africa", "ZAF"),
    ("Tunisia", "TUN"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("United States of America", "USA"),
    ("Viet Nam", "VNM"),
    ("Syrian Arab Republic", "SYR"),
]


def load_council_2020() -> dict[str, MemberState]:
    """Create the 2020 Council members (P5 with permanent terms), Syria and the UN; by ISO3."""
    states = {iso3: MemberState.objects.create(name=name, iso3=iso3) for name, iso3 in STATES}
    for iso3, state in states.items():
        if iso3 in PERMANENT:
            CouncilTerm.objects.create(
                member_state=state, seat=CouncilTerm.Seat.PERMANENT, start_year=1946, end_year=2100
            )
        elif iso3 != "SYR":
            CouncilTerm.objects.create(
                member_state=state, seat=CouncilTerm.Seat.ELECTED, start_year=2019, end_year=2020
            )
    Affiliation.objects.create(
        name="United Nations",
        short_name="UN",
        kind=Affiliation.Kind.UNITED_NATIONS,
        slug="united-nations",
    )
    return states


_PARSED: dict = {}


def parsed_pdf(data_dir, name: str):
    """The parsed record of one of the 2020 PDFs (parsed once per run; a fresh copy each call)."""
    import copy

    from archive.parsing import parse_document

    path = data_dir / "unsc-2020-pires" / "pdf" / name
    if path not in _PARSED:
        _PARSED[path] = parse_document(path.read_bytes(), filename=name)
    return copy.deepcopy(_PARSED[path])
