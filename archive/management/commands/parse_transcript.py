"""Parse one verbatim record (PDF or text) and show what the parser found; no database needed."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.parsing import TranscriptError, parse_document

FIRST_WORDS = 12


class Command(BaseCommand):
    help = "Parse a verbatim record (PDF or .txt) and print a summary, or its JSON with --json."

    # The system checks are skipped so that the command runs with no database at all.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="PDF or plain-text verbatim record")
        parser.add_argument(
            "--json", action="store_true", help="print the parsed record as JSON (to_dict)"
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror or exc}).") from exc
        try:
            parsed = parse_document(
                data, filename=path.name, max_bytes=settings.TRANSCRIPT_MAX_BYTES
            )
        except TranscriptError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_summary(parsed))


def _first_words(text: str, count: int = FIRST_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def render_summary(parsed) -> str:
    """A readable account of a parsed record: cover, speeches, votes and mentions."""
    lines = [
        f"{parsed.symbol}  —  meeting {parsed.meeting_number}"
        + (f", resumption {parsed.resumption}" if parsed.resumption else ""),
        f"Date:      {parsed.date or '?'} {parsed.time or ''}  {parsed.place or ''}".rstrip(),
        f"Pages:     {parsed.page_count}   Language: {parsed.language}",
    ]
    if parsed.president:
        lines.append(f"President: {parsed.president.name} ({parsed.president.country or '?'})")
    lines.append(f"Members ({len(parsed.members)}):")
    lines += [f"  {m.country:<55} {m.name}" for m in parsed.members]
    lines.append("Agenda:")
    lines += [f"  {item}" for item in parsed.agenda]
    if parsed.invitations:
        lines.append(f"Invitations ({len(parsed.invitations)}):")
        lines += [
            f"  rule {i.rule or '?'}: {i.name}" + (f" — {i.represents}" if i.represents else "")
            for i in parsed.invitations
        ]
    lines.append(f"Speeches ({len(parsed.speeches)}):")
    for s in parsed.speeches:
        lines.append(
            f"  {s.sequence:>3}. p.{s.page or '?'} {s.attribution}  [{s.country or '—'} / {s.role}]"
        )
        lines.append(f"       {_first_words(s.text)}")
    lines.append(f"Votes ({len(parsed.votes)}):")
    for n, v in enumerate(parsed.votes, start=1):
        outcome = v.result + (f" as resolution {v.resolution}" if v.resolution else "")
        lines.append(
            f"  {n}. {v.subject} {v.draft or ''} after speech {v.after_speech}: "
            f"{outcome} ({v.tally or '?'})"
        )
        for label, names in (
            ("in favour", v.in_favour),
            ("against", v.against),
            ("abstaining", v.abstaining),
            ("not participating", v.not_participating),
        ):
            if names:
                lines.append(f"       {label}: {', '.join(names)}")
    lines.append(
        f"Mentions: resolutions {', '.join(parsed.mentions.resolutions) or '—'}; "
        f"documents {', '.join(parsed.mentions.documents) or '—'}"
    )
    accounting = getattr(parsed, "accounting", None) or {}
    if accounting:
        lines.append(
            "Lines:     "
            + ", ".join(f"{bucket.replace('_', ' ')} {n}" for bucket, n in accounting.items())
        )
    checks = getattr(parsed, "checks", None) or []
    lines.append(f"Checks ({len(checks)}):")
    for check in checks:
        where = ", ".join(
            part
            for part in (
                f"page {check.page}" if check.page else "",
                f"speech {check.speech}" if check.speech else "",
            )
            if part
        )
        lines.append(
            f"  {check.severity.upper():7} {check.message}" + (f" [{where}]" if where else "")
        )
    return "\n".join(lines)
