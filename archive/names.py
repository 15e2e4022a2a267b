"""The one place where a printed name ("the Niger", "Iran (Islamic Republic of)", "UN") becomes a
MemberState or an Affiliation.

Used by the transcript importer, the corpus importer and the reference loader::

    from archive.names import NameResolver, Resolution as NameMatch

    resolver = NameResolver.load()          # three queries, everything kept in memory
    match = resolver.resolve("United Kingdom")
    match.member_state_id, match.affiliation_id, match.kind, match.name

How a name is matched, most trusted first:

1. ``NameAlias`` rows (keyed on ``normalise_name``): the curated table.
2. Canonical names: ``MemberState.name`` and ``Affiliation.name``.
3. Other names of the same record: official name, affiliation short name ("EU").
4. ``BUILTIN_VARIANTS`` below: spellings every importer meets (USA, UK, USSR, Zaire, Swaziland,
   Turkey, ...), so the resolver works before any alias row exists.
5. Word-order variants computed from the above: "Iran (Islamic Republic of)" and
   "Islamic Republic of Iran", "Korea, Republic of".

If nothing matches exactly, a looser key is tried: "the" dropped everywhere, "St." read as
"Saint", "&" as "and" ("Saint Vincent and Grenadines"). A key that would point at two different
targets at the same level is dropped rather than guessed ("Korea" alone matches nothing).

Unknown names return ``None`` and are counted in ``resolver.unresolved`` (a ``Counter`` of the
names exactly as given), so a caller can report them after a run::

    for name, count in resolver.unresolved.most_common():
        print(f"unresolved: {name!r} x{count}")

Pass ``record=False`` to ``resolve`` to look a name up without counting a miss. A name staff
marked as "a person with no affiliation" (a ``NameAlias`` with no target) resolves to ``None``
too, but is not counted: ``known_without_body`` tells them apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from archive.models import normalise_name

MEMBER_STATE = "member_state"
UNITED_NATIONS_NAME = "United Nations"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a printed name stands for. Import it as ``NameMatch`` beside ``models.Resolution``."""

    name: str  # canonical name of the target
    kind: str  # "member_state" or an Affiliation.Kind value
    member_state_id: int | None = None
    affiliation_id: int | None = None
    iso3: str = ""  # member states only

    @property
    def is_member_state(self) -> bool:
        return self.member_state_id is not None


# Printed spellings that need no alias row. Values are ("state", ISO3) or ("affiliation", name);
# a target that is not in the database (a former State not loaded yet) is skipped silently.
BUILTIN_VARIANTS: dict[str, tuple[str, str]] = {
    # Permanent members and their usual short forms
    "USA": ("state", "USA"),
    "US": ("state", "USA"),
    "U.S.": ("state", "USA"),
    "United States": ("state", "USA"),
    "United States of America": ("state", "USA"),
    "UK": ("state", "GBR"),
    "U.K.": ("state", "GBR"),
    "United Kingdom": ("state", "GBR"),
    "Great Britain": ("state", "GBR"),
    "Britain": ("state", "GBR"),
    "United Kingdom of Great Britain and Northern Ireland": ("state", "GBR"),
    "Russia": ("state", "RUS"),
    "Russian Federation": ("state", "RUS"),
    "People's Republic of China": ("state", "CHN"),
    "USSR": ("state", "SUN"),
    "U.S.S.R.": ("state", "SUN"),
    "Soviet Union": ("state", "SUN"),
    "Union of Soviet Socialist Republics": ("state", "SUN"),
    # Renamings and short forms of current Member States
    "Zaire": ("state", "COD"),
    "DR Congo": ("state", "COD"),
    "DRC": ("state", "COD"),
    "Congo (Democratic Republic of the)": ("state", "COD"),
    "Democratic Republic of Congo": ("state", "COD"),
    "Congo": ("state", "COG"),
    "Republic of the Congo": ("state", "COG"),
    "Congo Republic": ("state", "COG"),
    "Swaziland": ("state", "SWZ"),
    "Kingdom of Swaziland": ("state", "SWZ"),
    "Turkey": ("state", "TUR"),
    "Türkiye": ("state", "TUR"),
    "Czech Republic": ("state", "CZE"),
    "Czechia": ("state", "CZE"),
    "The former Yugoslav Republic of Macedonia": ("state", "MKD"),
    "Former Yugoslav Republic of Macedonia": ("state", "MKD"),
    "North Macedonia": ("state", "MKD"),
    "Vietnam": ("state", "VNM"),
    "Viet Nam": ("state", "VNM"),
    "Syria": ("state", "SYR"),
    "Laos": ("state", "LAO"),
    "Lao PDR": ("state", "LAO"),
    "Iran": ("state", "IRN"),
    "Venezuela": ("state", "VEN"),
    "Bolivia": ("state", "BOL"),
    "Tanzania": ("state", "TZA"),
    "Moldova": ("state", "MDA"),
    "Micronesia": ("state", "FSM"),
    "South Korea": ("state", "KOR"),
    "North Korea": ("state", "PRK"),
    "Ivory Coast": ("state", "CIV"),
    "Cape Verde": ("state", "CPV"),
    "Burma": ("state", "MMR"),
    "East Timor": ("state", "TLS"),
    "Democratic Kampuchea": ("state", "KHM"),
    "Kampuchea": ("state", "KHM"),
    "Byelorussian Soviet Socialist Republic": ("state", "BLR"),
    "Byelorussian SSR": ("state", "BLR"),
    "Ukrainian Soviet Socialist Republic": ("state", "UKR"),
    "Ukrainian SSR": ("state", "UKR"),
    "Ceylon": ("state", "LKA"),
    "Dahomey": ("state", "BEN"),
    "Upper Volta": ("state", "BFA"),
    "Siam": ("state", "THA"),
    "Libyan Arab Jamahiriya": ("state", "LBY"),
    "Federal Republic of Germany": ("state", "DEU"),
    "West Germany": ("state", "DEU"),
    "United Arab Republic": ("state", "EGY"),
    # Former Member States
    "German Democratic Republic": ("state", "DDR"),
    "East Germany": ("state", "DDR"),
    "Yugoslavia": ("state", "YUG"),
    "Socialist Federal Republic of Yugoslavia": ("state", "YUG"),
    "Federal Republic of Yugoslavia": ("state", "SCG"),
    "Serbia and Montenegro": ("state", "SCG"),
    "Czechoslovakia": ("state", "CSK"),
    "Czech and Slovak Federal Republic": ("state", "CSK"),
    # The United Nations itself: "UN" is a UN official, never a country
    "UN": ("affiliation", UNITED_NATIONS_NAME),
    "U.N.": ("affiliation", UNITED_NATIONS_NAME),
    "United Nations": ("affiliation", UNITED_NATIONS_NAME),
    "United Nations Secretariat": ("affiliation", UNITED_NATIONS_NAME),
    "UN Secretariat": ("affiliation", UNITED_NATIONS_NAME),
    "Secretariat": ("affiliation", UNITED_NATIONS_NAME),
    # Observer States
    "Palestine": ("affiliation", "State of Palestine"),
    "State of Palestine": ("affiliation", "State of Palestine"),
    "Holy See": ("affiliation", "Holy See"),
}

