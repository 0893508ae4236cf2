"""A document's blocks, the units its passages are made of; plain text read by line rules.

A block is a run of the source's text with its character offsets: a paragraph, a code
block or a heading. Markdown is read by a CommonMark parser (:mod:`briefbot.passages`);
plain text (``.txt``) and reStructuredText (``.rst``) are read here, by the rules both
share, which are reStructuredText's:

- blocks are runs of non-blank lines;
- a heading is a line underlined (or over- and underlined) with one punctuation character
  repeated ("Install" over "======="); its level is the order in which its style (the
  character, and whether it has an overline) first appears, as reStructuredText ranks
  them; a heading written with the text just below it is a heading and a paragraph; a
  rule over a title line with no underline is a heading too (plain-text manuals open
  their chapters so);
- a line of one punctuation character alone is a transition, not text;
- explicit markup ("``.. note::``", "``.. _label:``", "``.. comment``") is not text: the
  directive line and its ":option:" lines are left out (an admonition's text on that line
  is kept, from where it starts), and a comment, a target or a table of contents is left
  out with its indented body; a footnote or a citation ("``.. [#] Text``") is text from
  after its label;
- an object description (Sphinx's ``.. function:: name(args)``, ``.. class::``,
  ``.. option::``, ``.. py:method::`` and the other object directives of its domains)
  names what its indented body describes: each block of the body is read in its context,
  the signature (:attr:`Block.context`; nested ones joined, "Widget() › draw(canvas)"),
  which becomes part of the passage's section, so "what does draw do?" finds the
  paragraph that never names it;
- a version note (``.. versionadded:: 3.2``, ``versionchanged``, ``deprecated``) is text
  from its name on, version and all ("versionadded:: 3.2");
- a paragraph ending in "::", and a ``code-block`` directive (or a doctest one),
  introduce a literal block: the indented blocks after it, blank lines and all, are one
  code block; the paragraph ends where what is shown of it ends ("Run::" as "Run:",
  "notation: ::" as "notation:", "::" alone is no text); a paragraph that opens with ">>>"
  is a doctest block, code too; a line ending in " >" over an indented block introduces
  it as code the same way, the marker no text (Vim's help files);
- the field list just below the title (":Author: Ann Lee", ":Date: …") is the document's
  metadata (:func:`docinfo`), not text;
- a line that is not a sentence and the indented block just after it are one block: a
  term and its definition, a signature and its description ("json.dumps(obj)" over what
  it does), "Note:" and the note;
- beyond reStructuredText, plain text's own headings: numbered ones ("2.1. How do I make
  a server?", :func:`_numbered_headings`) and a FAQ's "Q:" paragraph over its "A:" one
  (:func:`_question_headings`).

docutils reads reStructuredText into a tree whose nodes know their line but not their
characters, and a passage must be an exact slice of its source; so the blocks are found
here, on the source's own lines. The rest of reStructuredText (inline roles, lists,
tables) stays in the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from . import params

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")  # a line with its break
# a line of one punctuation character repeated (at least three times): an adornment
_ADORNMENT = re.compile(r"[ \t]*([!-/:-@\[-`{-~])\1{2,}[ \t]*\Z")
_EXPLICIT = re.compile(r"[ \t]*\.\.(?:[ \t]|\Z)")  # ".. " starts explicit markup
_DIRECTIVE = re.compile(r"[ \t]*\.\.[ \t]+(?:\|[^|]+\|[ \t]+)?([\w:+.-]+)::(?:[ \t]+|\Z)")
_OPTION = re.compile(r"[ \t]+:[\w-]+:")
# a footnote or a citation (".. [#] Text", ".. [1] Text", ".. [Knuth1984] Text"): its text
# is the document's, from after the label
_FOOTNOTE = re.compile(r"[ \t]*\.\.[ \t]+\[(?:#[\w-]*|\*|\d+|[A-Za-z][\w.-]*)\][ \t]+(?=\S)")
# directives whose body is code (Sphinx's doctest ones among them, and its grammars)
_LITERAL_DIRECTIVES = frozenset(
    {
        "code-block",
        "code",
        "sourcecode",
        "doctest",
        "testcode",
        "testoutput",
        "testsetup",
        "productionlist",
    }
)
_DOCTEST = re.compile(r"[ \t]*>>>(?:[ \t]|\Z)")  # a doctest block: code without "::"
# directives whose text may begin on their own line (".. note:: Back up first."); any
# other's words there are its argument ("only:: html", "image:: logo.png")
_ADMONITIONS = frozenset(
    {
        "note",
        "warning",
        "tip",
        "important",
        "caution",
        "danger",
        "error",
        "hint",
        "attention",
        "seealso",
    }
)
# directives whose indented body is not prose
_SKIPPED_DIRECTIVES = frozenset(
    {"toctree", "contents", "index", "image", "figure", "raw", "include", "literalinclude"}
)
# Sphinx's object descriptions (the object types of its Python, C, C++, JavaScript,
# reStructuredText and standard domains; written with or without the domain, "py:method"):
# the argument is the signature of what the body describes
_OBJECT_DIRECTIVES = frozenset(
    """function class method attribute exception data decorator decoratormethod
    classmethod staticmethod abstractmethod property coroutinefunction coroutinemethod
    module member macro struct union enum enumerator type var concept namespace
    directive role option envvar cmdoption program describe object confval event""".split()
)
# version notes: the version is the argument, what changed the text after it
_VERSION_DIRECTIVES = frozenset(
    {"versionadded", "versionchanged", "deprecated", "deprecated-removed", "versionremoved"}
)


_SENTENCE_END = (".", ",", ";", ":", "!", "…")
_CLOSERS = "\"'\u201d\u2019)»"
MAX_HEADING_WORDS = 16


def title_like(line: str) -> bool:
    """Whether a line alone reads as a plain-text heading: short, capitalised, not
    ending like a sentence, no web address, no words set in columns."""
    return _short_title(line) and line.strip()[0].isupper()


def _short_title(line: str) -> bool:
    """A line short enough for a heading, not ending like a sentence (an example's marker
    aside: "To go back one file: >"), with no web address and no words set in columns."""
    words = line.split()
    shown = _EXAMPLE_MARK.sub("", line.rstrip()).rstrip()
    return (
        0 < len(words) <= MAX_HEADING_WORDS
        and not shown.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        and "://" not in line
        and not _COLUMNS.search(line)
    )


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    text: str
    lines: tuple[str, ...]
    kind: str = "text"  # "text", "code" or "heading"
    level: int = 0  # a heading's level (1-6)
    heading: str | None = None  # a heading's text, without its markup
    context: str | None = None  # the object description(s) it is in: their signatures


def adornment(line: str) -> str | None:
    """The character a line of one punctuation character repeated is made of, or None."""
    match = _ADORNMENT.match(line)
    return match.group(1) if match else None


def _groups(text: str, start: int) -> Iterator[list[tuple[int, int]]]:
    """Runs of non-blank lines, in order: each line's (start, end), without its line
    break (lazily: the title needs only the first ones)."""
    group: list[tuple[int, int]] = []
    for match in LINE.finditer(text, start):
        if match.start() == match.end():
            break
        s = match.start()
        e = s + len(match.group().rstrip("\r\n"))
        if not text[s:e].isspace() and s < e:
            group.append((s, e))
        elif group:
            yield group
            group = []
    if group:
        yield group


def _indent(text: str, span: tuple[int, int]) -> int:
    line = text[span[0] : span[1]].expandtabs(8)
    return len(line) - len(line.lstrip())


def _heading_at(text: str, group: list[tuple[int, int]]) -> tuple[str, bool, int] | None:
    """(character, overlined, lines) when ``group`` opens with an adorned heading."""
    if len(group) < 2:
        return None
    lines = [text[s:e] for s, e in group[:3]]
    marks = [adornment(line) for line in lines]
    if len(lines) == 3 and marks[0] and not marks[1] and marks[2] == marks[0]:
        ok = lines[1].strip() and not _COLUMNS.search(lines[1])
        return (marks[0], True, 3) if ok else None
    if marks[0] and not marks[1] and len(lines[0].strip()) >= len(lines[1].strip()):
        # a rule over a title line and no underline ("=====" over "*07.1*  Edit another
        # file", as plain-text manuals open their chapters): reStructuredText has no such
        # form (a transition stands between blank lines), so it is a heading
        letters = [c for c in lines[1] if c.isalpha()]
        ok = bool(letters) and letters[0].isupper() and _short_title(lines[1])
        return (marks[0], True, 2) if ok else None
    if (
        not marks[0]
        and marks[1]
        and _indent(text, group[0]) == 0
        and not _EXPLICIT.match(lines[0])
        and not _COLUMNS.search(lines[0])
    ):
        return (marks[1], False, 2)
    return None


# words set in columns, "Name/IP address     Stratum Poll": a table's header over its rule
# ("====="), not a heading over its underline
_COLUMNS = re.compile(r"\S[ \t]{3,}\S")


def first_heading(text: str, start: int) -> str | None:
    """The text of the heading the document opens with (explicit markup before it aside),
    or None when it opens otherwise."""
    for group in _groups(text, start):
        if _EXPLICIT.match(text[group[0][0] : group[0][1]]):
            continue
        found = _heading_at(text, group)
        if found is None:
            return None
        s, e = group[1] if found[1] else group[0]
        return _ROLE.sub(r"\1", text[s:e]).strip() or None
    return None


# an interpreted text role, ":mod:`json`" or ":ref:`the guide <guide>`": its text
_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)*:`([^`<]*?)(?:\s*<[^`>]*>)?`")


# a field of a reStructuredText field list, ":Author: Jan Smith"; its value may go on in
# the lines below, indented
_FIELD = re.compile(r":(?![\s:])([^:\n]*[^\s:]):(?:[ \t]+(.*?))?[ \t]*\Z")
# a date in a field's value, also inside a revision-control keyword, "$Date: 2004/08/29 $"
_FIELD_DATE = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")


def _fields(text: str, group: list[tuple[int, int]]) -> dict[str, str] | None:
    """A group that is a field list, as its fields (name casefolded: value), or None."""
    fields: dict[str, str] = {}
    name = None
    for s, e in group:
        line = text[s:e]
        match = _FIELD.match(line)
        if match is not None:
            name = match.group(1).strip().casefold()
            fields[name] = (match.group(2) or "").strip()
        elif name is not None and line[:1] in " \t":
            fields[name] = f"{fields[name]} {line.strip()}".strip()
        else:
            return None
    return fields


def _docinfo_group(text: str, start: int) -> tuple[list[tuple[int, int]], dict[str, str]] | None:
    """The field list that follows the title (and subtitle) at the top of a document,
    reStructuredText's bibliographic fields, with its lines; None when there is none."""
    for group in _groups(text, start):
        if _EXPLICIT.match(text[group[0][0] : group[0][1]]):
            continue
        found = _heading_at(text, group)
        if found is not None:
            if len(group) > found[2]:
                return None  # text right below the heading
            continue
        fields = _fields(text, group)
        return None if fields is None else (group, fields)
    return None


