"""Web articles into corpus documents: ``briefbot add FILE.html|URL``.

trafilatura (the standard library for article extraction; the optional ``web`` extra)
finds the main text of a page and leaves out its menus, share buttons, sidebars and
footer, and reads its metadata: title, authors, date, site, canonical URL, language. The
text becomes a Markdown document with YAML front matter in the corpus folder, so the
corpus stays a folder of plain files that anyone can read, edit or delete.

Older pages (hand-written HTML documentation) put their prose straight in ``<body>``,
between headings and ``<pre>`` blocks, and mark code up as ``<pre><b>``; trafilatura keeps
only text inside paragraphs and reads a ``<pre>`` as code only when it looks like code. So
the page is prepared first (:func:`prepare`): bare prose between blocks becomes a paragraph,
and every ``<pre>`` is code, its bold and other formatting dropped. Where trafilatura
finds no main container in such a page, it keeps bare paragraphs only, without the page's
headings and lists; then the whole body is read as the article.

A URL is fetched with a timeout and a size limit, http and https only; every failure is
an :class:`InputError` of one line naming the source.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import InputError
from .markup import FENCE

TIMEOUT_SECONDS = 15.0
MAX_PAGE_BYTES = 10_000_000
MIN_WORDS = 20  # less main text than this is a page of links, not an article
USER_AGENT = "briefbot (article import)"
INSTALL = "briefbot add needs the 'web' extra: pip install 'briefbot[web]'"


@dataclass(frozen=True)
class Page:
    """A web article read by trafilatura: its metadata and its main text as Markdown."""

    title: str
    authors: tuple[str, ...]
    published: str | None
    publisher: str | None
    url: str | None
    language: str | None
    markdown: str

    def document(self) -> str:
        """The corpus file: front matter, then the text."""
        import yaml

        front: dict[str, object] = {"title": self.title}
        if self.authors:
            front["authors"] = list(self.authors)
        for name in ("published", "publisher", "url", "language"):
            value = getattr(self, name)
            if value:
                front[name] = value
        head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{head}---\n{self.markdown.strip()}\n"


def is_url(source: str) -> bool:
    return re.match(r"^[a-z][a-z0-9+.-]*://", source, re.I) is not None


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The page at ``url`` (http or https only), at most ``limit`` bytes."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"{url}: only http and https addresses can be added")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot be fetched ({reason})") from None
    if len(data) > limit:
        raise InputError(f"{url}: the page is larger than {limit:,} bytes")
    return data


def read_page(html: bytes | str, url: str | None = None, *, source: str = "page") -> Page:
    """The article in ``html``; ``url`` is where it came from (a canonical link in the
    page wins)."""
    try:
        import trafilatura
    except ImportError:
        raise InputError(INSTALL) from None
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    tree = trafilatura.load_html(html)  # the page's own encoding, as declared or detected
    if tree is None:
        raise InputError(f"{source}: no article text found in the page")
    headings = len(tree.xpath("//body//*[self::h1 or self::h2 or self::h3 or self::h4]"))
    markdown = _extract(prepare(tree), url)
    if headings >= 2 and not _headings(markdown or ""):
        # trafilatura found no main container and kept paragraphs only, without the
        # page's headings and lists: read the whole body as the article instead (its
        # menus, footers and sidebars are still left out)
        whole = _extract(prepare(_body_as_article(trafilatura.load_html(html))), url)
        if whole and _headings(whole):
            markdown = whole
    if not markdown or len(markdown.split()) < MIN_WORDS:
        raise InputError(f"{source}: no article text found in the page")
    # the date only where the page states it (its metadata, a time element, the address):
    # a wider search takes a copyright year for a publication date ("2026-01-01"), and a
    # timestamp in an example's output is no date of the page ("at 2015-05-08 21:40:19")
    page = trafilatura.load_html(html)
    for example in page.xpath("//pre|//code|//samp|//kbd") if page is not None else ():
        example.drop_tree()
    meta = trafilatura.extract_metadata(page, default_url=url, extensive=False)
    title = (meta.title if meta else None) or Path(urlsplit(url or source).path).stem or source
    title = _TRAILING_PERMALINK.sub("", title) or title  # "Quick Start¶": a heading's anchor
    authors: tuple[str, ...] = ()
    if meta and meta.author:
        authors = tuple(a.strip() for a in re.split(r";|\band\b", meta.author) if a.strip())
    language = _language(text) or (meta.language if meta else None)
    return Page(
        title=" ".join(title.split()),
        authors=authors,
        published=meta.date if meta else None,
        publisher=meta.sitename if meta else None,
        url=(meta.url if meta and meta.url else url),
        language=language,
        markdown=markdown,
    )


_HEADING = re.compile(r"^#{1,6} \S")


def _headings(markdown: str) -> int:
    """How many headings the Markdown has (a "# comment" line in a code block is none)."""
    count, fenced = 0, False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            count += 1
    return count


def _extract(tree: Any, url: str | None) -> str | None:
    import trafilatura

    markdown = trafilatura.extract(
        tree,
        url=url,
        output_format="markdown",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        favor_precision=True,
    )
    return None if markdown is None else _without_needless_escapes(_fences_own_lines(markdown))


# a line of text that ends by opening a code block: trafilatura writes a list item that
# holds a <pre> as "- To remove it, run: ```", the code and its closing fence on the lines
# after; a fence must begin its line (CommonMark), so left there it opens nothing, and
# every fence after it pairs with the wrong one: prose is read as code and code as prose
_TRAILING_FENCE = re.compile(r"^(?P<text>.*\S)[ \t]*```[ \t]*$")


def _fences_own_lines(markdown: str) -> str:
    """The Markdown with a fence written at the end of a line of text moved to a line of
    its own, so that it opens the code block the lines after it hold."""
    lines, fenced = [], False
    for line in markdown.split("\n"):
        match = None if fenced or FENCE.match(line) else _TRAILING_FENCE.match(line)
        if match is not None and "```" not in match.group("text"):
            lines += [match.group("text"), "```"]
            fenced = True
            continue
        if FENCE.match(line):
            fenced = not fenced
        lines.append(line)
    return "\n".join(lines)


# an underscore between two letters or digits ("local_header_rewrite"): trafilatura writes
# it escaped, but inside a word it can open no emphasis (CommonMark), and the escape would
# be quoted verbatim and split the name in two for the tokenizer
_INWORD_ESCAPE = re.compile(r"(?<=[^\W_])\\_(?=[^\W_])")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def _without_needless_escapes(markdown: str) -> str:
    """The Markdown with "DATABASE\\_README" written "DATABASE_README", outside code."""
    lines, fenced = [], False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and "\\_" in line:
            parts, at = [], 0
            for span in _CODE_SPAN.finditer(line):  # code spans are kept as they are
                parts += [_INWORD_ESCAPE.sub("_", line[at : span.start()]), span.group()]
                at = span.end()
            line = "".join(parts) + _INWORD_ESCAPE.sub("_", line[at:])
        lines.append(line)
    return "\n".join(lines)


def _body_as_article(tree: Any) -> Any:
    """The page with everything in its ``<body>`` moved into one ``<article>``."""
    import lxml.html

    body = tree.find(".//body")
    if body is None:
        return tree
    article = lxml.html.Element("article")
    article.text, body.text = body.text, None
    for kid in list(body):
        article.append(kid)  # its tail goes with it
    body.append(article)
    return tree


# elements that end a run of prose; what is not one of these is part of the run
_BLOCKS = frozenset(
    "address article aside blockquote center details dd div dl dt fieldset figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr iframe li main menu nav noscript ol p pre script "
    "section style table tbody td th thead tr ul".split()
)
_FORMATTING = frozenset("b big font i em small span strong tt u".split())  # inside <pre>
_PERMALINK = re.compile(r"\s*[¶§#🔗]?\s*")
_TRAILING_PERMALINK = re.compile(r"\s*[¶§🔗]\s*$")
_CONTAINERS = ("body", "center", "blockquote", "td", "dd", "li", "div", "section", "article")


_INLINE_CODE = ("code", "tt", "kbd", "samp")


def prepare(tree: Any) -> Any:
    """The page's lxml tree, changed in place: prose between blocks wrapped in paragraphs
    and every ``<pre>`` marked as code (``<pre><code>``), a heading's links made its plain
    text, a definition list's term put in front of its definition, emphasis that touches
    other emphasis made plain; nothing is dropped but comments and the permalink glyphs of
    headings and definition terms (a documented function's "¶")."""
    import lxml.html

    for pre in list(tree.iter("pre")):
        if pre.find(".//code") is not None:
            continue
        for el in list(pre.iterdescendants()):
            if isinstance(el.tag, str) and el.tag in _FORMATTING:
                el.drop_tag()
        code = lxml.html.Element("code")
        code.text, pre.text = pre.text, None
        for child in list(pre):
            code.append(child)  # its tail goes with it
        pre.append(code)
    for inline in list(tree.iter(*_INLINE_CODE)):
        if next(inline.iterancestors("pre"), None) is not None:
            continue
        if next(inline.iterancestors(*_INLINE_CODE), None) is not None:
            inline.drop_tag()  # code in code: trafilatura loses the words after the outer one
        else:
            # inline code's line breaks render as spaces; kept, trafilatura would write a
            # fence in the middle of a line, and the rest of the page would become code
            _one_line(inline)
    _touching_emphasis_dropped(tree)
    for heading in list(tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "dt")):
        for link in list(heading.iter("a")):
            if _PERMALINK.fullmatch(link.text_content()):
                link.drop_tree()  # a permalink's glyph (¶, §, #) is not the heading's text
            elif heading.tag != "dt":  # a heading's text as a link (Sphinx's back-reference
                link.drop_tag()  # to the contents) is read as a link, and left out
    for term in list(tree.iter("dt")):
        _term_into_definition(term, lxml.html.Element)
    for box in list(tree.iter(*_CONTAINERS)):
        _paragraphs(box, lxml.html.Element)
    return tree


