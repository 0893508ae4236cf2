"""The bot: a ``commands.Bot`` holding the settings, the engine and the cooldown, and
how a :class:`~briefbot.discord_render.DiscordMessage` becomes what discord.py sends.

discord.py's names come from the package (:mod:`briefbot.discord_bot`), the one module
that imports it.

Every briefbot button is a :class:`BriefbotButton`, a dynamic item whose state is its
custom_id (see :mod:`briefbot.discord_render`), so buttons keep working after a restart
without any stored view.

The engine (corpus and index) is built before connecting and only ever called through
:meth:`BriefbotBot.run_engine`, in a worker thread, so the event loop never waits on it.
``/reload`` swaps the engine's index; work that makes several engine calls which must
agree (an answer and its buttons' fingerprint) runs on ``engine.pinned()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..discord_render import DiscordMessage, corpus_fingerprint, render_error
from ..errors import BriefbotError
from ..feedback import FeedbackStore
from ..followup import FOLLOW_UP_SECONDS
from . import app_commands, commands, discord
from .cooldown import Cooldown

if TYPE_CHECKING:
    from ..answers import Answer
    from ..engine import Briefbot
    from ..settings import Settings


log = logging.getLogger("briefbot.discord")
T = TypeVar("T")

# --- sending ---------------------------------------------------------------------------


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
        # a text-only message (refusals, notices: they may repeat what the user typed)
        # never unfurls a link into a preview
        "suppress_embeds": not msg.embeds,
    }
    if view is not None:
        kwargs["view"] = view
    return kwargs


REMEMBERED_ANSWERS = 5000  # answers (and people) whose question a follow-up can lean on
SEND_ROUNDS = 4  # discord.py retries a 429 five times; a reply gets this many such rounds
MAX_RETRY_WAIT = 30.0  # seconds: a longer rate limit is not waited out
PERMISSIONS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)


def describe_channel(channel: Any) -> str:
    """'#name (id) in Server' for the log."""
    name = getattr(channel, "name", None)
    guild = getattr(channel, "guild", None)
    where = f"#{name} ({channel.id})" if name else f"channel {getattr(channel, 'id', '?')}"
    return f"{where} in {guild.name}" if guild is not None else where


def missing_permissions(channel: Any) -> list[str]:
    """The permissions a reply needs that the bot lacks in ``channel`` (as Discord's
    settings name them); empty when they cannot be read from the cache."""
    guild = getattr(channel, "guild", None)
    if guild is None or guild.me is None:
        return []
    try:
        have = channel.permissions_for(guild.me)
    except Exception:  # noqa: BLE001 - a partial channel: fall back to Discord's text
        return []
    thread = isinstance(channel, discord.Thread)
    names = []
    for attr, label in PERMISSIONS:
        if attr == ("send_messages" if thread else "send_messages_in_threads"):
            continue
        if not getattr(have, attr, True):
            names.append(label)
    return names


def _retry_after(exc: discord.HTTPException) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        wait = float(headers.get("Retry-After", 1.0))
    except (TypeError, ValueError):
        wait = 1.0
    return min(max(wait, 0.05), MAX_RETRY_WAIT)


async def send_with_retries(channel: Any, kwargs: dict[str, Any], **extra: Any) -> Any:
    """``channel.send``: rate limits waited out for up to :data:`SEND_ROUNDS` rounds, a
    missing permission logged as one line naming the channel and the permission."""
    for round_ in range(SEND_ROUNDS):
        try:
            return await channel.send(**kwargs, **extra)
        except discord.Forbidden as exc:
            missing = missing_permissions(channel)
            what = (
                "missing permission " + ", ".join(missing)
                if missing
                else f"Discord said: {exc.text or 'Forbidden'} ({exc.code})"
            )
            log.warning(
                "Cannot send in %s: %s. Give the bot's role that permission in the channel.",
                describe_channel(channel),
                what,
            )
            return None
        except discord.HTTPException as exc:
            if exc.status == 429 and round_ + 1 < SEND_ROUNDS:
                wait = _retry_after(exc)
                log.info("Rate limited in %s: retrying in %.1f s", describe_channel(channel), wait)
                await asyncio.sleep(wait)
                continue
            log.error(
                "Could not send in %s: %s %s", describe_channel(channel), exc.status, exc.text
            )
            return None
    return None


async def send_interaction(itx: discord.Interaction, msg: DiscordMessage) -> None:
    """Answer an interaction with ``msg``: directly, or by editing the deferred response."""
    kwargs = message_kwargs(msg)
    try:
        if not itx.response.is_done():
            await itx.response.send_message(**kwargs, ephemeral=msg.ephemeral)
            return
        deferred_ephemeral = itx.extras.get("deferred_ephemeral")
        if deferred_ephemeral is None or deferred_ephemeral == msg.ephemeral:
            del kwargs["suppress_embeds"]  # not an option of edits (the text has no links)
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


# --- the bot ---------------------------------------------------------------------------

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


class _QuietFirstConnection(logging.Filter):
    """Leaves out discord.py's reconnect traceback until a first connection is made."""

    def __init__(self, bot: BriefbotBot) -> None:
        super().__init__()
        self.bot = bot

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.bot.ws is None and str(record.msg).startswith("Attempting a reconnect"))


