"""Who takes part: invitations, the floor given, and whom each turn speaks for.

Invitations in their forms since the 1990s:

- "In accordance with rule 37 of the Council's provisional rules of procedure, I invite the
  representatives of A, B and C to participate in this meeting." (2000s on; rule 39 names
  persons: "I invite Mr. X, Special Envoy ..., to participate")
- "I have received letters from the representatives of A and B, in which they request to be
  invited to participate in the discussion ... rule 37 ..." (1990s)
- "... agrees to extend an invitation under rule 39 of its provisional rules of procedure to
  Mr. X." (1990s)
- "At the invitation of the President, Mr. X (Egypt) took a seat at the Council table."
  (a procedural note, 1990s and 2000s)

The floor: "I now give the floor to the representative of X", "I call on ...", "The next
speaker is the representative of X".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .labels import TITLES, SpeakerLabel
from .states import is_state, same_state, split_states

PERMANENT = (
    "China",
    "France",
    "Russian Federation",
    "Union of Soviet Socialist Republics",
    "United Kingdom of Great Britain and Northern Ireland",
    "United States of America",
)


@dataclass
class ParsedInvitation:
    """An invitation read by the President under rule 37 or 39 (or noted as a seat taken)."""

    name: str
    represents: str | None
    rule: str | None


_RULES = r"(?:the Council’?'?s|its) provisional rules of procedure"
_INVITE_37 = re.compile(rf"rule 37 of {_RULES},? I (?:also )?invite (?P<rest>.*)", re.S)
_INVITE_39 = re.compile(rf"rule 39 of {_RULES},? I (?:also )?invite (?P<rest>.*)", re.S)
_LETTERS = re.compile(
    r"(?:received|have before (?:me|it)) (?:a )?letters? from the (?:representatives?|Permanent "
    r"Representatives?) of (?P<rest>.+?),? (?:in which|requesting)",
    re.S,
)
_EXTEND_39 = re.compile(
    rf"invitations? (?:under|in accordance with) rule 39 of {_RULES} to (?P<rest>.+)", re.S
)
# A full stop that ends a sentence, not an honorific's ("Mr. Guéhenno").
_SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bMsgr)(?<!\bSt)(?<!\bNo)\.(?:\s|$)"
)
_SEAT_NOTE = re.compile(
    r"\b(?:took|resumed|was escorted to) (?:a |the |his |her |their )?(?:seats?|places?)\b"
)
_PERSON_AND_BODY = re.compile(
    rf"(?P<who>(?:{TITLES})\s[^()]{{1,80}}?)\s*\((?P<what>[^()]{{2,120}})\)"
)
_HONORIFIC_PREFIX = re.compile(
    r"^(?:(?:His|Her)\s+(?:Excellency|Eminence|Holiness|Majesty|Royal\s+Highness)\s+)"
)
_UN_POSITION = re.compile(
    r"Secretary-General|Under-Secretary|Special Representative|Special Envoy|Special Adviser|"
    r"Special Coordinator|High Commissioner|Emergency Relief Coordinator|United Nations|"
    r"Head of the United Nations|Force Commander|Police Commissioner|Executive Director of (?:the )?"
    r"(?:World Food Programme|United Nations|UN)|UNICEF|UNHCR|UNRWA|UNDP|UNFPA|UN-Women|"
    r"Office for the Coordination|Department of (?:Political|Peace)|International Court of Justice|"
    r"Prosecutor of the International|Committee established pursuant|Chair of the Peacebuilding"
)


def invitations(speech_text: str) -> list[ParsedInvitation]:
    """Read the President's invitations under rules 37 and 39 from one turn."""
    found: list[ParsedInvitation] = []
    for paragraph in speech_text.split("\n\n"):
        for rule, pattern in (("37", _INVITE_37), ("39", _INVITE_39)):
            match = pattern.search(paragraph)
            if not match:
                continue
            rest = re.sub(
                r"^the following(?: briefers| speakers| participants)?(?: to participate in "
                r"(?:this|the) meeting)?\s*:\s*",
                "",
                match["rest"],
            )
            rest = re.split(r",? to participate in (?:this|the) (?:meeting|discussion)", rest)[0]
            found.extend(_rule37(rest) if rule == "37" else _rule39(rest))
        letters = _LETTERS.search(paragraph)
        if letters and "rule 37" in paragraph:
            found.extend(_rule37(letters["rest"]))
        extend = _EXTEND_39.search(paragraph)
        if extend:
            end = _SENTENCE_END.search(extend["rest"])
            found.extend(_rule39(extend["rest"][: end.start()] if end else extend["rest"]))
    return found


