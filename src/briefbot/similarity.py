"""The semantic stage: how close in meaning each candidate sentence is to the question.

The question is encoded once (:mod:`briefbot.encoder`). An index small enough to embed
whole (``params.EMBED_AT_BUILD_SENTENCES``) holds every sentence's vector, computed when it
was built: every sentence's cosine is one matrix-vector product, and the passages with the
closest sentences join the candidates. A larger index holds no vectors (encoding a million
passages would take hours); there the sentences of the question's lexical candidates are
encoded when first needed, in one batch, and kept for later questions
(:attr:`PassageIndex.vector_cache`). Either way a passage's semantic score is its best
sentence's. A small index also holds each passage's token vectors, read with its heading
(:class:`briefbot.index.TokenVectors`): its late-interaction score is how well each of the
question's tokens finds its match in the passage (MaxSim, as ColBERT scores), one matrix
product per candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .encoder import Encoder
from .index import PassageIndex


@dataclass
class Semantic:
    """The question's cosines: with every sentence (``dense``) or with the candidates'."""

    index: PassageIndex
    vector: np.ndarray  # the question's unit vector
    dense: np.ndarray | None  # cosine of every sentence (an index with vectors), else None
    allowed: np.ndarray | None  # passages of the document asked about
    tokens: np.ndarray | None = None  # the question's token vectors (an index with theirs)
    floor: float = 0.0  # the cosine of a candidate sentence left unencoded (prepare)
    # an index without vectors: the question's text, encoded by prepare() in one batch
    # with the candidates' sentences (one pass through the model instead of two); until
    # then ``vector`` is empty
    pending: str | None = None

    @property
    def has_tokens(self) -> bool:
        return self.tokens is not None and self.index.token_vectors is not None

    def late(self, passage_id: int) -> float | None:
        """Late interaction: the mean, over the question's tokens, of each one's best
        cosine with a token of the passage (read with its heading); None when the index
        holds no token vectors."""
        store = self.index.token_vectors
        if self.tokens is None or store is None or not len(self.tokens):
            return None
        rows = store.of(passage_id)
        if not len(rows):
            return 0.0
        return float((self.tokens @ rows.T).max(axis=1).mean())

    def cosines(self, lo: int, hi: int) -> np.ndarray:
        """Cosines of sentences ``lo .. hi - 1`` (prepared first, without vectors; a
        sentence the budget left unencoded gets :attr:`floor`)."""
        if self.dense is not None:
            return self.dense[lo:hi]
        cache = self.index.vector_cache
        return np.array(
            [float(cache[i] @ self.vector) if i in cache else self.floor for i in range(lo, hi)],
            np.float32,
        )

    def prepare(
        self,
        encoder: Encoder,
        passage_ids: list[int],
        sentence_scores: Callable[[int, int], np.ndarray] | None = None,
        budget: int | None = None,
    ) -> None:
        """Encode, in one batch, the sentences of ``passage_ids`` that have no vector yet:
        all of them, or at most ``budget`` tokens of them, best first by
        ``sentence_scores`` (each passage's best sentence, in the passages' order, then
        each one's second best, and so on; one that does not fit is passed over for the
        next). A sentence left out is no closer than the least close one encoded."""
        if self.dense is not None:
            return
        index = self.index
        cache = index.vector_cache
        queues: list[list[int]] = []
        for pid in dict.fromkeys(passage_ids):
            lo, hi = index.sentence_range(pid)
            ids = list(range(lo, hi))
            if sentence_scores is not None:
                scores = sentence_scores(lo, hi)
                ids.sort(key=lambda i: (-float(scores[i - lo]), i))
            queues.append(ids)
        wanted = [i for q in queues for i in q if i not in cache]
        if budget is not None and wanted:
            counts = encoder.token_counts(index.sentence_texts(wanted))
            lengths = dict(zip(wanted, counts, strict=True))
            spent, chosen = 0, list[int]()
            for depth in range(max(len(q) for q in queues)):
                for q in queues:
                    if depth < len(q) and q[depth] in lengths:
                        n = lengths[q[depth]]
                        if spent + n <= budget or not chosen:
                            chosen.append(q[depth])
                            spent += n
            wanted = chosen
        texts = index.sentence_texts(wanted) if wanted else []
        if self.pending is not None:
            texts = [self.pending, *texts]
        if texts:
            vectors = encoder.encode(texts)
            if self.pending is not None:
                self.vector, vectors, self.pending = vectors[0], vectors[1:], None
            if wanted:
                index.remember_vectors(wanted, vectors)
        known = [float(cache[i] @ self.vector) for q in queues for i in q if i in cache]
        self.floor = min(known, default=0.0)

    def whole(self, encoder: Encoder, passage_id: int) -> float:
        """Cosine with the passage embedded whole. An index without vectors takes the
        mean of the passage's sentence vectors encoded for the question instead (on the
        training documents' questions that path refuses as well: benchmarks/README.md,
        "Semantic vectors at scale"), and encodes the passage only when none was."""
        index = self.index
        if index.passage_embeddings is not None:
            return float(index.passage_embeddings[passage_id] @ self.vector)
        lo, hi = index.sentence_range(passage_id)
        cache = index.vector_cache
        rows = [cache[i] for i in range(lo, hi) if i in cache]
        if rows:
            mean = np.mean(rows, axis=0)
            return float(mean @ self.vector) / max(float(np.linalg.norm(mean)), 1e-12)
        return float(encoder.encode([index.passage_encode_text(passage_id)])[0] @ self.vector)


def semantic(
    index: PassageIndex, encoder: Encoder | None, text: str, allowed: np.ndarray | None
) -> Semantic | None:
    """The question encoded (and its cosine with every sentence when the index holds
    vectors; an index without them encodes it with its candidates' sentences, in
    :meth:`Semantic.prepare`), or None without an encoder."""
    if encoder is None or not text.strip():
        return None
    tokens = None
    if index.token_vectors is not None:
        vector, tokens = encoder.encode_with_tokens(text)
    elif index.embeddings is None:  # encoded with the candidates' sentences (prepare)
        return Semantic(index, np.zeros(0, np.float32), None, allowed, pending=text)
    else:
        vector = encoder.encode([text])[0]
    dense = None
    if index.embeddings is not None:
        dense = index.embeddings @ vector
        if allowed is not None:
            dense = np.where(allowed[index.sentence_passage], dense, -1.0)
    return Semantic(index, vector, dense, allowed, tokens)


def top_passages(index: PassageIndex, sem: Semantic, k: int) -> list[int]:
    """The ``k`` passages whose best sentence is closest to the question, best first
    (ties: the earlier passage); none without every sentence's cosine."""
    if sem.dense is None:
        return []
    best = np.full(len(index), -1.0)
    np.maximum.at(best, index.sentence_passage, sem.dense)
    k = min(k, len(best))
    if k <= 0:
        return []
    part = np.argpartition(-best, k - 1)[:k]
    order = np.lexsort((part, -best[part]))
    return [int(p) for p in part[order] if best[p] > -1.0]
