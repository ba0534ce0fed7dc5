"""A/B of the ``precis`` summarizer at a git revision against the working tree.

``PYTHONPATH=src:. python -m bench.ab_summarizer REV [ROUNDS] [--allow-changes]`` loads
``src/precis/summarize/precis.py`` as it was at ``REV`` (``git show``) beside the current
module, checks that both select the same sentences for every SummEval + BBC document
(the 600 of the summaries benchmark) at seven lengths, then times ``select`` of each,
interleaved, ROUNDS times (default 9), and prints the best documents per second of each
by CPU time (this process's, so waiting for a CPU on a shared machine does not count)
and the load average. With ``--allow-changes`` selections that differ are counted and
the timing goes on (to time a change that is meant to change some summaries). Only that module comes from ``REV``: both sides use the current
tokenizer and sentence splitter. Not a benchmark (``bench.run`` skips it).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT
from bench.summary_data import bbc, summeval
from precis.summarize import Length
from precis.summarize.precis import Precis
from precis.text.sentences import parse

LENGTHS = (
    Length(),
    Length(sentences=1),
    Length(sentences=3),
    Length(sentences=5),
    Length(words=60),
    Length(words=150),
    Length(ratio=0.3),
)


def old_precis(revision: str) -> Precis:
    source = subprocess.run(
        ["git", "show", f"{revision}:src/precis/summarize/precis.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "precis_old.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("precis_old", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    summarizer: Precis = module.Precis()
    return summarizer


def main(argv: list[str]) -> int:
    allow = "--allow-changes" in argv
    argv = [a for a in argv if a != "--allow-changes"]
    revision = argv[0]
    rounds = int(argv[1]) if len(argv) > 1 else 9
    docs = [parse(item.text, item.title) for item in [*summeval(), *bbc()]]
    old, new = old_precis(revision), Precis()
    differ = 0
    for length in LENGTHS:
        for doc in docs:
            budget = length.budget(doc)
            if old.select(doc, budget) != new.select(doc, budget):
                if not allow:
                    print(f"different selection at length {length.key}: {doc.text[:60]!r}")
                    return 1
                differ += 1
    print(f"{differ} of {len(docs) * len(LENGTHS)} selections differ ({len(LENGTHS)} lengths)")
    budgets = [Length().budget(doc) for doc in docs]
    best = {"old": float("inf"), "new": float("inf")}
    for _ in range(rounds):
        for name, summarizer in (("old", old), ("new", new)):
            start = time.process_time()
            for doc, budget in zip(docs, budgets, strict=True):
                summarizer.select(doc, budget)
            best[name] = min(best[name], time.process_time() - start)
    rates = {name: round(len(docs) / seconds) for name, seconds in best.items()}
    print(
        f"docs/s by CPU time, best of {rounds}: {revision} {rates['old']}, "
        f"working tree {rates['new']}, ratio {best['old'] / best['new']:.2f}; "
        f"load average {[round(x, 2) for x in os.getloadavg()]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
