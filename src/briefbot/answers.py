"""Answers: ranked passages, each with the one or two sentences that answer, verbatim.

Nothing here writes text of its own into a quote: an excerpt is a slice of its passage,
which is a slice of its source file. When the article does not answer, the Answer says so
and why, naming the question's important words that the corpus never mentions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .errors import InputError
from .index import PassageIndex
from .passages import Passage

MAX_QUESTION_CHARS = 1000
# Below this share of the question's weight matched by the best passage, a question whose
# important words the corpus never mentions is not answered (see README, "Answer quality").
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Excerpt:
    """The answering sentence(s) of a passage: ``passage.text[start:end]``."""

    start: int
    end: int
    text: str
    matched: tuple[str, ...]  # the words of the excerpt that match the question, as written
    highlights: tuple[tuple[int, int], ...]  # their spans, relative to the excerpt


@dataclass(frozen=True)
class Hit:
    rank: int
    passage: Passage
    score: float
    excerpt: Excerpt


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    hits: tuple[Hit, ...] = ()
    reason: str | None = None
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, corpus word)
    unknown: tuple[str, ...] = ()  # question words the corpus never mentions
    truncated: bool = False  # only the first MAX_QUESTION_CHARS characters were used
    offset: int = 0  # how many better hits came before these ("More")
    notes: tuple[str, ...] = field(default=())


def clean_question(question: str) -> tuple[str, bool]:
    """Strip control and invisible characters; cut at MAX_QUESTION_CHARS. Raises InputError."""
    if not isinstance(question, str):
        raise InputError("The question must be text.")
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in question
        if unicodedata.category(c) != "Cf"
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise InputError("The question is empty: ask something about the article.")
    truncated = len(cleaned) > MAX_QUESTION_CHARS
    return (cleaned[:MAX_QUESTION_CHARS], truncated)


def answer(
    index: PassageIndex,
    question: str,
    *,
    top: int = 3,
    document: str | None = None,
    offset: int = 0,
) -> Answer:
    """Answer a question from the index's passages (see module docstring)."""
    if top < 1:
        raise InputError("--top must be at least 1.")
    text, truncated = clean_question(question)
    notes = (f"Only the first {MAX_QUESTION_CHARS} characters of the question were used.",) if truncated else ()
    if document is not None:
        index.document_range(document)  # validates the name
    tokens = index.tokenizer.tokens(text)
    terms: list[str] = []
    weights: dict[str, float] = {}
    corrections: list[tuple[str, str]] = []
    unknown: list[str] = []
    bm25 = index.bm25
    max_idf = max((bm25.idf(t) for t in bm25.vocabulary), default=1.0)
    for token in tokens:
        term = token.term
        if term not in bm25:
            fixed = index.correct(token.word)
            if fixed is None:
                if token.word not in unknown and not token.word.isdigit():
                    unknown.append(token.word)
                weights.setdefault("\0" + token.word, max_idf)
                continue
            corrections.append((token.word, fixed))
            term = index.tokenizer.term(fixed)
        if term not in weights:
            terms.append(term)
            weights[term] = max(bm25.idf(term), 0.0)
    common = dict(question=question, corrections=tuple(corrections), unknown=tuple(unknown),
                  truncated=truncated, offset=offset, notes=notes)
    if not tokens:
        return Answer(answered=False, reason="The question has no words to look for; ask about something specific.", **common)
    found = index.search(terms, top, document=document, offset=offset) if terms else []
    if not found:
        return Answer(answered=False, reason=_not_found(unknown, offset), **common)
    best = found[0][0] if offset == 0 else index.search(terms, 1, document=document)[0][0]
    best_terms = {t.term for t in index.tokens(best)} | set(_heading_terms(index, best))
    total = sum(weights.values())
    matched = sum(w for t, w in weights.items() if t in best_terms)
    if unknown and total > 0 and matched / total < MIN_COVERAGE:
        return Answer(answered=False, reason=_not_found(unknown, 0), **common)
    hits = tuple(
        Hit(rank=offset + i + 1, passage=p, score=score, excerpt=excerpt(index, p, weights))
        for i, (p, score) in enumerate(found)
    )
    return Answer(answered=True, hits=hits, **common)


def _heading_terms(index: PassageIndex, passage: Passage) -> list[str]:
    heading = passage.section
    if heading is None:
        heading = " ".join(x for x in (passage.document.title, passage.document.subtitle) if x)
    return index.tokenizer.terms(heading)


def _not_found(unknown: list[str], offset: int) -> str:
    if offset:
        return "No more passages answer this question."
    if unknown:
        words = [w.capitalize() if w.isalpha() else w for w in unknown]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return f"The article does not mention {listed}."
    return "The article does not answer this question."


def excerpt(index: PassageIndex, passage: Passage, weights: dict[str, float]) -> Excerpt:
    """The one or two consecutive sentences of the passage that best match the question."""
    spans = index.sentences(passage)
    tokens = index.tokens(passage)

    def terms_in(start: int, end: int) -> set[str]:
        return {t.term for t in tokens if start <= t.start and t.end <= end and t.term in weights}

    found = [terms_in(s, e) for s, e in spans]
    value = [sum(weights[t] for t in f) for f in found]
    best = max(range(len(spans)), key=lambda i: (value[i], -i))
    first = last = best
    gain = {
        j: sum(weights[t] for t in found[j] - found[best])
        for j in (best - 1, best + 1)
        if 0 <= j < len(spans)
    }
    if gain:
        j = max(gain, key=lambda j: (gain[j], -j))
        if gain[j] > 0:
            first, last = min(best, j), max(best, j)
    start, end = spans[first][0], spans[last][1]
    marks: list[tuple[int, int]] = []
    words: list[str] = []
    for t in tokens:
        if t.term in weights and start <= t.start and t.end <= end:
            span = (t.start - start, t.end - start)
            if span not in marks and not any(a <= span[0] and span[1] <= b for a, b in marks):
                marks = [m for m in marks if not (span[0] <= m[0] and m[1] <= span[1])]
                marks.append(span)
    marks.sort()
    for a, b in marks:
        word = passage.text[start + a : start + b]
        if word not in words:
            words.append(word)
    return Excerpt(start, end, passage.text[start:end], tuple(words), tuple(marks))
