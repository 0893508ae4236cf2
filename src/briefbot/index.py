"""The passage index: passages, their terms, and BM25 over them.

Each passage is indexed (BM25, rank-bm25's BM25Okapi) with its own terms and its section
heading's terms (the lead with the document's title and subtitle), so headings help
matching without ever being answers themselves. A second BM25 index holds the content
words of the dictionary definitions of each passage's words, and for names what kind of
thing they name (document expansion), so a passage saying "troops" is found for
"soldiers" and one naming Armenia for "countries". How a question becomes weighted terms
is :mod:`briefbot.query`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

import numpy as np

from . import thesaurus
from .bm25 import BM25Index
from .corpus import Corpus, Document
from .errors import InputError
from .passages import Passage, split_passages
from .sentences import sentence_spans
from .stopwords import STOPWORDS
from .text import NEGATED, Lexicon, Token, Tokenizer

if TYPE_CHECKING:
    from .query import Query, QuestionAnalyzer


def _heading_text(passage: Passage) -> str:
    """The heading a passage is indexed with: its section, or for the lead the title."""
    if passage.section is not None:
        return passage.section
    doc = passage.document
    return " ".join(x for x in (doc.title, doc.subtitle) if x)


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


GLOSS = "≈"  # prefix of a term found in the dictionary definition of a passage's word
GLOSS_MAX_PASSAGES = 200_000  # larger corpora are indexed without definitions (memory)


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
        return cls(corpus, passages, tokenizer, bm25, words, names, gloss)

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
        names, when the index is saved or first asked; a loaded index reads it)."""
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

    @cached_property
    def questions(self) -> QuestionAnalyzer:
        """Turns questions into weighted terms of this index (:mod:`briefbot.query`)."""
        from .query import QuestionAnalyzer

        return QuestionAnalyzer(self)

    def analyze(self, text: str) -> Query:
        """The weighted index terms of a question (see :meth:`QuestionAnalyzer.analyze`)."""
        return self.questions.analyze(text)

    def correct(self, word: str) -> str | None:
        """The closest corpus word to an unknown word, if it looks like a typo of it."""
        return self.questions.correct(word)

    def document_range(self, document: str) -> tuple[int, int]:
        if document not in self._doc_ranges:
            known = ", ".join(sorted(self._doc_ranges)) or "none"
            raise InputError(f"Unknown document '{document}'. Documents: {known}.")
        return self._doc_ranges[document]