_EMPHASIS = ("b", "strong", "i", "em")


def _touching_emphasis_dropped(tree: Any) -> None:
    """Emphasis that touches other emphasis made plain text: a manual page's
    "${<i>parameter</i><b>:-</b><i>word</i>}" would be written "${*parameter***:-***word*}",
    which Markdown reads as other emphasis than the page's, and a quote would show the
    asterisks; "${parameter:-word}" is what the page says."""
    touching = []
    for el in tree.iter(*_EMPHASIS):
        after = el.getnext()
        if not el.tail and after is not None and after.tag in _EMPHASIS:
            touching += [el, after]
    for el in dict.fromkeys(touching):
        el.drop_tag()


def _term_into_definition(term: Any, element: Any) -> None:
    """A definition list's term and its definition as one item, "term: definition": the
    term begins the definition's first paragraph (each was an item of its own, and the
    term alone answered nothing). A definition that opens with anything but text, inline
    markup or a paragraph (a code block, a list) is left as it is."""
    definition = term.getnext()
    if definition is None or definition.tag != "dd":
        return
    first = definition[0] if len(definition) else None
    if (definition.text or "").strip() or (
        first is not None and isinstance(first.tag, str) and first.tag not in _BLOCKS
    ):  # it opens with text, or with inline markup ("<dd><b>Use Default Values</b>. If")
        target: Any = definition
    elif first is not None and first.tag == "p":
        target = first
    else:
        return
    lead = element("span")
    lead.text = term.text
    for child in list(term):
        lead.append(child)
    _strip_end(lead)
    lead.tail = ": " + (target.text or "").lstrip()
    target.text = None
    target.insert(0, lead)
    lead.drop_tag()
    _one_line(target)  # as the list's other items are written
    term.getparent().remove(term)


