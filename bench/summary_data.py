"""News with reference summaries for the summary benchmarks: SummEval, BBC News Summary,
the Newsroom human-evaluation sample, and any further CNN/DM-like single-document set.

The three named sets are read from ../shared/data (see each set's README for its format);
a missing set raises ``MissingData`` so the runner skips with a clear message.

Further sets (the kept-back CNN/DM set, or any file given with ``--extra``) are JSON
lines, plain or gzipped, one article per record, read by one generic loader: the
article is the first of ``ARTICLE_FIELDS`` a record has, the reference the first of
``REFERENCE_FIELDS`` (a list of strings is a list of sentences; a string with line
breaks, like CNN/DM's ``highlights``, is one or more sentences per line), with an
optional title and id, and SummEval's ``ref_summs`` and ``sys_summs`` when present. They are found in ``--extra`` paths and in every ``*.jsonl``
/ ``*.jsonl.gz`` file under ../shared/data that no named loader reads
(``KNOWN_FILES``), grouped by folder.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeGuard

from bench.common import SHARED_DATA, shared
from precis.text.sentences import split_sentences

BBC_DOCUMENTS = 500  # the "first 500, duplicates removed"
QUICK_DOCUMENTS = 40  # --quick: a smoke run, not a measurement
# BBC quirk (README): reference sentences are glued without a space after the stop.
_BBC_SUMMARY_SPLIT = re.compile(r"(?<=[.!?])(?=[A-Z\"'])")
_NOT_WORD = re.compile(r"[^\w]+")

# Field names of the generic loader, in order of preference: CNN/DM's own (``article``,
# ``highlights``), SummEval/BARTScore's (``src``, ``ref_summ``), Hugging Face's and XSum's
# (``document``, ``summary``), and the other common spellings.
ARTICLE_FIELDS = ("src", "article", "text", "document", "story")
REFERENCE_FIELDS = ("ref_summ", "highlights", "summary", "reference", "abstractive_summary")
TITLE_FIELDS = ("title", "headline")
ID_FIELDS = ("id", "doc_id")
# Read when present, as in SummEval's (BARTScore's) records: every reference, and the
# systems' own summaries, scored beside precis's.
REFERENCES_FIELD = "ref_summs"
SYSTEMS_FIELD = "sys_summs"
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
# The JSON-lines files of ../shared/data that a named loader (or another benchmark)
# reads; every other one is a candidate further summary set.
KNOWN_FILES = frozenset(
    {
        "summeval/summeval.jsonl.gz",
        "bbc-news-summary/bbc_news_summary.jsonl.gz",
        "newsroom-human-eval/newsroom-human-eval.jsonl.gz",
        "neus-allsides/neus_roundup.jsonl.gz",
        "neus-allsides/allsides_raw_crawled_headline_11_2021-10-19.jsonl.gz",
        "ecb-plus/ecbplus_docs.jsonl.gz",
    }
)
# The folders of ../shared/data that hold the named sets (and the extraction data): a
# known folder without further JSON-lines files is passed over without a message.
KNOWN_FOLDERS = frozenset(
    {
        "summeval",
        "bbc-news-summary",
        "newsroom-human-eval",
        "neus-allsides",
        "ecb-plus",
        "dragnet",
        "trafilatura-eval",
        "article-extraction-benchmark",
    }
)
NAMED_SETS = ("summeval", "bbc", "newsroom")  # the sets with a loader of their own
_BULLET = re.compile(r"^\s*[-*\u2022\u00b7]\s+")  # "- ", "* ", "• " before a highlight


@dataclass(frozen=True, slots=True)
class Item:
    """One article with its reference summary (as sentences)."""

    id: str
    title: str
    text: str
    reference: tuple[str, ...]
    systems: dict[str, str] = field(default_factory=dict)
    # Every reference the set has (SummEval: the original highlights plus 10 crowd-written
    # summaries), each as sentences; ``reference`` is the first of them.
    references: tuple[tuple[str, ...], ...] = ()


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file, gzipped (``.gz``) or plain."""
    with _open(path) as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _sentences(text: str) -> tuple[str, ...]:
    return tuple(text[s.start : s.end] for s in split_sentences(text))


def summeval(limit: int | None = None) -> list[Item]:
    """The 100 SummEval CNN/DM articles: ``src`` (no title, one paragraph), ``ref_summ``
    and all 11 ``ref_summs``, with the 16 systems' summaries (``generic`` reads them)."""
    return generic([shared("summeval", "summeval.jsonl.gz")], limit)


