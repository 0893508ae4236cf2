"""Loading documents (text plus metadata) from the corpus folder.

A document is either Markdown with YAML front matter (``.md``) or plain text (``.txt``).
Offsets everywhere in briefbot are character offsets into :attr:`Document.text`, the file's
full decoded text, so ``doc.text[start:end]`` is always the source's own text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import CorpusError

MARKDOWN_SUFFIXES = (".md", ".markdown")
SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt")
MAX_FILE_BYTES = 20_000_000  # a single document larger than this is reported, not indexed

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Document:
    """One source document and its metadata."""

    id: str  # path relative to the corpus folder, without suffix, with "/" separators
    path: Path
    text: str = field(repr=False, compare=False)
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


def default_corpus_dir() -> Path:
    """./corpus when it exists, else the corpus bundled with this checkout."""
    here = Path("corpus")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "corpus"


def load_corpus(root: str | Path) -> Corpus:
    """Load every document under ``root`` (sub-folders included), sorted by path.

    Unusable files are reported in :attr:`Corpus.problems` and skipped; duplicates (same
    text) are reported and indexed once. Raises :class:`CorpusError` when nothing usable is left.
    """
    root = Path(root)
    if not root.exists():
        raise CorpusError(f"{root}: corpus folder not found")
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    named = sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and p.name.lower() != "readme.md"
    )
    problems: list[str] = []
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
        raise CorpusError(f"{root}: no documents (.md or .txt files) in the corpus folder")
    documents: list[Document] = []
    seen: dict[str, Document] = {}
    for path in files:
        try:
            doc = load_document(path, root)
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
    return Corpus(root=root, documents=tuple(documents), problems=tuple(problems))


def load_document(path: Path, root: Path | None = None) -> Document:
    """Read one document; raise :class:`CorpusError` naming the file and the problem."""
    try:
        size = path.stat().st_size
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
    values, problems = _validated(path, meta) if meta else ({}, [])
    title_in_body = False
    if not values.get("title"):
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
        text=text,
        digest=hashlib.sha256(data).hexdigest(),
        body_start=body_start,
        title_in_body=title_in_body,
        problems=tuple(problems),
        **values,
    )
    if not text[body_start:].strip():
        raise CorpusError(f"{path}: empty document, no paragraphs")
    return doc


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
    for line in text[start:].splitlines():
        if line.strip():
            return line.strip()
    return ""
