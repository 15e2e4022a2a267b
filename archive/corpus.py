"""Import the UN Security Council Debates corpus (Schoenfeld et al., Harvard Dataverse, CC0).

Two layouts are read, both documented in ``../shared/data/unsc-debates-corpus-docs`` and
``../shared/data/unsc-2020-pires``:

* the corpus release: a ``speeches`` folder (or ``speeches.tar``) holding one
  ``UNSC_YYYY_SPV.NNNN[ResumptionN]_spchNNN.txt`` file per speech, with ``speaker.tsv``
  (per speech) and ``meta.tsv`` (per document) beside it: tab-separated, no quoting
  (``quoting=3``), R's ``NA``, a row-name column, and the S/PV.5225 rows split by a literal
  newline;
* a CSV in the form of ``speeches_2020.csv`` (RFC 4180 quoting, text in ``content``), which also
  holds the 2020 letter compilations (S/2020/NNN).

Reading (the first half of this module: ``open_corpus`` and the readers) never touches the
database and streams: the metadata is read twice (once to count speeches per document, once to
import them) and texts are read one document at a time, so memory does not grow with the corpus
(a 100,000-speech import peaks at ~140 MB). Writing (``import_corpus``, the second half) goes one
batch of whole documents per transaction, speeches and mentions by ``COPY``; a crash leaves
whole meetings, and a re-run skips what is already there (idempotency by meeting symbol and
source: no per-speech key is needed).

Names are resolved by ``archive.names.NameResolver``, the same resolver the transcript import
uses; speaker labels are read with the transcript parser's label grammar, extended for forms
only the corpus prints.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import tarfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from archive.corpus_text import clean_document
from archive.models import (
    Affiliation,
    AgendaItem,
    CouncilTerm,
    ImportRecord,
    Meeting,
    Mention,
    Resolution,
    Speaker,
    Speech,
)
from archive.parsing.symbols import find_mentions, parse_resolution_reference
from archive.parsing.transcript import match_label
from archive.people.attribution import after_import
from archive.people.labels import is_placeholder
from archive.topics.rules import assign_topics

# --------------------------------------------------------------------------- reading (pure)


class CorpusError(Exception):
    """The corpus cannot be read; the message says why."""


# The release's own spellings first, then the 2020 CSV's and the codebook's.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "filename": ("filename",),
    "document_symbol": ("document_symbol", "document symbol"),
    "spv": ("spv",),
    "basename": ("basename",),
    "sequence": ("speech_number", "speech number", "speech"),
    "date": ("date_iso", "date"),
    "year": ("year",),
    "month": ("month",),
    "day": ("day",),
    "topic": ("topic",),
    "participanttype": ("participanttype",),
    "speaker": ("speaker",),
    "country": ("country_org", "country org", "country"),
    "role_in_un": ("role_in_un", "role in un", "role"),
    "content": ("content",),
    "record_kind": ("record_kind",),
    "speech_format": ("speech_format",),
}

_FILENAME = re.compile(
    r"^UNSC_(?P<year>\d{4})_SPV\.(?P<spv>.+?)_spch(?P<number>\d+)\.txt$", re.IGNORECASE
)
_SPV_MEETING = re.compile(
    r"^(?P<number>\d{1,5})\s*(?:\(?\s*Resumption\s*(?P<resumption>\d+)\s*\)?)?$"
)
_SPV_LETTER = re.compile(r"^(?P<year>\d{4})_(?P<number>\d{1,4})$")
_MEETING_SYMBOL = re.compile(
    r"^S/PV\.(?P<number>\d{1,5})(?:\s*\(Resumption\s+(?P<resumption>\d+)\))?$"
)
_LETTER_SYMBOL = re.compile(r"^S/(?P<year>\d{4})/(?P<number>\d{1,4})$")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august"]
        + ["september", "october", "november", "december"],
        start=1,
    )
}

VERBATIM_RECORD = "verbatim_record"
LETTER_COMPILATION = "letter_compilation"


@dataclass(frozen=True, slots=True)
class DocumentId:
    """What a document symbol says: its kind, and the meeting number and resumption."""

    symbol: str
    kind: str
    meeting_number: int | None = None
    resumption: int | None = None


def document_id(*, symbol: str = "", spv: str = "") -> DocumentId:
    """Read a document symbol ("S/PV.8699 (Resumption 1)", "S/2020/266") or build it from ``spv``.

    The codebook: the identifier is ``S/PV.{spv}``, with a "Resumption" part put in
    parentheses; the 2020 extension writes letter compilations as ``spv = 2020_266``.
    """
    symbol = " ".join((symbol or "").split())
    if symbol:
        match = _MEETING_SYMBOL.match(symbol)
        if match:
            resumption = int(match["resumption"]) if match["resumption"] else None
            return DocumentId(
                _meeting_symbol(int(match["number"]), resumption),
                VERBATIM_RECORD,
                int(match["number"]),
                resumption,
            )
        if _LETTER_SYMBOL.match(symbol):
            return DocumentId(symbol, LETTER_COMPILATION)
    spv = (spv or "").strip()
    match = _SPV_MEETING.match(spv)
    if match:
        number = int(match["number"])
        resumption = int(match["resumption"]) if match["resumption"] else None
        return DocumentId(_meeting_symbol(number, resumption), VERBATIM_RECORD, number, resumption)
    match = _SPV_LETTER.match(spv)
    if match:
        return DocumentId(f"S/{match['year']}/{int(match['number'])}", LETTER_COMPILATION)
    raise CorpusError(f"cannot read the document symbol {symbol!r} (spv {spv!r})")


def _meeting_symbol(number: int, resumption: int | None) -> str:
    return f"S/PV.{number}" + (f" (Resumption {resumption})" if resumption else "")


def parse_date(
    value: str, *, year: str = "", month: str = "", day: str = ""
) -> datetime.date | None:
    """Read "2020-01-08" or "8 January 2020" (the codebook's form), else year/month/day."""
    value = (value or "").strip()
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return datetime.date.fromisoformat(value)
        match = re.match(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$", value)
        if match and match[2].lower() in _MONTHS:
            return datetime.date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
        if year and month and day:
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return None


def decode_speech(data: bytes) -> tuple[str, bool]:
    """Decode a speech file: UTF-8 (strict) first, else Windows-1252. Returns (text, fell back).

    CRLF becomes LF; NUL characters, which PostgreSQL text cannot hold, are dropped.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text, fallback = data.decode("utf-8"), False
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined are replaced rather than failing the file.
        text, fallback = data.decode("cp1252", errors="replace"), True
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip(), fallback


# ---- speaker labels

# Forms of address the corpus uses beyond the parser's (the notes count 28 markers).
_FALLBACK_LABEL = re.compile(
    r"""^(?P<name>(?:[A-ZÀ-Þ][\w’'.\-]*|de|da|del|della|dos|das|do|du|van|von|der|den|ter|bin|ibn|al|el|
            al-\w+|la|le|y|e|di)(?:[ /](?:[A-ZÀ-Þ][\w’'.\-]*|de|da|del|della|dos|das|do|du|van|von|der|
            den|ter|bin|ibn|al|el|al-\w+|la|le|y|e|di|Mr\.|Ms\.|Mrs\.)){0,7})
        (?P<parens>(?:\s*\([^():]{1,120}\)){0,3})
        \s*:\s*""",
    re.VERBOSE,
)
_PAREN = re.compile(r"\(([^()]+)\)")
_LANGUAGE = re.compile(r"^(?:spoke\s+in|interpretation\s+from(?:\s+the)?)\s+(\w+)$", re.IGNORECASE)
_TITLE = re.compile(
    r"^(Mr\.|Mrs\.|Ms\.|Miss|Dr\.|Dame|Sir|Lord|Lady|Baroness|Baron|Archbishop|Monsignor|Msgr\.|"
    r"Cardinal|Bishop|Prince|Princess|Sheikh|Sheikha|Shaikh|Nana|Dato|Datuk|Judge|Justice|"
    r"Professor|Prof\.|General|President|King|Queen|Emir)\s"
)


@dataclass(frozen=True, slots=True)
class SpeakerLabel:
    """The form of address a speech opens with: "Mr. De Riviere (France) (spoke in French):"."""

    attribution: str  # without the colon
    speaker: str
    country: str | None
    spoke_in: str
    length: int  # characters of the text the label takes, colon and spaces included


def split_label(text: str, *, speaker: str = "") -> tuple[SpeakerLabel | None, str]:
    """Split the opening speaker label from a speech's text: (label or None, the speech itself).

    The transcript parser's label grammar is used first, so both imports read a label the same
    way; the corpus adds forms it does not know ("Dato Lim Jock Hoi:", "President Abbas (spoke
    in Arabic):", "(interpretation from Arabic)" in older records). Those are accepted only
    when they start with a form of address or share a word with ``speaker`` (the metadata's
    name), so that "Original: English" is not taken for a speaker.
    """
    label = _parser_label(text) or _fallback_label(text, speaker=speaker)
    if label is None:
        return None, text
    return label, text[label.length :].lstrip()


def _parser_label(text: str) -> SpeakerLabel | None:
    found = match_label(text[:400])
    if found is None:
        return None
    return SpeakerLabel(
        attribution=found.attribution,
        speaker=found.speaker,
        country=found.country,
        spoke_in=(found.spoke_in or "").capitalize(),
        length=found.length,
    )


def _fallback_label(text: str, *, speaker: str) -> SpeakerLabel | None:
    match = _FALLBACK_LABEL.match(text[:400])
    if not match:
        return None
    name = " ".join(match["name"].split())
    known = {w.lower().strip(".") for w in speaker.replace("/", " ").split() if len(w) > 2}
    named = any(w.lower().strip(".") in known for w in name.replace("/", " ").split())
    if len(name) > 120 or not (named or _TITLE.match(name + " ")):
        return None
    country, spoke_in = None, ""
    for inner in _PAREN.findall(match["parens"] or ""):
        inner = " ".join(inner.split())
        language = _LANGUAGE.match(inner)
        if language:
            spoke_in = language[1].capitalize()
        elif country is None:
            country = inner
        else:
            return None
    attribution = text[: match.end()].rstrip().rstrip(":").rstrip()
    return SpeakerLabel(" ".join(attribution.split()), name, country, spoke_in, match.end())


def speaker_title(name: str) -> str:
    """The honorific a printed name starts with ("Mr.", "Dame", ...), or ""."""
    match = _TITLE.match(name or "")
    return match[1] if match else ""


# ---- rows and documents


@dataclass(slots=True)
class CorpusSpeech:
    """One speech of the corpus: its metadata row, and its text once read."""

    filename: str
    sequence: int
    speaker: str
    country: str
    role_in_un: str
    participanttype: str
    text: str | None = None  # None: not read yet (release layout) or the file is missing


@dataclass(slots=True)
class CorpusDocument:
    """A verbatim record (S/PV...) or a letter compilation (S/2020/NNN), with its speeches."""

    id: DocumentId
    date: datetime.date | None
    topic: str
    basename: str
    speeches: list[CorpusSpeech] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return self.id.symbol


@dataclass
class ReadStats:
    """What reading found wrong or unusual, for the summary."""

    decode_fallbacks: int = 0
    missing_texts: list[str] = field(default_factory=list)
    repaired_lines: int = 0
    bad_rows: list[str] = field(default_factory=list)
    duplicate_sequences: list[str] = field(default_factory=list)


def _topic(value: str) -> str:
    # The 2020 letter compilations print "unknown" where no agenda item was given.
    value = " ".join(_undouble(value).split())
    return "" if value.lower() in {"unknown", "na"} else value


def _undouble(value: str) -> str:
    # R wrote apostrophes doubled (D''Affaires) since the TSVs are unquoted.
    return value.replace("''", "'").strip()


def _field(row: dict[str, str], name: str) -> str:
    for column in _COLUMNS[name]:
        value = row.get(column)
        if value is not None and value != "NA":
            return value
    return ""


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Stream the rows of a corpus TSV (``speaker.tsv``, ``meta.tsv``) as dicts.

    Tab-separated without quoting (R's ``quoting=3``: quotes are ordinary characters), UTF-8,
    ``NA`` for missing values, a leading row-name column when rows have one more field than the
    header, and rows split by a literal newline inside a field joined back (the S/PV.5225 trap:
    lines are joined until they hold the tab count of a whole row).
    """
    for row, _repaired in _read_tsv(path):
        yield row


def _read_tsv(path: Path) -> Iterator[tuple[dict[str, str], bool]]:
    with open(path, encoding="utf-8", newline="") as handle:
        header_line = handle.readline()
        if not header_line.strip():
            raise CorpusError(f"{path.name} is empty")
        header = [h.strip().strip('"') for h in header_line.rstrip("\r\n").split("\t")]
        if header and header[0] == "":
            header = header[1:]  # R's col.names=NA writes an empty name for the row names
        start = handle.tell()
        sample = [line.count("\t") for _, line in zip(range(200), handle, strict=False)]
        handle.seek(start)
        if not sample:
            return
        tabs = Counter(sample).most_common(1)[0][0]
        if tabs not in (len(header) - 1, len(header)):
            raise CorpusError(
                f"{path.name}: rows have {tabs + 1} fields but the header names {len(header)}"
            )
        row_names = tabs == len(header)
        buffer, pieces = "", 0
        for raw in handle:
            line = raw.rstrip("\r\n")
            buffer = line if not pieces else f"{buffer} {line}"
            pieces += 1
            if buffer.count("\t") < tabs:
                continue
            values = buffer.split("\t")
            if row_names:
                values = values[1:]
            repaired = pieces > 1
            buffer, pieces = "", 0
            if len(values) != len(header):
                raise CorpusError(
                    f"{path.name}: a row has {len(values)} fields, expected {len(header)}"
                )
            yield (
                {
                    name: ("" if value == "NA" else value)
                    for name, value in zip(header, values, strict=True)
                },
                repaired,
            )
        if pieces and buffer.strip():
            raise CorpusError(f"{path.name}: the last row is incomplete")


class TextSource:
    """Speech files by name, from a folder or from an (uncompressed) tar archive."""

    def read(self, filename: str) -> bytes | None:
        """The file's bytes, or None where it is missing."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the files held open."""


class FolderTexts(TextSource):
    """Speech files in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, filename: str) -> bytes | None:
        try:
            return (self.folder / os.path.basename(filename)).read_bytes()
        except FileNotFoundError:
            return None


class TarTexts(TextSource):
    """Speech files in ``speeches.tar``, found by an index of offsets (names only in memory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "rb")  # noqa: SIM115 - held for the life of the reader
        self.index: dict[str, tuple[int, int]] = {}
        try:
            with tarfile.open(fileobj=self.handle, mode="r:") as archive:
                for count, member in enumerate(archive, start=1):
                    if member.isfile() and member.name.endswith(".txt"):
                        self.index[os.path.basename(member.name)] = (
                            member.offset_data,
                            member.size,
                        )
                    if count % 1000 == 0:
                        archive.members = []  # tarfile keeps every header otherwise
        except tarfile.TarError as exc:
            self.handle.close()
            raise CorpusError(f"{path.name} is not a readable tar archive: {exc}") from exc

    def read(self, filename: str) -> bytes | None:
        where = self.index.get(os.path.basename(filename))
        if where is None:
            return None
        offset, size = where
        self.handle.seek(offset)
        return self.handle.read(size)

    def close(self) -> None:
        self.handle.close()


class CorpusReader:
    """A corpus in one of the two layouts: count its speeches, then stream its documents."""

    description = ""

    def __init__(self) -> None:
        self.stats = ReadStats()
        self._counts: Counter[str] | None = None

    def count(self) -> int:
        """Speeches to import (the progress bar's total)."""
        return sum(self._expected().values())

    def documents(self) -> Iterator[CorpusDocument]:
        """Each document once, with all its speeches and their texts, in metadata order.

        Rows are grouped by document; a document whose rows are not contiguous waits (metadata
        only) until its last row has been read, so any order is imported correctly.
        """
        expected = Counter(self._expected())
        pending: dict[str, CorpusDocument] = {}
        seen: dict[str, set[int]] = defaultdict(set)
        for document, speech in self._rows():
            key = document.symbol
            if speech.sequence in seen[key]:
                self.stats.duplicate_sequences.append(f"{key} #{speech.sequence}")
                expected[key] -= 1
            else:
                seen[key].add(speech.sequence)
                pending.setdefault(key, document).speeches.append(speech)
            if key in pending and len(pending[key].speeches) >= expected[key]:
                done = pending.pop(key)
                done.speeches.sort(key=lambda s: s.sequence)
                self._load_texts(done)
                yield done
        for document in pending.values():  # only if a row went missing between the two passes
            self._load_texts(document)
            yield document

    def close(self) -> None:
        """Release open files."""

    def _expected(self) -> Counter[str]:
        """Speeches per document: a first pass over the metadata only (no texts)."""
        if self._counts is None:
            counts: Counter[str] = Counter()
            for document, _speech in self._rows(counting=True):
                counts[document.symbol] += 1
            self._counts = counts
            self.stats.bad_rows.clear()  # the second pass reports them
        return self._counts

    def _rows(self, *, counting: bool = False) -> Iterator[tuple[CorpusDocument, CorpusSpeech]]:
        raise NotImplementedError

    def _load_texts(self, document: CorpusDocument) -> None:
        """Give each speech of the document its text (the CSV has them already)."""

    def _speech(self, row: dict[str, str], where: str) -> tuple[DocumentId, CorpusSpeech] | None:
        filename = _field(row, "filename").strip()
        try:
            ident = document_id(
                symbol=_field(row, "document_symbol"),
                spv=_field(row, "spv") or _spv_from_filename(filename),
            )
        except CorpusError as exc:
            self.stats.bad_rows.append(f"{where}: {exc}")
            return None
        number = _field(row, "sequence").strip() or _sequence_from_filename(filename)
        try:
            sequence = int(float(number))
        except ValueError:
            self.stats.bad_rows.append(f"{where}: no speech number")
            return None
        if sequence < 1:
            self.stats.bad_rows.append(f"{where}: speech number {sequence}")
            return None
        return ident, CorpusSpeech(
            filename=filename,
            sequence=sequence,
            speaker=_undouble(_field(row, "speaker")),
            country=_undouble(_field(row, "country")),
            role_in_un=_undouble(_field(row, "role_in_un")),
            participanttype=" ".join(_field(row, "participanttype").split()),
        )


def _spv_from_filename(filename: str) -> str:
    match = _FILENAME.match(os.path.basename(filename))
    return match["spv"] if match else ""


def _sequence_from_filename(filename: str) -> str:
    match = _FILENAME.match(os.path.basename(filename))
    return match["number"] if match else ""


class ReleaseReader(CorpusReader):
    """The corpus release: speech files (folder or tar) + ``speaker.tsv`` + ``meta.tsv``."""

    def __init__(self, *, texts: TextSource, speaker_tsv: Path, meta_tsv: Path | None) -> None:
        super().__init__()
        self.texts = texts
        self.speaker_tsv = speaker_tsv
        self.meta: dict[str, tuple[datetime.date | None, str]] = {}
        if meta_tsv is not None:
            for row in read_tsv(meta_tsv):
                date = parse_date(
                    row.get("date", ""),
                    year=row.get("year", ""),
                    month=row.get("month", ""),
                    day=row.get("day", ""),
                )
                self.meta[row.get("basename", "").strip()] = (date, _topic(row.get("topic", "")))
        self.description = (
            f"corpus release ({speaker_tsv.name}, {len(self.meta)} documents in meta)"
        )

    def _rows(self, *, counting: bool = False) -> Iterator[tuple[CorpusDocument, CorpusSpeech]]:
        for number, (row, repaired) in enumerate(_read_tsv(self.speaker_tsv), start=2):
            if repaired and not counting:
                self.stats.repaired_lines += 1
            found = self._speech(row, f"{self.speaker_tsv.name} row {number}")
            if found is None:
                continue
            ident, speech = found
            basename = _field(row, "basename").strip() or re.sub(
                r"_spch\d+\.txt$", "", speech.filename
            )
            meta_date, meta_topic = self.meta.get(basename, (None, ""))
            date = meta_date or parse_date(
                _field(row, "date"),
                year=_field(row, "year"),
                month=_field(row, "month"),
                day=_field(row, "day"),
            )
            document = CorpusDocument(
                id=ident,
                date=date,
                topic=meta_topic or _topic(_field(row, "topic")),
                basename=basename,
            )
            yield document, speech

    def _load_texts(self, document: CorpusDocument) -> None:
        for speech in document.speeches:
            data = self.texts.read(speech.filename) if speech.filename else None
            if data is None:
                self.stats.missing_texts.append(
                    speech.filename or f"{document.symbol} #{speech.sequence}"
                )
                continue
            speech.text, fallback = decode_speech(data)
            self.stats.decode_fallbacks += fallback

    def close(self) -> None:
        self.texts.close()


class CsvReader(CorpusReader):
    """A CSV in the form of ``speeches_2020.csv``: metadata and text (``content``) per row."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.description = f"CSV {path.name}"
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        missing = [
            name for name in ("content", "participanttype") if not set(_COLUMNS[name]) & set(header)
        ]
        if missing or not ({"document_symbol", "spv", "filename"} & set(header)):
            raise CorpusError(
                f"{path.name} is not in the speeches_2020.csv form (missing columns: "
                f"{', '.join(missing) or 'document_symbol/spv/filename'})"
            )

    def _rows(self, *, counting: bool = False) -> Iterator[tuple[CorpusDocument, CorpusSpeech]]:
        csv.field_size_limit(1 << 30)
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                found = self._speech(row, f"{self.path.name} row {number}")
                if found is None:
                    continue
                ident, speech = found
                if not counting:
                    text = _field(row, "content")
                    speech.text = text.replace("\r\n", "\n").replace("\x00", "").strip()
                date = parse_date(
                    _field(row, "date"),
                    year=_field(row, "year"),
                    month=_field(row, "month"),
                    day=_field(row, "day"),
                )
                document = CorpusDocument(
                    id=ident,
                    date=date,
                    topic=_topic(_field(row, "topic")),
                    basename=_field(row, "basename").strip(),
                )
                yield document, speech


def open_corpus(
    path: Path | str, *, speaker_tsv: Path | str | None = None, meta_tsv: Path | str | None = None
) -> CorpusReader:
    """The reader for ``path``: a CSV, a release folder, its ``speeches`` folder, or its tar."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path} does not exist")
    if path.is_file() and path.suffix.lower() == ".csv":
        return CsvReader(path)
    if path.is_file() and (path.suffix.lower() == ".tar" or tarfile.is_tarfile(path)):
        texts_at, beside = path, [path.parent]
    elif path.is_dir():
        candidates = [path / "speeches.tar", path / "speeches"]
        texts_at = next((c for c in candidates if c.exists() and _has_speeches(c)), path)
        beside = [path, path.parent]
    else:
        raise CorpusError(f"{path} is neither a CSV, a tar archive nor a folder of speeches")

    def find(name: str, given: Path | str | None) -> Path | None:
        if given:
            return Path(given)
        return next((folder / name for folder in beside if (folder / name).is_file()), None)

    speaker = find("speaker.tsv", speaker_tsv)
    if speaker is None:
        raise CorpusError(
            f"speaker.tsv not found beside {path} (the release layout needs its metadata; "
            "pass --speaker-tsv)"
        )
    meta = find("meta.tsv", meta_tsv)
    texts: TextSource
    if texts_at.is_file():
        texts = TarTexts(texts_at)
    else:
        if not _has_speeches(texts_at):
            raise CorpusError(f"no UNSC_*_spch*.txt files in {texts_at}")
        texts = FolderTexts(texts_at)
    return ReleaseReader(texts=texts, speaker_tsv=speaker, meta_tsv=meta)


def _has_speeches(path: Path) -> bool:
    if path.is_file():
        return True
    with os.scandir(path) as entries:
        return any(_FILENAME.match(entry.name) for entry in entries)


# --------------------------------------------------------------------------- writing
SOURCE_NAME = "UN Security Council Debates corpus"
_FROM_TRANSCRIPT = {Meeting.Source.PDF, Meeting.Source.TEXT}
_SPEECH_COLUMNS = (
    "meeting_id",
    "sequence",
    "attribution",
    "speaker_id",
    "speaker_name",
    "country_as_printed",
    "member_state_id",
    "affiliation_id",
    "role",
    "spoke_in",
    "on_behalf_of",
    "text",
)


@dataclass
class CorpusImportReport:
    """What an import did, for the summary."""

    source: str = ""
    documents: int = 0
    meetings_created: int = 0
    meetings_filled: int = 0
    letter_compilations: int = 0
    already_imported: list[str] = field(default_factory=list)
    skipped_for_transcript: list[str] = field(default_factory=list)
    speeches_imported: int = 0
    speeches_skipped: int = 0
    mentions: int = 0
    furniture_removed: int = 0
    persons_created: int = 0
    merge_proposals: int = 0
    unresolved: Counter[str] = field(default_factory=Counter)
    read: ReadStats = field(default_factory=ReadStats)

    def lines(self) -> list[str]:
        """The summary, one fact a line."""
        out = [
            f"Source: {self.source}",
            f"Documents read: {self.documents}",
            f"Meetings created: {self.meetings_created} (letter compilations among them: "
            f"{self.letter_compilations})",
            f"Meetings filled in place (from the reference table): {self.meetings_filled}",
            f"Meetings skipped, already imported from the corpus: {len(self.already_imported)}",
            f"Meetings skipped, imported from their PDF or text (the transcript wins): "
            f"{len(self.skipped_for_transcript)}"
            + (
                f" — {', '.join(self.skipped_for_transcript[:20])}"
                if self.skipped_for_transcript
                else ""
            ),
            f"Speeches imported: {self.speeches_imported}",
            f"Speeches skipped (meeting skipped): {self.speeches_skipped}",
            f"Mentions of resolutions and documents: {self.mentions}",
            f"Speeches with page counters, footers or headers removed: {self.furniture_removed}",
            f"Persons created (one per new spelling): {self.persons_created}; "
            f"merge proposals for staff: {self.merge_proposals}",
            f"Texts decoded as Windows-1252 (not UTF-8): {self.read.decode_fallbacks}",
            f"Rows joined back after a literal newline: {self.read.repaired_lines}",
        ]
        if self.read.missing_texts:
            out.append(
                f"Speech files missing ({len(self.read.missing_texts)}), imported without text: "
                + ", ".join(self.read.missing_texts[:10])
            )
        if self.read.bad_rows:
            out.append(
                f"Rows not readable ({len(self.read.bad_rows)}): "
                + "; ".join(self.read.bad_rows[:10])
            )
        if self.read.duplicate_sequences:
            out.append(
                f"Duplicate speech numbers dropped ({len(self.read.duplicate_sequences)}): "
                + ", ".join(self.read.duplicate_sequences[:10])
            )
        total = sum(self.unresolved.values())
        out.append(
            f"Unresolved labels: {len(self.unresolved)} distinct, {total} speeches "
            "(kept as printed, no State or affiliation)"
        )
        out += [f"  {count:6d}  {name}" for name, count in self.unresolved.most_common()]
        return out


class _Attributor:
    """Label -> (member_state_id, affiliation_id, role) through the shared NameResolver."""

    def __init__(self, resolver) -> None:
        self.resolver = resolver
        self.terms: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for state_id, start, end in CouncilTerm.objects.values_list(
            "member_state_id", "start_year", "end_year"
        ):
            self.terms[state_id].append((start, end))
        self.unresolved: Counter[str] = Counter()

    def on_council(self, state_id: int, year: int | None) -> bool:
        return year is not None and any(s <= year <= e for s, e in self.terms.get(state_id, ()))

    def attribute(
        self, speech: CorpusSpeech, year: int | None
    ) -> tuple[int | None, int | None, str]:
        label = speech.country.strip()
        match = self.resolver.resolve(label, record=False) if label else None
        if label and match is None:
            self.unresolved[label] += 1
        president = speech.participanttype.lower() == "the president"
        if match is None:
            return None, None, Speech.Role.PRESIDENT if president else Speech.Role.OTHER
        state, affiliation = match.member_state_id, match.affiliation_id
        if president:
            role = Speech.Role.PRESIDENT
        elif match.kind == Affiliation.Kind.UNITED_NATIONS:
            role = Speech.Role.UN
        elif state is not None:
            role = Speech.Role.MEMBER if self.on_council(state, year) else Speech.Role.INVITED
        elif match.kind in (Affiliation.Kind.ORGANIZATION, Affiliation.Kind.OBSERVER_STATE):
            role = Speech.Role.INVITED
        else:  # civil society and other bodies
            role = Speech.Role.OTHER
        return state, affiliation, role


def import_corpus(
    *,
    reader: CorpusReader,
    resolver=None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> CorpusImportReport:
    """Import a corpus into the archive, one transaction per batch of whole documents.

    ``progress`` is called with the number of speeches handled after each batch.
    """
    if resolver is None:
        from archive.names import NameResolver

        resolver = NameResolver.load()
    writer = _Writer(resolver=resolver, report=CorpusImportReport(source=reader.description))
    batch: list[CorpusDocument] = []
    size = 0
    try:
        for document in reader.documents():
            batch.append(document)
            size += len(document.speeches)
            if size >= batch_size:
                writer.write(batch)
                if progress:
                    progress(size)
                batch, size = [], 0
        if batch:
            writer.write(batch)
            if progress:
                progress(size)
    finally:
        reader.close()
    with transaction.atomic():
        people = after_import(meeting_ids=None)
        assign_topics()
    writer.report.persons_created = people.new_persons
    writer.report.merge_proposals = people.new_proposals
    writer.report.read = reader.stats
    writer.report.unresolved = writer.attributor.unresolved
    return writer.report


class _Writer:
    def __init__(self, *, resolver, report: CorpusImportReport) -> None:
        self.report = report
        self.attributor = _Attributor(resolver)
        self.speakers: dict[tuple[str, int | None, int | None], int] = {}
        self.agenda_items: dict[str, int] = {}
        self.resolutions = {
            (number, year): pk
            for pk, number, year in Resolution.objects.values_list("pk", "number", "year")
        }

    def write(self, documents: list[CorpusDocument]) -> None:
        """Write one batch of documents in one transaction."""
        self.report.documents += len(documents)
        with transaction.atomic():
            meetings = self._meetings(documents)
            todo = [(d, m) for d, m in zip(documents, meetings, strict=True) if m is not None]
            if not todo:
                return
            rows, mention_items = self._speech_rows(todo)
            self._copy("archive_speech", _SPEECH_COLUMNS, rows)
            ids = self._speech_ids([m.pk for _, m in todo])
            mentions = [
                (ids[(meeting_id, sequence)], kind, symbol, resolution_id)
                for meeting_id, sequence, items in mention_items
                for kind, symbol, resolution_id in items
            ]
            self._copy(
                "archive_mention", ("speech_id", "kind", "symbol", "resolution_id"), mentions
            )
            self.report.speeches_imported += len(rows)
            self.report.mentions += len(mentions)
            ImportRecord.objects.bulk_create(
                ImportRecord(
                    action=ImportRecord.Action.IMPORT,
                    source_name=SOURCE_NAME[:255],
                    symbol=meeting.symbol,
                    meeting=meeting,
                    summary=f"{meeting.speech_count} speeches from the corpus",
                )
                for _, meeting in todo
            )

    # ---- meetings

    def _meetings(self, documents: list[CorpusDocument]) -> list[Meeting | None]:
        """The meeting each document goes to (created or filled), or None when it is skipped."""
        symbols = [d.symbol for d in documents]
        numbers = [d.id.meeting_number for d in documents if d.id.meeting_number]
        existing = list(
            Meeting.objects.filter(Q(symbol__in=symbols) | Q(meeting_number__in=numbers))
            .annotate(has_speeches=Exists(Speech.objects.filter(meeting=OuterRef("pk"))))
            .select_for_update(of=("self",))
        )
        by_symbol = {m.symbol: m for m in existing}
        by_number = {(m.meeting_number, m.resumption): m for m in existing if m.meeting_number}
        now = timezone.now()
        result: list[Meeting | None] = []
        to_create: list[Meeting] = []
        to_fill: list[Meeting] = []
        for document in documents:
            ident = document.id
            meeting = by_symbol.get(ident.symbol) or (
                by_number.get((ident.meeting_number, ident.resumption))
                if ident.meeting_number
                else None
            )
            if meeting is not None and (meeting.source in _FROM_TRANSCRIPT):
                self.report.skipped_for_transcript.append(ident.symbol)
                self.report.speeches_skipped += len(document.speeches)
                result.append(None)
                continue
            if meeting is not None and (
                meeting.has_speeches or meeting.source == Meeting.Source.CORPUS
            ):
                self.report.already_imported.append(ident.symbol)
                self.report.speeches_skipped += len(document.speeches)
                result.append(None)
                continue
            presidency, president_name = self._presidency(document)
            if meeting is None:
                meeting = Meeting(
                    symbol=ident.symbol,
                    kind=ident.kind,
                    meeting_number=ident.meeting_number,
                    resumption=ident.resumption,
                    date=document.date,
                    agenda=[document.topic] if document.topic else [],
                    agenda_item_id=self._agenda_item(document.topic),
                    presidency_id=presidency,
                    president_name=president_name[:200],
                    source=Meeting.Source.CORPUS,
                )
                to_create.append(meeting)
                self.report.meetings_created += 1
                self.report.letter_compilations += ident.kind == LETTER_COMPILATION
            else:
                # A reference row (UN meetings table): keep what it knows, add what it lacks.
                meeting.date = meeting.date or document.date
                if not meeting.agenda and document.topic:
                    meeting.agenda = [document.topic]
                meeting.agenda_item_id = meeting.agenda_item_id or self._agenda_item(document.topic)
                meeting.presidency_id = meeting.presidency_id or presidency
                meeting.president_name = meeting.president_name or president_name[:200]
                meeting.source = Meeting.Source.CORPUS
                to_fill.append(meeting)
                self.report.meetings_filled += 1
            meeting.speech_count = len(document.speeches)
            meeting.imported_at = now
            result.append(meeting)
        if to_create:
            Meeting.objects.bulk_create(to_create)
        if to_fill:
            Meeting.objects.bulk_update(
                to_fill,
                [
                    "date",
                    "agenda",
                    "agenda_item",
                    "presidency",
                    "president_name",
                    "source",
                    "speech_count",
                    "imported_at",
                ],
            )
        return result

    def _presidency(self, document: CorpusDocument) -> tuple[int | None, str]:
        for speech in document.speeches:
            if speech.participanttype.lower() == "the president" and speech.country:
                match = self.attributor.resolver.resolve(speech.country, record=False)
                return (match.member_state_id if match else None), speech.speaker
        return None, ""

    def _agenda_item(self, title: str) -> int | None:
        title = " ".join((title or "").split())[:500]
        if not title:
            return None
        if title not in self.agenda_items:
            item = AgendaItem.objects.filter(title=title).first()
            if item is None:
                base = slugify(title)[:110] or "agenda-item"
                slug, n = base, 1
                while AgendaItem.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base}-{n}"
                item = AgendaItem.objects.create(title=title, slug=slug)
            self.agenda_items[title] = item.pk
        return self.agenda_items[title]

    # ---- speeches

    def _speech_rows(self, todo: list[tuple[CorpusDocument, Meeting]]):
        prepared = []
        for document, meeting in todo:
            year = document.date.year if document.date else None
            # Page counters, footers and headers the corpus left in the texts (corpus_text).
            texts = clean_document([speech.text or "" for speech in document.speeches])
            self.report.furniture_removed += sum(t.changed for t in texts)
            for speech, cleaned in zip(document.speeches, texts, strict=True):
                state, affiliation, role = self.attributor.attribute(speech, year)
                printed = "" if is_placeholder(speech.speaker) else speech.speaker
                label, body = split_label(cleaned.text, speaker=printed)
                if label is not None:
                    attribution, spoke_in = label.attribution, label.spoke_in
                else:
                    body = cleaned.text
                    # Nothing printed before the text: the metadata's name, if it has one.
                    attribution = (
                        printed + (f" ({speech.country})" if speech.country else "")
                        if printed
                        else ""
                    )
                    spoke_in = ""
                name = (printed or (label.speaker if label else ""))[:200]
                prepared.append(
                    (meeting, speech, state, affiliation, role, attribution, spoke_in, name, body)
                )
        self._ensure_speakers({(p[7], p[2], p[3]) for p in prepared if p[7]})
        rows, mention_items = [], []
        for (
            meeting,
            speech,
            state,
            affiliation,
            role,
            attribution,
            spoke_in,
            name,
            body,
        ) in prepared:
            rows.append(
                (
                    meeting.pk,
                    speech.sequence,
                    attribution[:500],
                    self.speakers.get((name, state, affiliation)) if name else None,
                    name,
                    speech.country[:200],
                    state,
                    affiliation,
                    role,
                    spoke_in[:20],
                    "",
                    body,
                )
            )
            items = self._mentions(body)
            if items:
                mention_items.append((meeting.pk, speech.sequence, items))
        return rows, mention_items

    def _ensure_speakers(self, wanted: set[tuple[str, int | None, int | None]]) -> None:
        missing = [key for key in wanted if key not in self.speakers]
        if not missing:
            return
        Speaker.objects.bulk_create(
            [
                Speaker(
                    name=name, title=speaker_title(name)[:40], member_state_id=s, affiliation_id=a
                )
                for name, s, a in missing
            ],
            ignore_conflicts=True,
        )
        names = {name for name, _, _ in missing}
        for pk, name, s, a in Speaker.objects.filter(name__in=names).values_list(
            "pk", "name", "member_state_id", "affiliation_id"
        ):
            self.speakers[(name, s, a)] = pk

    def _mentions(self, text: str) -> list[tuple[str, str, int | None]]:
        """Mentions as (kind, symbol, resolution id), in the transcript importer's symbol forms."""
        if not text:
            return []
        found = find_mentions(text)
        items: dict[str, tuple[str, str, int | None]] = {}
        for value in found.resolutions:
            ref = parse_resolution_reference(value)
            if ref is None or not ref.is_council:
                continue  # another organ's resolution is listed among the documents
            if ref.year:
                symbol = f"S/RES/{ref.number} ({ref.year})"
                items.setdefault(
                    symbol,
                    (Mention.Kind.RESOLUTION, symbol, self.resolutions.get((ref.number, ref.year))),
                )
            else:  # cited without its year: kept, linked to nothing rather than guessed
                symbol = f"S/RES/{ref.number}"
                items.setdefault(symbol, (Mention.Kind.RESOLUTION, symbol, None))
        for symbol in found.documents:
            if symbol and symbol[:80] not in items:
                items[symbol[:80]] = (Mention.Kind.DOCUMENT, symbol[:80], None)
        return list(items.values())

    def _speech_ids(self, meeting_ids: list[int]) -> dict[tuple[int, int], int]:
        return {
            (meeting_id, sequence): pk
            for pk, meeting_id, sequence in Speech.objects.filter(
                meeting_id__in=meeting_ids
            ).values_list("pk", "meeting_id", "sequence")
        }

    def _copy(self, table: str, columns: Iterable[str], rows: list[tuple]) -> None:
        """Bulk-load rows with PostgreSQL COPY (the generated search vector computes itself)."""
        if not rows:
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


__all__ = [
    "CorpusDocument",
    "CorpusError",
    "CorpusImportReport",
    "CorpusReader",
    "CorpusSpeech",
    "CsvReader",
    "ReleaseReader",
    "decode_speech",
    "document_id",
    "import_corpus",
    "open_corpus",
    "parse_date",
    "read_tsv",
    "split_label",
]
