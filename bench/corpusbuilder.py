"""Build corpora in the UN Security Council Debates release layout, from real text.

The real release (speeches.tar, speaker.tsv, meta.tsv: 106,302 speeches) is not reachable from
here, so tests and benchmarks build the same layout themselves:

* ``csv_rows`` reads ``unsc-2020-pires/speeches_2020.csv`` (real 2020 speeches and metadata);
* ``write_release`` writes documents as the release does: one ``UNSC_YYYY_SPV.N_spchNNN.txt``
  file per speech (a folder or an uncompressed tar), ``speaker.tsv`` with the codebook's
  columns and R's conventions (a row-name column missing from the header, ``NA``, no quoting,
  doubled apostrophes) and ``meta.tsv``;
* ``bench_documents`` streams any number of speech-sized pieces: the 2020 speeches first, then
  the General Assembly debates (``ungdc-1946-2024``, real diplomatic English) cut at paragraph
  boundaries, for volume;

Nothing here holds a corpus in memory: documents are generated and written one at a time.
Reusable by other benchmarks (the search benchmark can take ``bench_documents``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import lzma
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SPEAKER_COLUMNS = [
    "filename",
    "date",
    "day",
    "month",
    "year",
    "speaker",
    "speaker_undl",
    "speaker_country",
    "country_org",
    "role",
    "participanttype",
    "speech_number",
    "record_speech",
    "tokens",
    "types",
    "sentences",
    "topic",
    "agenda_item1",
    "agenda_item2",
    "agenda_item3",
    "agenda_item4",
    "agenda_item_manual",
    "document_symbol",
    "meeting_symbol",
    "speech_format",
]
META_COLUMNS = ["basename", "date", "topic", "year", "month", "day", "spv", "num_speeches"]


@dataclass
class BuiltSpeech:
    """One speech to write: metadata as the corpus prints it, and the text (label included)."""

    number: int
    speaker: str
    country_org: str
    participanttype: str
    text: str
    role: str = ""
    encoding: str = "utf-8"  # the 2020 files are partly Windows-1252


@dataclass
class BuiltDocument:
    """One S/PV document (resumptions separate) with its speeches."""

    spv: str  # "8699" or "8699Resumption1", as in file names
    date: datetime.date
    topic: str
    speeches: list[BuiltSpeech] = field(default_factory=list)
    split_agenda: bool = False  # write a literal newline in agenda_item3 (the S/PV.5225 trap)

    @property
    def basename(self) -> str:
        return f"UNSC_{self.date.year}_SPV.{self.spv}"

    @property
    def document_symbol(self) -> str:
        if "Resumption" in self.spv:
            number, resumption = self.spv.split("Resumption")
            return f"S/PV.{number} (Resumption {resumption})"
        return f"S/PV.{self.spv}"

    @property
    def meeting_symbol(self) -> str:
        return f"S/PV.{self.spv.split('Resumption')[0]}"


def _tsv(value: object) -> str:
    text = "NA" if value is None or value == "" else str(value)
    return text.replace("\t", " ").replace("'", "''")


def write_release(
    out: Path, documents: Iterable[BuiltDocument], *, tar: bool = False, row_names: bool = True
) -> dict[str, int]:
    """Write documents in the release layout under ``out``; returns counts written.

    ``out/speeches/`` (or ``out/speeches.tar``), ``out/speaker.tsv``, ``out/meta.tsv``.
    """
    out.mkdir(parents=True, exist_ok=True)
    folder = out / "speeches"
    archive = tarfile.open(out / "speeches.tar", "w") if tar else None  # noqa: SIM115
    if not tar:
        folder.mkdir(exist_ok=True)
    counts = {"documents": 0, "speeches": 0, "bytes": 0}
    row = 0
    with (
        open(out / "speaker.tsv", "w", encoding="utf-8", newline="") as speaker,
        open(out / "meta.tsv", "w", encoding="utf-8", newline="") as meta,
    ):
        # R's write.table: the header lacks the row-name column the rows have.
        speaker.write("\t".join(SPEAKER_COLUMNS) + "\n")
        meta.write("\t".join(META_COLUMNS) + "\n")
        for number, document in enumerate(documents, start=1):
            counts["documents"] += 1
            for speech in document.speeches:
                row += 1
                filename = f"{document.basename}_spch{speech.number:03d}.txt"
                data = speech.text.replace("\n", "\r\n").encode(speech.encoding, errors="replace")
                counts["bytes"] += len(data)
                if archive is not None:
                    info = tarfile.TarInfo(f"speeches/{filename}")
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
                else:
                    (folder / filename).write_bytes(data)
                words = speech.text.split()
                agenda3 = "Thematic\nissues" if document.split_agenda else "Thematic issues"
                values = [
                    filename,
                    document.date.isoformat(),
                    document.date.day,
                    document.date.month,
                    document.date.year,
                    speech.speaker,
                    None,
                    None,
                    speech.country_org,
                    speech.role,
                    speech.participanttype,
                    speech.number,
                    None,
                    len(words),
                    len(set(words)),
                    max(1, speech.text.count(". ")),
                    document.topic,
                    "Thematic",
                    None,
                    agenda3,
                    None,
                    document.topic,
                    document.document_symbol,
                    document.meeting_symbol,
                    "In-Person",
                ]
                fields = [_tsv(v) for v in values]
                if row_names:
                    fields.insert(0, str(row))
                speaker.write("\t".join(fields) + "\n")
                counts["speeches"] += 1
            meta_values = [
                document.basename,
                document.date.isoformat(),
                document.topic,
                document.date.year,
                document.date.month,
                document.date.day,
                document.spv,
                len(document.speeches),
            ]
            fields = [_tsv(v) for v in meta_values]
            if row_names:
                fields.insert(0, str(number))
            meta.write("\t".join(fields) + "\n")
    if archive is not None:
        archive.close()
    return counts


# --------------------------------------------------------------------------- real 2020 data


def csv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of ``speeches_2020.csv`` (streamed)."""
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def documents_from_2020(
    data_dir: Path, *, symbols: Iterable[str] | None = None, from_files: bool = True
) -> Iterator[BuiltDocument]:
    """The 2020 S/PV documents as ``BuiltDocument``: metadata from the CSV, texts from the files.

    ``from_files`` reads each speech's bytes from ``speeches_txt`` and keeps their encoding
    (UTF-8 or Windows-1252), so the written corpus has the real mix.
    """
    base = data_dir / "unsc-2020-pires"
    wanted = set(symbols) if symbols is not None else None
    current: BuiltDocument | None = None
    for row in csv_rows(base / "speeches_2020.csv"):
        if not row["document_symbol"].startswith("S/PV."):
            continue
        if wanted is not None and row["document_symbol"] not in wanted:
            continue
        if current is None or current.spv != row["spv"]:
            if current is not None:
                yield current
            current = BuiltDocument(
                spv=row["spv"],
                date=datetime.date.fromisoformat(row["date_iso"]),
                topic=row["topic"],
            )
        text, encoding = row["content"], "utf-8"
        path = base / "speeches_txt" / row["filename"]
        if from_files and path.exists():
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text, encoding = data.decode("cp1252"), "cp1252"
            text = text.replace("\r\n", "\n")
        current.speeches.append(
            BuiltSpeech(
                number=int(row["speech"]),
                speaker=row["speaker"],
                country_org=row["country"],
                participanttype=row["participanttype"],
                role=row["role_in_un"],
                text=text,
                encoding=encoding,
            )
        )
    if current is not None:
        yield current


