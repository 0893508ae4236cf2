"""briefbot on Discord: the only part of briefbot that uses discord.py. It is imported
here, once; :mod:`.bot` and the cogs take its names from this package
(``from .. import discord, app_commands, commands``), so the core and the renderer never
see it.

``run_bot`` builds the engine (corpus and index) once, then connects; ``sync_commands``
publishes the slash commands without connecting to the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..errors import BriefbotError
from .bot import (  # after discord's names: bot.py takes them from here
    EXTENSIONS,
    BriefbotBot,
    ShardedBriefbotBot,
    make_bot,
)

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = [
    "EXTENSIONS",
    "BriefbotBot",
    "ShardedBriefbotBot",
    "app_commands",
    "commands",
    "discord",
    "run_bot",
    "sync_commands",
]

log = logging.getLogger("briefbot.discord")

BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal (Bot page)."
)
CLOSE_CODES = {  # gateway close codes that end the start-up, and what to do about each
    4004: BAD_TOKEN,
    4010: "Discord refused the shard settings: check BRIEFBOT_SHARD_COUNT and BRIEFBOT_SHARD_IDS.",
    4011: "Discord requires sharding for this bot: set BRIEFBOT_SHARD_COUNT (see the README).",
    4012: "Discord refused the gateway version: upgrade discord.py (pip install -U discord.py).",
    4013: "Discord refused the bot's intents as invalid: upgrade briefbot and discord.py.",
}
UNREACHABLE_API = (
    "Cannot reach Discord's API ({error}): check the network connection, proxy or firewall "
    "(HTTPS to discord.com), then start again."
)
UNREACHABLE_GATEWAY = (
    "Cannot reach Discord's gateway: check the network connection, proxy or firewall "
    "(secure WebSocket to gateway.discord.gg), then start again."
)
NO_INTENT = (
    "Discord refused the Message Content intent: enable it on the Developer Portal's Bot page, "
    "or set BRIEFBOT_MESSAGE_CONTENT=false (then only mentions and replies are answered)."
)


def _setup_logging(level: str) -> None:
    """Log to stderr (discord.py's format) unless the host already configured logging.
    briefbot never joins voice: discord.py's warnings about voice support are left out."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    if not logging.getLogger().handlers:
        discord.utils.setup_logging(level=getattr(logging, level.upper(), logging.INFO))


def run_bot(settings: Settings, corpus_dir: Path | None = None) -> int:
    """Load the corpus, build the index, then run the bot until Ctrl-C."""
    from ..engine import Briefbot

    _setup_logging(settings.log_level)
    folder = corpus_dir or settings.corpus_dir
    engine = Briefbot.from_folder(folder, cache_dir=settings.cache_dir)
    for problem in engine.problems:
        log.warning("%s", problem)
    with contextlib.suppress(BriefbotError):  # build lazy caches now, not on the first question
        engine.ask("what happened")
    log.info(
        "Indexed %d passages from %d documents in %s",
        len(engine.index.passages),
        len(engine.documents),
        folder,
    )
    bot = make_bot(settings, engine)
    if settings.shard_count is not None:
        shards = settings.shard_ids or list(range(settings.shard_count))
        log.info("Running shards %s of %d", shards, settings.shard_count)
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()

    async def main() -> None:
        async with bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # noqa: BLE001 - start-up failures become one line
        raise BriefbotError(startup_problem(exc)) from None
    return 0


def startup_problem(exc: BaseException) -> str:
    """One line saying what to do about a failed start (never the token); anything not
    known to be a start-up failure is re-raised."""
    import aiohttp

    if isinstance(exc, BriefbotError):
        return str(exc)
    if isinstance(exc, discord.LoginFailure):
        return BAD_TOKEN
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return NO_INTENT
    if isinstance(exc, discord.ConnectionClosed):
        known = CLOSE_CODES.get(exc.code or 0)
        return known or f"Discord closed the connection (code {exc.code}): start again later."
    if isinstance(exc, discord.GatewayNotFound):
        return UNREACHABLE_GATEWAY
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return f"Discord's API is failing ({exc.status}): start again later."
    if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError)):
        return UNREACHABLE_API.format(error=type(exc).__name__)
    raise exc


def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Publish the slash commands globally, or to one guild; return their names."""
    bot = BriefbotBot(settings, None, sync_on_start=False)
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()

    async def main() -> list[str]:
        async with bot:
            await bot.login(token)  # HTTP only: loads the extensions, no gateway
            if guild_id is None:
                synced = await bot.tree.sync()
            else:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
            return [c.name for c in synced]

    try:
        return asyncio.run(main())
    except discord.HTTPException as exc:
        if exc.status >= 500 or isinstance(exc, discord.LoginFailure):
            raise BriefbotError(startup_problem(exc)) from None
        raise BriefbotError(f"Discord refused the sync: {exc.status} {exc.text}") from None
    except Exception as exc:  # noqa: BLE001 - an unreachable API becomes one line
        raise BriefbotError(startup_problem(exc)) from None
