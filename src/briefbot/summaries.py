"""Topic summaries: the article's own sentences about a topic, verbatim and attributed.

``summarize(index, "CSTO")`` picks the sentences most about the topic with maximal marginal
relevance (Carbonell & Goldstein 1998): each pick maximises
``LAMBDA * relevance - (1 - LAMBDA) * (similarity to the sentences already picked)``, so the
summary covers different things the article says. The picks are shown in the article's
order. A sentence's relevance to a topic is

* for a sentence that names the topic: the share of the topic's weight (sentence-level idf
  of its terms) it names, more when the topic fills more of the sentence and comes early
  in it, and more in a section whose heading names the topic;
* for a sentence that continues the one before it, a share of that one's: a pronoun in the
  same paragraph ("He officially resigned…"), a connective in the same section ("But, it
  can definitely be called military intervention.");
* plus a share of the topic's best mention in the same paragraph, and of the sentence's
  similarity to the paragraphs that name the topic (pseudo-relevance feedback), so a
  sentence that discusses the topic in other words ("…whether Russian forces will remain
  there for a long time…" for occupation) can be picked, when that is enough on its own
  (:data:`MIN_RELEVANCE`). Sentences of fewer than :data:`MIN_WORDS` content words are
  never picked ("Pashinyan wrote on FB.").

Similarity between sentences leaves out the topic's own terms and also compares the words
right around the topic's mentions. A topic that names a section heading (or words found
only in one) summarises that section.

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
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import InputError
from .generality import everyday, listed_rank
from .index import PassageIndex, PassageTable
from .passages import Passage
from .question import check_topic, correct
from .sentences import unfinished
from .stopwords import STOPWORDS
from .text import NEGATED, WORD, Token, fold
from .wording import listed, noun, sentence

MAX_SENTENCES = 10
LAMBDA = 0.6  # MMR: weight of relevance against redundancy
MAX_SIMILARITY = 0.5  # a candidate this similar to a picked sentence says the same thing
BRIEF_SPREAD = 0.3  # MMR: redundancy counted per sentence already picked from a section
TOPIC_SPREAD = 0.15  # ... in a topic summary, which may dwell on the topic's own section
SECTION_SPREAD = 0.3  # ... per paragraph, in the summary of one section
MIN_RELEVANCE = 0.4  # below this a sentence is not about the topic
MIN_WORDS = 4  # content words a sentence needs to stand on its own in a summary
COREF_SHARE = 0.6  # relevance a sentence that continues the one before it takes over from it
HEADING_BONUS = 0.3  # a mention counts this much more in a section whose heading names the topic
PARAGRAPH_SHARE = 0.15  # relevance a sentence gets from the topic's best mention in its paragraph
FEEDBACK_SHARE = 0.6  # weight of the similarity to the topic's sentences
QUESTION_FACTOR = 0.8  # a question states less than a statement
MAX_UNKNOWN_SHARE = 0.5  # a topic whose unknown words weigh this much is not discussed
TERM_MIN_PASSAGES = 2  # a name or title word needs this many paragraphs to be a topic
HEADING_MIN_PASSAGES = 3  # ... a word of a section heading (not of the title) needs this many
PHRASE_SHARE = 0.75  # a name is shown as the phrase it stands in this often ("United States")
WINDOW = 3  # words each side of a topic's mention that say what the sentence says of it
MAX_SUGGESTIONS = 3
# An index of more than this many sentences is summed up one document at a time: its
# sentence vectors and topics across every document would take minutes and gigabytes
# (measured at 284k sentences: 45 s and 730 MB for the vectors, 59 s for the topics; the
# cost grows with the corpus). Across the whole of it, the topics are its sections.
WHOLE_CORPUS_SENTENCES = 100_000
MIN_SUGGESTION_SCORE = 75.0  # rapidfuzz WRatio of a 'did you mean' topic

# Words that, opening a sentence, continue the sentence before it: pronouns that refer back
# ("He officially resigned…") and connectives ("But, it can definitely be called…").
_PRONOUNS = frozenset(["he", "she", "it", "they", "his", "her", "its", "their", "him", "them"])
_DEMONSTRATIVES = frozenset(["this", "these", "those", "such"])  # continue only as pronouns
_CONNECTIVES = frozenset(["but", "so", "thus", "therefore", "hence", "yet", "still", "instead"])
# Capitalised in English whatever the text is about: never a topic by themselves.
_MONTHS = "january february march april may june july august september october november december"
_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
_CALENDAR = frozenset(f"{_MONTHS} {_DAYS}".split())
_PHRASE_GAP = re.compile(r"[ \u00a0-]")
_NAME_SEPARATORS = re.compile(r"[ \u00a0-]+")
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
    shown: str | None = None  # the topic as shown: spelling fixed ("tokayv" -> "Tokayev")
    subject: str = "the documents"  # what it summarizes, as said (briefbot.wording.noun)

    @property
    def title(self) -> str | None:
        return self.shown or self.topic


@dataclass(frozen=True)
class Topic:
    """A heading or a salient name or concept of the corpus, with how many passages have it."""

    name: str
    kind: str  # "section" | "term"
    passages: int


# -- public API ------------------------------------------------------------------------------


def clean_topic(topic: str) -> str:
    """The topic, validated as every topic is (:func:`briefbot.question.check_topic`)."""
    return check_topic(topic)


def summarize(
    index: PassageIndex,
    topic: str | None = None,
    max_sentences: int = 5,
    document: str | None = None,
) -> Summary:
    """Up to ``max_sentences`` verbatim sentences about ``topic``, in the corpus's order.

    ``topic=None`` gives a brief of the whole corpus (of ``document``, when given: every
    sentence then comes from that document). A topic the corpus does not discuss gives
    ``found=False`` with a reason and the closest topics. Raises :class:`InputError` for
    a blank or over-long topic, an unknown document, or ``max_sentences`` outside 1..10.
    """
    found = _summarize(index, topic, max_sentences, document)
    return replace(found, subject=noun(index, document))


def _summarize(
    index: PassageIndex, topic: str | None, max_sentences: int, document: str | None
) -> Summary:
    if (
        isinstance(max_sentences, bool)
        or not isinstance(max_sentences, int)
        or not 1 <= max_sentences <= MAX_SENTENCES
    ):
        raise InputError(
            f"The number of sentences must be a whole number from 1 to {MAX_SENTENCES}, "
            f"not {max_sentences!r}."
        )
    if document is not None:
        index.document_range(document)  # an unknown document: InputError
    elif not summed_whole(index):
        if len(index.documents) > 1:
            return _too_large(index, topic)
        document = next(iter(index.documents))
    data = _data(index, document)

    def within(relevance: dict[int, float]) -> dict[int, float]:
        if document is None:
            return relevance
        return {i: r for i, r in relevance.items() if data.sentences[i].passage.doc_id == document}

    if topic is None:
        brief = data.briefs.get((max_sentences, document))
        if brief is None:
            relevance = within(data.brief_relevance)
            picked = data.pick(relevance, max_sentences, spread=BRIEF_SPREAD)
            brief = Summary(None, True, None, data.render(picked))
            data.briefs[(max_sentences, document)] = brief
        return brief
    text = clean_topic(topic)
    section = data.section_named(text, document)
    query, unknown_share = data.query(index, text)
    if section is None and not query:
        section = data.section_with_words(index, text, document)
    if section is not None:
        relevance = data.section_relevance(section, query)
        picked = data.pick(relevance, max_sentences, spread=SECTION_SPREAD, by_paragraph=True)
        return Summary(text, True, None, data.render(picked), shown=_shown_topic(index, text))
    if not _has_words(index, text):
        raise InputError(
            f"The topic “{text}” has no words to look for: "
            f"name a person, place or idea from {noun(index, document)}."
        )
    if not query or unknown_share >= MAX_UNKNOWN_SHARE:
        return _not_discussed(index, text, document)
    relevance = within(data.topic_relevance(query))
    picked = data.pick(relevance, max_sentences, spread=TOPIC_SPREAD, ignore=query)
    if not picked:
        return _not_discussed(index, text, document)
    return Summary(text, True, None, data.render(picked), shown=_shown_topic(index, text))


_WORDS = re.compile(r"[^\W\d_]+")


def _shown_topic(index: PassageIndex, text: str) -> str:
    """The topic with misspelt words replaced by the corpus's own ("tokayv" -> "Tokayev")."""

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        folded = fold(word)
        if folded in index.word_counts:
            return word
        fixed = correct(index, folded)
        if fixed is None:
            return word
        return fixed.capitalize() if fixed in index.names else fixed

    return _WORDS.sub(fix, text)


