"""Tests of the fake Discord itself, driven by a tiny real discord.py bot defined here."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import (
    SPEC_PATH,
    FakeDiscord,
    RecordedRequest,
    check_limits,
    spec_available,
    validate_request,
)

MESSAGES = r"/channels/\d+/messages"
TOPICS = ["cst", "csr", "bm25", "stemming", "quotes"]


class MoreView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="More", custom_id="more", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="more!", view=None)


class TinyBot(commands.Bot):
    def __init__(self, guild_id: str) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.guild_obj = discord.Object(int(guild_id))
        self.ready = asyncio.Event()
        self.errors: list[BaseException] = []
        self.resumed_events = 0

    async def setup_hook(self) -> None:
        guild = self.guild_obj

        @app_commands.command(name="echo", description="Repeat a text")
        async def echo(interaction: discord.Interaction, text: str, private: bool = False) -> None:
            await interaction.response.send_message(text, ephemeral=private, view=MoreView())

        @app_commands.command(name="slow", description="Deferred answer")
        async def slow(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.01)
            await interaction.edit_original_response(content=f"answer to {question}")
            await interaction.followup.send("follow-up", ephemeral=True)

        @app_commands.command(name="late", description="Answers too late")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            await interaction.response.send_message("too late")

        @app_commands.command(name="summary", description="Summarise a topic")
        async def summary(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"summary of {topic}")

        @summary.autocomplete("topic")
        async def topic_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]

        for cmd in (echo, slow, late, summary):
            self.tree.add_command(cmd, guild=guild)

        @self.tree.error
        async def on_app_command_error(interaction: discord.Interaction, error: Exception) -> None:
            self.errors.append(error)

        await self.tree.sync(guild=guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # no 5 s sleep before re-IDENTIFY

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed_events += 1

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        ref = message.reference.resolved if message.reference else None
        replied_to_me = isinstance(ref, discord.Message) and ref.author == self.user
        if self.user in message.mentions or replied_to_me:
            prefix = "follow-up: " if replied_to_me else "echo: "
            try:
                await message.reply(
                    prefix + message.content.split("> ", 1)[-1], mention_author=False
                )
            except discord.HTTPException as exc:
                self.errors.append(exc)


class Env:
    def __init__(self, fake: FakeDiscord, bot: TinyBot) -> None:
        self.fake, self.bot = fake, bot
        self.expect_clean = True


async def _start(fake: FakeDiscord) -> tuple[TinyBot, asyncio.Task[None]]:
    bot = TinyBot(fake.guild_id)
    task = asyncio.create_task(bot.start(fake.token))
    await fake.wait_until_identified(timeout=5)
    await asyncio.wait_for(bot.ready.wait(), 5)
    return bot, task


@pytest.fixture
async def env():
    async with FakeDiscord() as fake:
        bot, task = await _start(fake)
        e = Env(fake, bot)
        try:
            yield e
        finally:
            await bot.close()
            await asyncio.wait_for(task, 5)
        if e.expect_clean:
            assert fake.all_validation_errors() == []
            assert bot.errors == []


async def eventually(predicate: Any, timeout: float = 3) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def mention_and_wait(fake: FakeDiscord, text: str, **kw: Any) -> tuple[dict, RecordedRequest]:
    after = len(fake.requests)
    msg = await fake.send_message(text, mention_bot=True, **kw)
    req = await fake.wait_for_request("POST", MESSAGES, after=after)
    return msg, req


# ------------------------------------------------------------------ login


async def test_login_ready_and_sync(env: Env) -> None:
    fake, bot = env.fake, env.bot
    assert bot.user is not None and str(bot.user.id) == fake.bot_user["id"]
    guild = bot.get_guild(int(fake.guild_id))
    assert guild is not None and guild.get_channel(int(fake.channel_id)) is not None
    assert guild.me is not None and guild.owner_id == int(fake.owner_id)
    assert fake.identify_payload is not None
    assert fake.identify_payload["intents"] & (1 << 15)  # MESSAGE_CONTENT
    assert fake.gateway_connections[0]["query"]["v"] == "10"
    assert [c["name"] for c in fake.commands[fake.guild_id]] == ["echo", "slow", "late", "summary"]
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert fake.base_url == discord.http.Route.BASE
    info = await bot.application_info()
    assert str(info.owner.id) == fake.owner_id


async def test_restores_globals_and_rejects_bad_token() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with FakeDiscord() as fake:
        bot = TinyBot(fake.guild_id)
        with pytest.raises(discord.LoginFailure):
            await bot.start("not-the-token")
        await bot.close()
        assert fake.requests[0].status == 401
    after = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert after == before


# ------------------------------------------------------------------ messages


async def test_mention_gets_reply_and_reply_to_reply(env: Env) -> None:
    fake = env.fake
    msg, req = await mention_and_wait(fake, "hello there")
    assert req.json["content"] == "echo: hello there"
    assert str(req.json["message_reference"]["message_id"]) == msg["id"]
    assert fake.messages_sent(fake.channel_id) == [req.json]
    # The user answers the bot's reply (no mention): referenced_message resolves to the bot.
    after = len(fake.requests)
    await fake.send_message("and why?", reference_message_id=req.response["id"])
    req2 = await fake.wait_for_request("POST", MESSAGES, after=after)
    assert req2.json["content"] == "follow-up: and why?"


async def test_wait_for_request_sees_already_arrived_requests(env: Env) -> None:
    fake = env.fake
    _, req = await mention_and_wait(fake, "one")
    await asyncio.sleep(0.05)
    assert await fake.wait_for_request("POST", MESSAGES, timeout=0.01) is req
    with pytest.raises(asyncio.TimeoutError):
        await fake.wait_for_request("POST", MESSAGES, after=req, timeout=0.05)


# ------------------------------------------------------------------ interactions


async def test_slash_command_answers_via_callback(env: Env) -> None:
    fake = env.fake
    itx = await fake.send_command("echo", options={"text": "hi", "private": True})
    assert itx["data"]["id"] == fake.commands[fake.guild_id][0]["id"]
    resp = await fake.wait_for_interaction_response(itx)
    assert resp.status == 200 and resp.query == {"with_response": "1"}
    assert resp.json["type"] == 4
    assert resp.json["data"]["content"] == "hi" and resp.json["data"]["flags"] & 64
    assert resp.response["interaction"]["response_message_ephemeral"] is True
    assert [m["content"] for m in fake.interaction_messages(itx)] == ["hi"]


async def test_deferred_command_edits_original(env: Env) -> None:
    fake = env.fake
    itx = await fake.send_command("slow", options={"question": "why?"})
    first = await fake.wait_for_interaction_response(itx)
    assert first.json["type"] == 5
    msgs = await fake.wait_for_interaction_messages(itx, count=2)
    assert msgs[0]["content"] == "answer to why?"
    assert msgs[1]["content"] == "follow-up" and msgs[1]["flags"] & 64
    paths = [
        r.method + " " + r.path.split(itx["token"])[-1] for r in fake.interaction_requests(itx)
    ]
    assert paths == ["POST /callback", "PATCH /messages/@original", "POST "]


async def test_autocomplete(env: Env) -> None:
    fake = env.fake
    itx = await fake.send_autocomplete("summary", options={"topic": "cs"}, focused="topic")
    resp = await fake.wait_for_interaction_response(itx)
    assert resp.json["type"] == 8
    assert fake.autocomplete_choices(itx) == [
        {"name": "cst", "value": "cst"},
        {"name": "csr", "value": "csr"},
    ]


async def test_button_click(env: Env) -> None:
    fake = env.fake
    itx = await fake.send_command("echo", options={"text": "see more"})
    await fake.wait_for_interaction_response(itx)
    body = fake.interaction_messages(itx)[0]
    assert body["components"][0]["components"][0]["custom_id"] == "more"
    click = await fake.click_button(body, "more")
    resp = await fake.wait_for_interaction_response(click)
    assert resp.json["type"] == 7 and resp.json["data"]["content"] == "more!"
    stored = fake.get_message(click["message"]["id"])
    assert stored is not None and stored["content"] == "more!" and stored["components"] == []


async def test_late_interaction_response_is_rejected(env: Env) -> None:
    fake = env.fake
    env.expect_clean = False
    fake.interaction_timeout = 0.1  # the command sleeps 0.3 s before answering
    itx = await fake.send_command("late")
    resp = await fake.wait_for_interaction_response(itx)
    assert resp.status == 404 and resp.response["code"] == 10062
    assert any("later than" in e for e in fake.all_validation_errors())
    await eventually(lambda: env.bot.errors)
    assert any(isinstance(e.__cause__ or e, discord.NotFound) for e in env.bot.errors)


# ------------------------------------------------------------------ gateway


async def test_drop_gateway_resumes_and_delivers_queued_message(env: Env) -> None:
    fake = env.fake
    await fake.drop_gateway()
    assert not fake.gateway_live
    msg, req = await mention_and_wait(fake, "are you there?")  # queued while down
    assert req.json["content"] == "echo: are you there?"
    assert str(req.json["message_reference"]["message_id"]) == msg["id"]
    assert fake.resume_count == 1 and fake.identify_count == 1
    assert fake.gateway_connections[-1]["path"] == "/gateway-resume/"
    await eventually(lambda: env.bot.resumed_events == 1)


async def test_drop_gateway_with_close_code(env: Env) -> None:
    fake = env.fake
    await fake.drop_gateway(code=4000)
    await fake.wait_until_resumed()
    _, req = await mention_and_wait(fake, "still here?")
    assert req.json["content"] == "echo: still here?"


async def test_op7_reconnect_resumes(env: Env) -> None:
    fake = env.fake
    await fake.send_reconnect()
    msg, req = await mention_and_wait(fake, "after reconnect")
    assert req.json["content"] == "echo: after reconnect"
    assert fake.resume_count == 1 and fake.identify_count == 1


async def test_op9_invalid_session_reidentifies(env: Env) -> None:
    fake = env.fake
    await fake.invalidate_session(resumable=False)
    _, req = await mention_and_wait(fake, "new session")
    await fake.wait_until_identified(count=2, timeout=3)
    assert req.json["content"] == "echo: new session"
    assert fake.identify_count == 2 and fake.resume_count == 0
    assert fake.gateway_connections[-1]["path"] == "/gateway/"


# ------------------------------------------------------------------ injected failures


async def test_429_is_retried_and_delivered_once(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", MESSAGES, status=429, retry_after=0.05)
    _, req = await mention_and_wait(fake, "rate me")
    attempts = fake.find_requests("POST", MESSAGES, include_failed=True)
    assert [(r.status, r.injected) for r in attempts] == [(429, True), (200, False)]
    assert attempts[1] is req and len(fake.messages_sent()) == 1
    assert attempts[1].time - attempts[0].time >= 0.04


async def test_500_once_is_retried_by_discord_py(env: Env) -> None:
    # discord.py retries 500/502/504/524 itself after 1 + 2*try seconds (up to 5 tries).
    fake = env.fake
    fake.fail_next("POST", MESSAGES, status=500)
    await fake.send_message("server hiccup", mention_bot=True)
    await fake.wait_for_request("POST", MESSAGES, timeout=4)
    attempts = fake.find_requests("POST", MESSAGES, include_failed=True)
    assert [r.status for r in attempts] == [500, 200]


async def test_503_raises_http_exception_and_bot_survives(env: Env) -> None:
    fake = env.fake
    env.expect_clean = False
    fake.fail_next("POST", MESSAGES, status=503)
    await fake.send_message("boom", mention_bot=True)
    failed = await fake.wait_for_request("POST", MESSAGES, include_failed=True)
    assert failed.status == 503 and failed.injected
    await eventually(lambda: env.bot.errors)
    assert len(env.bot.errors) == 1 and isinstance(env.bot.errors[0], discord.DiscordServerError)
    _, req = await mention_and_wait(fake, "next one")
    assert req.json["content"] == "echo: next one"
    assert fake.all_validation_errors() == []


async def test_unknown_route_is_recorded(env: Env) -> None:
    fake, bot = env.fake, env.bot
    env.expect_clean = False
    with pytest.raises(discord.NotFound):
        await bot.http.request(
            discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=fake.guild_id)
        )
    assert fake.unknown_requests()[0].path == f"/guilds/{fake.guild_id}/bans"
    assert any("route unknown" in e for e in fake.all_validation_errors())


# ------------------------------------------------------------------ validation


def _rec(method: str, path: str, body: Any) -> RecordedRequest:
    return RecordedRequest(index=0, method=method, path=path, query={}, json=body, headers={})


def test_limits_catch_oversize_bodies() -> None:
    assert check_limits("POST", "/channels/1/messages", {"content": "x" * 2000}) == []
    assert any(
        "content" in e
        for e in check_limits("POST", "/channels/1/messages", {"content": "x" * 2001})
    )
    embed = {
        "title": "t" * 257,
        "fields": [{"name": "n", "value": "v"}] * 25 + [{"name": "n", "value": "v" * 1025}],
    }
    errors = check_limits("PATCH", "/webhooks/1/tok/messages/@original", {"embeds": [embed]})
    assert len(errors) == 3
    cmd = {"name": "Ask", "description": "d" * 101, "options": []}
    assert len(check_limits("PUT", "/applications/1/guilds/2/commands", [cmd])) == 2
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    assert check_limits(
        "POST", "/interactions/1/tok/callback", {"type": 8, "data": {"choices": choices}}
    )
    rows = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": "l", "custom_id": f"b{i}"} for i in range(6)
            ],
        }
    ]
    assert any(
        "1-5" in e for e in check_limits("POST", "/channels/1/messages", {"components": rows})
    )


def test_spec_validation_catches_oversize_content() -> None:
    if not spec_available():
        pytest.skip(f"Discord OpenAPI spec not found at {SPEC_PATH}")
    ok = _rec(
        "POST",
        "/channels/123/messages",
        {"content": "hi", "message_reference": {"message_id": 1234567890123456789}},
    )
    assert validate_request(ok) == []
    bad = _rec("POST", "/interactions/1/tok/callback", {"type": 4, "data": {"content": "x" * 2001}})
    errors = validate_request(bad)
    assert any("2001" in e or "too long" in e for e in errors), errors
    wrong_type = _rec("POST", "/channels/123/messages", {"content": 5})
    assert any("is not of type" in e for e in validate_request(wrong_type))
