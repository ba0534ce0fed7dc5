"""Benchmarks: quality and speed of precis beside the peers a user would otherwise pick.

Run all with ``make bench`` (``python -m bench.run``) or one with ``python -m bench.run NAME``.
Each module ``bench/bench_<name>.py`` defines ``run(args) -> int``; results are written to
``bench/results/<name>.json`` and the tables in docs/benchmarks.md quote them.
"""