# Sphinx's directives that name who wrote a module, a section or the code it shows
_AUTHOR_DIRECTIVE = re.compile(
    r"^[ \t]*\.\.[ \t]+(?:module|section|code)author::[ \t]+(\S[^\r\n]*)", re.M
)
_EMAIL = re.compile(r"<[^<>\s]+@[^<>\s]+>")


def docinfo(text: str, start: int) -> dict[str, object]:
    """The document's metadata that its bibliographic fields give (":Author:",
    ":Authors:", ":Date:"), as front matter names them, or Sphinx's ".. sectionauthor::"
    and ".. moduleauthor::" directives where no field names an author; empty when it has
    none. Authors are separated by semicolons, or by commas when there is no semicolon, as
    docutils reads them."""
    found = _docinfo_group(text, start)
    fields = {} if found is None else found[1]
    meta: dict[str, object] = {}
    if fields.get("authors"):  # ":Authors: Ann Lee; Bo Chen"
        names = fields["authors"]
        split = [n.strip() for n in names.split(";" if ";" in names else ",")]
        meta["authors"] = [n for n in split if n]
    elif fields.get("author"):  # ":Author: Lee, Ann": one name, commas and all
        meta["authors"] = [fields["author"]]
    if "authors" not in meta and "author::" in text:  # ".. moduleauthor:: Ann Lee <ann@…>"
        named = [
            _EMAIL.sub("", m.group(1)).strip() for m in _AUTHOR_DIRECTIVE.finditer(text, start)
        ]
        if any(named):
            meta["authors"] = list(dict.fromkeys(n for n in named if n))
    date = _FIELD_DATE.search(fields.get("date", ""))
    if date is not None:
        meta["published"] = "-".join(date.groups())
    return meta