def seats_taken(note: str) -> list[ParsedInvitation]:
    """Invitations recorded by a procedural note ("At the invitation of the President, Mr. X
    (Egypt) took a seat at the Council table; Mr. Y (Palestine) took the seat reserved ...")."""
    if not _SEAT_NOTE.search(note):
        return []
    out = []
    for match in _PERSON_AND_BODY.finditer(note):
        who = " ".join(match["who"].split())
        what = " ".join(match["what"].split())
        out.append(ParsedInvitation(who, what, "37" if is_state(what) else "39"))
    return out


def merge_invitations(found: list[ParsedInvitation]) -> list[ParsedInvitation]:
    """One invitation per State (the letters and the seat taken name it twice): the person's
    name is kept when one of them gives it."""
    out: list[ParsedInvitation] = []
    for invitation in found:
        same = next(
            (
                kept
                for kept in out
                if invitation.rule == kept.rule == "37"
                and same_state(invitation.represents or "", kept.represents or "")
            ),
            None,
        )
        if same is None:
            out.append(invitation)
        elif same.name.startswith("the representative of") and not invitation.name.startswith(
            "the representative of"
        ):
            same.name = invitation.name
    return out


def _rule37(rest: str) -> list[ParsedInvitation]:
    rest = re.sub(r"^the (?:representatives?|Permanent Representatives?) of\s+", "", rest.strip())
    rest = re.sub(r"\s+to (?:participate|take)\b.*$", "", rest, flags=re.S)
    return [
        ParsedInvitation(name=f"the representative of {n}", represents=n, rule="37")
        for n in split_states(rest.rstrip("."))
        if n
    ]


def _rule39(rest: str) -> list[ParsedInvitation]:
    """Split "Mr. A, Special Envoy ..., and Ms. B, Director, ... Office" into invitations."""
    text = " ".join(rest.split()).rstrip(".")
    # Each person starts with an honorific; the description runs to the next person.
    starts = [
        m.start()
        for m in re.finditer(rf"(?:(?:His|Her) (?:Excellency|Eminence) )?(?:{TITLES}) [A-Z]", text)
    ]
    if not starts:
        who = re.sub(r"^the\s+", "", text)
        return [ParsedInvitation(text, _organisation(text), "39")] if who else []
    found = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = re.sub(r",?\s*(?:and)?\s*$", "", text[start:end].strip())
        chunk = _HONORIFIC_PREFIX.sub("", chunk)
        name, _, description = chunk.partition(", ")
        found.append(ParsedInvitation(name.strip(), description.strip() or None, "39"))
    return found


def _organisation(description: str) -> str | None:
    match = re.search(
        r"(?:observer|Observer|representative|Head of the Delegation|delegation) of (?:the )?(.+)$",
        description,
    )
    return match[1].strip() if match else description or None


def surname_key(name: str) -> str:
    """The key a label and an invitation share: the name without honorific, last word."""
    name = _HONORIFIC_PREFIX.sub("", name)
    name = re.sub(rf"^(?:{TITLES})\s+", "", name)
    words = name.split()
    return words[-1].lower() if words else ""


# ---------------------------------------------------------------------------------------------
# The floor

_GIVE_FLOOR = re.compile(
    r"(?:(?:I|we) (?:now |shall now |will now )?(?:give|call on|call upon|invite)(?: the floor to)?"
    r"|The next speaker is) (?:the )?"
    r"(?:(?:Permanent )?Observer|observer|representative|Head of (?:the )?Delegation|delegation)"
    r" of (?P<org>(?:the )?[A-Z][^,.;:()]{2,120})",
)


