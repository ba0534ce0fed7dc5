"""The extraction benchmark's trafilatura-eval section (``../shared/data/trafilatura-eval``:
990 pages, mostly German, from trafilatura's own evaluation).

Text: every page, scored with the set's segment metric (its README, after trafilatura's
``tests/eval_common.py``): the output and each gold segment are whitespace-normalised
(``\\s+`` collapsed, stripped); a "with" segment found as a substring of the output is a
true positive, one missing a false negative; a "without" segment found is a false
positive, one absent a true negative. Counts are summed over all pages; precision =
TP/(TP+FP), recall = TP/(TP+FN), accuracy = (TP+TN)/all, F = 2PR/(P+R). A page precis
refuses, or a peer crashes on, is empty output.

Rows, all live in one run on the same decoded page (``bench.extraction_peers``), none
given the page's URL (``precis add`` of a file has none): precis through the ``precis
add`` path; precis's stored title and text together (diagnostic, as for Dragnet: some
gold segments are the headline); trafilatura 2.x ``extract`` with its defaults, with
``favor_precision=True`` and with ``fast=True`` (no fallback extractors); readability-lxml;
jusText with its German stoplist and default thresholds (most pages are German, and
jusText has no language detection: one stoplist for all pages); boilerpy3's
ArticleExtractor. The README's published table is from another trafilatura version; it is
a reference in docs/benchmarks.md, not our figure.

Metadata, over the pages whose gold has the field: the title precis stores, trafilatura's
``extract_metadata`` title and readability-lxml's ``short_title()``; the published day
precis stores and trafilatura's metadata date; the author precis stores and trafilatura's.
"exact": equal after whitespace and case normalisation (``same_text``). "match" (titles
and authors, ``loose_match``): at least ``COVER`` of the gold's words are among the
tool's, and the tool's has at most ``MAX_LENGTH_RATIO`` times as many words as the gold
(a title that carries the site's name beside the headline still matches; a whole page
heading area does not). Dates compare the ``YYYY-MM-DD`` day.

``--quick``: the first ``QUICK_PAGES`` pages in the gold file's order.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import shared, timer
from bench.extraction_peers import (
    Extractor,
    boilerpipe_text,
    justext_german_text,
    page_html,
    peer_outputs,
    precis_articles,
    readability_text,
    trafilatura_fast_text,
    trafilatura_precision_text,
    trafilatura_text,
)
from bench.extraction_shingles import load_json_gz, tokens
from precis.models import Article

QUICK_PAGES = 60
# "match": the share of the gold's words the tool's value must hold, and how many times
# the gold's word count it may have (a site name beside a headline, not a whole banner).
COVER = 0.8
MAX_LENGTH_RATIO = 1.5
_SPACE = re.compile(r"\s+")

PEERS: dict[str, Extractor] = {
    "trafilatura (live, defaults)": trafilatura_text,
    "trafilatura (live, favor_precision=True)": trafilatura_precision_text,
    "trafilatura (live, fast=True)": trafilatura_fast_text,
    "readability-lxml (live)": readability_text,
    "jusText (live, German stoplist)": justext_german_text,
    "boilerpy3 ArticleExtractor (live)": boilerpipe_text,
}


@dataclass(frozen=True, slots=True)
class Gold:
    """One page: its file, the segments that must and must not be in the text, and its
    metadata gold (None where the set gives none)."""

    path: Path
    with_: tuple[str, ...]
    without: tuple[str, ...]
    title: str | None = None
    author: str | None = None
    date: str | None = None


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def segment_counts(output: str, gold: Gold) -> tuple[int, int, int, int]:
    """(TP, FN, FP, TN) of one page's output."""
    text = normalise(output)
    found = [normalise(s) in text for s in gold.with_]
    leaked = [normalise(s) in text for s in gold.without]
    return sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked)


def segment_scores(outputs: Mapping[str, str], gold: Mapping[str, Gold]) -> dict[str, Any]:
    """The summed counts over all pages and precision, recall, accuracy and F from them."""
    tp = fn = fp = tn = 0
    for item, page in gold.items():
        counts = segment_counts(outputs.get(item, ""), page)
        tp, fn, fp, tn = tp + counts[0], fn + counts[1], fp + counts[2], tn + counts[3]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    total = tp + fn + fp + tn
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f": round(f, 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "accuracy": round((tp + tn) / total, 3) if total else 0.0,
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "tn": tn,
    }


def load_gold(root: Path) -> dict[str, Gold]:
    """The pages by URL, in the gold file's order."""
    data: dict[str, dict[str, Any]] = load_json_gz(root / "evaldata.json.gz")
    return {
        url: Gold(
            path=root / entry["html_gz"],
            with_=tuple(entry.get("with") or ()),
            without=tuple(entry.get("without") or ()),
            title=_field(entry.get("title")),
            author=_field(entry.get("author")),
            date=_field(entry.get("date")),
        )
        for url, entry in data.items()
    }


def _field(value: object) -> str | None:
    return normalise(value) if isinstance(value, str) and value.strip() else None


def same_text(got: str | None, gold: str) -> bool:
    """Equal after whitespace and case normalisation."""
    return got is not None and normalise(got).casefold() == normalise(gold).casefold()


def loose_match(got: str | None, gold: str) -> bool:
    """At least ``COVER`` of the gold's words among ``got``'s, and ``got`` at most
    ``MAX_LENGTH_RATIO`` times as many words as the gold."""
    want, have = tokens(gold.casefold()), tokens((got or "").casefold())
    if not want or not have:
        return False
    covered = sum(word in set(have) for word in want)
    return covered >= COVER * len(want) and len(have) <= MAX_LENGTH_RATIO * len(want)


