"""Turning a :class:`~briefbot.discord_render.DiscordMessage` into what discord.py sends.

Also the one button class: every briefbot button is a :class:`BriefbotButton`, a dynamic
item whose state is its custom_id (see :mod:`briefbot.discord_render`), so buttons keep
working after a restart without any stored view.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from ..discord_render import DiscordMessage, render_error
from ..errors import BriefbotError

log = logging.getLogger("briefbot.discord")

INTERNAL_ERROR = "Something went wrong on my side; it has been logged. Please try again."
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "link": discord.ButtonStyle.link,
}
NO_MENTIONS = discord.AllowedMentions.none()


class BriefbotButton(
    discord.ui.DynamicItem[discord.ui.Button], template=re.compile(r"bb:.+", re.S)
):
    """A button whose custom_id starts with ``bb:``; the Commands cog handles the click."""

    def __init__(self, label: str, custom_id: str, style: discord.ButtonStyle) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=style))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BriefbotButton:
        button: discord.ui.Button = item  # type: ignore[assignment]
        return cls(button.label or "…", match.group(0), button.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Commands")  # type: ignore[attr-defined]
        if cog is None:
            await send_interaction(
                interaction, render_error("I am restarting: try again in a moment.")
            )
            return
        await cog.on_button(interaction, self.custom_id)


def message_kwargs(msg: DiscordMessage) -> dict[str, Any]:
    """Keyword arguments for discord.py's send/edit calls (without ``ephemeral``)."""
    view = None
    if msg.buttons:
        view = discord.ui.View(timeout=None)
        for b in msg.buttons:
            if b.style == "link":
                view.add_item(
                    discord.ui.Button(label=b.label, url=b.url, style=discord.ButtonStyle.link)
                )
            else:
                assert b.custom_id is not None
                view.add_item(
                    BriefbotButton(b.label, b.custom_id, STYLES.get(b.style, STYLES["secondary"]))
                )
    kwargs: dict[str, Any] = {
        "content": msg.content or None,
        "embeds": [discord.Embed.from_dict(e) for e in msg.embeds],
        "allowed_mentions": NO_MENTIONS,
    }
    if view is not None:
        kwargs["view"] = view
    return kwargs


async def send_interaction(itx: discord.Interaction, msg: DiscordMessage) -> None:
    """Answer an interaction with ``msg``: directly, or by editing the deferred response."""
    kwargs = message_kwargs(msg)
    try:
        if not itx.response.is_done():
            await itx.response.send_message(**kwargs, ephemeral=msg.ephemeral)
            return
        deferred_ephemeral = itx.extras.get("deferred_ephemeral")
        if deferred_ephemeral is None or deferred_ephemeral == msg.ephemeral:
            if kwargs["content"] is None:
                kwargs["content"] = ""  # clear the "thinking" text
            await itx.edit_original_response(**kwargs)
        else:  # e.g. an error after a public defer: say it privately, drop the placeholder
            await itx.followup.send(
                **{k: v for k, v in kwargs.items() if v is not None}, ephemeral=msg.ephemeral
            )
            await itx.delete_original_response()
    except discord.HTTPException:
        log.exception("Could not answer interaction %s", itx.id)


async def answer_interaction(
    itx: discord.Interaction,
    work: Callable[[], DiscordMessage],
    *,
    ephemeral: bool,
    defer_after: float,
    run: Callable[[Callable[[], DiscordMessage]], Awaitable[DiscordMessage]] | None = None,
) -> None:
    """Run ``work`` (engine calls and rendering) in a thread (``run``) and send its message.

    When it takes longer than ``defer_after`` seconds the interaction is deferred first
    (Discord wants a first response within 3 s), then the deferred response is edited.
    Errors fit for users are answered ephemerally; anything else is logged with its
    traceback and answered with a short apology.
    """
    task = asyncio.ensure_future(run(work) if run is not None else asyncio.to_thread(work))
    try:
        done, _ = await asyncio.wait({task}, timeout=defer_after)
        if not done:
            await itx.response.defer(ephemeral=ephemeral, thinking=True)
            itx.extras["deferred_ephemeral"] = ephemeral
        msg = await task
    except BriefbotError as exc:
        msg = render_error(str(exc))
    except Exception:
        log.exception("Interaction %s (%s) failed", itx.id, itx.data and itx.data.get("name"))
        msg = render_error(INTERNAL_ERROR)
    await send_interaction(itx, msg)
