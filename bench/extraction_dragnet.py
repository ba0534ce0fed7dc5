"""The extraction benchmark's Dragnet section (``../shared/data/dragnet``).

Every page listed in ``training.txt`` or ``test.txt`` whose ``html/<id>.html.gz`` is
present, scored per split with the shingle metric (``bench.extraction_shingles``) against
the gold text in ``dragnet_Corrected.tar.gz`` with the comments section dropped. The test
pages' HTML is kept back today, so only the training split is reported; once those files
are put into ``html/`` the test split is reported too, with no code change. Live peers,
run in the same process on the same decoded page: trafilatura (defaults, which keep
reader comments; and with ``include_comments=False``), jusText (English stoplist, the
paragraphs not classed as boilerplate), readability-lxml and boilerpy3's
ArticleExtractor. A peer that raises on a page scores it as empty output. A diagnostic
row scores precis's stored title and text together, since this gold usually keeps the
headline that precis stores apart from the text.

Headlines: the share of pages whose title is found in the gold text's first
``HEADLINE_LINES`` lines (at least ``HEADLINE_COVER`` of its words there), for the title
precis stores, the title trafilatura's metadata gives (what precis stored before it
checked it against the page's <title> element, ``precis.extract.titles``) and
readability-lxml's ``short_title()``; pages precis refuses count as misses for all three.
The gold usually opens with the headline, so a tool that takes a sidebar's heading or the
site's name for the title scores lower.
"""

from __future__ import annotations

import contextlib
import re
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.common import shared, timer
from bench.extraction_peers import (
    Extractor,
    boilerpipe_text,
    html_paths,
    justext_text,
    page_html,
    peer_outputs,
    precis_articles,
    readability_text,
    trafilatura_no_comments_text,
    trafilatura_text,
)
from bench.extraction_shingles import print_table, row, tokens
from precis.models import Article

# Headline check: a title counts as found when this share of its words is among the words
# of the gold text's first lines (headline, dateline, byline, section label).
HEADLINE_LINES = 5
HEADLINE_COVER = 0.8

# Live peers on the Dragnet pages, run in the same process as precis.
PEERS: dict[str, Extractor] = {
    "trafilatura (live, defaults)": trafilatura_text,
    "trafilatura (live, include_comments=False)": trafilatura_no_comments_text,
    "jusText (live, English stoplist)": justext_text,
    "readability-lxml (live)": readability_text,
    "boilerpy3 ArticleExtractor (live)": boilerpipe_text,
}

# The gold files put reader comments after this line; article-body scoring drops them.
DRAGNET_COMMENTS = "!@#$%^&*()  COMMENTS"
DRAGNET_GOLD = "dragnet_Corrected.tar.gz"
DRAGNET_SPLITS = ("training", "test")
_GOLD_NAME = re.compile(r"(?:.*/)?Corrected/(?P<id>[^/]+)\.html\.corrected\.txt")


