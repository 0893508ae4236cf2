"""BM25Okapi scores from an inverted index of precomputed weights.

rank-bm25's ``BM25Okapi`` is the reference semantics for briefbot's ranking, but its
``get_scores`` loops in Python over every passage for every query token: ~1.5 s per query at
1M passages. :class:`BM25Index` computes the same formula ahead of time. For every (term,
passage) pair with tf > 0 it stores

    weight = idf(term) * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(passage) / avgdl)))

with the same idf as rank-bm25 (``ln(N - n + 0.5) - ln(n + 0.5)``; a negative idf is replaced
by ``epsilon * mean(idf)``, the mean over all terms before flooring), evaluated with the same
floating-point operations in the same order. A query then adds the postings of its tokens,
in query order (a repeated token counts each time; an unknown token adds nothing), so its
cost grows with those postings, not with the corpus, and the scores equal rank-bm25's bit for
bit (rank-bm25 adds exact zeros for the passages a token is not in).

The postings are built with numpy (tokens to int ids through one dict, (term, passage) pairs
counted by sorting packed int64 keys), never with a dict per passage, and saved as one
uncompressed ``.npz`` that loads without pickle.

Where rank-bm25 fails this class does not: an empty corpus (rank-bm25 divides by zero) has
``n_docs == 0`` and answers every query with nothing; a corpus of empty passages scores 0.
"""

from __future__ import annotations

import contextlib
import math
import mmap
import os
import secrets
import struct
import threading
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .storage import load_npz

__all__ = ["BM25Index"]

_MAGIC = b"briefbot.bm25-index"
_FORMAT_VERSION = 2  # 2: passage lengths saved (an index can be extended)
_INT64_MAX = np.iinfo(np.int64).max
_BUILD_CHUNK_TOKENS = 1 << 21  # tokens per build step: bounds the temporary arrays
_WEIGHT_CHUNK = 1 << 20  # postings per step when turning counts into weights
# Below this share of the corpus, top_k finds its candidates from the postings alone;
# above it one pass over the dense score array is cheaper.
_SPARSE_CANDIDATES = 0.1
_BOUND_SAMPLE = 4096  # passages sampled for a first lower bound of the k-th best score


