"""The corpus import: both layouts, built at test time from the real 2020 files."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive import corpus
from archive.corpus import (
    CsvReader,
    decode_speech,
    document_id,
    import_corpus,
    open_corpus,
    read_tsv,
    split_label,
)
from archive.models import (
    AgendaItem,
    ImportRecord,
    Meeting,
    MemberState,
    Mention,
    Resolution,
    Speaker,
    Speech,
)
from bench.corpusbuilder import documents_from_2020, write_release

SAMPLE = ["S/PV.8698", "S/PV.8699 (Resumption 1)", "S/PV.8701"]
LETTER = "S/2020/340"


def csv_rows(data_dir: Path, symbols: set[str]) -> list[dict[str, str]]:
    """Rows of speeches_2020.csv for the given documents."""
    path = data_dir / "unsc-2020-pires" / "speeches_2020.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["document_symbol"] in symbols]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def reference(data_dir, db):
    """Member States, affiliations and name aliases (the corpus crosswalk), Council terms."""
    from archive import reference_data
    from archive.names import NameResolver

    reference_data.load_member_states(data_dir=data_dir)
    reference_data.load_affiliations_and_aliases(data_dir=data_dir)
    reference_data.load_council_terms(data_dir=data_dir, resolver=NameResolver.load())


@pytest.fixture
def release(tmp_path, data_dir) -> Path:
    """The release layout (speeches/, speaker.tsv, meta.tsv) for three 2020 documents; the
    8701 rows carry the S/PV.5225 trap (a literal newline inside agenda_item3)."""
    documents = list(documents_from_2020(data_dir, symbols=SAMPLE))
    for document in documents:
        document.split_agenda = document.document_symbol == "S/PV.8701"
    write_release(tmp_path / "release", documents)
    return tmp_path / "release"


def counts() -> dict[str, int]:
    models = [Meeting, Speech, Mention, Speaker, ImportRecord, AgendaItem]
    return {model.__name__: model.objects.count() for model in models}


# --------------------------------------------------------------------------- reading


def test_read_tsv_joins_split_rows_and_drops_row_names(release, data_dir):
    rows = list(read_tsv(release / "speaker.tsv"))
    expected = csv_rows(data_dir, set(SAMPLE))
    assert len(rows) == len(expected)
    assert [r["filename"] for r in rows] == [r["filename"] for r in expected]
    split = [r for r in rows if r["document_symbol"] == "S/PV.8701"]
    assert split and all(r["agenda_item3"] == "Thematic issues" for r in split)
    assert all(r["speech_format"] == "In-Person" for r in rows)  # last field survived the join
    assert all(r["speaker_undl"] == "" for r in rows)  # NA read as missing
    physical = (release / "speaker.tsv").read_text(encoding="utf-8").count("\n")
    assert physical == len(rows) + 1 + len(split)


def test_read_tsv_undoubles_r_apostrophes(tmp_path):
    path = tmp_path / "speaker.tsv"
    path.write_text(
        "filename\tspeaker\tcountry_org\n"
        "1\tUNSC_1999_SPV.4000_spch001.txt\tMr. D''Alema\tCote D''ivoire\n",
        encoding="utf-8",
    )
    (row,) = read_tsv(path)
    assert row["speaker"] == "Mr. D''Alema"  # read_tsv keeps the field raw
    assert corpus._undouble(row["country_org"]) == "Cote D'ivoire"


@pytest.mark.parametrize(
    ("data", "text", "fallback"),
    [
        (
            b"Mr. A (France): The Council\x92s work.\r\n",
            "Mr. A (France): The Council’s work.",
            True,
        ),
        ("The Council’s work.\r\n".encode(), "The Council’s work.", False),
        (b"\xef\xbb\xbfThe President: Thanks.", "The President: Thanks.", False),
        (b"Caf\xe9 \x80 5\x00", "Café € 5", True),
    ],
)
def test_decode_speech(data, text, fallback):
    assert decode_speech(data) == (text, fallback)


@pytest.mark.parametrize(
    ("text", "attribution", "country", "spoke_in", "rest"),
    [
        (
            "Mr. De Riviere (France) (spoke in French): I thank",
            "Mr. De Riviere (France) (spoke in French)",
            "France",
            "French",
            "I thank",
        ),
        ("The President: I now", "The President", None, "", "I now"),
        ("Ms. Patten: Sexual violence", "Ms. Patten", None, "", "Sexual violence"),
        ("Dato Lim Jock Hoi: At the outset", "Dato Lim Jock Hoi", None, "", "At the outset"),
        (
            "Hadiza (spoke in French): Allow me",
            "Hadiza (spoke in French)",
            None,
            "French",
            "Allow me",
        ),
        (
            "President Abbas (spoke in Arabic): I have come",
            "President Abbas (spoke in Arabic)",
            None,
            "Arabic",
            "I have come",
        ),
        (
            "Mr. AL-KIDWA (Palestine) (interpretation from Arabic): Allow me",
            "Mr. AL-KIDWA (Palestine) (interpretation from Arabic)",
            "Palestine",
            "Arabic",
            "Allow me",
        ),
    ],
)
def test_split_label(text, attribution, country, spoke_in, rest):
    speaker = attribution.split(" (")[0]  # the metadata's name, as speaker.tsv gives it
    label, body = split_label(text, speaker=speaker)
    assert (label.attribution, label.country, label.spoke_in, body) == (
        attribution,
        country,
        spoke_in,
        rest,
    )


@pytest.mark.parametrize(
    "text",
    [
        "I have the honour to refer to Security Council resolution 2516 (2020): in connection",
        "In 2019, the Council decided: to act.",
        "Original: English. I have the honour",
    ],
)
def test_split_label_leaves_unlabelled_text(text):
    assert split_label(text, speaker="Mr. Zhang Jun") == (None, text)


@pytest.mark.parametrize(
    ("symbol", "spv", "expected"),
    [
        ("", "8699Resumption1", ("S/PV.8699 (Resumption 1)", "verbatim_record", 8699, 1)),
        ("", "8698", ("S/PV.8698", "verbatim_record", 8698, None)),
        ("S/PV.8699 (Resumption 2)", "", ("S/PV.8699 (Resumption 2)", "verbatim_record", 8699, 2)),
        ("", "2020_266", ("S/2020/266", "letter_compilation", None, None)),
        ("S/2020/340", "2020_340", ("S/2020/340", "letter_compilation", None, None)),
    ],
)
def test_document_id(symbol, spv, expected):
    ident = document_id(symbol=symbol, spv=spv)
    assert (ident.symbol, ident.kind, ident.meeting_number, ident.resumption) == expected


def test_reader_groups_documents_in_any_row_order(tmp_path, data_dir):
    rows = csv_rows(data_dir, {"S/PV.8698", "S/PV.8701"})
    shuffled = rows[::2] + rows[1::2]  # interleaves the two documents
    reader = CsvReader(write_csv(tmp_path / "s.csv", shuffled))
    documents = list(reader.documents())
    assert sorted(d.symbol for d in documents) == ["S/PV.8698", "S/PV.8701"]
    for document in documents:
        expected = [int(r["speech"]) for r in rows if r["document_symbol"] == document.symbol]
        assert [s.sequence for s in document.speeches] == sorted(expected)


# --------------------------------------------------------------------------- release layout


@pytest.mark.parametrize("as_tar", [False, True], ids=["folder", "tar"])
def test_release_layout_import(reference, release, data_dir, tmp_path, as_tar):
    path = release
    if as_tar:
        documents = documents_from_2020(data_dir, symbols=SAMPLE)
        write_release(tmp_path / "tarred", documents, tar=True)
        path = tmp_path / "tarred" / "speeches.tar"
    expected = csv_rows(data_dir, set(SAMPLE))
    cp1252 = 0
    for row in expected:
        try:
            (data_dir / "unsc-2020-pires" / "speeches_txt" / row["filename"]).read_bytes().decode()
        except UnicodeDecodeError:
            cp1252 += 1
    assert cp1252  # the sample must hold Windows-1252 files for this test to mean anything

    report = import_corpus(reader=open_corpus(path), batch_size=30)

    assert report.speeches_imported == len(expected) == Speech.objects.count()
    assert report.meetings_created == len(SAMPLE)
    assert report.read.decode_fallbacks == cp1252
    assert report.read.repaired_lines == (0 if as_tar else 2)
    for symbol in SAMPLE:
        meeting = Meeting.objects.get(symbol=symbol)
        rows = [r for r in expected if r["document_symbol"] == symbol]
        assert meeting.source == Meeting.Source.CORPUS
        assert meeting.kind == Meeting.Kind.VERBATIM_RECORD
        assert meeting.date == datetime.date.fromisoformat(rows[0]["date_iso"])
        assert meeting.agenda == [rows[0]["topic"]]
        assert meeting.speech_count == len(rows) == meeting.speeches.count()
    resumption = Meeting.objects.get(symbol="S/PV.8699 (Resumption 1)")
    assert (resumption.meeting_number, resumption.resumption) == (8699, 1)
    # The label is kept as the attribution and stripped from the text.
    speech = Speech.objects.get(meeting__symbol="S/PV.8698", sequence=4)
    row = next(r for r in expected if r["filename"] == "UNSC_2020_SPV.8698_spch004.txt")
    assert row["content"].startswith(speech.attribution + ":")
    assert not speech.text.startswith(speech.attribution)
    assert "’" in Speech.objects.get(meeting__symbol="S/PV.8698", sequence=1).text
    assert not Speech.objects.filter(text__contains="\r").exists()
    french = Speech.objects.filter(attribution__contains="(spoke in French)").first()
    assert french is not None and french.spoke_in == "French"


def test_release_layout_import_twice_adds_nothing(reference, release):
    first = import_corpus(reader=open_corpus(release))
    before = counts()
    second = import_corpus(reader=open_corpus(release))
    assert counts() == before
    assert second.speeches_imported == 0 and second.meetings_created == 0
    assert sorted(second.already_imported) == sorted(SAMPLE)
    assert second.speeches_skipped == first.speeches_imported


def test_interrupted_import_resumes(reference, release, monkeypatch):
    """A crash leaves whole meetings; the re-run imports exactly what is missing."""
    calls = {"n": 0}
    original = corpus._Writer.write

    def crash_on_second_batch(self, documents):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk gone")
        return original(self, documents)

    monkeypatch.setattr(corpus._Writer, "write", crash_on_second_batch)
    with pytest.raises(OSError):
        import_corpus(reader=open_corpus(release), batch_size=1)
    assert Meeting.objects.count() == 1
    (meeting,) = Meeting.objects.all()
    assert meeting.speeches.count() == meeting.speech_count > 0
    monkeypatch.setattr(corpus._Writer, "write", original)

    report = import_corpus(reader=open_corpus(release))
    assert report.already_imported == [meeting.symbol]
    assert Meeting.objects.count() == len(SAMPLE)
    assert Speech.objects.count() == sum(m.speech_count for m in Meeting.objects.all())


def test_pdf_import_wins(reference, release):
    meeting = Meeting.objects.create(
        symbol="S/PV.8701", meeting_number=8701, source=Meeting.Source.PDF, speech_count=1
    )
    Speech.objects.create(
        meeting=meeting, sequence=1, attribution="The President", role="president", text="PDF"
    )
    report = import_corpus(reader=open_corpus(release))
    assert report.skipped_for_transcript == ["S/PV.8701"]
    assert any("S/PV.8701" in line for line in report.lines())
    assert list(meeting.speeches.values_list("text", flat=True)) == ["PDF"]
    assert Meeting.objects.get(pk=meeting.pk).source == Meeting.Source.PDF
    assert report.meetings_created == len(SAMPLE) - 1
    assert report.speeches_skipped == 2


def test_reference_meeting_is_filled_in_place(reference, release):
    item = AgendaItem.objects.create(title="Peace consolidation in West Africa", slug="west")
    meeting = Meeting.objects.create(
        symbol="S/PV.8698",
        meeting_number=8698,
        date=datetime.date(2020, 1, 8),
        agenda_item=item,
        outcome="Statement",
        source=Meeting.Source.REFERENCE,
    )
    report = import_corpus(reader=open_corpus(release))
    assert report.meetings_filled == 1 and report.meetings_created == len(SAMPLE) - 1
    meeting.refresh_from_db()
    assert meeting.source == Meeting.Source.CORPUS
    assert (meeting.outcome, meeting.agenda_item_id) == ("Statement", item.pk)
    assert meeting.speech_count == meeting.speeches.count() == 20
    assert meeting.presidency.iso3 == "VNM"


# --------------------------------------------------------------------------- CSV layout


def test_csv_letter_compilation(reference, data_dir, tmp_path):
    rows = csv_rows(data_dir, {LETTER, "S/PV.8701"})
    report = import_corpus(reader=open_corpus(write_csv(tmp_path / "s.csv", rows)))
    letter = Meeting.objects.get(symbol=LETTER)
    letter_rows = [r for r in rows if r["document_symbol"] == LETTER]
    assert letter.kind == Meeting.Kind.LETTER_COMPILATION
    assert letter.meeting_number is None
    assert letter.speech_count == len(letter_rows) == letter.speeches.count()
    assert report.letter_compilations == 1
    first = letter.speeches.get(sequence=int(letter_rows[0]["speech"]))
    # Statements sent in writing have no speaker label: the attribution comes from the metadata.
    assert first.attribution == f"{letter_rows[0]['speaker']} ({letter_rows[0]['country']})"
    assert first.text == letter_rows[0]["content"].strip()
    assert Meeting.objects.get(symbol="S/PV.8701").kind == Meeting.Kind.VERBATIM_RECORD


def one_speech_csv(tmp_path, *, country, participanttype="Mentioned", year=2020) -> Path:
    row = {
        "filename": f"UNSC_{year}_SPV.9990_spch001.txt",
        "document_symbol": "S/PV.9990",
        "spv": "9990",
        "speech": "1",
        "date_iso": f"{year}-03-02",
        "topic": "Maintenance of international peace and security",
        "participanttype": participanttype,
        "speaker": "Mr. Example",
        "country": country,
        "role_in_un": "",
        "content": f"Mr. Example ({country}): I cite resolution 2467 (2019) and S/2019/280.",
    }
    return write_csv(tmp_path / "one.csv", [row])


@pytest.mark.parametrize(
    ("country", "participanttype", "year", "iso3", "affiliation", "role"),
    [
        ("United Kingdom", "Mentioned", 2020, "GBR", None, "member"),
        (
            "United Kingdom of Great Britain and Northern Ireland",
            "Guest",
            2020,
            "GBR",
            None,
            "member",
        ),
        ("Viet Nam", "The President", 2020, "VNM", None, "president"),
        ("Saint Vincent and Grenadines", "Mentioned", 2020, "VCT", None, "member"),
        ("Saint Vincent and Grenadines", "Guest", 2018, "VCT", None, "invited"),
        ("Türkiye", "Guest", 2020, "TUR", None, "invited"),
        ("UN", "Guest", 2020, None, "United Nations", "un"),
        ("EU", "Guest", 2020, None, "European Union", "invited"),
        ("African Union", "Guest", 2020, None, "African Union", "invited"),
        ("Holy See", "Guest", 2020, None, "Holy See", "invited"),
    ],
)
def test_attribution_of_labels(
    reference, tmp_path, country, participanttype, year, iso3, affiliation, role
):
    report = import_corpus(
        reader=open_corpus(
            one_speech_csv(tmp_path, country=country, participanttype=participanttype, year=year)
        )
    )
    speech = Speech.objects.get()
    assert speech.country_as_printed == country
    assert (speech.member_state.iso3 if speech.member_state else None) == iso3
    assert (speech.affiliation.name if speech.affiliation else None) == affiliation
    assert speech.role == role
    assert not report.unresolved
    assert speech.speaker.member_state_id == speech.member_state_id


@pytest.mark.parametrize(
    "country", ["Kyrgyztan", "Youth Parliament of the Niger", "spoke in French"]
)
def test_unknown_labels_are_kept_and_reported(reference, tmp_path, country):
    report = import_corpus(reader=open_corpus(one_speech_csv(tmp_path, country=country)))
    speech = Speech.objects.get()
    assert (speech.member_state, speech.affiliation, speech.role) == (None, None, "other")
    assert speech.country_as_printed == country
    assert report.unresolved == {country: 1}
    assert any(country in line for line in report.lines())


def test_mentions_link_resolutions_we_hold(reference, tmp_path):
    resolution = Resolution.objects.create(number=2467, year=2019)
    import_corpus(reader=open_corpus(one_speech_csv(tmp_path, country="France")))
    mentions = {m.symbol: m for m in Mention.objects.all()}
    assert mentions["S/RES/2467 (2019)"].resolution == resolution
    assert mentions["S/2019/280"].kind == Mention.Kind.DOCUMENT
    assert mentions["S/2019/280"].resolution is None


def test_search_vector_is_filled(reference, tmp_path):
    import_corpus(reader=open_corpus(one_speech_csv(tmp_path, country="France")))
    assert Speech.objects.filter(search_vector="resolution").count() == 1


# --------------------------------------------------------------------------- command


def test_command_prints_summary(reference, release, capsys):
    call_command("import_corpus", str(release), "--no-progress")
    out = capsys.readouterr().out
    assert f"Meetings created: {len(SAMPLE)}" in out
    assert "Texts decoded as Windows-1252" in out
    assert "Unresolved labels:" in out
    assert MemberState.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing", None, "does not exist"),
        ("notes.txt", "hello", "neither a CSV"),
        ("bad.csv", "a,b\n1,2\n", "speeches_2020.csv form"),
    ],
)
def test_command_rejects_bad_input(db, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_corpus", str(path), "--no-progress")
    assert not Meeting.objects.exists()


def test_release_folder_without_speaker_tsv_is_refused(db, release):
    (release / "speaker.tsv").unlink()
    with pytest.raises(CommandError, match="speaker.tsv not found"):
        call_command("import_corpus", str(release), "--no-progress")


def test_general_assembly_resolutions_are_documents_never_council_resolutions(reference, tmp_path):
    """ "General Assembly resolution 51/223" and "resolution 1514 (XV)" are stored as the
    documents A/RES/51/223 and A/RES/1514 (XV), never linked to Council resolutions 51, 223 or
    1514 (2003), which the archive holds."""
    held = [Resolution.objects.create(number=n, year=y) for n, y in ((223, 1966), (1514, 2003))]
    path = one_speech_csv(tmp_path, country="France")
    text = path.read_text(encoding="utf-8").replace(
        "I cite resolution 2467 (2019)",
        # No commas: the test CSV's field is not quoted.
        "I cite General Assembly resolution 51/223 and A/RES/60/1 and resolution 1514 (XV) "
        "and resolution 2467 (2019)",
    )
    path.write_text(text, encoding="utf-8")
    import_corpus(reader=open_corpus(path))
    mentions = {m.symbol: m for m in Mention.objects.all()}
    for symbol in ("A/RES/51/223", "A/RES/60/1", "A/RES/1514 (XV)"):
        assert mentions[symbol].kind == Mention.Kind.DOCUMENT
        assert mentions[symbol].resolution is None
    assert not Mention.objects.filter(resolution__in=held).exists()
    assert not any(s.startswith(("S/RES/51", "S/RES/223", "S/RES/1514")) for s in mentions)