def _strip_end(node: Any) -> None:
    """The whitespace at the end of ``node``'s text removed, however deep it is."""
    if not len(node):
        node.text = (node.text or "").rstrip() or None
        return
    last = node[-1]
    if (last.tail or "").strip():
        last.tail = last.tail.rstrip()
        return
    last.tail = None
    _strip_end(last)


def _one_line(node: Any) -> None:
    """Every run of whitespace in ``node``'s text one space, but in a ``<pre>``."""
    for el in node.iter():
        if el.tag == "pre" or next(el.iterancestors("pre"), None) is not None:
            continue
        el.text = _collapse(el.text)
        if el is not node:
            el.tail = _collapse(el.tail)


def _collapse(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text)


def _is_block(node: Any) -> bool:
    return not isinstance(node, str) and isinstance(node.tag, str) and node.tag in _BLOCKS


def _paragraphs(box: Any, element: Any) -> None:
    """Wrap each run of bare prose among ``box``'s blocks in a ``<p>``."""
    kids = list(box)
    if not any(_is_block(k) for k in kids):
        return  # all inline: trafilatura reads it as one paragraph
    items: list[Any] = [box.text] if box.text else []
    for kid in kids:
        if isinstance(kid.tag, str):  # a comment or processing instruction: left out
            items.append(kid)
        if kid.tail:
            items.append(kid.tail)
    runs: list[Any] = [[]]
    for item in items:
        if _is_block(item):
            runs += [item, []]
        else:
            runs[-1].append(item)
    if not any(
        isinstance(i, str) and i.strip() for run in runs if isinstance(run, list) for i in run
    ):
        return  # no bare prose: leave the box as it is
    for kid in kids:
        kid.tail = None
        box.remove(kid)
    box.text = None
    for run in runs:
        if not isinstance(run, list):
            box.append(run)
            continue
        target = box
        if any((i if isinstance(i, str) else i.text_content()).strip() for i in run):
            target = element("p")
            box.append(target)
        last = None if target is not box else (box[-1] if len(box) else None)
        for item in run:
            if not isinstance(item, str):
                target.append(item)
                last = item
            elif last is None:
                target.text = (target.text or "") + item
            else:
                last.tail = (last.tail or "") + item


def _language(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z-]{2,12})", html, re.I)
    return match.group(1) if match else None


def slug(title: str) -> str:
    """A file name for a title: "Occupation (Not yet)…" -> "occupation-not-yet…"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.casefold())
    return "-".join(words)[:80].strip("-") or "page"


def save(page: Page, folder: Path) -> tuple[Path, bool]:
    """Write ``page`` into the corpus folder as ``<slug>.md``, never over another file;
    (its path, False) when the folder already holds the very same document."""
    folder.mkdir(parents=True, exist_ok=True)
    text = page.document()
    base = slug(page.title)
    path = folder / f"{base}.md"
    n = 2
    while path.exists():
        if path.read_text(encoding="utf-8", errors="replace") == text:
            return path, False
        path = folder / f"{base}-{n}.md"
        n += 1
    path.write_text(text, encoding="utf-8")
    return path, True
