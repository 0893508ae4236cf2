"""The tokenizer: one for the index and for questions, so both meet on the same terms.

Steps, in order: words found on the original text (so every token keeps its character span);
thousands groups joined ("3,000" and "6, 000" are 3000 and 6000); Unicode apostrophes
unified and case folded; contractions expanded ("wasn't", "wasnt" -> was + not); stopwords
dropped; Snowball English stems for alphabetic words. A :class:`Lexicon` learned from the
corpus then maps spelling variants of names to one term and adds an acronym's term wherever
its expansion is written out (and the reverse), so "CSTO" meets "Collective Security Treaty
Organization".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import filterfalse
from typing import NamedTuple

import Stemmer

from .stopwords import STOPWORDS

TOKENIZER_VERSION = "5"  # bump whenever terms change: saved indexes are keyed by it
# (5: a passage is read sentence by sentence, Tokenizer.tokens_in)
# (3: in a document, an acronym's expansion only where the acronym is written in capitals)

WORD = re.compile(r"\d{1,3}(?:,[ \u00a0]?\d{3})+(?!\d)|\w+(?:['\u2019\u2018\u02bc`\u00b4]\w+)*")
# reStructuredText's interpreted-text roles (":func:`", ":py:class:`"): markup, not words
# (each "class" role would otherwise match every question asking "which class")
_ROLE = re.compile(r"(?<![\w:]):[A-Za-z][\w.+-]*(?::[\w.+-]+)?:(?=`)")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())  # the same length: offsets into the text still hold


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_THOUSANDS = re.compile(r"[,\s\u00a0]")
_CONTRACTIONS_NO_APOSTROPHE = {
    **{
        w + "nt": (w, "not")
        for w in (
            "is are was were do does did has have had could should would must need might".split()
        )
    },
    "cant": ("can", "not"),
    "dont": ("do", "not"),
    "wont": ("will", "not"),
    "aint": ("not",),
    "cannot": ("can", "not"),
    "whats": ("what",),
    "thats": ("that",),
    "wheres": ("where",),
    "whos": ("who",),
    "hows": ("how",),
    "whys": ("why",),
    "theres": ("there",),
    "im": ("i",),
    "ive": ("i",),
    "youre": ("you",),
}
_CLITICS = {"s", "re", "ve", "ll", "d", "m"}
MAX_REMEMBERED = 500_000  # surface words whose analysis a tokenizer keeps
NEGATIONS = {"not", "no", "never", "nor", "without", "neither"}
NEGATION_SCOPE = 3  # content words after a negation that it applies to
NEGATED = "¬"  # prefix of the extra term a negated word gets ("not a peacekeeping" -> ¬peacekeep)
_SCOPE_END = re.compile(r"[,.;:!?()\[\]]|\bbut\b")
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "de", "du", "la", "to"}


class Token(NamedTuple):
    """A term with where it was found: ``text[start:end]`` is its surface form.

    (A named tuple rather than a dataclass: indexing a million passages makes tens of
    millions of them, and a tuple is several times cheaper to create.)"""

    term: str
    start: int
    end: int
    word: str  # the folded word before stemming ("peacekeeping"); used for spelling fixes


_stemmer = Stemmer.Stemmer("english")


def _load_irregular() -> dict[str, str]:
    """Irregular noun and verb forms ("said" -> "say"), from WordNet's exception lists."""
    path = resources.files("briefbot") / "data" / "irregular.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = (line.split("\t") for line in lines if line and not line.startswith("#"))
    return {p[0]: p[1] for p in pairs if len(p) == 2}


