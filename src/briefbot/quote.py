"""The quote stage: the one place that cuts an excerpt out of a passage.

The excerpt is the sentence window that answers: the best sentence by the fused sentence
score; the sentence after it too when that sentence scores well (it often gives the
reason or the verdict), when the best is too short to answer alone (a list item's name),
or when it carries the answer over ("He…", "This is…", "It also…"); the whole passage
when it is short; and
when it ends on the line that opens the next passage ("…execute the command:"), that
passage too, if it is short. It is always ``passage.text[start:end]`` (for a quote that
goes on, of the two passages joined as they stand in the document), so every quote is
verbatim by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import params
from .passages import Passage
from .sentences import unfinished

# A sentence that opens with one of these continues the one before it.
_CARRIES_OVER = re.compile(
    r"^(?:[\"“‘'(]\s*)?(?:he|she|it|they|this|that|these|those|such|its|their|his|her|"
    r"there|here|however|but|so|thus|therefore|hence|instead|also|otherwise|then|yet)\b",
    re.I,
)


_QUOTE_MARKS = "“”„«»‘’\"'"


def quote_marks_clash(text: str) -> bool:
    """Whether quote marks put around the excerpt would touch its own ("““In light…",
    "…language.””"): a renderer then leaves its marks out."""
    text = text.strip()
    return not text or text[0] in _QUOTE_MARKS or text[-1] in _QUOTE_MARKS


@dataclass(frozen=True)
class Excerpt:
    """The answering sentence(s) of a passage: ``passage.text[start:end]``."""

    start: int
    end: int
    text: str
    matched: tuple[str, ...]  # the words of the excerpt that match the question, as written
    highlights: tuple[tuple[int, int], ...]  # their spans, relative to the excerpt


def window(
    sentences: Sequence[tuple[int, int]],
    scores: Sequence[float],
    passage_chars: int,
    text: str,
) -> tuple[int, int]:
    """(first, last) sentence indices of the quote (inclusive)."""
    n = len(sentences)
    if n == 0:
        return (0, -1)
    if n <= params.SHORT_PASSAGE_SENTENCES or passage_chars <= params.SHORT_PASSAGE_CHARS:
        return (0, n - 1)
    best = min(range(n), key=lambda i: (-scores[i], i))
    first = best
    s, e = sentences[best]
    if best > 0 and _CARRIES_OVER.match(text[s:e]):  # "That's why…": what it points back to
        first = best - 1
    last = best
    while last + 1 < n and last - first + 1 < params.MAX_QUOTE_SENTENCES:
        s, e = sentences[last + 1]
        follows = _CARRIES_OVER.match(text[s:e]) is not None
        strong = scores[last + 1] >= params.NEXT_SENTENCE_RATIO * scores[best]
        short = sentences[last][1] - sentences[first][0] < params.MIN_QUOTE_CHARS
        if (last == best and (strong or short)) or follows:
            last += 1
        else:
            break
    return (first, last)


def cut(
    passage: Passage,
    sentences: Sequence[tuple[int, int]],
    scores: Sequence[float],
    terms: frozenset[str],
    tokens: Sequence[tuple[str, int, int]],
) -> Excerpt:
    """The excerpt of ``passage`` for a question; ``tokens`` are (term, start, end) of the
    passage, used to mark the question's words."""
    first, last = window(sentences, scores, len(passage.text), passage.text)
    if passage.kind == "code":  # a code block is quoted whole, never cut at a "sentence"
        first, last = 0, -1
    if last < first:
        start, end = 0, len(passage.text)
    else:
        start, end = sentences[first][0], sentences[last][1]
    text = passage.text[start:end]
    spans: dict[tuple[int, int], None] = {}
    for term, s, e in tokens:
        if term in terms and start <= s and e <= end:
            spans.setdefault((s - start, e - start), None)
    highlights: list[tuple[int, int]] = []
    for a, b in sorted(spans, key=lambda x: (x[0], x[1])):  # no span inside or across another
        if not highlights or a >= highlights[-1][1]:
            highlights.append((a, b))
    matched = tuple(dict.fromkeys(text[s:e] for s, e in highlights))
    return Excerpt(start, end, text, matched, tuple(highlights))


def opens_next(passage: Passage, excerpt: Excerpt) -> bool:
    """Whether the excerpt ends where the passage does, on its closing colon or in the
    middle of a sentence: what it introduces (a command, a list) is the passage after it."""
    closing = passage.text.rstrip()
    return excerpt.end >= len(closing) and (closing.endswith(":") or unfinished(closing))


def goes_on_into(following: Passage) -> bool:
    """Whether a quote that opens ``following`` goes on into it: when it is short enough to
    be quoted whole."""
    return len(following.text) <= params.SHORT_PASSAGE_CHARS


def go_on(excerpt: Excerpt, joined: Passage) -> Excerpt:
    """The excerpt carried on to the end of ``joined`` (its passage and the next, joined):
    the same start and marked words, the next passage after them."""
    text = joined.text[excerpt.start :]
    return Excerpt(excerpt.start, len(joined.text), text, excerpt.matched, excerpt.highlights)
