"""Procedural notes and headings of the record, in the forms of every period.

Procedure is printed in italics: "The meeting was called to order at 10.05 a.m.", "The agenda
was adopted.", "A vote was taken by show of hands.", "The meeting was suspended at 1 p.m. and
resumed at 3.15 p.m.", "The meeting rose at 1.05 p.m.", "At the invitation of the President,
Mr. X (Egypt) took a seat at the Council table." (1990s-2000s), "Mr. X (Country), Vice-President,
took the Chair.", "The ninth preambular paragraph was retained by 104 votes to 1, with 30
abstentions.", "The draft resolution was adopted by 13 votes to none, with 2 abstentions."

Headings: "Adoption of the agenda" (or in capitals, 1990s), the agenda items repeated in the
body, "Expression of thanks to the retiring President", "Agenda item 14 (continued)".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .states import fold

PROCEDURE = re.compile(
    r"""^(?:
        The\ meeting\ (?:was\ called\ to\ order|rose|was\ suspended|was\ resumed|resumed|
                         was\ adjourned|adjourned|was\ closed)\b.*
      | The\ (?:provisional\ )?agenda\ was\ adopted\b.{0,200}
      | A\ (?:recorded\ )?vote\ (?:was|has\ been)\ taken\b.*
      | The\ draft\ (?:resolution|decision|presidential\ statement)\ (?:\S+\ ){0,6}was\ (?:adopted|rejected|not\ adopted)\b.{0,300}
      | The\ (?:proposed\ )?(?:oral\ )?amendment\ was\ (?:adopted|rejected|not\ adopted)\b.{0,300}
      | .{3,160}\ was\ (?:retained|adopted|rejected|approved)\ by\ \d{1,3}\ votes?\b.{0,160}
      | The\ members\ of\ the\ (?:Security\ )?Council\ (?:observed|stood|rose)\b.{0,200}
      | The\ Council\ observed\b.{0,200}
      | At\ the\ invitation\ of\ the\ President\b.{3,3000}
      | .{3,300}\ (?:took|resumed|returned\ to|left)\ (?:the\ Chair|a\ seat|the\ seat|his\ seat|
                 her\ seat|their\ seats|a\ place|places|the\ places?|seats)\b.{0,400}
      | The\ President\ returned\ to\ the\ Chair\.?
      | \[[^\[\]]{10,600}\]
      | \((?:spoke|continued)\ in\ \w+\)
      | \(interpretation\ from\ \w+\)
    )$""",
    re.VERBOSE | re.S,
)
# Procedural notes that start a paragraph wherever they stand (even in text with no blank
# lines, after a line that does not end a sentence).
STRONG_PROCEDURE = re.compile(
    r"^(?:The meeting (?:was called to order|rose|was suspended|was resumed|resumed|was "
    r"adjourned)\b|The agenda was adopted\b|A (?:recorded )?vote (?:was|has been) taken\b|"
    r"At the invitation of the President\b)"
)
_HEADING = re.compile(
    r"""^(?:
        Adoption\ of\ the\ agenda | ADOPTION\ OF\ THE\ AGENDA
      | Expression\ of\ (?:thanks|welcome|sympathy|condolences)\b.{0,200}
      | EXPRESSION\ OF\ (?:THANKS|WELCOME|SYMPATHY|CONDOLENCES)\b.{0,200}
      | Tribute\ to\ the\ memory\ of\b.{0,200}
      | Agenda\ item\ \d{1,3}\b.{0,120} | AGENDA\ ITEM\ \d{1,3}\b.{0,120}
      | Organization\ of\ work | Statement\ by\ the\ President\b.{0,120}
    )$""",
    re.VERBOSE,
)


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


class Headings:
    """Recognises the record's headings, the cover's agenda items among them."""

    def __init__(self, agenda: list[str]) -> None:
        self.agenda = [_key(item) for item in agenda if _key(item)]
        self.whole = "".join(self.agenda)

    def match(self, text: str, *, bold: bool = False) -> bool:
        """Whether a paragraph (its flattened text) is a heading."""
        flat = " ".join(text.split())
        if not flat or len(flat) > 400:
            return False
        if _HEADING.match(flat):
            return True
        key = _key(flat)
        if len(key) >= 6 and (key in self.agenda or (len(key) >= 20 and key in self.whole)):
            return True
        letters = [c for c in flat if c.isalpha()]
        # 1990s headings are set in capitals ("THE SITUATION IN SOMALIA").
        if len(letters) >= 8 and all(c.isupper() for c in letters) and not flat.endswith(":"):
            return True
        return bold and len(flat) <= 300 and not flat.endswith((":", ","))

    def is_line(self, text: str) -> bool:
        """Whether a single line is a whole heading (to open a paragraph in text with no blank
        lines)."""
        flat = " ".join(text.split())
        return bool(_HEADING.match(flat)) or (len(_key(flat)) >= 6 and _key(flat) in self.agenda)
