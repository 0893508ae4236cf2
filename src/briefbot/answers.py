"""Answers: the pipeline from a question to ranked, quoted, attributed passages.

question (:mod:`briefbot.question`) → candidates (:mod:`briefbot.candidates`) → semantic
similarity (:mod:`briefbot.similarity`) → fusion (:mod:`briefbot.fusion`) → refusal
(:mod:`briefbot.refusal`) → quote (:mod:`briefbot.quote`). Nothing here writes text of
its own into a quote: an excerpt is a slice of its passage, which is a slice of its source
file. When the documents do not answer, the Answer says so and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from . import params, refusal
from .answertype import expected_type
from .candidates import code_introduced, lead_in, lexical, opener, union
from .corpus import Document
from .encoder import Encoder
from .fusion import Scored, model, score
from .generality import everyday
from .index import PassageIndex
from .passages import Passage
from .question import (
    MAX_QUESTION_CHARS,
    Question,
    analyze,
    asks_catalogue,
    asks_for_code,
    check_question,
    is_small_talk,
    without_chat,
)
from .quote import Excerpt, cut, go_on, goes_on_into, opens_next
from .similarity import semantic, top_passages
from .wording import catalogue, noun

__all__ = ["Answer", "Excerpt", "Hit", "answer", "check_question", "noun"]


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
    small_talk: bool = False  # chat, answered with a line of help
    follows: str | None = None  # the earlier question this one follows up
    searched: str | None = None  # what was searched, when not the question alone (follow-up)
    # "who wrote this?" when no passage names the authors: the document whose metadata
    # does (the answer is its byline, not a quote; hits are empty)
    authored: Document | None = None
    sourced: bool = False  # "where's this from?": ``authored``'s metadata says where


@dataclass(frozen=True)
class Ranked:
    """A question's candidates, best first, before paging."""

    question: Question
    scored: tuple[Scored, ...]
    model: str  # the fitted model that scored them (params.MODELS)
    clues: refusal.Clues = refusal.Clues()
    document: str | None = None  # the document the question was limited to, or names
    named: bool = False  # whether the question names it (by its title)

    @property
    def semantic(self) -> bool:
        return self.model != "lexical"


def rank(
    index: PassageIndex,
    text: str,
    encoder: Encoder | None,
    *,
    document: str | None = None,
    truncated: bool = False,
    bot_names: tuple[str, ...] = ("briefbot",),
) -> Ranked:
    """Candidates of a validated question, scored by the fusion, best first."""
    question = analyze(index, text, truncated, bot_names)
    if document is not None:
        index.document_range(document)  # validates the name
    bylines = index.bylines
    terms = question.terms
    titled = False  # whether the question names the document by its title
    if question.authorship and document is None:  # "who wrote the Unicode HOWTO?"
        document = named_document(index, question.terms)
        titled = document is not None
        if document is not None:  # the title names the document: it is not what to look for
            title = index.documents[document].title
            named = set(index.tokenizer.terms(title))
            semantic_text = re.sub(re.escape(title), "this", question.semantic_text, flags=re.I)
            question = replace(
                question,
                terms=tuple(t for t in question.terms if t not in named),
                semantic_text=semantic_text,
            )
            terms = question.terms
    if question.authorship:  # "who wrote this?": the byline's names are what to look for
        extra = []
        for names in bylines.values() if document is None else (bylines[document],):
            for name in names:
                extra.extend(index.tokenizer.terms(name))
        question = replace(question, terms=tuple(dict.fromkeys(terms + tuple(extra))))
    lex = lexical(index, question, params.LEXICAL_CANDIDATES, document)
    sem = semantic(index, encoder, question.semantic_text, lex.allowed)
    lexical_ids = list(lex.passages)
    semantic_ids = [] if sem is None else top_passages(index, sem, params.SEMANTIC_CANDIDATES)
    ids = union(lexical_ids, semantic_ids)
    if index.is_code.any() and not asks_for_code(question.text):  # prose answers prose
        ids = [i for i in ids if not index.is_code[i]]
    elif index.is_code.any():  # a code block is found by the prose that introduces it too
        ids = union(ids, code_introduced(index, ids))
    if sem is not None and encoder is not None:  # an index without vectors: encode these
        if sem.dense is None:
            ids = ids[: params.ENCODED_CANDIDATES]
        leads = [q for q in (lead_in(index, p) for p in ids) if q is not None]
        sem.prepare(encoder, ids + leads, lex.sentence_scores, params.ENCODE_BUDGET_TOKENS)
    kind = expected_type(question.text)
    scored = score(index, question, lex, sem, kind, ids) if ids else []
    byline, whole = False, 0.0
    if scored:
        top = index.passages[scored[0].passage_id]
        if question.authorship:
            folded = top.text.casefold()
            byline = any(n.casefold() in folded for n in bylines.get(top.doc_id, ()))
        if sem is not None and encoder is not None:
            whole = sem.whole(encoder, top.id)
    clues = refusal.Clues(len(question.unknown_names), byline, whole)
    return Ranked(question, tuple(scored), model(sem), clues, document, titled)


