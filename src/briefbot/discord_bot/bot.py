"""The bot: a ``commands.Bot`` holding the settings, the engine and the cooldown.

The engine (corpus and index) is built before connecting and only ever called through
:meth:`BriefbotBot.run_engine`, in a worker thread, so the event loop never waits on it.
``/reload`` swaps the engine's index; work that makes several engine calls which must
agree (an answer and its buttons' fingerprint) runs on ``engine.pinned()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from ..discord_render import corpus_fingerprint, render_error
from ..errors import BriefbotError
from .cooldown import Cooldown
from .sending import INTERNAL_ERROR, NO_MENTIONS, send_interaction

if TYPE_CHECKING:
    from ..engine import Briefbot
    from ..settings import Settings

log = logging.getLogger("briefbot.discord")
T = TypeVar("T")

EXTENSIONS = (
    "briefbot.discord_bot.cogs.questions",
    "briefbot.discord_bot.cogs.commands",
    "briefbot.discord_bot.cogs.admin",
)


class BriefbotTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, BriefbotError):
            text = str(original)
        elif isinstance(error, app_commands.CheckFailure):
            text = str(error) or "You cannot use this command here."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("Command /%s failed", command, exc_info=original)
            text = INTERNAL_ERROR
        await send_interaction(interaction, render_error(text))


class BriefbotBot(commands.Bot):
    """briefbot on Discord. ``engine`` may be None only for ``briefbot sync``."""

    defer_after = 1.0  # seconds of work before an interaction is deferred

    def __init__(
        self,
        settings: Settings,
        engine: Briefbot | None,
        *,
        sync_on_start: bool = True,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = settings.message_content
        options.setdefault("owner_ids", set(settings.owner_ids))
        super().__init__(
            command_prefix=commands.when_mentioned,  # no text commands: see on_message
            intents=intents,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=BriefbotTree,
            **options,
        )
        self.settings = settings
        self.engine = engine
        self.sync_on_start = sync_on_start
        self.cooldown = Cooldown(settings.cooldown_questions, settings.cooldown_seconds)
        self._topics: tuple[Any, tuple[Any, ...]] | None = None  # (index, its topics)
        if engine is not None:
            corpus_fingerprint(engine)  # computed once per index, now rather than on a click

    @property
    def fingerprint(self) -> str:
        """The current index's corpus fingerprint: buttons made for another one expire."""
        return corpus_fingerprint(self.engine) if self.engine is not None else ""

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild_id = self.settings.dev_guild_id
        if self.sync_on_start and guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to guild %s", len(synced), guild_id)

    async def on_ready(self) -> None:
        log.info("Logged in as %s (%s)", self.user, self.user and self.user.id)

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: the Questions cog listens to messages."""

    async def run_engine(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the engine in a worker thread."""
        if self.engine is None:
            raise BriefbotError("The article is not loaded.")
        return await asyncio.to_thread(fn, *args, **kwargs)

    def topics_now(self) -> tuple[Any, ...]:
        """The corpus's topics, computed once per index; call it in a worker thread."""
        assert self.engine is not None
        engine = self.engine.pinned()
        cached = self._topics
        if cached is None or cached[0] is not engine.index:
            cached = self._topics = (engine.index, tuple(engine.topics()))
        return cached[1]

    async def topics(self) -> tuple[Any, ...]:
        """The corpus's topics (for autocomplete), without blocking the event loop."""
        cached = self._topics
        if cached is not None and self.engine is not None and cached[0] is self.engine.index:
            return cached[1]
        return await self.run_engine(self.topics_now)

    def reload_now(self) -> Briefbot:
        """Re-read the corpus folder and swap the new index in; call it in a worker thread.

        Returns the engine pinned to the new index. Raises CorpusError, keeping the old
        index, when the folder has become unusable. Questions already running finish on
        the index they started with.
        """
        assert self.engine is not None
        engine = self.engine.reload().pinned()
        self._topics = None  # computed again, for the new index, when first asked for
        corpus_fingerprint(engine)
        with contextlib.suppress(BriefbotError):  # build lazy caches now, as at start-up
            engine.ask("what happened")
        return engine
