"""The index: passages and their sentences, BM25 over both, and sentence embeddings.

Each passage is indexed (BM25, rank-bm25's BM25Okapi) with its own terms and its section
heading's terms (the lead with the document's title and subtitle), so headings help
matching without ever being answers themselves. Each sentence is indexed on its own in a
second BM25 index, and, when the encoder is available, embedded (:mod:`briefbot.encoder`)
when the index is built; the vectors are saved with it, so a question costs one encoding.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from . import params
from .bm25 import BM25Index
from .build import PASSAGE_FIELDS, Built, build_arrays, extend_arrays, heading_text
from .corpus import Corpus, Document, byte_offsets
from .encoder import WEIGHTS_SHA256
from .errors import InputError
from .passages import Passage, joined
from .retriever import LocalRetriever, Retriever
from .storage import load_npz
from .text import Lexicon, LexiconCounts, Token, Tokenizer

if TYPE_CHECKING:
    from .encoder import Encoder


def _heading_text(passage: Passage) -> str:
    """The heading a passage is indexed with: its section, or for the lead the title."""
    return heading_text(passage.document, passage.section)


# what reading a damaged saved file raises (a truncated .npz is a BadZipFile or an EOFError)
UNREADABLE: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    KeyError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
)
LOAD_ERRORS: tuple[type[BaseException], ...] = (TypeError, AttributeError, IndexError, *UNREADABLE)


class PassageTable(Sequence[Passage]):
    """Passages kept as arrays of boundaries and made into :class:`Passage` objects when
    asked for, so that loading a saved index of a million passages creates none of them."""

    _FIELDS = PASSAGE_FIELDS

    def __init__(
        self, documents: Sequence[Document], arrays: dict[str, np.ndarray], sections: list[str]
    ) -> None:
        self._docs = tuple(documents)
        self._sections = [str(x) for x in sections]
        doc, start, end = arrays["doc"], arrays["start"], arrays["end"]
        section = arrays["section"]
        n = len(doc)
        if any(len(arrays[k]) != n for k in self._FIELDS):
            raise ValueError("passage arrays of different lengths")
        if n and (doc.min() < 0 or doc.max() >= len(self._docs)):
            raise ValueError("a passage names no document")
        if n and (np.any(np.diff(doc) < 0) or section.max() >= len(self._sections)):
            raise ValueError("passages out of order or with unknown sections")
        sizes = np.array([d.length for d in self._docs], dtype=np.int64)
        bodies = np.array([d.body_start for d in self._docs], dtype=np.int64)
        if n and not np.all((bodies[doc] <= start) & (start < end) & (end <= sizes[doc])):
            raise ValueError("a passage lies outside its document")
        files = np.array([d.stamp[0] if d.stamp else -1 for d in self._docs], dtype=np.int64)
        b_start, b_end = arrays["byte_start"], arrays["byte_end"]
        known = files[doc] >= 0
        if n and not np.all(
            (b_end - b_start >= end - start) & (b_start >= start) & ~(known & (b_end > files[doc]))
        ):
            raise ValueError("a passage lies outside its document's file")
        self.arrays = {k: np.asarray(arrays[k], dtype=np.int64) for k in self._FIELDS}
        self.sections = self._sections
        self.is_code = self.arrays["code"].astype(bool)
        # read one passage at a time through memoryviews: a fraction of the cost of numpy
        # scalar indexing, and no Python object per passage until one is asked for
        self._doc, self._start, self._end, self._paragraph, self._section = (
            np.ascontiguousarray(self.arrays[k]).data.cast("B").cast("q")
            for k in ("doc", "start", "end", "paragraph", "section")
        )
        self._byte_start, self._byte_end = (
            np.ascontiguousarray(self.arrays[k]).data.cast("B").cast("q")
            for k in ("byte_start", "byte_end")
        )
        present = np.unique(doc)
        los = np.searchsorted(doc, present).tolist()
        his = np.searchsorted(doc, present, "right").tolist()
        self.ranges = {
            self._docs[d].id: (lo, hi) for d, lo, hi in zip(present.tolist(), los, his, strict=True)
        }

    @classmethod
    def load(cls, corpus: Corpus, path: Path, sections: list[str]) -> PassageTable:
        try:
            data = load_npz(path)
            arrays = {k: np.asarray(data[k], dtype=np.int64) for k in cls._FIELDS}
        except UNREADABLE as exc:
            raise ValueError(f"unreadable passages file ({exc!r})") from None
        return cls(corpus.documents, arrays, sections)

    @classmethod
    def of(cls, corpus: Corpus, passages: Sequence[Passage]) -> PassageTable:
        """The table of passages made as objects (ids in order)."""
        number = {doc.id: i for i, doc in enumerate(corpus.documents)}
        sections: dict[str, int] = {}
        arrays = {
            "doc": np.array([number[p.doc_id] for p in passages], np.int64),
            "start": np.array([p.start for p in passages], np.int64),
            "end": np.array([p.end for p in passages], np.int64),
            "paragraph": np.array([p.paragraph for p in passages], np.int64),
            "section": np.array(
                [
                    -1 if p.section is None else sections.setdefault(p.section, len(sections))
                    for p in passages
                ],
                np.int64,
            ),
            "code": np.array([p.kind == "code" for p in passages], np.int64),
        }
        for name, edge in (("byte_start", "start"), ("byte_end", "end")):
            column = np.zeros(len(passages), np.int64)
            for d, doc in enumerate(corpus.documents):
                where = np.flatnonzero(arrays["doc"] == d)
                if len(where):
                    column[where] = byte_offsets(doc.text, arrays[edge][where].tolist())
            arrays[name] = column
        return cls(corpus.documents, arrays, list(sections))

    def __len__(self) -> int:
        return len(self.arrays["doc"])

    def _make(self, i: int) -> Passage:
        doc = self._docs[self._doc[i]]
        start, end, section = self._start[i], self._end[i], self._section[i]
        return Passage(
            i,
            doc,
            None if section < 0 else self._sections[section],
            self._paragraph[i],
            start,
            end,
            doc.excerpt(start, end, self._byte_start[i], self._byte_end[i]),
            "code" if self.is_code[i] else "text",
        )

    def joined(self, i: int, j: int) -> Passage:
        """Passages ``i`` and ``j`` (a later one of the same document) as one passage: the
        document's text from the start of ``i`` to the end of ``j``, verbatim."""
        first = self._make(i)
        doc = first.document
        end = self._end[j]
        text = doc.excerpt(first.start, end, self._byte_start[i], self._byte_end[j])
        code = int(self._start[j]) if self.is_code[j] else None
        return joined(first, end, text, self._paragraph[j], code)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Passage, ...]: ...
    def __getitem__(self, i: int | slice) -> Passage | tuple[Passage, ...]:
        if isinstance(i, slice):
            return tuple(self._make(j) for j in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("passage index out of range")
        return self._make(i)

    def __iter__(self) -> Iterator[Passage]:
        return (self._make(i) for i in range(len(self)))


SENTENCE_ENCODE_CHARS = 1200  # a sentence longer than this is embedded from its start
PASSAGE_ENCODE_CHARS = 2000  # ... and a passage (the encoder reads 256 tokens at most)
VECTOR_CACHE = 50_000  # sentence vectors kept for an index without them (75 MB)


# Vectors already computed, by the digest of the exact text they embed: sentences, passages,
# and passages' token vectors (8-bit rows and their scales).
Known = tuple[
    dict[bytes, np.ndarray], dict[bytes, np.ndarray], dict[bytes, tuple[np.ndarray, np.ndarray]]
]
TOKEN_FILES = ("token_values.npy", "token_scales.npy", "token_first.npy", "token_keys.npy")
TOKEN_BATCH = 64  # passages encoded, then quantized, at a time (bounds the float32 rows)


@dataclass
class TokenVectors:
    """Each passage's token vectors, read with its heading, for late interaction
    (:meth:`briefbot.similarity.Semantic.late`): passage ``p``'s rows are
    ``first[p] : first[p + 1]``, each stored in 8 bits with its own scale (a row's largest
    component is ±127), which keeps every cosine within about 0.01."""

    values: np.ndarray  # (n_tokens, 384) int8
    scales: np.ndarray  # (n_tokens,) float32
    first: np.ndarray  # (n_passages + 1,) int64
    keys: np.ndarray  # (n_passages, 16) uint8: the digest of each passage's text as read

    def of(self, passage_id: int) -> np.ndarray:
        """Passage ``passage_id``'s token vectors, (its tokens, 384) float32."""
        a, b = int(self.first[passage_id]), int(self.first[passage_id + 1])
        return self.values[a:b].astype(np.float32) * self.scales[a:b, None]

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in (self.values, self.scales, self.first, self.keys))

    @classmethod
    def encode(
        cls, encoder: Encoder, texts: list[str], known: dict[bytes, tuple[np.ndarray, np.ndarray]]
    ) -> TokenVectors:
        """The token vectors of ``texts``, one per passage (those ``known`` by their text's
        digest reused, the rest encoded)."""
        keys = [_digest(t) for t in texts]
        found = dict(known)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        by_key = {k: t for t, k in zip(texts, keys, strict=True)}
        for lo in range(0, len(missing), TOKEN_BATCH):
            chunk = missing[lo : lo + TOKEN_BATCH]
            encoded = encoder.encode_tokens([by_key[k] for k in chunk])
            for k, rows in zip(chunk, encoded, strict=True):
                found[k] = _quantized(rows)
        parts = [found[k] for k in keys]
        sizes = [len(v) for v, _ in parts]
        first = np.zeros(len(texts) + 1, np.int64)
        np.cumsum(sizes, out=first[1:])
        values = np.concatenate([v for v, _ in parts]) if parts else np.zeros((0, 384), np.int8)
        scales = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.float32)
        return cls(values.reshape(-1, 384), scales, first, _key_array(keys))

    def known(self) -> dict[bytes, tuple[np.ndarray, np.ndarray]]:
        """Each passage's rows and scales by its text's digest (what a rebuild reuses)."""
        out = {}
        for p, row in enumerate(self.keys):
            a, b = int(self.first[p]), int(self.first[p + 1])
            out[bytes(row)] = (self.values[a:b], self.scales[a:b])
        return out

    def save(self, folder: Path) -> None:
        arrays = (self.values, self.scales, self.first, self.keys)
        for name, array in zip(TOKEN_FILES, arrays, strict=True):
            np.save(folder / name, array)

    @classmethod
    def load(cls, folder: Path, passages: int) -> TokenVectors | None:
        """The token vectors saved in ``folder`` for an index of ``passages`` passages (the
        values mapped, not read); None when there are none. Raises ``ValueError`` when the
        files do not fit together."""
        if not (folder / TOKEN_FILES[0]).exists():
            return None
        values = np.load(folder / TOKEN_FILES[0], mmap_mode="r")
        scales, first, keys = (np.load(folder / name) for name in TOKEN_FILES[1:])
        n = int(first[-1]) if len(first) else -1
        if (
            values.dtype != np.int8
            or values.shape != (n, 384)
            or scales.shape != (n,)
            or first.shape != (passages + 1,)
            or first[0] != 0
            or bool((np.diff(first) < 0).any())
            or keys.shape != (passages, 16)
        ):
            raise ValueError("saved token vectors do not fit the index")
        return cls(values, scales.astype(np.float32, copy=False), first, keys)


