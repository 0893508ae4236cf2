"""BM25Index against the reference, rank_bm25.BM25Okapi, on random corpora and queries."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from math import inf
from pathlib import Path

import numpy as np
import pytest
import rank_bm25
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefbot import bm25
from briefbot.bm25 import BM25Index

# Few words, so terms repeat and many are in more than half the passages (epsilon floor).
WORDS = ["war", "peace", "treaty", "army", "city", "é", "the", "x"]
UNKNOWN = ["unknown", "", "War"]

passages = st.lists(st.sampled_from(WORDS), max_size=30)
corpora = st.lists(passages, min_size=1, max_size=60)
queries = st.lists(st.sampled_from(WORDS + UNKNOWN), max_size=8)
min_scores = st.sampled_from([0.0, 0.0, -0.5, 0.3, 1.5])

fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference(corpus: list[list[str]]) -> rank_bm25.BM25Okapi:
    # rank-bm25 divides by zero on an empty corpus and on one whose passages are all empty.
    assume(any(corpus))
    return rank_bm25.BM25Okapi(corpus)


def expected_top(scores: np.ndarray, k: int, min_score: float, allowed=None) -> list[int]:
    ids = [i for i, s in enumerate(scores) if s > min_score and (allowed is None or allowed[i])]
    return sorted(ids, key=lambda i: (-scores[i], i))[:k]


@contextmanager
def unpacked_build(on: bool) -> Iterator[None]:
    """Build through the path used when packed int64 keys would overflow."""
    old, bm25._FORCE_UNPACKED = bm25._FORCE_UNPACKED, on
    try:
        yield
    finally:
        bm25._FORCE_UNPACKED = old


@fast
@given(corpora, queries, st.booleans())
def test_scores_equal_rank_bm25(corpus, query, unpacked):
    ref = reference(corpus)
    with unpacked_build(unpacked):
        index = BM25Index(corpus)
    scores = index.get_scores(query)
    assert scores.dtype == np.float64 and scores.shape == (len(corpus),)
    assert np.allclose(scores, ref.get_scores(query), rtol=1e-6, atol=1e-9)


@fast
@given(corpora, queries, st.data())
def test_scores_of_some_passages_are_their_get_scores_to_the_bit(corpus, query, data):
    index = BM25Index(corpus)
    ids = data.draw(st.lists(st.integers(0, len(corpus) - 1), max_size=len(corpus) + 2))
    ids = np.array(ids, dtype=np.int64)
    assert np.array_equal(index.scores_of(query, ids), index.get_scores(query)[ids])


@fast
@given(corpora, st.data())
def test_holds_says_which_passages_hold_a_term(corpus, data):
    index = BM25Index(corpus)
    ids = np.array(
        data.draw(st.lists(st.integers(0, len(corpus) - 1), max_size=2 * len(corpus))), np.int64
    )
    for term in WORDS + UNKNOWN:
        assert index.holds(term, ids).tolist() == [term in corpus[i] for i in ids]


@fast
@given(corpora, st.floats(0.5, 3.0), st.floats(0.0, 0.95), st.floats(0.0, 1.0), queries)
def test_scores_equal_rank_bm25_other_parameters(corpus, k1, b, epsilon, query):
    # b = 1 is left out: rank-bm25 computes 0/0 (NaN) for empty passages there.
    assume(any(corpus))
    ref = rank_bm25.BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    index = BM25Index(corpus, k1=k1, b=b, epsilon=epsilon)
    assert np.allclose(index.get_scores(query), ref.get_scores(query), rtol=1e-6, atol=1e-9)


@fast
@given(corpora)
def test_vocabulary_idf_and_doc_freq(corpus):
    ref = reference(corpus)
    index = BM25Index(corpus)
    assert index.n_docs == len(corpus)
    assert index.vocabulary_size == len(ref.idf)
    for term in WORDS + UNKNOWN:
        assert (term in index) == (term in ref.idf)
        assert index.doc_freq(term) == sum(term in p for p in corpus)
        assert index.idf(term) == pytest.approx(ref.idf.get(term, 0.0), rel=1e-12)
        docs, weights = index.term_weights(term)
        assert docs.tolist() == [i for i, p in enumerate(corpus) if term in p]
        assert np.allclose(weights, ref.get_scores([term])[docs], rtol=1e-6, atol=1e-9)


@contextmanager
def candidate_path(path: tuple[float, int]) -> Iterator[None]:
    """Share 0: always one pass over dense scores; inf: always candidates from the postings.
    Sample 1: the lower bound for the k-th score comes from a strided sample of a posting list.
    """
    old = bm25._SPARSE_CANDIDATES, bm25._BOUND_SAMPLE
    bm25._SPARSE_CANDIDATES, bm25._BOUND_SAMPLE = path
    try:
        yield
    finally:
        bm25._SPARSE_CANDIDATES, bm25._BOUND_SAMPLE = old


paths = st.tuples(st.sampled_from([0, inf]), st.sampled_from([4096, 1]))


@fast
@given(corpora, queries, st.integers(1, 12), min_scores, st.booleans(), paths, queries)
def test_top_k_matches_sorted_rank_bm25(corpus, query, k, min_score, unpacked, path, other):
    ref = reference(corpus)
    with unpacked_build(unpacked):
        index = BM25Index(corpus)
    with candidate_path(path):
        # Queries share one scratch score array per thread: run two, each twice.
        for q in [other, query, other, query]:
            expected_scores = ref.get_scores(q)
            top = index.top_k(q, k, min_score=min_score)
            assert [i for i, _ in top] == expected_top(expected_scores, k, min_score)
            for i, score in top:
                assert score == pytest.approx(expected_scores[i], rel=1e-6, abs=1e-9)
                assert score > min_score


@fast
@given(corpora, queries, st.integers(1, 12), min_scores, st.data())
def test_top_k_respects_allowed(corpus, query, k, min_score, data):
    ref = reference(corpus)
    index = BM25Index(corpus)
    n = len(corpus)
    allowed = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    with candidate_path(data.draw(paths)):
        top = index.top_k(query, k, min_score=min_score, allowed=allowed)
    assert [i for i, _ in top] == expected_top(ref.get_scores(query), k, min_score, allowed)


def test_top_k_recovers_from_an_interrupted_query(monkeypatch):
    corpus = [["a", "b"], ["a"], ["b", "c"], ["c"]]
    index = BM25Index(corpus)
    expected = index.top_k(["a", "c"], 3)

    def fail(*args):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as m:
        m.setattr(bm25, "_kth_best_of_sample", fail)
        with pytest.raises(RuntimeError):
            index.top_k(["a", "b"], 1)
    assert index.top_k(["a", "c"], 3) == expected
    index._local.dirty = True  # as if the clean-up itself had been interrupted
    index._local.scores[:] = 7.0
    assert index.top_k(["a", "c"], 3) == expected


def test_top_k_from_many_threads():
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(50)]
    corpus = [[vocab[j] for j in rng.integers(0, 50, size=20)] for _ in range(500)]
    index = BM25Index(corpus)
    queries = [[vocab[j] for j in rng.integers(0, 50, size=3)] for _ in range(200)]
    expected = [index.top_k(q, 5) for q in queries]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda q: index.top_k(q, 5), queries)) == expected


def test_top_k_ties_go_to_the_lower_index_across_the_cut():
    corpus = [["b"], ["a", "c"], ["a"], ["a"], ["a", "c"], ["a"], ["b"], ["b"]]
    index = BM25Index(corpus)
    scores = rank_bm25.BM25Okapi(corpus).get_scores(["a"])
    assert [i for i, _ in index.top_k(["a"], 2)] == expected_top(scores, 2, 0.0) == [2, 3]


def test_top_k_rejects_a_bad_mask():
    index = BM25Index([["a"], ["b"]])
    with pytest.raises(ValueError, match="boolean"):
        index.top_k(["a"], 1, allowed=np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="boolean"):
        index.top_k(["a"], 1, allowed=np.ones(2, dtype=int))


@settings(max_examples=60, deadline=None)
@given(corpora, queries)
def test_save_load_round_trip(corpus, query):
    index = BM25Index(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.npz"
        index.save(path)
        loaded = BM25Index.load(path)
        assert [p.name for p in Path(tmp).iterdir()] == ["index.npz"]
    assert np.array_equal(loaded.get_scores(query), index.get_scores(query))
    assert loaded.top_k(query, 5) == index.top_k(query, 5)
    assert (loaded.n_docs, loaded.k1, loaded.b, loaded.epsilon) == (
        index.n_docs,
        index.k1,
        index.b,
        index.epsilon,
    )
    for term in WORDS + UNKNOWN:
        assert (term in loaded, loaded.idf(term)) == (term in index, index.idf(term))


def test_save_keeps_unusual_terms(tmp_path):
    corpus = [["naïve", "日本", "a\x00b", "\ud800", ""], ["x y", "naïve"]]
    index = BM25Index(corpus)
    index.save(tmp_path / "i")  # no ".npz" appended
    loaded = BM25Index.load(tmp_path / "i")
    for term in ["naïve", "日本", "a\x00b", "\ud800", "", "x y"]:
        assert term in loaded
        assert loaded.doc_freq(term) == index.doc_freq(term)


def saved_index(tmp_path: Path) -> bytes:
    path = tmp_path / "good.npz"
    BM25Index([["war", "peace"], ["war"], ["treaty", "army", "war"]]).save(path)
    return path.read_bytes()


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.9, 0.999])
def test_load_truncated_file_raises_value_error(tmp_path, fraction):
    data = saved_index(tmp_path)
    path = tmp_path / "truncated.npz"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match="not a usable BM25 index"):
        BM25Index.load(path)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_load_corrupt_file_raises_value_error_or_loads_the_same(data):
    with tempfile.TemporaryDirectory() as tmp:
        good = saved_index(Path(tmp))
        original = BM25Index.load(Path(tmp) / "good.npz")
        corrupt = bytearray(good)
        for _ in range(data.draw(st.integers(1, 4))):
            corrupt[data.draw(st.integers(0, len(good) - 1))] = data.draw(st.integers(0, 255))
        path = Path(tmp) / "corrupt.npz"
        path.write_bytes(bytes(corrupt))
        try:
            loaded = BM25Index.load(path)
        except ValueError:
            return
    # Only bytes no reader checks (zip timestamps, padding) may change without an error.
    for term in ["war", "peace", "treaty", "army"]:
        assert np.array_equal(loaded.get_scores([term]), original.get_scores([term]))


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is not an index\n", bytes(range(256)) * 40, b"PK\x03\x04" + b"\0" * 100],
)
def test_load_foreign_bytes_raises_value_error(tmp_path, content):
    path = tmp_path / "foreign.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        BM25Index.load(path)


def test_load_other_numpy_files_raises_value_error(tmp_path):
    np.save(tmp_path / "array.npy", np.arange(10))
    np.savez(tmp_path / "other.npz", a=np.arange(3))
    np.savez(tmp_path / "pickled.npz", magic=np.array([{"x": 1}], dtype=object))
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as z:
        z.writestr("docs.npy", b"nonsense")
    for name in ["array.npy", "other.npz", "pickled.npz", "plain.zip"]:
        with pytest.raises(ValueError):
            BM25Index.load(tmp_path / name)


def test_load_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        BM25Index.load(tmp_path / "missing.npz")


def test_empty_corpus(tmp_path):
    index = BM25Index([])
    assert index.n_docs == 0 and index.vocabulary_size == 0
    assert index.get_scores(["war"]).shape == (0,)
    assert index.top_k(["war"], 5) == []
    assert index.top_k(["war"], 5, min_score=-1.0, allowed=np.zeros(0, dtype=bool)) == []
    assert "war" not in index and index.doc_freq("war") == 0 and index.idf("war") == 0.0
    index.save(tmp_path / "empty.npz")
    assert BM25Index.load(tmp_path / "empty.npz").n_docs == 0


def test_corpus_of_empty_passages():
    index = BM25Index([[], [], []])
    assert index.get_scores(["war", "war"]).tolist() == [0.0, 0.0, 0.0]
    assert index.top_k(["war"], 5) == []
    assert index.top_k(["war"], 2, min_score=-1.0) == [(0, 0.0), (1, 0.0)]


def test_k_zero_and_no_known_terms():
    index = BM25Index([["war"], ["peace"], ["army"]])
    assert index.top_k(["war"], 0) == []
    assert index.top_k(["nothing", "here"], 3) == []
    assert index.top_k([], 3) == []


def test_invalid_parameters():
    with pytest.raises(ValueError):
        BM25Index([["a"]], k1=0)
    with pytest.raises(ValueError):
        BM25Index([["a"]], b=1.5)


def test_postings_are_read_only():
    docs, weights = BM25Index([["a"], ["a", "b"], ["c"]]).term_weights("a")
    with pytest.raises(ValueError):
        weights[0] = 1.0
    with pytest.raises(ValueError):
        docs[0] = 1


def test_many_chunks_and_long_passages(monkeypatch):
    """Passages spread over many build chunks, and tf in the hundreds, still match."""
    monkeypatch.setattr(bm25, "_BUILD_CHUNK_TOKENS", 64)
    monkeypatch.setattr(bm25, "_WEIGHT_CHUNK", 7)
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(300)]
    corpus = [
        [vocab[j] for j in rng.zipf(1.3, size=rng.integers(0, 400)) % 300] for _ in range(200)
    ]
    ref = rank_bm25.BM25Okapi(corpus)
    index = BM25Index(corpus)
    for _ in range(20):
        query = [vocab[j] for j in rng.integers(0, 300, size=4)] + ["w0", "w0"]
        expected = ref.get_scores(query)
        assert np.allclose(index.get_scores(query), expected, rtol=1e-6, atol=1e-9)
        assert [i for i, _ in index.top_k(query, 10)] == expected_top(expected, 10, 0.0)


def _ids_of(corpus: list[list[str]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(t, len(vocab)) for passage in corpus for t in passage]
    return np.array(ids, np.int32), np.array([len(p) for p in corpus], np.int64), list(vocab)


def _same_index(a: BM25Index, b: BM25Index) -> None:
    assert list(a._vocab.items()) == list(b._vocab.items())
    for name in ("_idf", "_indptr", "_docs", "_weights", "_lengths"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.n_docs, a.avgdl, a.average_idf) == (b.n_docs, b.avgdl, b.average_idf)


@fast
@given(corpora, corpora, st.booleans(), st.booleans())
def test_an_extended_index_is_the_index_of_all_its_passages(first, more, unpacked, saved):
    whole = first + more
    ids, lengths, terms = _ids_of(whole)
    with unpacked_build(unpacked):
        expected = BM25Index.from_ids(ids, lengths, terms)
        head_ids, head_lengths, head_terms = _ids_of(first)
        start = BM25Index.from_ids(head_ids, head_lengths, head_terms)
    if saved:
        with tempfile.TemporaryDirectory() as tmp:
            start.save(Path(tmp) / "index.npz")
            start = BM25Index.load(Path(tmp) / "index.npz")
    extended = start.extended(ids[len(head_ids) :], lengths[len(first) :], terms)
    if extended is None:  # a term of idf 0 (in exactly half the passages) hides its counts
        assert np.any(start._idf == 0)
        return
    _same_index(extended, expected)


def test_extending_needs_the_index_terms_first():
    index = BM25Index([["war", "peace"], ["army"]])
    with pytest.raises(ValueError, match="begin with"):
        index.extended(np.array([0], np.int32), np.array([1]), ["peace", "war", "army"])
