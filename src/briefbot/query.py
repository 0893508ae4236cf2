"""How a question becomes weighted index terms.

A question's words become :class:`Concept` s: the word's own term, spelling fixed against
the corpus vocabulary, plus WordNet-related words and definition matches at lower weights,
other forms of names ("Russian" for "Russia"), and compounds the corpus lacks as one thing
("secretary general"); everyday words weigh less. The words the corpus lacks are kept, to
explain an answer that is not in the article. :class:`QuestionAnalyzer` does this for one
:class:`~briefbot.index.PassageIndex`, whose vocabulary it reads.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from . import thesaurus
from .corpus import Document
from .index import GLOSS, PassageIndex, _remember
from .stopwords import STOPWORDS
from .text import NEGATED

# Indefinite pronouns: not in NLTK's stopwords nor in WordNet, they would pass for names.
_PRONOUNS = frozenset(
    "everyone everybody everything someone somebody anyone anybody nobody nothing".split()
)


@lru_cache(maxsize=4096)
def _misspelt_stopword(word: str) -> bool:
    """One edit away from a stopword, and itself no dictionary word."""
    if not 3 <= len(word) <= 7 or thesaurus.is_english(word):
        return False
    from rapidfuzz.distance import DamerauLevenshtein

    return any(
        abs(len(w) - len(word)) <= 1 and DamerauLevenshtein.distance(word, w, score_cutoff=1) <= 1
        for w in STOPWORDS
        if len(w) >= 3
    )


EVERYDAY_COUNT = 250  # a word seen more often in everyday English (SemCor) counts less


def _plainness(word: str) -> float:
    """How much a question word's weight keeps for being an everyday word: 1 for words seen
    up to EVERYDAY_COUNT times in SemCor, then less ("come": 0.55), so "come", "want" and
    "first" weigh less than the topic words of a question, even where the corpus rarely
    uses them. Chosen on a plateau: 200 to 300 give the same answers on both question sets."""
    n = thesaurus.commonness(word)
    return 1.0 if n <= EVERYDAY_COUNT else (EVERYDAY_COUNT / n) ** 0.5


_WORDS = re.compile(r"[^\W\d_]+")
_JOINED = re.compile(r"[ \t-]+")  # how the words of a compound are written together
PHRASE_CHECKS = 50  # passages searched for a compound the corpus may use

MIN_FIX_LENGTH = 5  # shorter unknown words are too ambiguous to correct

RELATED_WEIGHT = 0.5  # query weight of a word related to a question word the corpus lacks
KNOWN_RELATED_WEIGHT = 0.25  # ... and to a question word the corpus has
RELATED_CREDIT = 0.7  # how much a passage with only a related word covers the question word
NAME_FORM_WEIGHT = 0.5  # query weight of another form of a name ("Russian" for "Russia")
MIN_NAME_PREFIX = 5  # letters two forms of a name share ("Kazak|h", "Kazak|hstan")
NAME_SPELLING_RATIO = 85  # or how alike (rapidfuzz ratio) two spellings of a name are
SECOND_HOP_WEIGHT = 0.3  # related words of related words, for unknown words only
UNKNOWN_ENGLISH = 0.5  # weight of an unknown dictionary word, relative to an unknown name
MAX_RELATED = 12
GLOSS_WEIGHT = 0.5  # query weight of a question word met only in such definitions
MIN_NAME_LENGTH = 4  # shorter unknown words ("pls", "btw") are chat, not names


@dataclass(frozen=True)
class Concept:
    """One content word of a question and the index terms that can stand for it."""

    word: str  # folded, as typed (or as corrected); a compound as written ("State Department")
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

    @cached_property
    def terms(self) -> frozenset[str]:
        """Every index term the question looks for."""
        return frozenset(self.weights)

    @cached_property
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
    def unknown_names(self) -> tuple[str, ...]:
        """Names the article never mentions: words neither in the corpus nor in the
        dictionary ("Biden"), names the dictionary knows ("Australia") and capitalised
        compounds ("State Department"). A question about them is not one it answers."""
        return tuple(
            c.word
            for c in self.concepts
            if c.name and not c.terms and len(c.word) >= MIN_NAME_LENGTH
        )

    @property
    def asks_unknown(self) -> bool:
        """Every word besides names is one the corpus never uses, nor any word related to it:
        the question asks about
        something the article does not discuss ("Where was <author> born?")."""
        asked = [c for c in self.concepts if not c.name]
        return bool(asked) and not any(not t.startswith(GLOSS) for c in asked for t in c.terms)

    def coverage(self, present: set[str] | frozenset[str]) -> float:
        """Share of the question's weight that a passage with these terms covers."""
        if not present:
            return 0.0
        best: dict[int, float] = {}
        for term in present:
            for i, share in self._shares.get(term, ()):
                if share > best.get(i, 0.0):
                    best[i] = share
        return sum(best.values())

    @cached_property
    def _shares(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """term -> (concept, share of the question's weight it covers there)."""
        total = sum(c.weight for c in self.concepts)
        if total <= 0:
            return {}
        shares: dict[str, list[tuple[int, float]]] = {}
        for i, concept in enumerate(self.concepts):
            for term, weight in concept.terms.items():
                credit = 1.0 if weight >= 1.0 else RELATED_CREDIT
                shares.setdefault(term, []).append((i, concept.weight * credit / total))
        return {t: tuple(v) for t, v in shares.items()}


class QuestionAnalyzer:
    """Turns questions into :class:`Query` s against one index's vocabulary."""

    def __init__(self, index: PassageIndex) -> None:
        self.index = index
        self.tokenizer = index.tokenizer
        self.bm25 = index.bm25
        self.gloss = index.gloss
        self.names = index.names
        self.word_counts = index.word_counts
        self.passages = index.passages
        self._forms_of: dict[str, tuple[str, ...]] = {}  # name -> terms of its other forms
        self._related_of: dict[tuple[str, bool], dict[str, float]] = {}

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
        inside: list[tuple[int, int]] = []  # compounds the corpus lacks, one concept each
        for phrase, start, end in self._missing_compounds(text):
            # one thing the corpus does not mention; its words, met apart, count as related
            name = all(w[:1].isupper() for w in text[start:end].split())
            english = not name
            weight = self.max_idf * (UNKNOWN_ENGLISH if english else 1.0)
            parts = {  # ... unless it is a name ("State Department")
                t: RELATED_WEIGHT
                for t in self.tokenizer.terms(phrase)
                if t in self.bm25 and english
            }
            concepts[phrase] = Concept(text[start:end], weight, parts, english, name=name)
            inside.append((start, end))
        for token in tokens:
            word, term = token.word, token.term
            if any(a <= token.start < b for a, b in inside):
                continue
            if (
                term.startswith(NEGATED)
                or word in concepts
                or word.isdigit()
                and term not in self.bm25
            ):
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
                    self._add_gloss(term, terms)
                else:  # "Russia": "Russian" too, and only such other names
                    terms.update(self._related_names(word, exclude=terms))
                weight = max(self.bm25.idf(term), 0.0) * _plainness(word)
                concepts[word] = Concept(word, weight, terms, name=word in self.names)
                continue
            if word in _PRONOUNS or _misspelt_stopword(word):
                continue  # "everyone"; "wher", "whta": words that carry no subject
            # a name the dictionary knows ("Australia") is still a name the corpus lacks: no
            # other country's passage answers for it
            english = thesaurus.is_english(word) and not thesaurus.kinds(word)
            terms = (
                self._related_terms(word, exclude={})
                if english
                else self._related_names(word, exclude={})  # "Kazakstan": "Kazakhstan"
            )
            if english:
                self._add_gloss(self.tokenizer.term(thesaurus.lemma(word) or word), terms)
                self._add_gloss(term, terms)
            weight = self.max_idf * (UNKNOWN_ENGLISH if english else 1.0) * _plainness(word)
            concepts[word] = Concept(token.word, weight, terms, english, name=not english)
        return Query(tuple(concepts.values()), tuple(corrections))

    def _missing_compounds(self, text: str) -> list[tuple[str, int, int]]:
        """Compound nouns of the question ("secretary general") that the corpus never uses
        as such, though it may use their words apart: (folded phrase, start, end). Only
        words written together (spaces or hyphens between them), none of them a stopword
        ("thank you", "giving up" are not things)."""
        words = [(m.group().casefold(), m.start(), m.end()) for m in _WORDS.finditer(text)]
        found: list[tuple[str, int, int]] = []
        i = 0
        while i < len(words) - 1:
            for n in (3, 2):
                group = words[i : i + n]
                if (
                    len(group) < n
                    or any(w in STOPWORDS for w, _, _ in group)
                    or any(
                        not _JOINED.fullmatch(text[a[2] : b[1]])
                        for a, b in zip(group, group[1:], strict=False)
                    )
                ):
                    continue
                last = group[-1][0]
                phrase = " ".join([w for w, _, _ in group[:-1]] + [thesaurus.lemma(last) or last])
                if thesaurus.is_compound(phrase) or thesaurus.is_compound(
                    " ".join(w for w, _, _ in group)  # "armed forces"
                ):
                    if not self._has_phrase([w for w, _, _ in group]):
                        found.append((phrase, group[0][1], group[-1][2]))
                    i += n - 1
                    break
            i += 1
        return found

    def _has_phrase(self, words: Sequence[str]) -> bool:
        """Whether some passage has these words in a row (the last one maybe plural). The
        passages with all of them are searched, up to PHRASE_CHECKS; past that the phrase
        is taken to be there."""
        terms = [self.tokenizer.term(w) for w in words]
        if any(t not in self.bm25 for t in terms):
            return False
        ids = self.bm25.term_weights(terms[0])[0]
        for term in terms[1:]:
            ids = np.intersect1d(ids, self.bm25.term_weights(term)[0], assume_unique=True)
        if len(ids) > PHRASE_CHECKS:
            return True
        last = thesaurus.lemma(words[-1]) or words[-1]
        pattern = re.compile(
            r"\b"
            + r"[\s-]+".join(map(re.escape, words[:-1]))
            + rf"[\s-]+(?:{re.escape(words[-1])}|{re.escape(last)}(?:s|es)?)\b",
            re.I,
        )
        return any(pattern.search(self.passages[int(i)].text) for i in ids)

    def with_bylines(self, query: Query, documents: Sequence[Document]) -> Query:
        """The query, also looking for the documents' authors and translators, each one a
        name of the question (for "who wrote this?": the byline, wherever the text prints
        it, answers; a passage naming one author only answers less)."""
        people: list[Concept] = []
        for doc in documents:
            for name in (*doc.authors, doc.translator or ""):
                terms = {t: 1.0 for t in self.tokenizer.terms(name) if t in self.bm25}
                if terms and all(c.word != name for c in people):
                    weight = max(self.bm25.idf(t) for t in terms)
                    people.append(Concept(name, weight, terms, english=False, name=True))
        return replace(query, concepts=(*query.concepts, *people))

    def _add_gloss(self, term: str, terms: dict[str, float]) -> None:
        """Let a question word also meet passages whose words are defined with it."""
        if self.gloss is not None and term in self.gloss and GLOSS + term not in terms:
            terms[GLOSS + term] = GLOSS_WEIGHT

    def _related_names(self, word: str, exclude: dict[str, float]) -> dict[str, float]:
        """Terms of other forms of a name in the corpus: "russia" -> "russian" (WordNet's
        derived forms), "kazakstan" -> "kazakhstan" (its synonyms), "kazakh" -> "kazakhstan"
        (a name starting with the other); only names alike in spelling, so "kyrgyzstan"
        does not bring in "cis", the group it belongs to."""
        return {t: NAME_FORM_WEIGHT for t in self._name_forms(word) if t not in exclude}

    def _name_forms(self, word: str) -> tuple[str, ...]:
        found = self._forms_of.get(word)
        if found is not None:
            return found
        from rapidfuzz import fuzz

        forms = [w for w in thesaurus.related(word)[:MAX_RELATED] if w in self.names]
        if len(word) >= MIN_NAME_PREFIX:
            names = self._name_list
            at = bisect.bisect_left(names, word)
            while at < len(names) and names[at].startswith(word):
                forms.append(names[at])
                at += 1
            forms += [word[:n] for n in range(MIN_NAME_PREFIX, len(word)) if word[:n] in self.names]
        terms = []
        for other in forms:
            term = self.tokenizer.term(other)
            if (
                other != word
                and term in self.bm25
                and term not in terms
                and (
                    len(os.path.commonprefix([word, other])) >= MIN_NAME_PREFIX
                    or fuzz.ratio(word, other) >= NAME_SPELLING_RATIO
                )
            ):
                terms.append(term)
        found = _remember(self._forms_of, word, tuple(terms))
        return found

    @cached_property
    def _name_list(self) -> list[str]:
        return sorted(n for n in self.names if len(n) >= MIN_NAME_PREFIX and n.isalpha())

    def _related_terms(self, word: str, exclude: dict[str, float]) -> dict[str, float]:
        if not word.isalpha():
            return {}
        known = bool(exclude)
        cached = self._related_of.get((word, known))
        if cached is None:
            found: dict[str, float] = {}
            related = thesaurus.related(word)[:MAX_RELATED]
            for other in related:
                term = self.tokenizer.term(other)
                if term in self.bm25:
                    found.setdefault(term, KNOWN_RELATED_WEIGHT if known else RELATED_WEIGHT)
            if not found and not known:
                for other in related[:5]:
                    for second in thesaurus.related(other)[:5]:
                        term = self.tokenizer.term(second)
                        if term in self.bm25:
                            found.setdefault(term, SECOND_HOP_WEIGHT)
            cached = _remember(self._related_of, (word, known), found)
        return {t: w for t, w in cached.items() if t not in exclude}

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
