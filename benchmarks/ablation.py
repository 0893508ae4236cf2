"""Ablation: each signal or stage removed in turn, its effect on every document set.

    python benchmarks/ablation.py [sealed-5|dev|...] [--json OUT]
    python benchmarks/ablation.py --cv

A fusion feature is removed by refitting the ranker and the refusal model without it on
the training questions (benchmarks/fit.py's procedure), then measuring the part asked for
(default sealed-5). A stage is removed by switching it off in the question stage (chat
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


def _measure(part: str, semantic: bool = True) -> dict[str, tuple[float, ...]]:
    out = {}
    for doc, cases in evalsets.by_document(part).items():
        r = evaluate(evalsets.bot(doc, semantic), cases)
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
    keep = np.array([n != drop and n not in params.REFUSAL_ONLY for n in names])
    sub = [(n, [(np.asarray(f)[keep], y) for f, y in rows]) for n, rows, *_ in groups]
    w = np.zeros(len(names))
    w[keep] = fit.conditional_logit(sub)
    rx, ry = fit.refusal_rows(groups, w, 0.0)
    if drop is not None and drop in fit.REFUSAL_COLUMNS:
        rx[:, fit.REFUSAL_COLUMNS.index(drop)] = 0.0
    rw, rb = fit.signed_logistic(rx, ry, params.REFUSAL_SIGNS, fit.balance(groups))
    # the model the evaluation's small indexes use (each holds its token vectors)
    params.WEIGHTS = {**params.WEIGHTS, "late": tuple(w)}
    params.REFUSAL_WEIGHTS = {**params.REFUSAL_WEIGHTS, "late": tuple(rw)}
    params.REFUSAL_BIAS = {**params.REFUSAL_BIAS, "late": rb}
    params.REFUSE_BELOW = {**params.REFUSE_BELOW, "late": fit.best_threshold(rx, ry, rw, rb)}


def main(argv: list[str]) -> None:
    part = next((a for a in argv if a in evalsets.PARTS), "sealed-5")
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
    rows.append(("without semantic similarity", _measure(part, semantic=False)))
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
    """Leave one document out: fit the ranker and the refusal model on the other
    documents' training questions, answer the left-out document's, for the full feature
    set and each feature removed. Per left-out document: hit@1 of the ranking alone, and
    end to end (refused counts as a miss) with the share of unanswerable questions refused
    and of answerable ones refused."""
    per_doc: dict[str, list] = {}
    fit.collect(semantic=True, parts=CV_PARTS, old=True, by_doc=per_doc)
    names = list(params.FEATURES)
    docs = sorted(per_doc)
    table = {}
    for drop in [None, *names]:
        keep = np.array([n != drop and n not in params.REFUSAL_ONLY for n in names])
        if drop in params.REFUSAL_ONLY:
            continue
        cells = {}
        for doc in docs:
            others = [g for d in docs if d != doc for g in per_doc[d]]
            sub = [(n, [(np.asarray(f)[keep], y) for f, y in rows]) for n, rows, *_ in others]
            w = np.zeros(len(names))
            w[keep] = fit.conditional_logit(sub)
            rx, ry = fit.refusal_rows(others, w, 0.0)
            rw, rb = fit.signed_logistic(rx, ry, params.REFUSAL_SIGNS, fit.balance(others))
            limit = fit.best_threshold(rx, ry, rw, rb)
            tx, ty = fit.refusal_rows(per_doc[doc], w, 0.0)
            answered = 1 / (1 + np.exp(-(tx @ rw + rb))) >= limit
            rank_hits = end_hits = 0
            n_ans = 0
            row = 0
            for none, rows, *_ in per_doc[doc]:
                if not rows:
                    n_ans += 0 if none else 1
                    continue
                ok = answered[row]
                row += 1
                if none:
                    continue
                n_ans += 1
                z = np.array([np.asarray(f) @ w for f, _ in rows])
                best = min(range(len(rows)), key=lambda i: (-z[i], i))
                rank_hits += rows[best][1]
                end_hits += rows[best][1] * ok
            cells[doc] = (
                rank_hits / n_ans,
                end_hits / n_ans,
                float(np.mean(~answered[ty == 0])) if (ty == 0).any() else 1.0,
                float(np.mean(~answered[ty == 1])),
            )
        table["full" if drop is None else f"without {drop}"] = cells
    print(
        f"\nleave-one-document-out ({' + '.join(CV_PARTS)} questions): ranking hit@1 / "
        "hit@1 with refusal / unanswerable refused / answerable refused\n"
    )
    print("| variant | " + " | ".join(docs) + " | mean ranking hit@1 |")
    print("|---|" + "---|" * (len(docs) + 1))
    for name, cells in table.items():
        mean = sum(c[0] for c in cells.values()) / len(cells)
        shown = [" / ".join(f"{v:.2f}" for v in cells[d]) for d in docs]
        print(f"| {name} | " + " | ".join(shown) + f" | {mean:.3f} |")
    if out is not None:
        out.update(table)


if __name__ == "__main__":
    if "--cv" in sys.argv:
        cross_validated()
    else:
        main(sys.argv[1:])
