"""Summary quality (ROUGE) and speed: precis's methods beside sumy's and the oracle.

One run scores, on SummEval (CNN/DM, ``ref_summ``), BBC News Summary (first 500 after
de-duplication) and the Newsroom human-evaluation sample (60 articles from 38
publishers; never used to choose precis's weights): each precis method (default length and 3 sentences), Lead-3, sumy's
LexRank, TextRank, LSA, Luhn, KL and SumBasic, and the greedy extractive oracle; on
SummEval also the 16 systems' own summaries (on Newsroom the 7 rated systems'). On
SummEval, ROUGE-1 averaged over all 11 references (``ref_summs``) is reported too. Every extractive method gets the SAME
sentences (precis's split); sumy gets them through its document model, with its
English stop words and Snowball stemmer (no NLTK data download needed).

Further single-document sets are scored in the same run, by the same table (with their
systems' summaries and every reference when they have SummEval's ``sys_summs`` and
``ref_summs``): each ``--extra PATH`` (a ``.jsonl``/``.jsonl.gz`` file or a
folder of them) and every such set found under ../shared/data that no named loader
reads (the kept-back CNN/DM set, once added); see ``bench.summary_data.generic``.

ROUGE: the ``rouge-score`` package, stemming on, F1 x 100; ROUGE-Lsum with sentences
joined by newlines. Speed: documents per second of the batch interface
(``precis summarize --jsonl``, the same function, one process: JSON in and out,
sentence splitting, summarizing) against sumy's LexRank on the identical, already split
sentences; and, like for like, precis's summarizer alone on those same parsed documents.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer, tokenizers

from bench.common import ROOT, timer, write_result
from bench.summary_data import Item, datasets
from precis.cli.summaries import summarize_jsonl
from precis.models import ParsedDocument
from precis.summarize import SUMMARIZERS, Length, summarize
from precis.text.sentences import parse, split_sentences

FIXED_SENTENCES = 3  # Lead-3 and the sumy peers are asked for 3 sentences
ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
_SUMY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

Method = Callable[[ParsedDocument], list[int]]


class _SumyTokenizer:
    """What sumy's Sentence needs (``to_words``) without NLTK's punkt data."""

    language = "english"

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_SUMY_WORD.findall(sentence))

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:  # pragma: no cover
        raise NotImplementedError("sentences come from precis's split")


def sumy_document(doc: ParsedDocument) -> Any:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = _SumyTokenizer()
    paragraphs: dict[int, list[Any]] = {}
    for index in range(len(doc.sentences)):
        sentence = Sentence(doc.sentence_text(index), tokenizer)
        paragraphs.setdefault(doc.paragraph_of[index], []).append(sentence)
    return ObjectDocumentModel([Paragraph(p) for p in paragraphs.values()])


def sumy_method(name: str) -> Method:
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "kl": KLSummarizer,
        "sumbasic": SumBasicSummarizer,
    }
    summarizer = classes[name](Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def select(doc: ParsedDocument) -> list[int]:
        chosen = summarizer(sumy_document(doc), FIXED_SENTENCES)
        return _indexes_of(doc, [str(s) for s in chosen])

    return select


def _indexes_of(doc: ParsedDocument, texts: Sequence[str]) -> list[int]:
    """Map sumy's returned sentence texts back to indexes (first unused match)."""
    free: dict[str, list[int]] = {}
    for index in range(len(doc.sentences)):
        free.setdefault(doc.sentence_text(index).strip(), []).append(index)
    return sorted(free[text].pop(0) for text in texts if free.get(text))


def precis_method(name: str, length: Length) -> Method:
    def select(doc: ParsedDocument) -> list[int]:
        return [s.index for s in summarize(doc, length, name).sentences]

    return select


class Rouge:
    def __init__(self) -> None:
        self.scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
        self.tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def score(self, reference: Sequence[str], summary: Sequence[str]) -> dict[str, float]:
        scores = self.scorer.score("\n".join(reference), "\n".join(summary))
        return {t: 100 * scores[t].fmeasure for t in ROUGE_TYPES}

    def rouge1_all(self, references: Sequence[Sequence[str]], summary: Sequence[str]) -> float:
        """ROUGE-1 F1 averaged over several references (SummEval's 11)."""
        text = "\n".join(summary)
        total = sum(self.scorer.score("\n".join(r), text)["rouge1"].fmeasure for r in references)
        return round(100 * total / len(references), 4)

    def oracle(self, doc: ParsedDocument, reference: Sequence[str]) -> list[int]:
        """Greedy extractive oracle: add the sentence that most raises ROUGE-1 + ROUGE-2
        F1 until none does (Nallapati et al. 2017's labelling rule)."""
        ref = self.tokenizer.tokenize(" ".join(reference))
        ref_grams = (Counter(ref), Counter(pairwise(ref)))
        tokens = [self.tokenizer.tokenize(doc.sentence_text(i)) for i in range(len(doc.sentences))]
        chosen: list[int] = []
        best = 0.0
        while True:
            candidates = [
                (_r12(sorted([*chosen, i]), tokens, ref_grams), i)
                for i in range(len(tokens))
                if i not in chosen
            ]
            if not candidates:
                return sorted(chosen)
            value, index = max(candidates, key=lambda c: (c[0], -c[1]))
            if value <= best:
                return sorted(chosen)
            best = value
            chosen.append(index)


