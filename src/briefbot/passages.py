"""Splitting documents into paragraph passages that keep their character offsets.

A passage is a paragraph of the source. It knows its document, its section (the path of
headings above it: "Guide › Install › From source"), its paragraph number in the document
(1-based, headings not counted) and its offsets, so
``passage.text == passage.document.text[passage.start:passage.end]``.

Markdown is read by a CommonMark parser (markdown-it-py), not by line rules: a ``#`` line
inside a fenced block is code, not a heading. Each code block (fenced or indented) is one
passage of kind "code", never split at its blank lines; a list is one passage, with the
paragraph that leads into it ("…the following:") when there is one, unless it is long
(``params.LONG_LIST_CHARS``: an API's functions, a reference's options), when each item
is a passage; a table or a block quote is one passage; a table of contents (a list of
links to places in the page) is none. Plain text and reStructuredText are read by their
line rules (:mod:`briefbot.blocks`): blocks at blank lines, underlined and numbered
headings, literal blocks; in plain text with neither, a short title-like line alone is a
heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from . import params
from .blocks import LINE, Block, indented, plain_blocks, title_like
from .corpus import Document


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
    kind: str = "text"  # "text", or "code" (a code block of a Markdown document)
    # the last paragraph, when this is a passage joined with the one it opens ("...run:")
    through: int | None = field(default=None, compare=False)
    # and when what it opens is code: (where the first passage's text ends, where the code
    # begins), offsets into ``text`` (between them, markup such as ".. code-block::")
    code_at: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def doc_id(self) -> str:
        return self.document.id

    @property
    def paragraphs(self) -> str:
        """Its paragraph number as shown: "12", or "12–13" for a joined passage."""
        return f"{self.paragraph}" if self.through is None else f"{self.paragraph}–{self.through}"


def joined(first: Passage, end: int, text: str, through: int, code_start: int | None) -> Passage:
    """``first`` and a later passage of its document as one passage, ``text`` being the
    document's text from ``first.start`` to ``end``, verbatim; ``code_start`` is where the
    later one begins when it is a code block (None when it is prose)."""
    code_at = None
    if code_start is not None:
        code_at = (first.end - first.start, code_start - first.start)
    return replace(first, end=end, text=text, kind="text", through=through, code_at=code_at)


def split_passages(document: Document, first_id: int = 0) -> list[Passage]:
    """The document's paragraphs as passages, with sections taken from its headings."""
    markdown = document.markdown
    boilerplate = {_squash(line) for line in document.boilerplate}
    passages: list[Passage] = []
    section: str | None = None
    path: list[tuple[int, str]] = []  # Markdown: (level, heading) from the top down
    title = _squash(document.title)
    first = True
    blocks = (
        _markdown_blocks(document)
        if markdown
        else _without_subtitle(
            plain_blocks(document.text, document.body_start), title, document.text
        )
    )
    # a short title-like line alone is a heading only in plain text that marks none of its
    # headings otherwise (underlined, numbered): where it does, such a line is a lead-in
    # ("An example configuration could be") or a paragraph of its own
    bare_headings = markdown or not any(b.kind == "heading" for b in blocks)
    for block in blocks:
        if boilerplate and all(_squash(line) in boilerplate for line in block.lines):
            continue
        if first and document.title_in_body and _squash(block.text) == title:
            first = False
            continue
        first = False
        if block.kind == "heading" and block.heading is not None:
            while path and path[-1][0] >= block.level:
                path.pop()
            if block.level > 1 or _squash(block.heading) != title:  # the title is no section
                path.append((block.level, block.heading))
            section = " › ".join(h for _, h in path) or None
            continue
        if not markdown and block.kind == "text":
            heading = None
            if bare_headings and not indented(document.text, block.start):
                heading = _heading(block)
            if heading is not None:
                section = heading
                continue
            if _looks_like_chrome(block):
                continue
        within = section
        if block.context is not None:  # an object description's body: its signature too
            within = block.context if section is None else f"{section} › {block.context}"
        passages.append(
            Passage(
                id=first_id + len(passages),
                document=document,
                section=within,
                paragraph=len(passages) + 1,
                start=block.start,
                end=block.end,
                text=block.text,
                kind=block.kind,
            )
        )
    return passages