def summed_whole(index: PassageIndex) -> bool:
    """Whether the index is small enough to be summed up across all its documents."""
    return len(index.sentence_spans) <= WHOLE_CORPUS_SENTENCES


def _too_large(index: PassageIndex, topic: str | None) -> Summary:
    text = None if topic is None else clean_topic(topic)
    reason = (
        f"The documents hold {len(index):,} passages, too many to sum up together: "
        "name one document."
    )
    return Summary(text, False, reason, ())


def topics(index: PassageIndex, document: str | None = None) -> tuple[Topic, ...]:
    """The corpus's topics: section headings first (in order), then names and concepts
    (most discussed first). Found once per index, kept in it (and saved with it). With
    ``document``: that document's own (found when first asked for, then kept). Across an
    index too large to sum up whole (:func:`summed_whole`): its section headings."""
    if document is not None and len(index.documents) > 1:
        data = _data(index, document)
        with _LOCK:
            found_in = data.document_topics.get(document)
            if found_in is None:
                found_in = _find_topics(index, data, document)
                data.document_topics[document] = found_in
        return found_in
    if document is not None:
        index.document_range(document)  # an unknown document: InputError
    found = _TOPICS.get(index)
    if found is None:
        if index.topics is None:
            with _LOCK:
                if index.topics is None and not summed_whole(index):
                    found_now = _section_topics(index)
                    index.topics = tuple((t.name, t.kind, t.passages) for t in found_now)
                if index.topics is None:
                    found_now = _find_topics(index, _data(index))
                    index.topics = tuple((t.name, t.kind, t.passages) for t in found_now)
        found = _TOPICS[index] = tuple(Topic(*t) for t in index.topics)
    return found


