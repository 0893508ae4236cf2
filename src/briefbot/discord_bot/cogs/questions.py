"""Questions in channels: mentions, replies to the bot's answers, and watched channels.

Which messages the bot can read depends on the privileged Message Content intent:

- a message that mentions the bot (and a DM): always readable, intent or not;
- a reply to one of the bot's answers: readable when the reply pings the bot (Discord's
  default); with the ping turned off it needs the intent;
- a question in a watched channel (BRIEFBOT_ANSWER_CHANNELS) without a mention: needs the
  intent. With BRIEFBOT_MESSAGE_CONTENT=false the bot does not ask for it, answers
  mentions and pinging replies only, and says so once in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ...discord_render import (
    DiscordMessage,
    corpus_fingerprint,
    looks_like_question,
    question_problem,
    render_answer,
    render_cooldown,
    render_error,
    strip_mentions,
    unescape,
)
from ...errors import BriefbotError
from .. import commands, discord
from ..bot import INTERNAL_ERROR, BriefbotBot, message_kwargs, send_with_retries

if TYPE_CHECKING:
    from ...answers import Answer

log = logging.getLogger("briefbot.discord")

EMPTY_MENTION = "Ask me something about the article, for example: who sent troops to Kazakhstan?"
REMEMBERED = 2000  # message ids kept to never answer a message twice


class Questions(commands.Cog):
    def __init__(self, bot: BriefbotBot) -> None:
        self.bot = bot
        self._answered: OrderedDict[int, None] = OrderedDict()
        self._cooldown_noticed: dict[int, float] = {}

    async def cog_load(self) -> None:
        settings = self.bot.settings
        if settings.answer_channels and not settings.message_content:
            log.warning(
                "BRIEFBOT_ANSWER_CHANNELS is set but BRIEFBOT_MESSAGE_CONTENT is false: "
                "without the Message Content intent only mentions and replies are answered."
            )

    def question_in(self, message: discord.Message) -> tuple[str, bool] | None:
        """(the question, whether the bot was addressed) for a message meant for the bot,
        or None. Addressed: a DM, a mention of the bot or its role, a reply to it; a
        question in a watched channel is not addressed, and gets an answer or silence."""
        me = self.bot.user
        if me is None or message.author.bot or message.webhook_id is not None:
            return None
        content = message.content
        text = strip_mentions(content, me.id)
        if message.guild is None:
            return text, True
        self_role = message.guild.self_role
        if (
            f"<@{me.id}>" in content
            or f"<@!{me.id}>" in content
            or (self_role is not None and self_role in message.role_mentions)
            or self._replies_to_me(message)
        ):
            return text, True
        channel = message.channel
        watched = self.bot.settings.answer_channels
        in_watched = channel.id in watched or getattr(channel, "parent_id", None) in watched
        if in_watched and self.bot.settings.message_content and looks_like_question(text):
            return text, False
        return None

    def _replies_to_me(self, message: discord.Message) -> bool:
        ref = message.reference
        if ref is None or ref.message_id is None or self.bot.user is None:
            return False
        resolved = ref.resolved
        if not isinstance(resolved, discord.Message):
            resolved = discord.utils.get(self.bot.cached_messages, id=ref.message_id)
        return isinstance(resolved, discord.Message) and resolved.author.id == self.bot.user.id

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        found = self.question_in(message)
        if found is None or message.id in self._answered:
            return
        question, addressed = found
        self._answered[message.id] = None
        while len(self._answered) > REMEMBERED:
            self._answered.popitem(last=False)
        # Only someone who addressed the bot hears why there is no answer; in a watched
        # channel the bot speaks only when it has one.
        if not question:
            if addressed and (message.content or message.guild is None):
                await self._reply(message, render_error(EMPTY_MENTION, ephemeral=False))
            return  # empty content: probably no Message Content intent
        problem = question_problem(question, self.bot.settings.max_question_chars)
        if problem:
            if addressed:
                await self._reply(message, render_error(problem, ephemeral=False))
            return
        wait = self.bot.cooldown.retry_after(message.author.id)
        if wait:
            # one notice per window, then silence: a cooldown must not turn into spam
            now = time.monotonic()
            if addressed and self._cooldown_noticed.get(message.author.id, 0.0) < now:
                self._cooldown_noticed[message.author.id] = now + wait
                await self._reply(message, render_cooldown(wait))
            return
        previous = self._followed_up(message)
        shown = asyncio.Event()
        typing = asyncio.create_task(self._keep_typing(message.channel, shown))
        try:
            msg, answer = await self.bot.run_engine(
                self._answer, question, message.author.id, previous
            )
        except BriefbotError as exc:
            msg, answer = render_error(str(exc), ephemeral=False), None
        except Exception:
            log.exception("Answering message %s failed", message.id)
            msg, answer = render_error(INTERNAL_ERROR, ephemeral=False), None
        finally:
            with contextlib.suppress(asyncio.TimeoutError):  # "typing…" first, then the reply
                await asyncio.wait_for(shown.wait(), 1.0)
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing
        answered = answer is not None and answer.answered and bool(answer.hits or answer.authored)
        if answered or addressed:
            sent = await self._reply(message, msg)
            if sent is not None and answer is not None:
                self.bot.remember_answer(sent.id, answer)

    def _followed_up(self, message: discord.Message) -> str | None:
        """The question of our answer that ``message`` replies to, or of the answer its
        thread was started on; None when it follows up nothing."""
        asked = self.bot.answered_questions
        ref = message.reference
        if ref is not None and ref.message_id is not None and self._replies_to_me(message):
            if ref.message_id in asked:
                return asked[ref.message_id]
            resolved = ref.resolved
            if isinstance(resolved, discord.Message) and resolved.embeds:
                title = resolved.embeds[0].title  # an answer from before a restart
                return unescape(title) if title else None
            return None
        channel = message.channel
        if isinstance(channel, discord.Thread) and channel.id in asked:
            return asked[channel.id]  # a thread started on one of our answers
        return None

    def _answer(
        self, question: str, user_id: int, previous: str | None
    ) -> tuple[DiscordMessage, Answer]:
        """The message and the answer; runs in a worker thread."""
        bot = self.bot
        assert bot.engine is not None
        engine = bot.engine.pinned()  # the answer and its buttons from one index
        top = bot.settings.top
        answer = engine.ask(question, top=top, previous=previous)
        token = bot.record(answer, user_id)
        message = render_answer(
            answer, fingerprint=corpus_fingerprint(engine), top=top, feedback=token
        )
        return message, answer

    async def _keep_typing(self, channel: discord.abc.Messageable, shown: asyncio.Event) -> None:
        """Show "typing…" until cancelled: Discord shows it for 10 s, so send it again
        every ``typing_every`` seconds while the question waits for the engine."""
        while True:
            await self._typing(channel)
            shown.set()
            await asyncio.sleep(self.bot.typing_every)

    @staticmethod
    async def _typing(channel: discord.abc.Messageable) -> None:
        try:
            await channel.typing()
        except discord.HTTPException:
            log.debug("Typing indicator failed", exc_info=True)

    async def _reply(self, message: discord.Message, msg: DiscordMessage) -> Any:
        return await send_with_retries(
            message.channel,
            message_kwargs(msg),
            reference=message.to_reference(fail_if_not_exists=False),
            mention_author=False,
        )


async def setup(bot: BriefbotBot) -> None:
    await bot.add_cog(Questions(bot))
