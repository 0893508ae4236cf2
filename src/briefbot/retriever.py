"""The seam between the answer pipeline and wherever BM25 runs: a :class:`Retriever`.

The candidates stage asks a retriever a few things about a question's index terms (already
tokenized by :mod:`briefbot.text`): the best passages by BM25 with their scores, the
scores of the candidates' sentences, which of the terms each candidate holds, each term's
idf, and whether the corpus uses a term.
No call scores every sentence or passage of the corpus. It never
reaches into an index's arrays, so another implementation can stand behind the same calls.

:class:`LocalRetriever` is today's: the in-process postings of :mod:`briefbot.bm25`, whose
scores equal rank-bm25's BM25Okapi (k1 1.5, b 0.75, epsilon 0.25) bit for bit, ties going
to the earlier passage. docs/scaling.md describes one over OpenSearch or Elasticsearch and
when a deployment should switch to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .bm25 import BM25Index

Range = tuple[int, int]


@runtime_checkable
class Retriever(Protocol):
    """BM25 over a corpus's passages and sentences, as the answer pipeline needs it."""

    @property
    def passage_count(self) -> int:
        """How many passages are indexed (passage ids are 0 .. passage_count - 1)."""
        ...

    def top_passages(
        self, terms: Sequence[str], k: int, document: Range | None = None
    ) -> list[tuple[int, float]]:
        """At most ``k`` (passage id, BM25 score) pairs with a score above 0, best first,
        ties to the lower id; only passages in ``document``'s id range when given."""
        ...

    def sentence_scores(self, terms: Sequence[str], sentences: NDArray) -> NDArray:
        """The BM25 score of each of the sentences ``sentences`` (ids), each sentence
        scored as its own small document among all the corpus's sentences."""
        ...

    def holds(self, terms: Sequence[str], passages: NDArray) -> NDArray:
        """Whether each passage of ``passages`` (ids) holds each term, in its text or its
        heading: a boolean array of shape (len(passages), len(terms))."""
        ...

    def idf(self, term: str) -> float:
        """The term's idf among the passages (BM25Okapi's, epsilon floor included)."""
        ...

    def knows(self, term: str) -> bool:
        """Whether any passage or sentence uses the term."""
        ...


class LocalRetriever:
    """The in-process implementation: postings over passages and over sentences."""

    def __init__(self, passages: BM25Index, sentences: BM25Index) -> None:
        self._passages = passages
        self._sentences = sentences

    @property
    def passage_count(self) -> int:
        return self._passages.n_docs

    def top_passages(
        self, terms: Sequence[str], k: int, document: Range | None = None
    ) -> list[tuple[int, float]]:
        allowed = None
        if document is not None:
            allowed = np.zeros(self._passages.n_docs, dtype=bool)
            allowed[document[0] : document[1]] = True
        return self._passages.top_k(terms, k, allowed=allowed)

    def sentence_scores(self, terms: Sequence[str], sentences: NDArray) -> NDArray:
        return self._sentences.scores_of(terms, sentences)

    def holds(self, terms: Sequence[str], passages: NDArray) -> NDArray:
        out = np.zeros((len(passages), len(terms)), dtype=bool)
        for j, term in enumerate(terms):
            out[:, j] = self._passages.holds(term, passages)
        return out

    def idf(self, term: str) -> float:
        return self._passages.idf(term)

    def knows(self, term: str) -> bool:
        return term in self._passages or term in self._sentences