IRREGULAR = _load_irregular()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem of a folded word (irregular forms first reduced to their lemma);
    numbers and mixed tokens stay as they are."""
    return _stemmer.stemWord(IRREGULAR.get(word, word)) if word.isalpha() else word


def fold(word: str) -> str:
    """Unicode-normalise and case-fold one word, apostrophes unified to "'"."""
    return unicodedata.normalize("NFKC", word).translate(_APOSTROPHES).casefold()


def _words(raw: str) -> tuple[str, ...]:
    """The folded words one surface token stands for (contractions expanded)."""
    if raw[0].isdigit() and ("," in raw):
        return (_THOUSANDS.sub("", raw),)
    word = fold(raw)
    if "'" in word:
        head, _, tail = word.rpartition("'")
        if tail == "t" and head.endswith("n"):
            base = {"ca": "can", "wo": "will", "sha": "shall", "ai": ""}.get(head[:-1], head[:-1])
            return tuple(w for w in (base, "not") if w)
        if tail in _CLITICS:
            return (head.replace("'", ""),)
        return (word.replace("'", ""),)
    return _CONTRACTIONS_NO_APOSTROPHE.get(word, (word,))


@dataclass
class Lexicon:
    """What the tokenizer learns from a corpus: name variants and acronyms."""

    aliases: dict[str, str] = field(default_factory=dict)  # variant term -> canonical term
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "CSTO" -> expansion words
    _phrases: dict[tuple[str, ...], str] = field(default_factory=dict, repr=False)
    # the same, looked up by a phrase's last term, and acronym term -> expansion terms
    _ending: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict, repr=False)
    _expansions: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _triggers: frozenset[str] = field(default=frozenset(), repr=False)  # either's keys
    # a phrase's last term -> the terms its phrases have just before it: a token ends a
    # phrase only after one of those (most endings are everyday words: "file", "list")
    _after: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def compile(self, tokenizer: Tokenizer) -> None:
        self._phrases = {}
        self._ending = {}
        self._expansions = {}
        for acronym, expansion in self.acronyms.items():
            terms = tuple(t.term for t in tokenizer.tokens(" ".join(expansion), expand=False))
            if len(terms) >= 2:
                term = tokenizer.term(acronym)
                self._phrases[terms] = term
                self._ending.setdefault(terms[-1], []).append((terms, term))
                self._expansions[term] = terms
        self._triggers = frozenset(self._ending) | frozenset(self._expansions)
        self._after = {
            last: frozenset(terms[-2] for terms, _ in found) for last, found in self._ending.items()
        }

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Lexicon:
        """Find acronyms with their expansions and same-length spelling variants of names
        (:class:`LexiconCounts` over ``texts``, in order)."""
        counts = LexiconCounts()
        for text in texts:
            counts.add(text)
        return counts.lexicon()


@dataclass
class LexiconCounts:
    """What a :class:`Lexicon` is learned from, counted over texts: the all-capitals words,
    the initials of every run of capitalised words, and how often each capitalised word
    occurs. Counts of several parts of a corpus merge (in the corpus's order) into the
    counts of the whole, so workers can count a corpus in parts."""

    candidates: set[str] = field(default_factory=set)
    initials: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the first seen
    capitalised: Counter[str] = field(default_factory=Counter)

    def add(self, text: str) -> None:
        """One pass over the words: every run of capitalised words (with connectors such as
        "of") records the initials of its prefixes."""
        capitalised, initials = self.capitalised, self.initials
        if text.isascii():  # the same words as below, found with the acronyms in one scan
            found = _CAPITALS_ASCII.findall(text)
            self.candidates.update(filter(str.isupper, found))
            capitalised.update(map(str.lower, filterfalse(str.isupper, found)))
        else:
            self.candidates.update(_ACRONYM.findall(text))
            for word in _LONG_WORD.findall(text):
                if word[0].isupper() and word[1:].islower():
                    capitalised[fold(word)] += 1
        for run in _CAPITALISED_RUN.finditer(text):
            words = [(m.group(), m.start(), m.end()) for m in WORD.finditer(run.group())]
            for i, (word, _, _) in enumerate(words):
                if word[0].isupper() and not _is_acronym(word):
                    _record_initials(words, i, run.group(), initials)

    def copy(self) -> LexiconCounts:
        return LexiconCounts(set(self.candidates), dict(self.initials), Counter(self.capitalised))

    def merge(self, later: LexiconCounts) -> None:
        """Add the counts of the texts that follow these."""
        self.candidates |= later.candidates
        for letters, words in later.initials.items():
            self.initials.setdefault(letters, words)
        self.capitalised.update(later.capitalised)

    def lexicon(self) -> Lexicon:
        """An all-capitals word whose letters were recorded somewhere gets that expansion;
        names written two ways with one vowel changed become one."""
        initials = self.initials
        acronyms = {a: initials[a] for a in sorted(self.candidates) if a in initials}
        return Lexicon(aliases=_spelling_variants(self.capitalised), acronyms=acronyms)


# A pattern that opens with a capital and checks the word boundary behind it
# ("[A-Z](?<!\w[A-Z])", the same matches as "\b[A-Z]") lets the regex engine skip to the
# next capital instead of trying every position: the lexicon's scans of a corpus's prose
# take about half the time (tests/test_text.py holds the two forms equal).
_ACRONYM = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{1,7}\b")  # \b[A-Z]{2,8}\b


def _capitals(text: str, token: Token) -> bool:
    """Whether the token's word is written in capitals ("CSTO", "CSTO's"), not "cost"."""
    return _written_in_capitals(text[token.start : token.end])


def _written_in_capitals(raw: str) -> bool:
    return re.split(r"['’]", raw, maxsplit=1)[0].isupper()


_LONG_WORD = re.compile(r"\b[^\W\d_]{5,}\b")
# in ASCII text: an _ACRONYM, or a _LONG_WORD capitalised
_CAPITALS_ASCII = re.compile(r"[A-Z](?<!\w[A-Z])(?:[A-Z]{1,7}|[a-z]{4,})\b")
_GAP = r"[ \u00a0,-]{1,3}"
_CAPITALISED_RUN = re.compile(  # capitalised words, joined by connectors such as "of"
    rf"[A-Z](?<!\w[A-Z])[\w’'-]*"
    rf"(?:{_GAP}(?:(?:{'|'.join(sorted(_CONNECTORS))}){_GAP})*[A-Z][\w’'-]*)+"
)


def _is_acronym(word: str) -> bool:
    return 2 <= len(word) <= 8 and word.isalpha() and word.isupper()


def _record_initials(
    words: Sequence[tuple[str, int, int]], i: int, text: str, out: dict[str, tuple[str, ...]]
) -> None:
    """Initials of the capitalised words from ``words[i]`` on, for every prefix of 2+ words."""
    letters, used = "", []
    for j in range(i, min(len(words), i + 16)):
        w, start, _ = words[j]
        if j > i and not _joined(text[words[j - 1][2] : start]):
            break
        if w[0].isupper() and w.isalpha() and not _is_acronym(w):
            letters += w[0]
            used.append(w)
            if len(letters) >= 2:
                out.setdefault(letters, tuple(used))
            if len(letters) == 8:
                break
        elif w.lower() in _CONNECTORS and j > i:
            used.append(w)
        else:
            break


def _joined(gap: str) -> bool:
    """Words of one name are separated by spaces, hyphens or commas, not by sentence ends."""
    return len(gap) <= 3 and all(c in " \u00a0,-" for c in gap)


def _spelling_variants(capitalised: Counter[str]) -> dict[str, str]:
    """Names written two ways with one vowel changed (Kassim/Kassym) map to the commoner."""
    vowels = set("aeiouy")
    by_shape: dict[tuple[int, str], list[str]] = {}
    names = sorted(capitalised)
    for name in names:
        for i, ch in enumerate(name):
            if ch in vowels:
                by_shape.setdefault((i, name[:i] + "_" + name[i + 1 :]), []).append(name)
    aliases: dict[str, str] = {}
    for group in by_shape.values():
        if len(group) < 2:
            continue
        canonical = max(group, key=lambda n: (capitalised[n], [-ord(c) for c in n]))
        for name in group:
            if name != canonical:
                aliases[stem(name)] = stem(canonical)
    return aliases


def pieces(length: int, cuts: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """A passage of ``length`` characters as the pieces it is tokenized in: (start, end,
    is a sentence) for each of its sentences ``cuts`` (in order) and each stretch of text
    before, between or after them, in order, together the whole text."""
    out: list[tuple[int, int, bool]] = []
    at = 0
    for start, end in cuts:
        if start > at:
            out.append((at, start, False))
        out.append((start, end, True))
        at = end
    if length > at:
        out.append((at, length, False))
    return out


_Free = tuple[str, str, bool, tuple[str, ...]]  # what Tokenizer.context_free tells of a word
_SKIP = object()  # a surface token that is one stopword
_COMPLEX = object()  # one that stands for several words, or a negation
_new_token = tuple.__new__  # Token(...) without the generated __new__'s extra call


class Tokenizer:
    """Turns text into index terms, keeping where each came from."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        self._analysed: dict[str, tuple[tuple[str, str, bool], ...]] = {}
        self._plain: dict[str, tuple[str, str] | object] = {}  # raw -> _classify's answer
        self._free: dict[str, _Free | None] = {}  # raw -> context_free's answer
        self.lexicon.compile(self)

    def _analyse(self, raw: str) -> tuple[tuple[str, str, bool], ...]:
        """(folded word, term, is stopword) for each word one surface token stands for;
        remembered, since most words of a corpus recur."""
        found = self._analysed.get(raw)
        if found is None:
            aliases = self.lexicon.aliases
            out = []
            for word in _words(raw):
                if word:
                    t = stem(word)
                    out.append((word, aliases.get(t, t), word in STOPWORDS))
            found = tuple(out)
            if len(self._analysed) < MAX_REMEMBERED:
                self._analysed[raw] = found
        return found

    def term(self, word: str) -> str:
        """The index term for one folded word (stemmed, aliases applied)."""
        t = stem(fold(word))
        return self.lexicon.aliases.get(t, t)

    def tokens(
        self, text: str, *, expand: bool = True, keep_stopwords: bool = False, query: bool = False
    ) -> list[Token]:
        """Tokens of ``text`` in order; spans index into ``text`` itself. ``query``: the
        text is a question or a topic someone typed, where an acronym may be written in
        lowercase ("who runs the csto?"); in a document only capitals are an acronym
        ("COST" is expanded, "cost" is the word)."""
        if "`" in text and ":" in text:
            text = _ROLE.sub(_blank, text)
        out: list[Token] = []
        append = out.append
        scope, last_end = 0, 0
        analyse, plain = self._analyse, self._plain
        triggers = self.lexicon._triggers if expand else frozenset()
        acronyms, after = self.lexicon._expansions, self.lexicon._after
        found: list[int] = []  # positions in out of terms that may start an expansion
        term: str
        word: str
        for match in WORD.finditer(text):
            raw = match.group()
            fast = plain.get(raw)
            if fast is None:
                fast = self._classify(raw)
            if not scope:  # the common case: one word, no negation in force
                if fast is _SKIP:
                    if not keep_stopwords:
                        continue
                elif fast is not _COMPLEX:
                    term, word = fast  # type: ignore[misc]
                    start, end = match.span()
                    # a possible acronym (in a document, only one written in capitals:
                    # the first two letters are enough to pass over "can" and "add"), or
                    # the end of a phrase whose term before it is the one just read
                    # (_expand_phrases checks the rest)
                    if term in triggers and (
                        (term in acronyms and (query or raw[:2].isupper()))
                        or (out and out[-1][0] in after.get(term, ()))
                    ):
                        found.append(len(out))
                    append(_new_token(Token, (term, start, end, word)))
                    continue
            start, end = match.span()
            if scope and _SCOPE_END.search(text, last_end, start):
                scope = 0
            last_end = end
            for word, term, stop in analyse(raw):
                if word in NEGATIONS:
                    scope = NEGATION_SCOPE
                if stop and not keep_stopwords:
                    continue
                if term in triggers:
                    found.append(len(out))
                append(Token(term, start, end, word))
                if scope and word not in NEGATIONS:
                    scope -= 1
                    if NEGATED + term in triggers:  # an expansion may hold a negation
                        found.append(len(out))
                    append(Token(NEGATED + term, start, end, word))
        if found:
            out = self._expand_phrases(out, None if query else text, found)
        return out

    def _classify(self, raw: str) -> tuple[str, str] | object:
        """How :meth:`tokens` handles a surface token: skipped (one stopword), as one
        (term, word), or word by word (contractions, negations); remembered."""
        entries = self._analyse(raw)
        kind: tuple[str, str] | object = _COMPLEX
        if len(entries) == 1 and entries[0][0] not in NEGATIONS:
            word, term, stop = entries[0]
            kind = _SKIP if stop else (term, word)
        if len(self._plain) < MAX_REMEMBERED:
            self._plain[raw] = kind
        return kind

    def terms(self, text: str, *, query: bool = False) -> list[str]:
        return [t.term for t in self.tokens(text, query=query)]

    def tokens_in(self, text: str, cuts: Sequence[tuple[int, int]]) -> list[Token]:
        """A passage's tokens, read sentence by sentence (``cuts``: its sentences' spans, in
        order; see :func:`pieces`): a negation's scope and an acronym's phrase end with the
        sentence. Spans index into ``text``. The index holds these terms (briefbot.build)."""
        out: list[Token] = []
        for lo, hi, sentence in pieces(len(text), cuts):
            piece = text[lo:hi]
            if not sentence and piece.isspace():
                continue
            out.extend(
                _new_token(Token, (t[0], t[1] + lo, t[2] + lo, t[3])) for t in self.tokens(piece)
            )
        return out

    def context_free(self, raw: str) -> _Free | None:
        """(term, folded word, is stopword, the expansion's terms) of a surface token that
        :meth:`tokens` reads in a document as the same tokens wherever it is: its term, and
        after it an acronym's expansion where it is an acronym written in capitals (but for
        the acronym a phrase it ends adds, :meth:`phrase_ends`); None for one read in its
        context: a contraction or a negation (its scope). Remembered."""
        if raw in self._free:
            return self._free[raw]
        kind = self._plain.get(raw)
        if kind is None:
            kind = self._classify(raw)
        found: _Free | None = None
        term: str
        word: str
        if kind is _SKIP:
            found = ("", "", True, ())
        elif kind is not _COMPLEX:
            term, word = kind  # type: ignore[misc]
            expansion = self.lexicon._expansions.get(term, ())
            if expansion and not (raw[:2].isupper() and _written_in_capitals(raw)):
                expansion = ()
            found = (term, word, False, expansion)
        if len(self._free) < MAX_REMEMBERED:
            self._free[raw] = found
        return found

    def phrase_ends(self) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        """Each phrase's last term -> (the phrase's terms, its acronym's term) of the phrases
        it ends, in the order :meth:`tokens` adds their acronyms after it."""
        return self.lexicon._ending

    def _expand_phrases(
        self, tokens: list[Token], text: str | None, positions: list[int]
    ) -> list[Token]:
        """Add the acronym's term after its written-out expansion, and the reverse: the
        expansion after the acronym, where ``text`` (None for a question) writes it in
        capitals. ``positions``: the tokens whose term ends an expansion or is an acronym,
        in order. The tokens themselves when nothing is added."""
        lexicon = self.lexicon
        ending, by_acronym = lexicon._ending, lexicon._expansions
        inserts: list[tuple[int, list[Token]]] = []
        for i in positions:
            token = tokens[i]
            added = []
            for phrase, acronym in ending.get(token.term, ()):
                lo = i + 1 - len(phrase)
                if lo < 0:
                    continue
                k = 0  # the phrase's last term is this token's: compare the ones before
                while k < len(phrase) - 1 and tokens[lo + k][0] == phrase[k]:
                    k += 1
                if k == len(phrase) - 1:
                    added.append(Token(acronym, tokens[lo].start, token.end, token.word))
            expansion = by_acronym.get(token.term)
            if expansion is not None and (text is None or _capitals(text, token)):
                added.extend(Token(t, token.start, token.end, token.word) for t in expansion)
            if added:
                inserts.append((i, added))
        if not inserts:
            return tokens
        out: list[Token] = []
        done = 0
        for i, added in inserts:
            out.extend(tokens[done : i + 1])
            out.extend(added)
            done = i + 1
        out.extend(tokens[done:])
        return out
