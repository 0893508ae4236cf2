"""The question stage: what was asked, in words the index knows.

Decides what a message asks, before any search: chat is cleaned off (mentions, the bot's
own name, greetings, "quick q", emoji, "lol"), small talk is recognised ("hi", "thanks",
"what can you do?", "what documents do you have?"), so are questions about the document
itself (who wrote it, where it comes from, its gist), words that only point at the
document ("according to the article") are dropped, typos of corpus words are repaired,
and the rest becomes index terms (with the corpus's acronyms and spelling variants,
applied by the tokenizer). Also the one validator of questions and topics that the CLI,
the repl and Discord all use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from . import params, thesaurus
from .errors import InputError

if TYPE_CHECKING:
    from .index import PassageIndex

MAX_QUESTION_CHARS = 1000
MAX_TOPIC_CHARS = 200

# Chat mentions ("@everyone", "<@123…>", "<#123…>") and custom emoji address or decorate,
# they ask nothing.
_DISCORD_MARKUP = re.compile(r"@(?:everyone|here)\b|<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|:[a-z_]{2,32}:")
# Links and invites are not read, and never repeated back: a scheme or "www." link, a
# host with a path ("example.com/x"), an invite ("discord.gg/x").
_LINK = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+|\b(?:[\w-]+\.)+[a-z]{2,24}/\S*",
    re.I,
)
NO_LINKS = "I don't open links: ask your question in words."
_GREETING = (
    r"(?:(?:hi+|hey+|hello+|hiya|yo|heya|howdy|greetings|good (?:morning|afternoon|evening))"
    r"(?: there| all| everyone| everybody)?|ok(?:ay)?|so|um+|uh+)"
)
_ASIDE = (
    r"(?:quick (?:q|question)|question|q|pls|plz|please|lol|lmao|haha+|thx|thanks|ty|btw|"
    r"bro|guys|folks)"
)
_LEAD = re.compile(rf"^(?:(?:{_GREETING}|{_ASIDE}|@?{{name}})\b[\s,:;!.\-–—]*)+", re.I)
_ANYWHERE = re.compile(r"\b(?:pls|plz|please|lol|lmao|haha+|thx|btw)\b[,!.]*", re.I)
_TRAIL = re.compile(rf"(?:[\s,;!.\-–—]+(?:{_ASIDE}|thank you|@?{{name}}))+\s*[?!.]*$", re.I)
_SMALL_TALK = re.compile(
    r"^(?:(?:what|how) (?:can|do|could) (?:you|u) (?:do|help(?: me)?(?: with)?)|help|"
    r"who are (?:you|u)|what are (?:you|u)|how are (?:you|u)(?: doing)?|"
    r"thanks?(?: you)?(?: so much)?|"
    r"thank u|ty|ok(?:ay)?|cool|nice|great|bye|good ?night|gm|gn|test(?:ing)?)$",
    re.I,
)
# Words that only point at the document ("according to the author", "does the text say").
_DOC_NOUNS = (
    "article",
    "text",
    "document",
    "doc",
    "piece",
    "page",
    "essay",
    "faq",
    "chapter",
    "section",
    "post",
    "story",
    "report",
    "guide",
    "manual",
    "paper",
)
_DOC_NOUN = f"(?:{'|'.join(_DOC_NOUNS)})"
_POINTING = re.compile(
    rf"\b(?:according to (?:the |this )?(?:{_DOC_NOUN}|authors?|writers?)|"
    rf"(?:in|from|of|by) (?:the|this|that) {_DOC_NOUN}|"
    rf"(?:does|do|did) (?:the|this) (?:{_DOC_NOUN}|authors?) "
    r"(?:say|mention|explain|tell|claim|state)(?: about)?|"
    rf"(?:the|this) {_DOC_NOUN} (?:says?|mentions?|explains?|claims?|states?)|"
    rf"(?:the )?authors? (?:says?|claims?|argues?|thinks?|writes?|mentions?)|"
    rf"(?:the|this|that) {_DOC_NOUN}(?:'s|’s)|"
    # "which countries are mentioned (in it)?": the text's own verb, at the question's end
    r"(?:mentioned|discussed|described|covered|named|cited|talked about)"
    rf"(?=(?:\s+(?:in|by)\s+(?:the|this|that)\s+{_DOC_NOUN})?\s*[?!.]*\s*$))\b",
    re.I,
)
_AUTHORSHIP = re.compile(
    r"\b(?:who (?:(?:actually|really|originally|first|even) )?"
    r"(?:wrote|writes|authored|penned|is behind|made|created|published|translated|"
    r"maintains|maintained|edits|edited)|"
    r"(?:whose|which) (?:article|text|piece|essay|work)|"
    r"(?:the |its |his |her )?authors?\b|written by|writers?\b|byline|"
    r"who(?:'s| is) the (?:author|writer|source)|"
    r"publish(?:ed|er)\b|translat(?:ed by|or)\b)",
    re.I,
)
# an authorship question about the document itself ("who wrote this?", "who is the
# author?", "who penned this piece?"), not about something in it ("who created the CSTO?")
_ABOUT_ITSELF = re.compile(
    rf"\b(?:this|that|the)\s+(?:\w+\s+)?{_DOC_NOUN}\b|"
    r"\b(?:wrote|writes|authored|penned|written|published|translated|maintains|maintained|"
    r"edits|edited)\s+(?:this|it)\b|"
    r"\bwho(?:'s| is| are) the (?:authors?|writers?)\s*\??\s*$|"
    r"\bwhose (?:article|text|piece|essay|work)\b",
    re.I,
)
# A question that asks only where the document comes from ("where's this page from?", "got
# a link?", "what's the source?"): every clause of it is one of these. "it" alone may be a
# follow-up's subject ("where does it come from?"), so the page is named ("this", "the
# guide") except where a link is asked for.
_THIS_DOC = rf"(?:this|that|(?:the|this|that)\s+(?:[\w.-]+\s+){{0,4}}{_DOC_NOUN})"
_PROVENANCE = re.compile(
    rf"(?:where(?:'s|’s|\s+is|\s+was|\s+does|\s+did)?\s+{_THIS_DOC}\s+"
    r"(?:(?:originally\s+)?(?:comes?|came)\s+)?from|"
    rf"where\s+(?:was|is)\s+{_THIS_DOC}\s+(?:originally\s+|first\s+)?(?:published|posted)|"
    rf"where\s+(?:can|could|do|would)\s+(?:i|we|you)\s+(?:find|read|get)\s+{_THIS_DOC}"
    r"(?:\s+online)?|"
    r"(?:what|which)(?:'s|’s|\s+is|\s+was)\s+(?:the|its|this)\s+(?:original\s+)?"
    rf"(?:source|origin|link|url|website|site)(?:\s+(?:of|for)\s+(?:it|{_THIS_DOC}))?|"
    r"(?:(?:have|got|is\s+there|any|send|give\s+me|share|drop)\s+)?(?:you\s+got\s+)?"
    r"(?:(?:a|an|the)\s+)?(?:original\s+)?(?:link|url|source)s?"
    rf"(?:\s+(?:to|for|of)\s+(?:it|{_THIS_DOC}|the\s+original))?)",
    re.I,
)
_CLAUSES = re.compile(r"[?!.;,]+|\s+and\s+", re.I)
_GIST = re.compile(
    r"^(?:tl;? ?dr|tldr|summar(?:y|ise|ize)(?: (?:it|this|the \w+))?|"
    r"(?:what(?:'s| is) (?:the|this|it) (?:\w+ )?(?:about|gist|main point|point|summary)"
    r"(?: of (?:the|this) (?:article|text|document|piece|essay|page|post|faq|chapter))?)|"
    r"(?:give me |what's |what is )?the gist(?: of (?:it|this|the \w+))?|"
    r"what (?:is|'s) (?:this|it) about|main (?:point|idea|takeaway)s?|"
    rf"what(?:'s|’s| is) (?:this|that) {_DOC_NOUN}|"
    rf"what(?:'s|’s| is| are) (?:the|its|this) (?:{_DOC_NOUN}(?:'s|’s) |authors?(?:'s|’s) )?"
    r"(?:main |central |key |core |overall )?(?:point|argument|thesis|message|takeaway)s?"
    rf"(?: of (?:the|this) {_DOC_NOUN})?)\s*[?!.]*$",
    re.I,
)
# A question that asks for code may be answered with a code block; others are not.
_ASKS_CODE = re.compile(
    r"\b(?:code|examples?|commands?|snippets?|syntax|scripts?|one-liner|shell|terminal|"
    r"(?:how (?:do|can|would|should) (?:i|you|we) (?:write|type|run|call|invoke|use)))\b",
    re.I,
)
_WORDS = re.compile(r"[^\W\d_]+")


def clean_text(
    text: object, *, what: str = "question", limit: int = MAX_QUESTION_CHARS, cut: bool = True
) -> tuple[str, bool]:
    """The one validator of questions and topics: control, invisible and unassigned
    characters, links, invites and Discord mentions removed, whitespace squashed; longer
    than ``limit`` it is cut (``cut``) or refused. Returns (text, was cut); raises InputError with a
    one-line message when nothing is left."""
    if not isinstance(text, str):
        raise InputError(f"The {what} must be text.")
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") else c
        for c in text
        if unicodedata.category(c) not in ("Cf", "Co", "Cn")
    )
    linked = _LINK.search(cleaned) is not None
    cleaned = " ".join(_DISCORD_MARKUP.sub(" ", _LINK.sub(" ", cleaned)).split())
    if not cleaned and linked:
        raise InputError(NO_LINKS)
    if not cleaned:
        if what == "topic":
            raise InputError(
                "The topic is empty: name a person, place or idea from the documents, "
                "or leave the topic out for a brief."
            )
        raise InputError(f"The {what} is empty: ask about something specific.")
    if len(cleaned) > limit and not cut:
        raise InputError(
            f"The {what} is too long ({len(cleaned)} characters; the limit is {limit}): "
            "name one person, place or idea."
        )
    return cleaned[:limit], len(cleaned) > limit


def check_question(question: object, top: int) -> tuple[str, bool]:
    """The checks every question passes: :func:`clean_text`, and a page of at least 1."""
    if top < 1:
        raise InputError("--top must be at least 1.")
    return clean_text(question)


def check_topic(topic: object) -> str:
    """The checks every topic passes (a topic too long is refused, not cut)."""
    return clean_text(topic, what="topic", limit=MAX_TOPIC_CHARS, cut=False)[0]


@lru_cache(maxsize=32)
def _chat_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    name = "|".join(re.escape(n) for n in names) or "briefbot"
    name = f"(?:{name}|bot)"
    return (
        re.compile(_LEAD.pattern.replace("{name}", name), re.I),
        re.compile(_TRAIL.pattern.replace("{name}", name), re.I),
    )


def without_chat(text: str, bot_names: tuple[str, ...] = ("briefbot",)) -> str:
    """The message without its chat: greetings, the bot's name, asides, emoji."""
    text = "".join(c if unicodedata.category(c) not in ("So", "Sk", "Cs") else " " for c in text)
    lead, trail = _chat_patterns(tuple(n.casefold() for n in bot_names))
    text = lead.sub("", text.strip())
    text = _ANYWHERE.sub(" ", text)
    text = trail.sub("", text)
    text = lead.sub("", text.strip())
    return " ".join(text.split()).strip(" ,;:-–—")