def suggest(index: PassageIndex, text: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
    """The topics whose names are closest to ``text`` (for "did you mean" and autocomplete),
    most discussed first among equally close ones; () when none is close."""
    from rapidfuzz import fuzz, process, utils

    known = topics(index)
    salience = {t.name: t.passages for t in known}

    def words(name: str) -> str:  # content words only: "Putin's dog" is "putin dog"
        return " ".join(t.word for t in index.tokenizer.tokens(name, expand=False)) or name

    found = process.extract(
        words(text),
        {name: words(name) for name in salience},
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=MIN_SUGGESTION_SCORE,
        limit=limit * 4,
    )
    ranked = sorted(found, key=lambda m: (-round(m[1]), -salience[m[2]], m[2]))
    return tuple(str(m[2]) for m in ranked[:limit])


def _has_words(index: PassageIndex, text: str) -> bool:
    return any(not t.term.startswith(NEGATED) for t in index.tokenizer.tokens(text))


def _not_discussed(index: PassageIndex, text: str, document: str | None = None) -> Summary:
    reason = sentence(noun(index, document), "does", f"not discuss {text}.")
    suggestions = suggest(index, text)
    if suggestions:
        reason += f" Did you mean {listed(suggestions)}?"
    else:  # nothing close: the most discussed names and concepts
        terms = [t for t in topics(index) if t.kind == "term"]
        suggestions = tuple(t.name for t in terms[:MAX_SUGGESTIONS])
        if suggestions:
            reason += f" It discusses {listed(suggestions, 'and')}, among others."
    return Summary(text, False, reason, (), suggestions)


# -- internals -------------------------------------------------------------------------------


@dataclass
class _Sentence:
    passage: Passage
    start: int  # relative to passage.text
    end: int
    terms: frozenset[str]
    words: int  # distinct content words
    continues: int  # 2: opens with a connective ("But, …"), 1: with a pronoun ("He …"), 0
    question: bool
    section: tuple[str, str | None]

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


_CACHE: weakref.WeakKeyDictionary[PassageIndex, _SummaryData] = weakref.WeakKeyDictionary()
_BY_DOCUMENT: weakref.WeakKeyDictionary[PassageIndex, dict[str, _SummaryData]] = (
    weakref.WeakKeyDictionary()
)
_TOPICS: weakref.WeakKeyDictionary[PassageIndex, tuple[Topic, ...]] = weakref.WeakKeyDictionary()
_LOCK = threading.RLock()


_DOCUMENTS_KEPT = 8  # one-document summary data kept per index too large to sum up whole


def _data(index: PassageIndex, document: str | None = None) -> _SummaryData:
    """The index's summary data; of ``document`` alone when the index is too large to sum
    up whole (the last few documents' kept)."""
    if not summed_whole(index) and document is not None:
        with _LOCK:
            kept = _BY_DOCUMENT.setdefault(index, {})
            data = kept.pop(document, None)
            if data is None:
                data = _SummaryData(index, index.document_range(document))
            kept[document] = data  # the most recent last
            while len(kept) > _DOCUMENTS_KEPT:
                del kept[next(iter(kept))]
        return data
    data = _CACHE.get(index)
    if data is None:
        with _LOCK:
            data = _CACHE.get(index)
            if data is None:
                data = _CACHE[index] = _SummaryData(index)
    return data


def _section_topics(index: PassageIndex) -> tuple[Topic, ...]:
    """Each section heading with the passages under it, in order, one topic a name,
    counted from the passage table without making a passage."""
    table = index.passages
    sections: list[str]
    if isinstance(table, PassageTable):
        doc, section, sections = table.arrays["doc"], table.arrays["section"], table.sections
    else:
        names: dict[str, int] = {}
        doc = np.array([0 for _ in table], np.int64)
        section = np.array(
            [-1 if p.section is None else names.setdefault(p.section, len(names)) for p in table],
            np.int64,
        )
        sections = list(names)
    named = section >= 0
    counts: dict[str, int] = {}
    if named.any():
        pairs = doc[named] * (len(sections) + 1) + section[named]
        keys, first, n = np.unique(pairs, return_index=True, return_counts=True)
        for k in np.argsort(first, kind="stable").tolist():  # first met first
            name = sections[int(keys[k] % (len(sections) + 1))]
            counts.setdefault(name, int(n[k]))
    return tuple(Topic(name, "section", n) for name, n in counts.items())


class _SummaryData:
    """Sentence vectors and topics of one index, built once."""

    def __init__(self, index: PassageIndex, scope: tuple[int, int] | None = None) -> None:
        passages = index.passages if scope is None else index.passages[scope[0] : scope[1]]
        self.sentences: list[_Sentence] = []
        self.prev: list[int] = []  # the sentence before, same document and section, or -1
        self.seq: list[tuple[str, ...]] = []  # each sentence's terms in order, one per word
        counts: list[Counter[str]] = []
        # where each acronym is mentioned (its expansion too), for topics: found here, with
        # the tokens at hand, rather than by tokenizing every passage again
        acronym_terms = {index.tokenizer.term(a) for a in index.tokenizer.lexicon.acronyms}
        self.mentions: dict[str, set[int]] = defaultdict(set)  # acronym term -> passages
        self.expansions: dict[int, list[tuple[int, int]]] = defaultdict(list)  # phrase spans
        for passage in passages:
            if passage.kind == "code":  # summaries and topics are the prose's
                continue
            every = index.tokens(passage)
            for token in every:
                if token.term in acronym_terms:
                    self.mentions[token.term].add(passage.id)
                    if " " in passage.text[token.start : token.end]:
                        self.expansions[passage.id].append((token.start, token.end))
            tokens = [t for t in every if not t.term.startswith(NEGATED)]
            for start, end in index.sentences(passage):
                # one term per word: "Collective Security Treaty Organization" is "csto"
                inside = _canonical([t for t in tokens if start <= t.start and t.end <= end])
                text = passage.text[start:end]
                before = self.sentences[-1] if self.sentences else None
                same = before is not None and (before.passage.doc_id, before.passage.section) == (
                    passage.doc_id,
                    passage.section,
                )
                self.prev.append(len(self.sentences) - 1 if same else -1)
                self.sentences.append(
                    _Sentence(
                        passage=passage,
                        start=start,
                        end=end,
                        terms=frozenset(t.term for t in inside),
                        words=len({t.word for t in inside}),
                        continues=_continues(text),
                        question=text.rstrip(_QUOTES + " ").endswith("?"),
                        section=(passage.doc_id, passage.section),
                    )
                )
                seq = tuple(t.term for t in inside)
                counts.append(Counter(seq))
                self.seq.append(seq)
        n = len(self.sentences)
        df: Counter[str] = Counter()
        for s in self.sentences:
            df.update(s.terms)
        self.idf = {t: math.log(1 + n / f) for t, f in df.items()}
        self.vectors = [
            _normalise({t: (1 + math.log(c)) * self.idf[t] for t, c in cnt.items()})
            for cnt in counts
        ]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sentences):
            for t in s.terms:
                self.postings[t].append(i)
        self.by_section: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        self.by_passage: dict[int, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sentences):
            self.by_section[s.section].append(i)
            self.by_passage[s.passage.id].append(i)
        # the terms of each section's heading (before the first heading: the title's)
        self.heading_terms: dict[tuple[str, str | None], frozenset[str]] = {}
        for key in self.by_section:
            doc = index.documents[key[0]]
            heading = key[1] or " ".join(x for x in (doc.title, doc.subtitle) if x)
            self.heading_terms[key] = frozenset(index.tokenizer.terms(heading))
        self.headings = {_squash(p.section): (p.doc_id, p.section) for p in passages if p.section}
        # a nested section is also named by its own heading ("FAQ" for "Docs › FAQ")
        self.last_headings = {
            _squash(section.rsplit(" › ", 1)[-1]): key
            for key in self.headings.values()
            if (section := key[1]) is not None and " › " in section
        }
        self.brief_relevance = self._brief_relevance(index)
        self.briefs: dict[tuple[int, str | None], Summary] = {}  # by length and document
        self.document_topics: dict[str, tuple[Topic, ...]] = {}

    # -- topics to terms

    def query(self, index: PassageIndex, text: str) -> tuple[dict[str, float], float]:
        """Topic terms with their weights, and the share of weight the corpus lacks."""
        weights: dict[str, float] = {}
        unknown = 0.0
        max_idf = max(self.idf.values(), default=1.0)
        typed = index.tokenizer.tokens(text, query=True)  # the topic as someone typed it
        tokens = [t for t in typed if not t.term.startswith(NEGATED)]
        for token in _canonical(tokens):
            term = token.term
            if term not in self.idf:
                fixed = correct(index, token.word)
                fixed_term = index.tokenizer.term(fixed) if fixed else None
                if fixed_term is None or fixed_term not in self.idf:
                    if not token.word.isdigit():
                        unknown += max_idf
                    continue
                term = fixed_term
            weights[term] = self.idf[term]
        total = unknown + sum(weights.values())
        return weights, (unknown / total if total else 0.0)

    def section_named(
        self, text: str, document: str | None = None
    ) -> tuple[str, str | None] | None:
        """The section whose heading (or its last part) is ``text``, in ``document`` if given."""
        key = self.headings.get(_squash(text))
        if key is None:
            key = self.last_headings.get(_squash(text))
        return key if key is not None and document in (None, key[0]) else None

    def section_with_words(
        self, index: PassageIndex, text: str, document: str | None = None
    ) -> tuple[str, str | None] | None:
        """The section whose heading has all the topic's words (words found only there)."""
        typed = index.tokenizer.tokens(text, query=True)
        wanted = {t.term for t in typed if not t.term.startswith(NEGATED)}
        if not wanted:
            return None
        for heading, key in self.headings.items():
            if document not in (None, key[0]):
                continue
            if wanted <= set(index.tokenizer.terms(heading)):
                return key
        return None

    # -- relevance

    def topic_relevance(self, query: dict[str, float]) -> dict[int, float]:
        total = sum(query.values())
        topic = _normalise(query)
        direct: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for i in self.postings.get(term, ()):
                direct[i] += weight / total
        if not direct:
            return {}
        by_passage: dict[int, float] = defaultdict(float)
        for i, d in direct.items():
            pid = self.sentences[i].passage.id
            by_passage[pid] = max(by_passage[pid], d)
        # pseudo-relevance feedback: the paragraphs that mention the topic, as one vector
        feedback = _normalise(
            _sum_vectors(
                (self.vectors[i], by_passage[self.sentences[i].passage.id])
                for pid in by_passage
                for i in self.by_passage[pid]
            )
        )
        candidates = set(direct)
        for term in sorted(feedback, key=feedback.__getitem__, reverse=True)[:40]:
            candidates.update(self.postings[term])
        candidates.update(j + k for j in direct for k in (1, 2) if j + k < len(self.sentences))
        relevance: dict[int, float] = {}
        carried: dict[int, float] = {}  # what a sentence continuing this one takes over
        for i in sorted(candidates):
            s = self.sentences[i]
            d = direct.get(i, 0.0)
            own = 0.0
            if d:
                # how much of the sentence is about the topic, and whether it leads with it
                focus = _dot(self.vectors[i], topic)
                lead = 1.0 - self.first_mention(i, query)
                heading = sum(w for t, w in query.items() if t in self.heading_terms[s.section])
                own = d * (0.5 + 0.25 * focus + 0.25 * lead) * (1 + HEADING_BONUS * heading / total)
            j = self.prev[i]
            if j >= 0 and (
                s.continues == 2 or s.continues == 1 and self.sentences[j].passage is s.passage
            ):
                own = max(own, COREF_SHARE * carried.get(j, 0.0))
            context = PARAGRAPH_SHARE * by_passage.get(s.passage.id, 0.0)
            if own:
                carried[i] = own + context
            similar = FEEDBACK_SHARE * _dot(self.vectors[i], feedback)
            score = own + context + similar
            if s.question:
                score *= QUESTION_FACTOR
            if score >= MIN_RELEVANCE and s.words >= MIN_WORDS:
                relevance[i] = score
        return relevance

    def first_mention(self, i: int, query: dict[str, float]) -> float:
        """Where the topic is first named in sentence ``i``, 0 (first word) to 1 (last)."""
        seq = self.seq[i]
        for k, term in enumerate(seq):
            if term in query:
                return k / len(seq)
        return 1.0

    def window(self, i: int, topic: set[str]) -> dict[str, float]:
        """The words right around the topic's mentions in sentence ``i``: what is said of it."""
        seq = self.seq[i]
        near: set[str] = set()
        for k, term in enumerate(seq):
            if term in topic:
                near.update(seq[max(0, k - WINDOW) : k + WINDOW + 1])
        return _normalise({t: self.idf[t] for t in near - topic})

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
            # a line that ends no sentence (a heading in plain text, a list item's name)
            # sums nothing up, unless the document has no finished sentence
            finished = [i for i in ids if not unfinished(self.sentences[i].text)]
            for i in finished or ids:
                s = self.sentences[i]
                if s.words < MIN_WORDS:
                    continue
                score = _dot(self.vectors[i], centroid) + 0.5 * _dot(self.vectors[i], title)
                out[i] = score * (QUESTION_FACTOR if s.question else 1.0)
        return out

    # -- selection

    def pick(
        self,
        relevance: dict[int, float],
        k: int,
        *,
        spread: float,
        ignore: Iterable[str] = (),
        by_paragraph: bool = False,
    ) -> list[int]:
        """Maximal marginal relevance over the candidates; returned in document order.

        Similarity leaves out the ``ignore`` terms (the topic's own: every candidate shares
        them), and is the larger of the sentences' and of the words around the topic's
        mentions (two sentences that say the same of the topic in different surroundings);
        it counts ``spread`` per sentence already picked from the same section (or
        paragraph, ``by_paragraph``).
        """
        if not relevance:
            return []
        top = max(relevance.values())
        rel = {i: r / top for i, r in relevance.items()}
        ignored = set(ignore)
        vectors = {
            i: _normalise({t: v for t, v in self.vectors[i].items() if t not in ignored})
            if ignored
            else self.vectors[i]
            for i in rel
        }
        windows = {i: self.window(i, ignored) for i in rel} if ignored else {}

        def similarity(i: int, j: int) -> float:
            sim = _dot(vectors[i], vectors[j])
            if windows:
                sim = max(sim, _dot(windows[i], windows[j]))
            return sim

        picked: list[int] = []
        sections: Counter[object] = Counter()

        def group(i: int) -> object:
            s = self.sentences[i]
            return s.passage.id if by_paragraph else s.section

        while len(picked) < k:
            best, best_score = -1, -math.inf
            for i, r in rel.items():
                if i in picked:
                    continue
                sim = max((similarity(i, j) for j in picked), default=0.0)
                if sim > MAX_SIMILARITY:
                    continue
                sim = max(sim, spread * sections[group(i)])
                score = LAMBDA * r - (1 - LAMBDA) * sim
                if score > best_score:
                    best, best_score = i, score
            if best < 0:
                break
            picked.append(best)
            sections[group(best)] += 1
        return sorted(picked)

    def render(self, ids: Iterable[int]) -> tuple[SummarySentence, ...]:
        out = []
        for i in ids:
            s = self.sentences[i]
            p = s.passage
            out.append(
                SummarySentence(p, p.start + s.start, p.start + s.end, p.text[s.start : s.end])
            )
        return tuple(out)


