"""Corpus partitioning (every record once, right line numbers) and duplicate detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from precis.dedupe import band_keys, find_duplicates, signature, similarity
from precis.errors import InputError
from precis.ingest.corpus import partitions, read
from precis.models import RawDocument

BASE = " ".join(f"word{i} appears in sentence {i // 7} of the long report" for i in range(60))


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 300), min_size=1, max_size=40), target=st.integers(50, 3000))
def test_jsonl_partitions_cover_every_line_once(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], target: int
) -> None:
    folder = tmp_path_factory.mktemp("c")
    path = Path(folder) / "c.jsonl"
    lines = [json.dumps({"title": f"t{n}", "text": "x" * size}) for n, size in enumerate(sizes)]
    lines.insert(len(lines) // 2, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = [item for part in partitions([str(path)], target) for item in read(part)]
    titles = [i.metadata["title"] for i in items if isinstance(i, RawDocument)]
    assert titles == [f"t{n}" for n in range(len(sizes))]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [e.origin for e in errors] == [f"{path}:{len(sizes) // 2 + 1}"]


def test_near_and_exact_duplicates() -> None:
    texts = [BASE, BASE + " Reporting by the desk.", "Something else entirely, about rivers.", BASE]
    hashes = ["a", "b", "c", "a"]
    sigs = [signature(t) for t in texts]
    found = find_duplicates(hashes, sigs, [band_keys(s) for s in sigs])
    assert [(d.content_hash, d.duplicate_of, d.kind) for d in found] == [
        ("a", "a", "exact"),
        ("b", "a", "near"),
    ]
    assert similarity(sigs[0], sigs[2]) < 0.2
    assert signature(BASE) == sigs[0]  # deterministic across calls
