"""Every canonicalising redirect keeps what the reader asked for: filters, page, format."""

from __future__ import annotations

import pytest

from tests.pages_data import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    return build_archive()


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/states/FRA/statements/", "/states/fra/statements/"),
        ("/states/FRA/", "/states/fra/"),
        ("/states/Fra/votes/", "/states/fra/votes/"),
        ("/meetings/s-pv.8699-resumption-1/", "/meetings/S-PV.8699-Resumption-1/"),
        ("/documents/s/2019/280/", "/documents/S/2019/280/"),
    ],
)
@pytest.mark.parametrize(
    "query", ["", "?q=climate&year=2020", "?q=%22sexual+violence%22&page=2&format=csv"]
)
def test_canonical_redirect_keeps_the_query_string(client, archive, asked, canonical, query):
    response = client.get(asked + query)
    assert response.status_code == 301
    assert response["Location"] == canonical + query


def test_symbol_redirect_to_lookup_encodes_the_symbol(client, archive):
    response = client.get("/documents/S/RES/2467%20(2019)/")
    assert response.status_code == 302
    assert response["Location"] == "/go/?q=S%2FRES%2F2467+%282019%29"


def test_append_slash_keeps_the_query_string(client, archive):
    response = client.get("/states/fra/statements?q=climate&year=2020")
    assert response.status_code == 301
    assert response["Location"] == "/states/fra/statements/?q=climate&year=2020"
