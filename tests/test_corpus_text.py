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
