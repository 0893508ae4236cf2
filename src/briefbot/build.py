"""Building an index's arrays: documents split into passages and sentences, and tokenized.

Two passes over the corpus, each over parts of whole documents, in order:

1. *survey*: each document split into passages (:mod:`briefbot.passages`) and the prose
   counted for the lexicon (:class:`briefbot.text.LexiconCounts`); the parts' counts merge
   into the corpus's, and the lexicon (acronyms, name variants) is learned from them.
2. *tokenize*: each passage tokenized once with that lexicon, sentence by sentence (as
   :meth:`briefbot.text.Tokenizer.tokens_in` reads it), into integer term ids of its part,
   with its sentences' spans and rows, and the word counts the index keeps. Most
   sentences are only matched and looked up word by word (:func:`tokenize`).

A large corpus is worked through by worker processes (both passes, ``workers`` of them),
a small one in this process; the result is the same to the last bit either way (the
parts are merged in the corpus's order, term ids numbered in the order terms first
occur, as rank-bm25 numbers them). What comes back is arrays, not a Python object per
passage or per token. Workers are forked, so they share the documents this process read
without reading or copying them, and only from a process with no other thread running
(forking one that has threads can deadlock the child); elsewhere (a bot answering in
threads) the corpus is built in this process.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from . import params
from .corpus import Corpus, Document, byte_offsets
from .errors import ResourceError
from .passages import split_passages
from .sentences import sentence_spans
from .text import WORD, Lexicon, LexiconCounts, Tokenizer, pieces

# A corpus with fewer characters than this is built in this process. Hand-set: 4 million
# characters take about 10 s to build in one process on the project's 2-core machine
# (100k passages, 36 MB: 19-25 s alone, 11-12 s with two workers), so below it the
# workers could save a few seconds at most, against forking and sending results back.
PARALLEL_CHARS = 4_000_000
PARTS_PER_WORKER = 4  # parts of about equal size per worker, so none waits long at the end

# each passage's document, character offsets into its text, the same as byte offsets into
# its file (read without decoding the rest), paragraph, section and whether it is code
PASSAGE_FIELDS = ("doc", "start", "end", "byte_start", "byte_end", "paragraph", "section", "code")


@dataclass
class Survey:
    """Pass 1 over some documents: their passages as arrays, and the prose's counts."""

    passages: dict[str, np.ndarray]  # PASSAGE_FIELDS; "doc" numbers the corpus's documents
    sections: list[str]  # the sections' names; "section" indexes this list (-1: none)
    counts: LexiconCounts


@dataclass
class Tokenized:
    """Pass 2 over some passages: term ids (numbered per part, in first-seen order)."""

    terms: list[str]  # passage index terms, by id
    ids: np.ndarray  # int32: each passage's terms and its heading's, passage after passage
    lengths: np.ndarray  # int64: terms per passage
    sentence_terms: list[str]  # the sentence index's terms, by id
    sentence_ids: np.ndarray
    sentence_lengths: np.ndarray
    spans: np.ndarray  # (n_sentences, 2) int64, relative to the passage
    per_passage: np.ndarray  # int64: sentences per passage
    words: Counter[str] = field(default_factory=Counter)
    capitalised: Counter[str] = field(default_factory=Counter)
    in_text: Counter[str] = field(default_factory=Counter)


@dataclass
class Built:
    """A corpus's arrays, ready for :class:`briefbot.index.PassageIndex`."""

    passages: dict[str, np.ndarray]
    sections: list[str]
    lexicon: Lexicon
    terms: list[str]
    ids: np.ndarray
    lengths: np.ndarray
    sentence_terms: list[str]
    sentence_ids: np.ndarray
    sentence_lengths: np.ndarray
    spans: np.ndarray
    first_sentence: np.ndarray
    words: Counter[str]
    names: frozenset[str]
    # what later documents' counts are added to (extend_arrays): the prose's lexicon counts
    # (before the headings'), and per word how often it is written capitalised and in prose
    counts: LexiconCounts = field(default_factory=LexiconCounts)
    capitalised: Counter[str] = field(default_factory=Counter)
    in_text: Counter[str] = field(default_factory=Counter)


