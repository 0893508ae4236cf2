"""How briefbot speaks of what it knows: "the article", "the document", "the documents" or
a document's title, and the sentences that say what they do not say. One home, so answers,
refusals, summaries and help word it alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .corpus import Document
    from .index import PassageIndex


def kind(doc: Document) -> str:
    """ "article" for a dated piece (a news or magazine article, a blog post), else
    "document" (documentation, a manual, notes): how a lone document is spoken of."""
    return "article" if doc.published else "document"


def noun_for(documents: Sequence[Document], document: str | None = None) -> str:
    """ "the article" (or "the document") when there is one document, the document's title
    when the request was limited to one of several, else "the documents"."""
    if len(documents) == 1:
        return f"the {kind(documents[0])}"
    for doc in documents:
        if doc.id == document:
            return f"“{doc.title or doc.id}”"
    return "the documents"


def noun(index: PassageIndex, document: str | None = None) -> str:
    """:func:`noun_for` the index's documents."""
    return noun_for(index.corpus.documents, document)


def by(doc: Document) -> str:
    """An authorship question's answer from a document's metadata: '“Title” is by A, B.'"""
    return f"“{doc.title or doc.id}” is by {doc.byline}."


def source(doc: Document) -> str:
    """Where a document comes from, by its metadata: '“Title” is from Publisher
    (published 2022-01-11), by A, B; first published in Ukrainian at URL.' (what the
    metadata lacks is left out)."""
    said = f"“{doc.title or doc.id}”"
    if doc.publisher:
        said += f" is from {doc.publisher}"
        if doc.published:
            said += f" (published {doc.published})"
        if doc.byline:
            said += f", by {doc.byline}"
    elif doc.byline:
        said += f" is by {doc.byline}"
    else:
        said += " is online"
    if doc.original_url:  # a translation, or a copy: where it first appeared
        language = f" in {doc.original_language}" if doc.original_language else ""
        said += f"; first published{language} at {doc.original_url}"
    return said + "."


def attribution(doc: Document, asked_source: bool) -> tuple[str, ...]:
    """The lines of an answer taken from a document's metadata: what was asked (who wrote
    it, or where it comes from), then its link when it has one."""
    said = source(doc) if asked_source else by(doc)
    return (said, doc.url) if doc.url else (said,)


def listed(items: Sequence[str], last: str = "or") -> str:
    """ "A", "A or B", "A, B or C" (``last`` the word before the last item)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {last} " + items[-1]


def possessive(subject: str) -> str:
    """ "the article's", "the documents'", "“Title”'s"."""
    return subject + ("'" if subject.endswith("s") and subject.startswith("the ") else "'s")


def sentence(subject: str, verb: str, rest: str) -> str:
    """'The article does not …', 'The documents do not …', '“Title” does not …'."""
    if subject == "the documents" and verb.endswith("es"):
        verb = verb[:-2]
    elif subject == "the documents" and verb == "has":
        verb = "have"
    return f"{subject[:1].upper()}{subject[1:]} {verb} {rest}"


MAX_LISTED = 10  # documents named when asked what is known; the rest are counted


def catalogue(documents: Sequence[Document]) -> str:
    """What briefbot knows, when asked: the documents' titles (the first MAX_LISTED)."""
    titles = [f"“{d.title or d.id}”" for d in documents[:MAX_LISTED]]
    more = len(documents) - len(titles)
    if more:
        titles.append(f"{more} more")
    if len(documents) == 1:
        return f"I know one document: {listed(titles)}. Ask me a question about it."
    return (
        f"I know {len(documents)} documents: {listed(titles, 'and')}. Ask me a question about them."
    )
