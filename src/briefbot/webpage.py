"""Web articles into corpus documents: ``briefbot add FILE.html|URL``.

trafilatura (the standard library for article extraction; the optional ``web`` extra)
finds the main text of a page and leaves out its menus, share buttons, sidebars and
footer, and reads its metadata: title, authors, date, site, canonical URL, language. The
text becomes a Markdown document with YAML front matter in the corpus folder, so the
corpus stays a folder of plain files that anyone can read, edit or delete.

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
from urllib.parse import urlsplit

from .errors import InputError

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
    markdown = trafilatura.extract(
        text,
        url=url,
        output_format="markdown",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        favor_precision=True,
    )
    if not markdown or len(markdown.split()) < MIN_WORDS:
        raise InputError(f"{source}: no article text found in the page")
    meta = trafilatura.extract_metadata(text, default_url=url)
    title = (meta.title if meta else None) or Path(urlsplit(url or source).path).stem or source
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
