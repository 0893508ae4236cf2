"""The real discord.py bot (briefbot.discord_bot) against the local fake Discord.

Every test asserts on what the bot sent, and the fixture checks every JSON body the bot
sent against Discord's OpenAPI description and documented limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from briefbot import Briefbot
from briefbot.discord_bot import BriefbotBot
from briefbot.discord_bot.cooldown import Cooldown
from briefbot.discord_render import corpus_fingerprint
from briefbot.settings import Settings
from tests.fake_discord import FakeDiscord, RecordedRequest
from tests.helpers import ARTICLE, write
from tests.test_discord_render import quotes_in

MESSAGES = r"/channels/\d+/messages"
EPHEMERAL = 1 << 6
CB_MESSAGE, CB_DEFER, CB_AUTOCOMPLETE = 4, 5, 8


class TestBot(BriefbotBot):
    __test__ = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, guild_ready_timeout=0.05, **kwargs)
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # no 5 s sleep before a re-IDENTIFY

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_resumed(self) -> None:
        self.resumed.set()


class Env:
    def __init__(self, fake: FakeDiscord, engine: Briefbot, settings: Settings) -> None:
        self.fake, self.engine, self.settings = fake, engine, settings
        self.bot: TestBot
        self.task: asyncio.Task[None]

    async def start(self, engine: Briefbot | None = None) -> TestBot:
        self.bot = TestBot(self.settings, engine or self.engine)
        self.task = asyncio.create_task(self.bot.start(self.fake.token))
        await asyncio.wait_for(self.bot.ready.wait(), 5)
        return self.bot

    async def stop(self) -> None:
        await self.bot.close()
        await asyncio.wait_for(self.task, 5)

    async def ask(self, text: str, **kw: Any) -> tuple[dict[str, Any], RecordedRequest]:
        """Post a message and wait for the bot's reply to it."""
        msg = await self.fake.send_message(text, **kw)
        reply = await self.fake.wait_for_request(
            "POST", MESSAGES, predicate=lambda r: replies_to(r, msg["id"])
        )
        return msg, reply

    async def command(self, name: str, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        itx = await self.fake.send_command(name, options)
        msgs = await self.fake.wait_for_interaction_messages(itx)
        return itx, msgs[-1]


def replies_to(req: RecordedRequest, message_id: str) -> bool:
    body = req.json if isinstance(req.json, dict) else {}
    ref = body.get("message_reference") or {}
    return str(ref.get("message_id")) == str(message_id)


def text_of(body: dict[str, Any]) -> str:
    parts = [body.get("content") or ""]
    for e in body.get("embeds") or []:
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [
        c["custom_id"]
        for row in body.get("components") or []
        for c in row["components"]
        if "custom_id" in c
    ]


def assert_verbatim(body: dict[str, Any], engine: Briefbot) -> list[str]:
    quotes = quotes_in(body["embeds"][0]["description"])
    passages = [p.text for p in engine.index.passages]
    for quote in quotes:
        assert any(quote in p for p in passages), quote
    return quotes


@contextlib.asynccontextmanager
async def started(engine: Briefbot, **overrides: Any) -> AsyncIterator[Env]:
    """The bot on ``engine``, logged in to a fresh fake Discord; every body is checked.
    ``overrides`` are settings."""
    async with FakeDiscord() as fake:
        values: dict[str, Any] = {
            "dev_guild_id": int(fake.guild_id),
            "answer_channels": [int(fake.other_channel_id)],
            "cooldown_questions": 50,
            "cooldown_seconds": 60,
        }
        settings = Settings(_env_file=None, **{**values, **overrides})
        e = Env(fake, engine, settings)
        await e.start()
        try:
            yield e
        finally:
            await e.stop()
        assert fake.all_validation_errors() == []


@pytest.fixture
async def env(bot: Briefbot) -> AsyncIterator[Env]:  # ``bot``: the session engine (conftest)
    async with started(bot) as e:
        yield e


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A corpus folder of its own (a copy of the bundled article) that a test may change."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    return folder


@pytest.fixture
async def folder_env(corpus_dir: Path, shared_cache: Path) -> AsyncIterator[Env]:
    """Like ``env``, with an engine of its own on ``corpus_dir``: /reload may change it."""
    engine = Briefbot.from_folder(corpus_dir, cache_dir=shared_cache, save=True)
    async with started(engine) as e:
        yield e


# --- start-up ---------------------------------------------------------------------------


async def test_commands_sync_to_the_dev_guild_only(env: Env) -> None:
    fake = env.fake
    names = [c["name"] for c in fake.commands[fake.guild_id]]
    assert set(names) == {"ask", "summary", "topics", "source", "help", "sync", "reload", "gaps"}
    assert not fake.find_requests("PUT", rf"/applications/{fake.app_id}/commands")
    ask = next(c for c in fake.commands[fake.guild_id] if c["name"] == "ask")
    assert all(0 < len(c["description"]) <= 100 for c in fake.commands[fake.guild_id])
    assert ask["options"][0]["max_length"] == 300
    # the Message Content intent is asked for (watched channels need it)
    assert fake.identify_payload["intents"] & (1 << 15)


# --- messages ---------------------------------------------------------------------------


async def test_a_mention_gets_a_reply_with_the_right_quote(env: Env) -> None:
    msg, reply = await env.ask("Who entered Kazakhstan on January 6?", mention_bot=True)
    body = reply.json
    assert body["allowed_mentions"] == {"parse": [], "replied_user": False}
    quotes = assert_verbatim(body, env.engine)
    assert "the first CSTO military units" in quotes[0]
    assert "**entered** **Kazakhstan**" in body["embeds"][0]["description"]
    assert "#:~:text=" in body["embeds"][0]["description"]
    assert body["embeds"][0]["title"] == "Who entered Kazakhstan on January 6?"
    ids = custom_ids(body)
    assert ids[0].startswith("bb:more:") and ids[1].startswith("bb:ctx:")
    # typing was shown, before the reply
    typing = env.fake.find_requests("POST", rf"/channels/{env.fake.channel_id}/typing")
    assert typing and typing[0].index < reply.index


async def test_a_reply_to_an_answer_is_answered(env: Env) -> None:
    _, first = await env.ask("What is the CSTO?", mention_bot=True)
    _, second = await env.ask("When was it created?", reference_message_id=first.response["id"])
    assert second.json["embeds"] and "**created**" in text_of(second.json)


async def test_watched_channels_answer_questions_without_a_mention(env: Env) -> None:
    fake = env.fake
    _, reply = await env.ask(
        "Which countries are members of the CSTO?", channel_id=fake.other_channel_id
    )
    assert "**CSTO**" in text_of(reply.json)
    before = len(fake.messages_sent())
    await fake.send_message("nice weather today", channel_id=fake.other_channel_id)
    await fake.send_message("Who are the members of the CSTO?")  # not a watched channel
    _, reply = await env.ask("marker question: what is the CSTO?", mention_bot=True)
    assert len(fake.messages_sent()) == before + 1  # only the mention was answered


async def test_everyone_pings_nobody(env: Env) -> None:
    _, reply = await env.ask("@everyone why did Russia send troops? @here", mention_bot=True)
    body = reply.json
    assert body["allowed_mentions"]["parse"] == []
    assert not re.search(r"@(everyone|here)", text_of(body))
    assert "Everyone" not in text_of(body)  # the mention is not part of the question


async def test_an_empty_mention_and_a_too_long_question_get_a_short_reply(env: Env) -> None:
    _, reply = await env.ask("", mention_bot=True)
    assert "Ask me something" in reply.json["content"]
    _, reply = await env.ask("why " * 100, mention_bot=True)
    assert "keep it to 300 or fewer" in reply.json["content"] and not reply.json.get("embeds")


async def test_the_article_not_answering_is_one_short_line(env: Env) -> None:
    _, reply = await env.ask("What is the capital of Australia?", mention_bot=True)
    assert reply.json["content"].startswith("The article does not mention")
    assert "\n" not in reply.json["content"] and not reply.json.get("embeds")


# --- slash commands ---------------------------------------------------------------------


async def test_ask_answers_and_private_is_ephemeral(env: Env) -> None:
    itx, body = await env.command("ask", question="When did the CSTO units enter Kazakhstan?")
    first = env.fake.interaction_requests(itx)[0]
    assert first.json["type"] == CB_MESSAGE  # fast: answered directly
    assert "January" in text_of(body) and not (body.get("flags", 0) & EPHEMERAL)
    assert_verbatim(body, env.engine)
    _, body = await env.command("ask", question="What is the CSTO?", private=True)
    assert body["flags"] & EPHEMERAL


async def test_a_slow_answer_is_deferred(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = env.engine
    real = engine.ask

    def slow(*args: Any, **kwargs: Any) -> Any:
        import time

        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", slow)
    env.bot.defer_after = 0.05
    loop = asyncio.get_running_loop()
    start = loop.time()
    itx, body = await env.command("ask", question="What is the CSTO?")
    reqs = env.fake.interaction_requests(itx)
    assert reqs[0].json["type"] == CB_DEFER
    assert not (reqs[0].json.get("data") or {}).get("flags", 0) & EPHEMERAL
    assert reqs[1].method == "PATCH" and reqs[1].path.endswith("/messages/@original")
    assert "**CSTO**" in text_of(body)
    assert loop.time() - start >= 0.3
    # the event loop kept serving while the engine worked: a second question got through
    assert env.bot.latency is not None


async def test_empty_and_too_long_questions_are_refused_ephemerally(env: Env) -> None:
    _, body = await env.command("ask", question="   ")
    assert body["flags"] & EPHEMERAL and "empty" in body["content"]
    _, body = await env.command("ask", question="x" * 301)
    assert body["flags"] & EPHEMERAL and "keep it to 300 or fewer" in body["content"]


async def test_the_cooldown_answers_ephemerally(env: Env) -> None:
    env.bot.cooldown = Cooldown(2, 60)
    for _ in range(2):
        _, body = await env.command("ask", question="What is the CSTO?")
        assert body.get("embeds")
    _, body = await env.command("ask", question="What is the CSTO?")
    assert body["flags"] & EPHEMERAL and "try again in" in body["content"]


async def test_an_engine_error_is_a_short_message_and_a_logged_traceback(
    env: Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(env.engine, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="briefbot.discord"):
        _, body = await env.command("ask", question="What is the CSTO?")
        _, reply = await env.ask("What is the CSTO?", mention_bot=True)
    assert body["flags"] & EPHEMERAL and "went wrong" in body["content"]
    assert "index on fire" not in body["content"] and "went wrong" in reply.json["content"]
    assert any(r.exc_info and "index on fire" in str(r.exc_info[1]) for r in caplog.records)


async def test_source_help_and_topics(env: Env) -> None:
    _, body = await env.command("source")
    assert "Mykhailo Samus" in text_of(body) and "2022-01-11" in text_of(body)
    _, body = await env.command("help")
    assert "/ask" in text_of(body) and body["flags"] & EPHEMERAL
    assert f"<#{env.fake.other_channel_id}>" in text_of(body)


needs_summaries = pytest.mark.skipif(
    not hasattr(Briefbot, "summarize") or not hasattr(Briefbot, "topics"),
    reason="Briefbot.summarize/topics (briefbot.summaries) not merged yet",
)


@needs_summaries
async def test_summary_and_topics_answer(env: Env) -> None:
    _, body = await env.command("summary")
    assert body.get("embeds") and body["embeds"][0]["title"].startswith("Summary")
    assert_verbatim(body, env.engine)
    _, body = await env.command("topics")
    assert body["embeds"][0]["fields"]
    topic = env.bot.topics_now()[0].name
    _, body = await env.command("summary", topic=topic)
    assert body.get("embeds") or body.get("content")


@needs_summaries
async def test_a_slow_summary_is_deferred(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    real = env.engine.summarize

    def slow(*args: Any, **kwargs: Any) -> Any:
        import time

        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(env.engine, "summarize", slow)
    env.bot.defer_after = 0.05
    itx, body = await env.command("summary")
    assert env.fake.interaction_requests(itx)[0].json["type"] == CB_DEFER
    assert body["embeds"][0]["title"].startswith("Summary")


@needs_summaries
async def test_autocomplete_gives_at_most_25_choices(env: Env) -> None:
    for typed in ("", "a", "russ", "zzzzzz"):
        itx = await env.fake.send_autocomplete("summary", {"topic": typed}, focused="topic")
        await env.fake.wait_for_interaction_response(itx)
        choices = env.fake.autocomplete_choices(itx)
        assert choices is not None and len(choices) <= 25
        assert all(typed.casefold() in c["name"].casefold() for c in choices)


# --- buttons ----------------------------------------------------------------------------


async def test_more_and_context_buttons(env: Env) -> None:
    fake = env.fake
    _, reply = await env.ask("Why did Russia send troops?", mention_bot=True)
    message = reply.response
    more, ctx = custom_ids(reply.json)[:2]
    itx = await fake.click_button(message, more)
    body = (await fake.wait_for_interaction_messages(itx))[-1]
    assert body["flags"] & EPHEMERAL
    assert "Excerpts 4–6" in body["embeds"][0]["footer"]["text"]
    assert body["embeds"][0]["title"] == reply.json["embeds"][0]["title"]
    first_quotes = set(quotes_in(reply.json["embeds"][0]["description"]))
    assert not first_quotes & set(assert_verbatim(body, env.engine))

    itx = await fake.click_button(message, ctx)
    body = (await fake.wait_for_interaction_messages(itx))[-1]
    pid = int(ctx.rsplit(":", 1)[1])
    around = [p.text for p in env.engine.context(pid)]
    assert body["flags"] & EPHEMERAL and quotes_in(body["embeds"][0]["description"]) == around


async def test_more_with_a_long_question_reads_it_back_from_the_message(env: Env) -> None:
    question = (
        "Considering everything the authors write about it, why exactly did Russia "
        "decide to send its troops into Kazakhstan in January?"
    )
    _, reply = await env.ask(question, mention_bot=True)
    more = custom_ids(reply.json)[0]
    assert len(more) <= 100 and ":#" in more
    itx = await env.fake.click_button(reply.response, more)
    body = (await env.fake.wait_for_interaction_messages(itx))[-1]
    assert "Excerpts 4–6" in body["embeds"][0]["footer"]["text"]


async def test_buttons_survive_a_restart_and_expire_with_the_corpus(
    env: Env, tmp_path: Path
) -> None:
    fake = env.fake
    _, reply = await env.ask("What is the CSTO?", mention_bot=True)
    more, ctx = custom_ids(reply.json)[:2]
    await env.stop()
    await env.start()  # a new process would rebuild the same index: same fingerprint
    itx = await fake.click_button(reply.response, ctx)
    body = (await fake.wait_for_interaction_messages(itx))[-1]
    assert body.get("embeds") and "expired" not in text_of(body)

    (tmp_path / "other.md").write_text("---\ntitle: Other\n---\nA different article.\n")
    changed = Briefbot.from_folder(tmp_path)
    assert corpus_fingerprint(changed) != corpus_fingerprint(env.engine)
    await env.stop()
    await env.start(changed)
    for custom_id in (more, ctx):
        itx = await fake.click_button(reply.response, custom_id)
        body = (await fake.wait_for_interaction_messages(itx))[-1]
        assert body["content"] == "This button has expired: ask again."
        assert body["flags"] & EPHEMERAL


# --- choosing a document -----------------------------------------------------------------


NOTE = """---
title: Field note {n}
---
Note {n}: Russia sent troops to Kazakhstan because the CSTO asked, field note {n} says.
"""


async def test_ask_limited_to_one_document(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    for n in range(1, 31):
        write(folder, f"notes/note-{n:02}.md", NOTE.format(n=n))
    engine = Briefbot.from_folder(folder, save=False)
    article = next(d.id for d in engine.documents if not d.id.startswith("notes/"))
    async with started(engine) as env:
        fake = env.fake
        for typed in ("", "note", "NOTE 1", "occupation", "zzzz"):
            choices = await choices_for(fake, typed)
            assert len(choices) <= 25
            assert all(typed.casefold() in c["name"].casefold() for c in choices)
        assert len(await choices_for(fake, "")) == 25
        assert await choices_for(fake, "zzzz") == []
        assert [c["value"] for c in await choices_for(fake, "note 1")] == [
            f"notes/note-{n}" for n in ("01", *range(10, 20))
        ]
        [choice] = await choices_for(fake, "occupation")
        assert choice["value"] == article

        question = "Why did Russia send troops to Kazakhstan?"
        _, body = await env.command("ask", question=question)
        assert "Field note" in text_of(body)  # the notes answer it too

        _, body = await env.command("ask", question=question, document=choice["value"])
        assert cites_only(body, engine, article) and "Field note" not in text_of(body)
        more = custom_ids(body)[0]
        position = [d.id for d in engine.documents].index(article)
        assert more.startswith("bb:more:") and f"@{position}:" in more and len(more) <= 100
        message = fake.bot_messages()[-1]
        itx = await fake.click_button(message, more)
        body = (await fake.wait_for_interaction_messages(itx))[-1]
        assert "Excerpts 4–6" in body["embeds"][0]["footer"]["text"]
        assert cites_only(body, engine, article) and "Field note" not in text_of(body)

        _, body = await env.command("ask", question=question, document="Field note 7")
        assert cites_only(body, engine, "notes/note-07")  # a title is understood too

        _, body = await env.command("ask", question=question, document="nowhere")
        assert body["flags"] & EPHEMERAL and body["content"].startswith("Unknown document")


async def choices_for(fake: FakeDiscord, typed: str) -> list[dict[str, Any]]:
    itx = await fake.send_autocomplete("ask", {"document": typed}, focused="document")
    await fake.wait_for_interaction_response(itx)
    return fake.autocomplete_choices(itx) or []


def cites_only(body: dict[str, Any], engine: Briefbot, doc_id: str) -> bool:
    """Every quote of the answer is from document ``doc_id``, and there is one."""
    texts = [p.text for p in engine.index.passages if p.doc_id == doc_id]
    quotes = quotes_in(body["embeds"][0]["description"])
    return bool(quotes) and all(any(q in t for t in texts) for q in quotes)


# --- reloading the corpus -----------------------------------------------------------------

LIGHTHOUSE = """---
title: The Harbour Report
---
The lighthouse keeper Ingrid Solberg repaired the Varnhavn lighthouse in March.
"""
LIGHTHOUSE_QUESTION = "Who repaired the Varnhavn lighthouse?"


async def reload_as_owner(env: Env) -> dict[str, Any]:
    fake = env.fake
    itx = await fake.send_command("reload", {}, user=fake.owner)
    body = (await fake.wait_for_interaction_messages(itx))[-1]
    first = fake.interaction_requests(itx)[0].json
    assert first["type"] == CB_DEFER and first["data"]["flags"] & EPHEMERAL
    return body


async def test_reload_picks_up_a_new_document(folder_env: Env, corpus_dir: Path) -> None:
    env = folder_env
    _, before = await env.ask("What is the CSTO?", mention_bot=True)
    _, body = await env.command("ask", question=LIGHTHOUSE_QUESTION)
    assert "Ingrid Solberg" not in text_of(body)  # not in the article

    write(corpus_dir, "harbour.md", LIGHTHOUSE)
    write(corpus_dir, "broken.md", "---\ntitle: never closed\n")
    body = await reload_as_owner(env)
    passages = len(env.engine.index.passages)
    lines = body["content"].splitlines()
    assert lines[0] == f"Reloaded: {passages} passages from 2 documents."
    assert len(lines) == 2 and "broken.md" in lines[1] and "never closed" in lines[1]

    _, body = await env.command("ask", question=LIGHTHOUSE_QUESTION)
    assert "Ingrid Solberg" in text_of(body) and "The Harbour Report" in text_of(body)
    assert_verbatim(body, env.engine)
    # the passages may have moved: buttons made before the reload expire
    for custom_id in custom_ids(before.json)[:2]:
        itx = await env.fake.click_button(before.response, custom_id)
        clicked = (await env.fake.wait_for_interaction_messages(itx))[-1]
        assert clicked["content"] == "This button has expired: ask again."
    _, reply = await env.ask("What is the CSTO?", mention_bot=True)
    itx = await env.fake.click_button(reply.response, custom_ids(reply.json)[1])
    clicked = (await env.fake.wait_for_interaction_messages(itx))[-1]
    assert clicked.get("embeds") and "expired" not in text_of(clicked)


async def test_reload_is_owner_only(folder_env: Env, corpus_dir: Path) -> None:
    index = folder_env.engine.index
    write(corpus_dir, "harbour.md", LIGHTHOUSE)
    _, body = await folder_env.command("reload")
    assert body["flags"] & EPHEMERAL and "Only the bot's owner" in body["content"]
    assert folder_env.engine.index is index


async def test_reload_of_an_unusable_corpus_keeps_the_old_index(
    folder_env: Env, corpus_dir: Path
) -> None:
    env = folder_env
    index = env.engine.index
    (corpus_dir / ARTICLE.name).unlink()
    write(corpus_dir, "broken.md", "---\ntitle: never closed\n")
    body = await reload_as_owner(env)
    error, kept = body["content"].splitlines()
    assert "broken.md" in error and "never closed" in error
    assert kept.startswith("Nothing changed") and f"{len(index.passages)} passages" in kept
    assert env.engine.index is index
    _, reply = await env.ask("Who entered Kazakhstan on January 6?", mention_bot=True)
    assert "the first CSTO military units" in assert_verbatim(reply.json, env.engine)[0]


async def test_reload_too_large_for_the_memory_keeps_the_old_index(
    folder_env: Env, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefbot import build

    env = folder_env
    index = env.engine.index
    write(corpus_dir, "harbour.md", LIGHTHOUSE)
    monkeypatch.setattr(build, "_available_memory", lambda: 2**20)
    body = await reload_as_owner(env)
    error, kept = body["content"].splitlines()
    assert "GB of memory" in error and kept.startswith("Nothing changed")
    assert env.engine.index is index


async def test_a_question_in_flight_finishes_on_the_old_index(
    folder_env: Env, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = folder_env
    asked, release = threading.Event(), threading.Event()
    real = Briefbot.ask

    def held(self: Briefbot, question: str, **kwargs: Any) -> Any:
        if question == LIGHTHOUSE_QUESTION and not release.is_set():
            asked.set()
            release.wait(30)  # in flight until the reload is done
        return real(self, question, **kwargs)

    monkeypatch.setattr(Briefbot, "ask", held)
    itx = await env.fake.send_command("ask", {"question": LIGHTHOUSE_QUESTION})
    assert await asyncio.to_thread(asked.wait, 5)
    write(corpus_dir, "harbour.md", LIGHTHOUSE)
    body = await reload_as_owner(env)
    assert body["content"].startswith("Reloaded:")
    release.set()
    body = (await env.fake.wait_for_interaction_messages(itx))[-1]
    assert "Ingrid Solberg" not in text_of(body)  # answered from the index it started with
    _, body = await env.command("ask", question=LIGHTHOUSE_QUESTION)
    assert "Ingrid Solberg" in text_of(body)


# --- under pressure ---------------------------------------------------------------------


async def test_after_a_dropped_gateway_the_bot_resumes_and_answers(env: Env) -> None:
    fake = env.fake
    await fake.drop_gateway()
    msg = await fake.send_message("What is the CSTO?", mention_bot=True)  # while disconnected
    await fake.wait_until_resumed(timeout=10)
    reply = await fake.wait_for_request(
        "POST", MESSAGES, predicate=lambda r: replies_to(r, msg["id"]), timeout=10
    )
    assert "**CSTO**" in text_of(reply.json)
    assert fake.identify_count == 1  # resumed, not re-identified


async def test_after_a_429_the_message_is_delivered_exactly_once(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", MESSAGES, status=429, retry_after=0.05)
    msg, _ = await env.ask("What is the CSTO?", mention_bot=True)
    await asyncio.sleep(0.2)
    attempts = [
        r
        for r in fake.find_requests("POST", MESSAGES, include_failed=True)
        if replies_to(r, msg["id"])
    ]
    assert [r.status for r in attempts] == [429, 200]


async def test_a_500_does_not_kill_the_bot(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", MESSAGES, status=500)
    msg, _ = await env.ask("What is the CSTO?", mention_bot=True)  # discord.py retries once
    _, reply = await env.ask("Which countries are members of the CSTO?", mention_bot=True)
    assert "**CSTO**" in text_of(reply.json)
    assert not env.task.done()


async def test_every_extension_loads(env: Env) -> None:
    from briefbot.discord_bot import EXTENSIONS

    assert set(env.bot.extensions) == set(EXTENSIONS)
    assert {c.name for c in env.bot.tree.get_commands()} >= {"ask", "summary", "help"}
    assert isinstance(env.bot.allowed_mentions, discord.AllowedMentions)


# --- syncing and running ------------------------------------------------------------------


async def test_sync_is_owner_only(env: Env) -> None:
    fake = env.fake
    _, body = await env.command("sync")
    assert body["flags"] & EPHEMERAL and "Only the bot's owner" in body["content"]
    assert not fake.find_requests("PUT", rf"/applications/{fake.app_id}/commands")
    itx = await fake.send_command("sync", {"scope": "global"}, user=fake.owner)
    body = (await fake.wait_for_interaction_messages(itx))[-1]
    assert "Synced 8 commands globally" in body["content"]
    assert len(fake.commands[None]) == 8


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from briefbot.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


async def test_cli_run_and_sync(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    code, out = await asyncio.to_thread(_cli, ["run"], capsys)
    assert code == 1 and out == (
        "Set DISCORD_TOKEN (in the environment or .env) to run the bot; "
        "`briefbot repl` works without Discord.\n"
    )
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_TOKEN", fake.token)
        code, out = await asyncio.to_thread(_cli, ["sync"], capsys)
        assert code == 0 and out.startswith("Synced 8 commands globally: /ask, /summary")
        assert {c["name"] for c in fake.commands[None]} >= {"ask", "summary", "topics"}
        wrong = fake.token + "x"
        monkeypatch.setenv("DISCORD_TOKEN", wrong)
        code, out = await asyncio.to_thread(_cli, ["sync"], capsys)
        assert code == 1 and "Discord rejected DISCORD_TOKEN" in out and wrong not in out
        assert len(out.strip().splitlines()) == 1
        from tests.helpers import CORPUS

        code, out = await asyncio.to_thread(_cli, ["--corpus", str(CORPUS), "run"], capsys)
        assert code == 1 and "Discord rejected DISCORD_TOKEN" in out and wrong not in out


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        ("close 4004", "Discord rejected DISCORD_TOKEN"),
        ("close 4013", "intents as invalid"),
        ("close 4014", "Message Content intent"),
        ("no api", "Cannot reach Discord's API"),
        ("no gateway", "Cannot reach Discord's gateway"),
    ],
)
async def test_start_up_failures_are_one_line_and_exit_1(
    failure: str,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    shared_cache: Path,
) -> None:
    import discord.gateway
    import discord.http
    import yarl

    from tests.helpers import CORPUS

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", str(shared_cache))
    closed = "127.0.0.1:9"  # the discard port: nothing listens there
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_TOKEN", fake.token)
        if failure.startswith("close"):
            fake.close_identify_with = int(failure.split()[1])
        elif failure == "no api":
            discord.http.Route.BASE = f"http://{closed}/api/v10"  # restored by the fake
        else:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://{closed}/")
        with caplog.at_level(logging.INFO):
            code, out = await asyncio.to_thread(_cli, ["--corpus", str(CORPUS), "run"], capsys)
    assert code == 1, out
    assert out.startswith("briefbot: error: ") and says in out, out
    assert len(out.strip().splitlines()) == 1 and "Traceback" not in out
    assert fake.token not in out + caplog.text
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "voice will NOT be supported" not in caplog.text
    assert (shared_cache / "index" / "meta.json").exists()  # `run` honours BRIEFBOT_CACHE_DIR


async def test_without_the_message_content_intent_mentions_still_work(bot: Briefbot) -> None:
    async with FakeDiscord() as fake:
        settings = Settings(
            _env_file=None,
            dev_guild_id=int(fake.guild_id),
            message_content=False,
            answer_channels=[int(fake.other_channel_id)],
        )
        env = Env(fake, bot, settings)
        await env.start()
        try:
            assert not fake.identify_payload["intents"] & (1 << 15)
            await fake.send_message("What is the CSTO?", channel_id=fake.other_channel_id)
            _, reply = await env.ask("What is the CSTO?", mention_bot=True)
            assert "**CSTO**" in text_of(reply.json)
            assert len(fake.messages_sent()) == 1  # the watched channel needs the intent
        finally:
            await env.stop()
        assert fake.all_validation_errors() == []


def test_env_example_lists_every_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    text = example.read_text(encoding="utf-8")
    names = set(re.findall(r"^([A-Z_]+)=", text, re.M))
    expected = {"DISCORD_TOKEN"} | {
        f"BRIEFBOT_{name.upper()}" for name in Settings.model_fields if name != "discord_token"
    }
    assert names == expected
    (tmp_path / ".env").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in expected:
        monkeypatch.delenv(name, raising=False)
    assert Settings().discord_token is None  # the example parses; empty means unset
