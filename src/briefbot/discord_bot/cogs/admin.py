"""Owner-only commands: ``/sync``, ``/reload`` and ``/gaps``.

Syncing is asked for, never a side effect of boot (except the instant sync to
BRIEFBOT_DEV_GUILD_ID in development). ``/reload`` reads the corpus folder again in a
worker thread and swaps the new index in; questions already running finish on the old one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from ...discord_render import render_error, render_gaps, render_reload_failed, render_reloaded
from ...errors import BriefbotError
from .. import app_commands, commands, discord
from ..bot import BriefbotBot, send_interaction

log = logging.getLogger("briefbot.discord")


class Admin(commands.Cog):
    def __init__(self, bot: BriefbotBot) -> None:
        self.bot = bot
        self._reloading = asyncio.Lock()  # one reload at a time

    @app_commands.command(name="sync")
    @app_commands.describe(
        scope="global: every server (default); here: this server only; "
        "clear: remove this server's copies"
    )
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def sync(
        self, itx: discord.Interaction, scope: Literal["global", "here", "clear"] = "global"
    ) -> None:
        """Owner only: publish the slash commands to Discord."""
        if not await self.bot.is_owner(itx.user):
            await send_interaction(itx, render_error("Only the bot's owner can sync commands."))
            return
        await itx.response.defer(ephemeral=True, thinking=True)
        itx.extras["deferred_ephemeral"] = True
        tree = self.bot.tree
        guild = itx.guild
        if scope == "global":
            synced = await tree.sync()
            where = "globally"
        elif scope == "here" and guild is not None:
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            where = "to this server"
        else:
            tree.clear_commands(guild=guild)
            synced = await tree.sync(guild=guild)
            where = "to this server (its copies removed)"
        log.info("Owner %s synced %d commands %s", itx.user.id, len(synced), where)
        await send_interaction(itx, render_error(f"Synced {len(synced)} commands {where}."))

    @app_commands.command(name="reload")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def reload(self, itx: discord.Interaction) -> None:
        """Owner only: read the corpus folder again; new questions use it at once."""
        if not await self.bot.is_owner(itx.user):
            await send_interaction(itx, render_error("Only the bot's owner can reload the corpus."))
            return
        await itx.response.defer(ephemeral=True, thinking=True)
        itx.extras["deferred_ephemeral"] = True
        async with self._reloading:
            try:
                engine = await self.bot.run_engine(self.bot.reload_now)
            except BriefbotError as exc:  # the folder unusable, or too large to build here
                log.warning("Owner %s reloaded the corpus: %s; kept the old one", itx.user.id, exc)
                assert self.bot.engine is not None
                kept = self.bot.engine.pinned()
                msg = render_reload_failed(str(exc), len(kept.index.passages), len(kept.documents))
            else:
                passages, documents = len(engine.index.passages), len(engine.documents)
                log.info(
                    "Owner %s reloaded the corpus: %d passages from %d documents",
                    itx.user.id,
                    passages,
                    documents,
                )
                for problem in engine.problems:
                    log.warning("%s", problem)
                msg = render_reloaded(passages, documents, engine.problems)
        await send_interaction(itx, msg)

    @app_commands.command(name="gaps")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    async def gaps(self, itx: discord.Interaction) -> None:
        """Owner only: the questions most often refused or voted down."""
        if not await self.bot.is_owner(itx.user):
            await send_interaction(itx, render_error("Only the bot's owner can see the gaps."))
            return
        store = self.bot.feedback
        found = await asyncio.to_thread(store.gaps, 15) if store is not None else []
        await send_interaction(itx, render_gaps(found))


async def setup(bot: BriefbotBot) -> None:
    await bot.add_cog(Admin(bot))