def heading_text(doc: Document, section: str | None) -> str:
    """The heading a passage is indexed with: its section, or for the lead the title."""
    if section is not None:
        return section
    return " ".join(x for x in (doc.title, doc.subtitle) if x)


# -- the two passes over one part ----------------------------------------------------------

_DOCUMENTS: Sequence[Document] = ()  # the corpus being built (workers inherit it by fork)


def survey(first: int, last: int, read: Callable[[int], None] | None = None) -> Survey:
    """Pass 1 over documents ``first .. last - 1`` (``read`` hears of the characters of the
    documents surveyed so far)."""
    fields: dict[str, list[int]] = {name: [] for name in PASSAGE_FIELDS}
    sections: dict[str, int] = {}
    counts = LexiconCounts()
    surveyed = 0
    for d in range(first, last):
        begun = len(fields["start"])
        for p in split_passages(_DOCUMENTS[d]):
            fields["doc"].append(d)
            fields["start"].append(p.start)
            fields["end"].append(p.end)
            fields["paragraph"].append(p.paragraph)
            fields["section"].append(
                -1 if p.section is None else sections.setdefault(p.section, len(sections))
            )
            fields["code"].append(p.kind == "code")
            # acronyms and name variants are learned from prose: code's names are not the
            # corpus's
            if p.kind != "code":
                counts.add(p.text)
        text = _DOCUMENTS[d].text
        starts, ends = fields["start"][begun:], fields["end"][begun:]
        offsets = byte_offsets(text, starts + ends)  # (one encoding of the text for both)
        fields["byte_start"].extend(offsets[: len(starts)])
        fields["byte_end"].extend(offsets[len(starts) :])
        if read is not None:
            surveyed += len(text)
            read(surveyed)
    arrays = {k: np.array(v, dtype=np.int64) for k, v in fields.items()}
    return Survey(arrays, list(sections), counts)


class _Numbering(dict[str, int]):
    """Terms numbered in the order they are first looked up."""

    def __missing__(self, term: str) -> int:
        self[term] = number = len(self)
        return number


_TOKENIZER: list[Tokenizer] = []  # the one tokenize() used last, with what it remembers


def _tokenizer(lexicon: Lexicon) -> Tokenizer:
    """A tokenizer for ``lexicon``: the last one when its lexicon is the same (each chunk of
    a build would otherwise analyse the corpus's words again)."""
    if not _TOKENIZER or _TOKENIZER[0].lexicon != lexicon:
        _TOKENIZER[:] = [Tokenizer(lexicon)]
    return _TOKENIZER[0]


class _Codes(dict[object, int]):
    """What a build's tokens are, numbered as first met: a code for each surface word read
    without its context (keyed by the word as written), and one for each (term, word, is
    capitalised) of a token read in context or added. Tables by code: its term's number
    (-1: a stopword), its folded word, whether it is written capitalised. (A worker keeps
    its own from chunk to chunk; the numbers never leave it.)"""

    def __init__(self, tokenizer: Tokenizer) -> None:
        super().__init__()
        self.tokenizer = tokenizer
        self.terms = _Numbering()
        self.term = array("i")
        self.word: list[str] = []
        self.capital = bytearray()
        self.in_context: set[str] = set()  # surface words that need their context
        # an acronym written in capitals: its code -> the codes of its expansion's tokens
        self.expansions: dict[int, list[int]] = {}

    def __missing__(self, key: object) -> int:
        expansion: tuple[str, ...] = ()
        if isinstance(key, str):  # a surface word
            found = self.tokenizer.context_free(key)
            if found is None:
                self.in_context.add(key)
                found = ("", "", True, ())  # (never in the stream)
            term, word, stop, expansion = found
            capital = key[0].isupper()
        else:
            term, word, capital = key  # type: ignore[misc]
            stop = False
        self[key] = code = len(self)
        self.term.append(-1 if stop else self.terms[term])
        self.word.append(word)
        self.capital.append(capital)
        if expansion:
            self.expansions[code] = [self[(t, word, capital)] for t in expansion]
        return code


