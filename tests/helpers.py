"""Shared test helpers: the bundled corpus, and small corpora written on the fly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
ARTICLE = CORPUS / "occupation-not-yet-intervention-already.md"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def texts_passed(owner: Any, method: str) -> Iterator[list[str]]:
    """The texts given to ``owner.method(texts, ...)`` while the block runs, in order (the
    method still does its work)."""
    seen: list[str] = []
    real = getattr(owner, method)

    def counting(texts, *args, **kwargs):
        seen.extend(texts)
        return real(texts, *args, **kwargs)

    setattr(owner, method, counting)
    try:
        yield seen
    finally:
        delattr(owner, method)
