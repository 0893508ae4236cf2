"""Splitting documents into paragraph passages that keep their character offsets.

A passage is a paragraph of the source. It knows its document, its section (the nearest
heading above it), its paragraph number in the document (1-based, headings not counted)
and its offsets, so ``passage.text == passage.document.text[passage.start:passage.end]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .corpus import Document

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SENTENCE_END = (".", ",", ";", ":", "!", "…")
_CLOSERS = "\"'\u201d\u2019)»"
MAX_HEADING_WORDS = 16


@dataclass(frozen=True)
class Passage:
    """A paragraph of a document, verbatim."""

    id: int  # position in the index, 0-based
    document: Document = field(compare=False)
    section: str | None
    paragraph: int
    start: int
    end: int
    text: str = field(compare=False)

    @property
    def doc_id(self) -> str:
        return self.document.id


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str
    lines: tuple[str, ...]


def split_passages(document: Document, first_id: int = 0) -> list[Passage]:
    """The document's paragraphs as passages, with sections taken from its headings."""
    markdown = document.path.suffix.lower() in (".md", ".markdown")
    boilerplate = {_squash(line) for line in document.boilerplate}
    passages: list[Passage] = []
    section: str | None = None
    first = True
    for block in _blocks(document.text, document.body_start, markdown):
        squashed = _squash(block.text)
        if boilerplate and all(_squash(line) in boilerplate for line in block.lines):
            continue
        if first and document.title_in_body and squashed == _squash(document.title):
            first = False
            continue
        first = False
        heading = _heading(block, markdown)
        if heading is not None:
            section = heading
            continue
        if not markdown and _looks_like_chrome(block):
            continue
        passages.append(
            Passage(
                id=first_id + len(passages),
                document=document,
                section=section,
                paragraph=len(passages) + 1,
                start=block.start,
                end=block.end,
                text=block.text,
            )
        )
    return passages


def _blocks(text: str, start: int, markdown: bool) -> Iterator[_Block]:
    """Runs of non-blank lines; in Markdown a heading line is a block of its own."""
    lines: list[tuple[int, int]] = []  # (start, end) of each line's content, no newline
    for match in _LINE.finditer(text, start):
        if match.start() == match.end():
            break
        raw = match.group()
        content = raw.rstrip("\r\n")
        lines.append((match.start(), match.start() + len(content)))
    group: list[tuple[int, int]] = []

    def flush() -> Iterator[_Block]:
        if group:
            s, e = group[0][0], group[-1][1]
            # trim surrounding whitespace so the passage starts and ends with text
            chunk = text[s:e]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            s, e = s + lead, e - trail
            yield _Block(s, e, text[s:e], tuple(text[a:b].strip() for a, b in group))
            group.clear()

    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            yield from flush()
        elif markdown and _MD_HEADING.match(line.strip()):
            yield from flush()
            group.append((s, e))
            yield from flush()
        else:
            group.append((s, e))
    yield from flush()


def _heading(block: _Block, markdown: bool) -> str | None:
    if len(block.lines) != 1:
        return None
    line = block.lines[0]
    if markdown:
        match = _MD_HEADING.match(line)
        return match.group(2).strip() if match else None
    words = line.split()
    if (
        0 < len(words) <= MAX_HEADING_WORDS
        and not line.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        and line[0].isupper()
        and "://" not in line
    ):
        return line.strip()
    return None


def _looks_like_chrome(block: _Block) -> bool:
    """Navigation left over from a web page: several very short lines, none a sentence."""
    return len(block.lines) >= 2 and all(
        len(line.split()) <= 4 and not line.endswith((".", "!", "?")) for line in block.lines
    )


def _squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split()).casefold()
