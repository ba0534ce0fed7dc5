"""Helpers every benchmark uses: where the shared data lives, timing, result files."""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"


class MissingData(Exception):
    """The shared evaluation data is not where the benchmark expects it."""


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        raise MissingData(f"{path} not found: benchmarks need ../shared/data beside the checkout")
    return path


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB: its own, even in a child that
    a large process started (see ``precis.memory.peak_rss_mb``)."""
    from precis.memory import peak_rss_mb

    return peak_rss_mb()


def machine() -> dict[str, Any]:
    import os

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "command": " ".join(["python", "-m", "bench.run", name]),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
