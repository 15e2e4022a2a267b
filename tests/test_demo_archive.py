"""The demo archive ``make run`` serves (reference data, the ten PDFs, the 2020 corpus), loaded
once: the self-audit finds nothing unexplained in any area; every example the
site shows works; lookups land where meant; exports share one schema; no code reaches a reader.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from archive.audit import run_checks
from archive.models import Meeting, MemberState, Person, Speaker, Speech
from archive.statement_fields import FIELD_NAMES

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


# --------------------------------------------------------------------------- the audit


def test_check_archive_finds_nothing_unexplained(demo_archive, capsys):
    """Every audit area (votes, resolutions, imports, speakers, topics, pages) at once."""
    findings = run_checks()
    areas = {f.area for f in findings}
    unexplained = [f for f in findings if not f.is_explained]
    assert unexplained == []
    call_command("check_archive")
    out = capsys.readouterr().out
    assert "0 unexplained" in out
    assert {"votes", "resolutions"} <= areas  # the reference data's findings, all explained
    print(f"demo archive loaded in {demo_archive['seconds']:.0f} s\n{out}")


# --------------------------------------------------------------------------- examples


def _count(response) -> int | None:
    """How many results a page shows, whatever kind of page it is."""
    context = response.context
    if context is None:
        return None
    for key in ("total", "citation_count"):
        if key in context and context[key] is not None:
            return context[key]
    if "page" in context and hasattr(context["page"], "paginator"):
        return context["page"].paginator.count
    if "states" in context:
        return len(context["states"])
    return None


def _forms(page: str):
    """(action, input name, example) for every placeholder of every form on a page; a
    placeholder listing examples ("Kazakhstan, UK, EU…") gives one example each."""
    for form in re.finditer(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", page, re.S):
        action = re.search(r'action="([^"]*)"', form["attrs"])
        for field in re.finditer(r"<input\b[^>]*>", form["body"]):
            tag = field.group(0)
            name = re.search(r'name="([^"]+)"', tag)
            placeholder = re.search(r'placeholder="([^"]+)"', tag)
            if name and placeholder:
                text = html.unescape(placeholder.group(1)).rstrip("…").strip()
                examples = [p.strip() for p in text.split(",")] if ", " in text else [text]
                for example in examples:
                    yield (action.group(1) if action else ""), name.group(1), example


PAGES = [
    "/",
    "/search/",
    "/meetings/",
    "/resolutions/",
    "/votes/",
    "/states/",
    "/states/zaf/statements/",
]


def test_every_example_the_site_shows_works(client, demo_archive):
    """Placeholders of every filter box and the home page's example links, each run."""
    tried, failures = set(), []
    person = Person.objects.live().filter(spellings__folded_name__contains="matjila").first()
    for path in [*PAGES, person.get_absolute_url()]:
        page = client.get(path).content.decode()
        for action, name, example in _forms(page):
            target = action or path
            if (target, name, example) in tried:
                continue
            tried.add((target, name, example))
            response = client.get(target, {name: example}, follow=True)
            count = _count(response)
            if response.status_code != 200 or count == 0:
                failures.append(f"{path}: {name}={example!r} -> {response.status_code}, {count}")
        if path == "/":
            for link in re.findall(r'href="(/go/\?q=[^"]+)"', page):
                query = dict(parse_qsl(urlsplit(html.unescape(link)).query))
                response = client.get(reverse("archive:lookup"), query, follow=True)
                tried.add(("/go/", "q", query["q"]))
                count = _count(response)
                lookup = response.context.get("result") if response.context else None
                if response.status_code != 200 or count == 0 or (lookup and not lookup.found):
                    failures.append(f"home example {query['q']!r} -> {response.status_code}")
    assert len(tried) > 15
    assert failures == []


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(
    ("query", "lands"),
    [
        ("UNSC 2467", "/resolutions/2467/2019/"),
        ("SCR 1325", "/resolutions/1325/2000/"),
        ("UNSCR 1325 (2000)", "/resolutions/1325/2000/"),
        ("S/PV 8699", "/meetings/S-PV.8699/"),
        ("S/PV 8699 Resumption 1", "/meetings/S-PV.8699-Resumption-1/"),
        ("8699th meeting", "/meetings/S-PV.8699/"),
        ("S/2020/420", "/meetings/S-2020-420/"),
    ],
)
def test_lookups_land_where_meant(client, demo_archive, query, lands):
    response = client.get(reverse("archive:lookup"), {"q": query})
    assert response.status_code == 302 and response["Location"] == lands


def test_a_lookup_that_does_not_land_offers_the_nearest(client, demo_archive):
    response = client.get(reverse("archive:lookup"), {"q": "S/PV 99999"})
    assert response.status_code == 404
    assert response.context["result"].candidates


