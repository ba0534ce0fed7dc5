"""The NeuS/AllSides roundups (``../shared/data/neus-allsides/neus_roundup.jsonl.gz``)
and which of their held-out splits are present.

Every record carries ``"split"``. ``train`` is what precis's defaults were chosen on;
every other split is held out. Today the file holds ``train`` and ``val``; the
``test`` split is kept back for independent checks, and the benches that report
held-out figures (clustering, arrival, storysum) evaluate whichever of these splits
the file holds, so kept-back data is measured without a code change.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import shared

TRAIN = "train"  # the split precis's defaults were chosen on: never reported as held out
VAL = "val"  # reported first, as before any further split appeared


def path() -> Path:
    return shared("neus-allsides", "neus_roundup.jsonl.gz")


def records(file: Path | None = None) -> Iterator[dict[str, Any]]:
    """Every story in file order (default: the shared file)."""
    with gzip.open(file or path(), "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def stories(split: str, file: Path | None = None) -> list[dict[str, Any]]:
    return [r for r in records(file) if r["split"] == split]


def heldout_splits(file: Path | None = None) -> list[str]:
    """The splits present other than ``train``: ``val`` first, then the rest by name
    (``["val"]`` today; ``["val", "test"]`` once the test split is added)."""
    present = {r["split"] for r in records(file)} - {TRAIN}
    return sorted(present, key=lambda split: (split != VAL, split))
