"""The passage index, and how a question becomes weighted index terms.

Each passage is indexed (BM25, rank-bm25's BM25Okapi) with its own terms and its section
heading's terms (the lead with the document's title and subtitle), so headings help
matching without ever being answers themselves. A second BM25 index holds the content
words of the dictionary definitions of each passage's words (document expansion), so a
passage saying "troops" is found for "soldiers". A question's words become
:class:`Concept` s: the word's own term, spelling fixed against the corpus vocabulary,
plus WordNet-related words and definition matches at lower weights; the words the corpus
lacks are kept, to explain an answer that is not in the article.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TypeVar, overload

import numpy as np

from . import thesaurus
from .bm25 import BM25Index
from .corpus import Corpus, Document
from .errors import InputError
from .passages import Passage, split_passages
from .sentences import sentence_spans
from .stopwords import STOPWORDS
from .text import NEGATED, Lexicon, Token, Tokenizer


def _heading_text(passage: Passage) -> str:
    """The heading a passage is indexed with: its section, or for the lead the title."""
    if passage.section is not None:
        return passage.section
    doc = passage.document
    return " ".join(x for x in (doc.title, doc.subtitle) if x)


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


QUESTION_WORDS = 100_000  # per-word caches of question analysis hold at most this many
DEFINITION_WORDS = 1_000_000  # ... and those of definitions (a corpus's whole vocabulary)
_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V, limit: int = QUESTION_WORDS) -> _V:
    """Store a computed value; a cache that has grown to ``limit`` starts afresh, so a bot
    running for months on every word its users type keeps a bounded memory."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


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
GLOSS = "≈"  # prefix of a term found in the dictionary definition of a passage's word
GLOSS_WEIGHT = 0.5  # query weight of a question word met only in such definitions
GLOSS_MAX_PASSAGES = 200_000  # larger corpora are indexed without definitions (memory)
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


class PassageTable(Sequence[Passage]):
    """Passages kept as arrays of boundaries and made into :class:`Passage` objects when
    asked for, so that loading a saved index of a million passages creates none of them."""

    _FIELDS = ("doc", "start", "end", "paragraph", "section")

    def __init__(
        self, documents: Sequence[Document], arrays: dict[str, np.ndarray], sections: list[str]
    ) -> None:
        self._docs = tuple(documents)
        self._sections = [str(x) for x in sections]
        doc, start, end = arrays["doc"], arrays["start"], arrays["end"]
        section, paragraph = arrays["section"], arrays["paragraph"]
        n = len(doc)
        if any(len(arrays[k]) != n for k in self._FIELDS):
            raise ValueError("passage arrays of different lengths")
        if n and (doc.min() < 0 or doc.max() >= len(self._docs)):
            raise ValueError("a passage names no document")
        if n and (np.any(np.diff(doc) < 0) or section.max() >= len(self._sections)):
            raise ValueError("passages out of order or with unknown sections")
        sizes = np.array([len(d.text) for d in self._docs], dtype=np.int64)
        bodies = np.array([d.body_start for d in self._docs], dtype=np.int64)
        if n and not np.all((bodies[doc] <= start) & (start < end) & (end <= sizes[doc])):
            raise ValueError("a passage lies outside its document")
        self._doc = doc.tolist()
        self._start = start.tolist()
        self._end = end.tolist()
        self._paragraph = paragraph.tolist()
        self._section = section.tolist()
        self.ranges = {
            self._docs[d].id: (int(np.searchsorted(doc, d)), int(np.searchsorted(doc, d, "right")))
            for d in np.unique(doc).tolist()
        }

    @classmethod
    def load(cls, corpus: Corpus, path: Path, sections: list[str]) -> PassageTable:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: np.asarray(data[k], dtype=np.int64) for k in cls._FIELDS}
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise ValueError(f"unreadable passages file ({exc})") from None
        return cls(corpus.documents, arrays, sections)

    def __len__(self) -> int:
        return len(self._doc)

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
            doc.text[start:end],
        )

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