def floor_given(text: str) -> str | None:
    """The State or body the President's last words give the floor to, if any."""
    found = _GIVE_FLOOR.findall(text[-600:])
    return found[-1].strip() if found else None


# ---------------------------------------------------------------------------------------------
# Whom a turn speaks for


def attribute(
    label: SpeakerLabel,
    council: Iterable[str],
    presidency: str | None,
    invited: dict[str, ParsedInvitation],
    floor_org: str | None,
) -> tuple[str | None, str]:
    """Decide the State or organization a turn speaks for, and the speaker's role."""
    if label.office in ("The President", "The Acting President", "The Temporary President"):
        return presidency, "president"
    if label.office:
        return None, "un"
    if label.country:
        if any(same_state(label.country, member) for member in council):
            return label.country, "member"
        if re.search(r"^(?:United Nations|UN)\b", label.country) or (
            _UN_POSITION.search(label.country) and not is_state(label.country)
        ):
            return None, "un"
        return label.country, "invited"
    invitation = invited.get(surname_key(label.speaker))
    if invitation and invitation.represents:
        return invited_attribution(invitation.represents)
    if floor_org:
        return floor_org, "invited"
    return None, "other"


def invited_attribution(description: str) -> tuple[str | None, str]:
    """The body and role of a rule 39 invitee, from what the invitation says they are."""
    observer = re.search(
        r"Observer|observer|Head of (?:the )?Delegation|European Union|African Union|"
        r"League of Arab States|Committee on",
        description,
    )
    if _UN_POSITION.search(description) and not observer:
        return None, "un"
    return organisation_of(description), "invited" if observer else "other"


def attribute_from_invitations(
    speaker: str, president_texts: Iterable[str]
) -> tuple[str | None, str] | None:
    """The body and role a rule 39 invitation in ``president_texts`` (the President's turns of
    another document: a resumption's earlier part) gives ``speaker``; None if not invited."""
    key = surname_key(speaker or "")
    if not key:
        return None
    for text in president_texts:
        for invitation in invitations(text or ""):
            if (
                invitation.rule == "39"
                and invitation.represents
                and surname_key(invitation.name) == key
            ):
                return invited_attribution(invitation.represents)
    return None


def organisation_of(description: str) -> str | None:
    """The body an invitee speaks for, if the description names an observer or a delegation."""
    match = re.search(
        r"(?:Permanent Observer|Observer|Head of (?:the )?Delegation|Chair|Vice-Chair|Chairman|"
        r"Chairperson|President|Secretary-General|Commissioner)\s+of\s+(?:the\s+)?"
        r"(?P<org>[A-Z][^,]+?)(?:\s+to the United Nations)?$",
        description,
    )
    if match:
        org = match["org"].strip()
        return org if not org.startswith("the ") else org[4:]
    return None


_BEHALF = re.compile(
    r"\b(?:I|We|we)\b(?P<gap>[^.]{0,120}?)\bon (?:the )?behalf of\s+(?P<group>[^.;:()—]{2,200})"
)
# "We align ourselves with the statement to be delivered on behalf of ..." is someone else's.
_NOT_OWN_STATEMENT = re.compile(
    r"align|associat|to be (?:delivered|made)|delivered by|made by|representative"
)


def on_behalf_of(text: str) -> str | None:
    """The group a speaker says they speak for in the opening of their statement."""
    for match in _BEHALF.finditer(text[:900]):
        if _NOT_OWN_STATEMENT.search(match["gap"]):
            continue
        group = match["group"].strip()
        if re.match(rf"^(?:(?:His|Her) |{TITLES})", group):
            continue  # a person (a minister whose statement is read out), not a group
        group = re.split(
            r"\s+(?:and its member States|and (?:my|our) own country|in my capacity|as well as)\b",
            group,
        )[0]
        # Keep a list of names ("Canada, Germany, Sweden and Ukraine") but not an apposition
        # ("Germany and Belgium, the humanitarian co-penholders").
        items = group.split(", ")
        kept = [items[0]]
        for item in items[1:]:
            if not item[:1].isupper():
                break
            kept.append(item)
        group = ", ".join(kept).strip()
        if group[:1].isupper() or group.startswith("the "):
            return group
    return None