class BriefbotBot(commands.Bot):
    """briefbot on Discord. ``engine`` may be None only for ``briefbot sync``."""

    defer_after = 1.0  # seconds of work before an interaction is deferred
    typing_every = 8.0  # seconds between "typing…" signals (Discord shows one for 10 s)

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
        # what each answer of ours searched for, by message id (a reply or a thread on it
        # follows it up), and each person's last /ask question with its time
        self.answered_questions: OrderedDict[int, str] = OrderedDict()
        self.last_asked: dict[int, tuple[str, float]] = {}
        self.feedback: FeedbackStore | None = None  # outcomes and votes (not for `sync`)
        if engine is not None:
            self.feedback = FeedbackStore(
                settings.feedback_db,
                retention_days=settings.feedback_retention_days,
                report=log.warning,
            )
        if engine is not None:
            corpus_fingerprint(engine)  # computed once per index, now rather than on a click

    @property
    def fingerprint(self) -> str:
        """The current index's corpus fingerprint: buttons made for another one expire."""
        return corpus_fingerprint(self.engine) if self.engine is not None else ""

    async def connect(self, *, reconnect: bool = True) -> None:
        """discord.py's connection loop, except that a first connection that cannot be made
        ends the start-up with one clear line (BriefbotError), where discord.py logs a
        traceback and then fails with an AttributeError (it has no session to resume)."""
        quiet = _QuietFirstConnection(self)
        client_log = logging.getLogger("discord.client")
        client_log.addFilter(quiet)
        try:
            await super().connect(reconnect=reconnect)
        except AttributeError:
            if self.ws is None:
                from . import UNREACHABLE_GATEWAY

                raise BriefbotError(UNREACHABLE_GATEWAY) from None
            raise
        finally:
            client_log.removeFilter(quiet)

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
        if self.engine is not None and self.user is not None:
            # "hey <bot name>, …" is chat: the question stage strips the bot's own names
            names = {"briefbot", self.user.name.casefold(), self.user.display_name.casefold()}
            self.engine.bot_names = tuple(sorted(n for n in names if n))

    async def on_message(self, message: discord.Message) -> None:
        """No text commands: the Questions cog listens to messages."""

    async def run_engine(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the engine in a worker thread."""
        if self.engine is None:
            raise BriefbotError("The documents are not loaded yet.")
        return await asyncio.to_thread(fn, *args, **kwargs)

    def topics_now(self) -> tuple[Any, ...]:
        """The corpus's topics: found when the index was built and kept with it, so every
        request shares them and none waits for them."""
        assert self.engine is not None
        return tuple(self.engine.topics())

    async def topics(self) -> tuple[Any, ...]:
        """The corpus's topics (for autocomplete)."""
        return await self.run_engine(self.topics_now)

    def remember_answer(self, message_id: int, answer: Answer) -> None:
        """An answer we sent, so that a reply to it (or a thread on it) can follow it up."""
        if answer.answered:
            self.answered_questions[message_id] = answer.searched or answer.question
            while len(self.answered_questions) > REMEMBERED_ANSWERS:
                self.answered_questions.popitem(last=False)

    def previous_question(self, user_id: int) -> str | None:
        """The person's last /ask question, if recent enough to be followed up."""
        found = self.last_asked.get(user_id)
        if found is None or time.monotonic() - found[1] > FOLLOW_UP_SECONDS:
            return None
        return found[0]

    def remember_question(self, user_id: int, answer: Answer) -> None:
        self.last_asked[user_id] = (answer.searched or answer.question, time.monotonic())
        if len(self.last_asked) > REMEMBERED_ANSWERS:  # forget the oldest half
            oldest = sorted(self.last_asked.items(), key=lambda kv: kv[1][1])
            for user, _ in oldest[: len(oldest) // 2]:
                del self.last_asked[user]

    def record(self, answer: Answer, user_id: int, document: str | None = None) -> str | None:
        """Store the question's outcome; the token for its 👍 / 👎 buttons, or None (small
        talk is not recorded). Call it in a worker thread."""
        if self.feedback is None or answer.small_talk:
            return None
        return self.feedback.record(
            answer.question,
            answered=answer.answered and bool(answer.hits or answer.authored),
            user_id=user_id,
            reason=answer.reason,
            document=document,
        )

    async def close(self) -> None:
        await super().close()
        if self.feedback is not None:
            await asyncio.to_thread(self.feedback.close)

    def reload_now(self) -> Briefbot:
        """Re-read the corpus folder and swap the new index in; call it in a worker thread.

        Returns the engine pinned to the new index. Raises CorpusError, keeping the old
        index, when the folder has become unusable. Questions already running finish on
        the index they started with.
        """
        assert self.engine is not None
        engine = self.engine.reload().pinned()
        corpus_fingerprint(engine)
        with contextlib.suppress(BriefbotError):  # build lazy caches now, as at start-up
            engine.ask("what happened")
        return engine


class ShardedBriefbotBot(BriefbotBot, commands.AutoShardedBot):
    """briefbot on several shards of one process (BRIEFBOT_SHARD_COUNT / _SHARD_IDS): Discord
    sends each shard the events of the servers it owns, ``(guild_id >> 22) % count``."""


def make_bot(settings: Settings, engine: Briefbot | None, **options: Any) -> BriefbotBot:
    """The bot the settings ask for: sharded when BRIEFBOT_SHARD_COUNT is set."""
    if settings.shard_count is None:
        return BriefbotBot(settings, engine, **options)
    options.setdefault("shard_count", settings.shard_count)
    if settings.shard_ids:
        options.setdefault("shard_ids", list(settings.shard_ids))
    return ShardedBriefbotBot(settings, engine, **options)