_ASKS_WHO = re.compile(r"\b(?:who|whose|written by|byline)\b", re.I)


def _authored(index: PassageIndex, ranked: Ranked) -> Document | None:
    """The document an authorship question is about, when its metadata names authors and
    the best passage does not: one document (the one asked about or named, or the only
    one), else None (the passages answer, or the question could be about any of them)."""
    question = ranked.question
    if not question.authorship or ranked.clues.byline:
        return None
    if not question.about_itself and not _ASKS_WHO.search(question.text):
        return None  # "what do the authors of <title> argue?" asks what they say
    documents = index.corpus.documents
    only = documents[0] if len(documents) == 1 else None
    if ranked.named:
        doc_id: str | None = ranked.document
    elif question.about_itself:
        doc_id = ranked.document or (only.id if only is not None else None)
    elif only is not None and title_share(index, only, question.terms) >= (
        params.TITLE_NAMED_SHARE
    ):
        doc_id = only.id  # "who wrote the SQLite file format page?" of its only document
    else:
        return None
    doc = index.documents.get(doc_id) if doc_id is not None else None
    return doc if doc is not None and doc.authors else None


def _asked_about(index: PassageIndex, ranked: Ranked) -> Document | None:
    """The document a question about the document itself asks about: the one it was
    limited to, or the only one; None when it could be any of several."""
    documents = index.corpus.documents
    doc_id = ranked.document or (documents[0].id if len(documents) == 1 else None)
    return index.documents.get(doc_id) if doc_id is not None else None


def _unsaid(index: PassageIndex, ranked: Ranked, what: str) -> str | None:
    """Why a question about the document itself goes unanswered, when its metadata lacks
    what was asked: no author for "who wrote this?", no link or publisher for "where is
    this from?"; else None."""
    doc = _asked_about(index, ranked)
    if doc is None:
        return None
    if ranked.question.about_itself and not doc.authors:
        return refusal.unsigned(what)
    if ranked.question.source:  # (one with a link or a publisher is answered from them)
        return refusal.unsourced(what)
    return None


def _sourced(index: PassageIndex, ranked: Ranked) -> Document | None:
    """The document a question about where it comes from asks about, when its metadata
    says (a link or a publisher); else None (the passages answer). Among several
    documents, "where's the Kazakhstan article from?" asks about the one its words find
    (the best passage's, unless the refusal stage finds none that answers)."""
    if not ranked.question.source:
        return None
    doc = _asked_about(index, ranked)
    if (
        doc is None
        and ranked.scored
        and not refusal.refuses(ranked.scored, ranked.model, ranked.clues)
    ):
        best = index.passages[ranked.scored[0].passage_id]
        found = index.documents.get(best.doc_id)
        said = {t.term for t in index.tokens(best)}  # the passage, its heading, its title
        said.update(index.tokenizer.terms(f"{best.section or ''} {found.title if found else ''}"))
        if set(ranked.question.terms) & said:  # the question's words name that document
            doc = found
    return doc if doc is not None and (doc.url or doc.publisher) else None


