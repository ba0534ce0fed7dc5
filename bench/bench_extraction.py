"""HTML extraction quality on three sets: ScrapingHub's article-extraction-benchmark and
the Dragnet set (4-gram shingle F1, ``bench.extraction_shingles``), and trafilatura's own
evaluation set (its segment metric, ``bench.extraction_trafeval``).

precis runs through exactly the path ``precis add`` takes (read the ``.html.gz`` file,
decode, ``precis.extract`` on an HTML ``RawDocument``: trafilatura plus the boilerplate
rules and the title-line drop); a page it refuses ("no article") scores as empty output.
The live peers (``bench.extraction_peers``) run in the same process on the same decoded
page; none is given the page's URL, as ``precis add`` of a file has none.

article-extraction-benchmark (181 pages, this module): beside precis, in the same run,
plain trafilatura with its defaults, computed live, and the stored outputs of the 18
tools in the data set.

Dragnet: ``bench.extraction_dragnet`` (text and headline check).

trafilatura-eval: ``bench.extraction_trafeval`` (segments, titles, dates).

Each section skips with a message when its data set is not in ``../shared/data``.

    python -m bench.run extraction
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import MissingData, shared, timer, write_result
from bench.extraction_dragnet import run_dragnet
from bench.extraction_peers import html_paths, peer_outputs, precis_outputs, trafilatura_text
from bench.extraction_shingles import evaluate, load_json_gz, print_table, row
from bench.extraction_trafeval import run_trafeval


def stored_outputs(root: Path) -> dict[str, dict[str, str]]:
    tools = {}
    for path in sorted((root / "output").glob("*.json.gz")):
        data = load_json_gz(path)
        items = data.get("output", data) if "version" in data else data
        tools[path.name.removesuffix(".json.gz")] = {
            key: (value or {}).get("articleBody") or "" for key, value in items.items()
        }
    return tools


def run_benchmark_set(quick: bool) -> dict[str, Any]:
    """ScrapingHub's article-extraction-benchmark: precis, live trafilatura, stored tools."""
    root = shared("article-extraction-benchmark")
    truth = {k: v["articleBody"] for k, v in load_json_gz(root / "ground-truth.json.gz").items()}
    ids = sorted(truth)
    if quick:
        ids = ids[:30]
        truth = {k: truth[k] for k in ids}
    paths = html_paths(root, ids)
    rows: dict[str, dict[str, Any]] = {}
    with timer() as elapsed:
        precis_out, refused = precis_outputs(paths)
    rows["precis (precis add path)"] = row(precis_out, truth, elapsed["seconds"], refused=refused)
    with timer() as elapsed:
        produced, failed = peer_outputs(paths, trafilatura_text)
    rows["trafilatura (live, defaults)"] = row(produced, truth, elapsed["seconds"], failed=failed)
    for tool, outputs in stored_outputs(root).items():
        rows[f"{tool} (stored)"] = evaluate(outputs, truth)
    ranked = dict(sorted(rows.items(), key=lambda kv: -kv[1]["f1"]))
    print(f"-- article-extraction-benchmark ({len(ids)} pages)")
    print_table(ranked)
    return {"items": len(ids), "results": ranked}


def run(args: argparse.Namespace) -> int:
    quick = bool(getattr(args, "quick", False))
    sections: dict[str, Callable[[bool], dict[str, Any]]] = {
        "article-extraction-benchmark": run_benchmark_set,
        "dragnet": run_dragnet,
        "trafilatura-eval": run_trafeval,
    }
    result: dict[str, Any] = {}
    for name, section in sections.items():
        try:
            result[name] = section(quick)
        except MissingData as exc:
            print(f"skipped extraction ({name}): {exc}", flush=True)
    if not result:
        raise MissingData(f"none of {', '.join(sections)} is in ../shared/data")
    benchmark = result.pop("article-extraction-benchmark", {})
    path = write_result("extraction", {**benchmark, **result})
    print(f"wrote {path}")
    return 0