_CODES: list[_Codes] = []  # the ones tokenize() used last (most of a chunk's words are known)


def _codes(tokenizer: Tokenizer) -> _Codes:
    if not _CODES or _CODES[0].tokenizer is not tokenizer:
        _CODES[:] = [_Codes(tokenizer)]
    return _CODES[0]


_SENTENCE, _BETWEEN, _HEADING = 0, 1, 2  # what a piece of the token stream is


def tokenize(lexicon: Lexicon, passages: dict[str, np.ndarray], sections: list[str]) -> Tokenized:
    """Pass 2 over the passages given as arrays (``section`` indexing ``sections``).

    Each passage is read as :meth:`Tokenizer.tokens_in` reads it, sentence by sentence. A
    sentence whose every word is read without its context (most are: no negation, no
    contraction) is only matched and looked up word by word, into one stream of codes
    (:class:`_Codes`) for the whole chunk; the others are tokenized. The stream, with the
    acronyms' tokens added (:func:`_added_tokens`), then becomes the passages' and
    sentences' term ids and the word counts, as arrays (:func:`_tokenized`)."""
    tokenizer = _tokenizer(lexicon)
    codes = _codes(tokenizer)
    code_of, in_context = codes.__getitem__, codes.in_context
    find = WORD.findall
    stream = array("i")
    ends = array("q")  # where each piece of the stream ends ...
    kinds = bytearray()  # ... what it is ...
    read_alone = bytearray()  # ... whether its words were read without their context ...
    owner = array("q")  # ... and its passage
    spans: list[tuple[int, int]] = []
    per_passage: list[int] = []
    headings: dict[tuple[int, int], list[int]] = {}
    heading_words: list[str] = []  # counted once each, where first met

    def in_context_codes(piece: str) -> list[int]:
        return [code_of((t[0], t[3], piece[t[1]].isupper())) for t in tokenizer.tokens(piece)]

    columns = [passages[k].tolist() for k in ("doc", "start", "end", "section")]
    for p, (d, start, end, section) in enumerate(zip(*columns, strict=True)):
        doc = _DOCUMENTS[d]
        key = (d, section)
        if key not in headings:
            heading = heading_text(doc, None if section < 0 else sections[section])
            head_tokens = tokenizer.tokens(heading)
            headings[key] = [code_of((t.term, t.word, False)) for t in head_tokens]
            heading_words.extend(t.word for t in head_tokens)
        text = doc.text[start:end]
        cuts = sentence_spans(text) or [(0, len(text))]
        for lo, hi, sentence in pieces(len(text), cuts):
            piece = text[lo:hi]
            alone = False
            if sentence:
                raws = find(piece)
                found = list(map(code_of, raws))
                alone = in_context.isdisjoint(raws) and not ("`" in piece and ":" in piece)
                stream.extend(found if alone else in_context_codes(piece))
            elif piece.isspace():
                continue
            else:
                stream.extend(in_context_codes(piece))
            ends.append(len(stream))
            kinds.append(_SENTENCE if sentence else _BETWEEN)
            read_alone.append(alone)
            owner.append(p)
        stream.extend(headings[key])
        ends.append(len(stream))
        kinds.append(_HEADING)
        read_alone.append(False)
        owner.append(p)
        spans.extend(cuts)
        per_passage.append(len(cuts))
    pieces_of = (ends, kinds, read_alone, owner)
    return _tokenized(codes, stream, pieces_of, passages, spans, per_passage, heading_words)


def _array(buffer: array | bytearray, dtype: type) -> np.ndarray:
    return np.frombuffer(buffer, dtype).copy() if len(buffer) else np.zeros(0, dtype)


