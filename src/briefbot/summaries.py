"""Topic summaries: the article's own sentences about a topic, verbatim and attributed.

``summarize(index, "CSTO")`` picks the sentences most about the topic with maximal marginal
relevance (Carbonell & Goldstein 1998): each pick maximises
``LAMBDA * relevance - (1 - LAMBDA) * (similarity to the sentences already picked)``, so the
summary covers different things the article says. The picks are shown in the article's
order. A sentence's relevance to a topic is

* how much of the topic's weight (sentence-level idf of its terms) the sentence mentions;
* for a sentence that starts with a pronoun ("He officially resigned…"), a share of the
  relevance of the sentence before it in the same paragraph (it continues that subject);
* a share of the topic's best mention in the same paragraph, and of the sentence's
  similarity to all the sentences that mention the topic (pseudo-relevance feedback), so a
  sentence that discusses the topic in other words ("…whether Russian forces will remain
  there for a long time…" for occupation) can be picked, but never on that alone unless it
  is close enough (:data:`MIN_RELEVANCE`).

With no topic, the brief picks the article's central sentences (closest to the whole
document and to its title), spread over its sections.

Topics (:func:`topics`) are the section headings plus terms found by a general method:
names (words the corpus capitalises nearly always, also inside sentences, and acronyms),
shown as the phrase they usually stand in ("United States"); and the concepts the author's
own title and headings name (occupation, peacekeeping), when the text discusses them in
several paragraphs.

Every sentence is a slice of its passage, which is a slice of its source file:
``sentence.passage.document.text[sentence.start:sentence.end] == sentence.text``.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InputError
from .index import PassageIndex
from .passages import Passage
from .stopwords import STOPWORDS
from .text import NEGATED, WORD, fold

MAX_TOPIC_CHARS = 200
MAX_SENTENCES = 10
LAMBDA = 0.7  # MMR: weight of relevance against redundancy
MAX_SIMILARITY = 0.5  # a candidate this similar to a picked sentence says the same thing
MIN_RELEVANCE = 0.3  # below this a sentence is not about the topic
MIN_WORDS = 4  # content words a sentence needs to stand on its own in a summary
COREF_SHARE = 0.6  # relevance a pronoun-led sentence takes over from the sentence before it
PARAGRAPH_SHARE = 0.15  # relevance a sentence gets from the topic's best mention in its paragraph
FEEDBACK_SHARE = 0.6  # weight of the similarity to the topic's sentences
QUESTION_FACTOR = 0.8  # a question states less than a statement
MAX_UNKNOWN_SHARE = 0.5  # a topic whose unknown words weigh this much is not discussed
TERM_MIN_PASSAGES = 2  # a name or title word needs this many paragraphs to be a topic
HEADING_MIN_PASSAGES = 3  # ... a word of a section heading (not of the title) needs this many
PHRASE_SHARE = 0.75  # a name is shown as the phrase it stands in this often ("United States")
MAX_SUGGESTIONS = 3

# Words that, opening a sentence, refer back to the sentence before it.
_ANAPHORA = frozenset(
    "he she it they his her its their him them this these those such there".split()
)
# Capitalised in English whatever the text is about: never a topic by themselves.
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_PHRASE_GAP = re.compile(r"[ \u00a0-]")
_PHRASE_CONNECTORS = frozenset({"of"})
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


@dataclass(frozen=True)
class SummarySentence:
    """One sentence of the source: ``passage.document.text[start:end] == text``."""

    passage: Passage
    start: int  # offsets in the source file, like Passage.start/end
    end: int
    text: str


@dataclass(frozen=True)
class Summary:
    """What the article says about a topic (or, with ``topic=None``, the whole article)."""

    topic: str | None
    found: bool
    reason: str | None
    sentences: tuple[SummarySentence, ...] = ()
    suggestions: tuple[str, ...] = ()  # closest topics, when the topic is not discussed


@dataclass(frozen=True)
class Topic:
    """A heading or a salient name or concept of the corpus, with how many passages have it."""

    name: str
    kind: str  # "section" | "term"
    passages: int


# -- public API ------------------------------------------------------------------------------


def clean_topic(topic: str) -> str:
    """The topic without control or invisible characters, spaces collapsed.

    Raises :class:`InputError` when it is not text, is blank, or is too long.
    """
    if not isinstance(topic, str):
        raise InputError("The topic must be text.")
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c
        for c in topic
        if unicodedata.category(c) not in ("Cf", "Co", "Cn")
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise InputError(
            "The topic is empty: name a person, place or idea from the article, "
            "or leave the topic out for a brief of the whole article."
        )
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise InputError(
            f"The topic is too long ({len(cleaned)} characters; the limit is {MAX_TOPIC_CHARS}): "
            "name one person, place or idea."
        )
    return cleaned


def summarize(index: PassageIndex, topic: str | None = None, max_sentences: int = 5) -> Summary:
    """Up to ``max_sentences`` verbatim sentences about ``topic``, in the article's order.

    ``topic=None`` gives a brief of the whole corpus. A topic the corpus does not discuss
    gives ``found=False`` with a reason and the closest topics. Raises :class:`InputError`
    for a blank or over-long topic, or ``max_sentences`` outside 1..10.
    """
    if (
        isinstance(max_sentences, bool)
        or not isinstance(max_sentences, int)
        or not 1 <= max_sentences <= MAX_SENTENCES
    ):
        raise InputError(
            f"The number of sentences must be a whole number from 1 to {MAX_SENTENCES}, "
            f"not {max_sentences!r}."
        )
    data = _data(index)
    if topic is None:
        picked = data.pick(data.brief_relevance, max_sentences, spread_sections=True)
        return Summary(None, True, None, data.render(picked))
    text = clean_topic(topic)
    section = data.section_named(text)
    query, unknown_share = data.query(index, text)
    if section is None and not query:
        section = data.section_with_words(index, text)
    if section is not None:
        picked = data.pick(data.section_relevance(section, query), max_sentences, spread_sections=False)
        return Summary(text, True, None, data.render(picked))
    if not query or unknown_share >= MAX_UNKNOWN_SHARE:
        return _not_discussed(index, text)
    relevance = data.topic_relevance(query)
    picked = data.pick(relevance, max_sentences, spread_sections=False)
    if not picked:
        return _not_discussed(index, text)
    return Summary(text, True, None, data.render(picked))


def topics(index: PassageIndex) -> tuple[Topic, ...]:
    """The corpus's topics: section headings first (in order), then names and concepts
    (most discussed first). Computed once per index."""
    return _data(index).topics


def suggest(index: PassageIndex, text: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
    """The topics whose names are closest to ``text`` (for "did you mean" and autocomplete)."""
    from rapidfuzz import fuzz, process, utils

    names = [t.name for t in topics(index)]
    if not names:
        return ()
    salience = {t.name: t.passages for t in topics(index)}
    found = process.extract(
        text, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 4
    )
    ranked = sorted(found, key=lambda m: (-round(m[1]), -salience[m[0]], m[2]))
    return tuple(str(m[0]) for m in ranked[:limit])


# -- internals -------------------------------------------------------------------------------


def _not_discussed(index: PassageIndex, text: str) -> Summary:
    suggestions = suggest(index, text)
    reason = f"The article does not discuss {text}."
    if suggestions:
        listed = (
            suggestions[0]
            if len(suggestions) == 1
            else ", ".join(suggestions[:-1]) + " or " + suggestions[-1]
        )
        reason += f" Did you mean {listed}?"
    return Summary(text, False, reason, (), suggestions)


@dataclass
class _Sentence:
    passage: Passage
    start: int  # relative to passage.text
    end: int
    terms: frozenset[str]
    words: int  # distinct content words
    anaphoric: bool  # opens with a word that refers back ("He", "This")
    question: bool
    section: tuple[str, str | None]


_CACHE: weakref.WeakKeyDictionary[PassageIndex, _SummaryData] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _data(index: PassageIndex) -> _SummaryData:
    data = _CACHE.get(index)
    if data is None:
        with _LOCK:
            data = _CACHE.get(index)
            if data is None:
                data = _CACHE[index] = _SummaryData(index)
    return data


class _SummaryData:
    """Sentence vectors and topics of one index, built once."""

    def __init__(self, index: PassageIndex) -> None:
        self.sentences: list[_Sentence] = []
        self.prev: list[int] = []  # the sentence before, same passage, or -1
        counts: list[Counter[str]] = []
        for passage in index.passages:
            tokens = [t for t in index.tokens(passage) if not t.term.startswith(NEGATED)]
            first = len(self.sentences)
            for start, end in index.sentences(passage):
                inside = [t for t in tokens if start <= t.start and t.end <= end]
                text = passage.text[start:end]
                opening = WORD.search(text)
                self.prev.append(len(self.sentences) - 1 if len(self.sentences) > first else -1)
                self.sentences.append(
                    _Sentence(
                        passage=passage,
                        start=start,
                        end=end,
                        terms=frozenset(t.term for t in inside),
                        words=len({t.word for t in inside}),
                        anaphoric=bool(opening) and fold(opening.group()) in _ANAPHORA,
                        question=text.rstrip(_QUOTES + " ").endswith("?"),
                        section=(passage.doc_id, passage.section),
                    )
                )
                counts.append(Counter(t.term for t in inside))
        n = len(self.sentences)
        df: Counter[str] = Counter()
        for s in self.sentences:
            df.update(s.terms)
        self.idf = {t: math.log(1 + n / f) for t, f in df.items()}
        self.vectors = [_normalise({t: (1 + math.log(c)) * self.idf[t] for t, c in cnt.items()})
                        for cnt in counts]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sentences):
            for t in s.terms:
                self.postings[t].append(i)
        self.by_section: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        for i, s in enumerate(self.sentences):
            self.by_section[s.section].append(i)
        self.headings = {
            _squash(p.section): (p.doc_id, p.section) for p in index.passages if p.section
        }
        self.brief_relevance = self._brief_relevance(index)
        self.topics = _find_topics(index, self.sentences)

    # -- topics to terms

    def query(self, index: PassageIndex, text: str) -> tuple[dict[str, float], float]:
        """Topic terms with their weights, and the share of weight the corpus lacks."""
        weights: dict[str, float] = {}
        unknown = 0.0
        max_idf = max(self.idf.values(), default=1.0)
        for token in index.tokenizer.tokens(text):
            term = token.term
            if term.startswith(NEGATED):
                continue
            if term not in self.idf:
                fixed = index.correct(token.word)
                fixed_term = index.tokenizer.term(fixed) if fixed else None
                if fixed_term is None or fixed_term not in self.idf:
                    if not token.word.isdigit():
                        unknown += max_idf
                    continue
                term = fixed_term
            weights[term] = self.idf[term]
        total = unknown + sum(weights.values())
        return weights, (unknown / total if total else 0.0)

    def section_named(self, text: str) -> tuple[str, str | None] | None:
        return self.headings.get(_squash(text))

    def section_with_words(self, index: PassageIndex, text: str) -> tuple[str, str | None] | None:
        """The section whose heading has all the topic's words (words found only there)."""
        wanted = {t.term for t in index.tokenizer.tokens(text) if not t.term.startswith(NEGATED)}
        if not wanted:
            return None
        for heading, key in self.headings.items():
            if wanted <= set(index.tokenizer.terms(heading)):
                return key
        return None

    # -- relevance

    def topic_relevance(self, query: dict[str, float]) -> dict[int, float]:
        total = sum(query.values())
        direct: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for i in self.postings.get(term, ()):
                direct[i] += weight / total
        if not direct:
            return {}
        feedback = _normalise(_sum_vectors((self.vectors[i], d) for i, d in direct.items()))
        by_passage: dict[int, float] = defaultdict(float)
        for i, d in direct.items():
            pid = self.sentences[i].passage.id
            by_passage[pid] = max(by_passage[pid], d)
        candidates = set(direct)
        for term in sorted(feedback, key=feedback.__getitem__, reverse=True)[:40]:
            candidates.update(self.postings[term])
        relevance: dict[int, float] = {}
        for i in sorted(candidates):
            s = self.sentences[i]
            own = direct.get(i, 0.0)
            j = self.prev[i]
            if s.anaphoric and j >= 0:
                own = max(own, COREF_SHARE * relevance.get(j, direct.get(j, 0.0)))
            context = PARAGRAPH_SHARE * by_passage.get(s.passage.id, 0.0)
            similar = FEEDBACK_SHARE * _dot(self.vectors[i], feedback)
            score = own + context + similar
            if s.question:
                score *= QUESTION_FACTOR
            if score >= MIN_RELEVANCE and s.words >= MIN_WORDS:
                relevance[i] = score
        return relevance

    def section_relevance(
        self, section: tuple[str, str | None], query: dict[str, float]
    ) -> dict[int, float]:
        ids = self.by_section[section]
        centroid = _normalise(_sum_vectors((self.vectors[i], 1.0) for i in ids))
        total = sum(query.values()) or 1.0
        out: dict[int, float] = {}
        for i in ids:
            s = self.sentences[i]
            if s.words < MIN_WORDS:
                continue
            mention = sum(w for t, w in query.items() if t in s.terms) / total
            score = _dot(self.vectors[i], centroid) + 0.5 * mention
            out[i] = score * (QUESTION_FACTOR if s.question else 1.0)
        return out

    def _brief_relevance(self, index: PassageIndex) -> dict[int, float]:
        """Centrality: similarity to the whole document and to its title."""
        out: dict[int, float] = {}
        by_doc: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sentences):
            by_doc[s.passage.doc_id].append(i)
        for doc_id, ids in by_doc.items():
            doc = index.documents[doc_id]
            centroid = _normalise(_sum_vectors((self.vectors[i], 1.0) for i in ids))
            title_terms = Counter(
                t.term
                for t in index.tokenizer.tokens(" ".join(x for x in (doc.title, doc.subtitle) if x))
                if t.term in self.idf
            )
            title = _normalise({t: self.idf[t] for t in title_terms})
            for i in ids:
                s = self.sentences[i]
                if s.words < MIN_WORDS:
                    continue
                score = _dot(self.vectors[i], centroid) + 0.5 * _dot(self.vectors[i], title)
                out[i] = score * (QUESTION_FACTOR if s.question else 1.0)
        return out

    # -- selection

    def pick(self, relevance: dict[int, float], k: int, *, spread_sections: bool) -> list[int]:
        """Maximal marginal relevance over the candidates; returned in document order."""
        if not relevance:
            return []
        top = max(relevance.values())
        rel = {i: r / top for i, r in relevance.items()}
        picked: list[int] = []
        sections: Counter[tuple[str, str | None]] = Counter()
        while len(picked) < k:
            best, best_score = -1, -math.inf
            for i, r in rel.items():
                if i in picked:
                    continue
                sim = max((_dot(self.vectors[i], self.vectors[j]) for j in picked), default=0.0)
                if sim > MAX_SIMILARITY:
                    continue
                if spread_sections:
                    sim = max(sim, 0.3 * sections[self.sentences[i].section])
                score = LAMBDA * r - (1 - LAMBDA) * sim
                if score > best_score:
                    best, best_score = i, score
            if best < 0:
                break
            picked.append(best)
            sections[self.sentences[best].section] += 1
        return sorted(picked)

    def render(self, ids: Iterable[int]) -> tuple[SummarySentence, ...]:
        out = []
        for i in ids:
            s = self.sentences[i]
            p = s.passage
            out.append(SummarySentence(p, p.start + s.start, p.start + s.end, p.text[s.start : s.end]))
        return tuple(out)


