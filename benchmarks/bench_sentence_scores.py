"""What a question's sentence scoring costs: every sentence scored, or only the candidates'.

An answer needs the BM25 scores of its ~40 candidate passages' sentences and the best
sentence score in the corpus (the scale they are read on). Until this change the engine
scored every sentence (``BM25Index.get_scores``, a dense array per question) and read
both from that array; now it asks the retriever for the candidates' sentences
(``scores_of``) and, separately, for the best one. Timed here, in the same run, on the
same index: the dense pass, the candidates' scores alone, and the best sentence by
``top_k(terms, 1)`` (the alternative to the dense pass for the scale); sentences
of 12 words drawn from a Zipf-distributed vocabulary of 50,000 terms, questions of 6
terms drawn the same way, 160 candidate sentence ids per question.

    python benchmarks/bench_sentence_scores.py [--sizes 100000,1000000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from briefbot.bm25 import BM25Index  # noqa: E402

SEED = 7
QUESTIONS = 100


def corpus(n: int, rng: np.random.Generator) -> list[list[str]]:
    ranks = np.minimum(rng.zipf(1.2, size=(n, 12)), 50_000)
    return [[f"t{r}" for r in row] for row in ranks.tolist()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(
        "| sentences | every sentence (get_scores) p50 / p99 | candidates only (scores_of)"
        " p50 / p99 | best by top_k(terms, 1) p50 / p99 | same scores |"
    )
    print("|---|---|---|---|---|")
    for n in sizes:
        rng = np.random.default_rng(SEED)
        index = BM25Index(corpus(n, rng))
        queries = [
            [f"t{r}" for r in np.minimum(rng.zipf(1.3, 6), 50_000)] for _ in range(QUESTIONS)
        ]
        full, part, best_k, same = [], [], [], True
        for q in queries:
            ids = rng.integers(0, n, 160)
            t = time.perf_counter()
            scores = index.get_scores(q)
            best = float(scores.max())
            wanted = scores[ids]
            full.append(time.perf_counter() - t)
            t = time.perf_counter()
            got = index.scores_of(q, ids)
            part.append(time.perf_counter() - t)
            t = time.perf_counter()
            top = index.top_k(q, 1)
            best_k.append(time.perf_counter() - t)
            same &= np.array_equal(got, wanted) and (top[0][1] if top else 0.0) == best
        f50, f99 = np.percentile(full, [50, 99]) * 1e3
        p50, p99 = np.percentile(part, [50, 99]) * 1e3
        k50, k99 = np.percentile(best_k, [50, 99]) * 1e3
        print(
            f"| {n:,} | {f50:.2f} / {f99:.2f} ms | {p50:.2f} / {p99:.2f} ms"
            f" | {k50:.2f} / {k99:.2f} ms | {same} |"
        )


if __name__ == "__main__":
    main()
