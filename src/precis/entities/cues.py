"""The reporting-verb lexicon of attribution: which words cue a statement, and which
nouns and pronouns a speaker can be.

Hand-listed because news attribution uses a small, stable set of verbs ("said",
"told", "added", "according to"); spaCy's lemmatizer is not used for them so that the
forms are known without parsing (``CUE_FORMS`` holds every inflection).
"""

from __future__ import annotations

_SPEECH_LEMMAS = [
    "say",
    "tell",
    "add",
    "stress",
    "note",
    "argue",
    "warn",
    "claim",
    "insist",
    "state",
    "explain",
    "announce",
    "deny",
    "admit",
    "acknowledge",
    "confirm",
    "maintain",
    "emphasise",
    "emphasize",
    "caution",
    "predict",
    "promise",
    "vow",
    "concede",
    "contend",
    "assert",
    "allege",
    "write",
    "complain",
    "reiterate",
    "declare",
    "reply",
    "suggest",
    "observe",
    "remark",
    "recall",
    "point",
    "report",
    "tweet",
    "testify",
    "counter",
    "respond",
    "conclude",
    "boast",
    "joke",
    "quip",
    "disclose",
    "reveal",
    "underline",
    "underscore",
    "hint",
    "agree",
    "shout",
    "whisper",
    "urge",
]
_IRREGULAR = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "writing", "written"),
    "admit": ("admits", "admitted", "admitting"),
    "shout": ("shouts", "shouted", "shouting"),
}
# Reporting verbs that take a direct quote but rarely a "that" clause of what was said.
_DIRECT_ONLY = frozenset({"ask", "asks", "asked", "asking", "continue", "continued"})

# Subjects that make a reporting verb a non-statement ("nobody would say that …").
NO_ONE = frozenset({"nobody", "none", "noone", "neither"})
# Definite nouns that refer back to the article's organisation ("the company said").
ORG_NOUNS = frozenset(
    [
        "company",
        "firm",
        "airline",
        "carrier",
        "bank",
        "group",
        "utility",
        "operator",
        "ministry",
        "agency",
        "council",
        "government",
        "court",
        "union",
        "club",
        "museum",
        "university",
        "hospital",
        "regulator",
        "maker",
        "manufacturer",
        "board",
        "authority",
        "department",
        "police",
    ]
)


def _inflect(lemma: str) -> tuple[str, ...]:
    if lemma in _IRREGULAR:
        return (lemma, *_IRREGULAR[lemma])
    if lemma.endswith("e"):
        return (lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing")
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return (lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing")
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return (lemma, lemma + "es", lemma + "ed", lemma + "ing")
    return (lemma, lemma + "s", lemma + "ed", lemma + "ing")


CUE_FORMS = frozenset(form for lemma in _SPEECH_LEMMAS for form in _inflect(lemma))
QUOTE_CUES = CUE_FORMS | _DIRECT_ONLY