def test_the_document_page_of_a_compilation_links_to_it(client, demo_archive):
    response = client.get(reverse("archive:document", args=["S/2020/420"]))
    assert 'href="/meetings/S-2020-420/"' in response.content.decode()


# --------------------------------------------------------------------------- exports


def test_statement_exports_share_one_documented_schema(client, demo_archive):
    person = Person.objects.live().filter(member_state__iso3="ZAF").first()
    urls = [
        "/states/zaf/statements/?format=csv",
        "/search.csv?state=zaf",
        f"{person.get_absolute_url()}?format=csv",
        "/resolutions/2254/2015/?format=csv",
    ]
    for url in urls:
        header = next(csv.reader(io.StringIO(_streamed(client.get(url)))))
        assert header == FIELD_NAMES, url
    for url in ["/states/zaf/statements/?format=json", "/search.json?state=zaf"]:
        assert (
            client.get(url).streaming
            and __import__("json").loads(_streamed(client.get(url)))["fields"] == FIELD_NAMES
        )
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    documented = re.findall(r"^\| `(\w+)` \|", readme.split("## Exports", 1)[1], re.M)
    assert documented == FIELD_NAMES


def test_exported_rows_name_the_speaker_and_never_a_placeholder(client, demo_archive):
    rows = list(csv.DictReader(io.StringIO(_streamed(client.get("/search.csv?state=zaf")))))
    assert len(rows) == Speech.objects.filter(member_state__iso3="ZAF").count()
    for row in rows:
        assert row["speaker_label"] and "unknown" not in row["speaker_label"].lower()
        assert row["speaker_source"] in {"printed", "cover_page", "none"}
        # Every agenda item with statements is under a topic (some compilations name none).
        assert row["topics"] or not row["agenda_item"]


# --------------------------------------------------------------------------- what readers see


def test_who_spoke_for_south_africa_accounts_for_every_statement(client, demo_archive):
    response = client.get("/states/zaf/")
    rows = response.context["representatives"]
    total = Speech.objects.filter(member_state__iso3="ZAF").count()
    assert sum(row["n"] for row in rows) == total == response.context["statement_total"]


def test_no_code_or_placeholder_reaches_a_reader(client, demo_archive):
    search = client.get("/search/", {"state": "zaf", "q": "peace"}).content.decode()
    assert 'value="South Africa"' in search and 'value="zaf"' not in search
    russia = client.get("/states/rus/").content.decode()
    assert "holds the seat of the Union of Soviet Socialist Republics since 1991" in russia
    assert "(to 20" not in russia
    agenda = client.get("/meetings/S-PV.71/").content.decode()
    assert "(S/144)" in agenda and "<li>(</li>" not in agenda and "<li>)</li>" not in agenda
    unnamed = Meeting.objects.get(symbol="S/2020/254")
    page = client.get(unnamed.get_absolute_url()).content.decode()
    assert "unknown" not in page.lower() and "Representative of Belgium" in page
    assert not re.search(r"\(([^()<>]+)\)\s*</span>\s*<span class=\"body\">\(\1\)", page)


def test_an_empty_year_says_what_is_held(client, demo_archive):
    page = client.get("/states/zaf/statements/", {"year": 2019}).content.decode()
    assert "No statements of South Africa are held for 2019." in page
    assert "Full statements are held for 2020" in page


def test_jurgenson_is_found_by_any_spelling(client, demo_archive):
    spellings = Speaker.objects.filter(folded_name__regex=r"(^| )jurgenson$")
    expected = Speech.objects.filter(speaker__in=spellings).count()
    assert expected > 80
    for query in ["Jurgenson", "Jürgenson", "Jiirgenson"]:
        response = client.get("/search/", {"person": query})
        assert response.context["total"] == expected, query
        lookup = client.get(reverse("archive:lookup"), {"q": query})
        assert "Mr. Jürgenson" in lookup.content.decode()
    estonia = MemberState.objects.get(iso3="EST")
    assert spellings.filter(member_state=estonia).count() >= 5


def test_the_topic_facet_gathers_syria(client, demo_archive):
    response = client.get("/search/", {"q": "humanitarian"})
    facets = {param: links for _, param, links in response.context["facets"]}
    labels = {link["label"]: link["count"] for link in facets["topic"]}
    syria = Speech.objects.filter(
        search_vector=__import__("archive.search", fromlist=["websearch"]).websearch(
            "humanitarian"
        ),
        meeting__agenda_item__topics__slug="syria",
    ).count()
    assert labels.get("Syria") == syria > 0
    link = next(link for link in facets["topic"] if link["label"] == "Syria")
    filtered = client.get("/search/" + link["url"])
    assert filtered.context["total"] == syria
    assert urlencode({"topic": "syria"}) in link["url"]
