"""HTML extraction quality, 4-gram shingle F1: ScrapingHub's article-extraction-benchmark
and the Dragnet set.

precis runs through exactly the path ``precis add`` takes (read the ``.html.gz`` file,
decode, ``precis.extract`` on an HTML ``RawDocument``: trafilatura plus the boilerplate
rules and the title-line drop); a page it refuses ("no article") scores as empty output.

article-extraction-benchmark (181 pages): beside precis, in the same run, plain
trafilatura with its defaults, computed live, and the stored outputs of the 18 tools in
the data set.

Dragnet (``../shared/data/dragnet``): every page listed in ``training.txt`` or
``test.txt`` whose ``html/<id>.html.gz`` is present, scored per split against the gold
text in ``dragnet_Corrected.tar.gz`` with the comments section dropped. The test pages'
HTML is kept back today, so only the training split is reported; once those files are
put into ``html/`` the test split is reported too, with no code change. Live peers, run
in the same process on the same decoded page: trafilatura (defaults, which keep reader
comments; and with ``include_comments=False``), jusText (English stoplist, the paragraphs
not classed as boilerplate), readability-lxml and boilerpy3's ArticleExtractor. A peer
that raises on a page scores it as empty output. A diagnostic row scores precis's stored
title and text together, since this gold usually keeps the headline that precis stores
apart from the text.

Headlines (Dragnet): the share of pages whose title is found in the gold text's first
``HEADLINE_LINES`` lines (at least ``HEADLINE_COVER`` of its words there), for the title
precis stores, the title trafilatura's metadata gives (what precis stored before it
checked it against the page's <title> element, ``precis.extract.titles``) and
readability-lxml's ``short_title()``; pages precis refuses count as misses for all three.
The gold usually opens with the headline, so a tool that takes a sidebar's heading or the
site's name for the title scores lower.

Metric (the article-extraction-benchmark README and its evaluate.py): tokens are ``\\w+``
matches, shingles are the multiset of token 4-grams; per item precision/recall from the
multiset overlap, averaged over items; F1 from the two means; accuracy is the share of
items whose token list equals the truth exactly.

    python -m bench.run extraction
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import logging
import re
import tarfile
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.common import MissingData, shared, timer, write_result
from precis.models import Article

SHINGLE = 4  # the benchmark's n-gram size
# Headline check: a title counts as found when this share of its words is among the words
# of the gold text's first lines (headline, dateline, byline, section label).
HEADLINE_LINES = 5
HEADLINE_COVER = 0.8
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def item_scores(predicted: str, truth: str) -> tuple[float | None, float | None, bool]:
    """(precision or None when undefined, recall or None, exact token match)."""
    pred_tokens, true_tokens = tokens(predicted), tokens(truth)
    pred, true = shingles(pred_tokens), shingles(true_tokens)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    if fp == fn == 0:
        return 1.0, 1.0, pred_tokens == true_tokens
    # An item enters the precision mean only when something was predicted, and the
    # recall mean only when there is something to find (as in the benchmark's README).
    precision = tp / (tp + fp) if tp + fp > 0 else None
    recall = tp / (tp + fn) if tp + fn > 0 else None
    return precision, recall, pred_tokens == true_tokens


def evaluate(predictions: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    precisions, recalls, exact = [], [], 0
    for item, true_text in truth.items():
        p, r, same = item_scores(predictions.get(item, ""), true_text)
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
        exact += same
    # A tool that predicts nothing on any page has no precision to average: count it 0.
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": round(f1, 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "accuracy": round(exact / len(truth), 3),
    }


def _load_json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def stored_outputs(root: Path) -> dict[str, dict[str, str]]:
    tools = {}
    for path in sorted((root / "output").glob("*.json.gz")):
        data = _load_json_gz(path)
        items = data.get("output", data) if "version" in data else data
        tools[path.name.removesuffix(".json.gz")] = {
            key: (value or {}).get("articleBody") or "" for key, value in items.items()
        }
    return tools


def precis_articles(root: Path, ids: list[str]) -> dict[str, Article | None]:
    """precis's extraction on each page, through the ``precis add`` input path; None
    where precis refuses the page."""
    from precis.config import Settings
    from precis.errors import InputError
    from precis.pipeline import extract_inputs

    settings = Settings.load({}, database_url="sqlite://")
    out: dict[str, Article | None] = {}
    for item in ids:
        (result,) = extract_inputs([str(root / "html" / f"{item}.html.gz")], settings)
        out[item] = None if isinstance(result, InputError) else result
    return out


def precis_outputs(root: Path, ids: list[str]) -> tuple[dict[str, str], int]:
    """precis's article text per page (empty where refused) and the number refused."""
    articles = precis_articles(root, ids)
    texts = {item: "" if a is None else a.text for item, a in articles.items()}
    return texts, sum(a is None for a in articles.values())


