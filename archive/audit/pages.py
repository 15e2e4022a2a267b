"""What pages show: no page counters left in statements, no agenda fragment, no code or
placeholder where a reader expects words (a permanent seat with an end year)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from archive.agenda import agenda_lines, is_clean
from archive.audit import Finding, audit
from archive.corpus_text import clean_document
from archive.models import CouncilTerm, Meeting, Speech

AREA = "pages"


@audit(AREA)
def corpus_page_furniture() -> Iterator[Finding]:
    """Page counters ("21/21"), footers and headers left in corpus statements."""
    texts = defaultdict(list)
    rows = Speech.objects.filter(meeting__source=Meeting.Source.CORPUS).values_list(
        "meeting__symbol", "sequence", "text"
    )
    for symbol, sequence, text in rows.order_by("meeting_id", "sequence").iterator(2000):
        texts[symbol].append((sequence, text))
    for symbol, speeches in texts.items():
        cleaned = clean_document([text for _, text in speeches])
        for (sequence, _), result in zip(speeches, cleaned, strict=True):
            if result.changed:
                yield Finding(
                    AREA,
                    "page_furniture_in_text",
                    f"{symbol} #{sequence}: {' '.join(result.removed)}",
                )


@audit(AREA)
def agenda_fragments() -> Iterator[Finding]:
    """Agenda lines as shown: whole lines, never "(", ")" or "." alone."""
    for meeting in Meeting.objects.exclude(agenda=[]).only("symbol", "agenda").iterator(2000):
        shown = agenda_lines(meeting.agenda)
        bad = [line for line in shown if not is_clean(line)]
        if bad:
            yield Finding(AREA, "agenda_fragment_shown", f"{meeting.symbol}: {bad[0][:80]}")
        elif shown != [" ".join(a.split()) for a in meeting.agenda if a.strip()]:
            yield Finding(
                AREA,
                "agenda_rebuilt_for_display",
                meeting.symbol,
                explained="the source split the agenda at its links; pages show it rejoined",
            )


@audit(AREA)
def permanent_seats() -> Iterator[Finding]:
    """A permanent seat held today is shown without an end year."""
    from archive.views.facts import seat_texts

    year = datetime.date.today().year
    terms = CouncilTerm.objects.filter(seat=CouncilTerm.Seat.PERMANENT).select_related(
        "member_state__successor"
    )
    for term in terms:
        for seat in seat_texts(term.member_state, [term]):
            if term.end_year >= year and any(str(y) in seat["text"] for y in (term.end_year,)):
                yield Finding(
                    AREA, "permanent_seat_with_end", f"{term.member_state}: {seat['text']}"
                )
