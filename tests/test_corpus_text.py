"""Page counters, footers and headers the corpus left in speech texts, and the numbers that
are text: the cleaning is checked on every statement of the real 2020 corpus."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict

import pytest

from archive.corpus_text import clean_document, split_tail

FURNITURE = re.compile(r"^(?:\d{1,3}/\d{1,3}|[S$]/\d{0,4}(?:/\d{1,4})?|\d{2}-\d{5}|\*\d*\*?)$")


@pytest.fixture(scope="module")
def documents(data_dir) -> dict[str, list[str]]:
    docs = defaultdict(list)
    path = data_dir / "unsc-2020-pires" / "speeches_2020.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            docs[row["document_symbol"]].append(row["content"].replace("\r\n", "\n").strip())
    return docs


def test_only_furniture_is_removed_from_the_real_corpus(documents):
    """Every character removed belongs to a page counter, footer or header token."""
    changed = with_counters = 0
    for texts in documents.values():
        for original, cleaned in zip(texts, clean_document(texts), strict=True):
            if not cleaned.changed:
                assert cleaned.text == original
                continue
            changed += 1
            with_counters += any(re.fullmatch(r"\d+/\d+", t) for t in cleaned.removed)
            assert all(FURNITURE.match(token) for token in cleaned.removed), cleaned.removed
            kept = Counter(re.sub(r"\s", "", cleaned.text))
            removed = Counter("".join(cleaned.removed))
            assert kept + removed == Counter(re.sub(r"\s", "", original))
    # The issue counted 130 statements with a page counter; the footers around them too.
    assert with_counters >= 130 and changed >= with_counters


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("as set out in General Assembly resolution 46/182. We continue.", "46/182"),
        ("The IAEA has installed 24/7 online monitoring.", "24/7"),
        ("decisions 71/205, 72/190, 73/263 and 74/168 apply.", "73/263"),
        ("the text of a letter 2/2 dated 14 October 2019", "2/2"),
    ],
)
def test_numbers_that_are_text_stay(text, kept):
    [cleaned] = clean_document([text])
    assert kept in cleaned.text and not cleaned.changed


def test_counters_inside_a_speech_go_where_the_page_count_is_known():
    texts = [
        "First statement ends here. 3/31 20-01234",
        "Peace needs 4/31 all of us. It ends. 5/31 S/2",
        "We recall resolution 74/31 and resolution 2254 (2015).",
    ]
    cleaned = clean_document(texts)
    assert cleaned[0].text == "First statement ends here."
    assert cleaned[1].text == "Peace needs all of us. It ends."
    assert cleaned[2].text == texts[2]  # 74/31 is a resolution: it stays


@pytest.mark.parametrize(
    ("text", "body", "removed"),
    [
        ("The meeting rose at noon. 21/21", "The meeting rose at noon.", ["21/21"]),
        ("... of Syria.$/2", "... of Syria.", ["$/2"]),
        ("support. 25/26 S/2020/497", "support.", ["25/26", "S/2020/497"]),
        ("the figure was 21/21", "the figure was 21/21", []),  # not after a sentence
    ],
)
def test_trailing_furniture(text, body, removed):
    assert split_tail(text) == (body, removed)


@pytest.mark.django_db
def test_the_data_migration_repairs_stored_corpus_rows():
    """Rows stored before this change: furniture removed, placeholders no longer names, every
    spelling a person, topics seeded; texts of official PDFs untouched."""
    from importlib import import_module

    from django.apps import apps

    from archive.models import Meeting, MemberState, Person, Speaker, Speech, Topic

    belgium = MemberState.objects.create(name="Belgium", iso3="BEL")
    corpus = Meeting.objects.create(symbol="S/2020/254", kind="letter_compilation", source="corpus")
    pdf = Meeting.objects.create(symbol="S/PV.8700", meeting_number=8700, source="pdf")
    unknown = Speaker.objects.create(name="unknown", member_state=belgium)
    named = Speaker.objects.create(name="Mr. Pecsteen de Buytswerve", member_state=belgium)
    rows = [
        (corpus, 1, "unknown", unknown, "unknown (Belgium)", "We regret it. 3/4 20-04885"),
        (corpus, 2, named.name, named, named.name, "We thank him. 4/4 S/2"),
        (pdf, 1, named.name, named, named.name, "The meeting rose at noon. 21/21"),
    ]
    for meeting, sequence, name, speaker, attribution, text in rows:
        Speech.objects.create(
            meeting=meeting,
            sequence=sequence,
            speaker=speaker,
            speaker_name=name,
            attribution=attribution,
            member_state=belgium,
            role="member",
            text=text,
        )
    import_module("archive.migrations.0012_people_data").forwards(apps, None)

    first, second = Speech.objects.filter(meeting=corpus).order_by("sequence")
    assert (first.text, first.speaker_name, first.attribution) == ("We regret it.", "", "")
    assert first.speaker_id is None and not Speaker.objects.filter(name="unknown").exists()
    assert second.text == "We thank him."
    assert Speech.objects.get(meeting=pdf).text.endswith("21/21")  # not the corpus's
    assert Speaker.objects.get(pk=named.pk).person == Person.objects.get()
    assert Topic.objects.filter(slug="syria").exists()