def _normalise(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def _sum_vectors(items: Iterable[tuple[dict[str, float], float]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for vector, weight in items:
        for t, v in vector.items():
            out[t] += weight * v
    return out


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _squash(text: str) -> str:
    """A heading as typed in a chat box: case, quotes and spacing ignored."""
    folded = fold(text)
    return " ".join("".join(c for c in folded if c not in _QUOTES + "'").split())


# -- finding topics --------------------------------------------------------------------------


@dataclass
class _TermStats:
    occurrences: int = 0
    lower: int = 0  # written in lower case
    inner_capital: int = 0  # capitalised, not as a sentence's first word
    acronym: int = 0
    passages: set[int] | None = None
    surfaces: Counter[str] | None = None
    phrases: Counter[str] | None = None


def _find_topics(index: PassageIndex, sentences: list[_Sentence]) -> tuple[Topic, ...]:
    sections: list[Topic] = []
    counted: Counter[tuple[str, str | None]] = Counter(
        (p.doc_id, p.section) for p in index.passages if p.section
    )
    for key in counted:
        if key[1] and all(t.name != key[1] for t in sections):
            sections.append(Topic(key[1], "section", counted[key]))

    stats: dict[str, _TermStats] = {}
    mentions: dict[str, set[int]] = defaultdict(set)  # term -> passages, acronyms expanded
    for passage in index.passages:
        for t in index.tokens(passage):
            mentions[t.term].add(passage.id)
    for s in sentences:
        text = s.passage.text[s.start : s.end]
        words = list(WORD.finditer(text))
        tokens = index.tokenizer.tokens(text, expand=False)
        for token in tokens:
            if token.term.startswith(NEGATED) or not token.word.isalpha() or len(token.word) < 2:
                continue
            st = stats.setdefault(
                token.term, _TermStats(passages=set(), surfaces=Counter(), phrases=Counter())
            )
            surface = _strip_clitic(text[token.start : token.end])
            st.occurrences += 1
            assert st.passages is not None and st.surfaces is not None and st.phrases is not None
            st.passages.add(s.passage.id)
            if not surface[:1].isupper():
                st.lower += 1
                st.surfaces[surface.casefold()] += 1
                continue
            st.surfaces[surface] += 1
            if surface.isupper() and len(surface) >= 2:
                st.acronym += 1
            if words and token.start != words[0].start():
                st.inner_capital += 1
            st.phrases.update(_phrases_around(text, words, token.start))

    title_terms, heading_terms = set(), set()
    for doc in index.documents.values():
        title_terms.update(index.tokenizer.terms(" ".join(x for x in (doc.title, doc.subtitle) if x)))
    for topic in sections:
        heading_terms.update(index.tokenizer.terms(topic.name))

    candidates: dict[str, tuple[str, int]] = {}  # display name -> (term, passages)
    for term, st in stats.items():
        assert st.surfaces is not None and st.phrases is not None
        n_passages = len(mentions.get(term, ()))
        name_like = st.lower <= 0.1 * st.occurrences and (st.inner_capital or st.acronym)
        if name_like:
            if n_passages < TERM_MIN_PASSAGES or term in _CALENDAR or fold(term) in STOPWORDS:
                continue
            display = _best_phrase(st) or st.surfaces.most_common(1)[0][0]
        elif term in title_terms or term in heading_terms:
            needed = TERM_MIN_PASSAGES if term in title_terms else HEADING_MIN_PASSAGES
            if n_passages < needed or len(term) < 4:
                continue
            display = st.surfaces.most_common(1)[0][0]
        else:
            continue
        if display not in candidates or candidates[display][1] < n_passages:
            candidates[display] = (term, n_passages)

    # a name shown as a longer phrase that holds a more discussed topic is that topic
    # ("Kassim-Jomart Tokayev" is Tokayev)
    names = set(candidates)
    terms: list[Topic] = []
    for display, (_, n) in candidates.items():
        parts = set(re.split(r"[ \u00a0-]+", display))
        if len(parts) > 1 and any(
            other != display and other in parts and candidates[other][1] >= n for other in names
        ):
            continue
        terms.append(Topic(display, "term", n))
    section_names = {_squash(t.name) for t in sections}
    terms = [t for t in terms if _squash(t.name) not in section_names]
    terms.sort(key=lambda t: (-t.passages, t.name.casefold()))
    return tuple(sections) + tuple(terms)


def _strip_clitic(surface: str) -> str:
    for apostrophe in ("'", "\u2019"):
        head, sep, tail = surface.rpartition(apostrophe)
        if sep and tail.lower() == "s":
            return head
    return surface


def _phrases_around(text: str, words: list[re.Match[str]], start: int) -> set[str]:
    """The capitalised phrases (up to 4 words) around the word at ``start``, itself included."""
    at = next((i for i, m in enumerate(words) if m.start() == start), None)
    if at is None:
        return set()

    def capital(i: int) -> bool:
        w = words[i].group()
        return w[:1].isupper() and fold(w) not in STOPWORDS and not w.isdigit()

    def joined(i: int) -> bool:  # words i and i+1 belong to one name
        return bool(_PHRASE_GAP.fullmatch(text[words[i].end() : words[i + 1].start()]))

    lo = hi = at
    while lo > 0 and at - lo < 3 and joined(lo - 1) and capital(lo - 1):
        lo -= 1
    while hi + 1 < len(words) and hi - at < 3 and joined(hi):
        nxt = words[hi + 1].group()
        if capital(hi + 1):
            hi += 1
        elif (
            nxt in _PHRASE_CONNECTORS
            and hi + 2 < len(words)
            and joined(hi + 1)
            and capital(hi + 2)
        ):
            hi += 2
        else:
            break
    found = set()
    for a in range(lo, at + 1):
        for b in range(at, hi + 1):
            if a == b:
                continue
            if words[b].group() in _PHRASE_CONNECTORS or words[a].group() in _PHRASE_CONNECTORS:
                continue
            found.add(_strip_clitic(text[words[a].start() : words[b].end()]))
    return found


def _best_phrase(st: _TermStats) -> str | None:
    """The longest phrase the name stands in at least PHRASE_SHARE of the time."""
    assert st.phrases is not None
    capitalised = st.occurrences - st.lower
    common = [p for p, c in st.phrases.items() if c >= PHRASE_SHARE * capitalised and c >= 2]
    if not common:
        return None
    return max(common, key=lambda p: (len(p.split()), st.phrases[p] if st.phrases else 0, p))
