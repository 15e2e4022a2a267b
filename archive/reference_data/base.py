"""What every loader shares: the data files' paths, reading CSV rows with their line numbers,
problems reported with file:line, and writing only the difference to a table."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, models

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

MEMBER_STATES_CSV = "un-member-states/un_member_states.csv"
COUNTRY_CONVERTER_TSV = "un-member-states/country_converter_country_data.tsv"
ENTITIES_CSV = "unsc-debates-corpus-docs/entities.csv"
COUNTRY_ALIASES_CSV = "unsc-debates-corpus-docs/country_aliases.csv"
TERMS_CSV = "unsc-membership/sc_terms_1946-2026.csv"
MEETINGS_CSV = "unsc-meetings-intreleng/unsc_meetings_1946_2022.csv"
RESOLUTIONS_CSV = "unsc-meetings-intreleng/unsc_resolutions_from_meetings_1946_2022.csv"
DRAFTS_CSV = "unsc-meetings-intreleng/unsc_draft_resolutions_undl_export.csv"
VOTES_CSV = "unsc-votes-1994-2025-votingagent/sc_votes_by_member_1994_2025.csv"
VETOES_CSV = "unsc-vetoes-1946-2022/unsc_vetoes_1946_sept2022.csv"
TEXTS_DIR = "unsc-resolutions-text-1946-2015/texts"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    """A row or file the loader could not use, with where it is."""

    file: str
    line: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.kind}] {self.message}"


@dataclass
class SyncOutcome:
    """What ``sync_rows`` did, and the primary key of every row it was given (by its key)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pks: dict[tuple, int] = field(default_factory=dict)


@dataclass
class LoadResult:
    """What one step did: rows created, updated and left unchanged per table, and problems."""

    step: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def add_sync(self, table: str, outcome: SyncOutcome) -> None:
        """Add one table's sync counts."""
        self.created[table] += outcome.created
        self.updated[table] += outcome.updated
        self.unchanged[table] += outcome.unchanged

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())


class Reporter:
    """Collects problems for one file."""

    def __init__(self, result: LoadResult, file: str) -> None:
        self.result = result
        self.file = file

    def __call__(self, line: int | None, kind: str, message: str) -> None:
        self.result.problems.append(Problem(self.file, line, kind, message))


# --------------------------------------------------------------------------- reading