def _tokenized(
    codes: _Codes,
    stream: array,
    pieces_of: tuple[array, bytearray, bytearray, array],
    passages: dict[str, np.ndarray],
    spans: list[tuple[int, int]],
    per_passage: list[int],
    heading_words: list[str],
) -> Tokenized:
    """A chunk's stream of codes (in pieces: where each ends, its kind, whether its words
    were read alone, its passage) as its passages' and sentences' term ids, each numbered
    in the order its terms first occur, and its word counts."""
    ends, kinds, read_alone, owner = pieces_of
    n = len(passages["doc"])
    kind_of = _array(kinds, np.uint8)
    piece = np.repeat(np.arange(len(kind_of)), np.diff(_array(ends, np.int64), prepend=0))
    code = _array(stream, np.int32)
    kept = _array(codes.term, np.int32)[code] >= 0
    code, piece = _added_tokens(codes, code[kept], piece[kept], _array(read_alone, np.uint8))
    term = _array(codes.term, np.int32)[code]
    names = list(codes.terms)
    kind = kind_of[piece]
    passage = _array(owner, np.int64)[piece]
    # passages: their pieces' terms, the heading's last
    terms, ids = _first_seen(term, names)
    lengths = np.bincount(passage, minlength=n).astype(np.int64)
    # sentences: each sentence piece's terms
    is_sentence = kind_of == _SENTENCE
    sentence_of = np.cumsum(is_sentence) - 1
    in_sentence = kind == _SENTENCE
    sentence_terms, sentence_ids = _first_seen(term[in_sentence], names)
    sentence_lengths = np.bincount(
        sentence_of[piece[in_sentence]], minlength=int(is_sentence.sum())
    ).astype(np.int64)
    # the words met (the headings' once each); the prose's are those of passages not code
    read = kind != _HEADING
    prose = read & ~passages["code"].astype(bool)[passage]
    n_codes = len(codes.word)
    every = np.bincount(code[read], minlength=n_codes)
    in_prose = np.bincount(code[prose], minlength=n_codes)
    capital = _array(codes.capital, np.uint8).astype(bool)
    written = np.bincount(code[prose & capital[code]], minlength=n_codes)
    return Tokenized(
        terms,
        ids,
        lengths,
        sentence_terms,
        sentence_ids,
        sentence_lengths,
        np.array(spans, dtype=np.int64).reshape(-1, 2),
        np.array(per_passage, dtype=np.int64),
        _word_counts(codes.word, every) + Counter(heading_words),
        _word_counts(codes.word, written),
        _word_counts(codes.word, in_prose),
    )


