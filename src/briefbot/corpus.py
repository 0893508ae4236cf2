"""Loading documents (text plus metadata) from the corpus folder.

A document is Markdown with YAML front matter (``.md``), plain text (``.txt``) or
reStructuredText (``.rst``, read as plain text is: :mod:`briefbot.blocks`). A plain-text
document without front matter takes its authors and date from reStructuredText's
bibliographic fields at its top (":Author: Ann Lee", ":Date: 2004-08-29"), as docutils
reads them.
Offsets everywhere in briefbot are character offsets into :attr:`Document.text`, the file's
full decoded text, so ``doc.text[start:end]`` is always the source's own text.

A saved index keeps a manifest of the documents it was built from (:func:`manifest`): each
file's size, times and inode when it was read, its digest and its metadata. A file whose
``stat`` still says the same is not read again at start (:func:`load_corpus` with
``known``); its text is read when first needed, checked against the digest, and kept in a
bounded cache (``params.DOCUMENT_TEXT_CACHE_CHARS``); so is every text of a corpus too
large to hold (``params.HOLD_TEXTS_CHARS``). A file that changed in between is
:class:`DocumentChanged`, never a quote cut from other text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .blocks import docinfo, first_heading
from .errors import CorpusError
from .params import DOCUMENT_TEXT_CACHE_CHARS, HOLD_TEXTS_CHARS, RACY_STAT_NS

MARKDOWN_SUFFIXES = (".md", ".markdown")
SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".rst")
WEB_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
MAX_FILE_BYTES = 20_000_000  # a single document larger than this is reported, not indexed

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_FIRST_LINE = re.compile(r"[^\S\n]*(\S[^\n]*)")
_NOT_BLANK = re.compile(r"\S")
MANIFEST_VERSION = 1


class DocumentChanged(CorpusError):
    """A document's file no longer holds the text its index was built from."""


