"""Who a statement is attributed to, in words: the one place pages, citations and exports ask.

In order of trust: the name printed in the source ("Mr. Zhang Jun"); else the State's
representative named on the meeting's cover page, when the cover page names exactly one (the
speech then links to that spelling, and says where the name came from); else "Representative of
South Africa" (the source names no one). Never a duplicated State, never "unknown".
"""

from __future__ import annotations

# Corpus rows print these where no speaker was recorded: they are not names.
PLACEHOLDER_NAMES = frozenset({"", "unknown", "na", "n/a", "none", "speaker", "not available"})

# States the UN names with an article ("the representative of the Niger").
_ARTICLE_NAMES = frozenset(
    {
        "Bahamas",
        "Comoros",
        "Congo",
        "Gambia",
        "Maldives",
        "Netherlands",
        "Niger",
        "Philippines",
        "Sudan",
        "Holy See",
        "State of Palestine",
        "Marshall Islands",
        "Solomon Islands",
        "Czech Republic",
        "United Kingdom",
        "United States",
    }
)
_ARTICLE_PREFIXES = (
    "United ",
    "Republic of ",
    "Democratic ",
    "Dominican ",
    "Central African ",
    "Russian ",
    "Syrian ",
    "Lao ",
    "Union of ",
    "German ",
    "Former ",
    "Federal Republic",
    "Kingdom of ",
)

NOTE_COVER_PAGE = "name from the meeting's cover page"
NOTE_UNNAMED = "the source does not name the speaker"


def is_placeholder(name: str) -> bool:
    """Whether a printed "name" is a placeholder a source wrote for no name ("unknown")."""
    return " ".join((name or "").split()).casefold() in PLACEHOLDER_NAMES


def speaker_body(speech) -> str:
    """The State or body a speech was made for, as the archive knows it."""
    if speech.member_state_id:
        return speech.member_state.name
    if speech.affiliation_id:
        return speech.affiliation.name
    return speech.country_as_printed


def article_name(name: str, *, is_state: bool = True) -> str:
    """A State's or body's name as the UN writes it in a sentence: "the Niger", "the Russian
    Federation", "South Africa", "the European Union"."""
    if not name or name.lower().startswith("the "):
        return name
    if is_state:
        needs = name in _ARTICLE_NAMES or name.startswith(_ARTICLE_PREFIXES)
    else:  # organizations, UN bodies, groups of States as printed ("Nordic Countries")
        needs = len(name.split()) > 1
    return f"the {name}" if needs else name


def with_article(speech) -> str:
    """The body spoken for, as in "the representative of the Niger"."""
    is_state = bool(speech.member_state_id) or bool(
        speech.affiliation_id and speech.affiliation.kind == "observer_state"
    )
    return article_name(speaker_body(speech), is_state=is_state)


def printed_name(speech) -> str:
    """The speaker's name as the source prints it, or "" (placeholders are not names)."""
    name = speech.speaker_name or ""
    return "" if is_placeholder(name) else name


def speaker_label(speech) -> str:
    """Who made the statement, in words (see the module docstring)."""
    name = printed_name(speech)
    if name:
        return name
    if speech.speaker_id and not is_placeholder(speech.speaker.name):
        return speech.speaker.name
    body = with_article(speech)
    if body:
        return f"Representative of {body}"
    return "A speaker the source does not name"


def speaker_note(speech) -> str:
    """Where the name shown comes from, when not printed in the source ("" when it is)."""
    if printed_name(speech):
        return ""
    if speech.speaker_id and not is_placeholder(speech.speaker.name):
        return NOTE_COVER_PAGE
    return NOTE_UNNAMED


def names_body(label: str) -> bool:
    """Whether a label already says the body ("Representative of ...")."""
    return label.startswith("Representative of ")


def heading(speech) -> str:
    """ "Mr. Zhang Jun (China)", or "Representative of South Africa": the State said once."""
    label = speaker_label(speech)
    body = speaker_body(speech)
    if not body or names_body(label):
        return label
    return f"{label} ({body})"