def asks_for_code(text: str) -> bool:
    """Whether a question asks for code, a command or an example."""
    return _ASKS_CODE.search(text) is not None


def is_small_talk(text: str) -> bool:
    """Whether a cleaned message is chat only ("thanks", "what can you do?")."""
    core = text.strip(" ?!.,:;").casefold()
    return not core or bool(_SMALL_TALK.match(core))


_CATALOGUE = re.compile(
    rf"(?:(?:what|which) (?:{_DOC_NOUN}|article|document|source|file|topic|thing)s? "
    r"(?:do|can|did) (?:you|u) (?:have|know|cover|read|search)(?: about)?|"
    r"what (?:do|can) (?:you|u) (?:know|answer|tell me) about|what do (?:you|u) know|"
    rf"(?:what|which) (?:{_DOC_NOUN}|article|document|source|file)s? (?:are|is) "
    r"(?:there|in here|loaded|indexed|available)|"
    r"what (?:are|is) (?:you|u) (?:trained|based) on)",
    re.I,
)


def asks_catalogue(text: str) -> bool:
    """Whether a cleaned message asks what the bot knows ("what documents do you have?")."""
    return bool(_CATALOGUE.fullmatch(text.strip(" ?!.,:;")))


def asks_source(text: str) -> bool:
    """Whether the question asks only where the document comes from (its link, its source,
    where it was published): every clause of it does (:data:`_PROVENANCE`)."""
    clauses = [c.strip() for c in _CLAUSES.split(text) if c.strip()]
    return bool(clauses) and all(_PROVENANCE.fullmatch(c) for c in clauses)