def newsroom(limit: int | None = None) -> list[Item]:
    """The 60 Newsroom human-evaluation articles (38 publishers; tokenised, no title, one
    paragraph) with their reference summaries; not used to choose precis's weights."""
    return generic([shared("newsroom-human-eval", "newsroom-human-eval.jsonl.gz")], limit)


def _dedup_key(title: str, article: str) -> str:
    return _NOT_WORD.sub(" ", f"{title} {article}".casefold()).strip()


def bbc(limit: int | None = None) -> list[Item]:
    """The first ``BBC_DOCUMENTS`` BBC articles after removing duplicates (title + body
    equal after lower-casing and dropping punctuation; the first copy is kept)."""
    wanted = BBC_DOCUMENTS if limit is None else min(limit, BBC_DOCUMENTS)
    seen: set[str] = set()
    items: list[Item] = []
    for record in _lines(shared("bbc-news-summary", "bbc_news_summary.jsonl.gz")):
        key = _dedup_key(record["title"], record["article"])
        if key in seen:
            continue
        seen.add(key)
        summary = tuple(s.strip() for s in _BBC_SUMMARY_SPLIT.split(record["summary"]) if s.strip())
        items.append(
            Item(record["id"], record["title"], record["article"], summary, references=(summary,))
        )
        if len(items) >= wanted:
            break
    return items


@dataclass(frozen=True, slots=True)
class Fields:
    """Which fields of a generic set's record hold what."""

    article: str
    reference: str
    title: str | None = None
    id: str | None = None


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and any(_text(v) for v in value)


def fields_of(record: Any) -> Fields | None:
    """The generic loader's fields in ``record``, or None without an article (a
    non-empty string) and a reference (a non-empty string or list of strings)."""
    if not isinstance(record, dict):
        return None
    article = next((f for f in ARTICLE_FIELDS if _text(record.get(f))), None)
    reference = next(
        (f for f in REFERENCE_FIELDS if _text(record.get(f)) or _strings(record.get(f))), None
    )
    if article is None or reference is None:
        return None
    title = next((f for f in TITLE_FIELDS if isinstance(record.get(f), str)), None)
    key = next((f for f in ID_FIELDS if isinstance(record.get(f), str | int)), None)
    return Fields(article, reference, title, key)


def reference_sentences(value: str | list[str]) -> tuple[str, ...]:
    """A reference as sentences: a list's strings each one sentence; a string's lines
    (a bullet mark dropped) each split into sentences, so bullets without a full stop
    (CNN/DM ``highlights``) stay apart."""
    if isinstance(value, list):
        return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())
    lines = (_BULLET.sub("", line).strip() for line in value.splitlines())
    return tuple(s for line in lines if line for s in _sentences(line))


def generic(files: Sequence[Path], limit: int | None = None) -> list[Item]:
    """Every record of ``files`` with an article and a reference (``fields_of``, per
    record), in file order, at most ``limit``."""
    items: list[Item] = []
    for path in files:
        for number, record in enumerate(_lines(path), start=1):
            if limit is not None and len(items) >= limit:
                return items
            item = _generic_item(record, f"{path.name}:{number}")
            if item is not None:
                items.append(item)
    return items


def _generic_item(record: Any, line_id: str) -> Item | None:
    found = fields_of(record)
    if found is None:
        return None
    reference = record[found.reference]
    sentences = reference_sentences(reference)
    title = record.get(found.title) if found.title else None
    key = record.get(found.id) if found.id else None
    return Item(
        line_id if key is None else str(key),
        title if isinstance(title, str) else "",
        record[found.article],
        sentences,
        _systems(record.get(SYSTEMS_FIELD)),
        (sentences, *_more_references(record.get(REFERENCES_FIELD), reference)),
    )


def _more_references(value: object, reference: object) -> list[tuple[str, ...]]:
    """SummEval's further references (``ref_summs``, a list of strings), the main one
    left out; none when the field is absent or not a list of strings."""
    if not _strings(value):
        return []
    return [reference_sentences(r) for r in value if _text(r) and r != reference]


def _systems(value: object) -> dict[str, str]:
    """SummEval's system summaries (``sys_summs``: name -> {"sys_summ": text})."""
    if not isinstance(value, dict):
        return {}
    return {
        str(name): entry["sys_summ"]
        for name, entry in value.items()
        if isinstance(entry, dict) and _text(entry.get("sys_summ"))
    }