def _added_tokens(
    codes: _Codes, code: np.ndarray, piece: np.ndarray, read_alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The kept tokens' codes and pieces with, in the pieces whose words were read alone,
    the tokens :meth:`Tokenizer.tokens` adds after a token, in its order: an acronym's
    after each written-out phrase of it (the phrase's last word's, capitalised as its first
    word is), then its expansion's after an acronym written in capitals."""
    alone = read_alone.astype(bool)[piece]
    at: list[int] = []
    added: list[int] = []
    ending = codes.tokenizer.phrase_ends()
    if ending and len(code) >= 2:
        _phrases(codes, code, piece, alone, ending, at, added)
    if codes.expansions:
        expanding = np.zeros(len(codes.word), bool)
        expanding[list(codes.expansions)] = True
        for i in np.flatnonzero(alone & expanding[code]).tolist():
            expansion = codes.expansions[int(code[i])]
            at.extend([i + 1] * len(expansion))
            added.extend(expansion)
    if not at:
        return code, piece
    where = np.array(at, np.int64)
    order = np.argsort(where, kind="stable")  # at one place: the phrases' acronyms first
    where = where[order]
    return (
        np.insert(code, where, np.array(added, np.int32)[order]).astype(np.int32),
        np.insert(piece, where, piece[where - 1]),
    )


def _phrases(
    codes: _Codes,
    code: np.ndarray,
    piece: np.ndarray,
    alone: np.ndarray,
    ending: dict[str, list[tuple[tuple[str, ...], str]]],
    at: list[int],
    added: list[int],
) -> None:
    """Where each acronym's phrase ends, among tokens read alone: ``at`` gets the place after
    it, ``added`` the acronym's token there."""
    number = codes.terms
    phrases = {
        number[last]: [(tuple(number[t] for t in phrase), acronym) for phrase, acronym in found]
        for last, found in ending.items()
    }
    term = _array(codes.term, np.int32)[code].astype(np.int64)
    width = len(number) + 1
    pairs = np.array(
        sorted({ids[-2] * width + last for last, found in phrases.items() for ids, _ in found}),
        np.int64,
    )
    last_term = np.zeros(width, bool)
    last_term[list(phrases)] = True
    ends = np.flatnonzero((piece[1:] == piece[:-1]) & alone[1:] & last_term[term[1:]]) + 1
    ends = ends[np.isin(term[ends - 1] * width + term[ends], pairs)]
    terms = term.tolist() if len(ends) else []
    for i in ends.tolist():
        for ids, acronym in phrases[terms[i]]:
            lo = i + 1 - len(ids)
            if lo >= 0 and piece[lo] == piece[i] and tuple(terms[lo : i + 1]) == ids:
                at.append(i + 1)
                first, last = int(code[lo]), int(code[i])
                added.append(codes[(acronym, codes.word[last], bool(codes.capital[first]))])


def _first_seen(terms: np.ndarray, names: list[str]) -> tuple[list[str], np.ndarray]:
    """``terms`` (numbers of ``names``) renumbered in the order they first occur, with the
    names in that order."""
    found, first = np.unique(terms, return_index=True)
    order = found[np.argsort(first, kind="stable")]
    renumber = np.zeros(len(names), np.int32)
    renumber[order] = np.arange(len(order), dtype=np.int32)
    return [names[i] for i in order.tolist()], renumber[terms].astype(np.int32)


def _word_counts(words: list[str], counts: np.ndarray) -> Counter[str]:
    """The counts by code as counts by word."""
    out: Counter[str] = Counter()
    for c in np.flatnonzero(counts).tolist():
        out[words[c]] += int(counts[c])
    return out


def _survey_part(part: tuple[int, int]) -> Survey:
    return survey(*part)


def _tokenize_part(work: tuple[Lexicon, dict[str, np.ndarray], list[str]]) -> Tokenized:
    return tokenize(*work)


# -- the whole corpus -------------------------------------------------------------------


def check_memory(corpus: Corpus) -> None:
    """Raise :class:`ResourceError` when building ``corpus`` would take more memory than
    the machine has available (``params.BUILD_BYTES_PER_CHAR``); unknown (not Linux): pass."""
    chars = sum(d.length for d in corpus.documents)
    need = params.BUILD_MEMORY_BASE + params.BUILD_BYTES_PER_CHAR * chars
    available = _available_memory()
    if available is not None and need > available:
        raise ResourceError(
            f"indexing {chars:,} characters takes about {need / 2**30:.1f} GB of memory, "
            f"and {available / 2**30:.1f} GB is available: free some, or index fewer documents"
        )


def _available_memory() -> int | None:
    """Bytes of memory a new allocation can still get: the system's (MemAvailable +
    SwapFree), or less where a control group (a container) limits this process; None when
    unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        found = (int(fields["MemAvailable"].split()[0]) + int(fields["SwapFree"].split()[0])) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return None
    room = _cgroup_room(Path("/sys/fs/cgroup"))
    return found if room is None else min(found, room)


# a control group's limit and usage: version 2 (one hierarchy), then version 1's memory one
_CGROUP_FILES = (
    ("memory.max", "memory.current", "memory.stat", "inactive_file"),
    (
        "memory/memory.limit_in_bytes",
        "memory/memory.usage_in_bytes",
        "memory/memory.stat",
        "total_inactive_file",
    ),
)
_NO_LIMIT = 2**60  # version 1 writes "no limit" as a number near 2**63


def _cgroup_room(root: Path) -> int | None:
    """What this process's control group may still take (its limit less what it uses, the
    page cache it can drop not counted), or None when it sets no limit."""
    for limit_file, usage_file, stat_file, inactive in _CGROUP_FILES:
        try:
            limit_text = (root / limit_file).read_text(encoding="ascii").strip()
            usage = int((root / usage_file).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit() or int(limit_text) >= _NO_LIMIT:
            return None
        dropped = 0
        try:
            for line in (root / stat_file).read_text(encoding="ascii").splitlines():
                name, _, value = line.partition(" ")
                if name == inactive:
                    dropped = int(value)
        except (OSError, ValueError):
            pass
        return max(0, int(limit_text) - max(0, usage - dropped))
    return None


def workers_for(corpus: Corpus, workers: int | None) -> int:
    """How many worker processes to build with: none (0) for a small corpus or where
    processes cannot be forked safely (another thread is running), else ``workers``
    (default: the CPUs this process may use)."""
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    chars = sum(d.length for d in corpus.documents)
    if workers < 2 or chars < PARALLEL_CHARS or len(corpus.documents) < 2:
        return 0
    if "fork" not in _start_methods() or threading.active_count() > 1:
        return 0
    return workers


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _parts(documents: Sequence[Document], n: int) -> list[tuple[int, int]]:
    """``n`` runs of whole documents of about equal text size, in order."""
    sizes = np.cumsum([d.length for d in documents])
    total = int(sizes[-1]) if len(sizes) else 0
    cuts = [0]
    for k in range(1, n):
        cut = int(np.searchsorted(sizes, total * k / n)) + 1
        if cuts[-1] < cut < len(documents):
            cuts.append(cut)
    cuts.append(len(documents))
    return list(zip(cuts[:-1], cuts[1:], strict=True))


# how the work of a build is told: reading (pass 1) a third, tokenizing (pass 2) two thirds
# (at 1M passages on the project's 2-core machine the passes took 26 s and 69 s)
READ_SHARE, TOKENIZE_SHARE = 1, 2


def build_arrays(
    corpus: Corpus,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Built:
    """Both passes over ``corpus`` (see the module docstring); ``progress(done, total)``
    hears how much of the work is done, from the first documents read on (the units are
    characters, weighted by pass: ``READ_SHARE`` and ``TOKENIZE_SHARE``)."""
    global _DOCUMENTS
    documents = corpus.documents
    n_workers = workers_for(corpus, workers)
    sizes = [d.length for d in documents]
    chars = sum(sizes)
    total = (READ_SHARE + TOKENIZE_SHARE) * chars

    def read(done: int) -> None:  # characters of the documents surveyed
        if progress is not None:
            progress(READ_SHARE * done, total)

    _DOCUMENTS = documents
    try:
        if n_workers:
            parts = _parts(documents, n_workers * PARTS_PER_WORKER)
            with ProcessPoolExecutor(n_workers, mp_context=get_context("fork")) as pool:
                surveys, done = [], 0
                for (lo, hi), part in zip(parts, pool.map(_survey_part, parts), strict=True):
                    surveys.append(part)
                    done += sum(sizes[lo:hi])
                    read(done)
                size = min(TOKENIZE_CHUNK, max(1, _passages(surveys) // len(parts)))
                passages, sections, lexicon, chunks, prose = _after_survey(corpus, surveys, size)
                told = _tokenizing(passages, chars, total, progress)
                built = _merge(
                    pool.map(_tokenize_part, [(lexicon, c, sections) for c in chunks]),
                    passages,
                    sections,
                    lexicon,
                    told,
                    prose,
                )
        else:
            surveys = [survey(0, len(documents), read)]
            passages, sections, lexicon, chunks, prose = _after_survey(corpus, surveys)
            tokenized = (tokenize(lexicon, c, sections) for c in chunks)
            told = _tokenizing(passages, chars, total, progress)
            built = _merge(tokenized, passages, sections, lexicon, told, prose)
    finally:
        _DOCUMENTS = ()
        _TOKENIZER.clear()  # (a worker's goes with it)
        _CODES.clear()
    return built


def extend_arrays(
    corpus: Corpus,
    before: Built,
    first: int,
    held: Callable[[Sequence[str]], bool] | None = None,
) -> Built | None:
    """Both passes over documents ``first ..`` of ``corpus`` only, the ones before them
    being those ``before`` was built from: the corpus's tables (as :func:`build_arrays`
    gives them) with the term ids of the new passages alone. ``held(terms)``: whether some
    passage of ``before`` holds all of ``terms``. None when the lexicon learned with the new
    documents would tokenize one of the earlier passages otherwise (see :func:`_unchanged`):
    then every document must be tokenized again."""
    global _DOCUMENTS
    documents = corpus.documents
    _DOCUMENTS = documents
    try:
        surveys = [survey(first, len(documents))]
        passages, sections, lexicon, chunks, prose = _after_survey(corpus, surveys, before=before)
        if not _unchanged(before.lexicon, lexicon, held):
            return None
        tokenized = (tokenize(lexicon, c, sections) for c in chunks)
        return _merge(tokenized, passages, sections, lexicon, None, prose, before)
    finally:
        _DOCUMENTS = ()
        _TOKENIZER.clear()
        _CODES.clear()


def _unchanged(old: Lexicon, new: Lexicon, held: Callable[[Sequence[str]], bool] | None) -> bool:
    """Whether every passage tokenized with ``old`` gets the same terms with ``new``: the
    same lexicon, or one whose new or changed acronyms and spelling variants are of terms no
    such passage holds (an acronym's own term, or all of its expansion's; a variant's
    terms), so that none of them can fire there."""
    if (new.acronyms, new.aliases) == (old.acronyms, old.aliases):
        return True
    if held is None:
        return False
    tokenizers = (Tokenizer(old), Tokenizer(new))
    for acronym in sorted(set(old.acronyms) | set(new.acronyms)):
        if old.acronyms.get(acronym) == new.acronyms.get(acronym):
            continue
        for tokenizer in tokenizers:
            term = tokenizer.term(acronym)
            phrase = tokenizer.lexicon._expansions.get(term)
            if held([term]) or (phrase and held(phrase)):
                return False
    for variant in sorted(set(old.aliases) | set(new.aliases)):
        if old.aliases.get(variant) != new.aliases.get(variant):
            terms = [variant, old.aliases.get(variant, variant), new.aliases.get(variant, variant)]
            if any(held([t]) for t in terms):
                return False
    return True


def _tokenizing(
    passages: dict[str, np.ndarray],
    chars: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> Callable[[int, int], None] | None:
    """``progress`` told of pass 2 as the share of the passages' characters tokenized."""
    if progress is None:
        return None
    reach = np.cumsum(passages["end"] - passages["start"])
    whole = int(reach[-1]) if len(reach) else 0

    def told(done: int, _: int) -> None:
        share = int(reach[done - 1]) / whole if done and whole else 1.0
        progress(READ_SHARE * chars + round(TOKENIZE_SHARE * chars * share), total)

    return told