def _canonical(tokens: list[Token]) -> list[Token]:
    """One token per word: an acronym's written-out expansion counts as the acronym alone.

    The tokenizer adds the acronym's term after its expansion (one token spanning the
    phrase) and the expansion's terms after the acronym (tokens with the acronym's span);
    for similarity, each mention should count once.
    """
    out: list[Token] = []
    for token in tokens:
        if out and (token.start, token.end) == (out[-1].start, out[-1].end):
            continue  # an expansion term added after its acronym
        if out and token.start < out[-1].start:  # an acronym term spanning its expansion
            while out and out[-1].start >= token.start:
                out.pop()
        out.append(token)
    return out


def _continues(sentence: str) -> int:
    """2 if the sentence opens with a connective, 1 with a pronoun referring back, else 0.

    A demonstrative counts only as a pronoun ("This is a fallacy!"), not before a noun of
    its own ("This flurry of political events…").
    """
    words = [fold(m.group()) for m in WORD.finditer(sentence, 0, 80)][:2]
    if not words:
        return 0
    if words[0] in _CONNECTIVES:
        return 2
    if words[0] in _PRONOUNS:
        return 1
    if words[0] in _DEMONSTRATIVES and (len(words) < 2 or words[1] in STOPWORDS):
        return 1
    return 0


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
    in_expansion: int = 0  # inside an acronym's written-out expansion
    passages: set[int] = field(default_factory=set)
    surfaces: Counter[str] = field(default_factory=Counter)
    phrases: Counter[tuple[str, ...]] = field(default_factory=Counter)  # by terms
    phrase_text: dict[tuple[str, ...], Counter[str]] = field(default_factory=dict)