def _quantized(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors as 8-bit rows and a scale each (row ≈ values * scale)."""
    scale = np.abs(rows).max(axis=1, initial=0.0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.rint(rows / scale[:, None]).astype(np.int8), scale


def _megabytes(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**10:,.0f} KB"


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _sentence_texts(passages: Sequence[Passage], spans: np.ndarray, first: np.ndarray) -> list[str]:
    """What the encoder reads of each sentence, in sentence order."""
    owner = np.repeat(np.arange(len(passages)), np.diff(first))
    return [
        passages[p].text[s:e][:SENTENCE_ENCODE_CHARS]
        for p, (s, e) in zip(owner.tolist(), spans.tolist(), strict=True)
    ]


def _by_digest(vectors: np.ndarray, keys: np.ndarray) -> dict[bytes, np.ndarray]:
    return {bytes(row): vectors[i] for i, row in enumerate(keys)}


def _known_vectors(index: PassageIndex | None) -> Known:
    """The sentence and passage vectors of an earlier index, by the text they embed."""
    if index is None or index.embeddings is None or index.passage_embeddings is None:
        return {}, {}, {}
    sentence_keys, passage_keys = index.vector_keys
    return (
        _by_digest(index.embeddings, sentence_keys),
        _by_digest(index.passage_embeddings, passage_keys),
        index.token_vectors.known() if index.token_vectors is not None else {},
    )


def saved_vectors(folder: Path) -> Known:
    """The vectors of the index saved in ``folder``, even one saved for other content (a
    document added or changed since), by the digest of the text each embeds; nothing when
    there are none or they do not fit together."""
    try:
        found = []
        for vectors, keys in (
            ("embeddings.npy", "sentence_keys.npy"),
            ("passage_embeddings.npy", "passage_keys.npy"),
        ):
            v = np.load(folder / vectors, mmap_mode="r")
            k = np.load(folder / keys)
            if v.ndim != 2 or v.shape[1] != 384 or k.shape != (len(v), 16) or k.dtype != np.uint8:
                return {}, {}, {}
            found.append(_by_digest(v, k))
    except LOAD_ERRORS:
        return {}, {}, {}
    tokens: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    try:
        keys = np.load(folder / TOKEN_FILES[3])
        saved = TokenVectors.load(folder, len(keys))
        if saved is not None:
            tokens = saved.known()
    except LOAD_ERRORS:
        pass  # encoded again
    return found[0], found[1], tokens


def _encode(
    encoder: Encoder, texts: list[str], known: dict[bytes, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of ``texts`` (the known ones reused, the rest encoded in one batch), and
    the digests they are known by."""
    keys = [_digest(t) for t in texts]
    missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    out = np.zeros((len(texts), 384), np.float32)
    for i, (t, k) in enumerate(zip(texts, keys, strict=True)):
        out[i] = known[k] if k in known else fresh[t]
    return out, _key_array(keys)


def embeds_at_build(sentences: int) -> bool:
    """Whether an index of this many sentences is embedded whole when it is built."""
    return sentences <= params.EMBED_AT_BUILD_SENTENCES


def _key_array(keys: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 16)


class PassageIndex:
    """Passages of a corpus and their sentences, searchable with BM25 (rank-bm25's
    BM25Okapi scores) and, when built with an encoder, by meaning.

    Build it with :meth:`build`; :meth:`save` and :meth:`load` keep it on disk. Sentences
    are flat arrays: ``sentence_passage[i]`` is the passage of sentence ``i`` and
    ``sentence_spans[i]`` its (start, end) in that passage's text; a passage's sentences
    are the range ``first_sentence[p] : first_sentence[p + 1]``.
    """

    def __init__(
        self,
        corpus: Corpus,
        passages: Sequence[Passage],
        tokenizer: Tokenizer,
        bm25: BM25Index,
        word_counts: Counter[str],
        names: frozenset[str],
        sentence_spans: np.ndarray,
        first_sentence: np.ndarray,
        sentence_bm25: BM25Index,
        embeddings: np.ndarray | None = None,
        passage_embeddings: np.ndarray | None = None,
        token_vectors: TokenVectors | None = None,
    ) -> None:
        self.corpus = corpus
        self.passages: Sequence[Passage] = (
            passages if isinstance(passages, PassageTable) else tuple(passages)
        )
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        if isinstance(self.passages, PassageTable):
            self.is_code = self.passages.is_code
        else:
            self.is_code = np.array([p.kind == "code" for p in self.passages], dtype=bool)
        self.tokenizer = tokenizer
        self.bm25 = bm25
        self.word_counts = word_counts
        self.names = names  # words the corpus writes capitalised (nearly) every time
        self.sentence_spans = sentence_spans  # (n_sentences, 2) int64, relative to passages
        self.first_sentence = first_sentence  # (n_passages + 1,) int64
        self.sentence_passage = np.repeat(
            np.arange(len(self.passages), dtype=np.int64), np.diff(first_sentence)
        )
        self.sentence_bm25 = sentence_bm25
        # what the answer pipeline searches through (briefbot.retriever: the one seam)
        self.retriever: Retriever = LocalRetriever(bm25, sentence_bm25)
        self.embeddings = embeddings  # (n_sentences, 384) float32 unit vectors, or None
        self.passage_embeddings = passage_embeddings  # (n_passages, 384): each passage whole
        self.token_vectors = token_vectors  # each passage's tokens' (a small index), or None
        # an index without vectors (too large to embed at build): the sentence vectors that
        # questions have needed so far, by sentence id, at most VECTOR_CACHE of them
        self.vector_cache: dict[int, np.ndarray] = {}
        self.key: str | None = None  # what it was saved or loaded with (briefbot.cache)
        # the digests of what each sentence and passage vector embeds (set by build and
        # load, else computed when first needed): saved with the vectors, and what a
        # later build reuses them by
        self._vector_keys: tuple[np.ndarray, np.ndarray] | None = None
        self._heading_terms: dict[tuple[str, str | None], list[str]] = {}
        self._doc_ranges: dict[str, tuple[int, int]] = {}
        if isinstance(self.passages, PassageTable):
            self._doc_ranges = dict(self.passages.ranges)
        else:
            for p in self.passages:
                lo, _ = self._doc_ranges.get(p.doc_id, (p.id, p.id))
                self._doc_ranges[p.doc_id] = (lo, p.id + 1)
        self.tokens = lru_cache(maxsize=4096)(self._tokens)  # type: ignore[method-assign]
        self.typo_repairs: dict[str, str | None] = {}  # unknown word -> its repair (bounded)
        # the corpus's topics as (name, kind, passages), found once (briefbot.summaries)
        # and saved with the index, so no request ever waits for them after a load
        self.topics: tuple[tuple[str, str, int], ...] | None = None
        # what a later build that adds documents after these continues from
        # (:meth:`extended`): the prose's lexicon counts, words' capitalised and prose counts
        self.build_counts: tuple[LexiconCounts, Counter[str], Counter[str]] | None = None
        self.built_from: list[list[str]] | None = None  # saved: [document id, content hash]
        self.builder: str | None = None  # saved: what else the index depends on (cache.py)

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        progress: Callable[[int, int], None] | None = None,
        encoder: Encoder | None = None,
        reuse: PassageIndex | Known | None = None,
        workers: int | None = None,
    ) -> PassageIndex:
        """Split, tokenize and index every document of ``corpus`` (:mod:`briefbot.build`,
        a large corpus in ``workers`` processes), and embed its sentences and passages with
        ``encoder`` when given and the index is small enough
        (``params.EMBED_AT_BUILD_SENTENCES``); texts that ``reuse``, an earlier index,
        already embedded keep their vectors, so a reload encodes only what is new."""
        built = build_arrays(corpus, progress, workers)
        bm25 = BM25Index.from_ids(built.ids, built.lengths, built.terms)
        # each array of term ids let go once indexed: the next index is built without it
        # (at 1M passages each is 170 MB, and the build's peak is the sentence index's)
        built.ids = np.zeros(0, np.int32)
        sentence_bm25 = BM25Index.from_ids(
            built.sentence_ids, built.sentence_lengths, built.sentence_terms
        )
        built.sentence_ids = np.zeros(0, np.int32)
        return cls._of(corpus, built, bm25, sentence_bm25, encoder, reuse)

    @classmethod
    def extended(
        cls, corpus: Corpus, old: PassageIndex, encoder: Encoder | None = None
    ) -> PassageIndex | None:
        """The index of ``corpus``, whose first documents are those ``old`` was built from,
        unchanged, and the rest new: only the new ones are split and tokenized
        (:func:`briefbot.build.extend_arrays`), the BM25 indexes extended
        (:meth:`BM25Index.extended`); the same index as :meth:`build` gives, to the last
        bit. None when it cannot be (the new documents change the lexicon, ``old`` was saved
        without what extending needs, or a term's counts cannot be read back)."""
        if (
            old.build_counts is None
            or old.built_from is None
            or not isinstance(old.passages, PassageTable)
        ):
            return None
        counts, capitalised, in_text = old.build_counts
        table = old.passages
        before = Built(
            dict(table.arrays),
            list(table.sections),
            old.tokenizer.lexicon,
            old.bm25.terms,
            np.zeros(0, np.int32),
            np.zeros(0, np.int64),
            old.sentence_bm25.terms,
            np.zeros(0, np.int32),
            np.zeros(0, np.int64),
            old.sentence_spans,
            old.first_sentence,
            old.word_counts,
            old.names,
            counts,
            capitalised,
            in_text,
        )
        built = extend_arrays(corpus, before, len(old.built_from), old.bm25.holds_all)
        if built is None:
            return None
        bm25 = old.bm25.extended(built.ids, built.lengths, built.terms)
        built.ids = np.zeros(0, np.int32)
        if bm25 is None:
            return None
        sentence_bm25 = old.sentence_bm25.extended(
            built.sentence_ids, built.sentence_lengths, built.sentence_terms
        )
        built.sentence_ids = np.zeros(0, np.int32)
        if sentence_bm25 is None:
            return None
        return cls._of(corpus, built, bm25, sentence_bm25, encoder, old)

    @classmethod
    def _of(
        cls,
        corpus: Corpus,
        built: Built,
        bm25: BM25Index,
        sentence_bm25: BM25Index,
        encoder: Encoder | None,
        reuse: PassageIndex | Known | None,
    ) -> PassageIndex:
        """The index of a build's tables and its two BM25 indexes (vectors as :meth:`build`
        says)."""
        passages = PassageTable(corpus.documents, built.passages, built.sections)
        index = cls(
            corpus,
            passages,
            Tokenizer(built.lexicon),
            bm25,
            built.words,
            built.names,
            built.spans,
            built.first_sentence,
            sentence_bm25,
        )
        index.build_counts = (built.counts, built.capitalised, built.in_text)
        if encoder is not None and embeds_at_build(len(built.spans)):
            index.embed(encoder, reuse)  # else too many to encode now: questions encode theirs
        return index

    def embed(self, encoder: Encoder, reuse: PassageIndex | Known | None = None) -> None:
        """Give the index its sentence and passage vectors (texts that ``reuse``, an earlier
        index or its saved vectors, already embedded keep their vectors)."""
        texts = _sentence_texts(self.passages, self.sentence_spans, self.first_sentence)
        known = reuse if isinstance(reuse, tuple) else _known_vectors(reuse)
        old_sentences, old_passages, old_tokens = known
        embeddings, sentence_keys = _encode(encoder, texts, old_sentences)
        passage_texts = [p.text[:PASSAGE_ENCODE_CHARS] for p in self.passages]
        passage_embeddings, passage_keys = _encode(encoder, passage_texts, old_passages)
        self.embeddings, self.passage_embeddings = embeddings, passage_embeddings
        self._vector_keys = (sentence_keys, passage_keys)
        self.vector_cache = {}
        self.token_vectors = None
        if len(self.passages) <= params.LATE_AT_BUILD_PASSAGES:
            late = [self.late_text(p) for p in range(len(self.passages))]
            self.token_vectors = TokenVectors.encode(encoder, late, old_tokens)

    def late_text(self, passage_id: int) -> str:
        """What the encoder reads of a passage for its token vectors: its section's heading,
        then its text."""
        passage = self.passages[passage_id]
        text = passage.text[:PASSAGE_ENCODE_CHARS]
        return f"{passage.section}. {text}" if passage.section else text

    def nbytes(self) -> int:
        """About what :meth:`save` writes, in bytes."""
        arrays = [self.sentence_spans, self.first_sentence]
        if isinstance(self.passages, PassageTable):
            arrays.extend(self.passages.arrays.values())
        if self.embeddings is not None and self.passage_embeddings is not None:
            arrays.extend((self.embeddings, self.passage_embeddings))
        words = sum(4 * len(w) + 16 for w in self.word_counts)
        tokens = self.token_vectors.nbytes if self.token_vectors is not None else 0
        arrays_bytes = sum(a.nbytes for a in arrays)
        return self.bm25.nbytes + self.sentence_bm25.nbytes + arrays_bytes + words + tokens

    def save(self, folder: Path, key: str) -> None:
        """Write the index into ``folder`` (created; replaced atomically). Raises
        ``OSError`` (ENOSPC) before writing anything when the disk has too little room."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        need, free = self.nbytes(), shutil.disk_usage(folder.parent).free
        if need > free:
            raise OSError(
                errno.ENOSPC,
                f"not enough disk space: the index takes about {_megabytes(need)}, "
                f"{_megabytes(free)} free",
            )
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        try:
            self.bm25.save(tmp / "bm25.npz")
            self.sentence_bm25.save(tmp / "sentence_bm25.npz")
            np.savez(tmp / "sentences.npz", spans=self.sentence_spans, first=self.first_sentence)
            if self.embeddings is not None and self.passage_embeddings is not None:
                np.save(tmp / "embeddings.npy", self.embeddings)
                np.save(tmp / "passage_embeddings.npy", self.passage_embeddings)
                # what each vector embeds, by digest: a later build of changed content
                # reuses the vectors of the texts that did not change (saved_vectors)
                sentence_keys, passage_keys = self.vector_keys
                np.save(tmp / "sentence_keys.npy", sentence_keys)
                np.save(tmp / "passage_keys.npy", passage_keys)
                if self.token_vectors is not None:
                    self.token_vectors.save(tmp)
            lexicon = self.tokenizer.lexicon
            table = self.passages
            if not isinstance(table, PassageTable):
                table = PassageTable.of(self.corpus, table)
            np.savez(tmp / "passages.npz", **table.arrays)  # type: ignore[arg-type]
            meta = {
                "key": key,
                "passages": len(self.passages),
                "sections": table.sections,
                "acronyms": {a: list(e) for a, e in lexicon.acronyms.items()},
                "aliases": lexicon.aliases,
                "word_counts": dict(self.word_counts),
                "names": sorted(self.names),
                # the encoder the vectors came from: used only with the same weights
                "encoder": WEIGHTS_SHA256 if self.embeddings is not None else None,
            }
            if self.topics is not None:
                meta["topics"] = [list(t) for t in self.topics]
            if self.build_counts is not None and self.builder is not None:
                counts, capitalised, in_text = self.build_counts
                meta["extend"] = {
                    "builder": self.builder,
                    "documents": [[d.id, d.content_hash] for d in self.corpus.documents],
                    "candidates": sorted(counts.candidates),
                    "initials": {k: list(v) for k, v in counts.initials.items()},
                    "counted": dict(counts.capitalised),
                    "capitalised": dict(capitalised),
                    "in_text": dict(in_text),
                }
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            if folder.exists():
                old = folder.with_name(folder.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(folder, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def built_by(folder: Path) -> tuple[str, list[list[str]]] | None:
        """What the index saved in ``folder`` can be extended from: the versions it was
        built by and its [document id, content hash] list; None when it cannot be
        (not saved for it, or unreadable). Reads the metadata alone."""
        try:
            extend = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["extend"]
            return str(extend["builder"]), [[str(i), str(h)] for i, h in extend["documents"]]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def load(cls, corpus: Corpus, folder: Path, key: str | None) -> PassageIndex:
        """Read an index written by :meth:`save`. Raises ``LookupError`` when it was built
        from other content (stale; ``key`` None: whatever it was built from, for
        :meth:`extended`) and ``ValueError`` when it is unreadable (corrupt)."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LookupError("no saved index") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"unreadable index metadata ({exc})") from None
        if not isinstance(meta, dict) or (key is not None and meta.get("key") != key):
            raise LookupError("saved index is for other content")
        bm25 = BM25Index.load(folder / "bm25.npz")
        sentence_bm25 = BM25Index.load(folder / "sentence_bm25.npz")
        try:
            data = load_npz(folder / "sentences.npz")
            spans, first = data["spans"], data["first"]
            embeddings = passage_embeddings = None
            # mapped, not read: the pages come in as questions use them, and are shared
            # by every process that opens the same index; only the encoder's own vectors
            same = meta.get("encoder") == WEIGHTS_SHA256
            if same and (folder / "embeddings.npy").exists():
                embeddings = np.load(folder / "embeddings.npy", mmap_mode="r")
            if same and (folder / "passage_embeddings.npy").exists():
                passage_embeddings = np.load(folder / "passage_embeddings.npy", mmap_mode="r")
            passages = PassageTable.load(corpus, folder / "passages.npz", meta["sections"])
            token_vectors = None
            if same and embeddings is not None and passage_embeddings is not None:
                token_vectors = TokenVectors.load(folder, len(passages))
            lexicon = Lexicon(
                aliases={str(k): str(v) for k, v in meta["aliases"].items()},
                acronyms={str(k): tuple(map(str, v)) for k, v in meta["acronyms"].items()},
            )
            words = Counter({str(k): int(v) for k, v in meta["word_counts"].items()})
            names = frozenset(map(str, meta["names"]))
            topics = None
            if "topics" in meta:
                topics = tuple((str(n), str(k), int(c)) for n, k, c in meta["topics"])
            extend = meta.get("extend")
            build_counts = None
            if isinstance(extend, dict):
                build_counts = (
                    LexiconCounts(
                        set(map(str, extend["candidates"])),
                        {str(k): tuple(map(str, v)) for k, v in extend["initials"].items()},
                        Counter({str(k): int(v) for k, v in extend["counted"].items()}),
                    ),
                    Counter({str(k): int(v) for k, v in extend["capitalised"].items()}),
                    Counter({str(k): int(v) for k, v in extend["in_text"].items()}),
                )
                built_from = [[str(i), str(h)] for i, h in extend["documents"]]
                builder = str(extend["builder"])
        except LOAD_ERRORS as exc:
            raise ValueError(f"unreadable index data ({exc!r})") from None
        n = len(passages)
        if n != meta.get("passages") or bm25.n_docs != n or len(first) != n + 1:
            raise ValueError("saved index does not match the corpus's passages")
        if (
            sentence_bm25.n_docs != len(spans)
            or (embeddings is not None and embeddings.shape != (len(spans), 384))
            or (passage_embeddings is not None and passage_embeddings.shape != (n, 384))
        ):
            raise ValueError("saved sentences do not match each other")
        index = cls(
            corpus,
            passages,
            Tokenizer(lexicon),
            bm25,
            words,
            names,
            spans,
            first,
            sentence_bm25,
            embeddings,
            passage_embeddings,
            token_vectors,
        )
        index.topics = topics
        index.key = meta.get("key")
        if build_counts is not None:
            index.build_counts, index.built_from, index.builder = build_counts, built_from, builder
        if embeddings is not None and passage_embeddings is not None:
            try:
                keys = np.load(folder / "sentence_keys.npy"), np.load(folder / "passage_keys.npy")
            except LOAD_ERRORS:
                keys = None  # computed again when needed
            if keys is not None and keys[0].shape == (len(spans), 16) and keys[1].shape == (n, 16):
                index._vector_keys = keys
        return index

    def joined(self, i: int, j: int) -> Passage:
        """Passages ``i`` and ``j`` (a later one of the same document) as one passage: the
        document's text from the start of ``i`` to the end of ``j``, verbatim."""
        if isinstance(self.passages, PassageTable):
            return self.passages.joined(i, j)
        first, last = self.passages[i], self.passages[j]
        text = first.document.text[first.start : last.end]
        code = last.start if last.kind == "code" else None
        return joined(first, last.end, text, last.paragraph, code)

    def __len__(self) -> int:
        return len(self.passages)

    @property
    def vector_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """(sentence digests, passage digests): what each vector embeds, 16 bytes each."""
        if self._vector_keys is None:
            texts = _sentence_texts(self.passages, self.sentence_spans, self.first_sentence)
            passages = [p.text[:PASSAGE_ENCODE_CHARS] for p in self.passages]
            self._vector_keys = (
                _key_array([_digest(t) for t in texts]),
                _key_array([_digest(t) for t in passages]),
            )
        return self._vector_keys

    def sentence_texts(self, ids: Sequence[int]) -> list[str]:
        """What the encoder reads of each of the sentences ``ids``."""
        out = []
        for i in ids:
            passage = self.passages[int(self.sentence_passage[i])]
            s, e = self.sentence_spans[i]
            out.append(passage.text[int(s) : int(e)][:SENTENCE_ENCODE_CHARS])
        return out

    def passage_encode_text(self, passage_id: int) -> str:
        """What the encoder reads of a passage embedded whole."""
        return self.passages[passage_id].text[:PASSAGE_ENCODE_CHARS]

    def remember_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Keep sentence vectors encoded for a question; the oldest go past VECTOR_CACHE."""
        cache = self.vector_cache
        for i, v in zip(ids, vectors, strict=True):
            cache[int(i)] = v
        while len(cache) > VECTOR_CACHE:
            del cache[next(iter(cache))]

    def _tokens(self, passage: Passage) -> list[Token]:
        """The passage's tokens, as the index holds them; spans relative to ``passage.text``."""
        return self.tokenizer.tokens_in(passage.text, self.sentences(passage))

    def sentences(self, passage: Passage) -> list[tuple[int, int]]:
        """(start, end) of the passage's sentences, relative to ``passage.text``."""
        lo, hi = self.first_sentence[passage.id], self.first_sentence[passage.id + 1]
        return [(int(s), int(e)) for s, e in self.sentence_spans[lo:hi]]

    def sentence_range(self, passage_id: int) -> tuple[int, int]:
        return int(self.first_sentence[passage_id]), int(self.first_sentence[passage_id + 1])

    @cached_property
    def bylines(self) -> dict[str, tuple[str, ...]]:
        """Each document's authors and translator: the names "who wrote this?" looks for."""
        return {
            d.id: tuple(d.authors) + ((d.translator,) if d.translator else ())
            for d in self.corpus.documents
        }

    @cached_property
    def typo_vocabulary(self) -> list[str]:
        """The corpus words a typo may be repaired to (alphabetic, three letters or more)."""
        return sorted(w for w in self.word_counts if len(w) >= 3 and w.isalpha())

    def heading_terms(self, passage: Passage) -> list[str]:
        key = (passage.doc_id, passage.section)
        if key not in self._heading_terms:
            self._heading_terms[key] = self.tokenizer.terms(_heading_text(passage))
        return self._heading_terms[key]

    def passage_count(self, document: str) -> int:
        """How many passages the document has (0 for one it does not know)."""
        lo, hi = self._doc_ranges.get(document, (0, 0))
        return hi - lo

    def document_range(self, document: str) -> tuple[int, int]:
        if document not in self._doc_ranges:
            known = ", ".join(sorted(self._doc_ranges)) or "none"
            raise InputError(f"Unknown document '{document}'. Documents: {known}.")
        return self._doc_ranges[document]