class _Definitions:
    """Index terms of the dictionary definitions of words, for document expansion: a
    passage saying "troops" is also found under "soldier" ("troops: soldiers collectively")."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self._cache: dict[str, tuple[str, ...]] = {}
        self._kinds: dict[str, tuple[str, ...]] = {}

    def word_terms(self, word: str) -> tuple[str, ...]:
        found = self._cache.get(word)
        if found is None:
            terms = []
            for w in thesaurus.definition_words(word) if word.isalpha() else ():
                term = self.tokenizer.term(w)
                if term not in terms and w not in STOPWORDS:
                    terms.append(term)
            found = _remember(self._cache, word, tuple(terms), DEFINITION_WORDS)
        return found

    def name_terms(self, word: str) -> tuple[str, ...]:
        """Index terms of what kind of thing a name names ("Armenia": country, nation...)."""
        found = self._kinds.get(word)
        if found is None:
            found = _remember(
                self._kinds,
                word,
                tuple(dict.fromkeys(self.tokenizer.term(w) for w in thesaurus.kinds(word))),
                DEFINITION_WORDS,
            )
        return found

    def passage_terms(self, tokens: Sequence[Token], names: frozenset[str]) -> set[str]:
        return self.words_terms({t.word for t in tokens if not t.term.startswith(NEGATED)}, names)

    def words_terms(self, words: set[str], names: frozenset[str]) -> set[str]:
        """Definition terms of the words; for names, the kinds of thing they name."""
        out: set[str] = set()
        for word in words:
            out.update(self.name_terms(word) if word in names else self.word_terms(word))
        return out


class PassageIndex:
    """Passages of a corpus, searchable with BM25 (rank-bm25's BM25Okapi scores).

    Build it with :meth:`build`; :meth:`save` and :meth:`load` keep it on disk. Tokens and
    sentences of a passage are computed when asked for (a few passages per question), so
    memory grows with the index, not with the text.
    """

    def __init__(
        self,
        corpus: Corpus,
        passages: Sequence[Passage],
        tokenizer: Tokenizer,
        bm25: BM25Index,
        word_counts: Counter[str],
        names: frozenset[str],
        gloss: BM25Index | None = None,
        kinds_named: frozenset[str] | None = None,
    ) -> None:
        self.corpus = corpus
        self.passages: Sequence[Passage] = (
            passages if isinstance(passages, PassageTable) else tuple(passages)
        )
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        self.tokenizer = tokenizer
        self.bm25 = bm25
        self.word_counts = word_counts
        self.names = names  # words the corpus writes capitalised (nearly) every time
        self.gloss = gloss  # BM25 over the definitions of each passage's words
        if kinds_named is not None:  # kinds of thing the corpus's names name (saved)
            self.__dict__["_kinds_named"] = kinds_named
        self._heading_terms: dict[tuple[str, str | None], list[str]] = {}
        self._doc_ranges: dict[str, tuple[int, int]] = {}
        if isinstance(self.passages, PassageTable):
            self._doc_ranges = dict(self.passages.ranges)
        else:
            for p in self.passages:
                lo, _ = self._doc_ranges.get(p.doc_id, (p.id, p.id))
                self._doc_ranges[p.doc_id] = (lo, p.id + 1)
        self._gloss_of: dict[str, frozenset[str]] = {}  # word -> its GLOSS terms
        self._forms_of: dict[str, tuple[str, ...]] = {}  # name -> terms of its other forms
        self._related_of: dict[tuple[str, bool], dict[str, float]] = {}
        self.tokens = lru_cache(maxsize=4096)(self._tokens)  # type: ignore[method-assign]
        self.sentences = lru_cache(maxsize=4096)(self._sentences)  # type: ignore[method-assign]
        self.sentence_terms = lru_cache(maxsize=4096)(self._sentence_terms)  # type: ignore[method-assign]
        self.passage_terms = lru_cache(maxsize=4096)(self._passage_terms)
        self.token_glosses = lru_cache(maxsize=4096)(self._token_glosses)

    @classmethod
    def build(
        cls, corpus: Corpus, progress: Callable[[int, int], None] | None = None
    ) -> PassageIndex:
        """Split, tokenize and index every document of ``corpus``."""
        passages: list[Passage] = []
        for doc in corpus.documents:
            passages.extend(split_passages(doc, first_id=len(passages)))
        tokenizer = Tokenizer(Lexicon.learn(d.text[d.body_start :] for d in corpus.documents))
        headings: dict[tuple[str, str | None], list[str]] = {}
        rows: list[list[str]] = []
        words: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        in_text: Counter[str] = Counter()  # as words, but not counting headings (title case)
        intern = sys.intern
        with_gloss = len(passages) <= GLOSS_MAX_PASSAGES
        plain: list[set[str]] = []  # each passage's words, for the definitions index
        for n, passage in enumerate(passages):
            key = (passage.doc_id, passage.section)
            if key not in headings:
                head_tokens = tokenizer.tokens(_heading_text(passage))
                headings[key] = [intern(t.term) for t in head_tokens]
                words.update(t.word for t in head_tokens)
            tokens = tokenizer.tokens(passage.text)
            rows.append([intern(t.term) for t in tokens] + headings[key])
            words.update(t.word for t in tokens)
            in_text.update(t.word for t in tokens)
            if with_gloss:
                plain.append({intern(t.word) for t in tokens if not t.term.startswith(NEGATED)})
            capitalised.update(t.word for t in tokens if passage.text[t.start].isupper())
            if progress is not None and n % 1000 == 999:
                progress(n + 1, len(passages))
        bm25 = BM25Index(rows)
        del rows
        names = frozenset(w for w, n in capitalised.items() if n >= 0.8 * in_text[w])
        gloss = None
        if with_gloss:
            defined = _Definitions(tokenizer)
            gloss = BM25Index([sorted(defined.words_terms(ws, names)) for ws in plain])
            del plain
        if progress is not None:
            progress(len(passages), len(passages))
        index = cls(corpus, passages, tokenizer, bm25, words, names, gloss)
        index._kinds_named  # noqa: B018 (computed while building, saved with the index)
        return index

    def save(self, folder: Path, key: str) -> None:
        """Write the index into ``folder`` (created; replaced atomically)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        try:
            self.bm25.save(tmp / "bm25.npz")
            if self.gloss is not None:
                self.gloss.save(tmp / "gloss.npz")
            lexicon = self.tokenizer.lexicon
            sections: dict[str, int] = {}
            doc_number = {doc.id: i for i, doc in enumerate(self.corpus.documents)}
            ps = self.passages
            np.savez(
                tmp / "passages.npz",
                doc=np.array([doc_number[p.doc_id] for p in ps], dtype=np.int32),
                start=np.array([p.start for p in ps], dtype=np.int64),
                end=np.array([p.end for p in ps], dtype=np.int64),
                paragraph=np.array([p.paragraph for p in ps], dtype=np.int32),
                section=np.array(
                    [
                        -1 if p.section is None else sections.setdefault(p.section, len(sections))
                        for p in ps
                    ],
                    dtype=np.int32,
                ),
            )
            meta = {
                "key": key,
                "passages": len(self.passages),
                "sections": list(sections),
                "acronyms": {a: list(e) for a, e in lexicon.acronyms.items()},
                "aliases": lexicon.aliases,
                "word_counts": dict(self.word_counts),
                "names": sorted(self.names),
                "kinds_named": sorted(self._kinds_named),
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

    @classmethod
    def load(cls, corpus: Corpus, folder: Path, key: str) -> PassageIndex:
        """Read an index written by :meth:`save`. Raises ``LookupError`` when it was built
        from other content (stale) and ``ValueError`` when it is unreadable (corrupt)."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LookupError("no saved index") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"unreadable index metadata ({exc})") from None
        if not isinstance(meta, dict) or meta.get("key") != key:
            raise LookupError("saved index is for other content")
        bm25 = BM25Index.load(folder / "bm25.npz")
        gloss = BM25Index.load(folder / "gloss.npz") if (folder / "gloss.npz").exists() else None
        try:
            passages = PassageTable.load(corpus, folder / "passages.npz", meta["sections"])
            lexicon = Lexicon(
                aliases={str(k): str(v) for k, v in meta["aliases"].items()},
                acronyms={str(k): tuple(map(str, v)) for k, v in meta["acronyms"].items()},
            )
            words = Counter({str(k): int(v) for k, v in meta["word_counts"].items()})
            names = frozenset(map(str, meta["names"]))
            kinds_named = frozenset(map(str, meta["kinds_named"]))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ValueError(f"unreadable index metadata ({exc!r})") from None
        if len(passages) != meta.get("passages") or bm25.n_docs != len(passages):
            raise ValueError("saved index does not match the corpus's passages")
        if gloss is not None and gloss.n_docs != len(passages):
            raise ValueError("saved definitions index does not match the corpus's passages")
        return cls(corpus, passages, Tokenizer(lexicon), bm25, words, names, gloss, kinds_named)

    def __len__(self) -> int:
        return len(self.passages)

    def _tokens(self, passage: Passage) -> list[Token]:
        """The passage's tokens, spans relative to ``passage.text``."""
        return self.tokenizer.tokens(passage.text)

    def _sentences(self, passage: Passage) -> list[tuple[int, int]]:
        """(start, end) of the passage's sentences, relative to ``passage.text``."""
        return sentence_spans(passage.text) or [(0, len(passage.text))]

    def _sentence_terms(self, passage: Passage) -> list[frozenset[str]]:
        """The index terms of each of the passage's sentences, with the definition terms
        (prefixed by GLOSS) of its words when the index has them."""
        tokens = self.tokens(passage)
        out = []
        for s, e in self.sentences(passage):
            inside = [t for t in tokens if s <= t.start and t.end <= e]
            terms = {t.term for t in inside}
            if self.gloss is not None:
                terms |= {GLOSS + g for g in self._definitions.passage_terms(inside, self.names)}
            out.append(frozenset(terms))
        return out

    def _passage_terms(self, passage: Passage) -> frozenset[str]:
        """The index terms of a passage and its heading."""
        return frozenset(t.term for t in self.tokens(passage)).union(self.heading_terms(passage))

    def _token_glosses(self, passage: Passage) -> list[tuple[int, int, str, frozenset[str]]]:
        """Each token of the passage: start, end, term and definition terms."""
        return [(t.start, t.end, t.term, self.gloss_terms(t)) for t in self.tokens(passage)]

    def gloss_terms(self, token: Token) -> frozenset[str]:
        """GLOSS-prefixed terms of the definitions of a token's word (for a name, of what
        kind of thing it names)."""
        if self.gloss is None:
            return frozenset()
        return self._word_gloss(token.word)

    def _word_gloss(self, word: str) -> frozenset[str]:
        found = self._gloss_of.get(word)
        if found is None:
            terms = self._definitions.words_terms({word}, self.names)
            found = _remember(self._gloss_of, word, frozenset(GLOSS + g for g in terms))
        return found

    def names_of_kind(self, kind: str) -> bool:
        """Whether the corpus names something of this kind (an index term: "countri")."""
        return kind in self._kinds_named

    @cached_property
    def _kinds_named(self) -> frozenset[str]:
        """Index terms of every kind of thing the corpus's names name (one pass over the
        names, while building; then saved with the index)."""
        return frozenset(k for n in self.names for k in self.name_kinds(n))

    def name_kinds(self, word: str) -> tuple[str, ...]:
        """Index terms of the kinds of thing a corpus name names ("armenia": countri, ...)."""
        return self._definitions.name_terms(word) if word in self.names else ()

    @cached_property
    def _definitions(self) -> _Definitions:
        return _Definitions(self.tokenizer)

    def heading_terms(self, passage: Passage) -> list[str]:
        key = (passage.doc_id, passage.section)
        if key not in self._heading_terms:
            self._heading_terms[key] = self.tokenizer.terms(_heading_text(passage))
        return self._heading_terms[key]

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

    def rank(
        self, weights: dict[str, float], k: int, *, document: str | None = None
    ) -> list[tuple[Passage, float]]:
        """Best passages for weighted terms (BM25 scores summed per term), score > 0, best first.

        With every weight 1 this is exactly rank-bm25's ``get_scores`` ranking.
        """
        n = len(self.passages)
        scores = np.zeros(n)
        for term, weight in weights.items():
            if term.startswith(GLOSS):
                if self.gloss is None:
                    continue
                ids, values = self.gloss.term_weights(term[len(GLOSS) :])
            else:
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
