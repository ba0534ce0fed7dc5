"""Canonical entity names: one name per entity within an article and across articles.

Hand-written rules, because the small spaCy model only finds mentions and never links
them: a bare surname ("Merkel") joins the one full name in the article that ends with it,
an acronym ("ECB") joins the organisation whose initials it spells, known aliases
("U.S.", "America") map to one name ("United States"), and honorifics, a leading "the"
and possessives are dropped. Across articles the store joins a bare surname to the one
stored full name ending with it (``link_surname``). Rules are predictable and cheap; a
statistical linker would need a knowledge base this project does not ship.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from precis.entities.model import EntityType

# Country and institution aliases common in English-language news; extend as needed.
ALIASES: dict[str, str] = {
    "u.s.": "United States",
    "us": "United States",
    "u.s.a.": "United States",
    "usa": "United States",
    "america": "United States",
    "united states of america": "United States",
    "the united states": "United States",
    "u.k.": "United Kingdom",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "eu": "European Union",
    "e.u.": "European Union",
    "u.n.": "United Nations",
    "un": "United Nations",
    "nato": "NATO",
    "uae": "United Arab Emirates",
}
# Aliases whose canonical form is a place (the rest are organisations).
PLACE_ALIASES = frozenset({"United States", "United Kingdom", "United Arab Emirates"})

HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "rev", "gen"}
)
# Words skipped when spelling an acronym from a name ("Bank of England" -> "BoE", "BE").
_ACRONYM_SKIP = frozenset({"of", "the", "for", "and", "de", "du", "&"})
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_SPACES = re.compile(r"\s+")
# Across articles a bare surname shared by several stored people joins the one mentioned at
# least this many times as often as all the others together: news says "Biden" for the
# president, not for the first lady, but a near tie ("Anna Holm", "Erik Holm") stays apart.
SURNAME_DOMINANCE = 10


def clean(surface: str, kind: EntityType) -> str:
    """The mention's name without line breaks, possessive, leading article or honorific."""
    name = _SPACES.sub(" ", surface).strip(" ,.;:-—–\"“”'‘’()")
    if surface.rstrip().endswith(".") and _looks_abbreviated(name + "."):
        name += "."  # keep the dot of "U.S." / "Corp."
    name = _POSSESSIVE.sub("", name)
    words = name.split(" ")
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if kind == "person" and len(words) > 1 and words[0].lower().rstrip(".") in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def _looks_abbreviated(name: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.){2,}|[A-Z][a-z]{1,3}\.", name.split(" ")[-1]))


def alias(name: str) -> str | None:
    return ALIASES.get(name.lower())


def acronym(name: str) -> str:
    """Initials of the capitalised words: "European Central Bank" -> "ECB"."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in _ACRONYM_SKIP]
    return "".join(w[0] for w in words if w[:1].isupper())


def is_acronym(name: str) -> bool:
    bare = name.replace(".", "")
    return 2 <= len(bare) <= 6 and bare.isupper() and bare.isalpha()


@dataclass(frozen=True, slots=True)
class Named:
    """A cleaned mention name with its (possibly corrected) type."""

    name: str
    type: EntityType


def resolve(mentions: Sequence[Named]) -> list[Named]:
    """Canonical name and type for each mention of one article, in the same order.

    Steps: aliases; surnames and first names join the unique full personal name carrying
    them (whatever type the model gave the short mention, since the small model often
    tags a lone surname as ORG or GPE); acronyms join the unique organisation they spell;
    finally each name takes the type most of its mentions have.
    """
    named = [_aliased(m) for m in mentions]
    full_people = {m.name for m in named if m.type == "person" and " " in m.name}
    orgs = {m.name for m in named if m.type == "org" and " " in m.name}
    linked = [_link(m, full_people, orgs) for m in named]
    return _majority_types(linked)


def _aliased(mention: Named) -> Named:
    canonical = alias(mention.name)
    if canonical is None:
        return mention
    return Named(canonical, "place" if canonical in PLACE_ALIASES else "org")


def _link(mention: Named, full_people: set[str], orgs: set[str]) -> Named:
    if " " not in mention.name:
        person = _unique(p for p in full_people if _carries(p, mention.name))
        if person is not None:
            return Named(person, "person")
    if mention.type == "person" and " " in mention.name:
        longer = _unique(p for p in full_people if p != mention.name and _extends(p, mention.name))
        if longer is not None:
            return Named(longer, "person")
    if is_acronym(mention.name):
        bare = mention.name.replace(".", "")
        org = _unique(o for o in orgs if acronym(o) == bare)
        if org is not None:
            return Named(org, "org")
    return mention


def _carries(full: str, short: str) -> bool:
    words = full.split(" ")
    return short in (words[-1], words[0])


def _extends(longer: str, shorter: str) -> bool:
    """ "Angela Dorothea Merkel" extends "Angela Merkel"; "Carla Brandt-Weiss" not "Carla"."""
    long_words, short_words = longer.split(" "), shorter.split(" ")
    return (
        long_words[0] == short_words[0]
        and long_words[-1] == short_words[-1]
        and len(long_words) > len(short_words)
    )


def _unique(candidates: Iterable[str]) -> str | None:
    found = set(candidates)
    return found.pop() if len(found) == 1 else None


def _majority_types(named: list[Named]) -> list[Named]:
    votes: dict[str, dict[EntityType, int]] = {}
    for m in named:
        votes.setdefault(m.name, {}).setdefault(m.type, 0)
        votes[m.name][m.type] += 1
    best = {
        name: max(counts, key=lambda k: (counts[k], k == "person"))
        for name, counts in votes.items()
    }
    return [Named(m.name, best[m.name]) for m in named]


def link_surname(name: str, kind: EntityType, known: Mapping[str, int] | Iterable[str]) -> str:
    """Across articles: a bare surname joins the known full name ending with it.

    ``known`` maps stored names to their mention counts (a plain list counts each once).
    Spellings of one person ("Donald J. Trump", "Donald Trump") count as one candidate;
    among several people sharing the surname ("Joe Biden", "Jill Biden") the surname joins
    the one mentioned ``SURNAME_DOMINANCE`` times as often as all the others together,
    else it stays as it is.
    """
    if kind != "person" or " " in name:
        return name
    counts = known if isinstance(known, Mapping) else dict.fromkeys(known, 1)
    full = {k: n for k, n in counts.items() if " " in k and k.split(" ")[-1] == name}
    people: dict[str, int] = {}
    for candidate in sorted(full, key=lambda k: len(k.split(" "))):
        shorter = next((p for p in people if _extends(candidate, p)), None)
        key = shorter if shorter is not None else candidate
        people[key] = people.get(key, 0) + full[candidate]
    if not people:
        return name
    best = max(people, key=lambda k: (people[k], k))
    others = sum(n for k, n in people.items() if k != best)
    if len(people) == 1:
        return best
    dominant = people[best] >= SURNAME_DOMINANCE * others and people[best] > others
    return best if dominant else name


def link_variant(name: str, kind: EntityType, known: Iterable[str]) -> str:
    """Across articles: "Donald J. Trump" joins a stored "Donald Trump" (same first and
    last word, fewer words), the shortest such name."""
    if kind != "person" or len(name.split(" ")) < 3:
        return name
    shorter = [k for k in known if _extends(name, k) and " " in k]
    return min(shorter, key=lambda k: (len(k), k)) if shorter else name


def normalise_speaker(name: str) -> str:
    """For comparing speakers: case-folded, no leading article or possessive."""
    words = _POSSESSIVE.sub("", name.strip()).casefold().split()
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)
