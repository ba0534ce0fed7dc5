"""Run every benchmark (``python -m bench.run``) or the named ones."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bench
from bench.common import MissingData


def available() -> list[str]:
    return sorted(
        name.removeprefix("bench_")
        for _, name, _ in pkgutil.iter_modules(bench.__path__)
        if name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all of {available()})"
    )
    parser.add_argument("--quick", action="store_true", help="smaller samples, for a smoke run")
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="PATH",
        help="summaries: also score this CNN/DM-like set (a .jsonl or .jsonl.gz file with an"
        " article and a summary field per line, or a folder of them); repeatable",
    )
    args = parser.parse_args(argv)
    if args.extra and args.names and "summaries" not in args.names:
        print("note: --extra is read by the summaries benchmark only", flush=True)
    status = 0
    for name in args.names or available():
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        try:
            status |= module.run(args)
        except MissingData as exc:
            print(f"skipped {name}: {exc}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
