"""The records entity and statement extraction produce: plain frozen data, offsets into the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

EntityType = Literal["person", "org", "place"]
ENTITY_TYPES: tuple[EntityType, ...] = ("person", "org", "place")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an entity: ``text[start:end] == surface``; ``name`` is canonical."""

    start: int
    end: int
    surface: str
    name: str
    type: EntityType


@dataclass(frozen=True, slots=True)
class Statement:
    """An attributed statement: ``text[start:end] == self.text``.

    ``speaker`` is the canonical entity name when the speaker resolved to an entity
    (``speaker_type`` set), else the speaker's own words ("a spokesperson for the ministry"),
    else None when no speaker was found. ``cue`` is the reporting verb as written ("said",
    "according to"), None for a quote carried on from the previous statement.
    """

    speaker: str | None
    speaker_type: EntityType | None
    cue: str | None
    text: str
    start: int
    end: int
    direct: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "speaker_type": self.speaker_type,
            "cue": self.cue,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "direct": self.direct,
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything found in one article."""

    mentions: tuple[Mention, ...]
    statements: tuple[Statement, ...]

    def entities(self) -> list[tuple[str, EntityType, list[tuple[int, int]]]]:
        """(canonical name, type, [(start, end), ...]) per entity, most mentioned first."""
        grouped: dict[tuple[str, EntityType], list[tuple[int, int]]] = {}
        for mention in self.mentions:
            grouped.setdefault((mention.name, mention.type), []).append(
                (mention.start, mention.end)
            )
        ordered = sorted(grouped.items(), key=lambda item: (-len(item[1]), item[1][0][0]))
        return [(name, kind, spans) for (name, kind), spans in ordered]

    def as_json(self) -> dict[str, Any]:
        return {
            "quotes": [
                {
                    "speaker": s.speaker,
                    "cue": s.cue,
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "direct": s.direct,
                }
                for s in self.statements
            ],
            "entities": [
                {"name": name, "type": kind, "mentions": [list(span) for span in spans]}
                for name, kind, spans in self.entities()
            ],
        }
