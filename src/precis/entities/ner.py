"""Entity mentions from a spaCy ``Doc``: the model's people, organisations and places,
plus hand-written rules where the small English model is weak.

Rules added on top of the model (each cheap and local, so they are easy to reason about):
a capitalised title followed by an untagged proper noun ("Chancellor Merkel") is a person;
a leading "the" and a trailing possessive are cut from a mention; and a definite title
("the chancellor", "the energy minister") refers back to the person most recently
introduced with that title in the same article ("Chancellor Angela Merkel", "Carla
Brandt, the energy minister"). Photo credits ("Ann Lee/AFP/Getty Images") and disease
names ("COVID-19") are never entities. The model has no coreference, and a title lexicon is the
most reliable signal news style offers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from precis.entities.model import EntityType

LABELS: dict[str, EntityType] = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
}

# Job titles news uses to refer back to a named person ("the minister said").
TITLES = frozenset(
    [
        "chancellor",
        "president",
        "minister",
        "premier",
        "senator",
        "congressman",
        "congresswoman",
        "governor",
        "mayor",
        "secretary",
        "ambassador",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chairman",
        "chairwoman",
        "chair",
        "ceo",
        "executive",
        "director",
        "commissioner",
        "judge",
        "general",
        "prosecutor",
        "candidate",
        "leader",
        "coach",
        "manager",
        "economist",
        "analyst",
        "professor",
        "researcher",
        "chief",
        "treasurer",
        "king",
        "queen",
        "pope",
        "archbishop",
        "bishop",
        "sheriff",
        "inspector",
        "superintendent",
        "captain",
        "commander",
        "founder",
        "representative",
        "lawmaker",
        "mp",
        "envoy",
        "negotiator",
    ]
)
# Role words that may open a person span the model found ("Councillor Ben Okafor").
ROLES = TITLES | frozenset(
    [
        "councillor",
        "councilman",
        "councilwoman",
        "doctor",
        "dr",
        "officer",
        "deputy",
        "sergeant",
        "colonel",
        "lieutenant",
        "justice",
        "mr",
        "mrs",
        "ms",
    ]
)
# Words that mark a name as an organisation or place, never a person.
ORG_WORDS = frozenset(
    [
        "inc",
        "corp",
        "corporation",
        "co",
        "ltd",
        "llc",
        "plc",
        "group",
        "bank",
        "airlines",
        "airline",
        "ministry",
        "department",
        "council",
        "university",
        "college",
        "school",
        "association",
        "union",
        "party",
        "authority",
        "service",
        "services",
        "systems",
        "agency",
        "company",
        "court",
        "forum",
        "office",
        "commission",
        "alliance",
        "museum",
        "hospital",
        "mining",
        "motors",
        "capital",
        "bio",
        "institute",
        "foundation",
        "fund",
        "federation",
        "league",
        "club",
        "committee",
        "board",
        "police",
        "army",
        "navy",
        "times",
        "post",
        "news",
        "tribune",
        "courier",
        "herald",
        "journal",
        "radio",
        "tv",
        "network",
        "watch",
        "street",
        "square",
        "river",
        "lake",
        "mountain",
        "park",
        "city",
        "county",
        "province",
        "state",
        "republic",
        "kingdom",
        "airport",
        "port",
        "station",
        "church",
        "cathedral",
    ]
)
# Disease names the small model tags as people, organisations or places ("COVID-19 said",
# "Pfizer's COVID-19"): a mention is cut before the first of them.
DISEASES = frozenset({"covid", "covid-19", "covid19", "coronavirus", "sars-cov-2", "ebola", "mpox"})
# How many tokens before a name may hold its title ("German Finance Minister Carla Brandt").
TITLE_WINDOW = 4


@dataclass(frozen=True, slots=True)
class RawMention:
    """A mention before canonicalisation; offsets relative to the doc's text.

    ``refers`` is the index (in the same list) of the named mention a title mention
    points back to; ``subject`` says whether the mention is a clause subject (used to
    pick the antecedent of "he"/"she").
    """

    start: int
    end: int
    surface: str
    type: EntityType
    token: int
    subject: bool
    refers: int | None = None


def mentions(doc: Any) -> list[RawMention]:
    """Named mentions (model + title rule), then title mentions referring back to them."""
    named = sorted([*_model_mentions(doc), *_titled_names(doc)], key=lambda m: (m.start, -m.end))
    named = _drop_overlaps(named)
    named = sorted([*named, *_surname_mentions(doc, named)], key=lambda m: m.start)
    return [*named, *_title_mentions(doc, named)]


def _model_mentions(doc: Any) -> Iterator[RawMention]:
    for ent in doc.ents:
        kind = LABELS.get(ent.label_)
        if kind is None:
            continue
        if "/" in ent.text:
            continue  # photo credits and bylines: "Ann Lee/AFP/Getty Images", "CBS/AP"
        tokens = [t for t in ent if not t.is_punct and t.text not in {"'s", "’s"}]
        disease = next((n for n, t in enumerate(tokens) if t.lower_ in DISEASES), None)
        if disease is not None:
            tokens = tokens[:disease]
        if tokens and tokens[0].lower_ == "the" and len(tokens) > 1:
            tokens = tokens[1:]
        if kind != "person" and _person_like(tokens):
            kind = "person"
        while kind == "person" and len(tokens) > 2 and tokens[0].lower_ in ROLES:
            tokens = tokens[1:]  # "Councillor Ben Okafor" -> "Ben Okafor"
        if not tokens or not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in tokens):
            continue
        yield _raw(doc, tokens[0].i, tokens[-1].i + 1, kind)


def _person_like(tokens: list[Any]) -> bool:
    """A name the model called an organisation or place but the grammar marks as a person:
    two or three capitalised proper nouns, no organisation word, right after or in
    apposition to a common noun naming a role ("union leader Ines Cabral",
    "her co-author, Paul Dufresne")."""
    if not 2 <= len(tokens) <= 3 or any(
        t.pos_ != "PROPN" or not t.text[:1].isupper() or t.lower_ in ORG_WORDS for t in tokens
    ):
        return False
    root = max(tokens, key=lambda t: t.i)
    before = tokens[0].nbor(-1) if tokens[0].i > 0 else None
    role_before = before is not None and before.pos_ == "NOUN" and before.lower_ not in ORG_WORDS
    role_appos = (
        root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.lower_ not in ORG_WORDS
    )
    return role_before or role_appos


def _titled_names(doc: Any) -> Iterator[RawMention]:
    """ "Chancellor Merkel" where the model tagged nothing: a title, then proper nouns."""
    tagged = {t.i for ent in doc.ents for t in ent}
    for token in doc:
        if token.lower_ not in TITLES or not token.text[:1].isupper():
            continue
        end = token.i + 1
        while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper():
            end += 1
        span = range(token.i + 1, end)
        if span and not any(i in tagged for i in span):
            yield _raw(doc, token.i + 1, end, "person")


def _surname_mentions(doc: Any, named: list[RawMention]) -> Iterator[RawMention]:
    """Repeated surnames the model missed ("Merkel stressed …" after "Angela Merkel")."""
    surnames = {
        m.surface.split()[-1] for m in named if m.type == "person" and " " in m.surface.strip()
    }
    covered = {i for m in named for i in range(_token_at(doc, m.start), m.token + 1)}
    for token in doc:
        if token.text in surnames and token.i not in covered and token.pos_ == "PROPN":
            yield _raw(doc, token.i, token.i + 1, "person")


def _raw(doc: Any, start: int, end: int, kind: EntityType) -> RawMention:
    span = doc[start:end]
    root = span.root
    subject = root.dep_ in {"nsubj", "nsubjpass"} or (
        root.dep_ == "appos" and root.head.dep_ in {"nsubj", "nsubjpass"}
    )
    return RawMention(span.start_char, span.end_char, span.text, kind, root.i, subject)


def _drop_overlaps(ordered: list[RawMention]) -> list[RawMention]:
    kept: list[RawMention] = []
    for mention in ordered:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _title_mentions(doc: Any, named: list[RawMention]) -> Iterator[RawMention]:
    """ "the chancellor" -> the person most recently introduced as chancellor."""
    introduced = _introductions(doc, named)
    if not introduced:
        return
    covered = {i for m in named for i in range(_token_at(doc, m.start), m.token + 1)}
    for token in doc:
        title = token.lower_
        if title not in TITLES or token.i in covered or token.tag_ in {"NNS", "NNPS"}:
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].pos_ == "PROPN":
            continue  # a title before a name, not a reference back
        det = next((c for c in token.children if c.dep_ == "det"), None)
        if det is None or det.lower_ not in {"the", "this"} or det.i > token.i:
            continue
        earlier = [(pos, idx) for pos, idx in introduced.get(title, []) if pos < token.i]
        if not earlier:
            continue
        target = named[max(earlier)[1]]
        span = doc[det.i : token.i + 1]
        subject = token.dep_ in {"nsubj", "nsubjpass"}
        yield RawMention(
            span.start_char,
            span.end_char,
            span.text,
            "person",
            token.i,
            subject,
            refers=named.index(target),
        )


def _introductions(doc: Any, named: list[RawMention]) -> dict[str, list[tuple[int, int]]]:
    """title -> [(token position, index of the person introduced with it)]."""
    found: dict[str, list[tuple[int, int]]] = {}
    for index, mention in enumerate(named):
        if mention.type != "person":
            continue
        first = _token_at(doc, mention.start)
        for title in _titles_of(doc, first, mention.token):
            found.setdefault(title, []).append((mention.token, index))
    return found


def _titles_of(doc: Any, first: int, root: int) -> set[str]:
    titles = {
        doc[i].lower_ for i in range(max(0, first - TITLE_WINDOW), first) if doc[i].lower_ in TITLES
    }
    head = doc[root]
    for child in head.children:  # "Carla Brandt, the energy minister,"
        if child.dep_ == "appos" and child.lower_ in TITLES:
            titles.add(child.lower_)
    if head.dep_ == "appos" and head.head.lower_ in TITLES:  # "the minister, Carla Brandt"
        titles.add(head.head.lower_)
    return titles


def _token_at(doc: Any, char: int) -> int:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return int(span.start) if span is not None else 0
