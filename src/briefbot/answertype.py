"""The answer-type stage: what kind of answer a question wants, and whether a quote has it.

"how many / how much / the maximum number of / which port" wants a number, "what year" a
year, "which version / release" a version number, "when did / was / will" a date, "how
long" a duration ("when" followed by its subject is a conjunction, "what happens when I
...", and asks for no date), "the default / by default" a statement of what holds when
nothing is set; and the number, date or default must be in the sentence that matches the
question's own words, not anywhere in the passage. The check is a feature of the
fusion (:mod:`briefbot.fusion`), weighted like the others, never a veto.
"""

from __future__ import annotations

import re

QUANTITY = "quantity"
YEAR = "year"
VERSION = "version"
DATE = "date"
DURATION = "duration"
DEFAULT = "default"

_TYPES = [
    (
        re.compile(
            r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share|amount|proportion)\b|"
            r"\b(?:maximum|minimum|max|min|default|total|exact)\s+(?:number|amount|size|count|"
            r"length)\b|\b(?:what|which)\s+(?:[\w.+-]+\s+)?(?:port|rfc)\b",
            re.I,
        ),
        QUANTITY,
    ),
    (re.compile(r"\bhow long\b|\bfor how long\b", re.I), DURATION),
    # a year, written as one: "in what year", "since which year", "what decade"
    (re.compile(r"\b(?:what|which)\s+(?:year|decade)\b", re.I), YEAR),
    # "which Git version", "the minimum OpenSSH version", "in which Postfix release": a
    # number ("2.24", "1.0", "3")
    (
        re.compile(
            r"\b(?:what|which|minimum|oldest|earliest)\s+(?:[\w.+-]+\s+)?(?:version|release)\b",
            re.I,
        ),
        VERSION,
    ),
    (
        re.compile(
            r"\bwhen\s+(?:did|was|were|will|is|are|has|have|had)\b|"
            r"\bwhat (?:year|date|day|month|time)\b|"
            r"\bwhich (?:year|date|day|month)\b|\bsince when\b",
            re.I,
        ),
        DATE,
    ),
    # last: "what is the default ...", "what does it default to", "is it on by default"
    # want a sentence that states what holds when nothing is set ("the default number"
    # is a quantity, "in which release did it become the default" a version)
    (re.compile(r"\bdefault(?:s|ed)?\b", re.I), DEFAULT),
]
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|several|half|"
    "a few|single|both|double|twice"
)
_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_DATE = re.compile(
    rf"\b(?:1[5-9]|20)\d\d(?:s)?\b|\b(?:{_MONTHS})\b\.?|\b(?:yesterday|today|tomorrow|recently|"
    r"ago|since|until|later|earlier|before|after|during|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|century|decade|weekend|morning|evening|night)\b",
    re.I,
)
_DURATION = re.compile(
    rf"(?:\d+|\b(?:{_NUMBER_WORDS}|a|an|several|many|few))[\s-]+(?:\w+\s+)?"
    r"(?:second|minute|hour|day|week|month|year|decade|centur(?:y|ie))s?\b|\b(?:until|for|since)\b",
    re.I,
)
# Numbers that are dates ("January 6", "6 January", "2014") are not quantities.
_DATE_NUMBER = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b"
    r"|\b(?:1[5-9]|20)\d\d(?:s)?\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d(?:s)?\b|['’]\d0s\b")
_VERSION = re.compile(r"\d")
# what a document writes where it states a default: "by default", "defaults to", "if it is
# not given", "unless ... is set", "otherwise", "if omitted"
_DEFAULT = re.compile(
    r"\bdefault|\bunless\b|\botherwise\b|\bomit(?:ted|s)?\b|\bif (?:not|no|none)\b", re.I
)
_CHECK = {
    QUANTITY: _NUMBER,
    YEAR: _YEAR,
    VERSION: _VERSION,
    DATE: _DATE,
    DURATION: _DURATION,
    DEFAULT: _DEFAULT,
}


def expected_type(question: str) -> str | None:
    """The kind of answer ``question`` wants, or None when any kind will do."""
    for pattern, kind in _TYPES:
        if pattern.search(question):
            return kind
    return None


def has_type(kind: str | None, text: str) -> bool:
    """Whether ``text`` holds an answer of ``kind`` (True when no kind is wanted)."""
    if kind is None:
        return True
    if kind == QUANTITY:
        text = _DATE_NUMBER.sub(" ", text)
    return bool(_CHECK[kind].search(text))
