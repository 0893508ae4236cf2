"""Answer quality per document set: briefbot against baselines, in the same run.

    python benchmarks/bench_quality.py [sealed-5|train|...] [--json OUT] [--no-v1]

For each document's questions of the given parts (default: sealed-5) it measures:
- briefbot (the fused pipeline; and with semantic matching off);
- rank-bm25's BM25Okapi over Snowball stems without stopwords (passages; never refuses);
- all-MiniLM-L6-v2 alone (a passage's best sentence cosine; never refuses);
- the engine before the fused pipeline (commit ENGINE_V1, run from a worktree in a
  subprocess) unless --no-v1.
Baselines that cannot refuse are compared on hit@1, hit@3, MRR and (where they have
excerpts) quote@1 of answerable questions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import evalsets
import numpy as np
from rank_bm25 import BM25Okapi

from briefbot.evaluate import Report, _score, evaluate
from briefbot.stopwords import STOPWORDS
from briefbot.text import WORD, fold, stem


def _terms(text: str) -> list[str]:
    words = (fold(m.group()) for m in WORD.finditer(text))
    return [stem(w) for w in words if w not in STOPWORDS]


def _ranked(question, passages, order) -> SimpleNamespace:
    hits = tuple(
        SimpleNamespace(rank=r, passage=passages[i], excerpt=SimpleNamespace(text=passages[i].text))
        for r, i in enumerate(order[:3], 1)
    )
    return SimpleNamespace(answered=True, hits=hits, reason=None)


def bm25_baseline(doc: str, cases) -> Report:
    index = evalsets.bot(doc).index
    passages = index.passages
    bm25 = BM25Okapi([_terms(p.text) for p in passages])

    def ask(q):
        scores = bm25.get_scores(_terms(q))
        return _ranked(q, passages, sorted(range(len(passages)), key=lambda i: (-scores[i], i)))

    return evaluate(ask, [c for c in cases if not c.expect_none])


def minilm_baseline(doc: str, cases) -> Report | None:
    bot = evalsets.bot(doc)
    index, encoder = bot.index, bot.encoder
    if encoder is None or index.embeddings is None:
        return None

    def ask(q):
        cos = index.embeddings @ encoder.encode([q])[0]
        best = np.full(len(index), -1.0)
        np.maximum.at(best, index.sentence_passage, cos)
        order = sorted(range(len(index)), key=lambda i: (-best[i], i))
        return _ranked(q, index.passages, order)

    return evaluate(ask, [c for c in cases if not c.expect_none])


_V1_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1] + "/src")
from briefbot import Briefbot
jobs = json.load(sys.stdin)
out = {}
for doc, (folder, questions) in jobs.items():
    bot = Briefbot.from_folder(folder, save=False)
    rows = []
    for q in questions:
        a = bot.ask(q, top=3)
        hits = [{"rank": h.rank, "passage": h.passage.text, "excerpt": h.excerpt.text}
                for h in a.hits]
        rows.append({"answered": a.answered, "reason": a.reason, "hits": hits})
    out[doc] = rows
json.dump(out, sys.stdout)
"""


# The engine before the fused pipeline: the last commit before it (the question sets were
# added, the engine unchanged), named by its hash so that any clone finds it.
ENGINE_V1 = "cdd3b1bf457ce4f53dcee425bd02d428b468fa20"


def v1_reports(groups) -> dict[str, Report]:
    root = Path(tempfile.gettempdir()) / "briefbot-engine-v1"
    if not root.exists():
        subprocess.run(
            [
                "git",
                "-C",
                str(evalsets.ROOT),
                "worktree",
                "add",
                "--detach",
                str(root),
                ENGINE_V1,
            ],
            check=True,
            capture_output=True,
        )
    jobs = {
        doc: (str(evalsets.CORPORA[doc]), [c.question for c in cases])
        for doc, cases in groups.items()
    }
    done = subprocess.run(
        [sys.executable, "-c", _V1_SCRIPT, str(root)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
    )
    answers = json.loads(done.stdout)
    reports = {}
    for doc, cases in groups.items():
        report = Report()
        for case, a in zip(cases, answers[doc], strict=True):
            ans = SimpleNamespace(
                answered=a["answered"],
                reason=a["reason"],
                hits=tuple(
                    SimpleNamespace(
                        rank=h["rank"],
                        passage=SimpleNamespace(text=h["passage"], paragraph=0),
                        excerpt=SimpleNamespace(text=h["excerpt"]),
                    )
                    for h in a["hits"]
                ),
            )
            one = _score(ans, case, report.misses)
            report.total.add(one)
            report.kinds.setdefault(case.kind, type(one)()).add(one)
        reports[doc] = report
    return reports


def row(name: str, r: Report | None, refuses: bool = True) -> str:
    if r is None:
        return f"| {name} | (encoder not installed) |||||| "
    t = r.total.as_dict()
    ref = f"{r.total.refused_right}/{r.unanswerable}" if refuses and r.unanswerable else "-"
    wrong = f"{r.wrongly_refused}/{r.answerable}" if refuses else "-"
    return (
        f"| {name} | {t['hit@1']:.2f} | {t['hit@3']:.2f} | {t['mrr']:.2f} | {t['quote@1']:.2f} "
        f"| {ref} | {wrong} |"
    )


def main(argv: list[str]) -> None:
    known = evalsets.PARTS
    parts = [a for a in argv if a in known] or ["sealed-5"]
    out = argv[argv.index("--json") + 1] if "--json" in argv else None
    groups = evalsets.by_document(*parts)
    v1 = {} if "--no-v1" in argv else v1_reports(groups)
    results: dict[str, dict] = {}
    for doc, cases in groups.items():
        engine = evaluate(evalsets.bot(doc), cases)
        lexical = evaluate(evalsets.bot(doc, semantic=False), cases)
        n_ans = sum(not c.expect_none for c in cases)
        print(
            f"\n{doc} ({'+'.join(parts)}: {n_ans} answerable + {len(cases) - n_ans} unanswerable)\n"
        )
        print(
            "| ranker | hit@1 | hit@3 | MRR | quote@1 | unanswerable refused | answerable refused |"
        )
        print("|---|---|---|---|---|---|---|")
        print(row("rank-bm25, stems + stopwords", bm25_baseline(doc, cases), refuses=False))
        print(row("all-MiniLM-L6-v2 alone", minilm_baseline(doc, cases), refuses=False))
        if doc in v1:
            print(row("engine-v1 (before this pipeline)", v1[doc]))
        print(row("briefbot, lexical only", lexical))
        print(row("**briefbot**", engine))
        results[doc] = {
            "briefbot": engine.to_dict(),
            "lexical": lexical.to_dict(),
            **({"engine-v1": v1[doc].to_dict()} if doc in v1 else {}),
        }
    if out:
        evalsets.dump(Path(out), results)


if __name__ == "__main__":
    main(sys.argv[1:])
