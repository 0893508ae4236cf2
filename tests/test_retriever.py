"""The Retriever seam: the pipeline answers the same through any implementation of it.

The second implementation here is rank-bm25 itself, over the same index terms: swapped in
for the in-process postings, every answer (ranking, scores, quotes, refusals) is the same.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from briefbot import Briefbot
from briefbot.index import PassageIndex
from briefbot.render import answer_to_json
from briefbot.retriever import LocalRetriever, Retriever

from .helpers import ROOT

QUESTIONS = (
    "why wasn't this peacekeeping?",
    "who runs the CSTO?",
    "What did Tokayev ask for?",
    "Who heads NATO?",
    "how many troops were sent",
)


class RankBM25Retriever:
    """BM25 by rank-bm25's BM25Okapi over the index's own terms: slow, and the reference."""

    def __init__(self, index: PassageIndex) -> None:
        rows: list[list[str]] = []
        sentence_rows: list[list[str]] = []
        for passage in index.passages:
            tokens = index.tokens(passage)
            rows.append([t.term for t in tokens] + list(index.heading_terms(passage)))
            for s, e in index.sentences(passage):
                sentence_rows.append([t.term for t in tokens if s <= t.start < e])
        self._passages = BM25Okapi(rows)
        self._sentences = BM25Okapi(sentence_rows)
        self._vocabulary = {t for row in rows for t in row}
        self._held = [frozenset(row) for row in rows]
        self._index = index
        self.calls = 0

    @property
    def passage_count(self) -> int:
        return self._passages.corpus_size

    def top_passages(
        self, terms: Sequence[str], k: int, document: tuple[int, int] | None = None
    ) -> list[tuple[int, float]]:
        self.calls += 1
        scores = self._passages.get_scores(list(terms))
        ids = range(len(scores)) if document is None else range(*document)
        ranked = sorted((i for i in ids if scores[i] > 0), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in ranked[:k]]

    def sentence_scores(self, terms: Sequence[str], sentences: np.ndarray) -> np.ndarray:
        scores = np.asarray(self._sentences.get_scores(list(terms)), dtype=np.float64)
        return scores[np.asarray(sentences, dtype=np.int64)]

    def holds(self, terms: Sequence[str], passages: np.ndarray) -> np.ndarray:
        rows = [[t in self._held[int(p)] for t in terms] for p in passages]
        return np.array(rows, dtype=bool).reshape(len(passages), len(terms))

    def idf(self, term: str) -> float:
        return float(self._passages.idf.get(term, 0.0))

    def knows(self, term: str) -> bool:
        return term in self._vocabulary


@pytest.fixture(scope="module")
def swapped(bot: Briefbot) -> tuple[Briefbot, RankBM25Retriever]:
    other = copy.copy(bot)
    other.index = copy.copy(bot.index)
    reference = RankBM25Retriever(bot.index)
    other.index.retriever = reference
    return other, reference


def test_the_in_process_index_is_a_retriever(bot: Briefbot) -> None:
    assert isinstance(bot.index.retriever, LocalRetriever)
    assert isinstance(bot.index.retriever, Retriever)
    assert isinstance(RankBM25Retriever(bot.index), Retriever)


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_are_the_same_through_rank_bm25(bot, swapped, question) -> None:
    other, reference = swapped
    before = reference.calls
    assert answer_to_json(other.ask(question)) == answer_to_json(bot.ask(question))
    assert reference.calls > before  # the swapped retriever is what was searched


def test_a_document_scope_goes_through_the_retriever(tmp_path, lexical_only) -> None:
    import shutil

    for name in ("direnv.md", "custom-transfers.md"):
        shutil.copy(ROOT / "tests" / "data" / "docs" / name, tmp_path / name)
    engine = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    other = copy.copy(engine)
    other.index = copy.copy(engine.index)
    other.index.retriever = RankBM25Retriever(engine.index)
    for question in ("How do I allow an .envrc file?", "What does the agent send first?"):
        for doc in (None, "direnv", "custom-transfers"):
            mine = answer_to_json(engine.ask(question, document=doc))
            assert answer_to_json(other.ask(question, document=doc)) == mine
            hits = engine.ask(question, document=doc).hits
            assert doc is None or all(h.passage.doc_id == doc for h in hits)
