"""The one API the adapters (CLI, Discord) call: load a corpus once, then ask."""

from __future__ import annotations

from pathlib import Path

from .answers import Answer, answer
from .corpus import Corpus, Document, load_corpus
from .index import PassageIndex
from .passages import Passage


class Briefbot:
    """A corpus, indexed once, answering questions about it."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.index = PassageIndex(corpus)

    @classmethod
    def from_folder(cls, folder: str | Path) -> Briefbot:
        return cls(load_corpus(folder))

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    @property
    def problems(self) -> tuple[str, ...]:
        return self.corpus.problems

    def ask(
        self, question: str, *, top: int = 3, document: str | None = None, offset: int = 0
    ) -> Answer:
        """Answer ``question`` with up to ``top`` verbatim, attributed excerpts."""
        return answer(self.index, question, top=top, document=document, offset=offset)

    def passage(self, passage_id: int) -> Passage:
        return self.index.passages[passage_id]

    def context(self, passage_id: int, radius: int = 1) -> list[Passage]:
        """The passage with up to ``radius`` neighbours on each side, same document only."""
        center = self.index.passages[passage_id]
        lo, hi = self.index.document_range(center.doc_id)
        return list(self.index.passages[max(lo, passage_id - radius) : min(hi, passage_id + radius + 1)])