def jsonl_files(path: Path) -> list[Path]:
    """``path`` itself, or every JSON-lines file under a folder, by name."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(JSONL_SUFFIXES))


def set_name(path: Path) -> str:
    """A file's name without ``.jsonl(.gz)``, or a folder's name."""
    for suffix in sorted(JSONL_SUFFIXES, key=len, reverse=True):
        if path.name.endswith(suffix):
            return path.name.removesuffix(suffix)
    return path.name


def matching(files: Sequence[Path]) -> tuple[list[Path], str | None]:
    """The files whose first record the generic loader reads, and, when none is, why
    (for the first file)."""
    if not files:
        return [], "no *.jsonl or *.jsonl.gz file"
    reasons = {path: _mismatch(path) for path in files}
    good = [path for path, reason in reasons.items() if reason is None]
    if good:
        return good, None
    others = f" (and {len(files) - 1} more, none matching)" if len(files) > 1 else ""
    return [], f"{files[0].name}: {reasons[files[0]]}{others}"


def _mismatch(path: Path) -> str | None:
    """Why the generic loader does not read ``path``, or None when it does."""
    try:
        first = next(_lines(path), None)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not JSON lines ({type(exc).__name__})"
    if not isinstance(first, dict):
        return "the first record is not a JSON object"
    if fields_of(first) is not None:
        return None
    missing = [
        f"{kind} field ({'|'.join(names)})"
        for kind, names, ok in (
            ("article", ARTICLE_FIELDS, _text),
            ("summary", REFERENCE_FIELDS, lambda v: _text(v) or _strings(v)),
        )
        if not any(ok(first.get(name)) for name in names)
    ]
    return f"the first record has no {' and no '.join(missing)}"


def discover(root: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Further single-document sets under ``root`` and a one-line message for each
    folder passed over. A folder of its own is one set, under its name (its files that
    the generic loader reads); in a folder of the named sets (``KNOWN_FOLDERS``) each
    JSON-lines file no named loader reads is a set, ``folder/file``; so is such a file
    directly under ``root``."""
    found: dict[str, list[Path]] = {}
    skipped: list[str] = []
    for path in sorted(root.iterdir()):
        files = [p for p in jsonl_files(path) if p.relative_to(root).as_posix() not in KNOWN_FILES]
        if path.is_dir() and path.name not in KNOWN_FOLDERS:
            good, reason = matching(files)
            if good:
                found[path.name] = good
            else:
                skipped.append(f"skipped {path.name} as a summary set: {reason}")
            continue
        for file in files if path.is_dir() or path.name.endswith(JSONL_SUFFIXES) else []:
            name = file.relative_to(root).with_name(set_name(file)).as_posix()
            good, reason = matching([file])
            if good:
                found[name] = good
            else:
                skipped.append(f"skipped {name} as a summary set: {reason}")
    return found, skipped


def extra_sets(paths: Sequence[Path], root: Path | None) -> tuple[dict[str, list[Path]], list[str]]:
    """The sets of ``--extra`` paths (a JSON-lines file or a folder of them; one that
    does not match raises ``SystemExit`` with the reason) and those found under ``root``
    (``discover``; skipped folders give a message), each under its file or folder name."""
    sets: dict[str, list[Path]] = {}
    taken: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise SystemExit(f"--extra {path}: no such file or folder")
        good, reason = matching(jsonl_files(path))
        if not good:
            raise SystemExit(f"--extra {path}: {reason}")
        sets[_unique(set_name(path), sets)] = good
        taken.update(p.resolve() for p in good)
    found, skipped = discover(root) if root is not None and root.is_dir() else ({}, [])
    for name, files in found.items():
        fresh = [p for p in files if p.resolve() not in taken]
        if fresh:
            sets[_unique(name, sets)] = fresh
    return sets, skipped


def _unique(name: str, taken: dict[str, Any]) -> str:
    number = 2
    unique = name
    while unique in taken or unique in NAMED_SETS:
        unique = f"{name}#{number}"
        number += 1
    return unique


def datasets(
    quick: bool, extra: Sequence[Path] = (), root: Path | None = SHARED_DATA
) -> dict[str, list[Item]]:
    """The named sets, then every further set (``extra_sets``), each scored alike."""
    limit = QUICK_DOCUMENTS if quick else None
    named = dict(zip(NAMED_SETS, (summeval(limit), bbc(limit), newsroom(limit)), strict=True))
    further, skipped = extra_sets(extra, root)
    for message in skipped:
        print(message, flush=True)
    return {**named, **{name: generic(files, limit) for name, files in further.items()}}