def page_html(root: Path, item: str) -> str:
    """The page as text, decoded as ``precis add`` decodes it, so every tool reads the
    same characters (Dragnet has a few pages in legacy encodings)."""
    from precis.ingest.decode import decode

    path = root / "html" / f"{item}.html.gz"
    return decode(gzip.decompress(path.read_bytes()), str(path))


def trafilatura_text(html: str) -> str:
    """Plain ``trafilatura.extract`` with its defaults, as a user would call it."""
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_no_comments_text(html: str) -> str:
    """``trafilatura.extract`` without the comments it adds by default, as precis calls it:
    the gold text of the Dragnet set leaves reader comments out."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def justext_text(html: str) -> str:
    """jusText with its English stoplist: the paragraphs it does not class as boilerplate."""
    import justext

    paragraphs = justext.justext(html, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def readability_text(html: str) -> str:
    """readability-lxml's article HTML, flattened to text with a line per block."""
    from readability import Document

    return block_text(Document(html).summary(html_partial=True))


def boilerpipe_text(html: str) -> str:
    """boilerpy3 (the Python port of boilerpipe), its ArticleExtractor."""
    from boilerpy3 import extractors

    # It prints parser warnings and logs a traceback before raising on broken markup;
    # the failure is counted by peer_outputs, the noise is dropped.
    log = logging.getLogger("boilerpy3")
    log.disabled = True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            text: str = extractors.ArticleExtractor().get_content(html)
    finally:
        log.disabled = False
    return text


# Elements that start a new line when an HTML fragment is flattened to text: without the
# break, "end</p><p>Next" would read as the one token "endNext".
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)


def block_text(fragment: str) -> str:
    import lxml.html

    if not fragment.strip():
        return ""
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in tree.iter():
        if element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


Extractor = Callable[[str], str]
# Live peers on the Dragnet pages, run in the same process as precis.
PEERS: dict[str, Extractor] = {
    "trafilatura (live, defaults)": trafilatura_text,
    "trafilatura (live, include_comments=False)": trafilatura_no_comments_text,
    "jusText (live, English stoplist)": justext_text,
    "readability-lxml (live)": readability_text,
    "boilerpy3 ArticleExtractor (live)": boilerpipe_text,
}


def peer_outputs(root: Path, ids: list[str], extractor: Extractor) -> tuple[dict[str, str], int]:
    """``extractor`` on each page; a page it fails on counts as empty output."""
    out, failed = {}, 0
    for item in ids:
        try:
            out[item] = extractor(page_html(root, item))
        except Exception:  # a peer crashing on one page scores 0 on that page
            failed += 1
            out[item] = ""
    return out, failed


def trafilatura_outputs(root: Path, ids: list[str]) -> dict[str, str]:
    return peer_outputs(root, ids, trafilatura_text)[0]