def asks_gist(text: str) -> bool:
    """Whether the question asks for the gist of the document ("tldr?")."""
    return bool(_GIST.match(text.strip()))


@dataclass(frozen=True)
class Question:
    """A question as the pipeline sees it."""

    raw: str
    text: str  # without chat
    semantic_text: str  # the same with its typos repaired: what the encoder reads
    terms: tuple[str, ...]  # index terms, in order, repeats kept out
    words: tuple[str, ...]  # the folded content words the terms came from
    corrections: tuple[tuple[str, str], ...] = ()
    unknown: tuple[str, ...] = ()  # content words the corpus never uses (as written)
    unknown_names: tuple[str, ...] = ()  # those of them no dictionary knows: names
    authorship: bool = False
    about_itself: bool = False  # an authorship question about the document itself
    source: bool = False  # asks only where the document comes from (asks_source)
    truncated: bool = False
    notes: tuple[str, ...] = field(default=())


def analyze(
    index: PassageIndex,
    cleaned: str,
    truncated: bool = False,
    bot_names: tuple[str, ...] = ("briefbot",),
) -> Question:
    """Turn a validated question into index terms (see the module docstring)."""
    text = without_chat(cleaned, bot_names)
    searched = _POINTING.sub(" ", text)
    # "who wrote this?" asks for the byline; "what do the authors think …?" (its pointing
    # words left out) asks what they say
    authorship = bool(_AUTHORSHIP.search(searched))
    about_itself = authorship and bool(_ABOUT_ITSELF.search(text))
    tokenizer = index.tokenizer
    retriever = index.retriever
    terms: list[str] = []
    words: list[str] = []
    corrections: list[tuple[str, str]] = []
    unknown: list[str] = []
    unknown_names: list[str] = []
    fixes: dict[str, str] = {}
    for token in tokenizer.tokens(searched, query=True):
        term = token.term
        negated = term.startswith("¬")
        base = term[1:] if negated else term
        if not retriever.knows(base):
            surface = searched[token.start : token.end]
            fixed = correct(index, token.word)
            if fixed is not None:
                if not negated:
                    corrections.append((surface, fixed))
                fixes[surface] = fixed
                base = tokenizer.term(fixed)
                term = "¬" + base if negated else base
            elif (
                not negated
                and token.word.isalpha()
                and len(token.word) > 2
                and surface not in unknown
            ):
                unknown.append(surface)
                if len(token.word) >= params.MIN_NAME_LENGTH and not thesaurus.is_english(
                    token.word
                ):
                    unknown_names.append(surface)
        if term not in terms:
            terms.append(term)
            words.append(token.word)
    source = asks_source(text)
    if source:  # "where's the Kazakhstan article from?": the words before "article" name it
        nouns = {tokenizer.term(w) for w in _DOC_NOUNS}
        kept = [i for i, t in enumerate(terms) if t not in nouns]
        terms, words = [terms[i] for i in kept], [words[i] for i in kept]
    semantic_text = text
    for surface, fixed in fixes.items():
        semantic_text = re.sub(rf"\b{re.escape(surface)}\b", fixed, semantic_text)
    return Question(
        raw=cleaned,
        text=text,
        semantic_text=semantic_text,
        terms=tuple(terms),
        words=tuple(words),
        corrections=tuple(corrections),
        unknown=tuple(unknown),
        unknown_names=tuple(unknown_names),
        authorship=authorship,
        about_itself=about_itself,
        source=source,
        truncated=truncated,
    )


def correct(index: PassageIndex, word: str) -> str | None:
    """The closest corpus word to an unknown word, if one is close enough to be a typo.
    A dictionary word is never "corrected", however close to a corpus word."""
    if len(word) < params.MIN_FIX_LENGTH or not word.isalpha() or thesaurus.is_english(word):
        return None
    return _closest(index, word)


def _closest(index: PassageIndex, word: str) -> str | None:
    from rapidfuzz import fuzz, process

    cache = index.typo_repairs
    if word in cache:
        return cache[word]
    vocabulary = index.typo_vocabulary
    cutoff = params.TYPO_RATIO_SHORT if len(word) <= 6 else params.TYPO_RATIO
    matches = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5)
    best = None
    if matches:
        best = str(
            max(matches, key=lambda m: (m[1], m[0][0] == word[0], index.word_counts[m[0]], m[0]))[0]
        )
    if len(cache) < 100_000:
        cache[word] = best
    return best


def content_words(text: str) -> list[str]:
    return _WORDS.findall(text)
