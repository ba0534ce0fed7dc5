"""Attributed statements: direct quotes and reported speech, each with a speaker.

Hand-written rules over quotation marks and spaCy's dependency parse. No trained
attribution model runs offline in this project, and news attribution is formulaic enough
("…," she said / X said that … / according to X, …) that rules reach high precision and
stay explainable: every statement can say which cue verb and which subject it came from.

1. ``quotemarks.find_quotes`` finds the balanced quotation-mark pairs of the raw text.
2. Each direct quote looks for a cue in the text outside quotes of its sentence(s): a
   reporting verb right after it ("…," X said / said X) or right before it (X said: "…"),
   or "according to X". The speaker is the verb's subject (or the object of "according to").
   A quote with no cue of its own continues the previous statement's speaker when it
   opens a sentence soon after it (the news convention for runs of quotes).
3. Reported speech: a reporting verb (not negated, not inside a quote) with a clausal
   complement ("X said that …", "…, X said.") or "according to X, …" gives a paraphrase;
   its text is the complement clause. Clauses that are mostly a direct quote are left to
   step 2, and short quoted phrases inside a clause stay part of the paraphrase.
4. Speakers resolve to entity mentions: named mentions and title mentions ("the
   minister") directly, "he"/"she" to the latest person who was a clause subject before
   them, "it" to the latest organisation; anything else keeps its noun phrase.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from precis.entities.cues import CUE_FORMS, NO_ONE, ORG_NOUNS, QUOTE_CUES
from precis.entities.model import EntityType, Statement
from precis.entities.quotemarks import QuoteSpan, find_quotes

# A quote with no cue needs at least this many words to count as a statement
# (shorter ones are titles, nicknames and scare quotes).
MIN_UNATTRIBUTED_WORDS = 6
# How far (characters) a cue-less quote may start after the previous statement to inherit
# its speaker: about two short paragraphs.
CARRY_CHARS = 400
# How many tokens may separate a quote from a cue after it ("…," the minister for X said).
AFTER_WINDOW = 12
_WORD = re.compile(r"\w+")
# Subjects of a relative clause ("Biden, who replied …"): the speaker is the noun the
# clause hangs on, never the pronoun itself.
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})
# First- and second-person subjects of reported speech outside a quote pair: the speaker is
# whoever is being quoted (an unclosed quote) or the author, never a name a reader can use.
PERSONAL_PRONOUNS = frozenset({"i", "we", "you"})


@dataclass(frozen=True, slots=True)
class Known:
    """A resolved entity mention, in the same coordinates as the text given to ``extract``."""

    start: int
    end: int
    name: str
    type: EntityType
    subject: bool


def extract(doc: Any, known: Sequence[Known], offset: int = 0) -> list[Statement]:
    """Statements in ``doc`` (a parsed chunk of an article that starts at ``offset``).

    ``known`` holds the article's resolved entity mentions in article coordinates; the
    statements returned are in article coordinates too.
    """
    text = doc.text  # Doc.text joins every token: read it once
    quotes = find_quotes(text)
    inside = _quoted_tokens(doc, quotes)
    starts = [m.start for m in known]
    context = _Context(doc, text, known, starts, offset, inside, [q.open for q in quotes])
    direct = [s for q in quotes if (s := _direct(context, q)) is not None]
    reported = list(_reported(context, quotes))
    merged = _merge(direct, reported)
    return _carry_over(merged)


@dataclass(frozen=True, slots=True)
class _Draft:
    statement: Statement
    opens_sentence: bool


@dataclass(slots=True)
class _Context:
    doc: Any
    text: str
    known: Sequence[Known]  # sorted by start
    starts: list[int]
    offset: int
    inside: set[int]
    quote_opens: list[int]  # sorted

    def mention_at(self, token: Any) -> Known | None:
        char = token.idx + self.offset
        index = bisect.bisect_right(self.starts, char) - 1
        if index >= 0 and self.known[index].start <= char < self.known[index].end:
            return self.known[index]
        return None

    def before(self, char: int) -> Sequence[Known]:
        """Mentions ending at or before ``char`` (article coordinates), in order."""
        index = bisect.bisect_left(self.starts, char)
        return [m for m in self.known[:index] if m.end <= char]

    def quotes_near(self, quotes: Sequence[QuoteSpan], start: int, end: int) -> Sequence[QuoteSpan]:
        return quotes[
            bisect.bisect_left(self.quote_opens, start - 2) : bisect.bisect_right(
                self.quote_opens, end
            )
        ]


def _quoted_tokens(doc: Any, quotes: Sequence[QuoteSpan]) -> set[int]:
    tokens: set[int] = set()
    for quote in quotes:
        span = doc.char_span(quote.open, quote.close + 1, alignment_mode="expand")
        if span is not None:
            tokens.update(range(span.start, span.end))
    return tokens


def _direct(context: _Context, quote: QuoteSpan) -> _Draft | None:
    doc = context.doc
    span = doc.char_span(quote.open, quote.close + 1, alignment_mode="expand")
    if span is None:
        return None
    first, last = span.start, span.end - 1
    sent_start = doc[first].sent.start
    sent_end = doc[last].sent.end
    opens_sentence = all(
        doc[i].is_punct or doc[i].is_space for i in range(sent_start, first)
    ) or _starts_paragraph(context.text, quote.open)
    cue = _cue_for_quote(context, first, last, sent_start, sent_end)
    words = len(_WORD.findall(context.text, quote.start, quote.end))
    if cue is None:
        if words < MIN_UNATTRIBUTED_WORDS and not opens_sentence:
            return None
        statement = _statement(context, quote.start, quote.end, None, None, direct=True)
        return _Draft(statement, opens_sentence)
    cue_text, speaker_token = cue
    return _Draft(
        _statement(context, quote.start, quote.end, cue_text, speaker_token, direct=True), False
    )


def _starts_paragraph(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t")
    return not before or before.endswith("\n")


def _cue_for_quote(
    context: _Context, first: int, last: int, sent_start: int, sent_end: int
) -> tuple[str, Any] | None:
    doc = context.doc
    best: tuple[int, str, Any] | None = None
    for i in range(sent_start, sent_end):
        if i in context.inside:
            continue
        token = doc[i]
        found = _cue_here(token)
        if found is None:
            continue
        if i > last:
            distance = i - last
            if distance > AFTER_WINDOW or not _adjacent_after(doc, last, token, found[1]):
                continue
        else:
            gap = range(i + 1, first)
            if any(not _bridge(doc[j]) for j in gap if j not in context.inside):
                continue
            distance = first - i + 1
        if best is None or distance < best[0]:
            best = (distance, found[0], found[1])
    return None if best is None else (best[1], best[2])


def _cue_here(token: Any) -> tuple[str, Any] | None:
    """(cue text, speaker token or None) when ``token`` is a reporting cue."""
    if token.lower_ == "according" and token.i + 1 < len(token.doc):
        to = token.doc[token.i + 1]
        if to.lower_ == "to":
            obj = next((c for c in to.children if c.dep_ == "pobj"), None)
            return f"{token.text} {to.text}", obj
    if token.lower_ in QUOTE_CUES and token.pos_ in {"VERB", "AUX"} and not _negated(token):
        return token.text, _subject(token)
    return None


def _bridge(token: Any) -> bool:
    """Tokens allowed between a cue and the quote after it: "said: …", "said that …"."""
    return token.is_punct or token.is_space or token.lower_ in {"that", "simply", "only"}


def _adjacent_after(doc: Any, last: int, cue: Any, speaker: Any) -> bool:
    """Only the cue's own subject, auxiliaries, adverbs and punctuation lie between the
    quote and a cue after it ("…," the minister for energy said), never another clause."""
    allowed = {t.i for t in speaker.subtree} if speaker is not None else set()
    allowed.update(c.i for c in cue.children if c.dep_ in {"aux", "advmod", "punct", "neg"})
    if cue.lower_ == "according":
        allowed.add(cue.i + 1)
    return all(doc[j].is_punct or doc[j].is_space or j in allowed for j in range(last + 1, cue.i))


def _negated(token: Any) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def _subject(verb: Any, depth: int = 0) -> Any:
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    for child in verb.rights:  # "…," said the minister
        if child.dep_ in {"dobj", "attr", "npadvmod", "oprd", "appos"} and child.pos_ in {
            "PROPN",
            "NOUN",
        }:
            return child
    if verb.dep_ in {"conj", "advcl", "xcomp", "pcomp"} and verb.head is not verb:
        for ancestor in verb.ancestors:  # ", adding that …" belongs to the reporting verb
            if ancestor.lower_ in CUE_FORMS and ancestor.pos_ in {"VERB", "AUX"}:
                return _subject(ancestor, depth + 1) if depth < 2 else None
        if depth < 2:
            return _subject(verb.head, depth + 1)
    return None


def _statement(
    context: _Context,
    start: int,
    end: int,
    cue: str | None,
    speaker_token: Any,
    *,
    direct: bool,
) -> Statement:
    speaker, kind = _speaker(context, speaker_token)
    offset = context.offset
    return Statement(
        speaker, kind, cue, context.text[start:end], start + offset, end + offset, direct
    )


def _speaker(context: _Context, token: Any) -> tuple[str | None, EntityType | None]:
    if token is None:
        return None, None
    if token.lower_ in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
        token = token.head.head  # "activists, who say …": the speaker is "activists"
    for candidate in (token, *[c for c in token.children if c.dep_ in {"appos", "compound"}]):
        mention = context.mention_at(candidate)
        if mention is not None:
            return mention.name, mention.type
    lower = token.lower_
    if lower in {"he", "she", "him", "her"}:
        return _antecedent(context, token, "person")
    if lower == "it" or (lower in ORG_NOUNS and _definite(token)):
        return _antecedent(context, token, "org", "" if lower == "it" else lower)
    return _noun_phrase(token), None


def _definite(token: Any) -> bool:
    return any(c.dep_ == "det" and c.lower_ in {"the", "its"} for c in token.children) and not any(
        c.dep_ in {"prep", "compound", "amod", "poss"} for c in token.children
    )


def _antecedent(
    context: _Context, token: Any, kind: EntityType, noun: str = ""
) -> tuple[str | None, EntityType | None]:
    """The latest earlier mention of ``kind`` (for people, the latest clause subject;
    for "the bank", the latest organisation with "bank" in its name, if any)."""
    char = token.idx + context.offset
    earlier = [m for m in context.before(char) if m.type == kind]
    named = [m for m in earlier if noun and noun in m.name.lower().split()]
    earlier = named or earlier
    subjects = [m for m in earlier if m.subject] if kind == "person" else []
    chosen = (subjects or earlier)[-1:] if earlier else []
    if not chosen:
        return _noun_phrase(token), None
    return chosen[0].name, chosen[0].type


def _noun_phrase(token: Any) -> str:
    """The subject's words, without relative clauses or appositions."""
    doc = token.doc
    start = token.left_edge.i
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in {"prep", "compound", "amod", "nummod"}:
            end = max(end, child.right_edge.i + 1)
        else:
            break
    return str(doc[start:end].text)


