"""The home box's lookup: what each kind of input leads to."""

from __future__ import annotations

import pytest

from archive.lookup import lookup, meeting_symbol_from_slug, search_url
from archive.models import Resolution, symbol_to_slug
from archive.names import NameResolver
from tests.pages_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    return build_archive()


@pytest.mark.parametrize(
    "text",
    [
        "2467",
        "2467 (2019)",
        "S/RES/2467 (2019)",
        "s/res/2467(2019)",
        "res 2467",
        "resolution 2467",
        "Resolution 2467 (2019)",
        "UNSCR 2467",
        "  resolution   2467 ",
    ],
)
def test_resolution_forms_go_to_the_resolution(archive, text):
    result = lookup(text=text)
    assert result.url == "/resolutions/2467/2019/"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("S/PV.8514", "/meetings/S-PV.8514/"),
        ("s/pv.8514", "/meetings/S-PV.8514/"),
        ("S/PV. 8514", "/meetings/S-PV.8514/"),
        ("S/PV.8699 (Resumption 1)", "/meetings/S-PV.8699-Resumption-1/"),
        ("S/2019/280", "/documents/S/2019/280/"),
        ("S/PRST/2019/1", "/documents/S/PRST/2019/1/"),
        ("China", "/states/chn/"),
        ("United Kingdom", "/states/gbr/"),
        ("Viet Nam", "/states/vnm/"),
        ("UN", "/affiliations/united-nations/"),
        ("sexual violence", search_url("sexual violence")),
        ("resolution 2467 sexual violence", search_url("resolution 2467 sexual violence")),
    ],
)
def test_symbols_names_and_words(archive, text, url):
    assert lookup(text=text).url == url


def test_unknown_resolution_says_what_the_archive_holds(archive):
    result = lookup(text="resolution 9999")
    assert not result.found and result.url is None
    assert result.understood == "No resolution 9999; the archive holds resolutions 1325–2467"
    assert [c.label for c in result.candidates] == [
        "Resolution 2467 (2019)",
        "Resolution 1325 (2000)",
    ]
    assert result.search_url == search_url("resolution 9999")


def test_wrong_year_offers_the_right_one(archive):
    result = lookup(text="2467 (2018)")
    assert not result.found
    assert result.understood == "No resolution 2467 (2018); resolution 2467 was adopted in 2019"
    assert [c.url for c in result.candidates] == ["/resolutions/2467/2019/"]


def test_a_number_shared_by_two_years_asks_which(archive):
    Resolution.objects.create(number=2467, year=2020)  # not real: numbers are unique in practice
    result = lookup(text="2467")
    assert result.found and result.url is None
    assert [c.url for c in result.candidates] == [
        "/resolutions/2467/2019/",
        "/resolutions/2467/2020/",
    ]


def test_unknown_meeting_offers_nearest_and_resumptions(archive):
    result = lookup(text="S/PV.8600")
    assert result.understood == "No meeting S/PV.8600; the archive holds meetings 8514–8699"
    assert result.candidates[0].label == "S/PV.8514"
    resumption = lookup(text="S/PV.8514 (Resumption 2)")
    assert (
        resumption.understood
        == "No record S/PV.8514 (Resumption 2); meeting 8514 has these records"
    )
    assert [c.label for c in resumption.candidates] == ["S/PV.8514"]


def test_empty_input_goes_home(archive):
    assert lookup(text="   ").url == "/"


def test_an_injected_resolver_is_used(archive):
    resolver = NameResolver(member_states=[], affiliations=[])
    assert lookup(text="China", resolver=resolver).url == search_url("China")


@pytest.mark.parametrize(
    "symbol",
    ["S/PV.8514", "S/PV.8699 (Resumption 1)", "S/PV.1", "S/2020/253"],
)
def test_meeting_slugs_round_trip(symbol):
    assert meeting_symbol_from_slug(symbol_to_slug(symbol)) == symbol


def test_lookup_view_redirects_or_explains(client, archive):
    assert client.get("/go/", {"q": "UNSCR 2467"})["Location"] == "/resolutions/2467/2019/"
    response = client.get("/go/", {"q": "9999"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No resolution 9999; the archive holds resolutions 1325–2467" in html
    assert 'href="/resolutions/2467/2019/"' in html


def test_unknown_resolution_names_the_numbers_the_sources_lack():
    for number in [*range(1, 5), 6, *range(9, 12)]:
        Resolution.objects.create(number=number, year=1946)
    result = lookup(text="resolution 12")
    assert result.understood == (
        "No resolution 12; the archive holds resolutions 1–11, except 5 and 7–8, which are not "
        "in its sources"
    )