def _markdown_blocks(document: Document) -> Iterator[Block]:
    """The Markdown body's blocks, as CommonMark reads it, with source offsets."""
    from markdown_it import MarkdownIt  # Markdown documents only

    text, base = document.text, document.body_start
    body = text[base:]
    line_starts = [0]
    for match in LINE.finditer(body):
        if match.start() == match.end():
            break
        line_starts.append(match.end())
    tokens = MarkdownIt("commonmark").enable("table").parse(body)

    def block(first_line: int, end_line: int, **extra: object) -> Block | None:
        s = base + line_starts[min(first_line, len(line_starts) - 1)]
        e = base + line_starts[min(end_line, len(line_starts) - 1)]
        chunk = text[s:e]
        s += len(chunk) - len(chunk.lstrip())
        e -= len(chunk) - len(chunk.rstrip())
        if e <= s:
            return None
        lines = tuple(line.strip() for line in text[s:e].splitlines() if line.strip())
        return Block(s, e, text[s:e], lines, **extra)  # type: ignore[arg-type]

    lead_in: tuple[int, int] | None = None  # a paragraph ending in ":" just before a list
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        if token.type == "heading_open":
            inline = tokens[i + 1]
            shown = _HEADING_ATTRIBUTES.sub("", _plain(inline))
            made = block(start, end, kind="heading", level=int(token.tag[1]), heading=shown or None)
            if lead_in is not None:
                yield from _emit(block(*lead_in))
                lead_in = None
            if made is not None:
                yield made
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            whole = block(start, end)
            if whole is not None and _contents_list(whole):
                if lead_in is not None:
                    yield from _emit(block(*lead_in))
                    lead_in = None
                continue  # a table of contents: its entries are the sections themselves
            if whole is not None and len(whole.text) > params.LONG_LIST_CHARS:
                # a long list (an API's functions, a reference's options): each item is a
                # passage, the lead-in one of its own (it opens the first item)
                if lead_in is not None:
                    yield from _emit(block(*lead_in))
                    lead_in = None
                for item in _items(tokens, i):
                    yield from _emit(block(*item))
                continue
        if token.type in ("bullet_list_open", "ordered_list_open") and lead_in is not None:
            yield from _emit(block(lead_in[0], end))  # the list keeps its lead-in
            lead_in = None
            continue
        if lead_in is not None:
            yield from _emit(block(*lead_in))
            lead_in = None
        if token.type == "paragraph_open" and not _plain(tokens[i + 1]):
            continue  # badges, images: no text of its own
        if token.type == "paragraph_open" and tokens[i + 1].content.rstrip().endswith(":"):
            lead_in = (start, end)
        elif token.type in ("fence", "code_block"):
            yield from _emit(block(start, end, kind="code"))
        elif token.type in (
            "paragraph_open",
            "bullet_list_open",
            "ordered_list_open",
            "blockquote_open",
            "table_open",
        ):
            yield from _emit(block(start, end))
        # html blocks and rules are layout, not text
    if lead_in is not None:
        yield from _emit(block(*lead_in))


# a heading's attributes as Pandoc and kramdown write them, "## Regexps {#regexp .small}":
# markup, not the heading's text
_HEADING_ATTRIBUTES = re.compile(r"[ \t]+\{[ \t]*[#.][^{}]*\}[ \t]*\Z")

# a list item that is one link to a place in the page, "- [Install](#install)"
_ANCHOR_ITEM = re.compile(r"(?:[-*+]|\d{1,3}[.)])[ \t]+\[[^\]\n]+\]\(#[^)\s]*\)")


def _contents_list(block: Block) -> bool:
    """Whether a list is a table of contents: two items or more, each a link to a place in
    the page and nothing else."""
    return len(block.lines) >= 2 and all(_ANCHOR_ITEM.fullmatch(line) for line in block.lines)


def _items(tokens: list, i: int) -> Iterator[tuple[int, int]]:
    """The line ranges of the items of the list that opens at ``tokens[i]``."""
    level = tokens[i].level + 1
    for token in tokens[i + 1 :]:
        if token.level < level:
            return  # the list's closing token
        if token.type == "list_item_open" and token.level == level and token.map is not None:
            yield token.map[0], token.map[1]


def _emit(made: Block | None) -> Iterator[Block]:
    if made is not None:
        yield made


def _plain(inline: object) -> str:
    """An inline token's text without its markup ("**Install** `fd`" -> "Install fd")."""
    parts = []
    for child in getattr(inline, "children", None) or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"[ \t\r\n]+", " ", "".join(parts)).strip()  # the source's own spaces


def _heading(block: Block) -> str | None:
    """A plain-text heading: one short line, capitalised, not ending like a sentence."""
    if len(block.lines) != 1 or not title_like(block.lines[0]):
        return None
    return block.lines[0].strip()


def _without_subtitle(blocks: list[Block], title: str, text: str) -> list[Block]:
    """The blocks without the document's subtitle: an adorned heading just below the
    title, nothing between them, in a style no other heading uses ("Module: core" under
    "Configuration File"), which reStructuredText makes the subtitle, not a section
    holding the whole document."""
    if len(blocks) < 2 or blocks[0].kind != "heading" or blocks[1].kind != "heading":
        return blocks
    if _squash(blocks[0].heading or "") != title:  # the document's first heading is no title
        return blocks
    if text[blocks[0].end : blocks[1].start].strip():  # markup between: a section
        return blocks
    level = blocks[1].level
    if level <= blocks[0].level or any(
        b.kind == "heading" and b.level == level for b in blocks[2:]
    ):
        return blocks
    return [blocks[0], *blocks[2:]]


def _looks_like_chrome(block: Block) -> bool:
    """Navigation left over from a web page: several very short lines, none a sentence,
    each opening with a capital ("Contact Us", "Translate »"), all at one indentation,
    with no blank line between them. Short lines that open otherwise are content: lines
    of a configuration file ("driftfile /var/lib/drift"), commands (":next"), an option
    over its indented description ("server.chroot" over "root-directory of the
    server"), a list's items."""
    raw = block.text.splitlines()
    if len(block.lines) < 2 or any(not line.strip() or line[:1].isspace() for line in raw):
        return False
    return all(
        len(line.split()) <= 4 and line[:1].isupper() and not line.endswith((".", "!", "?"))
        for line in block.lines
    )


def _squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split()).casefold()
