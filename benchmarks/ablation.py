"""Ablation: each signal or stage removed in turn, its effect on every document set.

    python benchmarks/ablation.py [dev|sealed] [--json OUT]

A fusion feature is removed by refitting the ranker and the refusal model without it on
the training questions (benchmarks/fit.py's procedure), then measuring the part asked for
(default dev). A stage is removed by switching it off in the question stage (chat
cleanup, typo repair) or by answering without the encoder (semantic similarity).
"""

from __future__ import annotations

import sys
from pathlib import Path

import evalsets
import fit
import numpy as np

from briefbot import params, question
from briefbot.evaluate import evaluate


def _measure(part: str) -> dict[str, tuple[float, float, float, float, float]]:
    out = {}
    for doc, cases in evalsets.by_document(part).items():
        r = evaluate(evalsets.bot(doc), cases)
        t = r.total
        out[doc] = (
            r.hit_at_1,
            r.hit_at_3,
            r.quote_at_1,
            r.refusal_accuracy,
            t.refused_wrong / (t.answerable or 1),
        )
    return out


def _refit(groups, drop: str | None) -> None:
    names = list(params.FEATURES)
    keep = np.array([n != drop for n in names])
    sub = [(n, [(np.asarray(f)[keep], y) for f, y in rows], u) for n, rows, u in groups]
    w = np.zeros(len(names))
    w[keep] = fit.conditional_logit(sub)
    rx, ry = fit.refusal_rows(groups, w, 0.0)
    if drop is not None and drop in fit.REFUSAL_COLUMNS:
        rx[:, fit.REFUSAL_COLUMNS.index(drop)] = 0.0
    rw, rb = fit.signed_logistic(rx, ry, params.REFUSAL_SIGNS)
    params.WEIGHTS_SEMANTIC = tuple(w)
    params.BIAS_SEMANTIC = 0.0
    params.REFUSAL_WEIGHTS_SEMANTIC = tuple(rw)
    params.REFUSAL_BIAS_SEMANTIC = rb
    params.REFUSE_BELOW_SEMANTIC = fit.best_threshold(rx, ry, rw, rb)


def main(argv: list[str]) -> None:
    part = next((a for a in argv if a in ("dev", "sealed", "train")), "dev")
    saved = {k: getattr(params, k) for k in dir(params) if k.isupper()}
    _, _, _, _, groups = fit.collect(semantic=True)
    rows: list[tuple[str, dict]] = [("full pipeline", _measure(part))]
    for name in params.FEATURES:
        _refit(groups, name)
        rows.append((f"without {name}", _measure(part)))
        for k, v in saved.items():
            setattr(params, k, v)
    plain = question.correct
    question.correct = lambda index, word: None  # type: ignore[assignment]
    rows.append(("without typo repair", _measure(part)))
    question.correct = plain
    chat = question.without_chat
    question.without_chat = lambda text, names=(): text  # type: ignore[assignment]
    rows.append(("without chat cleanup", _measure(part)))
    question.without_chat = chat
    lexical = {}
    for doc, cases in evalsets.by_document(part).items():
        r = evaluate(evalsets.bot(doc, semantic=False), cases)
        t = r.total
        lexical[doc] = (
            r.hit_at_1,
            r.hit_at_3,
            r.quote_at_1,
            r.refusal_accuracy,
            t.refused_wrong / (t.answerable or 1),
        )
    rows.append(("without semantic similarity", lexical))
    docs = list(rows[0][1])
    print(f"hit@1 / quote@1 / unanswerable refused on the {part} questions, each document set\n")
    print("| variant | " + " | ".join(docs) + " | mean hit@1 |")
    print("|---|" + "---|" * (len(docs) + 1))
    for name, m in rows:
        cells = [f"{m[d][0]:.2f} / {m[d][2]:.2f} / {m[d][3]:.2f}" for d in docs]
        mean = sum(m[d][0] for d in docs) / len(docs)
        print(f"| {name} | " + " | ".join(cells) + f" | {mean:.3f} |")
    if "--json" in argv:
        evalsets.dump(Path(argv[argv.index("--json") + 1]), {n: m for n, m in rows})


CV_PARTS = fit.TRAINING


def cross_validated(out: dict | None = None) -> None:
    """Leave one document out: fit the ranker on the other documents' train + dev
    questions, rank the left-out document's, for the full feature set and each feature
    removed. hit@1 of the ranking alone (no refusal), per left-out document."""
    per_doc: dict[str, list] = {}
    fit.collect(semantic=True, parts=CV_PARTS, old=True, by_doc=per_doc)
    names = list(params.FEATURES)
    docs = sorted(per_doc)
    table = {}
    for drop in [None, *names]:
        keep = np.array([n != drop for n in names])
        cells = {}
        for doc in docs:
            train = [
                (n, [(np.asarray(f)[keep], y) for f, y in rows], u)
                for d in docs
                if d != doc
                for n, rows, u in per_doc[d]
            ]
            w = fit.conditional_logit(train)
            hits = total = 0
            for none, rows, _ in per_doc[doc]:
                if none or not any(y for _, y in rows):
                    total += 0 if none else 1
                    continue
                x = np.array([np.asarray(f)[keep] for f, _ in rows])
                z = x @ w
                best = min(range(len(rows)), key=lambda i: (-z[i], i))
                hits += rows[best][1]
                total += 1
            cells[doc] = hits / total
        table["full" if drop is None else f"without {drop}"] = cells
    print(f"\nleave-one-document-out hit@1 of the ranking ({' + '.join(CV_PARTS)} questions)\n")
    print("| variant | " + " | ".join(docs) + " | mean |")
    print("|---|" + "---|" * (len(docs) + 1))
    for name, cells in table.items():
        mean = sum(cells.values()) / len(cells)
        print(f"| {name} | " + " | ".join(f"{cells[d]:.3f}" for d in docs) + f" | {mean:.3f} |")
    if out is not None:
        out.update(table)


if __name__ == "__main__":
    if "--cv" in sys.argv:
        cross_validated()
    else:
        main(sys.argv[1:])
