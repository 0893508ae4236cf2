"""Related words from WordNet, for questions worded differently from the article.

The data file (``data/thesaurus.tsv.gz``, built by ``scripts/build_thesaurus.py`` from
WordNet 3.0) holds, per English lemma, the words related to it in its common senses, and
irregular forms as ``~form<TAB>lemma``. It is read once, lazily, and searched in place.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

_SUFFIXES = (  # WordNet's "morphy" detachment rules, all parts of speech together
    ("ies", "y"), ("es", "e"), ("es", ""), ("s", ""), ("ves", "f"), ("ied", "y"),
    ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("er", ""), ("est", ""),
    ("er", "e"), ("est", "e"),
)


@lru_cache(maxsize=1)
def _data() -> str:
    path = resources.files("briefbot") / "data" / "thesaurus.tsv.gz"
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return "\n" + fh.read()
    except (OSError, EOFError):  # a broken install answers without synonyms, never crashes
        return "\n"


def _entry(word: str) -> str | None:
    data = _data()
    key = f"\n{word}\t"
    at = data.find(key)
    if at < 0:
        return None
    end = data.find("\n", at + len(key))
    return data[at + len(key) : end if end >= 0 else None]


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


@lru_cache(maxsize=4096)
def related(word: str) -> tuple[str, ...]:
    """Words related to a folded English word, closest first; () for unknown words."""
    base = lemma(word)
    if base is None:
        return ()
    entry = _entry(base)
    if entry is None:
        return ()
    return tuple(entry.split())


def is_english(word: str) -> bool:
    """Whether WordNet knows the word (in some form): a general word rather than a name."""
    return lemma(word) is not None
