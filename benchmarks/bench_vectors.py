"""Semantic vectors at scale: embedded at build, or the candidates' encoded when asked.

    python benchmarks/bench_vectors.py [--parts train,dev] [--json OUT]

An index of more than ``params.EMBED_AT_BUILD_SENTENCES`` sentences holds no vectors:
each question encodes its lexical candidates' sentences (and its best passage whole), so
semantic similarity can no longer propose candidates of its own. This measures what that
costs on the evaluation's documents, answering the same questions both ways:

- *at build*: the index as the project builds it for these documents (every vector saved);
- *when asked*: the same index with its vectors taken away, so every question takes the
  large-index path. Its sentence vectors are filled in from the saved ones (the encoder
  would give them again) so the run takes minutes, not hours; the passage-whole vector
  is encoded for real.

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

from briefbot import params
from briefbot.evaluate import evaluate


def without_vectors(bot, keep_cache: bool):
    """A copy of ``bot`` whose index has no saved vectors (the large-index path)."""
    other = copy.copy(bot)
    index = copy.copy(bot.index)
    index.vector_cache = dict(enumerate(index.embeddings)) if keep_cache else {}
    index.embeddings = None
    index.passage_embeddings = None
    other.index = index
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="train,dev")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--caps", default="20,10,5", help="candidates encoded when asked")
    args = parser.parse_args()
    parts = args.parts.split(",")
    rows = {}
    print(f"questions: {' + '.join(parts)}; hit@1 / hit@3 / quote@1 / unanswerable refused /")
    print("answerable refused, at build → when asked\n")
    print(
        "| document | questions | at build | "
        + " | ".join(f"when asked, {c} candidates" for c in args.caps.split(","))
        + " |"
    )
    print("|---|---|---|" + "---|" * len(args.caps.split(",")))
    caps = [int(c) for c in args.caps.split(",")]
    for doc, cases in evalsets.by_document(*parts).items():
        bot = evalsets.bot(doc)
        got = []
        for cap in [None, *caps]:
            variant = bot if cap is None else without_vectors(bot, keep_cache=True)
            params.ENCODED_CANDIDATES = cap or params.ENCODED_CANDIDATES
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
    runs = [("at build", None)] + [(f"when asked, {c} candidates, nothing cached", c) for c in caps]
    for name, cap in runs:
        lat = []
        if cap is not None:
            params.ENCODED_CANDIDATES = cap
        for q in questions:
            target = bot if cap is None else without_vectors(bot, keep_cache=False)
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
