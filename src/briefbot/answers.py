"""Answers: ranked passages, each with the one or two sentences that answer, verbatim.

Nothing here writes text of its own into a quote: an excerpt is a slice of its passage,
which is a slice of its source file. When the article does not answer, the Answer says so
and why, naming the question's important words that the corpus never mentions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from . import thesaurus
from .corpus import Document
from .errors import InputError
from .index import PassageIndex
from .passages import Passage
from .qtype import (
    DATE,
    DEFINITION,
    DURATION,
    QUANTITY,
    STRICT,
    asks_authorship,
    expected_type,
    is_authorship_word,
    kind_asked,
    satisfies,
    without_framing,
)
from .query import Query

MAX_QUESTION_CHARS = 1000
# Below this share of the question's weight matched by the best passage, a question whose
# important words the corpus never mentions is not answered (see README, "Answer quality").
MIN_COVERAGE = 0.5
MIN_COVERAGE_KNOWN = 0.25  # the same, for questions whose every word the corpus has
SENTENCE_SHARE = 0.7  # weight of the excerpt's own coverage of the question in the ranking
CANDIDATES = 20  # BM25's best passages re-ranked; the rest follow in BM25's order, so the
# ranking is the same whatever page (--top, "More") is asked for
TYPE_DEPTH = 5  # a strictly typed question needs its kind of answer among these
TYPE_PENALTY = 0.5  # score factor for an excerpt without the expected kind of answer
ASKED_KIND = 0.5  # weight factor of the word for the kind of thing asked for ("countries")
LIST_PENALTY = 0.7  # score factor for one name where the question asks for several
NAME_PENALTY = 0.8  # score factor for each of the question's names a passage never uses
NO_WORDS = "The question has no words to look for; ask about something specific."
NO_TYPE = {
    QUANTITY: "The article does not give a number for this.",
    DURATION: "The article does not say how long.",
    DATE: "The article does not say when.",
}


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


# Chat mentions ("@everyone", "<@123…>", "<#123…>") address people, they ask nothing.
_CHAT_MENTION = re.compile(r"@(?:everyone|here)\b|<(?:@[!&]?|#)\d+>")


def clean_question(question: str) -> tuple[str, bool]:
    """Strip control and invisible characters and chat mentions; cut at MAX_QUESTION_CHARS.
    Raises InputError when nothing is left."""
    if not isinstance(question, str):
        raise InputError("The question must be text.")
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in question
        if unicodedata.category(c) != "Cf"
    )
    cleaned = " ".join(_CHAT_MENTION.sub(" ", cleaned).split())
    if not cleaned:
        raise InputError("The question is empty: ask something about the article.")
    truncated = len(cleaned) > MAX_QUESTION_CHARS
    return (cleaned[:MAX_QUESTION_CHARS], truncated)


def check_question(question: str, top: int) -> tuple[str, bool]:
    """The checks every question passes: :func:`clean_question`, and a page of at least 1."""
    if top < 1:
        raise InputError("--top must be at least 1.")
    return clean_question(question)


def answer(
    index: PassageIndex,
    question: str,
    *,
    top: int = 3,
    document: str | None = None,
    offset: int = 0,
) -> Answer:
    """Answer a question from the index's passages (see module docstring)."""
    text, truncated = check_question(question, top)
    notes = (
        (f"Only the first {MAX_QUESTION_CHARS} characters of the question were used.",)
        if truncated
        else ()
    )
    if document is not None:
        index.document_range(document)  # validates the name
    query = index.analyze(without_framing(text))
    base = Answer(
        question=question,
        answered=False,
        corrections=query.corrections,
        unknown=query.unknown,
        truncated=truncated,
        offset=offset,
        notes=notes,
    )
    if not query.words:
        return replace(base, reason=NO_WORDS)
    kind = expected_type(text)
    if asks_authorship(text):
        kind = None  # the byline answers, whatever the wording ("what's the byline?")
        query = index.questions.with_bylines(query, _documents_asked(index, query, document))
        # "byline", "authored": words of the asking, not of the answer
        asking = [c for c in query.concepts if not (is_authorship_word(c.word) and not c.in_corpus)]
        query = replace(query, concepts=tuple(asking))
    asked_kind = kind_asked(text)
    instance_of = None if asked_kind is None else index.tokenizer.term(asked_kind)
    weights = query.weights
    if instance_of is not None and index.names_of_kind(instance_of):
        # "which countries ...": names of countries answer it, more than the word does
        weights = {t: w * (ASKED_KIND if t == instance_of else 1.0) for t, w in weights.items()}
    ranked = index.rank(weights, max(offset + top, CANDIDATES), document=document)
    if not ranked:
        return replace(base, reason=_not_found(query.unknown))
    plural = asked_kind is not None and thesaurus.lemma(asked_kind) not in (None, asked_kind)
    candidates = _rerank(index, query, kind, ranked, instance_of, plural)
    head = sorted(candidates[:CANDIDATES], key=lambda c: (-c.score, c.passage.id))
    candidates = head + candidates[CANDIDATES:]
    reason = _why_not(index, query, kind, candidates)
    if reason is not None:
        return replace(base, reason=reason)
    page = candidates[offset : offset + top]
    if not page:
        return replace(base, reason="No more passages answer this question.")
    hits = tuple(
        Hit(
            rank=offset + i + 1,
            passage=c.passage,
            score=float(c.score),
            excerpt=excerpt(index, c.passage, weights, c.span),
        )
        for i, c in enumerate(page)
    )
    return replace(base, answered=True, hits=hits)