@dataclass(frozen=True)
class Document:
    """One source document and its metadata. ``loaded`` is its text when it was read at
    start; otherwise :attr:`text` reads the file when first asked (see the module)."""

    id: str  # path relative to the corpus folder, without suffix, with "/" separators
    path: Path
    loaded: str | None = field(repr=False, compare=False)
    body_start: int = field(repr=False, compare=False)
    title: str = ""
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    translator: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    original_url: str | None = None
    original_language: str | None = None
    language: str | None = None
    boilerplate: tuple[str, ...] = ()
    title_in_body: bool = False  # plain text: the first line is the title, not a passage
    problems: tuple[str, ...] = field(default=(), repr=False, compare=False)  # fields left out

    digest: str | None = field(default=None, repr=False, compare=False)  # of the file read
    chars: int = field(default=-1, repr=False, compare=False)  # len(text), known unread
    # (size, mtime_ns, ctime_ns, inode) of the file when it was read, and when that was
    stamp: tuple[int, int, int, int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The file's full decoded text (read now if it was not read at start)."""
        if self.loaded is not None:
            return self.loaded
        return _TEXTS.read(self)

    @property
    def length(self) -> int:
        """``len(self.text)``, without reading the file."""
        return len(self.loaded) if self.loaded is not None else self.chars

    def excerpt(self, start: int, end: int, byte_start: int, byte_end: int) -> str:
        """``self.text[start:end]``, given also as byte offsets into the file
        (:func:`byte_offsets`): a document not read at start has only those bytes read."""
        if self.loaded is not None:
            return self.loaded[start:end]
        return _TEXTS.excerpt(self, start, end, byte_start, byte_end)

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the text's UTF-8 bytes: finds duplicates and keys the saved index
        (taken from the file's bytes when it was read, which are those bytes)."""
        if self.digest is not None:
            return self.digest
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def markdown(self) -> bool:
        """Whether the source is Markdown (read by a CommonMark parser), not plain text."""
        return self.path.suffix.lower() in MARKDOWN_SUFFIXES

    @property
    def byline(self) -> str:
        """Authors, and translator when there is one: 'A, B (translated by C)'."""
        names = ", ".join(self.authors)
        if self.translator:
            names = f"{names} (translated by {self.translator})" if names else self.translator
        return names


@dataclass(frozen=True)
class Corpus:
    """The documents of a corpus folder, and the files that could not be used."""

    root: Path
    documents: tuple[Document, ...]
    problems: tuple[str, ...] = ()  # one line per file skipped: "path: reason"


class _TextStore:
    """Texts of documents not read at start: read on first use, checked against the
    digest they were indexed with, the most recently used kept up to a budget of
    characters (one document at least)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._texts: OrderedDict[tuple[str, str | None], str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def read(self, doc: Document) -> str:
        key = (str(doc.path), doc.digest)
        with self._lock:
            text = self._texts.get(key)
            if text is not None:
                self._texts.move_to_end(key)
                return text
        changed = f"{doc.path}: changed since it was indexed; reload the corpus"
        try:
            data = doc.path.read_bytes()
        except OSError as exc:
            raise DocumentChanged(f"{changed} ({exc.strerror or exc})") from None
        if hashlib.sha256(data).hexdigest() != doc.digest:
            raise DocumentChanged(changed)
        text = data.decode("utf-8")
        with self._lock:
            if key not in self._texts:
                self._texts[key] = text
                self._size += len(text)
            while self._size > self.budget and len(self._texts) > 1:
                _, old = self._texts.popitem(last=False)
                self._size -= len(old)
        return text

    def excerpt(self, doc: Document, start: int, end: int, byte_start: int, byte_end: int) -> str:
        """Part of a document: from its text when that is held, else the bytes read from
        the file while its stat is still the one it was indexed with (the same test as
        at start, see :func:`load_corpus`)."""
        with self._lock:
            text = self._texts.get((str(doc.path), doc.digest))
        if text is not None:
            return text[start:end]
        changed = f"{doc.path}: changed since it was indexed; reload the corpus"
        try:
            with open(doc.path, "rb") as f:
                st = os.fstat(f.fileno())
                if doc.stamp is None or doc.stamp[:4] != _stat(st):
                    raise DocumentChanged(changed)
                data = os.pread(f.fileno(), byte_end - byte_start, byte_start)
            part = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DocumentChanged(changed) from exc
        if len(part) != end - start:
            raise DocumentChanged(changed)
        return part

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._size = 0


_TEXTS = _TextStore(DOCUMENT_TEXT_CACHE_CHARS)


def default_corpus_dir() -> Path:
    """./corpus when it exists, else the corpus bundled with this checkout."""
    here = Path("corpus")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "corpus"


def load_corpus(root: str | Path, known: Mapping[str, Any] | None = None) -> Corpus:
    """Load every document under ``root`` (sub-folders included), sorted by path.

    Unusable files are reported in :attr:`Corpus.problems` and skipped; duplicates (same
    text) are reported and indexed once. Raises :class:`CorpusError` when nothing usable is
    left. ``known``: a saved index's :func:`manifest`; its files that are unchanged on disk
    are not read now.
    """
    root = Path(root)
    if not root.exists():
        raise CorpusError(f"{root}: corpus folder not found")
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    shown = sorted(
        p for p in root.rglob("*") if not any(x.startswith(".") for x in p.relative_to(root).parts)
    )
    named = [p for p in shown if p.suffix.lower() in SUFFIXES and p.name.lower() != "readme.md"]
    problems: list[str] = []
    pages = [p for p in shown if p.suffix.lower() in WEB_PAGE_SUFFIXES and p.is_file()]
    if pages:  # a page's text is not a slice of its file: it is imported as Markdown first
        more = len(pages) - 1
        others = f" and {more} more web page{'s' if more > 1 else ''}" if more else ""
        example = pages[0].name if not more else "FILE.html ..."
        problems.append(
            f"{pages[0]}{others}: web pages are not read from the corpus folder; "
            f"import them with `briefbot add {example}`, skipped"
        )
    files = []
    for p in named:
        if p.is_symlink() and not p.exists():
            problems.append(f"{p}: broken link (to {os.readlink(p)}), skipped")
        elif p.is_dir():
            problems.append(f"{p}: a folder named like a document, skipped")
        elif p.is_file():
            files.append(p)
    if not files:
        if problems:
            raise CorpusError(f"{root}: no usable documents; " + "; ".join(problems))
        raise CorpusError(f"{root}: no documents (.md, .txt or .rst files) in the corpus folder")
    documents: list[Document] = []
    seen: dict[str, Document] = {}
    entries = _entries(known)
    for path in files:
        try:
            doc = _known(path, root, entries) or load_document(path, root)
        except CorpusError as exc:
            problems.append(str(exc))
            continue
        problems.extend(doc.problems)
        digest = doc.content_hash
        if digest in seen:
            problems.append(f"{path}: duplicate of {seen[digest].path}, indexed once")
            continue
        seen[digest] = doc
        documents.append(doc)
    if not documents:
        raise CorpusError(
            problems[0]
            if len(problems) == 1
            else f"{root}: no usable documents; " + "; ".join(problems)
        )
    if sum(d.length for d in documents) > HOLD_TEXTS_CHARS:
        # a large corpus holds none of its texts: read again where needed (module doc)
        documents = [d if d.loaded is None else replace(d, loaded=None) for d in documents]
    return Corpus(root=root, documents=tuple(documents), problems=tuple(problems))


def load_document(path: Path, root: Path | None = None) -> Document:
    """Read one document; raise :class:`CorpusError` naming the file and the problem."""
    try:
        read_at = time.time_ns()
        st = path.stat()
        size = st.st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{path}: file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in data:
        raise CorpusError(f"{path}: binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    doc_id = (path.relative_to(root) if root else Path(path.name)).with_suffix("").as_posix()
    meta: dict[str, Any] = {}
    body_start = 1 if text.startswith("\ufeff") else 0
    match = _FRONT_MATTER.match(text)
    if match:
        meta = _parse_front_matter(path, match.group(1))
        body_start = match.end()
    elif path.suffix.lower() in MARKDOWN_SUFFIXES and text.lstrip("\ufeff").startswith("---"):
        raise CorpusError(f"{path}: front matter starts with '---' but is never closed")
    elif path.suffix.lower() not in MARKDOWN_SUFFIXES:
        meta = docinfo(text, body_start)  # reStructuredText's ":Author:" and ":Date:"
    values, problems = _validated(path, meta) if meta else ({}, [])
    title_in_body = False
    heading = None
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        heading = first_heading(text, body_start)  # "Title" over "=====": the title
    if not values.get("title") and heading is not None and len(heading) <= 200:
        values["title"] = heading
        title_in_body = True
    elif not values.get("title"):
        first = _first_line(text, body_start)
        if first and len(first) <= 200:
            values["title"] = first.lstrip("# ").strip() or path.stem
            # the first line is a title (and no passage) when it is a heading or does not
            # end like a sentence; "The walrus swims fast." stays a paragraph
            title_in_body = first.startswith("#") or not first.rstrip("\"'”’)»").endswith(
                (".", "!", "?", "…")
            )
        else:
            values["title"] = path.stem.replace("-", " ").replace("_", " ").strip() or path.stem
    doc = Document(
        id=doc_id,
        path=path,
        loaded=text,
        digest=hashlib.sha256(data).hexdigest(),
        body_start=body_start,
        title_in_body=title_in_body,
        problems=tuple(problems),
        chars=len(text),
        stamp=(*_stat(st), read_at),
        **values,
    )
    if not _NOT_BLANK.search(text, body_start):
        raise CorpusError(f"{path}: empty document, no paragraphs")
    return doc


def byte_offsets(text: str, positions: list[int]) -> list[int]:
    """The UTF-8 byte offset of each character offset in ``positions`` (``len(text)``
    allowed): where it lies in the file the text was decoded from."""
    if text.isascii():
        return list(positions)
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8)
    starts = np.append(np.flatnonzero((data & 0xC0) != 0x80), len(data))
    return starts[np.asarray(positions, dtype=np.int64)].tolist()  # type: ignore[no-any-return]


def _stat(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def manifest(corpus: Corpus) -> dict[str, Any]:
    """What a saved index records of its documents so that a later start need not read
    them: each file's stamp, digest, length and metadata. A file changed less than
    ``params.RACY_STAT_NS`` before it was read is left out (its times could not tell a
    later change of the same size), and is read at the next start."""
    entries = []
    for doc in corpus.documents:
        if doc.stamp is None or doc.digest is None:
            continue
        size, mtime, ctime, inode, read_at = doc.stamp
        if max(mtime, ctime) >= read_at - RACY_STAT_NS:
            continue
        try:
            path = doc.path.relative_to(corpus.root).as_posix()
        except ValueError:
            continue
        meta = {name: getattr(doc, name) for name in FIELDS}
        entries.append(
            {
                "path": path,
                "stat": [size, mtime, ctime, inode],
                "read_at": read_at,
                "digest": doc.digest,
                "chars": doc.length,
                "body_start": doc.body_start,
                "title_in_body": doc.title_in_body,
                "problems": list(doc.problems),
                "meta": {k: list(v) if isinstance(v, tuple) else v for k, v in meta.items()},
            }
        )
    return {"version": MANIFEST_VERSION, "documents": entries}


def _entries(known: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not isinstance(known, Mapping) or known.get("version") != MANIFEST_VERSION:
        return {}
    entries = known.get("documents")
    if not isinstance(entries, list):
        return {}
    return {
        e["path"]: e for e in entries if isinstance(e, Mapping) and isinstance(e.get("path"), str)
    }


def _known(path: Path, root: Path, entries: dict[str, Mapping[str, Any]]) -> Document | None:
    """The document at ``path`` from the manifest, unread, when its file is unchanged;
    None when it must be read (not in the manifest, changed, or an entry that does not
    make sense)."""
    entry = entries.get(path.relative_to(root).as_posix()) if entries else None
    if entry is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    stat = _stat(st)
    try:
        if entry["stat"] != list(stat):
            return None
        meta = entry["meta"]
        values = {name: FIELDS[name](v) for name, v in meta.items() if v is not None}
        chars, body_start = int(entry["chars"]), int(entry["body_start"])
        digest, read_at = str(entry["digest"]), int(entry["read_at"])
        problems = tuple(str(p) for p in entry["problems"])
        if not 0 <= body_start < chars or len(digest) != 64:
            return None
        return Document(
            id=path.relative_to(root).with_suffix("").as_posix(),
            path=path,
            loaded=None,
            body_start=body_start,
            title_in_body=bool(entry["title_in_body"]),
            problems=problems,
            digest=digest,
            chars=chars,
            stamp=(*stat, read_at),  # type: ignore[arg-type]
            **values,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _parse_front_matter(path: Path, raw: str) -> dict[str, Any]:
    import yaml  # only documents with front matter need it

    # libyaml's safe loader where PyYAML was built with it (the same documents, about ten
    # times faster to read a folder of thousands of files), else the pure-Python one
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        meta = yaml.load(raw, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise CorpusError(f"{path}: malformed front matter{where}: not valid YAML") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: malformed front matter: expected 'key: value' lines")
    return meta


def _validated(path: Path, meta: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The front matter's known fields, each checked by its rule in :data:`FIELDS`; a field
    that breaks its rule is left out and reported (once, naming the file and the field),
    and the document is still indexed.

    Plain functions rather than a pydantic model: building one costs 0.45 s at every
    start (the bundled article has front matter), a third of a cold ``briefbot ask``."""
    meta = dict(meta)
    if "authors" not in meta and "author" in meta:
        meta["authors"] = meta.pop("author")
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, rule in FIELDS.items():
        value = meta.get(name)
        if value is None:
            continue
        try:
            values[name] = rule(value)
        except ValueError as exc:
            problems.append(f"{path}: front matter '{name}' {exc}; left out")
    return values, problems


def _text(value: Any) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("must be text")
    return str(value).strip()


def _names(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise ValueError("must be a name or a list of names")
    return tuple(v.strip() for v in items)


def _url(value: Any) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value.strip()


def _date(value: Any) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        for parse in (_dt.date.fromisoformat, _dt.datetime.fromisoformat):
            try:
                parse(value.strip())
                return value.strip()
            except ValueError:
                continue
    raise ValueError("must be a date (YYYY-MM-DD)")


# What a document's front matter may say, and the rule each field follows.
FIELDS: dict[str, Callable[[Any], Any]] = {
    "title": _text,
    "subtitle": _text,
    "authors": _names,
    "translator": _text,
    "publisher": _text,
    "published": _date,
    "url": _url,
    "original_url": _url,
    "original_language": _text,
    "language": _text,
    "boilerplate": _names,
}


def _first_line(text: str, start: int) -> str:
    match = _FIRST_LINE.search(text, start)
    return match.group(1).strip() if match else ""
