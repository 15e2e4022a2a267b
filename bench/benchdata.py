"""Load a benchmark corpus of real speeches into a dedicated database (never a real one).

The corpus is real diplomatic English:

* every statement of ``unsc-2020-pires/speeches_2020.csv`` (2,649 Security Council speeches of
  2020 with their real meetings, speakers and States), and
* for volume, the UN General Debate corpus (``ungdc-1946-2024``, General Assembly, 32 M words)
  cut at paragraph boundaries into speech-sized pieces and attributed to the real State that
  gave the speech. These pieces hang on **synthetic meetings** whose symbols start with
  ``BENCH/`` and whose ``place`` says so: they exist in benchmark databases only.

Usage (the database name must contain "bench", so a dev or production database is refused)::

    COUNCIL_ARCHIVE_DB_NAME=bench_search .venv/bin/python -m bench.benchdata --speeches 100000

or from Python, after ``django.setup()``::

    from bench.benchdata import load_bench_corpus
    summary = load_bench_corpus(n_speeches=100_000)

Rows are written with PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy``) with the GIN index
dropped during the load and rebuilt afterwards: 100,000 speeches load in a few minutes on two
cores, most of it spent in ``to_tsvector`` for the generated ``search_vector`` column.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import lzma
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH_SYMBOL_PREFIX = "BENCH/"
BENCH_PLACE = "BENCH ONLY: synthetic meeting built from UN General Debate text"
BENCH_MEETING_NUMBER_BASE = 1_000_000

# States in the General Debate corpus or in the terms table that are not among today's 193.
FORMER_STATES = {
    "SUN": ("Union of Soviet Socialist Republics", "RUS"),
    "YUG": ("Yugoslavia", None),
    "CSK": ("Czechoslovakia", None),
    "DDR": ("German Democratic Republic", "DEU"),
    "YMD": ("Democratic Yemen", "YEM"),
    "EGY_UAR": ("United Arab Republic", None),  # alias only, see NAME_FIXES
}
NAME_FIXES = {
    "union of soviet socialist republics": "SUN",
    "ussr": "SUN",
    "czechoslovakia": "CSK",
    "yugoslavia": "YUG",
    "german democratic republic": "DDR",
    "united arab republic": "EGY",
    "iran islamic republic of": "IRN",
    "libyan arab jamahiriya": "LBY",
    "venezuela bolivarian republic of": "VEN",
    "cote d ivoire": "CIV",
    "saint vincent and grenadines": "VCT",
    "socialist republic of viet nam": "VNM",
    "kyrgyztan": "KGZ",
    "el salvador": "SLV",
    "el  salvador": "SLV",
    "russian federation": "RUS",
    "united states of america": "USA",
    "united kingdom": "GBR",
}
# Bodies that are not Member States, as printed in the 2020 CSV or coded in the GA corpus.
AFFILIATIONS = {
    "un": ("United Nations", "UN", "united_nations"),
    "eu": ("European Union", "EU", "organization"),
    "african union": ("African Union", "AU", "organization"),
    "holy see": ("Holy See", "", "observer_state"),
    "vat": ("Holy See", "", "observer_state"),
    "palestine": ("State of Palestine", "", "observer_state"),
    "state of palestine": ("State of Palestine", "", "observer_state"),
    "pse": ("State of Palestine", "", "observer_state"),
    "league of arab states": ("League of Arab States", "LAS", "organization"),
    "league of the arab states": ("League of Arab States", "LAS", "organization"),
    "international committee of the red cross": (
        "International Committee of the Red Cross",
        "ICRC",
        "organization",
    ),
    "icc": ("International Criminal Court", "ICC", "organization"),
    "international criminal court": ("International Criminal Court", "ICC", "organization"),
}
# Words in the General Debate pieces (measured: 90,437 pieces of ~327 words in one pass).
GA_WORDS = 29_000_000
# How many times the General Debate text may be cycled for a large corpus.
MAX_PASSES = 2
RESOLUTION_RE = re.compile(r"\bresolutions?\s+(\d{1,4})\s+\((\d{4})\)")


@dataclass
class LoadSummary:
    """What a load wrote, for the benchmark's header."""

    database: str
    speeches: int
    unsc_speeches: int
    bench_speeches: int
    meetings: int
    member_states: int
    mentions: int
    seconds: float
    # Pieces of General Debate text used a second time (under other meetings and dates).
    reused_pieces: int = 0


def _slugify(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:110] or "item"


