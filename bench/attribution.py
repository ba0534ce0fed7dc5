"""The attribution evaluation set: parse the marked-up articles, score predictions.

Markup (bench/data/attribution_{dev,test}.txt): ``[[statement]]{speaker|cue|d or p}``;
lines ``@ surface = canonical`` give the entity-linking gold; ``=== id`` starts an article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
_MARK = re.compile(r"\[\[(.*?)\]\]\{([^|}]*)\|([^|}]*)\|([dp])\}", re.S)
_WORD = re.compile(r"\w+")
# Lenient span match: the overlap covers at least half of the longer span.
LENIENT_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Gold:
    speaker: str
    cue: str | None
    text: str
    start: int
    end: int
    direct: bool


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    split: str
    text: str
    quotes: tuple[Gold, ...]
    links: tuple[tuple[str, str], ...]


def load(split: str) -> list[Item]:
    raw = (DATA / f"attribution_{split}.txt").read_text(encoding="utf-8")
    items = []
    for block in re.split(r"^=== ", raw, flags=re.M)[1:]:
        ident, _, body = block.partition("\n")
        items.append(_item(ident.strip(), split, body))
    return items


def _item(ident: str, split: str, body: str) -> Item:
    lines = body.rstrip("\n").split("\n")
    links = tuple(
        tuple(part.strip() for part in line[1:].split("=", 1))
        for line in lines
        if line.startswith("@ ")
    )
    marked = "\n".join(line for line in lines if not line.startswith("@ ")).strip("\n")
    text_parts: list[str] = []
    quotes: list[Gold] = []
    position = 0
    cursor = 0
    for match in _MARK.finditer(marked):
        text_parts.append(marked[cursor : match.start()])
        position += match.start() - cursor
        statement, speaker, cue, kind = match.groups()
        quotes.append(
            Gold(
                speaker,
                None if cue == "-" else cue,
                statement,
                position,
                position + len(statement),
                kind == "d",
            )
        )
        text_parts.append(statement)
        position += len(statement)
        cursor = match.end()
    text_parts.append(marked[cursor:])
    text = "".join(text_parts)
    assert "[[" not in text, f"{ident}: unclosed markup"
    assert "]]" not in text, f"{ident}: unclosed markup"
    for gold in quotes:
        assert text[gold.start : gold.end] == gold.text
    return Item(ident, split, text, tuple(quotes), links)  # type: ignore[arg-type]


def write_jsonl(items: Iterable[Item], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            record = {
                "id": item.id,
                "split": item.split,
                "text": item.text,
                "quotes": [
                    {
                        "speaker": g.speaker,
                        "cue": g.cue,
                        "text": g.text,
                        "start": g.start,
                        "end": g.end,
                        "direct": g.direct,
                    }
                    for g in item.quotes
                ],
                "entities": [{"surface": s, "name": n} for s, n in item.links],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def normalise(name: str) -> str:
    words = re.sub(r"['’]s\b", "", name).casefold().replace("'", "").split()
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)


def same_speaker(predicted: str | None, gold: str) -> bool:
    """Equal after normalising, or one is the other's words in sequence
    ("forecaster Ravi Menon" / "Ravi Menon")."""
    if predicted is None:
        return False
    a, b = normalise(predicted), normalise(gold)
    if not a or not b:
        return False
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _strict_key(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, shared) / max(a[1] - a[0], b[1] - b[0], 1)


@dataclass(slots=True)
class Tally:
    gold: int = 0
    predicted: int = 0
    predicted_with_speaker: int = 0
    strict: int = 0
    lenient: int = 0
    speaker_correct: int = 0
    direct_correct: int = 0
    cue_correct: int = 0

    def add(
        self, text: str, gold: Sequence[Gold], predicted: Sequence[dict[str, Any]]
    ) -> list[str]:
        """Score one article; returns readable error lines."""
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.predicted_with_speaker += sum(p["speaker"] is not None for p in predicted)
        errors: list[str] = []
        used: set[int] = set()
        for g in gold:
            best, best_score = None, 0.0
            for index, p in enumerate(predicted):
                score = _overlap((g.start, g.end), (p["start"], p["end"]))
                if index not in used and score > best_score:
                    best, best_score = index, score
            if best is None or best_score < LENIENT_OVERLAP:
                errors.append(f"MISSED  {g.speaker!r} {g.text[:70]!r}")
                continue
            used.add(best)
            p = predicted[best]
            self.lenient += 1
            if _strict_key(text, g.start, g.end) == _strict_key(text, p["start"], p["end"]):
                self.strict += 1
            if same_speaker(p["speaker"], g.speaker):
                self.speaker_correct += 1
            else:
                errors.append(f"SPEAKER {p['speaker']!r} != {g.speaker!r}: {g.text[:60]!r}")
            self.direct_correct += p["direct"] == g.direct
            self.cue_correct += (p["cue"] or "").lower() == (g.cue or "").lower()
        for index, p in enumerate(predicted):
            if index not in used:
                errors.append(f"EXTRA   {p['speaker']!r} {p['text'][:70]!r}")
        return errors

    def report(self) -> dict[str, float | int]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "span_precision_strict": ratio(self.strict, self.predicted),
            "span_recall_strict": ratio(self.strict, self.gold),
            "span_precision_lenient": ratio(self.lenient, self.predicted),
            "span_recall_lenient": ratio(self.lenient, self.gold),
            "speaker_precision": ratio(self.speaker_correct, self.predicted_with_speaker),
            "speaker_recall": ratio(self.speaker_correct, self.gold),
            "direct_accuracy": ratio(self.direct_correct, self.lenient),
            "cue_accuracy": ratio(self.cue_correct, self.lenient),
        }


def link_score(item: Item, mentions: Sequence[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """(correct, total, errors): each occurrence of a gold surface must lie in a predicted
    mention carrying the gold canonical name."""
    correct = total = 0
    errors: list[str] = []
    longer = [
        (m.start(), m.end())
        for surface, _ in item.links
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", item.text)
    ]
    for surface, name in item.links:
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", item.text):
            if any(
                s <= match.start() and match.end() <= e and e - s > len(surface) for s, e in longer
            ):
                continue  # "Dunmore" inside "Save Dunmore Woods" is not a mention of the town
            total += 1
            hits = [m for m in mentions if m["start"] < match.end() and match.start() < m["end"]]
            if any(m["name"] == name for m in hits):
                correct += 1
            else:
                errors.append(f"LINK {surface!r} -> {[m['name'] for m in hits]} (gold {name!r})")
    return correct, total, errors