BYLINE_DOCUMENTS = 3  # "who wrote this?" with nothing else to go by: this many documents


def _documents_asked(index: PassageIndex, query: Query, document: str | None) -> list[Document]:
    """The documents a question about "this article" means: the one asked about; else the
    best match for the question's other words ("who wrote the piece about ships"); else
    those of the best passages for the whole question."""
    if document is not None:
        return [index.documents[document]]
    if len(index.documents) == 1:
        return list(index.documents.values())
    subject = replace(
        query, concepts=tuple(c for c in query.concepts if not is_authorship_word(c.word))
    )
    ranked = index.rank(subject.weights, 1) if subject.concepts else []
    if ranked:
        return [ranked[0][0].document]
    found: list[Document] = []
    for passage, _ in index.rank(query.weights, 10 * BYLINE_DOCUMENTS):
        if passage.document not in found:
            found.append(passage.document)
    return found[:BYLINE_DOCUMENTS]


MAX_NAMED = 4  # unknown words named in a reason
MAX_WORD_CHARS = 30  # a longer "word" is cut in the reason


def _not_found(unknown: Sequence[str]) -> str:
    if unknown:
        words = [_shown(w) for w in unknown[:MAX_NAMED]]
        if len(unknown) > MAX_NAMED:
            words[-1] = f"{len(unknown) - MAX_NAMED + 1} more words"
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return f"The article does not mention {listed}."
    return "The article does not answer this question."


@dataclass(frozen=True)
class _Candidate:
    score: float  # BM25 (normalised to the best) blended with the excerpt's coverage
    typed: bool  # the excerpt holds the kind of answer the question asks for
    passage: Passage
    span: tuple[int, int]  # the excerpt, in the passage


def _rerank(
    index: PassageIndex,
    query: Query,
    kind: str | None,
    ranked: list[tuple[Passage, float]],
    instance_of: str | None = None,
    plural: bool = False,
) -> list[_Candidate]:
    """Score BM25's best passages by their best sentences and the expected answer type (in
    the order given: the caller sorts).
    ``instance_of`` (an index term: "countri") asks for names of that kind of thing: "which
    countries ..." is answered by "Armenia, Belarus", not by the word "countries"."""
    weights = query.weights
    kinds = None if instance_of is None else _Instances(index, instance_of, frozenset(query.words))
    if kinds is not None and not any(kinds.among(p, (0, len(p.text))) for p, _ in ranked):
        kinds = instance_of = None  # the corpus names no such thing: nothing to ask for
    plural = plural and instance_of is not None
    asked_terms = {t for c in query.concepts if instance_of in c.terms for t in c.terms}
    top_score = ranked[0][1]
    names = [set(c.terms) for c in query.concepts if c.name and c.in_corpus]
    candidates = []
    for passage, score in ranked:
        start, end, present = _best_sentences(index, passage, query)

        matches = _matches(index, passage, weights) if kind in (QUANTITY, DEFINITION) else None
        typed = _typed(index, passage, weights, kind, (start, end), matches, kinds)
        if not typed:  # "The CSTO has six members. It was created in 1992."
            for span in _with_neighbour(index, passage, (start, end)):
                if _typed(index, passage, weights, kind, span, matches, kinds):
                    (start, end), typed = span, True
                    break
        if instance_of is not None:  # the kind asked for is met by names of it, not the word
            present = present - asked_terms
            if typed:
                present.add(instance_of)
        blended = (1 - SENTENCE_SHARE) * score / top_score + SENTENCE_SHARE * query.coverage(
            present
        )
        final = blended * (1.0 if typed else TYPE_PENALTY)
        if typed and plural and kinds is not None and kinds.count(passage, (start, end)) < 2:
            final *= LIST_PENALTY  # "which countries" asks for a list, one name is half of it
        if names:  # "Has Kyrgyzstan asked ...": a passage never naming Kyrgyzstan does not say
            terms = index.passage_terms(passage)
            final *= NAME_PENALTY ** sum(1 for n in names if terms.isdisjoint(n))
        candidates.append(_Candidate(final, typed, passage, (start, end)))
    return candidates


class _Instances:
    """Names of a kind of thing ("countri": Armenia, Belarus) in a passage's excerpt, other
    than those the question itself names ("Besides Russia, which countries ...")."""

    def __init__(self, index: PassageIndex, kind: str, asked: frozenset[str]) -> None:
        self.index, self.kind, self.asked = index, kind, asked

    def among(self, passage: Passage, span: tuple[int, int]) -> bool:
        return self.count(passage, span) > 0

    def count(self, passage: Passage, span: tuple[int, int]) -> int:
        """How many different such names the span holds."""
        return len(
            {
                t.word
                for t in self.index.tokens(passage)
                if span[0] <= t.start
                and t.end <= span[1]
                and t.word not in self.asked
                and self.kind in self.index.name_kinds(t.word)
            }
        )


