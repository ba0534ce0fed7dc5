"""A digest of every summary precis gives on the summaries benchmark's documents.

``PYTHONPATH=src:. python -m bench.summary_digest [OUT]`` summarizes the 660 SummEval,
BBC and Newsroom documents with every method at seven lengths (sentence indexes and
offsets), runs the batch interface (``summarize_jsonl``, the JSON lines it prints) over
the same documents, and prints the SHA-256 of all of it (and writes the text to OUT when
given). Run it at two revisions: equal digests mean a change (a speed-up, say) left every
summary byte-identical. Not a benchmark (``bench.run`` skips it).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

from bench.ab_summarizer import LENGTHS
from bench.summary_data import datasets
from precis.cli.summaries import summarize_jsonl
from precis.summarize import SUMMARIZERS, Length, summarize
from precis.text.sentences import parse

SETS = ("summeval", "bbc", "newsroom")


def digest_text() -> str:
    data = datasets(False)
    items = [item for name in SETS for item in data[name]]
    docs = [parse(item.text, item.title) for item in items]
    lines = []
    for method in SUMMARIZERS:
        for length in LENGTHS:
            for doc in docs:
                chosen = summarize(doc, length, method).sentences
                picked = [(s.index, s.start, s.end) for s in chosen]
                lines.append(json.dumps([method, length.key, picked]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for item in items:
                record = {"id": item.id, "text": item.text, "title": item.title}
                handle.write(json.dumps(record) + "\n")
        out = io.StringIO()
        summarize_jsonl(str(path), Length(), "precis", out)
    lines.append(out.getvalue())
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = digest_text()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    print(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
