"""The fusion stage: one relevance score per sentence and per passage.

The lexical signals (:mod:`briefbot.candidates`), the semantic ones
(:mod:`briefbot.similarity`) and the answer-type check (:mod:`briefbot.answertype`) are
combined by two models whose few weights were fitted on training questions
(``benchmarks/fit.py``; the values and their provenance are in :mod:`briefbot.params`).
Passages: a softmax over the question's candidates (a passage's score is its share of
it), which ranks them and is the refusal stage's main evidence. A sentence's score ranks
the sentences of a passage for the quote. Each kind of index has its own fitted weights
(:func:`model`): with the passages' token vectors (late interaction), with sentence
vectors only, and without the encoder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import params
from .answertype import has_type
from .candidates import Lexical, coverage, lead_in
from .generality import everyday
from .index import PassageIndex
from .question import Question
from .similarity import Semantic


@dataclass(frozen=True)
class Scored:
    """A candidate passage with its features, its fused score, and its sentences' scores."""

    passage_id: int
    features: tuple[float, ...]
    score: float  # the passage's share of the fused softmax over the question's candidates
    sentence_scores: tuple[float, ...]  # fused, for the passage's sentences in order


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def sentence_features(
    index: PassageIndex,
    lex: Lexical,
    sem: Semantic | None,
    kind: str | None,
    passage_id: int,
    best: float,
) -> list[tuple[float, float, float]]:
    """(sentence BM25 relative to ``best``, the best candidate sentence's, cosine, typed
    miss) per sentence."""
    lo, hi = index.sentence_range(passage_id)
    text = index.passages[passage_id].text
    best = best or 1.0
    bm25 = lex.sentence_scores(lo, hi)
    cosines = sem.cosines(lo, hi) if sem is not None else None
    out = []
    for i in range(lo, hi):
        s, e = index.sentence_spans[i]
        cos = float(cosines[i - lo]) if cosines is not None else 0.0
        miss = 0.0 if has_type(kind, text[int(s) : int(e)]) else 1.0
        out.append((float(bm25[i - lo]) / best, cos, miss))
    return out


def sentence_score(f: tuple[float, float, float]) -> float:
    w = params.SENTENCE_WEIGHTS
    return sigmoid(w[0] * f[0] + w[1] * f[1] + w[2] * f[2] + params.SENTENCE_BIAS)


def features(
    index: PassageIndex,
    question: Question,
    lex: Lexical,
    sem: Semantic | None,
    kind: str | None,
    ids: list[int],
) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """Per candidate: (passage features in params.FEATURES order, sentence scores)."""
    unknown = _unknown_share(question, lex)
    out: list[tuple[tuple[float, ...], tuple[float, ...]]] = []
    lex.held(ids + [p for p in (lead_in(index, pid) for pid in ids) if p is not None])
    # the scale of sentence scores: the best among the candidates' sentences (it needs no
    # pass over the corpus, and is the corpus's best whenever a candidate holds that)
    best = max(
        (float(lex.sentence_scores(*index.sentence_range(p)).max(initial=0.0)) for p in ids),
        default=0.0,
    )
    for pid in ids:
        sents = sentence_features(index, lex, sem, kind, pid, best)
        scores = tuple(sentence_score(f) for f in sents)
        top2 = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:2]
        typed_miss = 1.0 if kind is not None and all(sents[i][2] for i in top2) else 0.0
        cosine = max((f[1] for f in sents), default=0.0) if sem is not None else 0.0
        cover = coverage(index, question, lex, pid)
        lead = lead_in(index, pid)
        if lead is not None:  # a code block is described by the prose that introduces it
            cover = max(cover, coverage(index, question, lex, lead, also=pid))
            if sem is not None:
                lo, hi = index.sentence_range(lead)
                cosine = max(cosine, float(sem.cosines(lo, hi).max(initial=-1.0)))
        ending = index.passages[pid].text.rstrip()
        opens = 1.0 if ending.endswith(":") else 0.0  # what it introduces comes after it
        late = sem.late(pid) if sem is not None else None
        f = (
            cover,
            cosine,
            typed_miss,
            unknown,
            0.0 if late is None else late,
            opens,
        )
        out.append((f, scores))
    return _late_standardized(out)


_LATE = params.FEATURES.index("late_z")


def _late_standardized(
    rows: list[tuple[tuple[float, ...], tuple[float, ...]]],
) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """Each candidate's late interaction as its z-score among the question's candidates.
    How high late interaction runs depends on the question (its length, its words' vectors)
    more than on the passage; standardized, it says how far a candidate stands out from the
    others (leave-one-document-out: benchmarks/README.md, "Late interaction standardized")."""
    values = np.array([f[_LATE] for f, _ in rows], dtype=np.float64)
    spread = float(values.std()) if len(values) else 0.0
    z = (values - values.mean()) / spread if spread > 0 else np.zeros(len(values))
    return [
        (f[:_LATE] + (float(v),) + f[_LATE + 1 :], s) for (f, s), v in zip(rows, z, strict=True)
    ]


def _unknown_share(question: Question, lex: Lexical) -> float:
    """Share of the question's idf weight carried by words the corpus never uses, everyday
    words left out ("put", "back": a question in other words than the document's)."""
    if sum(lex.idf.values()) <= 0:
        return 1.0 if question.unknown else 0.0
    word = dict(zip(question.terms, question.words, strict=False))
    weights = {t: w for t, w in lex.idf.items() if lex.known[t] or not everyday(word.get(t, t))}
    total = sum(weights.values())
    if total <= 0:  # every word of it everyday English the corpus does not use
        return 0.0
    return sum(w for t, w in weights.items() if not lex.known[t]) / total


def model(sem: Semantic | None) -> str:
    """Which fitted model (params.MODELS) scores a question: the one for what the index
    holds and the encoder gives."""
    if sem is None:
        return "lexical"
    return "late" if sem.has_tokens else "semantic"


def fuse(fs: tuple[float, ...], name: str) -> float:
    """The fitted passage model's logit (higher: more likely the answer)."""
    return sum(a * x for a, x in zip(params.WEIGHTS[name], fs, strict=True))


def score(
    index: PassageIndex,
    question: Question,
    lex: Lexical,
    sem: Semantic | None,
    kind: str | None,
    ids: list[int],
) -> list[Scored]:
    """Candidates scored and ranked best first (ties: the earlier passage)."""
    rows = features(index, question, lex, sem, kind, ids)
    name = model(sem)
    logits = np.array([fuse(f, name) for f, _ in rows])
    shares = np.exp(logits - logits.max()) if len(logits) else logits
    shares = shares / shares.sum() if len(shares) else shares
    order = sorted(range(len(ids)), key=lambda i: (-logits[i], ids[i]))
    return [Scored(ids[i], rows[i][0], float(shares[i]), rows[i][1]) for i in order]


def as_array(rows: list[tuple[float, ...]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(params.FEATURES))
