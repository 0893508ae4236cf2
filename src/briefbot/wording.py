"""How briefbot speaks of what it knows: "the article", "the documents" or a document's
title, and the sentences that say what they do not say. One home, so answers, refusals and
summaries word it alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import PassageIndex


def noun(index: PassageIndex, document: str | None = None) -> str:
    """ "the article" when the corpus is one document, the document's title when the
    request was limited to one of several, else "the documents"."""
    if len(index.documents) == 1:
        return "the article"
    if document is not None and document in index.documents:
        return f"“{index.documents[document].title or document}”"
    return "the documents"


def sentence(subject: str, verb: str, rest: str) -> str:
    """'The article does not …', 'The documents do not …', '“Title” does not …'."""
    if subject == "the documents" and verb.endswith("es"):
        verb = verb[:-2]
    return f"{subject[:1].upper()}{subject[1:]} {verb} {rest}"
