"""Near-duplicate detection: exact and syndicated (wire) copies.

MinHash signatures come from datasketch; we band them ourselves (``band_keys``) so the
LSH buckets can live in a database table as well as in memory, with one code path.
Candidates from LSH are then confirmed exactly by *containment* of word shingles: a
wire copy that an outlet trimmed or topped with its own paragraph still has most of
its shingles inside the original, which Jaccard similarity alone undercounts.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from datasketch import MinHash

from precis.text.tokens import words

SHINGLE = 5  # words per shingle: long enough that unrelated articles rarely share one
NUM_PERM = 64  # MinHash permutations: 16 bands x 4 rows
BANDS = 16
ROWS = NUM_PERM // BANDS  # LSH catches pairs with Jaccard above ~(1/16)^(1/4) = 0.5
SEED = 1  # fixed so that stored band keys stay comparable across runs
# Default containment above which the smaller article counts as a copy of the larger
# (Settings.duplicate_containment overrides it).
CONTAINMENT = 0.8


def shingles(text: str) -> frozenset[str]:
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def band_keys(shingle_set: Iterable[str]) -> list[str]:
    """One LSH bucket key per band of the MinHash signature ("band:hexdigest")."""
    items = sorted(shingle_set)
    if not items:
        return []
    template = _template()
    signature = MinHash(
        num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, scheme=template.scheme
    )
    signature.update_batch([s.encode("utf-8") for s in items])
    values = signature.hashvalues
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(f"{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


@lru_cache(maxsize=1)
def _template() -> Any:
    """datasketch draws the permutations from SEED for every MinHash; draw them once
    and share them (never updated, so the cached object stays the same for every caller)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED)


def containment(small: frozenset[str], large: frozenset[str]) -> float:
    """Share of ``small``'s shingles found in ``large`` (0 when ``small`` is empty)."""
    if not small:
        return 0.0
    return len(small & large) / len(small)


def is_copy(a: frozenset[str], b: frozenset[str], threshold: float = CONTAINMENT) -> bool:
    """True when the shorter of the two is (almost) contained in the longer."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return bool(small) and containment(small, large) >= threshold


@dataclass(frozen=True, slots=True)
class Doc:
    """What deduplication needs: an id, an ordering key (earliest is the original), the
    text compared for containment (title and body, see ``copy_text``) and, when computed
    elsewhere (a batch computes them on its workers), its LSH band keys."""

    id: str
    order: tuple[str, ...]
    text: str
    bands: tuple[str, ...] | None = None


def copy_text(title: str, text: str) -> str:
    """The text whose shingles decide whether one article copies another."""
    return title + "\n" + text


def find_copies(docs: Sequence[Doc], threshold: float = CONTAINMENT) -> dict[str, str]:
    """Map each copy's id to its original's id (the earliest document of its copy group).

    Deterministic and independent of input order: documents are visited by ``order``.
    Shingles are built only for documents that meet an LSH candidate, and kept only for
    originals (the only documents later ones are compared with).
    """
    ordered = sorted(docs, key=lambda d: (d.order, d.id))
    buckets: dict[str, list[Doc]] = defaultdict(list)
    kept: dict[str, frozenset[str]] = {}
    original: dict[str, str] = {}
    for doc in ordered:
        own: frozenset[str] | None = None
        if doc.bands is None:
            own = shingles(doc.text)
            keys: Sequence[str] = band_keys(own)
        else:
            keys = doc.bands
        seen: set[str] = set()
        for key in keys:
            for other in buckets[key]:
                if other.id in seen:
                    continue
                seen.add(other.id)
                if own is None:
                    own = shingles(doc.text)
                if other.id not in kept:
                    kept[other.id] = shingles(other.text)
                if is_copy(own, kept[other.id], threshold):
                    original[doc.id] = original.get(other.id, other.id)
                    break
            if doc.id in original:
                break
        if doc.id not in original:
            if own is not None:
                kept[doc.id] = own
            for key in keys:
                buckets[key].append(doc)
    return original