def indented(text: str, at: int) -> bool:
    """Whether the block that starts at ``at`` (its first non-blank character) is indented:
    a definition's or a literal's line ("  Default: none" under an option), never a
    heading of its own."""
    return at > 0 and text[at - 1] in " \t"


# the marker that ends a line introducing an indented example in Vim's help format
# ("... use this command: >"): markup, not text, like reStructuredText's "::"
_EXAMPLE_MARK = re.compile(r"(?:(?<=\s)|^)>[ \t]*\Z")


def _example_mark(text: str, span: tuple[int, int]) -> int | None:
    """Where a line's closing example marker (" >") starts, or None without one."""
    match = _EXAMPLE_MARK.search(text, span[0], span[1])
    return match.start() if match else None


def _introducing(
    text: str, group: list[tuple[int, int]], after: list[tuple[int, int]] | None
) -> list[tuple[int, int]] | None:
    """What is shown of a paragraph that introduces a literal block (an empty list when
    nothing is), or None when it introduces none: one ending in "::", or in Vim's " >"
    over an indented block ("use this command: >")."""
    if text[group[-1][0] : group[-1][1]].rstrip().endswith("::"):
        return _without_marker(text, group)
    mark = _example_mark(text, group[-1])
    if mark is None or after is None or _indent(text, after[0]) <= _indent(text, group[0]):
        return None
    return [*group[:-1], (group[-1][0], mark)] if mark > group[-1][0] else group[:-1]


