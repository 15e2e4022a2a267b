"""Topics gather the spellings of one subject; filters, the facet and examples use them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.text import slugify

from archive.models import AgendaItem, AgendaItemTopic, Meeting, Topic, TopicRule
from archive.topics.rules import assign_topics, read_fixture, seed_topics, topics_for

pytestmark = pytest.mark.django_db

SYRIA = [
    "Syria",
    "Syria (Humanitarian Situation)",
    "Syria (Political Situation)",
    "Middle East situation - Syria",
    "The situation in the Middle East (Syria)",
]
MIDDLE_EAST = [
    "The situation in the Middle East",
    "The situation in Middle East",
    "The situation the Middle East",
    "Situation in the Middle East",
    "Middle East situation",
]


@pytest.fixture
def topics(reference_db):
    # The UN meetings table spells some; the 2020 corpus the others ("Syria (Humanitarian
    # Situation)"), as its import would create them.
    for title in SYRIA + MIDDLE_EAST:
        AgendaItem.objects.get_or_create(title=title, defaults={"slug": slugify(title)})
    seed_topics()
    assign_topics()
    return {t.slug: t for t in Topic.objects.all()}


def test_the_fixture_compiles_and_names_its_parents():
    rows = read_fixture()
    slugs = {row["topic"] for row in rows}
    assert {row["parent"] for row in rows if row["parent"]} <= slugs


@pytest.mark.parametrize("title", SYRIA)
def test_syria_in_its_spellings(topics, title):
    item = AgendaItem.objects.get(title=title)
    assert topics["syria"] in item.topics.all()


@pytest.mark.parametrize("title", MIDDLE_EAST)
def test_the_middle_east_in_its_spellings(topics, title):
    assert topics["middle-east"] in AgendaItem.objects.get(title=title).topics.all()


def test_the_topic_filter_gathers_every_spelling_and_the_broader_topic_its_children(client, topics):
    url = reverse("archive:meeting_list")
    syria = client.get(url, {"topic": "syria"}).context["page"].paginator.count
    expected = Meeting.objects.filter(agenda_item__title__in=SYRIA).count()
    assert syria >= expected > 0
    middle_east = client.get(url, {"topic": "The situation in the Middle East"})
    assert middle_east.context["page"].paginator.count > syria  # Syria is part of it
    shown = middle_east.content.decode()
    assert "Syria" in shown


def test_the_agenda_wording_stays_on_each_meeting(client, topics):
    meeting = Meeting.objects.filter(agenda_item__title="Middle East situation - Syria").first()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "Middle East situation - Syria" in html
    assert f"?topic={topics['syria'].slug}" in html


def test_staff_links_survive_the_rules(topics):
    item = AgendaItem.objects.get(title="Syria")
    youth = topics["youth-peace-and-security"]
    AgendaItemTopic.objects.create(agenda_item=item, topic=youth, assigned_by="staff")
    TopicRule.objects.filter(topic=topics["syria"]).delete()
    added, removed = assign_topics()
    links = set(item.topic_links.values_list("topic__slug", "assigned_by"))
    assert ("youth-peace-and-security", "staff") in links
    assert not any(slug == "syria" for slug, _ in links) and removed > 0


def test_topics_for_reads_titles_folded():
    rules = [(1, __import__("re").compile(r"\bsyria"))]
    assert topics_for("Middle East situation – SYRIA", rules) == {1}


@pytest.mark.parametrize("words", ["women and peace", "Women and peace and security", "WOMEN"])
def test_the_agenda_filter_example_finds_meetings(client, topics, words):
    response = client.get(reverse("archive:meeting_list"), {"topic": words})
    assert response.status_code == 200
    assert response.context["page"].paginator.count > 0


def test_reloading_the_meetings_keeps_a_title_an_import_holds(reference_db, data_dir):
    """A transcript import may hold an agenda title under a slug of its own: loading the UN
    meetings table again reuses that row rather than creating a second one with its title."""
    from archive.reference_data import load_meetings

    title = (
        "Identical letters dated 19 January 2016 from the Permanent Representative of Colombia "
        "to the United Nations addressed to the Secretary-General and the President of the "
        "Security Council (S/2016/53)"
    )
    item = AgendaItem.objects.get(title=title)
    AgendaItem.objects.filter(pk=item.pk).update(slug="identical-letters-colombia-imported")
    load_meetings(data_dir=data_dir)
    assert AgendaItem.objects.filter(title=title).count() == 1
    assert Meeting.objects.filter(agenda_item=item).exists()