_PARENTHESISED = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")
_COMMA = re.compile(r"^(?P<outer>[^,]+?)\s*,\s*(?P<inner>[^,]+)$")
_INVERTIBLE_TAIL = re.compile(r"\b(?:of|of the)\s*$", re.IGNORECASE)


def word_order_variants(name: str) -> list[str]:
    """Other orders of a name: "Iran (Islamic Republic of)" -> "Islamic Republic of Iran"."""
    variants = []
    for pattern in (_PARENTHESISED, _COMMA):
        match = pattern.match(name.strip())
        if match and _INVERTIBLE_TAIL.search(match["inner"]):
            variants.append(f"{match['inner'].strip()} {match['outer'].strip()}")
    # And back: "Islamic Republic of Iran" -> "Iran (Islamic Republic of)" needs no rule, since
    # the canonical parenthesised names get their inverted key when the index is built.
    return variants


def normalise_key(name: str) -> str:
    """The exact matching key: ``normalise_name`` with "&" read as "and"."""
    return normalise_name((name or "").replace("&", " and "))


def loose_key(key: str) -> str:
    """A looser key from an exact key: no "the" anywhere, "st" read as "saint"."""
    words = [("saint" if w == "st" else w) for w in key.split() if w != "the"]
    return " ".join(words)


_AMBIGUOUS = object()


class _Level:
    """Keys of one trust level; a key claimed by two different targets becomes ambiguous."""

    def __init__(self) -> None:
        self.keys: dict[str, object] = {}

    def add(self, key: str, target: Resolution) -> None:
        if not key:
            return
        current = self.keys.get(key)
        if current is None:
            self.keys[key] = target
        elif current is not _AMBIGUOUS and current != target:
            self.keys[key] = _AMBIGUOUS