def _reported(context: _Context, quotes: Sequence[QuoteSpan]) -> Iterator[_Draft]:
    doc = context.doc
    for token in doc:
        if token.i in context.inside:
            continue
        if token.lower_ == "according":
            draft = _according(context, token, quotes)
        elif token.lower_ in CUE_FORMS and token.pos_ in {"VERB", "AUX"}:
            draft = _reporting_verb(context, token, quotes)
        else:
            continue
        if draft is not None:
            yield draft


def _reporting_verb(context: _Context, verb: Any, quotes: Sequence[QuoteSpan]) -> _Draft | None:
    if _negated(verb):
        return None
    speaker = _subject(verb)
    if speaker is None or speaker.lower_ in NO_ONE or speaker.lower_ in PERSONAL_PRONOUNS:
        return None
    doc = context.doc
    clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if clause is not None:
        if any(c.dep_ == "mark" and c.lower_ in {"whether", "if"} for c in clause.children):
            return None  # "would not say whether …": a question, not a statement
        first, last = clause.left_edge.i, _cut_at_next_cue(doc, clause)
    elif (
        verb.dep_ in {"parataxis", "ccomp"}
        and verb.head.i < verb.i
        and verb.left_edge.i > verb.sent.start
        and doc[verb.left_edge.i - 1].text in {",", "—", "–"}
    ):
        first, last = verb.sent.start, verb.left_edge.i - 1  # "Prices will rise, X said."
    else:
        return None
    return _paraphrase(context, first, last, verb.text, speaker, quotes)


