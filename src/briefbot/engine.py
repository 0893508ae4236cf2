"""The one API the adapters (CLI, Discord) call: load a corpus once, then ask."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast

from .answers import Answer, Excerpt, Hit, answer
from .cache import known_documents, open_index
from .corpus import Corpus, Document, DocumentChanged, load_corpus
from .encoder import Encoder, EncoderUnavailable, load_encoder
from .followup import follows_up, with_context
from .passages import Passage
from .question import asks_gist, check_question, without_chat
from .summaries import MAX_SENTENCES, Summary, Topic, summarize, topics
from .wording import noun_for, possessive, sentence

GIST_NOTE = "The gist: {whose} most central sentences, in order."
GIST_DONE = "That was the brief of {what}; ask about a topic for more."

F = TypeVar("F", bound=Callable[..., Any])


def _fresh(method: F) -> F:
    """A call that finds a document's file changed since the index was built (its text is
    read only when needed) reloads the corpus and is made again, once: an answer is never
    cut from text other than what was indexed."""

    @functools.wraps(method)
    def call(self: Briefbot, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DocumentChanged:
            self.reload()
            return method(self, *args, **kwargs)

    return cast(F, call)


class Briefbot:
    """A corpus, indexed once, answering questions about it.

    ``cache_dir`` is where indexes are saved (default: ``.briefbot-index`` in the corpus
    folder); ``save`` as for :func:`briefbot.cache.open_index`. ``semantic=False`` answers
    with lexical matching only; so does an engine whose encoder cannot be loaded, which
    says so once through ``warn``.
    """

    def __init__(
        self,
        corpus: Corpus,
        *,
        cache_dir: str | Path | None = None,
        save: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
        warn: Callable[[str], None] | None = None,
        semantic: bool = True,
        bot_names: tuple[str, ...] = ("briefbot",),
    ) -> None:
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self._warn = warn
        self.bot_names = bot_names
        self._semantic = semantic
        # shared by pinned copies: the model is loaded (or found missing) once, when first
        # needed (a saved index and summaries need no model)
        self._model: dict[str, Any] = {"tried": False, "encoder": None, "problem": None}
        self.index = open_index(
            corpus,
            self.cache_dir,
            save=save,
            progress=progress,
            warn=warn,
            encoder=self._load_encoder if semantic else None,
        )

    def _load_encoder(self) -> Encoder | None:
        state = self._model
        if not state["tried"]:
            state["tried"] = True
            try:
                state["encoder"] = load_encoder()
            except EncoderUnavailable as exc:
                state["problem"] = str(exc)
                if self._warn:
                    self._warn(
                        f"semantic matching is off ({exc}); answering with word matching only"
                    )
        return state["encoder"]

    @property
    def encoder(self) -> Encoder | None:
        """The sentence encoder (loaded on first use), or None: off, or not loadable."""
        return self._load_encoder() if self._semantic else None

    @property
    def encoder_problem(self) -> str | None:
        return self._model["problem"]

    @classmethod
    def from_folder(cls, folder: str | Path, **options: Any) -> Briefbot:
        """The engine of the corpus folder ``folder``; documents unchanged since its index
        was saved are not read until an answer needs their text."""
        given = options.get("cache_dir")  # a path, or text as for ``folder``
        cache_dir = None if given is None else Path(given)
        try:
            return cls(load_corpus(folder, known_documents(Path(folder), cache_dir)), **options)
        except DocumentChanged:  # a file changed while it was being indexed: read it again
            return cls(load_corpus(folder, known_documents(Path(folder), cache_dir)), **options)

    @property
    def corpus(self) -> Corpus:
        return self.index.corpus

    def reload(self) -> Briefbot:
        """Re-read the corpus folder and swap the new index in.

        Questions already running finish on the old index: each one holds the index it
        started with, and the swap is a single assignment. Raises CorpusError (and keeps
        the old index) when the folder has become unusable.
        """
        root = self.corpus.root
        for attempt in (1, 2):  # a file that changes while it is indexed is read again
            try:
                index = open_index(
                    load_corpus(root, known_documents(root, self.cache_dir)),
                    self.cache_dir,
                    save=None,
                    warn=self._warn,
                    encoder=self._load_encoder if self._semantic else None,
                    reuse=self.index,
                )
                break
            except DocumentChanged:
                if attempt == 2:
                    raise
        self.index = index
        return self

    def pinned(self) -> Briefbot:
        """This engine fixed to its current index: a later :meth:`reload` does not change it.

        For several calls that must agree with each other (an answer and the corpus
        fingerprint of its buttons) while a reload may swap the index in between.
        """
        return copy.copy(self)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.corpus.documents

    def what(self, document: str | None = None) -> str:
        """How answers speak of the documents: "the article", "the documents", a title."""
        return noun_for(self.documents, document)

    @property
    def problems(self) -> tuple[str, ...]:
        return self.corpus.problems

    @_fresh
    def ask(
        self,
        question: str,
        *,
        top: int = 3,
        document: str | None = None,
        offset: int = 0,
        previous: str | None = None,
        plainly: bool = False,
    ) -> Answer:
        """Answer ``question`` with up to ``top`` verbatim, attributed excerpts. A question
        for the gist of the documents ("tldr?") is answered with their brief.

        ``previous`` is the question asked before (the answer replied to, or the same
        person's last one): a follow-up of it ("why?", "and Ukraine?") is searched together
        with it, and the answer says so. ``plainly``: only a plain follow-up counts (see
        :func:`briefbot.followup.follows_up`)."""
        if (
            previous
            and isinstance(question, str)
            and follows_up(question, plainly=plainly, bot_names=self.bot_names)
        ):
            searched = with_context(question, previous)
            found = self.ask(searched, top=top, document=document, offset=offset)
            note = f"Following up on: {' '.join(previous.split())}"
            return replace(
                found,
                question=question,
                follows=previous,
                searched=searched,
                notes=(note, *found.notes),
            )
        if (
            document is None
            and isinstance(question, str)
            and asks_gist(without_chat(question, self.bot_names))
        ):
            return self._gist(question, top, offset)
        return answer(
            self.index,
            question,
            top=top,
            document=document,
            offset=offset,
            encoder=self.encoder,
            bot_names=self.bot_names,
        )

    def _gist(self, question: str, top: int, offset: int) -> Answer:
        check_question(question, top)  # the same checks as any question
        if offset > 0:
            reason = GIST_DONE.format(what=self.what())
            return Answer(question, answered=False, reason=reason, offset=offset)
        brief = summarize(self.index, None, min(top, MAX_SENTENCES))
        hits = []
        for rank, s in enumerate(brief.sentences, 1):
            start, end = s.start - s.passage.start, s.end - s.passage.start
            excerpt = Excerpt(start, end, s.passage.text[start:end], (), ())
            hits.append(Hit(rank, s.passage, 1.0, excerpt))  # all of them: the gist
        if not hits:
            reason = sentence(self.what(), "has", "no sentences to sum up.")
            return Answer(question, answered=False, reason=reason)
        note = GIST_NOTE.format(whose=possessive(self.what()))
        return Answer(question, answered=True, hits=tuple(hits), notes=(note,))

    @_fresh
    def summarize(
        self, topic: str | None = None, max_sentences: int = 5, document: str | None = None
    ) -> Summary:
        """The corpus's own sentences about ``topic`` (None: a brief), in order; only
        ``document``'s when given."""
        return summarize(self.index, topic, max_sentences, document)

    @_fresh
    def topics(self, document: str | None = None) -> tuple[Topic, ...]:
        """Section headings and salient names and concepts, for autocomplete and listings;
        only ``document``'s when given."""
        return topics(self.index, document)

    @_fresh
    def passage(self, passage_id: int) -> Passage:
        return self.index.passages[passage_id]

    @_fresh
    def context(self, passage_id: int, radius: int = 1) -> list[Passage]:
        """The passage with up to ``radius`` neighbours on each side, same document only."""
        index = self.index
        center = index.passages[passage_id]
        lo, hi = index.document_range(center.doc_id)
        return list(index.passages[max(lo, passage_id - radius) : min(hi, passage_id + radius + 1)])