def gold_body(data: bytes) -> str:
    """A Dragnet gold file's article text: UTF-8 or, for the older files, Windows-1252,
    without the comments section."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.split(DRAGNET_COMMENTS, 1)[0].strip()


def dragnet_gold(root: Path) -> dict[str, str]:
    """Gold article text by page id, read from the tarball."""
    gold = {}
    with tarfile.open(root / DRAGNET_GOLD) as archive:
        for member in archive.getmembers():
            match = _GOLD_NAME.fullmatch(member.name)
            handle = archive.extractfile(member) if member.isfile() else None
            if match is not None and handle is not None:
                gold[match["id"]] = gold_body(handle.read())
    return gold


def dragnet_splits(root: Path, gold: Mapping[str, str]) -> dict[str, list[str]]:
    """Per split, the ids in ``<split>.txt`` whose HTML and gold text are both present; a
    split with no HTML present (the kept-back test pages) is left out."""
    splits = {}
    for split in DRAGNET_SPLITS:
        listed = root / f"{split}.txt"
        if not listed.exists():
            continue
        ids = [
            item
            for item in listed.read_text(encoding="utf-8").split()
            if item in gold and (root / "html" / f"{item}.html.gz").exists()
        ]
        if ids:
            splits[split] = ids
    return splits


def score_dragnet(
    root: Path, ids: list[str], gold: Mapping[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, Article | None]]:
    """Each tool's row, best F1 first, and precis's articles (None where refused)."""
    truth = {item: gold[item] for item in ids}
    paths = html_paths(root, ids)
    rows: dict[str, dict[str, Any]] = {}
    with timer() as elapsed:
        articles = precis_articles(paths)
    refused = sum(a is None for a in articles.values())
    texts = {item: "" if a is None else a.text for item, a in articles.items()}
    rows["precis (precis add path)"] = row(texts, truth, elapsed["seconds"], refused=refused)
    # The Dragnet gold text mostly starts with the headline, which precis stores as the
    # title, apart from the text (the other benchmark's gold leaves it out): this row
    # scores what a reader of the stored article sees, headline then text.
    shown = {item: "" if a is None else f"{a.title}\n{a.text}" for item, a in articles.items()}
    rows["precis, stored title + text"] = row(shown, truth, None, refused=refused)
    for name, extractor in PEERS.items():
        with timer() as elapsed:
            produced, failed = peer_outputs(paths, extractor)
        rows[name] = row(produced, truth, elapsed["seconds"], failed=failed)
    return dict(sorted(rows.items(), key=lambda kv: -kv[1]["f1"])), articles


def headline_found(title: str | None, gold: str) -> bool:
    """Whether ``title`` stands in the gold text's first lines (see the module docstring)."""
    words = set(tokens((title or "").casefold()))
    if not words:
        return False
    lines = [line for line in gold.split("\n") if line.strip()][:HEADLINE_LINES]
    opening = set(tokens("\n".join(lines).casefold()))
    return len(words & opening) >= HEADLINE_COVER * len(words)


def score_headlines(
    root: Path, articles: Mapping[str, Article | None], gold: Mapping[str, str]
) -> dict[str, float]:
    """Share of pages whose title is found in the gold's opening lines, per tool."""
    import trafilatura
    from readability import Document

    ids = list(articles)
    paths = html_paths(root, ids)
    titles: dict[str, dict[str, str | None]] = {
        "precis (stored title)": {},
        "trafilatura metadata title": {},
        "readability-lxml short_title()": {},
    }
    for item in ids:
        article = articles[item]
        if article is None:  # refused: no title stored for anyone to compare
            continue
        html = page_html(paths[item])
        # metadata only: the title bare_extraction gives, without extracting the text again
        found = trafilatura.extract_metadata(html)
        titles["precis (stored title)"][item] = article.title
        titles["trafilatura metadata title"][item] = found.title if found else None
        with contextlib.suppress(Exception):  # readability raises on some broken pages
            titles["readability-lxml short_title()"][item] = Document(html).short_title()
    return {
        tool: round(sum(headline_found(got.get(i), gold[i]) for i in ids) / len(ids), 3)
        for tool, got in titles.items()
    }


def run_dragnet(quick: bool) -> dict[str, Any]:
    root = shared("dragnet")
    gold = dragnet_gold(root)
    splits = dragnet_splits(root, gold)
    for split in DRAGNET_SPLITS:
        listed = root / f"{split}.txt"
        count = len(listed.read_text(encoding="utf-8").split()) if listed.exists() else 0
        print(f"dragnet {split}: {len(splits.get(split, []))} of {count} listed pages have HTML")
    results = {}
    for split, ids in splits.items():
        if quick:
            ids = ids[:30]
        ranked, articles = score_dragnet(root, ids, gold)
        print(f"-- dragnet {split} ({len(ids)} pages)")
        print_table(ranked)
        headlines = score_headlines(root, articles, gold)
        print(f"-- dragnet {split}: title found in the gold's first {HEADLINE_LINES} lines")
        for tool, share in headlines.items():
            print(f"{tool:<44} {share:>6.3f}", flush=True)
        results[split] = {"pages": len(ids), "results": ranked, "headlines": headlines}
    return results
