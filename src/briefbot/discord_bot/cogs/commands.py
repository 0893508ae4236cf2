"""Slash commands (/ask, /summary, /topics, /source, /help) and the answer buttons.

Each command is: validate, one engine call in a worker thread, render, send.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from ...discord_render import (
    EXPIRED,
    VOTE_THANKS,
    DiscordMessage,
    button_response,
    corpus_fingerprint,
    document_choices,
    document_position,
    parse_custom_id,
    parse_vote,
    question_problem,
    render_answer,
    render_cooldown,
    render_error,
    render_help,
    render_sources,
    render_summary,
    render_topics,
    topic_choices,
)
from ...question import MAX_QUESTION_CHARS, MAX_TOPIC_CHARS
from .. import app_commands, commands, discord
from ..bot import BriefbotBot, BriefbotButton, answer_interaction, send_interaction

log = logging.getLogger("briefbot.discord")

QUESTION_MAX = MAX_QUESTION_CHARS  # the engine's limit; /ask's max_length is set from the
# settings below


class Commands(commands.Cog):
    def __init__(self, bot: BriefbotBot) -> None:
        self.bot = bot
        # Discord's client enforces max_length: make it BRIEFBOT_MAX_QUESTION_CHARS (this
        # cog's own copy of the command; the parameter objects are shared, so replace it).
        params = self.ask._params
        limit = min(bot.settings.max_question_chars, QUESTION_MAX)
        params["question"] = dataclasses.replace(params["question"], max_value=limit)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(BriefbotButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(BriefbotButton)

    # --- guards ---

    async def _refused(self, itx: discord.Interaction, question: str | None = None) -> bool:
        """Answer and return True when the question is empty, too long, or the user must wait."""
        if question is not None:
            problem = question_problem(question, self.bot.settings.max_question_chars)
            if problem:
                await send_interaction(itx, render_error(problem))
                return True
        wait = self.bot.cooldown.retry_after(itx.user.id)
        if wait:
            await send_interaction(itx, render_cooldown(wait))
            return True
        return False

    async def _answer(self, itx: discord.Interaction, work: Any, *, ephemeral: bool) -> None:
        bot = self.bot
        await answer_interaction(
            itx, work, ephemeral=ephemeral, defer_after=bot.defer_after, run=bot.run_engine
        )

    # --- commands ---

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="Your question about the article, e.g. Who sent troops to Kazakhstan?",
        private="Only you see the answer (default: everyone in the channel)",
        document="Only search this document (see /source)",
    )
    async def ask(
        self,
        itx: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
        private: bool = False,
        document: str | None = None,
    ) -> None:
        """Ask about the documents: the answer quotes them word for word, with links."""
        if await self._refused(itx, question):
            return
        bot = self.bot
        top = bot.settings.top
        typed = (document or "").strip() or None
        user_id = itx.user.id
        previous = bot.previous_question(user_id)

        def work() -> DiscordMessage:
            assert bot.engine is not None
            engine = bot.engine.pinned()  # the answer and its buttons from one index
            position = None
            if typed is not None:
                position = document_position(engine.documents, typed)
            chosen = _document_id(engine, typed)
            answer = engine.ask(  # an unknown document: InputError
                question, top=top, document=chosen, previous=previous, plainly=True
            )
            bot.remember_question(user_id, answer)
            return render_answer(
                answer,
                fingerprint=corpus_fingerprint(engine),
                top=top,
                ephemeral=private,
                document=position,
                feedback=bot.record(answer, user_id, chosen),
            )

        await self._answer(itx, work, ephemeral=private)

    def _document_choices(self, current: str) -> list[app_commands.Choice[str]]:
        engine = self.bot.engine
        if engine is None:
            return []
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in document_choices(engine.documents, current)
        ]

    @ask.autocomplete("document")
    async def ask_document(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._document_choices(current)

    @app_commands.command(name="summary")
    @app_commands.describe(
        topic="A topic from /topics; leave empty for the whole article",
        document="Only this document (see /source)",
    )
    async def summary(
        self,
        itx: discord.Interaction,
        topic: app_commands.Range[str, 0, MAX_TOPIC_CHARS] | None = None,
        document: str | None = None,
    ) -> None:
        """The key sentences of the documents, or of one topic, quoted word for word."""
        if await self._refused(itx):
            return
        bot = self.bot
        chosen = " ".join(topic.split()) if topic else None
        typed = (document or "").strip() or None

        def work() -> DiscordMessage:
            assert bot.engine is not None
            engine = bot.engine.pinned()
            return render_summary(
                engine.summarize(chosen or None, document=_document_id(engine, typed))
            )

        await self._answer(itx, work, ephemeral=False)

    @summary.autocomplete("document")
    async def summary_document(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._document_choices(current)

    @summary.autocomplete("topic")
    async def summary_topic(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            topics = await self.bot.topics()
        except Exception:
            log.exception("Topics for autocomplete failed")
            return []
        return [app_commands.Choice(name=n, value=n) for n in topic_choices(topics, current)]

    @app_commands.command(name="topics")
    @app_commands.describe(document="Only this document (see /source)")
    async def topics(self, itx: discord.Interaction, document: str | None = None) -> None:
        """What the documents talk about: topics you can pass to /summary."""
        bot = self.bot
        typed = (document or "").strip() or None

        def work() -> DiscordMessage:
            if typed is None:
                what = bot.engine.what() if bot.engine is not None else "the documents"
                return render_topics(bot.topics_now(), what=what)
            assert bot.engine is not None
            engine = bot.engine.pinned()
            doc_id = _document_id(engine, typed)
            return render_topics(engine.topics(doc_id), what=engine.what(doc_id))

        await self._answer(itx, work, ephemeral=False)

    @topics.autocomplete("document")
    async def topics_document(
        self, itx: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self._document_choices(current)

    @app_commands.command(name="source")
    async def source(self, itx: discord.Interaction) -> None:
        """What I know: the documents, their authors, dates and links."""
        bot = self.bot

        def work() -> DiscordMessage:
            assert bot.engine is not None
            engine = bot.engine.pinned()  # documents and passages from one index
            counts: dict[str, int] = {}
            for p in engine.index.passages:
                counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
            return render_sources(engine.documents, counts)

        await self._answer(itx, work, ephemeral=False)

    @app_commands.command(name="help")
    async def help(self, itx: discord.Interaction) -> None:
        """How to ask me questions, and what each command does."""
        s = self.bot.settings
        channels = s.answer_channels if s.message_content else []
        what = self.bot.engine.what() if self.bot.engine is not None else "the documents"
        message = render_help(
            watched_channels=channels, max_question_chars=s.max_question_chars, what=what
        )
        await send_interaction(itx, message)

    # --- buttons ---

    async def on_button(self, itx: discord.Interaction, custom_id: str) -> None:
        """'More' and 'Context': the state is in the custom_id; an old corpus means expired.
        👍 / 👎: the vote is stored (a person's later vote replaces their earlier one)."""
        bot = self.bot
        vote = parse_vote(custom_id)
        if vote is not None:
            await self._vote(itx, *vote)
            return
        action = parse_custom_id(custom_id)
        if action is None or action.fingerprint != bot.fingerprint:
            await send_interaction(itx, render_error(EXPIRED))
            return
        if action.kind == "more" and await self._refused(itx):
            return
        embeds = itx.message.embeds if itx.message else []
        title = embeds[0].title if embeds else None
        engine, top = bot.engine, bot.settings.top
        assert engine is not None

        def work() -> DiscordMessage:
            return button_response(engine, custom_id, title=title, top=top)

        await self._answer(itx, work, ephemeral=True)

    async def _vote(self, itx: discord.Interaction, token: str, vote: int) -> None:
        store = self.bot.feedback
        if store is not None:
            await asyncio.to_thread(store.vote, token, itx.user.id, vote)
        await send_interaction(itx, render_error(VOTE_THANKS["up" if vote > 0 else "down"]))


def _document_id(engine: Any, typed: str | None) -> str | None:
    """The id of the document a member typed (its id or title); what they typed when it
    names none, so the engine answers with the list of documents."""
    if typed is None:
        return None
    position = document_position(engine.documents, typed)
    return engine.documents[position].id if position is not None else typed


async def setup(bot: BriefbotBot) -> None:
    await bot.add_cog(Commands(bot))
