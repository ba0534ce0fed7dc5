"""Weight sweep for the story summary on TRAINING data only (not run by ``bench.run``).

``PYTHONPATH=src python -m bench.tune_storysum 600 "" POSITION_DECAY=1.0 REDUNDANCY=0.7``
summarizes the first 600 stories of the NeuS **train** split with precis's default
length and prints mean ROUGE F (rouge-score, stemmed) against their neutral summaries,
once per configuration: ``""`` is the defaults, otherwise comma-separated
``CONSTANT=value`` overrides of the module constants of ``precis.cluster.storysum``
(restored after each configuration). Val is for reporting (``bench.run storysum``); the
test split is never used.
"""

from __future__ import annotations

import gzip
import json
import sys
import time

from bench.common import shared
from precis.cluster import storysum
from precis.cluster.storysum import SourceArticle, summarize_story

METRICS = ("rouge1", "rouge2", "rougeLsum")


def main(argv: list[str]) -> int:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    count = int(argv[0])
    with gzip.open(shared("neus-allsides", "neus_roundup.jsonl.gz"), "rt", encoding="utf-8") as f:
        stories = [r for r in map(json.loads, f) if r["split"] == "train"][:count]
    defaults = {k: v for k, v in vars(storysum).items() if k.isupper() and isinstance(v, float)}
    for config in argv[1:] or [""]:
        overrides = dict(part.split("=") for part in config.split(",") if part)
        unknown = set(overrides) - set(defaults)
        if unknown:
            raise SystemExit(f"not a float constant of precis.cluster.storysum: {sorted(unknown)}")
        for name, value in {**defaults, **{k: float(v) for k, v in overrides.items()}}.items():
            setattr(storysum, name, value)
        totals = dict.fromkeys(METRICS, 0.0)
        words = 0
        start = time.perf_counter()
        for story in stories:
            articles = [
                SourceArticle(str(i), a["text"], a["title"], str(i))
                for i, a in enumerate(story["articles"])
            ]
            summary = "\n".join(p.text for p in summarize_story(articles).overview)
            words += len(summary.split())
            scores = scorer.score(story["summary"], summary)
            for metric in METRICS:
                totals[metric] += scores[metric].fmeasure
        figures = "  ".join(f"{m} {100 * totals[m] / len(stories):.2f}" for m in METRICS)
        print(
            f"{config or 'defaults':40s} {figures}  words {words / len(stories):.1f} "
            f"({time.perf_counter() - start:.0f}s)",
            flush=True,
        )
    for name, value in defaults.items():
        setattr(storysum, name, value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
