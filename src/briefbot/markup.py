"""Inline Markdown in a passage: the code spans, links and emphasis a Markdown client shows.

A quote is an exact slice of the source file, so a Markdown document's quote holds its
markup: `code`, [text](https://…), *emphasis*. A client that renders Markdown (Discord)
can show it as it was meant to be read, code as code and links as links, instead of
escaped backticks and brackets; this module finds those constructs and where their
markup characters are in the passage, so the renderer passes exactly them through and
escapes the rest as before. Nothing is added or removed: the characters shown are still
the slice's own.

The constructs are what markdown-it-py (CommonMark) parses; their offsets are recovered
by walking its inline tokens over each line's text. Where the walk cannot follow the
source (a reference link, an image, markup this module does not pass on), that inline
run has no constructs and is shown escaped, as written.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\n]*\n?")
# a line that opens or closes a fenced code block
FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.M)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# a web address as Discord reads a masked link's: no spaces, brackets or backslashes
_WEB_LINK = re.compile(r"https?://[^\s<>()\[\]\\]+(?:\([^\s<>()\\]*\)[^\s<>()\[\]\\]*)*\Z")


@dataclass(frozen=True)
class Construct:
    """One piece of inline markup, in offsets of the text it was found in."""

    kind: str  # "code", "link" or "emphasis"
    start: int  # the construct's extent: it renders only when the quote holds all of it
    end: int
    pieces: tuple[tuple[int, int], ...]  # spans passed through unescaped: the markup
    guarded: tuple[tuple[int, int], ...]  # where no word may be marked in bold

    def shifted(self, by: int) -> Construct:
        def move(spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
            return tuple((a + by, b + by) for a, b in spans)

        return Construct(
            self.kind, self.start + by, self.end + by, move(self.pieces), move(self.guarded)
        )


def within(constructs: tuple[Construct, ...], start: int, end: int) -> tuple[Construct, ...]:
    """The constructs wholly inside ``[start, end)``, in offsets from ``start``."""
    return tuple(c.shifted(-start) for c in constructs if start <= c.start and c.end <= end)


@functools.lru_cache(maxsize=4096)
def constructs(text: str) -> tuple[Construct, ...]:
    """The inline constructs of a Markdown block (a paragraph, a list, a table), in order."""
    from markdown_it import MarkdownIt

    lines = [m.start() for m in _LINE.finditer(text) if m.end() > m.start()]
    used = [0] * len(lines)  # where the next search on each line starts (table cells)
    found: list[Construct] = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type != "inline" or token.map is None or not token.children:
            continue
        origin = _origins(text, lines, used, token.map[0], token.content)
        if origin is not None:
            found.extend(_walk(token.content, token.children, origin))
    return tuple(found)


def _origins(
    text: str, lines: list[int], used: list[int], first: int, content: str
) -> list[int] | None:
    """For each character of an inline token's content, its offset in ``text``."""
    out: list[int] = []
    for k, line in enumerate(content.split("\n")):
        i = first + k
        if i >= len(lines):
            return None
        end = lines[i + 1] if i + 1 < len(lines) else len(text)
        at = text.find(line, lines[i] + used[i], end) if line else lines[i] + used[i]
        if at < 0:
            return None
        used[i] = at + len(line) - lines[i]
        out.extend(range(at, at + len(line)))
        out.append(at + len(line))  # the "\n" (or the end)
    return out


def _walk(content: str, children: list, origin: list[int]) -> list[Construct]:
    """Follow the inline tokens over ``content``; [] where they cannot be followed."""
    out: list[Construct] = []
    opened: list[tuple[str, int, int]] = []  # (kind, content offset, markup length)
    link_at: list[int] = []  # "[" of each open link
    cur = 0

    def src(a: int, b: int) -> tuple[int, int]:
        return origin[a], origin[b - 1] + 1 if b > a else origin[a]

    autolink = False  # inside <https://…>, already passed over
    for tok in children:
        kind = tok.type
        if autolink:
            autolink = kind != "link_close"
            continue
        if kind == "text":
            at = _match_text(content, cur, tok.content)
            if at is None:
                return []
            cur = at
        elif kind in ("softbreak", "hardbreak"):
            m = re.compile(r"[ \t]*\\?\n[ \t]*").match(content, cur)
            if m is None:
                return []
            cur = m.end()
        elif kind == "code_inline":
            fence = tok.markup
            if not content.startswith(fence, cur):
                return []
            close = _closing_run(content, fence, cur + len(fence))
            if close is None:
                return []
            end = close + len(fence)
            if "\n" not in content[cur:end]:  # a quote's lines are quoted one by one
                whole = src(cur, end)
                out.append(Construct("code", whole[0], whole[1], (whole,), (whole,)))
            cur = end
        elif kind in ("em_open", "strong_open"):
            if not content.startswith(tok.markup, cur):
                return []
            opened.append((kind, cur, len(tok.markup)))
            cur += len(tok.markup)
        elif kind in ("em_close", "strong_close"):
            if not opened or not content.startswith(tok.markup, cur):
                return []
            _, o, n = opened.pop()
            end = cur + len(tok.markup)
            if "\n" not in content[o:end]:
                first, last = src(o, o + n), src(cur, end)
                whole = (first[0], last[1])
                out.append(Construct("emphasis", whole[0], whole[1], (first, last), (whole,)))
            cur = end
        elif kind == "link_open":
            if tok.markup == "autolink":  # <https://…>: shown as written, a link already
                close = content.find(">", cur)
                if not content.startswith("<", cur) or close < 0:
                    return []
                autolink = True
                cur = close + 1
                continue
            if not content.startswith("[", cur):
                return []
            link_at.append(cur)
            cur += 1
        elif kind == "link_close":
            if not link_at or not content.startswith("](", cur):
                return []  # a reference link: not followed
            o = link_at.pop()
            close = _destination_end(content, cur + 2)
            if close is None:
                return []
            if "\n" not in content[o:close]:
                first, last = src(o, o + 1), src(cur, close)
                # passed on only as Discord reads a masked link: a web address, no title;
                # a relative one ("docs/hook.md") is shown as written, its address unmarked
                web = _WEB_LINK.match(content[cur + 2 : close - 1]) is not None
                pieces = (first, last) if web else ()
                out.append(Construct("link", first[0], last[1], pieces, (first, last)))
            cur = close
        elif kind == "html_inline":
            if not content.startswith(tok.content, cur):
                return []
            cur += len(tok.content)
        else:  # images and the rest: not followed
            return []
    return out


def _match_text(content: str, cur: int, want: str) -> int | None:
    """Where ``want`` (text as markdown-it decoded it) ends in ``content`` from ``cur``:
    backslash escapes and character references stand for the characters they decode to."""
    for ch in want:
        reference = _REFERENCE.match(content, cur)
        if reference is not None and html.unescape(reference.group()) == ch:
            cur = reference.end()
        elif cur < len(content) and content[cur] == ch:
            cur += 1
        elif content.startswith("\\" + ch, cur):
            cur += 2
        else:
            return None
    return cur


def _closing_run(content: str, fence: str, start: int) -> int | None:
    """The start of the next run of exactly ``fence``'s backticks from ``start``."""
    for m in re.finditer("`+", content[start:]):
        if len(m.group()) == len(fence):
            return start + m.start()
    return None


def _destination_end(content: str, start: int) -> int | None:
    """The offset after the ")" that closes a link's destination (and title) at ``start``."""
    depth = 0
    i = start
    quote: str | None = None
    while i < len(content):
        ch = content[i]
        if ch == "\\":
            i += 2
            continue
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in "\"'" and i > start and content[i - 1] in " \t\n":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    return None
