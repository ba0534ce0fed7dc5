"""Boilerplate removal for plain text: a documented, configurable list of line rules.

The rules live in ``boilerplate.toml`` beside this module (read it for the list and the
format); operators add their own with ``PRECIS_BOILERPLATE_RULES``. Rules match whole
lines only, so an article sentence that merely mentions "newsletter" is never cut.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from precis.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    drop_next: int = 0
    cut_rest: bool = False
    next_adjacent: bool = False
    next_max_words: int | None = None

    def takes(self, line: str, after_blank: bool) -> bool:
        """Whether ``line``, following a match of this rule, goes with it."""
        if self.next_adjacent and after_blank:
            return False
        return self.next_max_words is None or len(line.split()) <= self.next_max_words


@dataclass(frozen=True, slots=True)
class Rules:
    rules: tuple[Rule, ...]

    @classmethod
    def load(cls, extra: Path | None = None) -> Rules:
        """The built-in rules, followed by those in ``extra`` when given."""
        text = resources.files("precis.extract").joinpath("boilerplate.toml").read_text("utf-8")
        rules = _parse(text, "built-in boilerplate.toml")
        if extra is not None:
            try:
                rules += _parse(extra.read_text("utf-8"), str(extra))
            except OSError as exc:
                raise ConfigError(
                    "PRECIS_BOILERPLATE_RULES", f"cannot read {extra}: {exc}"
                ) from exc
        return cls(tuple(rules))

    def match(self, line: str) -> Rule | None:
        stripped = line.strip()
        for rule in self.rules:
            if rule.pattern.fullmatch(stripped):
                return rule
        return None

    def clean_lines(self, lines: list[str]) -> list[str]:
        """``lines`` without boilerplate; a blank line stays as a paragraph break."""
        kept: list[str] = []
        pending: Rule | None = None  # the rule whose following lines are being dropped
        skip = 0
        after_blank = False
        for line in lines:
            if not line.strip():
                after_blank = True
                kept.append(line)
                continue
            if skip and pending is not None and pending.takes(line, after_blank):
                skip -= 1
                after_blank = False
                continue
            skip, pending, after_blank = 0, None, False
            rule = self.match(line)
            if rule is None:
                kept.append(line)
            elif rule.cut_rest:
                break
            else:
                skip, pending = rule.drop_next, rule
        return kept


def _parse(text: str, origin: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("PRECIS_BOILERPLATE_RULES", f"{origin} is not valid TOML: {exc}") from exc
    rules = []
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError("PRECIS_BOILERPLATE_RULES", f"{origin}: use [[rule]] tables")
    for number, entry in enumerate(entries, start=1):
        name = str(entry.get("name", f"rule {number}"))
        try:
            pattern = re.compile(str(entry["pattern"]), re.IGNORECASE)
        except (KeyError, re.error) as exc:
            raise ConfigError(
                "PRECIS_BOILERPLATE_RULES",
                f"{origin}: rule {name!r} needs a valid 'pattern' ({exc})",
            ) from exc
        rules.append(_rule(entry, name, pattern, origin))
    return rules


def _rule(entry: dict[str, object], name: str, pattern: re.Pattern[str], origin: str) -> Rule:
    try:
        max_words = entry.get("next_max_words")
        return Rule(
            name,
            pattern,
            drop_next=_int(entry.get("drop_next", 0)),
            cut_rest=bool(entry.get("cut_rest", False)),
            next_adjacent=bool(entry.get("next_adjacent", False)),
            next_max_words=None if max_words is None else _int(max_words),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            "PRECIS_BOILERPLATE_RULES", f"{origin}: rule {name!r} has a bad value ({exc})"
        ) from exc


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a non-negative integer")
    return value