def _typed(
    index: PassageIndex,
    passage: Passage,
    weights: dict[str, float],
    kind: str | None,
    span: tuple[int, int],
    matches: Sequence[tuple[int, int]] | None = None,
    kinds: _Instances | None = None,
) -> bool:
    """Whether the excerpt holds the kind of answer the question asks for (and, for "which
    countries", names of that kind)."""
    if kinds is not None and not kinds.among(passage, span):
        return False
    if kind in (QUANTITY, DEFINITION):  # where the matched words stand matters
        ex = excerpt(index, passage, weights, span, matches)
        return satisfies(kind, ex.text, ex.highlights)
    return satisfies(kind, passage.text[span[0] : span[1]])


def _with_neighbour(
    index: PassageIndex, passage: Passage, span: tuple[int, int]
) -> list[tuple[int, int]]:
    """A one-sentence excerpt with the sentence after it, or before it: the answer to a
    typed question often follows the sentence that matches it."""
    spans = index.sentences(passage)
    at = [i for i, (a, b) in enumerate(spans) if span[0] <= a and b <= span[1]]
    if len(at) != 1:
        return []
    i = at[0]
    return [
        (spans[j][0], spans[k][1]) for j, k in ((i, i + 1), (i - 1, i)) if j >= 0 and k < len(spans)
    ]


def _why_not(
    index: PassageIndex, query: Query, kind: str | None, candidates: list[_Candidate]
) -> str | None:
    """Why the article does not answer, or None when its best passage does."""
    best = candidates[0].passage
    coverage = query.coverage(set().union(*index.sentence_terms(best), index.heading_terms(best)))
    if (
        query.unknown_names
        or query.asks_unknown
        or (coverage < MIN_COVERAGE and (query.unknown or coverage < MIN_COVERAGE_KNOWN))
    ):
        return _not_found(query.unknown)
    if kind in STRICT and not any(c.typed for c in candidates[:TYPE_DEPTH]):
        return _not_found(query.unknown) if query.unknown else NO_TYPE[kind]
    return None


def _shown(word: str) -> str:
    """A question word as named in a reason: names capitalised, other words quoted."""
    short = word if len(word) <= MAX_WORD_CHARS else word[: MAX_WORD_CHARS - 1] + "…"
    if word.isalpha() and (not thesaurus.is_english(word) or thesaurus.kinds(word)):
        return short.capitalize()
    return f"“{short}”"


def _best_sentences(
    index: PassageIndex, passage: Passage, query: Query
) -> tuple[int, int, set[str]]:
    """Start and end (in the passage) of the one or two consecutive sentences that best
    match the question (the most of its weight: rare words count more than common ones,
    and each question word once), and the question's terms they contain."""
    weights = query.weights
    spans = index.sentences(passage)
    asked = query.terms
    found = [terms & asked for terms in index.sentence_terms(passage)]
    value = [(query.coverage(f), sum(weights[t] for t in f)) if f else (0.0, 0.0) for f in found]
    best = max(range(len(spans)), key=lambda i: (value[i], -i))
    first = last = best
    gain = {
        j: query.coverage(found[j] | found[best]) - value[best][0]
        for j in (best - 1, best + 1)
        if 0 <= j < len(spans)
    }
    if gain:
        j = max(gain, key=lambda j: (gain[j], -j))
        if gain[j] > 0:
            first, last = min(best, j), max(best, j)
    present: set[str] = set().union(*found[first : last + 1])
    return spans[first][0], spans[last][1], present


def excerpt(
    index: PassageIndex,
    passage: Passage,
    weights: dict[str, float],
    span: tuple[int, int],
    matches: Sequence[tuple[int, int]] | None = None,
) -> Excerpt:
    """The excerpt ``span`` of the passage (its best sentences: :func:`_best_sentences`),
    with the words that match the question (``matches``: :func:`_matches`, when known)."""
    start, end = span
    marks: list[tuple[int, int]] = []
    for a, b in _matches(index, passage, weights) if matches is None else matches:
        if start <= a and b <= end:
            mark = (a - start, b - start)
            if mark not in marks and not any(x <= mark[0] and mark[1] <= y for x, y in marks):
                marks = [m for m in marks if not (mark[0] <= m[0] and m[1] <= mark[1])]
                marks.append(mark)
    marks.sort()
    words: list[str] = []
    for a, b in marks:
        word = passage.text[start + a : start + b]
        if word not in words:
            words.append(word)
    return Excerpt(start, end, passage.text[start:end], tuple(words), tuple(marks))


def _matches(
    index: PassageIndex, passage: Passage, weights: dict[str, float]
) -> list[tuple[int, int]]:
    """Spans (in the passage) of its words that match the question's terms."""
    return [
        (start, end)
        for start, end, term, gloss in index.token_glosses(passage)
        if term in weights or not weights.keys().isdisjoint(gloss)
    ]