class BM25Index:
    """BM25Okapi over tokenized passages, scores equal to ``rank_bm25.BM25Okapi``'s.

    ``corpus`` holds already-tokenized passages; passage ``i`` is row ``i`` of every result.
    Immutable once built (idf depends on the whole corpus: rebuild to add passages). Safe
    to query from several threads; each querying thread keeps one scratch array of
    ``n_docs`` floats for :meth:`top_k`.
    """

    n_docs: int
    k1: float
    b: float
    epsilon: float
    avgdl: float
    _local: threading.local
    _lengths: NDArray[np.int32]  # terms per passage (an index can be extended)

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__  # a new token gets the next id: first-seen order
        docs_iter = iter(corpus)

        def ids(nd: int, n_tokens: int, base: int) -> NDArray[np.int64]:
            # a list, so the iterator moves past trailing empty passages, which fromiter
            # never asks for
            tokens = chain.from_iterable(list(islice(docs_iter, nd)))
            return np.fromiter(map(vocab.__getitem__, tokens), dtype=np.int64, count=n_tokens)

        self._setup(lengths, ids, vocab, k1, b, epsilon)
        vocab.default_factory = None

    @classmethod
    def from_ids(
        cls,
        term_ids: NDArray[np.integer[Any]],
        lengths: NDArray[np.integer[Any]],
        terms: Sequence[str],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> BM25Index:
        """The index of passages given as term ids: passage ``i`` is the ids
        ``term_ids[sum(lengths[:i]) : sum(lengths[:i + 1])]``, id ``t`` stands for
        ``terms[t]``. The ids must number the terms in the order they first occur (as the
        string constructor does), so that the scores are rank-bm25's to the last bit; the
        same index as ``BM25Index`` of the passages' terms."""
        index = cls.__new__(cls)
        vocab = {t: i for i, t in enumerate(terms)}
        if len(vocab) != len(terms):
            raise ValueError("terms repeat")
        flat = np.asarray(term_ids)

        def ids(nd: int, n_tokens: int, base: int) -> NDArray[np.int64]:
            return flat[base : base + n_tokens].astype(np.int64)

        index._setup(np.asarray(lengths, dtype=np.int64), ids, vocab, k1, b, epsilon)
        return index

    def _setup(
        self,
        lengths: NDArray[np.int64],
        ids: Callable[[int, int, int], NDArray[np.int64]],
        vocab: dict[str, int],
        k1: float,
        b: float,
        epsilon: float,
    ) -> None:
        if not k1 > 0 or not 0 <= b <= 1 or not math.isfinite(epsilon):
            raise ValueError(
                f"need k1 > 0, 0 <= b <= 1, finite epsilon; got {k1=}, {b=}, {epsilon=}"
            )
        self.k1, self.b, self.epsilon = float(k1), float(b), float(epsilon)
        self.n_docs = n_docs = len(lengths)
        if n_docs >= 2**31:
            raise ValueError("at most 2**31 - 1 passages")
        total = int(lengths.sum())
        self.avgdl = total / n_docs if n_docs else 0.0

        keys, tfs, df = _count_pairs(ids, lengths)
        self._finish(vocab, keys, tfs, df, lengths)

    def _finish(
        self,
        vocab: dict[str, int],
        keys: NDArray[np.int64],
        tfs: NDArray[np.integer[Any]] | int,
        df: NDArray[np.int64],
        lengths: NDArray[np.int64],
    ) -> None:
        """idf and weights from the (term, passage) pairs (see :func:`_count_pairs`)."""
        n_docs = self.n_docs
        self._vocab: dict[str, int] = vocab
        n_terms = len(vocab)
        df = np.pad(df, (0, n_terms - len(df)))

        # idf exactly as BM25Okapi._calc_idf: math.log per distinct df, a sequential sum
        # (in first-seen order, like its dict) for the mean, then the epsilon floor.
        distinct = np.flatnonzero(np.bincount(df)) if n_terms else np.zeros(0, np.int64)
        table = np.zeros(int(distinct[-1]) + 1 if len(distinct) else 1)
        for n in distinct.tolist():
            table[n] = math.log(n_docs - n + 0.5) - math.log(n + 0.5)
        idf = table[df]
        if n_terms:
            self.average_idf = float(np.cumsum(idf)[-1]) / n_terms
            idf[idf < 0] = self.epsilon * self.average_idf
        else:
            self.average_idf = 0.0
        self._idf = idf

        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        self._indptr = indptr
        self._lengths = lengths.astype(np.int32)
        self._docs, self._weights = self._weigh(keys, tfs, lengths, idf)
        _ready(self)

    def extended(
        self,
        term_ids: NDArray[np.integer[Any]],
        lengths: NDArray[np.integer[Any]],
        terms: Sequence[str],
    ) -> BM25Index | None:
        """This index with passages added after its own, as :meth:`from_ids` of all of them
        would build it (the same arrays to the last bit): ``term_ids`` and ``lengths`` are
        the new passages', numbered in ``terms``, which are this index's terms followed by
        the new ones in the order they first occur. Each posting's term frequency is read
        back from its weight, and checked: None when one does not give its weight again
        (a term of idf 0), for the caller to build from scratch."""
        known = list(self._vocab)
        if len(terms) < len(known) or list(terms[: len(known)]) != known:
            raise ValueError("the terms must begin with this index's own, in order")
        vocab = {t: i for i, t in enumerate(terms)}
        if len(vocab) != len(terms):
            raise ValueError("terms repeat")
        n_terms = len(vocab)
        old_docs, k1, b = self.n_docs, self.k1, self.b
        old_lengths = np.asarray(self._lengths, dtype=np.int64)
        new_lengths = np.asarray(lengths, dtype=np.int64)
        flat = np.asarray(term_ids)

        def ids(nd: int, n_tokens: int, base: int) -> NDArray[np.int64]:
            return flat[base : base + n_tokens].astype(np.int64)

        new_keys, new_tfs, _ = _count_pairs(ids, new_lengths)
        n_new = len(new_lengths)
        n_docs = old_docs + n_new
        if n_docs >= 2**31:
            raise ValueError("at most 2**31 - 1 passages")
        if isinstance(new_tfs, int):
            new_keys, new_tf = np.divmod(new_keys, new_tfs)
        else:
            new_tf = new_tfs
        new_term, new_doc = np.divmod(new_keys, max(n_new, 1))
        del new_keys
        old_indptr = np.asarray(self._indptr)
        old_df = np.pad(np.diff(old_indptr), (0, n_terms - len(known)))
        new_df = np.bincount(new_term, minlength=n_terms)
        df = old_df + new_df
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        # every posting goes straight to its place in the (term, passage) order: a term's
        # postings of the old passages first, then of the new ones
        keys = np.empty(int(indptr[-1]), dtype=np.int64)
        tfs = np.empty(len(keys), dtype=np.int32)
        # (no postings when no passage has a term: then the norms are never read)
        norm = k1 * (1 - b + b * old_lengths / self.avgdl) if self.avgdl else old_lengths * 0.0
        for start in range(0, len(self._docs), _WEIGHT_CHUNK):
            stop = min(start + _WEIGHT_CHUNK, len(self._docs))
            at = np.arange(start, stop, dtype=np.int64)
            term = np.searchsorted(old_indptr, at, side="right") - 1
            doc = self._docs[start:stop].astype(np.int64)
            weight, idf = self._weights[start:stop], self._idf[term]
            with np.errstate(divide="ignore", invalid="ignore"):
                share = weight / idf
                tf = np.rint(share * norm[doc] / ((k1 + 1) - share))
            if not np.all(np.isfinite(tf)) or not np.array_equal(
                idf * (tf * (k1 + 1) / (tf + norm[doc])), weight
            ):
                return None
            to = indptr[term] + (at - old_indptr[term])
            keys[to] = term * n_docs + doc
            tfs[to] = tf
            _let_go(self._docs, self._weights)  # read once: the pages need not stay
        first_new = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(new_df, out=first_new[1:])
        for start in range(0, len(new_term), _WEIGHT_CHUNK):
            at = np.arange(start, min(start + _WEIGHT_CHUNK, len(new_term)), dtype=np.int64)
            term = new_term[at]
            to = indptr[term] + old_df[term] + (at - first_new[term])
            keys[to] = term * n_docs + new_doc[at] + old_docs
            tfs[to] = new_tf[at]
        del new_term, new_doc, new_tf
        index = type(self).__new__(type(self))
        index.k1, index.b, index.epsilon = self.k1, self.b, self.epsilon
        index.n_docs = n_docs
        all_lengths = np.concatenate([old_lengths, new_lengths])
        index.avgdl = int(all_lengths.sum()) / n_docs if n_docs else 0.0
        index._finish(vocab, keys, tfs, df, all_lengths)
        return index

    # -- building ------------------------------------------------------------------------

    def _weigh(
        self,
        keys: NDArray[np.int64],
        tfs: NDArray[np.integer[Any]] | int,
        lengths: NDArray[np.int64],
        idf: NDArray[np.float64],
    ) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Postings sorted by (term, passage) into passage ids and BM25 weights.

        ``keys`` are ``term * n_docs + passage``; when ``tfs`` is an int the term frequency is
        packed in as ``key * tfs + tf``. The weights are written over ``keys``' memory.
        """
        n = len(keys)
        docs = np.empty(n, dtype=np.int32)
        weights = keys.view(np.float64)
        if not n:
            return docs, weights
        k1, b, avgdl = self.k1, self.b, self.avgdl
        # rank-bm25: q_freq * (k1 + 1) / (q_freq + k1 * (1 - b + b * doc_len / avgdl))
        norm = k1 * (1 - b + b * lengths / avgdl)
        for start in range(0, n, _WEIGHT_CHUNK):
            part = slice(start, start + _WEIGHT_CHUNK)
            key = keys[part]
            if isinstance(tfs, int):
                key, tf = np.divmod(key, tfs)
            else:
                tf = tfs[part]
            term, doc = np.divmod(key, self.n_docs)
            docs[part] = doc
            weights[part] = idf[term] * (tf * (k1 + 1) / (tf + norm[doc]))
        return docs, weights

    # -- lookups -------------------------------------------------------------------------

    def __contains__(self, term: object) -> bool:
        return term in self._vocab

    def __len__(self) -> int:
        return self.n_docs

    def __repr__(self) -> str:
        return (
            f"BM25Index(n_docs={self.n_docs}, terms={len(self._vocab)}, "
            f"postings={len(self._docs)}, k1={self.k1}, b={self.b}, epsilon={self.epsilon})"
        )

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def doc_freq(self, term: str) -> int:
        """Number of passages containing ``term`` (0 if unknown)."""
        t = self._vocab.get(term)
        return 0 if t is None else int(self._indptr[t + 1] - self._indptr[t])

    def idf(self, term: str) -> float:
        """The idf used in scores (epsilon floor applied); 0.0 for an unknown term."""
        t = self._vocab.get(term)
        return 0.0 if t is None else float(self._idf[t])

    def term_weights(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Postings of ``term``: passage indices (ascending) and their weights (read-only)."""
        t = self._vocab.get(term)
        if t is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        lo, hi = int(self._indptr[t]), int(self._indptr[t + 1])
        return self._docs[lo:hi], self._weights[lo:hi]

    # -- scoring -------------------------------------------------------------------------

    def get_scores(self, query: Sequence[str]) -> NDArray[np.float64]:
        """Score of every passage, equal to ``BM25Okapi.get_scores(query)``."""
        scores = np.zeros(self.n_docs)
        self._add_postings(scores, self._term_ids(query))
        return scores

    def scores_of(self, query: Sequence[str], ids: NDArray[np.integer[Any]]) -> NDArray[np.float64]:
        """``get_scores(query)[ids]``, without scoring every passage: each query term's
        postings are searched for ``ids``; the sums are added in query order, as
        :meth:`get_scores` adds them, so the values are the same to the last bit."""
        ids = np.asarray(ids, dtype=self._docs.dtype)
        out = np.zeros(len(ids))
        if not len(ids):
            return out
        indptr, docs, weights = self._indptr, self._docs, self._weights
        for t in self._term_ids(query):
            lo, hi = int(indptr[t]), int(indptr[t + 1])
            if hi == lo:
                continue
            at = np.searchsorted(docs[lo:hi], ids)
            found = at < hi - lo
            found[found] = docs[lo:hi][at[found]] == ids[found]
            out[found] += weights[lo:hi][at[found]]
        return out

    def holds_all(self, terms: Sequence[str]) -> bool:
        """Whether some passage holds every one of ``terms``."""
        found: NDArray[np.int32] | None = None
        for term in dict.fromkeys(terms):
            i = self._vocab.get(term)
            if i is None:
                return False
            docs = np.asarray(self._docs[self._indptr[i] : self._indptr[i + 1]])
            found = docs if found is None else np.intersect1d(found, docs, assume_unique=True)
            if not len(found):
                return False
        return found is not None

    def holds(self, term: str, ids: NDArray[np.integer[Any]]) -> NDArray[np.bool_]:
        """Whether each passage of ``ids`` holds ``term`` (is in its postings)."""
        ids = np.asarray(ids, dtype=self._docs.dtype)
        t = self._vocab.get(term)
        if t is None or not len(ids):
            return np.zeros(len(ids), dtype=bool)
        lo, hi = int(self._indptr[t]), int(self._indptr[t + 1])
        postings = self._docs[lo:hi]
        at = np.minimum(np.searchsorted(postings, ids), max(hi - lo - 1, 0))
        return (postings[at] == ids) if hi > lo else np.zeros(len(ids), dtype=bool)

    def top_k(
        self,
        query: Sequence[str],
        k: int,
        *,
        min_score: float = 0.0,
        allowed: NDArray[np.bool_] | None = None,
    ) -> list[tuple[int, float]]:
        """At most ``k`` (passage, score) pairs with score > ``min_score``, best first.

        Ties go to the lower passage index. ``allowed`` is an optional boolean mask over the
        passages restricting the candidates. Only the query terms' postings are visited,
        unless they cover much of the corpus (then one pass over all scores is cheaper) or
        ``min_score`` is negative (then passages without any query term, score 0, qualify).
        """
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != np.bool_ or allowed.shape != (self.n_docs,):
                raise ValueError(
                    f"allowed must be a boolean array of shape ({self.n_docs},), "
                    f"got {allowed.dtype} {allowed.shape}"
                )
        if k <= 0 or self.n_docs == 0:
            return []
        terms = self._term_ids(query)
        if not terms and min_score >= 0:
            return []
        spans = [(int(self._indptr[t]), int(self._indptr[t + 1])) for t in dict.fromkeys(terms)]
        wide = sum(hi - lo for lo, hi in spans) > _SPARSE_CANDIDATES * self.n_docs
        dense = wide or min_score < 0
        docs = self._docs
        scores = self._scratch_scores()
        try:
            self._add_postings(scores, terms)
            # Every passage in the top k scores at least the k-th best score of any subset of
            # the candidates: only passages reaching it need ranking.
            bound = _kth_best_of_sample(scores, docs, spans, k, min_score, allowed)
            above: np.ufunc
            if bound > min_score:
                above, threshold = np.greater_equal, bound
            else:
                above, threshold = np.greater, min_score
            cand: NDArray[np.signedinteger[Any]]
            if dense:
                keep = above(scores, threshold)
                if allowed is not None:
                    keep &= allowed
                cand = np.flatnonzero(keep)
            else:
                parts = [d[above(scores[d], threshold)] for d in (docs[lo:hi] for lo, hi in spans)]
                cand = np.concatenate(parts)
                if len(parts) > 1:
                    cand = _unique(cand)
                if allowed is not None:
                    cand = cand[allowed[cand]]
            values = scores[cand]
        finally:
            if wide:
                scores.fill(0.0)
            else:
                for lo, hi in spans:
                    scores[docs[lo:hi]] = 0.0
            self._local.dirty = False
        if len(values) > k:
            # The k-th best score by partial selection; among passages tied with it, the
            # lowest indices win (cand is in ascending order).
            kth = np.partition(values, len(values) - k)[len(values) - k]
            better = np.flatnonzero(values > kth)
            tied = np.flatnonzero(values == kth)[: k - len(better)]
            picked = np.concatenate([better, tied])
            cand, values = cand[picked], values[picked]
        order = np.lexsort((cand, -values))
        return list(zip(cand[order].tolist(), values[order].tolist(), strict=True))

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the query's known tokens, in query order, repeats kept."""
        get = self._vocab.get
        return [t for t in map(get, query) if t is not None]

    def _add_postings(self, scores: NDArray[np.float64], terms: list[int]) -> None:
        # One token after the other, like rank-bm25, so the sums round the same way. A
        # term's postings name each passage once, so a fancy-indexed += is exact (and
        # several times faster than np.add.at, which allows repeats).
        indptr, docs, weights = self._indptr, self._docs, self._weights
        for t in terms:
            lo, hi = indptr[t], indptr[t + 1]
            at = docs[lo:hi]
            scores[at] += weights[lo:hi]

    def _scratch_scores(self) -> NDArray[np.float64]:
        """This thread's all-zero score array (allocating 8 bytes per passage per query
        costs more than the scoring); the caller zeroes what it touched."""
        local = self._local
        scores: NDArray[np.float64] | None = getattr(local, "scores", None)
        if scores is None:
            scores = local.scores = np.zeros(self.n_docs)
        elif getattr(local, "dirty", False):  # a query was interrupted
            scores.fill(0.0)
        local.dirty = True
        return scores

    # -- persistence ---------------------------------------------------------------------

    @property
    def terms(self) -> list[str]:
        """The vocabulary, by term id (the order terms first occur)."""
        return list(self._vocab)

    @property
    def nbytes(self) -> int:
        """About what :meth:`save` writes, in bytes (its arrays; the vocabulary at most 4
        bytes a character)."""
        arrays = (self._idf, self._indptr, self._docs, self._weights, self._lengths)
        return sum(a.nbytes for a in arrays) + sum(4 * len(t) + 8 for t in self._vocab)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` as one ``.npz`` (no pickle), replacing it atomically."""
        terms = list(self._vocab)  # insertion order is term-id order
        text = "".join(terms).encode("utf-8", "surrogatepass")
        arrays: dict[str, NDArray[Any]] = {
            "magic": np.frombuffer(_MAGIC, dtype=np.uint8),
            "version": np.array([_FORMAT_VERSION, self.n_docs], dtype=np.int64),
            "params": np.array(
                [self.k1, self.b, self.epsilon, self.avgdl, self.average_idf], dtype=np.float64
            ),
            "vocab_utf8": np.frombuffer(text, dtype=np.uint8),
            "vocab_lengths": np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)),
            "idf": self._idf,
            "indptr": self._indptr,
            "docs": self._docs,
            "weights": self._weights,
            "lengths": self._lengths,
        }
        target = Path(path)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "xb") as f:
                np.savez(f, allow_pickle=False, **arrays)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BM25Index:
        """Read an index written by :meth:`save`.

        Raises ``ValueError`` if the file is not such an index (corrupt, truncated, foreign,
        another format version); ``OSError`` if it cannot be opened at all.
        """
        with open(path, "rb"):
            pass  # OSError when it cannot be opened at all
        try:
            return cls._read(path)
        except (
            ValueError,
            EOFError,
            KeyError,
            OSError,
            MemoryError,
            RuntimeError,  # zipfile: "encrypted", "compression method not supported"
            struct.error,
            zipfile.BadZipFile,
            zlib.error,
        ) as exc:
            raise ValueError(f"{os.fspath(path)!s} is not a usable BM25 index: {exc}") from exc

    @classmethod
    def _read(cls, path: str | os.PathLike[str]) -> BM25Index:
        # the postings are mapped, not read: a question touches only its terms' pages
        found = load_npz(path)
        arrays = {name: found[name] for name in _EXPECTED if name in found}
        for name, (dtype, size) in _EXPECTED.items():
            a = arrays.get(name)
            if a is None:
                raise ValueError(f"missing array {name!r}")
            if a.dtype != dtype or a.ndim != 1 or (size is not None and len(a) != size):
                raise ValueError(f"array {name!r} has the wrong type or shape")
        if arrays["magic"].tobytes() != _MAGIC:
            raise ValueError("not a briefbot BM25 index")
        version, n_docs = (int(x) for x in arrays["version"])
        if version != _FORMAT_VERSION:
            raise ValueError(f"index format {version}, expected {_FORMAT_VERSION}")
        idf, indptr, docs, weights = (arrays[n] for n in ("idf", "indptr", "docs", "weights"))
        if len(arrays["lengths"]) != n_docs:
            raise ValueError("passage lengths do not match the index")
        lengths = arrays["vocab_lengths"]
        n_terms = len(idf)
        if (
            n_docs < 0
            or len(indptr) != n_terms + 1
            or len(lengths) != n_terms
            or indptr[0] != 0
            or indptr[-1] != len(docs)
            or len(weights) != len(docs)
            or np.any(indptr[1:] < indptr[:-1])
            or (len(docs) and (docs.min() < 0 or docs.max() >= n_docs))
            or np.any(lengths < 0)
        ):
            raise ValueError("inconsistent index arrays")
        text = arrays["vocab_utf8"].tobytes().decode("utf-8", "surrogatepass")
        ends = np.cumsum(lengths).tolist()
        if (ends[-1] if ends else 0) != len(text):
            raise ValueError("vocabulary does not match its lengths")
        bounds = [0, *ends]
        vocab = {text[a:b]: i for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))}
        if len(vocab) != n_terms:
            raise ValueError("duplicate vocabulary terms")

        index = cls.__new__(cls)
        index.k1, index.b, index.epsilon, index.avgdl, index.average_idf = (
            float(x) for x in arrays["params"]
        )
        index.n_docs = n_docs
        index._vocab = vocab
        index._idf, index._indptr, index._docs, index._weights = idf, indptr, docs, weights
        index._lengths = arrays["lengths"]
        _ready(index)
        return index


_EXPECTED: dict[str, tuple[np.dtype[Any], int | None]] = {
    "magic": (np.dtype(np.uint8), len(_MAGIC)),
    "version": (np.dtype(np.int64), 2),
    "params": (np.dtype(np.float64), 5),
    "vocab_utf8": (np.dtype(np.uint8), None),
    "vocab_lengths": (np.dtype(np.int64), None),
    "idf": (np.dtype(np.float64), None),
    "indptr": (np.dtype(np.int64), None),
    "docs": (np.dtype(np.int32), None),
    "weights": (np.dtype(np.float64), None),
    "lengths": (np.dtype(np.int32), None),
}


def _let_go(*arrays: NDArray[Any]) -> None:
    """Drop the pages of memory-mapped arrays from this process (they stay in the page
    cache; touched again, they come back): reading a saved index through once does not
    leave it all resident."""
    for a in arrays:
        base: Any = a
        while base is not None and not isinstance(getattr(base, "_mmap", None), mmap.mmap):
            base = getattr(base, "base", None)  # a view of a numpy.memmap
        mapped = getattr(base, "_mmap", None)
        if mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
            with contextlib.suppress(OSError, ValueError):
                mapped.madvise(mmap.MADV_DONTNEED)


def _ready(index: BM25Index) -> None:
    """Make the arrays read-only (``term_weights`` hands out views) and give each thread
    its own scratch scores."""
    for a in (index._idf, index._indptr, index._docs, index._weights, index._lengths):
        a.setflags(write=False)
    index._local = threading.local()


def _count_pairs(
    token_ids: Callable[[int, int, int], NDArray[np.int64]], lengths: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64] | int, NDArray[np.int64]]:
    """Term frequency of every (term, passage) pair, sorted by term then passage.

    Passages are taken a few million tokens at a time: ``token_ids(passages, tokens,
    first token)`` gives the term ids of the next ``passages`` (``tokens`` in all); repeats
    within a passage are counted by sorting ``term * chunk_docs + local_passage`` keys, and
    the pairs of all chunks are sorted once at the end (each chunk is an already sorted
    run). Returns (keys, tf, df): keys are
    ``term * n_docs + passage``; if ``tf`` is an int ``m`` it is packed in as
    ``key * m + tf`` (one array, one sort), else ``tf`` is a parallel array. ``df`` may be
    shorter than the vocabulary (missing terms have df 0, which cannot happen).
    """
    n_docs, total = len(lengths), int(lengths.sum())
    max_tf = int(lengths.max()) + 1 if n_docs else 1
    # Packing is exact while (vocabulary size * n_docs) * max_tf fits in an int64; the
    # vocabulary has at most `total` terms.
    packed = total * n_docs * max_tf <= _INT64_MAX and not _FORCE_UNPACKED
    ends = np.cumsum(lengths)
    out = np.empty(total if packed else 0, dtype=np.int64)
    key_parts: list[NDArray[np.int64]] = []
    tf_parts: list[NDArray[np.int64]] = []
    df = np.zeros(0, dtype=np.int64)
    used = 0
    d0 = 0
    while d0 < n_docs:
        base = int(ends[d0 - 1]) if d0 else 0
        d1 = max(d0 + 1, int(np.searchsorted(ends, base + _BUILD_CHUNK_TOKENS, side="right")))
        d1 = min(d1, n_docs)
        n_tokens = int(ends[d1 - 1]) - base
        nd = d1 - d0
        ids = token_ids(nd, n_tokens, base)
        if n_tokens:
            ids *= nd
            ids += np.repeat(np.arange(nd, dtype=np.int64), lengths[d0:d1])
            ids.sort()
            first = np.empty(n_tokens, dtype=bool)
            first[0] = True
            np.not_equal(ids[1:], ids[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            tf = np.diff(starts, append=n_tokens)
            term, local = np.divmod(ids[starts], nd)
            del ids, first, starts
            key = term * n_docs + (local + d0)
            counts = np.bincount(term)
            if len(counts) > len(df):
                df = np.pad(df, (0, len(counts) - len(df)))
            df[: len(counts)] += counts
            if packed:
                key *= max_tf
                key += tf
                out[used : used + len(key)] = key
            else:
                key_parts.append(key)
                tf_parts.append(tf)
            used += len(key)
        d0 = d1
    if packed:
        out.resize(used, refcheck=False)  # give back the slots of repeated tokens
        out.sort(kind="stable")  # timsort: merges the sorted chunk runs
        return out, max_tf, df
    keys = np.concatenate(key_parts) if key_parts else np.zeros(0, np.int64)
    tfs = np.concatenate(tf_parts) if tf_parts else np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    return keys[order], tfs[order], df


def _kth_best_of_sample(
    scores: NDArray[np.float64],
    docs: NDArray[np.int32],
    spans: list[tuple[int, int]],
    k: int,
    min_score: float,
    allowed: NDArray[np.bool_] | None,
) -> float:
    """A lower bound for the k-th best qualifying score (-inf if none is found cheaply).

    The k-th best score among any subset of the candidates is such a bound. The subset:
    the passages of the rarest query term that has at least k (they tend to score high),
    every m-th of them if there are many.
    """
    sizes = [(hi - lo, lo) for lo, hi in spans if hi - lo >= k]
    if not sizes:
        return -math.inf
    size, lo = min(sizes)
    step = max(1, size // _BOUND_SAMPLE)
    sample = docs[lo : lo + size : step]
    values = scores[sample]
    ok = values > min_score
    if allowed is not None:
        ok &= allowed[sample]
    values = values[ok]
    if len(values) < k:
        return -math.inf
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _unique(a: NDArray[np.int32]) -> NDArray[np.int32]:
    a = np.sort(a)
    first = np.empty(len(a), dtype=bool)
    first[:1] = True
    np.not_equal(a[1:], a[:-1], out=first[1:])
    return a[first]


_FORCE_UNPACKED = False  # tests flip this to exercise the path for very large corpora