# --------------------------------------------------------------------------- volume


def _ga_pieces(data_dir: Path, *, size: int, shift: int) -> Iterator[tuple[str, str]]:
    """(ISO3, text) pieces of about ``size`` characters cut from the General Assembly debates."""
    path = data_dir / "ungdc-1946-2024" / "ungdc_1946_2024.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            paragraphs = [p.strip() for p in record["text"].split("\n") if p.strip()]
            piece: list[str] = []
            length = -shift  # a different cut on each pass over the corpus
            for paragraph in paragraphs:
                piece.append(paragraph)
                length += len(paragraph)
                if length >= size:
                    yield record["iso3"], "\n\n".join(piece)
                    piece, length = [], 0
            if piece and length > size // 4:
                yield record["iso3"], "\n\n".join(piece)


def _country_names(data_dir: Path) -> dict[str, str]:
    names = {}
    with open(data_dir / "un-member-states" / "un_member_states.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["iso3"]] = row["name"]
    return names


_SURNAMES = [
    "Abdelaziz", "Nguyen", "Okafor", "Schmidt", "Haddad", "Moreau", "Ivanov", "Silva", "Tanaka",
    "Kowalski", "Mensah", "Larsen", "Rahman", "Costa", "Mbeki", "Novak", "Ortega", "Yilmaz",
]  # fmt: skip


def bench_documents(
    data_dir: Path,
    *,
    speeches: int,
    piece_size: int = 3600,
    per_meeting: int = 20,
    first_meeting: int = 20000,
) -> Iterator[BuiltDocument]:
    """At least ``speeches`` speeches: the real 2020 documents, then GA text cut into speeches.

    Synthetic meetings are numbered from ``first_meeting`` (above any real S/PV number), dated
    from 1995 on, ``per_meeting`` speeches each; the first speech of each is the President's.
    """
    produced = 0
    for document in documents_from_2020(data_dir):
        produced += len(document.speeches)
        yield document
        if produced >= speeches:
            return
    names = _country_names(data_dir)
    start = datetime.date(1995, 1, 2)
    meeting = first_meeting
    current: BuiltDocument | None = None
    passes = 0
    while produced < speeches:
        for iso3, text in _ga_pieces(data_dir, size=piece_size, shift=passes * 700):
            if current is None:
                current = BuiltDocument(
                    spv=str(meeting),
                    date=start + datetime.timedelta(days=(meeting - first_meeting) // 2),
                    topic=f"Maintenance of international peace and security ({meeting % 97})",
                )
            number = len(current.speeches) + 1
            country = names.get(iso3, "UN")
            surname = _SURNAMES[(meeting + number) % len(_SURNAMES)]
            president = number == 1
            label = "The President" if president else f"Mr. {surname} ({country})"
            current.speeches.append(
                BuiltSpeech(
                    number=number,
                    speaker=f"Mr. {surname}",
                    country_org=country,
                    participanttype="The President"
                    if president
                    else ("Mentioned", "Guest")[number % 2],
                    text=f"{label}: {text}",
                )
            )
            produced += 1
            if len(current.speeches) >= per_meeting or produced >= speeches:
                yield current
                current, meeting = None, meeting + 1
            if produced >= speeches:
                return
        passes += 1
