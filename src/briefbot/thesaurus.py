"""Whether a word is English: WordNet's lemmas, so a dictionary word is never "corrected".

The data file (``data/thesaurus.sqlite``, built by ``scripts/build_thesaurus.py`` from
WordNet 3.0) holds every English lemma, and irregular forms under ``~form`` with their
lemma. It is opened read-only on first use; a lookup takes microseconds.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from importlib import resources

_SUFFIXES = (  # WordNet's "morphy" detachment rules, all parts of speech together
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("s", ""),
    ("ves", "f"),
    ("ied", "y"),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
)


@lru_cache(maxsize=1)
def _db() -> sqlite3.Connection | None:
    path = resources.files("briefbot") / "data" / "thesaurus.sqlite"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        db.execute("SELECT 1 FROM related LIMIT 1")
        return db
    except sqlite3.Error:  # a broken install answers without related words, never crashes
        return None


def data_version() -> str:
    """Identifies the thesaurus data (saved indexes depend on it): a digest of its rows."""
    db = _db()
    if db is None:
        return "none"
    try:
        row = db.execute("SELECT digest FROM version").fetchone()
    except sqlite3.Error:
        row = None
    return "unversioned" if row is None else str(row[0])


@lru_cache(maxsize=65536)
def _entry(word: str) -> str | None:
    db = _db()
    if db is None:
        return None
    row = db.execute("SELECT words FROM related WHERE word = ?", (word,)).fetchone()
    return None if row is None else str(row[0])


@lru_cache(maxsize=65536)
def lemma(word: str) -> str | None:
    """The dictionary form of an English word ("sent" -> "send"), None if not English."""
    if _entry(word) is not None:
        return word
    irregular = _entry("~" + word)
    if irregular is not None and _entry(irregular) is not None:
        return irregular
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            base = word[: len(word) - len(suffix)] + repl
            if _entry(base) is not None:
                return base
    return None


def is_english(word: str) -> bool:
    """Whether WordNet knows the word (in some form): a general word rather than a name."""
    return lemma(word) is not None
