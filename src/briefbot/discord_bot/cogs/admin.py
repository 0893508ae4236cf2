"""Owner-only command syncing: ``/sync``. Syncing is asked for, never a side effect of boot
(except the instant sync to BRIEFBOT_DEV_GUILD_ID in development)."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from ...discord_render import render_error
from ..bot import BriefbotBot
from ..sending import send_interaction

log = logging.getLogger("briefbot.discord")


class Admin(commands.Cog):
    def __init__(self, bot: BriefbotBot) -> None:
        self.bot = bot

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


async def setup(bot: BriefbotBot) -> None:
    await bot.add_cog(Admin(bot))