def _r12(
    indexes: Sequence[int], tokens: Sequence[list[str]], ref: tuple[Counter[Any], Counter[Any]]
) -> float:
    words = [w for i in indexes for w in tokens[i]]
    grams = (Counter(words), Counter(pairwise(words)))
    total = 0.0
    for mine, theirs in zip(grams, ref, strict=True):
        overlap = sum((mine & theirs).values())
        if overlap:
            p, r = overlap / sum(mine.values()), overlap / sum(theirs.values())
            total += 2 * p * r / (p + r)
    return total


def methods() -> dict[str, Method]:
    table: dict[str, Method] = {}
    for name in SUMMARIZERS:
        table[f"precis:{name}"] = precis_method(name, Length())
        table[f"precis:{name} (3 sentences)"] = precis_method(name, Length(sentences=3))
    table["Lead-3"] = precis_method("lead", Length(sentences=FIXED_SENTENCES))
    for name in ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic"):
        table[f"sumy:{name}"] = sumy_method(name)
    return table


def _mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each key's mean over the rows that have it (a further set may have several
    references for some documents only)."""
    keys = dict.fromkeys(k for r in rows for k in r)
    return {k: round(sum(values) / len(values), 2) for k in keys if (values := _values(rows, k))}


def _values(rows: Sequence[dict[str, float]], key: str) -> list[float]:
    return [r[key] for r in rows if key in r]


def quality(items: Sequence[Item], rouge: Rouge, table: dict[str, Method]) -> dict[str, Any]:
    parsed = [parse(item.text, item.title) for item in items]
    rows: dict[str, list[dict[str, float]]] = {}
    seconds: dict[str, float] = {}
    for name, method in [*table.items(), ("oracle", None)]:
        start = time.perf_counter()
        for item, doc in zip(items, parsed, strict=True):
            indexes = rouge.oracle(doc, item.reference) if method is None else method(doc)
            summary = [doc.sentence_text(i) for i in indexes]
            score = rouge.score(item.reference, summary)
            if len(item.references) > 1:
                score["rouge1_all_refs"] = rouge.rouge1_all(item.references, summary)
            score["words"] = sum(len(s.split()) for s in summary)
            score["sentences"] = len(summary)
            rows.setdefault(name, []).append(score)
        seconds[name] = round(time.perf_counter() - start, 2)
    for system in sorted({s for item in items for s in item.systems}, key=_system_order):
        # a further set may give a system's summary for some documents only
        for item in (i for i in items if system in i.systems):
            text = item.systems[system]
            summary = [text[s.start : s.end] for s in split_sentences(text)]
            score = rouge.score(item.reference, summary)
            if len(item.references) > 1:
                score["rouge1_all_refs"] = rouge.rouge1_all(item.references, summary)
            score["words"] = len(text.split())
            score["sentences"] = len(summary)
            rows.setdefault(f"system:{system}", []).append(score)
    halves = {
        name: [round(_mean(r[half::2])["rouge1"], 2) for half in (0, 1)]
        for name, r in rows.items()
        if not name.startswith("system:")
    }
    return {
        "documents": len(items),
        "rouge1_even_odd_halves": halves,
        "reference_words": round(
            sum(len(" ".join(i.reference).split()) for i in items) / len(items), 1
        ),
        "scores": {name: _mean(r) for name, r in rows.items()},
        "seconds": seconds,
    }


def _system_order(name: str) -> tuple[int, str]:
    """SummEval's M0..M23 in numeric order; Newsroom's named systems alphabetically."""
    number = name.lstrip("M")
    return (int(number), "") if number.isdigit() else (1_000, name)


SPEED_SETS = ("summeval", "bbc")
SPEED_ROUNDS = 5  # interleaved rounds; the best time of each method counts (shared CPUs)


def speed(items: Sequence[Item]) -> dict[str, Any]:
    """Documents per second: the batch interface vs sumy LexRank on precis's sentences."""
    docs = [parse(item.text, item.title) for item in items]
    lexrank = sumy_method("lexrank")
    best = {"batch": float("inf"), "select": float("inf"), "sumy": float("inf")}
    # CPU time of this process as well as wall time: on a shared machine the wall clock
    # also counts time spent waiting for a CPU, CPU time does not.
    cpu = dict(best)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps({"id": item.id, "text": item.text, "title": item.title}))
                handle.write("\n")
        summarize_jsonl(str(path), Length(), "precis", io.StringIO())  # warm caches
        jobs: dict[str, Callable[[], object]] = {
            "batch": lambda: summarize_jsonl(str(path), Length(), "precis", io.StringIO()),
            "select": lambda: [summarize(doc, Length(), "precis") for doc in docs],
            "sumy": lambda: [lexrank(doc) for doc in docs],
        }
        for _ in range(SPEED_ROUNDS):
            for key, job in jobs.items():
                cpu_start = time.process_time()
                with timer() as box:
                    job()
                cpu[key] = min(cpu[key], time.process_time() - cpu_start)
                best[key] = min(best[key], box["seconds"])
        tracemalloc.start()
        summarize_jsonl(str(path), Length(), "precis", io.StringIO())
        precis_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        cli = _cli_run(path)
    tracemalloc.start()
    for doc in docs:
        lexrank(doc)
    sumy_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rate = {key: len(items) / seconds for key, seconds in best.items()}
    return {
        "documents": len(items),
        "rounds": SPEED_ROUNDS,
        "precis_docs_per_second": round(rate["batch"], 1),
        "sumy_lexrank_docs_per_second": round(rate["sumy"], 1),
        "speedup": round(rate["batch"] / rate["sumy"], 1),
        "precis_summarizer_only_docs_per_second": round(rate["select"], 1),
        "speedup_summarizer_only": round(rate["select"] / rate["sumy"], 1),
        "cpu_time_speedup": round(cpu["sumy"] / cpu["batch"], 1),
        "cpu_time_speedup_summarizer_only": round(cpu["sumy"] / cpu["select"], 1),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "precis_traced_peak_mb": round(precis_peak, 1),
        "sumy_lexrank_traced_peak_mb": round(sumy_peak, 1),
        "cli": cli,
    }