def title_share(index: PassageIndex, doc: Document, terms: tuple[str, ...]) -> float:
    """How much of a document's title the question's terms name (0 for no title)."""
    title = set(index.tokenizer.terms(doc.title))
    return len(title & set(terms)) / len(title) if title else 0.0


def named_document(index: PassageIndex, terms: tuple[str, ...]) -> str | None:
    """The one document of several whose title the question names (at least half of the
    title's words), or None."""
    if len(index.documents) < 2:
        return None
    found: list[tuple[float, str]] = []
    for doc in index.documents.values():
        share = title_share(index, doc, terms)
        if share >= params.TITLE_NAMED_SHARE:
            found.append((share, doc.id))
    found.sort(key=lambda f: (-f[0], f[1]))
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def answer(
    index: PassageIndex,
    question: str,
    *,
    top: int = 3,
    document: str | None = None,
    offset: int = 0,
    encoder: Encoder | None = None,
    bot_names: tuple[str, ...] = ("briefbot",),
) -> Answer:
    """Answer a question from the index's passages (see module docstring)."""
    text, truncated = check_question(question, top)
    notes = (
        (f"Only the first {MAX_QUESTION_CHARS} characters of the question were used.",)
        if truncated
        else ()
    )
    what = noun(index, document)
    base = Answer(
        question=question, answered=False, truncated=truncated, offset=offset, notes=notes
    )
    chat = without_chat(text, bot_names)
    if is_small_talk(chat):
        return replace(base, reason=refusal.help_line(what), small_talk=True)
    if asks_catalogue(chat):  # "what documents do you have?"
        return replace(base, reason=catalogue(index.corpus.documents), small_talk=True)
    ranked = rank(index, text, encoder, document=document, truncated=truncated, bot_names=bot_names)
    q = ranked.question
    base = replace(base, corrections=q.corrections, unknown=q.unknown)
    sourced = _sourced(index, ranked) if offset == 0 else None
    if sourced is not None:
        return replace(base, answered=True, authored=sourced, sourced=True)
    authored = _authored(index, ranked) if offset == 0 else None
    if authored is not None:
        return replace(base, answered=True, authored=authored)
    if not q.terms and (not ranked.semantic or not any(c.isalnum() for c in q.text)):
        return replace(base, reason=_unsaid(index, ranked, what) or refusal.NO_WORDS)
    if refusal.refuses(ranked.scored, ranked.model, ranked.clues):
        said = _unsaid(index, ranked, what) if offset == 0 else None
        if said is not None:
            return replace(base, reason=said)
        # an everyday word the documents do not use is not why they do not answer
        lacking = [w for w in q.unknown if not everyday(w)]
        return replace(base, reason=refusal.reason(lacking, what))
    # marked in the quote: the user's own words and their forms (same stem, spelling
    # variant, repaired typo), not the acronym expansions or byline names added to search
    own = index.tokenizer.tokens(q.semantic_text, expand=False)
    terms = frozenset(q.terms) & frozenset(t.term for t in own)
    hits: list[Hit] = []
    shown: set[str] = set()  # a quote the same as a better one (copies of a text) is left out
    quoted: set[int] = set()  # passages a better hit's quote went on into
    for c in ranked.scored:
        if len(hits) == offset + top:
            break
        if c.passage_id in quoted:
            continue
        passage = index.passages[c.passage_id]
        tokens = [(t.term, t.start, t.end) for t in index.tokens(passage)]
        ex = cut(passage, index.sentences(passage), c.sentence_scores, terms, tokens)
        after = c.passage_id + 1
        if (
            opens_next(passage, ex)
            and after < len(index)
            and opener(index, after) == c.passage_id
            and goes_on_into(index.passages[after])
        ):  # "...execute the command:": the command is the answer
            passage = index.joined(c.passage_id, after)
            ex = go_on(ex, passage)
            quoted.add(after)
        if ex.text not in shown:
            shown.add(ex.text)
            hits.append(Hit(len(hits) + 1, passage, float(f"{c.score:.4g}"), ex))
    if not hits[offset:]:
        return replace(base, reason="No more passages answer this question.")
    return replace(base, answered=True, hits=tuple(hits[offset:]))
