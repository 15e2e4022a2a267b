"""Reading a date whose day and month may be swapped, with the meetings around it.

Meetings are numbered in the order they are held, so a meeting's date lies between the dates of
the meetings numbered just before and just after it. The votes-by-member file swapped day and
month on about a third of its dates (Excel read DD/MM as MM/DD); a date with the day above 12
cannot be swapped, and such dates, with the UN meetings table's, place the others.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Iterable

from archive.reference_data.values import iso_date, reliable_votes_file_date


def swapped(date: datetime.date) -> datetime.date | None:
    """The same date with day and month exchanged, if that is a date."""
    try:
        return date.replace(month=date.day, day=date.month)
    except ValueError:
        return None


Place = tuple[str, int]  # ("S/PV", 8514), or ("V", 142) for the file's videoconference codes


class MeetingSequence:
    """(series, number) -> date, from the dates nobody doubts. Two series are numbered in order
    of time: meetings (S/PV.N) and the votes file's codes of the 2020-2021 votes by letter
    (V5 ... V352), whose unambiguous dates run in the order of their numbers too."""

    def __init__(self, anchors: dict[Place, datetime.date]) -> None:
        self.places = sorted(anchors)
        self.anchors = anchors

    @classmethod
    def from_sources(
        cls, meetings: dict[tuple, tuple], events: Iterable, place_of: Callable
    ) -> MeetingSequence:
        """Anchors: the meetings table's dates, then the file's dates that cannot be swapped."""
        anchors = {("S/PV", n): date for (n, _r), (_pk, date) in meetings.items() if n and date}
        for event in events:
            place = place_of(event.row)
            date = reliable_votes_file_date(event.row["Date"])
            if place and date and place not in anchors:
                anchors[place] = date
        return cls(anchors)

    def read(self, value: str, place: Place | None) -> tuple[datetime.date | None, str]:
        """The file's date and how it was read: as printed when unambiguous, else the reading
        (as printed or swapped) that fits between the neighbouring meetings' dates."""
        printed = iso_date(value)
        if printed is None:
            text = (value or "").strip()
            return None, f"unreadable date {text!r}" if text else "no date in the file"
        if reliable_votes_file_date(value):
            return printed, ""
        readings = [d for d in (printed, swapped(printed)) if d]
        fitting = [d for d in readings if self.fits(d, place)] if place else []
        if len(fitting) == 1:
            return fitting[0], self._note(printed, fitting[0], place)
        return None, f"the file's {printed} may have day and month swapped; not used"

    def neighbours(self, place: Place) -> tuple[Place | None, Place | None]:
        """The nearest places of the same series with a known date, before and after."""
        i = bisect.bisect_left(self.places, place)
        before = self.places[i - 1] if i > 0 else None
        j = i + 1 if i < len(self.places) and self.places[i] == place else i
        after = self.places[j] if j < len(self.places) else None
        same = place[0]
        return (
            before if before and before[0] == same else None,
            after if after and after[0] == same else None,
        )

    def fits(self, date: datetime.date, place: Place) -> bool:
        """Whether the meeting at ``place`` can have been held on ``date``: not before the
        meeting before it nor after the one after it (one of the two is enough at the end of
        what is known)."""
        before, after = self.neighbours(place)
        if before is None and after is None:
            return False
        return (before is None or self.anchors[before] <= date) and (
            after is None or date <= self.anchors[after]
        )

    def _note(self, printed: datetime.date, read: datetime.date, place: Place) -> str:
        how = "as printed" if read == printed else f"with day and month swapped (file: {printed})"
        known = [
            f"{p[0]}{'.' if p[0] == 'S/PV' else ''}{p[1]} ({self.anchors[p]})"
            for p in self.neighbours(place)
            if p
        ]
        return f"read {how}: the only reading that fits the dates of {' and '.join(known)}"
