"""The search filters as researchers use them: names of States, words of agenda items, chips.

Every URL the archive has printed so far (codes, slugs, speaker numbers) keeps its meaning.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from archive import filter_options
from archive.middleware import clear_validator_cache
from archive.models import (
    Affiliation,
    AgendaItem,
    Meeting,
    MemberState,
    NameAlias,
    Speaker,
    Speech,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Tests roll back instead of committing, so the archive version never changes between
    # them: per-version caches must be emptied by hand.
    cache.clear()
    clear_validator_cache()
    filter_options.clear_caches()
    yield
    cache.clear()
    filter_options.clear_caches()


def _speech(meeting, sequence, text, *, state=None, body=None, speaker=None):
    return Speech.objects.create(
        meeting=meeting,
        sequence=sequence,
        attribution=f"Speaker ({state or body})",
        speaker=speaker,
        speaker_name=speaker.name if speaker else "Speaker",
        country_as_printed=str(state or body or ""),
        member_state=state,
        affiliation=body,
        role="invited",
        text=text,
    )


@pytest.fixture
def world(db) -> dict:
    """States under their UN names, two organizations, agenda items sharing words."""
    states = {
        iso3: MemberState.objects.create(name=name, official_name=official, iso3=iso3)
        for iso3, name, official in [
            ("KAZ", "Kazakhstan", "Republic of Kazakhstan"),
            ("GBR", "United Kingdom", "United Kingdom of Great Britain and Northern Ireland"),
            ("NER", "Niger", "Republic of the Niger"),
            ("TUR", "Türkiye", "Republic of Türkiye"),
            ("FRA", "France", "French Republic"),
        ]
    }
    ussr = MemberState.objects.create(
        name="Union of Soviet Socialist Republics",
        iso3="SUN",
        membership_ended=datetime.date(1991, 12, 24),
    )
    eu = Affiliation.objects.create(
        name="European Union", short_name="EU", kind="organization", slug="european-union"
    )
    holy_see = Affiliation.objects.create(name="Holy See", kind="observer_state", slug="holy-see")
    ngo = Affiliation.objects.create(
        name="NGO Working Group", kind="civil_society", slug="ngo-working-group"
    )
    NameAlias.build("Republic of Kazakstan", member_state=states["KAZ"]).save()
    items = {
        slug: AgendaItem.objects.create(title=title, slug=slug)
        for slug, title in [
            ("wps", "Women and peace and security"),
            ("peace-africa", "Peace and security in Africa"),
            ("peacekeeping", "United Nations peacekeeping operations"),
            ("libya", "The situation in Libya"),
            ("no-record", "Peace consolidation in West Africa"),
        ]
    }
    meetings = {}
    for number, slug in enumerate(["wps", "peace-africa", "peacekeeping", "libya"], start=8500):
        meetings[slug] = Meeting.objects.create(
            symbol=f"S/PV.{number}",
            meeting_number=number,
            date=datetime.date(2020, 1, number - 8490),
            agenda_item=items[slug],
        )
    Meeting.objects.create(
        symbol="S/PV.8600", meeting_number=8600, date=datetime.date(2020, 3, 1),
        agenda_item=items["no-record"],
    )  # fmt: skip
    speaker = Speaker.objects.create(name="Mr. Umarov", member_state=states["KAZ"])
    speeches = {}
    n = 0
    for slug, meeting in meetings.items():
        for who in [*states.values(), eu, holy_see, ngo]:
            n += 1
            is_state = isinstance(who, MemberState)
            speeches[(slug, str(who))] = _speech(
                meeting,
                n,
                f"Statement {n} on {meeting.agenda_item.title}.",
                state=who if is_state else None,
                body=None if is_state else who,
                speaker=speaker if who == states["KAZ"] and slug == "wps" else None,
            )
    # The record counts (kept by the importer): meetings with statements.
    for meeting in meetings.values():
        meeting.speech_count = meeting.speeches.count()
        meeting.save(update_fields=["speech_count"])
    return {
        "states": states,
        "ussr": ussr,
        "eu": eu,
        "holy_see": holy_see,
        "items": items,
        "speaker": speaker,
        "speeches": speeches,
    }


def _get(client, **params):
    return client.get(reverse("archive:search"), params)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.context.get("errors")
    return {s.pk for s in response.context["speeches"]}


def _chips(response) -> list[str]:
    """The active-filter chips as a reader sees them (tags and the ✕ link dropped)."""
    html = response.content.decode()
    block = re.search(r'<ul class="chips active-filters".*?</ul>', html, re.S)
    if block is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", block.group(0), re.S)
    return [" ".join(re.sub(r"<a .*?</a>|<[^>]+>", "", i).split()) for i in items]


# --------------------------------------------------------------------------- States by name


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("kaz", ["Kazakhstan", "kazakhstan", "Republic of Kazakhstan", "Republic of Kazakstan"]),
        ("gbr", ["United Kingdom", "UK", "U.K.", "Britain", "the United Kingdom"]),
        (
            "gbr",
            ["United Kingdom of Great Britain and Northern Ireland"],
        ),
        ("ner", ["Niger", "the Niger", "The Niger", "  niger  "]),
        ("tur", ["Türkiye", "Turkiye", "Turkey", "TÜRKIYE"]),
        ("european-union", ["European Union", "EU", "the European Union"]),
        ("holy-see", ["Holy See", "the Holy See"]),
    ],
)
def test_a_name_in_any_printed_form_filters_like_the_code(client, world, code, names):
    expected = _ids(_get(client, state=code))
    assert expected  # each of them spoke
    for name in names:
        assert _ids(_get(client, state=name)) == expected, name


def test_the_chip_shows_the_name_understood(client, world):
    assert _chips(_get(client, state="UK")) == ["State: United Kingdom"]
    assert _chips(_get(client, state="kaz")) == ["State: Kazakhstan"]
    assert _chips(_get(client, state="EU")) == ["Organization: European Union"]
    assert _chips(_get(client, state="holy-see")) == ["State: Holy See"]
    # What was typed stays in the box, to be corrected.
    assert 'name="state" value="UK"' in _get(client, state="UK").content.decode()


def test_a_state_typed_by_name_marks_its_facet(client, world):
    response = _get(client, state="the Niger")
    facets = {param: links for _title, param, links in response.context["facets"]}
    assert [link["label"] for link in facets["state"] if link["active"]] == ["Niger"]


@pytest.mark.parametrize("name", ["Atlantis", "Korea", "zzz", "x-y-z"])
def test_an_unknown_name_gets_a_clear_message_and_no_results(client, world, name):
    response = _get(client, state=name, q="statement")
    html = response.content.decode()
    assert response.status_code == 400
    assert f"No Member State or body called “{name}”" in html
    assert "speeches" not in response.context  # results are not shown unfiltered
    assert '<details class="search-filters" open>' in html  # the box to correct is shown
    assert f'name="state" value="{name}"' in html
    for download in ("archive:search_csv", "archive:search_json", "archive:search_feed"):
        refused = client.get(reverse(download), {"state": name})
        assert refused.status_code == 400
        assert f"No Member State or body called “{name}”" in refused.content.decode()


def test_an_unknown_name_close_to_a_known_one_gets_a_suggestion(client, world):
    response = _get(client, state="Kazakh")
    assert response.status_code == 400
    assert "No Member State or body called “Kazakh”. Did you mean Kazakhstan?" in (
        response.content.decode()
    )


def test_a_former_state_is_found_by_name(client, world):
    # No statements in this archive, but the name is understood (and filters to nothing).
    response = _get(client, state="Soviet Union")
    assert _ids(response) == set()
    assert _chips(response) == ["State: Union of Soviet Socialist Republics"]


# --------------------------------------------------------------------------- agenda items


def test_words_matching_one_agenda_item_filter_by_it(client, world):
    by_slug = _ids(_get(client, topic="wps"))
    assert by_slug
    for words in ["women and peace", "Women and peace and security", "WOMEN", "peace women"]:
        response = _get(client, topic=words)
        assert _ids(response) == by_slug, words
        assert _chips(response) == ["Agenda item: Women and peace and security"], words


def test_words_matching_several_agenda_items_filter_by_all_of_them(client, world):
    response = _get(client, topic="peace")
    items = world["items"]
    expected = {
        s.pk
        for s in Speech.objects.filter(
            meeting__agenda_item__in=[items["wps"], items["peace-africa"], items["peacekeeping"]]
        )
    }
    # Ordered newest first, 20 to a page: the total says they are all there.
    assert response.context["total"] == len(expected)
    assert _ids(_get(client, topic="peace", sort="oldest")) | _ids(response) <= expected
    # "Peace consolidation in West Africa" matches too, though it has no record yet.
    assert _chips(response) == ["Agenda items matching “peace” (4)"]
    csv_rows = b"".join(client.get(reverse("archive:search_csv"), {"topic": "peace"})).decode()
    assert csv_rows.count("\n") - 1 == len(expected)


def test_words_matching_no_agenda_item_get_a_clear_message(client, world):
    response = _get(client, topic="zanzibar treaty")
    assert response.status_code == 400
    assert "No topic or agenda item matches “zanzibar treaty”" in response.content.decode()


# --------------------------------------------------------------------------- speaker


def test_the_speaker_filter_is_hidden_and_shown_as_a_chip(client, world):
    speaker = world["speaker"]
    response = _get(client, speaker=str(speaker.pk))
    html = response.content.decode()
    assert _ids(response) == {world["speeches"][("wps", "Kazakhstan")].pk}
    assert f'<input type="hidden" name="speaker" value="{speaker.pk}"' in html
    assert _chips(response) == ["Speaker: Mr. Umarov (Kazakhstan)"]
    assert "Speaker (number)" not in html
    # Kept when other filters are applied from the form: it sits inside the form.
    form = re.search(r'<form class="filters search-form".*?</form>', html, re.S).group(0)
    assert 'name="speaker"' in form


def test_no_speaker_box_without_a_speaker(client, world):
    html = _get(client, q="statement").content.decode()
    assert 'name="speaker"' not in html
    assert "Speaker (number)" not in html


def test_an_unknown_speaker_number_is_reported_and_dropped_from_the_form(client, world):
    response = _get(client, speaker="999999")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The archive has no speaker number 999999." in html
    assert 'name="speaker"' not in html


# --------------------------------------------------------------------------- old URLs


def _definition(world, **filters) -> set[int]:
    return set(Speech.objects.filter(**filters).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("params", "definition"),
    [
        ({"state": "kaz"}, lambda w: {"member_state": w["states"]["KAZ"]}),
        ({"state": "KAZ"}, lambda w: {"member_state": w["states"]["KAZ"]}),
        ({"state": "ner"}, lambda w: {"member_state": w["states"]["NER"]}),
        ({"state": "european-union"}, lambda w: {"affiliation": w["eu"]}),
        ({"topic": "libya"}, lambda w: {"meeting__agenda_item": w["items"]["libya"]}),
        ({"speaker": None}, lambda w: {"speaker": w["speaker"]}),
        (
            {"state": "fra", "topic": "wps"},
            lambda w: {
                "member_state": w["states"]["FRA"],
                "meeting__agenda_item": w["items"]["wps"],
            },
        ),
    ],
)
def test_old_urls_give_the_same_results(client, world, params, definition):
    params = {k: (v if v is not None else str(world["speaker"].pk)) for k, v in params.items()}
    assert _ids(_get(client, **params, sort="oldest")) == _definition(world, **definition(world))


def test_facet_links_are_unchanged(client, world):
    response = _get(client, q="statement")
    facets = {param: links for _title, param, links in response.context["facets"]}
    assert {link["url"] for link in facets["state"]} >= {"?q=statement&state=kaz"}
    assert "?q=statement&topic=wps" in {link["url"] for link in facets["topic"]}


# --------------------------------------------------------------------------- suggestions


def test_the_boxes_suggest_states_bodies_and_agenda_items(client, world):
    html = _get(client).content.decode()
    states = re.search(r'<datalist id="state-options">(.*?)</datalist>', html, re.S).group(1)
    assert 'list="state-options"' in html and 'list="agenda-item-options"' in html
    values = re.findall(r'<option value="([^"]*)"', states)
    # Current Member States, observer States, organizations that have spoken.
    assert values == [
        "France",
        "Kazakhstan",
        "Niger",
        "Türkiye",
        "United Kingdom",
        "European Union",
        "Holy See",
    ]
    assert '<option value="European Union" label="EU">' in states
    topics = re.search(r'<datalist id="agenda-item-options">(.*?)</datalist>', html, re.S)
    assert re.findall(r'<option value="([^"]*)"', topics.group(1)) == [
        "Peace and security in Africa",
        "The situation in Libya",
        "United Nations peacekeeping operations",
        "Women and peace and security",
    ]  # only items with a record
    # Every control keeps its label.
    for name in ("state", "topic", "role", "year", "meeting", "resolution"):
        assert f'<label for="id_{name}">' in html


def test_suggestions_follow_the_archive(client, world):
    _get(client)
    MemberState.objects.create(name="Atlantis", iso3="ATL")
    # Same archive version (nothing committed): the worker keeps what it rendered ...
    assert '<option value="Atlantis">' not in _get(client).content.decode()
    # ... until the archive changes (here: its cache is emptied, as a new version would).
    filter_options.clear_caches()
    assert '<option value="Atlantis">' in _get(client).content.decode()


def test_suggestions_escape_names(client, world):
    Affiliation.objects.create(name='<script>"x"</script>', kind="observer_state", slug="script-x")
    html = _get(client).content.decode()
    assert '<script>"x"' not in html
    assert "&lt;script&gt;&quot;x&quot;&lt;/script&gt;" in html


# --------------------------------------------------------------------------- query counts


def _more_speeches(world, count: int) -> None:
    meeting = Meeting.objects.get(symbol="S/PV.8503")
    for n in range(count):
        _speech(meeting, 1000 + n, f"Extra statement {n}.", state=world["states"]["GBR"])


@pytest.mark.parametrize(
    "params",
    [
        {"state": "United Kingdom"},
        {"state": "UK", "q": "statement"},
        {"topic": "peace"},
        {"state": "the Niger", "topic": "women and peace", "q": "statement"},
    ],
)
def test_named_filters_run_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries, params
):
    _more_speeches(world, 30)
    # A worker's first request also loads the name index (3 queries), renders the
    # suggestions (3 queries), reads the topic tree (2) and what the archive holds (3): once
    # per archive version, then never per request or per row.
    with django_assert_max_num_queries(23):
        first = _get(client, **params)
    assert len(first.context["speeches"]) == 20 or first.context["total"] < 20
    cache.clear()  # facet counts: measure the page itself again, not the facet cache
    # The same bound as tests/test_search.py's for codes: a name costs nothing more.
    with django_assert_max_num_queries(12):
        again = _get(client, **params)
    assert _ids(again) == _ids(first)


# --------------------------------------------------------------------------- other pages


def test_votes_vetoed_by_a_name_or_a_code(client):
    from tests.pages_data import build_archive

    build_archive()
    by_code = client.get("/votes/?vetoed_by=rus&format=csv")
    by_name = client.get("/votes/", {"vetoed_by": "Russia", "format": "csv"})
    assert b"".join(by_code.streaming_content) == b"".join(by_name.streaming_content)
    html = client.get("/votes/", {"vetoed_by": "Atlantis"}).content.decode()
    assert "Some filters were not understood" in html
    assert "No Member State or body called “Atlantis”" in html


def test_topic_boxes_on_other_pages_suggest_agenda_items(client, world):
    for url in ["/meetings/", world["states"]["KAZ"].get_absolute_url() + "statements/"]:
        response = client.get(url)
        html = response.content.decode()
        assert 'list="agenda-item-options"' in html, url
        assert '<datalist id="agenda-item-options">' in html, url


@pytest.mark.django_db(transaction=True)
def test_state_codes_follow_a_committed_change(client):
    # The State box's codes and slugs are kept per archive version: a committed edit (a new
    # version) shows on the next request. The worker re-reads the version every
    # ARCHIVE_STATE_CACHE_SECONDS; clear_validator_cache stands for that wait.
    clear_validator_cache()
    assert _get(client, state="atl").status_code == 400
    MemberState.objects.create(name="Atlantis", iso3="ATL")  # committed: a new version
    clear_validator_cache()
    response = _get(client, state="atl")
    assert response.status_code == 200
    assert _chips(response) == ["State: Atlantis"]
    MemberState.objects.filter(iso3="ATL").update(name="Atlantica")
    clear_validator_cache()
    assert _chips(_get(client, state="atl")) == ["State: Atlantica"]
    Affiliation.objects.create(name="Atlantic League", kind="organization", slug="atl-league")
    clear_validator_cache()
    assert _chips(_get(client, state="atl-league")) == ["Organization: Atlantic League"]


def test_each_filterset_has_its_own_filters_and_fields(world):
    from archive.filters import SpeechFilterSet

    first = SpeechFilterSet({"state": "fra"}, queryset=Speech.objects.all())
    second = SpeechFilterSet({"role": "president"}, queryset=Speech.objects.all())
    assert first.is_valid() and second.is_valid()
    for name in ("state", "role"):
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
    # A method filter calls its own FilterSet's method.
    assert first.filters["state"].filter.f is first.filters["state"]
    assert first.form.fields["state"] is not second.form.fields["state"]
    # Their model choice fields share a queryset that is only cloned (see the test below).
    assert first.form.fields["speaker"].queryset._result_cache is None
    assert set(first.qs.values_list("member_state__iso3", flat=True)) <= {"FRA"}
    assert set(second.qs.values_list("role", flat=True)) <= {"president"}
    assert first.form.cleaned_data["role"] == "" and second.form.cleaned_data["state"] is None


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=peace",
        "q=%22sexual+violence%22+OR+impunity+-Syria&state=fra&page=3",
        "state=C%C3%B4te+d%27Ivoire&year=2019&year=2020",
        "q=a%26b%3Dc&topic=middle-east&sort=newest",
    ],
)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("state", "kaz"),
        ("year", "2019"),
        ("topic", "women-peace-security"),
        ("q", "peace & security"),
        ("state", "Côte d'Ivoire"),
        ("q", "a+b=c;~x.y_z-1"),
        ("state", None),
        ("new", "ünïcode/?#"),
    ],
)
def test_query_editor_links_are_urlencode_s(rf, query, param, value):
    # Links to the current URL with one parameter changed: exactly what urlencode gives for
    # the parameters in their order (the changed one in its place, a new one last), page reset.
    from urllib.parse import parse_qsl, urlencode

    from archive.views.search_html import QueryEditor

    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
    expected, placed = [], False
    for key, item in pairs:
        if key != param:
            expected.append((key, item))
        elif not placed:
            placed = True
            if value is not None:
                expected.append((key, value))
    if not placed and value is not None:
        expected.append((param, value))
    encoded = urlencode(expected)
    link = QueryEditor(rf.get("/search/?" + query)).with_param(param, value)
    assert link == (f"?{encoded}" if encoded else "/search/")


def test_the_filter_forms_share_querysets_that_never_keep_rows(client, world):
    # Each request's filter form shares the class's speaker and meeting querysets (cloned
    # only): valid, invalid and rendered values leave them without rows.
    from archive.filters import SpeechFilterSet

    for params in (
        {"speaker": str(world["speaker"].pk)},
        {"speaker": "999999"},
        {"meeting": "S/PV.8491"},
        {"meeting": "S/PV.1"},
        {"speaker": str(world["speaker"].pk), "meeting": "S/PV.8491", "q": "statement"},
    ):
        assert _get(client, **params).status_code in (200, 400)
        form = SpeechFilterSet(params).form
        assert (
            form.fields["speaker"].queryset
            is SpeechFilterSet._form_class.base_fields["speaker"].queryset
        )
        for name in ("speaker", "meeting"):
            assert SpeechFilterSet._form_class.base_fields[name].queryset._result_cache is None


def test_filters_and_fields_are_copied_as_copy_copy_would():
    # The cheap copy (class and attribute dict) is copy.copy for these classes: none has a
    # __copy__ or state methods of its own.
    import copy

    from archive.filters import SpeechFilterSet, _shallow_copy

    form_class = SpeechFilterSet().get_form_class()
    for obj in [*SpeechFilterSet.base_filters.values(), *form_class.base_fields.values()]:
        for name in ("__copy__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__"):
            assert getattr(type(obj), name, None) is getattr(object, name, None), (obj, name)
        cheap, reference = _shallow_copy(obj), copy.copy(obj)
        assert type(cheap) is type(reference) and cheap is not obj
        assert cheap.__dict__ == reference.__dict__