def _copy(cursor, table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _ga_pieces(
    path: Path, *, words_per_piece: int, rng: random.Random
) -> Iterator[tuple[dict, str]]:
    """General Debate speeches cut at paragraph boundaries into pieces of about N words."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            speech = json.loads(line)
            paragraphs = [p.strip() for p in speech["text"].split("\n") if p.strip()]
            piece: list[str] = []
            words = 0
            target = rng.randint(int(words_per_piece * 0.7), int(words_per_piece * 1.3))
            for para in paragraphs:
                piece.append(para)
                words += len(para.split())
                if words >= target:
                    yield speech, "\n\n".join(piece)
                    piece, words = [], 0
                    target = rng.randint(int(words_per_piece * 0.7), int(words_per_piece * 1.3))
            if words >= 60:
                yield speech, "\n\n".join(piece)


def _parse_symbol(symbol: str) -> tuple[int | None, int | None]:
    m = re.match(r"S/PV\.(\d+)(?: \(Resumption (\d+)\))?", symbol)
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def load_bench_corpus(
    *,
    n_speeches: int = 100_000,
    data_dir: Path | None = None,
    seed: int = 2024,
    progress: Callable[[str], None] = print,
) -> LoadSummary:
    """Replace the benchmark database's content with ``n_speeches`` speeches of real text."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from archive.models import normalise_name

    started = time.perf_counter()
    db_name = connection.settings_dict["NAME"]
    if "bench" not in db_name:
        raise SystemExit(
            f"refusing to load the benchmark corpus into {db_name!r}: "
            "use a database whose name contains 'bench' (COUNCIL_ARCHIVE_DB_NAME=bench_search)"
        )
    data = Path(data_dir or settings.COUNCIL_ARCHIVE_DATA)
    rng = random.Random(seed)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "TRUNCATE archive_mention, archive_speech, archive_speaker, archive_meetingmember,"
            " archive_proceduralline, archive_membervote, archive_vote, archive_resolution,"
            " archive_meeting, archive_agendaitem, archive_councilterm, archive_namealias,"
            " archive_affiliation, archive_memberstate RESTART IDENTITY CASCADE"
        )
        cur.execute("DROP INDEX IF EXISTS speech_search_vector_gin")
        # The search index is rebuilt in one pass at the end (archive_search_rebuild), not
        # kept speech by speech through the COPY.
        cur.execute("ALTER TABLE archive_speech DISABLE TRIGGER archive_search_added")

        # ---- States, bodies, Council terms
        states: dict[str, int] = {}
        by_name: dict[str, int] = {}
        rows = []
        with open(data / "un-member-states" / "un_member_states.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                sid = len(rows) + 1
                rows.append(
                    (
                        sid,
                        r["name"],
                        r["official_name"],
                        r["iso3"],
                        r["iso2"] if re.fullmatch(r"[A-Z]{2}", r["iso2"]) else "",
                        r["admission_date"] or None,
                        r["un_subregion"],
                    )
                )
                states[r["iso3"]] = sid
                for key in ("name", "official_name", "name_variant_2"):
                    by_name[normalise_name(r[key])] = sid
        for iso3, (name, _successor) in FORMER_STATES.items():
            if len(iso3) != 3:
                continue
            sid = len(rows) + 1
            rows.append((sid, name, name, iso3, "", None, ""))
            states[iso3] = sid
            by_name[normalise_name(name)] = sid
        for key, iso3 in NAME_FIXES.items():
            by_name[normalise_name(key)] = states[iso3]
        _copy(
            cur,
            "archive_memberstate",
            ["id", "name", "official_name", "iso3", "iso2", "admission_date", "region"],
            iter(rows),
        )
        affiliations: dict[str, int] = {}
        aff_rows: dict[str, tuple] = {}
        for key, (name, short, kind) in AFFILIATIONS.items():
            if name not in aff_rows:
                aff_rows[name] = (len(aff_rows) + 1, name, short, kind, _slugify(name))
            affiliations[key] = aff_rows[name][0]
        _copy(
            cur,
            "archive_affiliation",
            ["id", "name", "short_name", "kind", "slug"],
            iter(aff_rows.values()),
        )
        terms = []
        with open(data / "unsc-membership" / "sc_terms_1946-2026.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                sid = by_name.get(normalise_name(r["country"]))
                if sid:
                    terms.append((sid, r["seat"], int(r["start_year"]), int(r["end_year"])))
        terms = list({(t[0], t[2]): t for t in terms}.values())
        _copy(
            cur,
            "archive_councilterm",
            ["member_state_id", "seat", "start_year", "end_year", "note"],
            ((*t, "") for t in terms),
        )
        progress(f"{len(rows)} States, {len(aff_rows)} bodies, {len(terms)} Council terms")

        # ---- Real 2020 Council speeches
        csv.field_size_limit(sys.maxsize)
        with open(data / "unsc-2020-pires" / "speeches_2020.csv", encoding="utf-8") as fh:
            unsc = list(csv.DictReader(fh))
        agenda: dict[str, int] = {}

        def agenda_id(title: str) -> int | None:
            title = (title or "").strip()[:500]
            if not title:
                return None
            if title not in agenda:
                agenda[title] = len(agenda) + 1
            return agenda[title]

        for r in unsc:
            agenda_id(r["topic"])
        topics = list(agenda)

        meetings: dict[str, tuple] = {}
        speakers: dict[tuple, int] = {}
        speeches: list[tuple] = []

        def speaker_id(name: str, state: int | None, aff: int | None) -> int | None:
            if not name:
                return None
            key = (name[:200], state, None if state else aff)
            if key not in speakers:
                speakers[key] = len(speakers) + 1
            return speakers[key]

        for r in unsc:
            symbol = r["document_symbol"]
            if symbol not in meetings:
                number, resumption = _parse_symbol(symbol)
                meetings[symbol] = (
                    len(meetings) + 1,
                    symbol,
                    "verbatim_record" if number else "letter_compilation",
                    number,
                    resumption,
                    r["date_iso"] or None,
                    agenda_id(r["topic"]),
                    "New York",
                    "text",
                )
            meeting = meetings[symbol]
            key = normalise_name(r["country"])
            state = by_name.get(key)
            aff = None if state else affiliations.get(key)
            if r["participanttype"] == "The President":
                role = "president"
            elif key == "un":
                role = "un"
            elif r["participanttype"] == "Guest":
                role = "invited"
            else:
                role = "member"
            text = r["content"]
            label, _, body = text.partition(":")
            if len(label) > 200 or not body.strip():
                label, body = r["speaker"], text
            speeches.append(
                (
                    meeting[0],
                    int(r["speech"]),
                    label.strip()[:500],
                    speaker_id(r["speaker"], state, aff),
                    r["speaker"][:200],
                    r["country"][:200],
                    state,
                    aff,
                    role,
                    body.strip(),
                )
            )
        unsc_count = len(speeches)
        progress(f"{unsc_count} real Council speeches from speeches_2020.csv")

        # ---- General Debate pieces on synthetic meetings
        state_names = {r[0]: r[1] for r in rows}
        ga_speakers: dict[tuple[str, str], str] = {}
        with open(data / "ungdc-1946-2024" / "Speakers_by_session.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                ga_speakers[(r["Year"], r["ISO Code"].strip())] = r["Name of Person Speaking"]
        wanted = max(0, n_speeches - unsc_count)
        # 32 M words; size pieces so the corpus yields the count asked for. Up to 100,000
        # speeches (the primary benchmark corpus) pieces keep their historical size; above,
        # they shrink so that the text is cycled at most MAX_PASSES times (a second pass cuts
        # it again, under other meetings and dates).
        if wanted <= 100_000:
            words_per_piece = max(300, min(600, 31_900_000 // max(wanted, 1)))
        else:
            words_per_piece = int(GA_WORDS * MAX_PASSES / wanted * 0.95)
        ga_path = data / "ungdc-1946-2024" / "ungdc_1946_2024.jsonl.xz"
        bench_count = 0
        current: dict[str, object] = {"key": None, "id": None, "seq": 0}
        passes = first_pass = 0
        while bench_count < wanted:
            passes += 1
            if passes > MAX_PASSES:
                raise SystemExit(
                    f"the General Debate text yields {bench_count:,} pieces in {MAX_PASSES} passes,"
                    f" fewer than the {wanted:,} asked for: ask for fewer speeches"
                )
            for speech, text in _ga_pieces(ga_path, words_per_piece=words_per_piece, rng=rng):
                if bench_count >= wanted:
                    break
                year = int(speech["year"])
                iso3 = speech["iso3"]
                # A synthetic meeting holds up to ~30 pieces of one session.
                key = (passes, speech["session"])
                if current["key"] != key or current["seq"] >= 30:
                    number = BENCH_MEETING_NUMBER_BASE + len(meetings)
                    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
                    symbol = f"{BENCH_SYMBOL_PREFIX}S/PV.{number}"
                    meetings[symbol] = (
                        len(meetings) + 1,
                        symbol,
                        "verbatim_record",
                        number,
                        None,
                        day.isoformat(),
                        agenda_id(rng.choice(topics)),
                        BENCH_PLACE,
                        "corpus",
                    )
                    current.update(key=key, id=meetings[symbol][0], seq=0)
                current["seq"] = int(current["seq"]) + 1
                state = states.get(iso3)
                aff = None if state else affiliations.get(iso3.lower())
                name = ga_speakers.get((str(year), iso3), "")
                country = state_names.get(state, iso3)
                speeches.append(
                    (
                        current["id"],
                        current["seq"],
                        f"{name or 'The representative'} ({country})"[:500],
                        speaker_id(name, state, aff),
                        name[:200],
                        country,
                        state,
                        aff,
                        "member" if rng.random() < 0.4 else "invited",
                        text,
                    )
                )
                bench_count += 1
            if passes == 1:
                first_pass = bench_count
            progress(
                f"pass {passes}: {bench_count} General Debate pieces"
                + (
                    f" ({bench_count - first_pass:,} of them re-used text of pass 1, cut again"
                    " under other meetings and dates)"
                    if passes > 1
                    else ""
                )
            )

        _copy(cur, "archive_agendaitem", ["id", "title", "slug"], _agenda_rows(agenda))
        speech_counts: dict[int, int] = {}
        for s in speeches:
            speech_counts[s[0]] = speech_counts.get(s[0], 0) + 1
        _copy(
            cur,
            "archive_meeting",
            [
                "id",
                "symbol",
                "kind",
                "meeting_number",
                "resumption",
                "date",
                "agenda_item_id",
                "place",
                "source",
                "agenda",
                "president_name",
                "outcome",
                "press_release",
                "language",
                "speech_count",
            ],
            (
                (*m, [], "", "", "", "English", speech_counts.get(m[0], 0))
                for m in meetings.values()
            ),
        )
        _copy(
            cur,
            "archive_speaker",
            ["id", "name", "title", "member_state_id", "affiliation_id"],
            ((sid, k[0], "", k[1], k[2]) for k, sid in speakers.items()),
        )
        progress(f"{len(meetings)} meetings, {len(speakers)} speakers; copying speeches ...")
        t0 = time.perf_counter()
        _copy(
            cur,
            "archive_speech",
            [
                "id",
                "meeting_id",
                "sequence",
                "attribution",
                "speaker_id",
                "speaker_name",
                "country_as_printed",
                "member_state_id",
                "affiliation_id",
                "role",
                "text",
                "spoke_in",
                "on_behalf_of",
            ],
            ((i, *s, "", "") for i, s in enumerate(speeches, start=1)),
        )
        progress(f"speeches copied in {time.perf_counter() - t0:.0f} s; mentions ...")

        # ---- Resolutions cited in the text ("resolution 242 (1967)") and their mentions
        resolutions: dict[tuple[int, int], int] = {}
        mentions = []
        for sid, s in enumerate(speeches, start=1):
            seen = set()
            for m in RESOLUTION_RE.finditer(s[-1]):
                number, year = int(m.group(1)), int(m.group(2))
                if number < 1 or not 1946 <= year <= 2030 or (number, year) in seen:
                    continue
                seen.add((number, year))
                rid = resolutions.setdefault((number, year), len(resolutions) + 1)
                mentions.append((sid, "resolution", f"S/RES/{number} ({year})", rid))
        _copy(
            cur,
            "archive_resolution",
            ["id", "number", "year", "meeting_symbol", "title", "draft_symbol", "text"],
            ((rid, n, y, "", "", "", "") for (n, y), rid in resolutions.items()),
        )
        _copy(cur, "archive_mention", ["speech_id", "kind", "symbol", "resolution_id"], mentions)
        for table in (
            "archive_memberstate",
            "archive_affiliation",
            "archive_councilterm",
            "archive_agendaitem",
            "archive_meeting",
            "archive_speaker",
            "archive_speech",
            "archive_resolution",
            "archive_mention",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        progress("building the GIN index ...")
        # The deferred unique constraint (meeting, sequence) must fire before CREATE INDEX.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute(
            "CREATE INDEX speech_search_vector_gin ON archive_speech USING gin (search_vector)"
        )
        cur.execute("ALTER TABLE archive_speech ENABLE TRIGGER archive_search_added")
        progress("building the search index (postings for BM25) ...")
        t0 = time.perf_counter()
        cur.execute("SELECT archive_search_rebuild()")
        progress(f"search index built in {time.perf_counter() - t0:.0f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return LoadSummary(
        database=db_name,
        speeches=len(speeches),
        unsc_speeches=unsc_count,
        bench_speeches=bench_count,
        meetings=len(meetings),
        member_states=len(rows),
        mentions=len(mentions),
        seconds=time.perf_counter() - started,
        reused_pieces=bench_count - first_pass if passes > 1 else 0,
    )


def _agenda_rows(agenda: dict[str, int]) -> Iterator[tuple]:
    seen: set[str] = set()
    for title, aid in agenda.items():
        slug = _slugify(title)
        while slug in seen:
            slug = f"{slug[:100]}-{aid}"
        seen.add(slug)
        yield aid, title, slug


def main(argv: list[str] | None = None) -> None:
    """Command line: load N speeches into the benchmark database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=100_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DEBUG", "1")  # development settings (no secret key needed)
    os.environ.setdefault("COUNCIL_ARCHIVE_DB_NAME", "bench_search")
    import django

    django.setup()
    summary = load_bench_corpus(n_speeches=args.speeches)
    print(summary)


if __name__ == "__main__":
    main()
