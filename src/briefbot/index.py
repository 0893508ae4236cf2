"""The passage index: BM25 over passage terms, plus the corpus vocabulary for spelling fixes.

Each passage is indexed with its own terms and its section heading's terms (for passages
before the first heading, the document's title and subtitle), so headings help matching
without ever being answers themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .bm25 import BM25Index
from .corpus import Corpus, Document
from .errors import InputError
from .passages import Passage, split_passages
from .sentences import sentence_spans
from . import thesaurus
from .text import NEGATED, Lexicon, Token, Tokenizer

MIN_FIX_LENGTH = 5  # shorter unknown words are too ambiguous to correct


RELATED_WEIGHT = 0.5  # query weight of a word related to a question word the corpus lacks
KNOWN_RELATED_WEIGHT = 0.25  # ... and to a question word the corpus has
RELATED_CREDIT = 0.7  # how much a passage with only a related word covers the question word
SECOND_HOP_WEIGHT = 0.3  # related words of related words, for unknown words only
UNKNOWN_ENGLISH = 0.5  # weight of an unknown dictionary word, relative to an unknown name
MAX_RELATED = 12


@dataclass(frozen=True)
class Concept:
    """One content word of a question and the index terms that can stand for it."""

    word: str  # folded, as typed (or as corrected)
    weight: float  # how much it matters for deciding whether the article answers
    terms: dict[str, float]  # index term -> query weight; empty when the corpus lacks it
    english: bool = True
    name: bool = False  # a proper name (the question's topic rather than what it asks)

    @property
    def in_corpus(self) -> bool:
        return any(w >= 1.0 for w in self.terms.values())


@dataclass(frozen=True)
class Query:
    """A question turned into weighted index terms."""

    concepts: tuple[Concept, ...]
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, corpus word)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(c.word for c in self.concepts)

    @property
    def weights(self) -> dict[str, float]:
        merged: dict[str, float] = {}
        for concept in self.concepts:
            for term, weight in concept.terms.items():
                merged[term] = max(merged.get(term, 0.0), weight)
        return merged

    @property
    def unknown(self) -> tuple[str, ...]:
        """Question words the corpus never uses (it may use related words): names first."""
        missing = [c for c in self.concepts if not c.in_corpus]
        return tuple(c.word for c in sorted(missing, key=lambda c: c.english))

    @property
    def asks_unknown(self) -> bool:
        """Every word besides names is one the corpus never uses, nor any word related to it:
        the question asks about
        something the article does not discuss ("Where was <author> born?")."""
        asked = [c for c in self.concepts if not c.name]
        return bool(asked) and not any(c.terms for c in asked)

    def coverage(self, present: set[str]) -> float:
        """Share of the question's weight that a passage with these terms covers."""
        total = sum(c.weight for c in self.concepts)
        if total <= 0:
            return 0.0
        got = 0.0
        for concept in self.concepts:
            credit = max(
                (1.0 if w >= 1.0 else RELATED_CREDIT for t, w in concept.terms.items() if t in present),
                default=0.0,
            )
            got += concept.weight * credit
        return got / total


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
        self._heading_terms = headings
        self.bm25 = BM25Index(rows)
        self.word_counts = words
        capitalised: Counter[str] = Counter()
        for passage, tokens in zip(self.passages, self._tokens):
            capitalised.update(t.word for t in tokens if passage.text[t.start].isupper())
        # names: words the corpus writes capitalised (nearly) every time; never expanded
        self.names = frozenset(w for w, n in capitalised.items() if n >= 0.8 * words[w])
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

    def sentence_terms(self, passage: Passage) -> list[frozenset[str]]:
        """The index terms of each of the passage's sentences."""
        return self._sentence_terms[passage.id]

    @cached_property
    def _sentence_terms(self) -> list[list[frozenset[str]]]:
        out = []
        for passage, tokens in zip(self.passages, self._tokens):
            spans = self.sentences(passage)
            out.append(
                [frozenset(t.term for t in tokens if s <= t.start and t.end <= e) for s, e in spans]
            )
        return out

    def sentences(self, passage: Passage) -> list[tuple[int, int]]:
        return self._sentences[passage.id]

    @cached_property
    def _sentences(self) -> list[list[tuple[int, int]]]:
        return [sentence_spans(p.text) or [(0, len(p.text))] for p in self.passages]

    def heading_terms(self, passage: Passage) -> list[str]:
        return self._heading_terms[(passage.doc_id, passage.section)]

    @cached_property
    def max_idf(self) -> float:
        n = max(len(self.passages), 1)
        return float(np.log((n - 0.5) / 1.5)) if n > 1 else 1.0

    def analyze(self, text: str) -> Query:
        """Index terms of a question: spelling fixed, related words added, unknown words kept."""
        concepts: dict[str, Concept] = {}
        corrections: list[tuple[str, str]] = []
        tokens = self.tokenizer.tokens(text)
        negated = {t.word for t in tokens if t.term.startswith(NEGATED)}
        for token in tokens:
            word, term = token.word, token.term
            if term.startswith(NEGATED) or word in concepts or word.isdigit() and term not in self.bm25:
                continue
            if term not in self.bm25:
                fixed = self.correct(word)
                if fixed is not None:
                    corrections.append((word, fixed))
                    word, term = fixed, self.tokenizer.term(fixed)
            if term in self.bm25:
                terms = {term: 1.0}
                if token.word in negated and NEGATED + term in self.bm25:
                    terms[NEGATED + term] = 1.0
                if word not in self.names:
                    terms.update(self._related_terms(word, exclude=terms))
                concepts[word] = Concept(
                    word, max(self.bm25.idf(term), 0.0), terms, name=word in self.names
                )
                continue
            terms = self._related_terms(word, exclude={})
            english = thesaurus.is_english(word)
            weight = self.max_idf * (UNKNOWN_ENGLISH if english else 1.0)
            concepts[word] = Concept(token.word, weight, terms, english, name=not english)
        return Query(tuple(concepts.values()), tuple(corrections))

    def _related_terms(self, word: str, exclude: dict[str, float]) -> dict[str, float]:
        if not word.isalpha():
            return {}
        found: dict[str, float] = {}
        related = thesaurus.related(word)[:MAX_RELATED]
        for other in related:
            term = self.tokenizer.term(other)
            if term in self.bm25 and term not in exclude:
                found.setdefault(term, KNOWN_RELATED_WEIGHT if exclude else RELATED_WEIGHT)
        if not found and not exclude:
            for other in related[:5]:
                for second in thesaurus.related(other)[:5]:
                    term = self.tokenizer.term(second)
                    if term in self.bm25:
                        found.setdefault(term, SECOND_HOP_WEIGHT)
        return found

    def idf_weights(self, query: Query) -> dict[str, float]:
        return {t: max(self.bm25.idf(t), 0.0) for t in query.weights}

    def rank(
        self, weights: dict[str, float], k: int, *, document: str | None = None
    ) -> list[tuple[Passage, float]]:
        """Best passages for weighted terms (BM25 scores summed per term), score > 0, best first.

        With every weight 1 this is exactly rank-bm25's ``get_scores`` ranking.
        """
        n = len(self.passages)
        scores = np.zeros(n)
        for term, weight in weights.items():
            ids, values = self.bm25.term_weights(term)
            scores[ids] += weight * values
        if document is not None:
            lo, hi = self.document_range(document)
            scores[:lo] = 0.0
            scores[hi:] = 0.0
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(self.passages[i], float(scores[i])) for i in order[:k]]

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
        if len(word) < MIN_FIX_LENGTH or not word.isalpha() or thesaurus.is_english(word):
            return None  # a dictionary word is not a typo, even when close to a corpus word
        from rapidfuzz import fuzz, process

        cutoff = 90.0 if len(word) <= 6 else 85.0
        matches = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
        )
        if not matches:
            return None
        best = max(matches, key=lambda m: (m[1], m[0][0] == word[0], self.word_counts[m[0]]))
        return str(best[0])