def _passages(surveys: list[Survey]) -> int:
    return sum(len(s.passages["doc"]) for s in surveys)


TOKENIZE_CHUNK = (
    20_000  # passages tokenized at a time, in whole documents (progress is told after each)
)


def _after_survey(
    corpus: Corpus,
    surveys: list[Survey],
    chunk: int = TOKENIZE_CHUNK,
    before: Built | None = None,
) -> tuple[dict[str, np.ndarray], list[str], Lexicon, list[dict[str, np.ndarray]], LexiconCounts]:
    """The parts' passages joined (sections renumbered for the corpus), the lexicon, the
    passages cut into chunks for pass 2, and the prose's counts. ``before``: the build of
    the documents before these, whose sections and counts these come after."""
    sections: dict[str, int] = {}
    columns: dict[str, list[np.ndarray]] = {k: [] for k in PASSAGE_FIELDS}
    counts = LexiconCounts()
    if before is not None:
        sections = {name: i for i, name in enumerate(before.sections)}
        counts.merge(before.counts)
    for part in surveys:
        remap = np.array(
            [sections.setdefault(s, len(sections)) for s in part.sections] + [-1], np.int64
        )
        for k in PASSAGE_FIELDS:
            column = part.passages[k]
            columns[k].append(remap[column] if k == "section" else column)
        counts.merge(part.counts)
    passages = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in columns.items()}
    prose = counts.copy()
    # the headings are learned from after all the prose, each once
    for name in sections:
        counts.add(name)
    lexicon = counts.lexicon()
    # chunks of whole documents (a heading's words are counted once, where it is first
    # met), each about TOKENIZE_CHUNK passages
    doc = passages["doc"]
    starts = np.flatnonzero(np.diff(doc, prepend=-1)).tolist() + [len(doc)]
    cuts = [0]
    for s in starts[1:]:
        if s - cuts[-1] >= chunk or s == len(doc):
            cuts.append(s)
    chunks = [
        {k: v[lo:hi] for k, v in passages.items()}
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)
        if hi > lo
    ]
    return passages, list(sections), lexicon, chunks, prose


