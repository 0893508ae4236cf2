"""How common a word is in general English: what makes a topic specific to a document.

The measure is the word's rank in the sentence encoder's WordPiece vocabulary
(bert-base-uncased's, shipped in the model package): its whole words are stored in order
of frequency in the English text it was built from ("the" first; "minister" 708th,
"peacekeeping" 26,368th). A word of the document's that is not in it, under any of its
inflections, is rarer than the 28,000 listed words (a name, a compound such as
"filter-repo", a term of art). Without the model package no word is known to be common.
"""

from __future__ import annotations

import functools
import json
import zipfile

from . import params
from .encoder import EncoderUnavailable, model_zip

FIRST_WORD = "the"  # the vocabulary's words start here; before it: special tokens, characters


@functools.lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    try:
        with zipfile.ZipFile(model_zip()) as zf:
            vocab: dict[str, int] = json.loads(zf.read("tokenizer.json"))["model"]["vocab"]
    except (EncoderUnavailable, OSError, KeyError, ValueError, zipfile.BadZipFile):
        return {}
    start = vocab.get(FIRST_WORD, 0)
    return {w: i - start + 1 for w, i in vocab.items() if i >= start and w.isalpha()}


def _forms(word: str) -> list[str]:
    """The word and the forms it may be listed under ("commands" -> "command")."""
    w = word.casefold()
    out = [w]
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("'s", ""),
        ("\u2019s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            out.append(w[: -len(suffix)] + repl)
    return out


def rank(word: str) -> int | None:
    """The word's frequency rank in general English (1 = most common), or None when it is
    rarer than every listed word (or the list is not installed)."""
    ranks = _ranks()
    found = [ranks[f] for f in _forms(word) if f in ranks]
    return min(found) if found else None


def listed_rank(word: str) -> int | None:
    """The rank of exactly this form of the word (no de-inflection), or None."""
    return _ranks().get(word.casefold())


def everyday(word: str) -> bool:
    """Whether the word is among the params.EVERYDAY_RANK commonest of general English."""
    r = rank(word)
    return r is not None and r <= params.EVERYDAY_RANK


def available() -> bool:
    return bool(_ranks())