def _find_topics(
    index: PassageIndex, data: _SummaryData, document: str | None = None
) -> tuple[Topic, ...]:
    """Section headings, then names and the title's and headings' concepts (see module doc);
    of one document's passages when ``document`` is given."""
    sentences = data.sentences
    if document is None:
        passages: Iterable[Passage] = index.passages
    else:
        lo, hi = index.document_range(document)
        passages = index.passages[lo:hi]
        sentences = [s for s in sentences if s.passage.doc_id == document]
    passages = list(passages)
    sections: list[Topic] = []
    counted: Counter[tuple[str, str | None]] = Counter(
        (p.doc_id, p.section) for p in passages if p.section
    )
    for (_, heading), n in counted.items():
        if heading and all(t.name != heading for t in sections):
            sections.append(Topic(heading, "section", n))

    mentions, expansions = data.mentions, data.expansions  # acronym term -> passages
    if document is not None:  # of that document's passages only
        mentions = {t: {i for i in found if lo <= i < hi} for t, found in mentions.items()}

    stats: dict[str, _TermStats] = defaultdict(_TermStats)
    for s in sentences:
        text = s.text
        words = list(WORD.finditer(text))
        keys: list[str] = []  # each word's term, or the word itself for a connector
        spans = expansions.get(s.passage.id, ())
        for token in index.tokenizer.tokens(text, expand=False):
            if token.term.startswith(NEGATED) or not token.word.isalpha() or len(token.word) < 2:
                continue
            st = stats[token.term]
            surface = _strip_clitic(text[token.start : token.end])
            st.occurrences += 1
            st.passages.add(s.passage.id)
            at = s.start + token.start
            if any(a <= at < b for a, b in spans):
                st.in_expansion += 1
            if not surface[:1].isupper():
                st.lower += 1
                st.surfaces[surface.casefold()] += 1
                continue
            st.surfaces[surface] += 1
            if surface.isupper() and len(surface) >= 2:
                st.acronym += 1
            if words and token.start != words[0].start():
                st.inner_capital += 1
            if not keys:
                keys = [
                    fold(w.group())
                    if w.group() in _PHRASE_CONNECTORS
                    else index.tokenizer.term(_strip_clitic(w.group()))
                    for w in words
                ]
            for key, phrase in _phrases_around(text, words, keys, token.start):
                st.phrases[key] += 1
                st.phrase_text.setdefault(key, Counter())[phrase] += 1

    def terms_of(text: str) -> dict[str, str]:  # term -> the word as written
        return {
            t.term: text[t.start : t.end]
            for t in index.tokenizer.tokens(text, expand=False)
            if not t.term.startswith(NEGATED)
        }

    title_words: dict[str, str] = {}
    heading_words: dict[str, str] = {}
    for doc in index.documents.values():
        title_words.update(terms_of(doc.title))
    for topic in sections:
        heading_words.update(terms_of(topic.name))
    for doc in index.documents.values():
        if doc.subtitle:
            heading_words.update(terms_of(doc.subtitle))

    candidates: dict[str, int] = {}  # display name -> passages
    mentioned: dict[str, set[int]] = defaultdict(set)  # display name -> its passages' ids
    for term, st in stats.items():
        n_passages = len(st.passages | mentions.get(term, set()))
        common = st.surfaces.most_common(1)[0][0]
        if st.lower <= 0.1 * st.occurrences and (st.inner_capital or st.acronym):
            if (
                n_passages < TERM_MIN_PASSAGES
                or common.casefold() in _CALENDAR
                or st.in_expansion >= PHRASE_SHARE * st.occurrences
            ):
                continue
            display = _best_phrase(st) or common
        elif term in title_words or term in heading_words:
            written = title_words.get(term) or heading_words[term]
            needed = TERM_MIN_PASSAGES if term in title_words else HEADING_MIN_PASSAGES
            if n_passages < needed or len(term) < 4 or not common.isalpha():
                continue
            if any(c.isupper() for c in written[1:]):  # an identifier: "setImmediate"
                display = written
            else:
                written = written.casefold()
                display = written if 2 * st.surfaces[written] >= st.surfaces[common] else common
                if term not in title_words and display.islower() and _verb_form(display):
                    continue
        else:
            continue
        if term not in title_words and _too_general(display):
            continue
        candidates[display] = max(candidates.get(display, 0), n_passages)
        mentioned[display] |= st.passages
    compounds = _compounds(index, passages)
    for display, where in compounds.items():
        candidates[display] = max(candidates.get(display, 0), len(where))
    # a word used mostly inside compounds is one of them
    inside: dict[str, set[int]] = defaultdict(set)  # term -> passages of compounds holding it
    for display, where in compounds.items():
        for term in {index.tokenizer.term(p) for p in display.split("-")}:
            inside[term] |= where
    plain: dict[str, list[str]] = defaultdict(list)  # term -> the candidates shown for it
    for display in candidates:
        if "-" not in display:
            plain[index.tokenizer.term(display)].append(display)
    for term, st in stats.items():
        within = inside.get(term)
        if within and len(st.passages & within) >= PHRASE_SHARE * len(st.passages):
            for display in plain.get(term, ()):
                candidates.pop(display, None)

    # a name shown as a longer phrase that holds a more discussed topic is that topic
    # ("Kassim-Jomart Tokayev" is Tokayev)
    terms: list[Topic] = []
    for display, n in candidates.items():
        parts = set(_NAME_SEPARATORS.split(display))
        if (
            len(parts) > 1
            and display not in compounds
            and any(
                other != display and other in parts and m >= n for other, m in candidates.items()
            )
        ):
            continue
        mentions_of = [index.passages[i] for i in sorted(mentioned.get(display, ()))]
        if display not in compounds and _leads_a_name(display, mentions_of):
            continue
        terms.append(Topic(display, "term", n))
    section_names = {_squash(t.name) for t in sections}
    terms = [t for t in terms if _squash(t.name) not in section_names]
    terms.sort(key=lambda t: (-t.passages, t.name.casefold()))
    return tuple(sections) + tuple(terms)


