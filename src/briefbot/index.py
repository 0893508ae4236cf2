"""The passage index: BM25 over passage terms, plus the corpus vocabulary for spelling fixes.

Each passage is indexed with its own terms and its section heading's terms (for passages
before the first heading, the document's title and subtitle), so headings help matching
without ever being answers themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from .bm25 import BM25Index
from .corpus import Corpus, Document
from .errors import InputError
from .passages import Passage, split_passages
from .sentences import sentence_spans
from .text import Lexicon, Token, Tokenizer

MIN_FIX_LENGTH = 5  # shorter unknown words are too ambiguous to correct


class PassageIndex:
    """Passages of a corpus, searchable with BM25 (rank-bm25's BM25Okapi scores)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        passages: list[Passage] = []
        for doc in corpus.documents:
            passages.extend(split_passages(doc, first_id=len(passages)))
        self.passages: tuple[Passage, ...] = tuple(passages)
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        self.tokenizer = Tokenizer(Lexicon.learn(d.text[d.body_start :] for d in corpus.documents))
        self._tokens: list[list[Token]] = [self.tokenizer.tokens(p.text) for p in passages]
        headings: dict[tuple[str, str | None], list[str]] = {}
        rows: list[list[str]] = []
        words: Counter[str] = Counter()
        for passage, tokens in zip(self.passages, self._tokens):
            key = (passage.doc_id, passage.section)
            if key not in headings:
                heading = passage.section
                if heading is None:
                    doc = passage.document
                    heading = " ".join(x for x in (doc.title, doc.subtitle) if x)
                head_tokens = self.tokenizer.tokens(heading)
                headings[key] = [t.term for t in head_tokens]
                words.update(t.word for t in head_tokens)
            rows.append([t.term for t in tokens] + headings[key])
            words.update(t.word for t in tokens)
        self.bm25 = BM25Index(rows)
        self.word_counts = words
        self._doc_ranges = {
            doc_id: (
                min(p.id for p in self.passages if p.doc_id == doc_id),
                max(p.id for p in self.passages if p.doc_id == doc_id) + 1,
            )
            for doc_id in {p.doc_id for p in self.passages}
        }

    def __len__(self) -> int:
        return len(self.passages)

    def tokens(self, passage: Passage) -> list[Token]:
        """The passage's tokens, spans relative to ``passage.text``."""
        return self._tokens[passage.id]

    def sentences(self, passage: Passage) -> list[tuple[int, int]]:
        return self._sentences[passage.id]

    @cached_property
    def _sentences(self) -> list[list[tuple[int, int]]]:
        return [sentence_spans(p.text) or [(0, len(p.text))] for p in self.passages]

    def search(
        self, terms: Sequence[str], k: int, *, document: str | None = None, offset: int = 0
    ) -> list[tuple[Passage, float]]:
        """Best passages for already-tokenized terms, score > 0 only, best first."""
        allowed = None
        if document is not None:
            allowed = np.zeros(len(self.passages), dtype=bool)
            lo, hi = self.document_range(document)
            allowed[lo:hi] = True
        ranked = self.bm25.top_k(list(terms), k + offset, allowed=allowed)
        return [(self.passages[i], score) for i, score in ranked[offset:]]

    def document_range(self, document: str) -> tuple[int, int]:
        if document not in self._doc_ranges:
            known = ", ".join(sorted(self._doc_ranges)) or "none"
            raise InputError(f"Unknown document '{document}'. Documents: {known}.")
        return self._doc_ranges[document]

    @cached_property
    def _vocabulary(self) -> list[str]:
        return [w for w in self.word_counts if len(w) >= 3 and w.isalpha()]

    def correct(self, word: str) -> str | None:
        """The closest corpus word to an unknown word, if one is close enough to be a typo."""
        if len(word) < MIN_FIX_LENGTH or not word.isalpha():
            return None
        from rapidfuzz import fuzz, process

        cutoff = 90.0 if len(word) <= 6 else 85.0
        matches = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
        )
        if not matches:
            return None
        best = max(matches, key=lambda m: (m[1], m[0][0] == word[0], self.word_counts[m[0]]))
        return str(best[0])