def shares(
    got: Mapping[str, str | None], gold: Mapping[str, str | None], loose: bool = True
) -> dict[str, Any]:
    """Over the pages with a gold value: the share ``got`` equals (and loosely matches)."""
    pages = [item for item, value in gold.items() if value]
    out: dict[str, Any] = {"pages": len(pages)}
    if not pages:
        return out
    out["exact"] = round(sum(same_text(got.get(i), gold[i] or "") for i in pages) / len(pages), 3)
    if loose:
        out["match"] = round(
            sum(loose_match(got.get(i), gold[i] or "") for i in pages) / len(pages), 3
        )
    return out


def metadata_rows(
    gold: Mapping[str, Gold], articles: Mapping[str, Article | None]
) -> dict[str, dict[str, Any]]:
    """Title, date and author shares for precis and the peers that give them."""
    import trafilatura
    from readability import Document

    found: dict[str, dict[str, str | None]] = {
        key: {}
        for key in (
            "title precis",
            "title trafilatura",
            "title readability",
            "date precis",
            "date trafilatura",
            "author precis",
            "author trafilatura",
        )
    }
    for item, page in gold.items():
        article = articles[item]
        html = page_html(page.path)
        meta = None
        with contextlib.suppress(Exception):  # a crash is no value
            meta = trafilatura.extract_metadata(html)
        if article is not None:
            found["title precis"][item] = article.title
            found["author precis"][item] = article.author
            published = article.published
            found["date precis"][item] = published.date().isoformat() if published else None
        if meta is not None:
            found["title trafilatura"][item] = meta.title
            found["author trafilatura"][item] = meta.author
            found["date trafilatura"][item] = (meta.date or "")[:10] or None
        with contextlib.suppress(Exception):  # readability raises on some broken pages
            found["title readability"][item] = Document(html).short_title()
    titles = {item: page.title for item, page in gold.items()}
    authors = {item: page.author for item, page in gold.items()}
    dates = {item: (page.date or "")[:10] or None for item, page in gold.items()}
    return {
        "title: precis (stored)": shares(found["title precis"], titles),
        "title: trafilatura extract_metadata": shares(found["title trafilatura"], titles),
        "title: readability-lxml short_title()": shares(found["title readability"], titles),
        "date: precis (stored published, day)": shares(found["date precis"], dates, loose=False),
        "date: trafilatura extract_metadata": shares(found["date trafilatura"], dates, False),
        "author: precis (stored)": shares(found["author precis"], authors),
        "author: trafilatura extract_metadata": shares(found["author trafilatura"], authors),
    }


def score_trafeval(
    gold: Mapping[str, Gold],
) -> tuple[dict[str, dict[str, Any]], dict[str, Article | None]]:
    """Each tool's row, best F first, and precis's articles (None where refused)."""
    paths = {item: page.path for item, page in gold.items()}
    rows: dict[str, dict[str, Any]] = {}
    with timer() as elapsed:
        articles = precis_articles(paths)
    refused = sum(a is None for a in articles.values())
    texts = {item: "" if a is None else a.text for item, a in articles.items()}
    rows["precis (precis add path)"] = {
        **segment_scores(texts, gold),
        "refused": refused,
        "seconds": round(elapsed["seconds"], 1),
    }
    shown = {item: "" if a is None else f"{a.title}\n{a.text}" for item, a in articles.items()}
    rows["precis, stored title + text"] = {**segment_scores(shown, gold), "refused": refused}
    for name, extractor in PEERS.items():
        with timer() as elapsed:
            produced, failed = peer_outputs(paths, extractor)
        rows[name] = {
            **segment_scores(produced, gold),
            "failed": failed,
            "seconds": round(elapsed["seconds"], 1),
        }
    return dict(sorted(rows.items(), key=lambda kv: -kv[1]["f"])), articles


def print_rows(rows: Mapping[str, Mapping[str, Any]]) -> None:
    print(f"{'tool':<44} {'F':>6} {'P':>6} {'R':>6} {'acc':>6} {'refused/failed':>15} {'s':>7}")
    for name, r in rows.items():
        print(
            f"{name:<44} {r['f']:>6.3f} {r['precision']:>6.3f} {r['recall']:>6.3f} "
            f"{r['accuracy']:>6.3f} {r.get('refused', r.get('failed', '')):>15} "
            f"{r.get('seconds', ''):>7}",
            flush=True,
        )


def print_metadata(rows: Mapping[str, Mapping[str, Any]]) -> None:
    print(f"{'field: tool':<44} {'pages':>6} {'exact':>6} {'match':>6}")
    for name, r in rows.items():
        exact, match = r.get("exact", ""), r.get("match", "")
        print(f"{name:<44} {r['pages']:>6} {exact:>6} {match:>6}", flush=True)


def refused_pages(articles: Mapping[str, Article | None]) -> Sequence[str]:
    return [item for item, article in articles.items() if article is None]


def run_trafeval(quick: bool) -> dict[str, Any]:
    root = shared("trafilatura-eval")
    gold = load_gold(root)
    if quick:
        gold = dict(list(gold.items())[:QUICK_PAGES])
    ranked, articles = score_trafeval(gold)
    print(f"-- trafilatura-eval ({len(gold)} pages; segment metric)")
    print_rows(ranked)
    metadata = metadata_rows(gold, articles)
    print(f"-- trafilatura-eval metadata (exact; match: >= {COVER} of the gold's words)")
    print_metadata(metadata)
    refused = refused_pages(articles)
    if refused:
        print("precis refused: " + ", ".join(gold[item].path.name for item in refused))
    return {"pages": len(gold), "results": ranked, "metadata": metadata, "refused": refused}