def _leads_a_name(display: str, passages: list[Passage]) -> bool:
    """Whether a capitalised term mostly stands before another capitalised word: a title
    before a name ("Prime Minister Nikol …", "Deputy Director …") or the first words of a
    longer name, not a topic of its own."""
    if not display[:1].isupper():
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(display)}(?!\w)(\s+[A-Z])?")
    found = [m for p in passages if p.kind != "code" for m in pattern.finditer(p.text)]
    return bool(found) and sum(m.group(1) is not None for m in found) >= PHRASE_SHARE * len(found)


def _verb_form(word: str) -> bool:
    """Whether a word is a verb's -ing or -ed form ("removing", "defined", "existing"): its
    base form is a word of general English, listed as more common than the form itself
    (unlike a noun such as "meeting" or "building", listed ahead of its verb)."""
    w = word.casefold()
    own = listed_rank(w)
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("ied", "y")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = listed_rank(w[: -len(suffix)] + repl)
            if base is not None and (own is None or own > base):
                return True
    return False


def _too_general(display: str) -> bool:
    """Whether a topic's words are all among the commonest words of English."""
    if "-" in display:
        return False
    words = [w for w in display.split() if w.casefold() not in _PHRASE_CONNECTORS]
    return bool(words) and all(everyday(w) for w in words)


