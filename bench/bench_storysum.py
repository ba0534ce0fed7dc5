"""Story summary quality: ROUGE against the NeuS neutral summaries (val split, and
every further held-out split the file holds, such as the kept-back test split, each
reported on its own: ``bench.neus.heldout_splits``).

Side by side, each given the same number of sentences as precis's default for that
story: sumy TextRank and LexRank over the pooled sentences (fed pre-split through
sumy's document model, with a regex word tokenizer, so no NLTK data is needed), lead
sentences (first sentence of each article in turn), and a greedy extractive oracle
(adds the pooled sentence that most raises ROUGE-1+2 F against the reference, with no
length limit; an upper bound for extraction).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bench import neus as neus_data
from bench.common import peak_memory_mb, timer, write_result
from precis.cluster.storysum import SourceArticle, summarize_story
from precis.summarize.base import default_sentences
from precis.text.sentences import parse
from precis.text.tokens import words

Story = dict[str, Any]


class RegexTokenizer:
    """What sumy's Sentence needs (``to_words``), without NLTK's punkt data."""

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(words(text))


def pooled(story: Story) -> list[list[str]]:
    """Each article's sentences, in article order."""
    out = []
    for article in story["articles"]:
        doc = parse(article["text"], article["title"])
        out.append([doc.sentence_text(i) for i in range(len(doc.sentences))])
    return out


def precis_summary(story: Story, count: int) -> list[str]:
    articles = [
        SourceArticle(str(i), a["text"], a["title"], str(i))
        for i, a in enumerate(story["articles"])
    ]
    return [p.text for p in summarize_story(articles).overview]


def lead(story: Story, count: int) -> list[str]:
    per_article = pooled(story)
    chosen: list[str] = []
    depth = 0
    while len(chosen) < count and any(depth < len(s) for s in per_article):
        chosen += [s[depth] for s in per_article if depth < len(s)][: count - len(chosen)]
        depth += 1
    return chosen


def sumy_method(name: str) -> Callable[[Story, int], list[str]]:
    def summarize(story: Story, count: int) -> list[str]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words

        tokenizer = RegexTokenizer()
        paragraphs = [
            Paragraph([Sentence(s, tokenizer) for s in sents]) for sents in pooled(story) if sents
        ]
        summarizer = (TextRankSummarizer if name == "textrank" else LexRankSummarizer)(
            Stemmer("english")
        )
        summarizer.stop_words = get_stop_words("english")
        return [str(s) for s in summarizer(ObjectDocumentModel(paragraphs), count)]

    return summarize


def oracle(scorer: Any, reference: str) -> Callable[[Story, int], list[str]]:
    def summarize(story: Story, count: int) -> list[str]:
        candidates = [s for sents in pooled(story) for s in sents]
        chosen: list[str] = []
        best = 0.0
        while True:
            gains = []
            for s in candidates:
                if s in chosen:
                    continue
                r = scorer.score(reference, "\n".join([*chosen, s]))
                gains.append((r["rouge1"].fmeasure + r["rouge2"].fmeasure, s))
            if not gains:
                return chosen
            value, sentence = max(gains)
            if value <= best:
                return chosen
            best = value
            chosen.append(sentence)

    return summarize


def evaluate(stories: list[Story], scorer: Any) -> dict[str, dict[str, float]]:
    """Mean ROUGE F x 100 of every method over ``stories``, and its seconds."""
    methods: dict[str, Callable[[Story, int], list[str]]] = {
        "precis": precis_summary,
        "sumy_textrank": sumy_method("textrank"),
        "sumy_lexrank": sumy_method("lexrank"),
        "lead": lead,
    }
    totals: dict[str, dict[str, float]] = {m: {} for m in [*methods, "oracle"]}
    seconds: dict[str, float] = {m: 0.0 for m in totals}
    for story in stories:
        count = default_sentences(sum(len(s) for s in pooled(story)))
        runs = {**methods, "oracle": oracle(scorer, story["summary"])}
        for name, method in runs.items():
            with timer() as clock:
                summary = method(story, count)
            seconds[name] += clock["seconds"]
            scores = scorer.score(story["summary"], "\n".join(summary))
            for key, value in scores.items():
                totals[name][key] = totals[name].get(key, 0.0) + value.fmeasure
    results = {
        name: {
            **{k: round(100 * v / len(stories), 2) for k, v in scores.items()},
            "seconds": round(seconds[name], 2),
        }
        for name, scores in totals.items()
    }
    for name, row in results.items():
        print(
            f"{name:14s} R1 {row['rouge1']:.1f}  R2 {row['rouge2']:.1f}  "
            f"RLsum {row['rougeLsum']:.1f}  ({row['seconds']:.1f}s)",
            flush=True,
        )
    return results


def run(args: argparse.Namespace) -> int:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    by_split: dict[str, dict[str, Any]] = {}
    for split in neus_data.heldout_splits():
        stories = neus_data.stories(split)
        if args.quick:
            stories = stories[:60]
        print(f"-- {split}: {len(stories)} stories", flush=True)
        by_split[split] = {"stories": len(stories), "results": evaluate(stories, scorer)}
    # val keeps the top-level keys it always had; any further held-out split (the
    # kept-back test split, once added) is reported under its own name beside it.
    data: dict[str, Any] = dict(by_split.pop(neus_data.VAL, {}))
    if by_split:
        data["further_splits"] = by_split
    write_result("storysum", {**data, "peak_memory_mb": round(peak_memory_mb())})
    return 0