class NameResolver:
    """Printed name -> ``Resolution`` (``NameMatch``) or ``None``; all in memory."""

    def __init__(
        self,
        *,
        member_states: Iterable[tuple[int, str, str, str]],
        affiliations: Iterable[tuple[int, str, str, str]],
        aliases: Iterable[tuple[str, int | None, int | None]] = (),
    ) -> None:
        """Build the index from (id, name, official_name, iso3), (id, name, short_name, kind)
        and (normalised, member_state_id, affiliation_id) tuples."""
        self.unresolved: Counter[str] = Counter()
        self._by_state_id: dict[int, Resolution] = {}
        self._by_iso3: dict[str, Resolution] = {}
        self._by_affiliation_id: dict[int, Resolution] = {}
        self._by_affiliation_name: dict[str, Resolution] = {}
        self._cache: dict[str, Resolution | None] = {}

        alias_level, canonical, other_names, builtin = _Level(), _Level(), _Level(), _Level()
        extra_names: list[tuple[str, Resolution]] = []
        for state_id, name, official_name, iso3 in member_states:
            target = Resolution(name=name, kind=MEMBER_STATE, member_state_id=state_id, iso3=iso3)
            self._by_state_id[state_id] = target
            self._by_iso3[iso3.upper()] = target
            canonical.add(normalise_key(name), target)
            extra_names += [(name, target), (official_name, target)]
            if official_name:
                other_names.add(normalise_key(official_name), target)
        for affiliation_id, name, short_name, kind in affiliations:
            target = Resolution(name=name, kind=kind, affiliation_id=affiliation_id)
            self._by_affiliation_id[affiliation_id] = target
            self._by_affiliation_name[normalise_key(name)] = target
            canonical.add(normalise_key(name), target)
            extra_names.append((name, target))
            if short_name:
                other_names.add(normalise_key(short_name), target)
        # Aliases with no target: printed beside a person's name, but not a State or body
        # (decided in the review queue). They resolve to nothing and are not reported.
        self._no_body: set[str] = set()
        for normalised, state_id, affiliation_id in aliases:
            if state_id is None and affiliation_id is None:
                self._no_body.add(normalised)
                continue
            target = (
                self._by_state_id.get(state_id)
                if state_id is not None
                else self._by_affiliation_id.get(affiliation_id)
            )
            if target is not None:
                alias_level.add(normalised, target)
        for printed, (what, ref) in BUILTIN_VARIANTS.items():
            target = (
                self._by_iso3.get(ref)
                if what == "state"
                else self._by_affiliation_name.get(normalise_key(ref))
            )
            if target is not None:
                builtin.add(normalise_key(printed), target)
                extra_names.append((printed, target))
        inverted = _Level()
        for printed, target in extra_names:
            for variant in word_order_variants(printed or ""):
                inverted.add(normalise_key(variant), target)

        self._exact: dict[str, Resolution] = {}
        claimed: set[str] = set()
        for level in (alias_level, canonical, other_names, builtin, inverted):
            for key, target in level.keys.items():
                if key in claimed:
                    continue  # a more trusted level already decided (or refused) this key
                claimed.add(key)
                if target is not _AMBIGUOUS:
                    self._exact[key] = target
        loose = _Level()
        for key, target in self._exact.items():
            loose.add(loose_key(key), target)
        self._loose = {k: t for k, t in loose.keys.items() if t is not _AMBIGUOUS}

    @classmethod
    def load(cls) -> NameResolver:
        """Read member states, affiliations and aliases from the database (one query each)."""
        from archive.models import Affiliation, MemberState, NameAlias

        return cls(
            member_states=MemberState.objects.order_by("pk").values_list(
                "pk", "name", "official_name", "iso3"
            ),
            affiliations=Affiliation.objects.order_by("pk").values_list(
                "pk", "name", "short_name", "kind"
            ),
            aliases=NameAlias.objects.values_list(
                "normalised", "member_state_id", "affiliation_id"
            ),
        )

    def resolve(self, name: str | None, *, record: bool = True) -> Resolution | None:
        """The State or body ``name`` stands for, or ``None`` (counted in ``unresolved``)."""
        if name is None or not name.strip():
            return None
        if name in self._cache:
            result = self._cache[name]
        else:
            result = self._cache[name] = self._lookup(name)
        if result is None and record and not self.known_without_body(name):
            self.unresolved[name.strip()] += 1
        return result

    def known_without_body(self, name: str | None) -> bool:
        """Whether staff marked ``name`` as a person's description with no State or body."""
        return bool(name) and normalise_name(name) in self._no_body

    def resolve_many(
        self, names: Iterable[str], *, record: bool = True
    ) -> dict[str, Resolution | None]:
        """Resolve each distinct name once: {name as given: match or None}."""
        return {name: self.resolve(name, record=record) for name in dict.fromkeys(names)}

    def by_iso3(self, iso3: str) -> Resolution | None:
        """The member state with this ISO 3166 alpha-3 code (former States: SUN, YUG, ...)."""
        return self._by_iso3.get((iso3 or "").strip().upper())

    def by_member_state_id(self, member_state_id: int) -> Resolution | None:
        """The match for a MemberState primary key."""
        return self._by_state_id.get(member_state_id)

    def by_affiliation_id(self, affiliation_id: int) -> Resolution | None:
        """The match for an Affiliation primary key."""
        return self._by_affiliation_id.get(affiliation_id)

    def _lookup(self, name: str) -> Resolution | None:
        keys = [normalise_key(name), normalise_name(name)]
        keys += [normalise_key(v) for v in word_order_variants(name)]
        keys = list(dict.fromkeys(keys))
        if self._no_body and {normalise_key(name), normalise_name(name)} & self._no_body:
            return None  # the curated table says: no State or body, whatever else matches
        for key in keys:
            if key in self._exact:
                return self._exact[key]
        for key in keys:
            target = self._loose.get(loose_key(key))
            if target is not None:
                return target
        return None