def _merge(
    parts: object,
    passages: dict[str, np.ndarray],
    sections: list[str],
    lexicon: Lexicon,
    progress: Callable[[int, int], None] | None,
    counted: LexiconCounts,
    before: Built | None = None,
) -> Built:
    """The tokenized chunks joined, their term ids renumbered for the whole corpus in the
    order terms first occur. ``before``: the build of the documents before these; the
    terms continue its numbering, the counts add to its, the spans follow its, and the ids
    and lengths are those of these passages alone (for :meth:`BM25Index.extended`)."""
    total = len(passages["doc"])
    vocab: dict[str, int] = {}
    sentence_vocab: dict[str, int] = {}
    ids, lengths, sentence_ids, sentence_lengths, spans, per_passage = [], [], [], [], [], []
    words: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    in_text: Counter[str] = Counter()
    if before is not None:
        vocab = {t: i for i, t in enumerate(before.terms)}
        sentence_vocab = {t: i for i, t in enumerate(before.sentence_terms)}
        spans.append(before.spans)
        per_passage.append(np.diff(before.first_sentence))
        words.update(before.words)
        capitalised.update(before.capitalised)
        in_text.update(before.in_text)
    done = 0
    for part in parts:  # type: ignore[attr-defined]
        assert isinstance(part, Tokenized)
        remap = np.array([vocab.setdefault(t, len(vocab)) for t in part.terms], np.int32)
        ids.append(remap[part.ids] if len(part.ids) else part.ids)
        remap = np.array(
            [sentence_vocab.setdefault(t, len(sentence_vocab)) for t in part.sentence_terms],
            np.int32,
        )
        sentence_ids.append(
            remap[part.sentence_ids] if len(part.sentence_ids) else part.sentence_ids
        )
        lengths.append(part.lengths)
        sentence_lengths.append(part.sentence_lengths)
        spans.append(part.spans)
        per_passage.append(part.per_passage)
        words.update(part.words)
        capitalised.update(part.capitalised)
        in_text.update(part.in_text)
        done += len(part.lengths)
        if progress is not None:
            progress(done, total)

    def joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype)

    counts = joined(per_passage, np.int64)
    first = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=first[1:])
    names = frozenset(w for w, n in capitalised.items() if n >= 0.8 * in_text[w])
    # the counts in one order whatever the chunks were: the words' own
    words, capitalised, in_text = (
        Counter(dict(sorted(c.items()))) for c in (words, capitalised, in_text)
    )
    if before is not None:
        passages = {k: np.concatenate([before.passages[k], v]) for k, v in passages.items()}
    return Built(
        passages,
        sections,
        lexicon,
        list(vocab),
        joined(ids, np.int32),
        joined(lengths, np.int64),
        list(sentence_vocab),
        joined(sentence_ids, np.int32),
        joined(sentence_lengths, np.int64),
        np.concatenate(spans) if spans else np.zeros((0, 2), np.int64),
        first,
        words,
        names,
        counted,
        capitalised,
        in_text,
    )