# Runs the precis CLI and, at exit, writes the process's own peak (``VmHWM``) to stderr.
# Not ``RUSAGE_CHILDREN``: Linux carries a peak over fork and exec, so that figure is at
# least this (large) benchmark process's peak, not the CLI's (see precis.memory.peak_rss_mb).
_CLI_WITH_PEAK = """
import atexit, sys
from precis.memory import peak_rss_mb
atexit.register(lambda: sys.stderr.write(f"peak_rss_mb {peak_rss_mb()}\\n"))
sys.argv[0] = "precis"
from precis.cli import main
main()
"""


def _cli_run(path: Path) -> dict[str, float]:
    """The real CLI in a child process: wall time (with start-up) and its own peak RSS."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CLI_WITH_PEAK, "summarize", "--jsonl", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    wall = time.perf_counter() - start
    peak = float(done.stderr.rsplit("peak_rss_mb ", 1)[1].split()[0])
    return {"seconds_with_startup": round(wall, 2), "peak_rss_mb": peak}


def _print_table(name: str, result: dict[str, Any]) -> None:
    print(
        f"-- {name}: {result['documents']} documents, reference {result['reference_words']} words"
    )
    print(
        f"{'method':34} {'R1':>6} {'R2':>6} {'RLsum':>6} {'words':>6} {'sents':>5}"
        f" {'R1 all refs':>11} {'R1 even/odd half':>17}"
    )
    halves = result["rouge1_even_odd_halves"]
    for method, s in result["scores"].items():
        all_refs = f"{s['rouge1_all_refs']:11.2f}" if "rouge1_all_refs" in s else " " * 11
        half = "{:8.2f} {:8.2f}".format(*halves[method]) if method in halves else ""
        print(
            f"{method:34} {s['rouge1']:6.2f} {s['rouge2']:6.2f} {s['rougeLsum']:6.2f} "
            f"{s['words']:6.1f} {s['sentences']:5.1f} {all_refs} {half}"
        )


def run(args: argparse.Namespace) -> int:
    extra = [Path(p) for p in getattr(args, "extra", None) or []]
    data = datasets(args.quick, extra)
    rouge = Rouge()
    table = methods()
    results: dict[str, Any] = {"quick": bool(args.quick), "quality": {}}
    for name, items in data.items():
        results["quality"][name] = quality(items, rouge, table)
        _print_table(name, results["quality"][name])
    # Speed on SummEval + BBC (600 documents), as in earlier runs, so figures compare.
    results["speed"] = speed([item for name in SPEED_SETS for item in data[name]])
    print("-- speed:", json.dumps(results["speed"]))
    path = write_result("summaries-quick" if args.quick else "summaries", results)
    print(f"wrote {path}")
    return 0