def _without_marker(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A paragraph that introduces a literal block, without what of its "::" the reader
    does not see: "notation: ::" reads "notation:", "Run::" reads "Run:", and "::" alone is
    nothing (an empty list)."""
    s, e = spans[-1]
    body = text[s:e].rstrip()[:-2]
    if not body.strip():  # "::" on a line of its own
        return spans[:-1]
    if body[-1] in " \t":  # "notation: ::"
        return [*spans[:-1], (s, s + len(body.rstrip()))]
    return [*spans[:-1], (s, s + len(body) + 1)]  # "Run::" as "Run:"


def plain_blocks(text: str, start: int) -> list[Block]:
    """The blocks of a plain-text or reStructuredText body (see the module docstring)."""
    blocks = _numbered_headings(text, list(_line_blocks(text, start)))
    return _without_contents(_question_headings(text, blocks))


# a FAQ's question and answer paragraphs, "Q: Why does ...?" over "A: Because ..."
_QUESTION = re.compile(r"Q[:.][ \t]+(?=\S)")
_ANSWER = re.compile(r"A[:.][ \t]+(?=\S)")


def _question_headings(text: str, blocks: list[Block]) -> list[Block]:
    """The blocks with each question of a plain-text FAQ made a heading: a paragraph that
    opens with "Q:" right before one that opens with "A:" heads the answer's paragraphs,
    one level below the heading it stands under (level 1 under none), so the question's
    words are its answer's section, as a FAQ's numbered or underlined questions are."""
    out = list(blocks)
    level = 0  # the level of the last heading that is not such a question
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            level = b.level
            continue
        asks = _QUESTION.match(b.text) if b.kind == "text" else None
        if (
            asks is not None
            and i + 1 < len(blocks)
            and not indented(text, b.start)
            and _ANSWER.match(blocks[i + 1].text)
        ):
            asked = " ".join(b.text[asks.end() :].split())
            out[i] = replace(b, kind="heading", level=level + 1, heading=asked)
    return out


# a numbered heading's number, "2.1. " or "3 ": at most three digits a part
_NUMBERED = re.compile(r"(\d{1,3}(?:\.\d{1,3})*)\.?[ \t\xa0]+(?=\S)")


def _indent_at(text: str, at: int) -> int:
    """The indentation (tabs at eight) of the line where the block at ``at`` starts."""
    return _indent(text, (text.rfind("\n", 0, at) + 1, at + 1))


def _body_indent(text: str, blocks: list[Block]) -> int:
    """How far the document's paragraphs are commonly indented: the indentation most of
    its text blocks' characters start at (0 for most plain text)."""
    weight: dict[int, int] = {}
    for b in blocks:
        if b.kind == "text":
            at = _indent_at(text, b.start)
            weight[at] = weight.get(at, 0) + len(b.text)
    return max(sorted(weight), key=lambda k: weight[k], default=0)


def _numbered_headings(text: str, blocks: list[Block]) -> list[Block]:
    """The blocks with each numbered heading made one ("2. Configuration issues", "2.1. How
    do I make a server?", a line or two that does not end like a sentence), at the level
    its number's parts give. A number of one part is a heading only where the document
    numbers a part of it further on ("2." before a "2.1."): a numbered list's "1. Open the
    file" is not one. A heading is not indented, or less than the document's paragraphs
    commonly are (a rendering that indents every paragraph by three spaces sets its
    headings at two or none, its table of contents' lines as far as the paragraphs or
    further)."""
    found: dict[int, list[str]] = {}
    base = _body_indent(text, blocks)
    for i, b in enumerate(blocks):
        if b.kind != "text" or len(b.lines) > 2 or len(b.text) > params.NUMBERED_HEADING_CHARS:
            continue
        at = _indent_at(text, b.start)
        if at and at >= base:
            continue
        match = _NUMBERED.match(b.text)
        body = " ".join(b.text[match.end() :].split()) if match else ""
        if match is None or not body or body.endswith((".", ",", ";", ":")):
            continue
        number = match.group(1).split(".")
        if len(b.lines) == 2 and len(number) < 2 and not body.endswith("?"):
            continue
        found[i] = number
    last_part: dict[str, int] = {}  # a first number -> where the last "n.m" under it is
    for i, number in found.items():
        if len(number) > 1:
            last_part[number[0]] = i
    out = list(blocks)
    for i, number in found.items():
        if len(number) > 1 or last_part.get(number[0], -1) > i:
            b = blocks[i]
            out[i] = replace(b, kind="heading", level=len(number), heading=" ".join(b.text.split()))
    return out


_BULLETS = " \t*+-•o?"  # what a plain-text list's lines open with (lynx writes "o" and "?")


def _without_contents(blocks: list[Block]) -> list[Block]:
    """The blocks without a table of contents: a block that opens with the next heading's
    text and is mostly the text of the headings after it (three at least); every heading
    it lists is a section of its own, and as a passage it would match every question."""
    headings = [(i, b.heading) for i, b in enumerate(blocks) if b.kind == "heading" and b.heading]
    out = []
    at = 0  # headings[at] is the first heading after the block
    for i, b in enumerate(blocks):
        while at < len(headings) and headings[at][0] <= i:
            at += 1
        if b.kind == "text" and len(b.lines) >= 3 and at < len(headings):
            first = " ".join(b.lines[0].lstrip(_BULLETS).split())
            if first and first == " ".join(headings[at][1].split()):
                later = [h for _, h in headings[at:]]
                squashed = " ".join(b.text.split())
                listed = {h for h in (" ".join(x.split()) for x in later) if h in squashed}
                share = sum(map(len, listed)) / len(squashed)
                if len(listed) >= 3 and share >= params.CONTENTS_HEADING_SHARE:
                    continue
        out.append(b)
    return out


def _line_blocks(text: str, start: int) -> Iterator[Block]:
    """The blocks found by the line rules, before numbered headings and contents."""
    styles: list[tuple[str, bool]] = []  # heading styles, in the order first met
    groups = list(_groups(text, start))
    info = _docinfo_group(text, start)
    if info is not None:  # the bibliographic fields are the document's metadata, no text
        groups = [g for g in groups if g[0] != info[0][0]]
    objects: list[tuple[int, str]] = []  # the object descriptions open: (indent, signature)

    def block(spans: list[tuple[int, int]], **extra: object) -> Block:
        context = " › ".join(sig for _, sig in objects) or None
        return _block(text, spans, context=context, **extra)

    i = 0
    while i < len(groups):
        group = groups[i]
        i += 1
        first = text[group[0][0] : group[0][1]]
        while objects and _indent(text, group[0]) <= objects[-1][0]:
            objects.pop()  # back at its level or out: the description has ended
        if adornment(first) and all(adornment(text[s:e]) for s, e in group[1:]):
            continue  # a transition
        found = _heading_at(text, group)
        if found is not None:
            c, over, n = found
            if (c, over) not in styles:
                styles.append((c, over))
            s, e = group[1] if over else group[0]
            title = " ".join(_ROLE.sub(r"\1", text[s:e]).split())  # ":mod:`json`" as "json"
            yield _block(
                text, group[:n], kind="heading", level=styles.index((c, over)) + 1, heading=title
            )
            if group[n:]:
                groups.insert(i, group[n:])
            continue
        note = _FOOTNOTE.match(first)
        if note is not None:
            yield block([(group[0][0] + note.end(), group[0][1]), *group[1:]])
            continue
        if _EXPLICIT.match(first):
            base = _indent(text, group[0])
            for k, (s, e) in enumerate(group[1:], 1):  # the next markup at this indent
                if _EXPLICIT.match(text[s:e]) and _indent(text, (s, e)) == base:
                    groups.insert(i, group[k:])  # ".. moduleauthor::" over ".. sectionauthor::"
                    group = group[:k]
                    break
            directive = _DIRECTIVE.match(first)
            name = directive.group(1).casefold() if directive else None
            rest = group[1:]
            while rest and _OPTION.match(text[rest[0][0] : rest[0][1]]):
                rest = rest[1:]
            if name is None or name in _SKIPPED_DIRECTIVES:
                # a comment, a target or a table of contents: none of it is text
                while i < len(groups) and _indent(text, groups[i][0]) > base:
                    i += 1
                continue
            if name in _LITERAL_DIRECTIVES:
                code, i = _literal(text, groups, i, base, rest, block)
                if code is not None:
                    yield code
                continue
            content_start = group[0][0] + directive.end()  # type: ignore[union-attr]
            argument = text[content_start : group[0][1]].strip()
            if name.rpartition(":")[2] in _OBJECT_DIRECTIVES and argument:
                objects.append((base, argument))
            if name in _VERSION_DIRECTIVES and argument:  # "versionadded:: 3.2" and the text
                yield block([(group[0][0] + directive.start(1), group[0][1]), *rest])  # type: ignore[union-attr]
            elif name in _ADMONITIONS and content_start < group[0][1]:  # ".. note:: Text"
                yield block([(content_start, group[0][1]), *rest])
            elif rest:
                yield block(rest)
            continue
        if _DOCTEST.match(first):  # ">>> import os" and its output: code
            yield block(group, kind="code")
        elif (
            shown := _introducing(text, group, groups[i] if i < len(groups) else None)
        ) is not None:
            if shown:
                yield block(shown)
            code, i = _literal(text, groups, i, _indent(text, group[0]), [], block)
            if code is not None:
                yield code
        elif i < len(groups) and _introduces(text, group, groups[i]):
            spans, i = _definition(text, groups, i + 1, group + groups[i])
            yield block(spans)  # "json.dumps(obj)" and what it does
        elif _defines(text, group):
            spans, i = _definition(text, groups, i, group)
            yield block(spans)
        else:
            yield block(group)


def _defines(text: str, group: list[tuple[int, int]]) -> bool:
    """Whether ``group`` is a term over the start of its definition, indented under it
    ("server.chroot" over "  root-directory of the server")."""
    if len(group) < 2 or _indent(text, group[1]) <= _indent(text, group[0]):
        return False
    return _term(text[group[0][0] : group[0][1]], (*_TERM_ENDS, ":"))


def _definition(
    text: str, groups: list[list[tuple[int, int]]], i: int, spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], int]:
    """A definition's ``spans`` with the paragraphs of it that follow (``groups[i]`` on,
    indented under its term: "  Default: poll"), while the whole stays a short passage;
    and the index of the group after them. A literal block, markup or a heading ends it."""
    base = _indent(text, spans[0])
    while i < len(groups) and _indent(text, groups[i][0]) > base:
        nxt = groups[i]
        first = text[nxt[0][0] : nxt[0][1]]
        if (
            _EXPLICIT.match(first)
            or _DOCTEST.match(first)
            or text[nxt[-1][0] : nxt[-1][1]].rstrip().endswith("::")
            or _heading_at(text, nxt) is not None
            or nxt[-1][1] - spans[0][0] > params.SHORT_PASSAGE_CHARS
        ):
            break
        spans = spans + nxt
        i += 1
    return spans, i


