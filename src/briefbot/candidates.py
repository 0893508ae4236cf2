"""The candidates stage: which passages are worth scoring closely, and their lexical evidence.

BM25 (rank-bm25's BM25Okapi, through the index's fast top-k path) over passages and over
sentences proposes passages; the semantic stage adds the passages whose sentences mean
what the question asks. For each candidate this stage measures the lexical signals the
fusion weighs: its sentences' BM25 scores, and how much of the question's idf weight it
contains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .index import PassageIndex
from .question import Question
from .retriever import Retriever
from .sentences import unfinished


@dataclass
class Lexical:
    """A question's lexical scores: passages (top ones) and, on request, sentences."""

    passages: dict[int, float]  # passage id -> BM25 score (the best ones only)
    best: float  # the best passage score (0 when nothing matched)
    idf: dict[str, float]  # each question term's idf (unknown terms: the corpus's highest)
    known: dict[str, bool]  # whether the corpus uses the term
    allowed: np.ndarray | None  # passages of the document asked about
    retriever: Retriever
    terms: tuple[str, ...]
    _sentences: dict[int, np.ndarray] = field(default_factory=dict)  # first id -> scores
    _held: dict[int, frozenset[str]] = field(default_factory=dict)  # passage -> its terms

    def held(self, passages: list[int]) -> None:
        """Find which question terms each of ``passages`` holds, in one call for all."""
        wanted = [p for p in dict.fromkeys(passages) if p not in self._held]
        if not wanted:
            return
        terms = list(self.idf)
        found = self.retriever.holds(terms, np.array(wanted, dtype=np.int64))
        for p, row in zip(wanted, found.tolist(), strict=True):
            self._held[p] = frozenset(t for t, yes in zip(terms, row, strict=True) if yes)

    def holds(self, passage: int) -> frozenset[str]:
        """The question terms passage ``passage`` holds, in its text or its heading."""
        if passage not in self._held:
            self.held([passage])
        return self._held[passage]

    def sentence_scores(self, lo: int, hi: int) -> np.ndarray:
        """The BM25 scores of sentences ``lo .. hi - 1`` (one passage's), asked once."""
        found = self._sentences.get(lo)
        if found is None or len(found) != hi - lo:
            found = self.retriever.sentence_scores(self.terms, np.arange(lo, hi))
            self._sentences[lo] = found
        return found


def lexical(index: PassageIndex, question: Question, k: int, document: str | None) -> Lexical:
    """The question's BM25 evidence, from the index's retriever (:mod:`briefbot.retriever`)."""
    terms = list(question.terms)
    retriever = index.retriever
    allowed = None
    scope = None
    if document is not None:
        scope = index.document_range(document)
        allowed = np.zeros(len(index), dtype=bool)
        allowed[scope[0] : scope[1]] = True
    top = retriever.top_passages(terms, k, scope)
    highest = highest_idf(retriever.passage_count)
    known = {t: retriever.knows(t) for t in terms}
    idf = {t: max(retriever.idf(t), 0.0) if known[t] else highest for t in terms}
    return Lexical(
        passages=dict(top),
        best=top[0][1] if top else 0.0,
        idf=idf,
        known=known,
        allowed=allowed,
        retriever=retriever,
        terms=tuple(terms),
    )


def highest_idf(n: int) -> float:
    """The idf of a term in one of ``n`` passages: what a word the corpus never uses is
    worth."""
    return float(np.log(n - 1 + 0.5) - np.log(1 + 0.5)) if n > 1 else 1.0


def coverage(
    index: PassageIndex, question: Question, lex: Lexical, passage_id: int, also: int | None = None
) -> float:
    """Share of the question's idf weight whose terms the passage (or its heading) holds,
    with passage ``also``'s terms counted too when given (read from the postings: the
    terms a passage is indexed with are its text's and its heading's)."""
    total = sum(lex.idf.values())
    if total <= 0:
        return 0.0
    present = lex.holds(passage_id)
    if also is not None:
        present = present | lex.holds(also)
    return sum(w for t, w in lex.idf.items() if t in present) / total


def lead_in(index: PassageIndex, pid: int) -> int | None:
    """The prose passage just before a code block, in its section: what introduces it."""
    if not index.is_code[pid] or pid == 0 or index.is_code[pid - 1]:
        return None
    here, before = index.passages[pid], index.passages[pid - 1]
    if before.doc_id != here.doc_id or before.section != here.section:
        return None
    return pid - 1


def opener(index: PassageIndex, pid: int) -> int | None:
    """The passage just before, in its section, that opens this one: a question, or a line
    that ends with a colon ("... do the following steps:"), whose answer or list follows;
    or, before a code block, prose that stops mid-sentence ("... delete the branch with")."""
    if pid == 0:
        return None
    here, before = index.passages[pid], index.passages[pid - 1]
    if before.doc_id != here.doc_id or before.section != here.section:
        return None
    if before.text.rstrip().endswith((":", "?")):
        return pid - 1
    return pid - 1 if lead_in(index, pid) == pid - 1 and unfinished(before.text) else None


def code_introduced(index: PassageIndex, ids: list[int]) -> list[int]:
    """The code blocks that the passages ``ids`` introduce (each the passage after one)."""
    n = len(index)
    return [p + 1 for p in ids if p + 1 < n and lead_in(index, p + 1) == p]


def union(*rankings: list[int]) -> list[int]:
    """Candidate passage ids: each ranking's in order, first seen first, no repeats."""
    seen: dict[int, None] = {}
    for ranking in rankings:
        for pid in ranking:
            seen.setdefault(pid, None)
    return list(seen)
