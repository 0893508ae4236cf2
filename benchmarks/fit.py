"""Fit the fusion and refusal weights on the training questions only.

    python benchmarks/fit.py [--write]

Training data: benchmarks/questions/train.jsonl (five documents) and the article's two
older sets (tests/data/devset.jsonl, heldout.jsonl). Never dev.jsonl, never sealed.jsonl.

1. Sentence model: logistic regression over the sentences of each answering passage,
   label = the sentence overlaps the question's gold quote snippet.
2. Passage model: logistic regression over every candidate passage of every training
   question, label = the passage holds a gold snippet (unanswerable questions: all 0).
   Fitted twice: with the semantic signals, and without them (the encoder-less fallback).
3. Refusal threshold: on the best candidate's probability, the value that maximises
   balanced accuracy (answerable answered, unanswerable refused) on the training
   questions, ties to the lower threshold.

Logistic regression is Newton's method with a small L2 penalty (λ = 1e-2 on the weights),
in numpy. ``--write`` rewrites the FITTED block of src/briefbot/params.py.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace

import numpy as np

import evalsets
from briefbot import params
from briefbot.answers import rank
from briefbot.evaluate import loose
from briefbot.fusion import sentence_features

L2 = 1e-2
SEMANTIC_ONLY = ("cosine", "cosine_gap")


def logistic(x: np.ndarray, y: np.ndarray, iters: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression (Newton's method)."""
    X = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(X.shape[1])
    penalty = np.full(X.shape[1], L2)
    penalty[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(X @ w)))
        grad = X.T @ (p - y) + penalty * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def _gold(text: str, case) -> bool:
    t = loose(text)
    return any(loose(s) in t for s in case.expect)


def collect(semantic: bool):
    """Sentence rows, passage rows and per-question candidate groups from the training set."""
    sent_x, sent_y, pass_x, pass_y, groups = [], [], [], [], []
    for doc, cases in evalsets.by_document("train", old=True).items():
        bot = evalsets.bot(doc, semantic)
        index, encoder = bot.index, bot.encoder
        for case in cases:
            ranked = rank(index, case.question, encoder)
            rows = []
            for c in ranked.scored:
                passage = index.passages[c.passage_id]
                label = 0 if case.expect_none else int(_gold(passage.text, case))
                rows.append((c.features, label))
                if label and case.quote:
                    from briefbot.answertype import expected_type
                    from briefbot.candidates import lexical
                    from briefbot.similarity import semantic as sem_of

                    q = ranked.question
                    lex = lexical(index, q, params.LEXICAL_CANDIDATES, None)
                    sem = sem_of(index, encoder, q.text, None)
                    feats = sentence_features(index, lex, sem, expected_type(q.text), c.passage_id)
                    for (s, e), f in zip(index.sentences(passage), feats, strict=True):
                        sent_x.append(f)
                        sent_y.append(int(loose(case.quote) in loose(passage.text[s:e])
                                          or loose(passage.text[s:e]) in loose(case.quote)))
            pass_x += [r[0] for r in rows]
            pass_y += [r[1] for r in rows]
            groups.append((case.expect_none, rows))
    return (np.array(sent_x), np.array(sent_y, float), np.array(pass_x), np.array(pass_y, float),
            groups)


def best_threshold(groups, w, b) -> float:
    best_p = []
    for none, rows in groups:
        if not rows:
            best_p.append((none, 0.0))
            continue
        x = np.array([r[0] for r in rows])
        best_p.append((none, float((1 / (1 + np.exp(-(x @ w + b)))).max())))
    candidates = sorted({round(p, 3) for _, p in best_p})
    def balanced(t):
        ans = [p >= t for none, p in best_p if not none]
        ref = [p < t for none, p in best_p if none]
        return (np.mean(ans) if ans else 1) * 0.5 + (np.mean(ref) if ref else 1) * 0.5
    return max(candidates, key=lambda t: (round(balanced(t), 6), -t))


def main(write: bool) -> None:
    names = params.FEATURES
    sx, sy, px, py, groups = collect(semantic=True)
    sw, sb = logistic(sx, sy)
    print("sentence model", np.round(sw, 3), round(sb, 3), f"({len(sy)} sentences)")
    w_sem, b_sem = logistic(px, py)
    keep = np.array([n not in SEMANTIC_ONLY for n in names])
    w_lex, b_lex = logistic(px[:, keep], py)  # refit below on lexical-only features
    _, _, lx, ly, lgroups = collect(semantic=False)
    w_lex, b_lex = logistic(lx[:, keep], ly)
    w_lex_full = np.zeros(len(names))
    w_lex_full[keep] = w_lex
    t_sem = best_threshold(groups, w_sem, b_sem)
    t_lex = best_threshold(lgroups, w_lex_full, b_lex)
    for n, a, c in zip(names, w_sem, w_lex_full, strict=True):
        print(f"  {n:14} semantic {a:+.3f}  lexical {c:+.3f}")
    print("bias", round(b_sem, 3), round(b_lex, 3), "thresholds", t_sem, t_lex)
    print(f"{len(py)} candidate passages, {int(py.sum())} gold, {len(groups)} questions")
    if write:
        fmt = lambda v: "(" + ", ".join(f"{x:.4f}" for x in v) + ")"  # noqa: E731
        block = f'''# FITTED-BEGIN
# Written by benchmarks/fit.py from {len(groups)} training questions ({len(py)} candidate
# passages, {len(sy)} sentences of answering passages); see that script for the procedure.
FEATURES = {tuple(names)!r}
WEIGHTS_SEMANTIC = {fmt(w_sem)}
BIAS_SEMANTIC = {b_sem:.4f}
WEIGHTS_LEXICAL = {fmt(w_lex_full)}
BIAS_LEXICAL = {b_lex:.4f}
REFUSE_BELOW_SEMANTIC = {t_sem}  # the best passage's fused probability
REFUSE_BELOW_LEXICAL = {t_lex}
SENTENCE_WEIGHTS = {fmt(sw)}  # sentence_bm25, cosine, typed_miss
SENTENCE_BIAS = {sb:.4f}
# FITTED-END'''
        path = evalsets.ROOT / "src" / "briefbot" / "params.py"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"# FITTED-BEGIN.*# FITTED-END", lambda _: block, text, flags=re.S)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main("--write" in sys.argv[1:])