# a hyphenated word of the prose, not part of a link or a path ("github.com/a-b/", "x-y.md")
_COMPOUND = re.compile(r"(?<![\w/.#:-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+(?![\w/-]|\.\w)")


def _compounds(index: PassageIndex, passages: list[Passage]) -> dict[str, set[int]]:
    """Hyphenated terms of the prose ("filter-repo", "UTF-8"), each shown as most often
    written, with the paragraphs that use them (at least TERM_MIN_PASSAGES)."""
    where: dict[str, set[int]] = defaultdict(set)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for passage in passages:
        if passage.kind == "code":
            continue
        for m in _COMPOUND.finditer(passage.text):
            word = m.group()
            parts = word.split("-")
            if len(parts) > 3 or any(len(p) < 2 for p in parts[:1]):
                continue
            if all(everyday(p) for p in parts):
                continue  # "well-known", "long-term": English, not a term
            key = word.casefold()
            where[key].add(passage.id)
            written[key][word] += 1
    return {
        written[k].most_common(1)[0][0]: ids
        for k, ids in sorted(where.items())
        if len(ids) >= TERM_MIN_PASSAGES
    }


def _strip_clitic(surface: str) -> str:
    for apostrophe in ("'", "\u2019"):
        head, sep, tail = surface.rpartition(apostrophe)
        if sep and tail.lower() == "s":
            return head
    return surface


