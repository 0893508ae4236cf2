"""The semantic stage: how close in meaning each sentence is to the question.

The question is encoded once (:mod:`briefbot.encoder`); the corpus's sentence vectors
were computed when the index was built. The cosine of every sentence is one matrix-vector
product; a passage's semantic score is its best sentence's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .encoder import Encoder
from .index import PassageIndex


@dataclass
class Semantic:
    sentences: np.ndarray  # cosine of every sentence with the question
    best: float  # the best sentence's cosine (in the document asked about)
    passage_cosines: np.ndarray  # cosine with each passage's mean sentence vector
    best_passage: float
    whole_cosines: np.ndarray | None = None  # cosine with each passage embedded whole


def semantic(
    index: PassageIndex, encoder: Encoder | None, text: str, allowed: np.ndarray | None
) -> Semantic | None:
    """Cosines of the question with every sentence, or None without an encoder."""
    if encoder is None or index.embeddings is None or not text.strip():
        return None
    vector = encoder.encode([text])[0]
    cosines = index.embeddings @ vector
    passage = index.passage_vectors @ vector
    whole = None if index.passage_embeddings is None else index.passage_embeddings @ vector
    if allowed is not None:
        mask = allowed[index.sentence_passage]
        cosines = np.where(mask, cosines, -1.0)
        passage = np.where(allowed, passage, -1.0)
    return Semantic(
        cosines,
        float(cosines.max()) if len(cosines) else 0.0,
        passage,
        float(passage.max()) if len(passage) else 0.0,
        whole,
    )


def top_passages(index: PassageIndex, sem: Semantic, k: int) -> list[int]:
    """The ``k`` passages whose best sentence is closest to the question, best first
    (ties: the earlier passage)."""
    best = np.full(len(index), -1.0)
    np.maximum.at(best, index.sentence_passage, sem.sentences)
    k = min(k, len(best))
    if k <= 0:
        return []
    part = np.argpartition(-best, k - 1)[:k]
    order = np.lexsort((part, -best[part]))
    return [int(p) for p in part[order] if best[p] > -1.0]