def read_csv(
    path: Path, *, delimiter: str = ",", comments: bool = False, pad: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, row) from a UTF-8 CSV file.

    Raises ``OSError`` or ``UnicodeDecodeError``; callers turn them into problems. Rows with the
    wrong number of fields are yielded with a ``None`` key holding the extra fields, like
    ``csv.DictReader``; callers check ``row_shape_problem``. ``pad`` fills short rows with ""
    (country-converter's TSV drops trailing empty fields).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        numbers: list[int] = []

        def lines() -> Iterator[str]:
            for number, line in enumerate(handle, start=1):
                if comments and line.startswith("#"):
                    continue
                numbers.append(number)
                yield line

        reader = csv.reader(lines(), delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            return
        consumed = len(numbers)
        for values in reader:
            start = numbers[consumed] if consumed < len(numbers) else numbers[-1]
            consumed = len(numbers)
            if not any(v.strip() for v in values):
                continue
            yield start, _as_row(header, values, pad=pad)


def _as_row(header: list[str], values: list[str], *, pad: bool) -> dict:
    row = dict(zip(header, values, strict=False))
    if pad and len(values) < len(header):
        values = values + [""] * (len(header) - len(values))
    if len(values) > len(header):
        row[None] = values[len(header) :]
    elif len(values) < len(header):
        row[None] = []
    return row


def row_shape_problem(row: dict) -> str | None:
    """A message if the row had the wrong number of fields."""
    if None not in row:
        return None
    extra = row[None]
    return f"wrong number of fields ({'extra: ' + repr(extra) if extra else 'too few'})"


def rows(
    data_dir: Path, relative: str, result: LoadResult, **kwargs
) -> Iterator[tuple[int, dict[str, str], Reporter]]:
    """Rows of a data file; an unreadable file or malformed row becomes a problem."""
    report = Reporter(result, relative)
    path = data_dir / relative
    try:
        for line, row in read_csv(path, **kwargs):
            shape = row_shape_problem(row)
            if shape:
                report(line, "malformed_row", shape)
                continue
            yield line, row, report
    except FileNotFoundError:
        report(None, "missing_file", f"file not found: {path}")
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        report(None, "unreadable_file", f"{type(error).__name__}: {error}")


def fixture_dir(fixtures_dir: Path | None) -> Path:
    """The fixtures folder to read (tests pass their own)."""
    return Path(fixtures_dir) if fixtures_dir else FIXTURES_DIR


# --------------------------------------------------------------------------- syncing


def sync_rows(
    model: type[models.Model],
    *,
    key: tuple[str, ...],
    rows: Iterable[dict],
    fields: Iterable[str],
    queryset: models.QuerySet | None = None,
    keep: Callable[[dict], bool] | None = None,
    fill_blank: Callable[[dict], bool] | None = None,
    batch_size: int = 2000,
) -> SyncOutcome:
    """Make the table hold ``rows`` (dicts of attnames), matched on ``key``: create what is
    missing, update what differs, leave the rest alone. Returns counts and key -> pk.

    ``keep(existing_values)`` returning True protects an existing row from updates (for rows
    another importer owns); ``fill_blank(existing_values)`` returning True lets only its empty
    fields (None, "", []) be filled in. Rows are never deleted.
    """
    fields = list(fields)
    qs = queryset if queryset is not None else model._default_manager.all()
    existing = {
        tuple(values[k] for k in key): values
        for values in qs.values("pk", *key, *[f for f in fields if f not in key])
    }
    outcome = SyncOutcome()
    to_create, to_update = [], []
    for row in rows:
        row_key = tuple(row[k] for k in key)
        current = existing.get(row_key)
        if current is None:
            to_create.append(model(**row))
            continue
        outcome.pks[row_key] = current["pk"]
        if fill_blank and fill_blank(current):
            row = {**row, **{f: current[f] for f in fields if not is_blank(current[f])}}
        if (keep and keep(current)) or all(current[f] == row[f] for f in fields):
            outcome.unchanged += 1
            continue
        to_update.append(model(pk=current["pk"], **row))
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=batch_size)
        for instance in to_create:
            outcome.pks[tuple(getattr(instance, k) for k in key)] = instance.pk
    if to_update:
        update_rows(model, to_update, fields)
    outcome.created, outcome.updated = len(to_create), len(to_update)
    return outcome


def is_blank(value) -> bool:
    """None, "" and [] count as not given."""
    return value is None or value == "" or value == []


def update_rows(model: type[models.Model], instances: list, fields: list[str], batch: int = 1000):
    """Write ``fields`` (attnames) of these instances: ``bulk_update`` without its per-row CASE
    expressions, which Django builds in Python at a cost that grows with rows x fields (a
    minute for 3,000 votes), as one UPDATE ... FROM (VALUES ...) per batch."""
    if not instances:
        return
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    columns = [meta.pk, *(by_attname[f] for f in fields)]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"%s::{c.db_type(connection)}" for c in columns) + ")"
    names = ", ".join(qn(c.column) for c in columns)
    sets = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}" for c in columns[1:])
    pk = qn(meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(instances), batch):
            chunk = instances[start : start + batch]
            params = [
                column.get_db_prep_save(getattr(instance, column.attname), connection)
                for instance in chunk
                for column in columns
            ]
            cursor.execute(
                f"UPDATE {qn(meta.db_table)} AS t SET {sets} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({names}) "
                f"WHERE t.{pk} = v.{pk}",
                params,
            )
