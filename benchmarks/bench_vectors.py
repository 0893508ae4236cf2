"""Semantic vectors at scale: embedded at build, or the candidates' encoded when asked.

    python benchmarks/bench_vectors.py [--parts train,dev] [--json OUT]

An index of more than ``params.EMBED_AT_BUILD_SENTENCES`` sentences holds no vectors:
each question encodes its lexical candidates' sentences (and its best passage whole), so
semantic similarity can no longer propose candidates of its own. This measures what that
costs on the evaluation's documents, answering the same questions both ways:

- *at build*: the index as the project builds it for these documents (every vector saved);
- *when asked*: the same index with its vectors taken away, so every question takes the
  large-index path: it encodes its best ``params.ENCODED_CANDIDATES`` candidates'
  sentences, at most ``params.ENCODE_BUDGET_TOKENS`` tokens of them, and its best
  passage whole. The encoder answers from the vectors saved at build for texts it was
  given then (the numbers it would compute again), so the run takes minutes, not hours.

Then the cost of that path where nothing is cached: the article's dev questions asked in
a fresh index without vectors, each one's candidates encoded for it, beside the same
questions on the index with vectors.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import evalsets
import numpy as np

from briefbot import params
from briefbot.evaluate import evaluate


class Recall:
    """The encoder, answering from the vectors saved at build for the texts encoded then
    (each sentence alone, each passage whole: what it would compute again)."""

    def __init__(self, encoder, index) -> None:
        self._encoder = encoder
        self.name = encoder.name
        sentences = index.sentence_texts(range(len(index.sentence_passage)))
        self._known = dict(zip(sentences, index.embeddings, strict=True))
        whole = [index.passage_encode_text(p) for p in range(len(index))]
        self._known.update(zip(whole, index.passage_embeddings, strict=True))

    def token_counts(self, texts):
        return self._encoder.token_counts(texts)

    def encode_with_tokens(self, text):
        return self._encoder.encode_with_tokens(text)

    def encode(self, texts, tokens=params.ENCODE_BATCH_TOKENS):
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self._encoder.encode(missing), strict=True))
        return np.array([self._known[t] for t in texts], np.float32).reshape(-1, 384)


def without_vectors(bot, recall: bool):
    """A copy of ``bot`` whose index has no saved vectors (the large-index path); with
    ``recall``, its encoder answers from the saved ones (:class:`Recall`)."""
    other = copy.copy(bot)
    index = copy.copy(bot.index)
    encoder = Recall(bot.encoder, bot.index) if recall else bot.encoder
    index.vector_cache = {}
    index.embeddings = None
    index.passage_embeddings = None
    other.index = index
    other._model = dict(bot._model, tried=True, encoder=encoder)
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="train,dev")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--caps", default="10", help="candidates encoded when asked")
    parser.add_argument("--budgets", default="none", help="tokens encoded when asked")
    args = parser.parse_args()
    parts = args.parts.split(",")
    caps = [
        (int(c), None if b == "none" else int(b))
        for c in args.caps.split(",")
        for b in args.budgets.split(",")
    ]
    rows = {}
    print(f"questions: {' + '.join(parts)}; hit@1 / hit@3 / quote@1 / unanswerable refused /")
    print("answerable refused, at build → when asked\n")
    print(
        "| document | questions | at build | "
        + " | ".join(f"when asked, {c} candidates, {b or 'all'} tokens" for c, b in caps)
        + " |"
    )
    print("|---|---|---|" + "---|" * len(caps))
    for doc, cases in evalsets.by_document(*parts).items():
        bot = evalsets.bot(doc)
        got = []
        for cap in [None, *caps]:
            variant = bot if cap is None else without_vectors(bot, recall=True)
            if cap is not None:
                params.ENCODED_CANDIDATES, params.ENCODE_BUDGET_TOKENS = cap
            r = evaluate(variant, cases)
            t = r.total
            got.append(
                (
                    r.hit_at_1,
                    r.hit_at_3,
                    r.quote_at_1,
                    r.refusal_accuracy,
                    t.refused_wrong / (t.answerable or 1),
                )
            )
        rows[doc] = got
        cells = [" / ".join(f"{v:.2f}" for v in g) for g in got]
        print(f"| {doc} | {len(cases)} | " + " | ".join(cells) + " |", flush=True)
    n = len(caps) + 1
    means = [[statistics.mean(r[i][j] for r in rows.values()) for j in range(5)] for i in range(n)]
    cells = [" / ".join(f"{v:.3f}" for v in m) for m in means]
    print("| mean | | " + " | ".join(cells) + " |")

    bot = evalsets.bot("article")
    questions = [c.question for c in evalsets.by_document("dev")["article"]]
    timing = {}
    runs = [("at build", None)] + [
        (f"when asked, {c} candidates, {b or 'all'} tokens, nothing cached", (c, b))
        for c, b in caps
    ]
    for name, cap in runs:
        lat = []
        if cap is not None:
            params.ENCODED_CANDIDATES, params.ENCODE_BUDGET_TOKENS = cap
        for q in questions:
            target = bot if cap is None else without_vectors(bot, recall=False)
            t = time.perf_counter()
            target.ask(q)
            lat.append(time.perf_counter() - t)
        lat.sort()
        timing[name] = (lat[len(lat) // 2] * 1000, lat[-1] * 1000)
    print(f"\nask on the article, {len(questions)} dev questions: p50 / max")
    for name, (p50, worst) in timing.items():
        print(f"- {name}: {p50:.0f} / {worst:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps({"quality": rows, "timing": timing}, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