def _phrases_around(
    text: str, words: list[re.Match[str]], keys: list[str], start: int
) -> set[tuple[tuple[str, ...], str]]:
    """The capitalised phrases (up to 4 words each side) that hold the word at ``start``:
    (their terms, their text)."""
    at = next((i for i, m in enumerate(words) if m.start() == start), None)
    if at is None:
        return set()

    def capital(i: int) -> bool:
        w = words[i].group()
        return w[:1].isupper() and fold(w) not in STOPWORDS and not w.isdigit()

    def joined(i: int) -> bool:  # words i and i+1 belong to one name
        return bool(_PHRASE_GAP.fullmatch(text[words[i].end() : words[i + 1].start()]))

    def connector(i: int) -> bool:  # "of" in "Revolution of Dignity"
        return 0 < i < len(words) - 1 and words[i].group() in _PHRASE_CONNECTORS

    lo = hi = at
    while lo > 0 and at - lo < 4 and joined(lo - 1):
        if capital(lo - 1):
            lo -= 1
        elif connector(lo - 1) and joined(lo - 2) and capital(lo - 2):
            lo -= 2
        else:
            break
    while hi + 1 < len(words) and hi - at < 4 and joined(hi):
        if capital(hi + 1):
            hi += 1
        elif connector(hi + 1) and joined(hi + 1) and capital(hi + 2):
            hi += 2
        else:
            break
    found = set()
    for a in range(lo, at + 1):
        for b in range(at, hi + 1):
            if a == b or connector(a) or connector(b):
                continue
            phrase = _strip_clitic(text[words[a].start() : words[b].end()])
            found.add((tuple(keys[a : b + 1]), phrase))
    return found


def _best_phrase(st: _TermStats) -> str | None:
    """The longest phrase the name stands in at least PHRASE_SHARE of the time."""
    capitalised = st.occurrences - st.lower
    common = [k for k, c in st.phrases.items() if c >= PHRASE_SHARE * capitalised and c >= 2]
    if not common:
        return None
    key = max(common, key=lambda k: (len(k), st.phrases[k], k))
    return st.phrase_text[key].most_common(1)[0][0]