def _cut_at_next_cue(doc: Any, clause: Any) -> int:
    """End of a reported clause, stopping before ", adding that …" (its own statement)."""
    for token in clause.subtree:
        if (
            token.i > clause.i
            and token.lower_ in CUE_FORMS
            and token.dep_ in {"advcl", "conj"}
            and doc[token.left_edge.i - 1].text == ","
        ):
            return int(token.left_edge.i) - 2
    return int(clause.right_edge.i)


def _according(context: _Context, token: Any, quotes: Sequence[QuoteSpan]) -> _Draft | None:
    doc = context.doc
    if token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
        return None
    to = doc[token.i + 1]
    speaker = next((c for c in to.children if c.dep_ == "pobj"), None)
    if speaker is None:
        return None
    sent = token.sent
    phrase_start, phrase_end = token.i, max(to.right_edge.i, speaker.right_edge.i)
    if phrase_start <= sent.start + 1:
        first, last = phrase_end + 1, sent.end - 1
    else:
        first, last = sent.start, phrase_start - 1
    return _paraphrase(context, first, last, f"{token.text} {to.text}", speaker, quotes)


def _paraphrase(
    context: _Context,
    first: int,
    last: int,
    cue: str,
    speaker: Any,
    quotes: Sequence[QuoteSpan],
) -> _Draft | None:
    doc = context.doc
    while first <= last and (
        doc[first].is_punct or doc[first].is_space or doc[first].lower_ == "that"
    ):
        first += 1
    while (
        last >= first
        and (doc[last].is_punct or doc[last].is_space)
        and not _closes_quote(doc[last])
    ):
        last -= 1
    if last - first < 1:
        return None
    start, end = doc[first].idx, doc[last].idx + len(doc[last])
    if any(_leads_clause(doc, q, start, end) for q in context.quotes_near(quotes, start, end)):
        return None  # the clause is a direct quote ("X said "…""): step 2 reports it
    return _Draft(_statement(context, start, end, cue, speaker, direct=False), False)