_TERM_ENDS = (".", "!", "?", "…")  # a line ending so is a sentence, not a term


def _term(line: str, ends: tuple[str, ...]) -> bool:
    """Whether ``line`` can be a term over the indented text it introduces: it ends in none
    of ``ends`` and is no heading (nor a numbered one: "6.8. Copyright")."""
    return (
        not line.rstrip(_CLOSERS).endswith(ends)
        and not title_like(line)
        and not _numbered_title(line)
    )


def _numbered_title(line: str) -> bool:
    """Whether a line reads as a numbered heading: a number ("6.8.") and a title."""
    match = _NUMBERED.match(line.strip())
    rest = line.strip()[match.end() :] if match else ""
    return bool(rest) and title_like(rest)


def _introduces(text: str, group: list[tuple[int, int]], after: list[tuple[int, int]]) -> bool:
    """Whether ``group`` is a line that introduces the indented block ``after`` it: a term
    and its definition, a signature and its description, "Note:" and the note; not a
    sentence, not a heading."""
    if len(group) != 1 or text[after[0][0]] not in " \t":  # the block after not indented
        return False
    return (
        _indent(text, after[0]) > _indent(text, group[0])
        and _term(text[group[0][0] : group[0][1]], _TERM_ENDS)
        and not _EXPLICIT.match(text[after[0][0] : after[0][1]])
        and _heading_at(text, after) is None
    )


def _literal(
    text: str,
    groups: list[list[tuple[int, int]]],
    i: int,
    base: int,
    lines: list[tuple[int, int]],
    block: Callable[..., Block],
) -> tuple[Block | None, int]:
    """The literal block that starts at ``groups[i]`` (after ``lines`` of the introducing
    group): every group indented more than ``base``, as one code block (made by
    ``block``); and the index of the group after it."""
    spans = list(lines)
    while i < len(groups) and _indent(text, groups[i][0]) > base:
        spans.extend(groups[i])
        i += 1
    if not spans:
        return None, i
    return block(spans, kind="code"), i


def _block(text: str, spans: list[tuple[int, int]], **extra: object) -> Block:
    s, e = spans[0][0], spans[-1][1]
    chunk = text[s:e]
    s += len(chunk) - len(chunk.lstrip())
    e -= len(chunk) - len(chunk.rstrip())
    lines = tuple(text[a:b].strip() for a, b in spans if text[a:b].strip())
    return Block(s, e, text[s:e], lines, **extra)  # type: ignore[arg-type]
