"""Related words from WordNet, for questions worded differently from the article.

The data file (``data/thesaurus.sqlite``, built by ``scripts/build_thesaurus.py`` from
WordNet 3.0) holds, per English lemma, the words related to it in its common senses and
the content words of their definitions, what kind of thing each name in it names, and
irregular forms under ``~form``. It is opened
read-only on first use; a lookup takes microseconds and nothing is parsed at start-up.
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


@lru_cache(maxsize=65536)
def related(word: str) -> tuple[str, ...]:
    """Words related to a folded English word, closest first; () for unknown words."""
    base = lemma(word)
    if base is None:
        return ()
    entry = _entry(base)
    if entry is None:
        return ()
    return tuple(entry.split())


@lru_cache(maxsize=65536)
def definition_words(word: str) -> tuple[str, ...]:
    """Content words of the definitions of a folded word's commonest senses ("troops" ->
    soldiers, collectively); () for words WordNet does not know."""
    base = lemma(word)
    db = _db()
    if base is None or db is None:
        return ()
    row = db.execute("SELECT words FROM gloss WHERE word = ?", (base,)).fetchone()
    return () if row is None else tuple(str(row[0]).split())


@lru_cache(maxsize=65536)
def kinds(word: str) -> tuple[str, ...]:
    """What kind of thing a folded name names ("armenia" -> country, nation, state, land;
    "ukrainian" -> slavic, language); () for words WordNet has no name for."""
    db = _db()
    if db is None or not word.isalpha():
        return ()
    try:
        row = db.execute("SELECT words FROM kinds WHERE word = ?", (word,)).fetchone()
    except sqlite3.Error:
        return ()
    return () if row is None else tuple(str(row[0]).split())


@lru_cache(maxsize=65536)
def commonness(word: str) -> int:
    """How often a folded word's lemma occurs in WordNet's tagged corpus of everyday English
    (SemCor, about 200,000 words): "come" 814, "troop" 15, "kremlin" 0."""
    base = lemma(word)
    db = _db()
    if base is None or db is None:
        return 0
    try:
        row = db.execute("SELECT n FROM counts WHERE word = ?", (base,)).fetchone()
    except sqlite3.Error:
        return 0
    return 0 if row is None else int(row[0])


@lru_cache(maxsize=65536)
def is_compound(phrase: str) -> bool:
    """Whether folded words ("secretary general") make a compound noun in everyday use."""
    db = _db()
    if db is None:
        return False
    try:
        row = db.execute("SELECT 1 FROM compounds WHERE phrase = ?", (phrase,)).fetchone()
    except sqlite3.Error:
        return False
    return row is not None


def is_english(word: str) -> bool:
    """Whether WordNet knows the word (in some form): a general word rather than a name."""
    return lemma(word) is not None