# --- Dragnet ---------------------------------------------------------------------------

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
    rows: dict[str, dict[str, Any]] = {}
    with timer() as elapsed:
        articles = precis_articles(root, ids)
    refused = sum(a is None for a in articles.values())
    texts = {item: "" if a is None else a.text for item, a in articles.items()}
    rows["precis (precis add path)"] = _row(texts, truth, elapsed["seconds"], refused=refused)
    # The Dragnet gold text mostly starts with the headline, which precis stores as the
    # title, apart from the text (the other benchmark's gold leaves it out): this row
    # scores what a reader of the stored article sees, headline then text.
    shown = {item: "" if a is None else f"{a.title}\n{a.text}" for item, a in articles.items()}
    rows["precis, stored title + text"] = _row(shown, truth, None, refused=refused)
    for name, extractor in PEERS.items():
        with timer() as elapsed:
            produced, failed = peer_outputs(root, ids, extractor)
        rows[name] = _row(produced, truth, elapsed["seconds"], failed=failed)
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
    titles: dict[str, dict[str, str | None]] = {
        "precis (stored title)": {},
        "trafilatura metadata title": {},
        "readability-lxml short_title()": {},
    }
    for item in ids:
        article = articles[item]
        if article is None:  # refused: no title stored for anyone to compare
            continue
        html = page_html(root, item)
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


def _row(
    produced: Mapping[str, str], truth: Mapping[str, str], seconds: float | None, **counts: int
) -> dict[str, Any]:
    empty = sum(1 for item in truth if not produced.get(item, "").strip())
    row: dict[str, Any] = {**evaluate(produced, truth), "pages": len(truth), **counts}
    row["empty"] = empty
    if seconds is not None:
        row["seconds"] = round(seconds, 1)
    return row


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
        _print_table(ranked)
        headlines = score_headlines(root, articles, gold)
        print(f"-- dragnet {split}: title found in the gold's first {HEADLINE_LINES} lines")
        for tool, share in headlines.items():
            print(f"{tool:<44} {share:>6.3f}", flush=True)
        results[split] = {"pages": len(ids), "results": ranked, "headlines": headlines}
    return results


def run_benchmark_set(quick: bool) -> dict[str, Any]:
    """ScrapingHub's article-extraction-benchmark: precis, live trafilatura, stored tools."""
    root = shared("article-extraction-benchmark")
    truth = {k: v["articleBody"] for k, v in _load_json_gz(root / "ground-truth.json.gz").items()}
    ids = sorted(truth)
    if quick:
        ids = ids[:30]
        truth = {k: truth[k] for k in ids}
    rows: dict[str, dict[str, Any]] = {}
    with timer() as elapsed:
        precis_out, refused = precis_outputs(root, ids)
    rows["precis (precis add path)"] = _row(precis_out, truth, elapsed["seconds"], refused=refused)
    with timer() as elapsed:
        produced, failed = peer_outputs(root, ids, trafilatura_text)
    rows["trafilatura (live, defaults)"] = _row(produced, truth, elapsed["seconds"], failed=failed)
    for tool, outputs in stored_outputs(root).items():
        rows[f"{tool} (stored)"] = evaluate(outputs, truth)
    ranked = dict(sorted(rows.items(), key=lambda kv: -kv[1]["f1"]))
    print(f"-- article-extraction-benchmark ({len(ids)} pages)")
    _print_table(ranked)
    return {"items": len(ids), "results": ranked}


def _print_table(ranked: Mapping[str, Mapping[str, Any]]) -> None:
    print(
        f"{'tool':<44} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages':>6} {'refused/failed':>15}"
    )
    for name, row in ranked.items():
        refused = row.get("refused", row.get("failed", ""))
        pages = row.get("pages", "")
        print(
            f"{name:<44} {row['f1']:>6.3f} {row['precision']:>6.3f} {row['recall']:>6.3f} "
            f"{row['accuracy']:>6.3f} {pages:>6} {refused:>15}",
            flush=True,
        )


def run(args: argparse.Namespace) -> int:
    quick = bool(getattr(args, "quick", False))
    sections: dict[str, Callable[[bool], dict[str, Any]]] = {
        "article-extraction-benchmark": run_benchmark_set,
        "dragnet": run_dragnet,
    }
    result: dict[str, Any] = {}
    for name, section in sections.items():
        try:
            result[name] = section(quick)
        except MissingData as exc:
            print(f"skipped extraction ({name}): {exc}", flush=True)
    if not result:
        raise MissingData("neither article-extraction-benchmark nor dragnet is in ../shared/data")
    benchmark = result.pop("article-extraction-benchmark", {})
    path = write_result("extraction", {**benchmark, **result})
    print(f"wrote {path}")
    return 0
