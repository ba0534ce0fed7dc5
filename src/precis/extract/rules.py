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
        skip = 0
        for line in lines:
            if skip and line.strip():
                skip -= 1
                continue
            rule = self.match(line) if line.strip() else None
            if rule is None:
                kept.append(line)
            elif rule.cut_rest:
                break
            else:
                skip = rule.drop_next
        return kept


def _parse(text: str, origin: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("PRECIS_BOILERPLATE_RULES", f"{origin} is not valid TOML: {exc}") from exc
    rules = []
    for number, entry in enumerate(data.get("rule", []), start=1):
        name = str(entry.get("name", f"rule {number}"))
        try:
            pattern = re.compile(str(entry["pattern"]), re.IGNORECASE)
        except (KeyError, re.error) as exc:
            raise ConfigError(
                "PRECIS_BOILERPLATE_RULES",
                f"{origin}: rule {name!r} needs a valid 'pattern' ({exc})",
            ) from exc
        rules.append(
            Rule(name, pattern, int(entry.get("drop_next", 0)), bool(entry.get("cut_rest", False)))
        )
    return rules