def _leads_clause(doc: Any, quote: QuoteSpan, start: int, end: int) -> bool:
    """The quote opens the clause and fills at least half of it."""
    if not (quote.open <= start + 1 and quote.open >= start - 2):
        return False
    covered = min(end, quote.close + 1) - max(start, quote.open)
    return covered * 2 >= end - start


def _closes_quote(token: Any) -> bool:
    return token.text in {"”", '"', "»"}


def _merge(direct: list[_Draft], reported: list[_Draft]) -> list[_Draft]:
    """Direct quotes win; a short cue-less quote inside a paraphrase belongs to it."""
    kept_direct = [
        d for d in direct if d.statement.cue is not None or not any(_within(d, r) for r in reported)
    ]
    kept_reported = [r for r in reported if not any(_overlap(r, d) for d in kept_direct)]
    merged = sorted([*kept_direct, *kept_reported], key=lambda d: d.statement.start)
    unique: list[_Draft] = []
    for draft in merged:
        if unique and _overlap(unique[-1], draft):
            continue
        unique.append(draft)
    return unique


def _within(inner: _Draft, outer: _Draft) -> bool:
    a, b = inner.statement, outer.statement
    return b.start <= a.start and a.end <= b.end + 1


def _overlap(a: _Draft, b: _Draft) -> bool:
    x, y = a.statement, b.statement
    return x.start < y.end and y.start < x.end


def _carry_over(drafts: list[_Draft]) -> list[Statement]:
    """A cue-less quote opening a sentence just after a statement continues its speaker."""
    out: list[Statement] = []
    for draft in drafts:
        statement = draft.statement
        if statement.cue is None and statement.direct:
            previous = out[-1] if out else None
            if (
                draft.opens_sentence
                and previous is not None
                and previous.speaker is not None
                and statement.start - previous.end <= CARRY_CHARS
            ):
                statement = Statement(
                    previous.speaker,
                    previous.speaker_type,
                    None,
                    statement.text,
                    statement.start,
                    statement.end,
                    True,
                )
            elif len(_WORD.findall(statement.text)) < MIN_UNATTRIBUTED_WORDS:
                continue
        out.append(statement)
    return out
