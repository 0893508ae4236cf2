"""End-to-end checks of what members see: long attributions, echoed links, silence where
nobody asked, typing, permissions and rate limits, the message's design. The real
discord.py bot against the local fake Discord, as in test_discord_e2e."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from briefbot import Briefbot
from briefbot.discord_render import render_answer
from tests.helpers import ARTICLE, write
from tests.test_discord_e2e import MESSAGES, Env, replies_to, started, text_of
from tests.test_discord_render import plain, quotes_in

SUPPRESS_EMBEDS = 1 << 2


@pytest.fixture
async def env(bot: Briefbot) -> AsyncIterator[Env]:  # ``bot``: the session engine (conftest)
    async with started(bot) as e:
        yield e


UKRAINIAN_URL = "https://www.eurointegration.com.ua/articles/2022/01/7/статті-окупація-ні/"


def corpus_with_url(folder: Path, url: str) -> Path:
    """The bundled article with another document link."""
    text = ARTICLE.read_text(encoding="utf-8")
    text = re.sub(r'^url: ".*"$', f'url: "{url}"', text, count=1, flags=re.M)
    write(folder, ARTICLE.name, text)
    return folder


async def no_reply(env: Env, message: dict[str, Any], wait: float = 1.5) -> bool:
    await asyncio.sleep(wait)
    return not [r for r in env.fake.requests if replies_to(r, message["id"])]


# --- 1. long attributions ---------------------------------------------------------------


@pytest.mark.parametrize("url", [UKRAINIAN_URL, "https://example.org/" + "a-long-path/" * 125])
async def test_a_long_document_link_never_costs_the_answer(
    tmp_path: Path, url: str, lexical_only: None
) -> None:
    engine = Briefbot.from_folder(corpus_with_url(tmp_path / "c", url), save=False)
    async with started(engine, top=10) as e:
        _, reply = await e.ask("Who entered Kazakhstan on January 6?", mention_bot=True)
        body = reply.json
        assert "Something went wrong" not in (body.get("content") or "")
        quotes = quotes_in(body["embeds"][0]["description"])
        assert len(quotes) >= 3 and "the first CSTO military units" in quotes[0]
        for quote in quotes:
            assert any(quote in p.text for p in engine.index.passages)
        itx, summary = await e.command("summary")
        assert summary["embeds"][0].get("description"), summary


# --- 2. links typed by users are never repeated ----------------------------------------


async def test_links_and_invites_are_never_repeated(env: Env) -> None:
    topic = "free nitro: https://discord-gift.example/claim"
    _, body = await env.command("summary", topic=topic)
    shown = text_of(body)
    assert "https://" not in shown and "discord-gift" not in shown
    assert body["content"] and body["flags"] & SUPPRESS_EMBEDS
    msg, reply = await env.ask("what is discord.gg/abcdef about?", mention_bot=True)
    assert "discord.gg" not in text_of(reply.json)
    _, reply = await env.ask("https://discord.gg/abcdef", mention_bot=True)
    assert reply.json["content"] == "I don't open links: ask your question in words."
    assert reply.json["flags"] & SUPPRESS_EMBEDS


# --- 3. silence where nobody asked ------------------------------------------------------


async def test_watched_channels_hear_only_answers(env: Env) -> None:
    fake = env.fake
    elsewhere = fake.other_channel_id  # watched, and nobody addresses the bot
    for text in (
        "Why is the weather so weird?",  # not answered by the article
        "What?!?",  # no words to look for
        "why " * 100 + "?",  # too long
    ):
        msg = await fake.send_message(text, channel_id=elsewhere)
        assert await no_reply(env, msg, 1.0), text
    # the same refusal is said to someone who asked the bot
    _, reply = await env.ask("Why is the weather so weird?", mention_bot=True)
    assert reply.json["content"].startswith("The article does not")


async def test_a_cooldown_in_a_watched_channel_is_silent(bot: Briefbot) -> None:
    async with started(bot, cooldown_questions=1, cooldown_seconds=60) as env:
        fake = env.fake
        _, first = await env.ask("What is the CSTO?", channel_id=fake.other_channel_id)
        assert first.json["embeds"]
        msg = await fake.send_message("Who leads the CSTO?", channel_id=fake.other_channel_id)
        assert await no_reply(env, msg)
        _, notice = await env.ask("Who leads the CSTO?", mention_bot=True)
        assert "You're asking quickly" in notice.json["content"]


# --- 7. under pressure ------------------------------------------------------------------


async def test_typing_is_kept_up_while_a_question_waits(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.bot.typing_every = 0.2
    ask = env.engine.ask

    def slow(*args: Any, **kwargs: Any) -> Any:
        import time

        time.sleep(1.1)
        return ask(*args, **kwargs)

    monkeypatch.setattr(env.engine, "ask", slow)
    _, reply = await env.ask("What is the CSTO?", mention_bot=True)
    typing = env.fake.find_requests("POST", rf"/channels/{env.fake.channel_id}/typing")
    assert len([t for t in typing if t.index < reply.index]) >= 4


async def test_a_missing_permission_is_one_warning_naming_the_channel(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    fake = env.fake
    fake.fail_next(
        "POST", MESSAGES, status=403, body={"message": "Missing Permissions", "code": 50013}
    )
    with caplog.at_level(logging.INFO, logger="briefbot"):
        msg = await fake.send_message("What is the CSTO?", mention_bot=True)
        await fake.wait_for_request(
            "POST", MESSAGES, predicate=lambda r: replies_to(r, msg["id"]), include_failed=True
        )
        await asyncio.sleep(0.2)
    records = [r for r in caplog.records if r.name.startswith("briefbot")]
    warned = [r for r in records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and not warned[0].exc_info
    line = warned[0].getMessage()
    assert "#general" in line and fake.channel_id in line and "50013" in line
    assert not [r for r in records if r.levelno >= logging.ERROR]


async def test_a_reply_outlasts_more_429s_than_discord_py_retries(env: Env) -> None:
    fake = env.fake
    fake.fail_next("POST", MESSAGES, status=429, retry_after=0.01, count=7)
    msg = await fake.send_message("What is the CSTO?", mention_bot=True)
    reply = await fake.wait_for_request(
        "POST", MESSAGES, predicate=lambda r: replies_to(r, msg["id"]), timeout=30
    )
    assert reply.status == 200 and "**CSTO**" in text_of(reply.json)
    attempts = [
        r
        for r in fake.find_requests("POST", MESSAGES, include_failed=True)
        if replies_to(r, msg["id"])
    ]
    assert [r.status for r in attempts] == [429] * 7 + [200]


# --- 8. message design -------------------------------------------------------------------


async def test_the_answer_as_a_member_sees_it(env: Env) -> None:
    _, body = await env.command(
        "ask", question="<@123456789012345678> How many troops did Russia send?"
    )
    embed = body["embeds"][0]
    assert embed["title"] == "How many troops did Russia send?"
    doc = env.engine.documents[0]
    assert embed["author"]["name"] == doc.title
    everything = text_of(body) + embed["footer"]["text"]
    assert everything.count(doc.title) == 0 and embed["footer"]["text"].count(doc.byline) == 1
    # bold: only the words asked, in any of their forms
    own = {env.engine.index.tokenizer.term(w) for w in ("troops", "russia", "send")}
    for word in re.findall(r"\*\*(.+?)\*\*", embed["description"]):
        assert env.engine.index.tokenizer.term(plain(word).casefold()) in own, word
    assert "““" not in embed["description"] and "””" not in embed["description"]


def test_a_quotation_is_not_quoted_twice(bot: Briefbot) -> None:
    answer = bot.ask("What did Pashinyan write on Facebook about the peacekeeping forces?")
    excerpts = [h.excerpt.text for h in answer.hits]
    assert any(e.startswith("“") for e in excerpts), excerpts  # the source's own marks
    desc = render_answer(answer, fingerprint="0").embeds[0]["description"]
    assert "““" not in desc and "””" not in desc
    assert all(q in excerpts for q in quotes_in(desc))


def test_hello_in_a_dm_gets_help_not_a_refusal(bot: Briefbot) -> None:
    for text in ("hello there", "hi all", "Hello there!"):
        answer = bot.ask(text)
        msg = render_answer(answer, fingerprint="0")
        assert answer.small_talk and "does not mention" not in msg.content, msg.content


# --- 4. topics: found once, shared --------------------------------------------------------


async def test_a_burst_of_autocompletes_is_answered_from_the_saved_topics(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefbot import summaries

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("topics were searched for during a request")

    monkeypatch.setattr(summaries, "_find_topics", never)
    fake = env.fake
    typed = "Kazakhstan"
    itxs = await asyncio.gather(
        *(
            fake.send_autocomplete("summary", {"topic": typed[:n]}, focused="topic")
            for n in range(1, 9)
        )
    )
    for itx in itxs:
        await fake.wait_for_interaction_response(itx)
        choices = fake.autocomplete_choices(itx)
        assert choices, "an autocomplete went unanswered"


# --- 6. what a mutation of the bot would break -------------------------------------------


async def test_the_cooldown_holds_for_mentions_and_for_more(bot: Briefbot) -> None:
    async with started(bot, cooldown_questions=1, cooldown_seconds=60) as env:
        fake = env.fake
        _, first = await env.ask("Why did Russia send troops?", mention_bot=True)
        assert first.json["embeds"]
        _, second = await env.ask("What is the CSTO?", mention_bot=True)
        assert "You're asking quickly" in second.json["content"]
        more = next(i for i in custom_ids_of(first.json) if i.startswith("bb:more:"))
        itx = await fake.click_button(first.response, more)
        body = (await fake.wait_for_interaction_messages(itx))[-1]
        assert "You're asking quickly" in body["content"] and body["flags"] & (1 << 6)


def custom_ids_of(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body["components"] for c in row["components"]]


async def test_other_bots_and_replayed_messages_get_no_reply(env: Env) -> None:
    fake = env.fake
    other = fake.make_user("otherbot", bot=True)
    msg = await fake.send_message("What is the CSTO?", author=other, mention_bot=True)
    assert await no_reply(env, msg, 1.0)
    msg, reply = await env.ask("What is the CSTO?", mention_bot=True)
    await fake.redeliver(msg)  # the gateway may deliver a message twice
    await asyncio.sleep(1.0)
    assert len([r for r in fake.requests if replies_to(r, msg["id"])]) == 1


async def test_a_stress_corpus_stays_within_every_discord_limit(
    tmp_path: Path, lexical_only: None
) -> None:
    """Many documents with long titles, bylines and non-ASCII links: every message the bot
    sends is checked by the fake server's own limits (independent of the renderer's)."""
    folder = tmp_path / "stress"
    body = ARTICLE.read_text(encoding="utf-8").split("---\n", 2)[2]
    paragraphs = [p for p in body.split("\n\n") if p and not p.startswith("#")]
    for i in range(30):
        title = f"Документ {i}: " + "довга назва статті про Казахстан " * 7
        authors = ", ".join(f'"Автор Номер{i}{j} Прізвищенко"' for j in range(12))
        url = f"https://приклад.укр/{i}/" + "шлях-до-статті/" * 25
        text = "\n\n".join(paragraphs[i::30])  # no text in two documents: copies are quoted once
        heading = "## " + "Розділ із дуже довгою назвою " * 8
        write(
            folder,
            f"doc{i:02}.md",
            f'---\ntitle: "{title}"\nauthors: [{authors}]\nurl: "{url}"\n---\n'
            f"{heading}\n\n{text}\n",
        )
    engine = Briefbot.from_folder(folder, save=False)
    async with started(engine, top=10) as env:
        _, reply = await env.ask("Why did Russia send troops to Kazakhstan?", mention_bot=True)
        assert reply.status == 200 and reply.json["embeds"]
        for command, options in (("source", {}), ("topics", {}), ("summary", {})):
            _, answered = await env.command(command, **options)
            assert answered.get("embeds") or answered.get("content"), command
        more = next(i for i in custom_ids_of(reply.json) if i.startswith("bb:more:"))
        itx = await env.fake.click_button(reply.response, more)
        await env.fake.wait_for_interaction_messages(itx)
    # started() asserts that the fake found no body over a limit


async def test_the_token_is_never_logged_with_the_real_logging_set_up(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    shared_cache: Path,
) -> None:
    from briefbot.cli import main
    from tests.fake_discord import FakeDiscord
    from tests.helpers import CORPUS

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("BRIEFBOT_CACHE_DIR", str(shared_cache))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in a real process: briefbot sets it up
    async with FakeDiscord() as fake:
        monkeypatch.setenv("DISCORD_TOKEN", fake.token)
        fake.close_identify_with = 4004  # log in, identify, then stop
        code = await asyncio.to_thread(main, ["--corpus", str(CORPUS), "run"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Indexed" in err and "DEBUG" in err  # the real handler wrote the log
    assert fake.token not in out + err
    assert fake.token.split(".", 1)[1] not in out + err


# --- feedback and knowledge gaps ---------------------------------------------------------


async def test_votes_and_refusals_become_gaps_for_the_owner(bot: Briefbot, tmp_path: Path) -> None:
    async with started(bot, feedback_db=tmp_path / "feedback.sqlite3") as env:
        fake = env.fake
        _, refused = await env.ask("Who is the mayor of Paris?", mention_bot=True)
        assert refused.json["content"].startswith("The article does not")
        _, answered = await env.ask("Why did Russia send troops?", mention_bot=True)
        ids = custom_ids_of(answered.json)
        down = next(i for i in ids if i.startswith("bb:vote:") and i.endswith(":down"))
        assert any(i.startswith("bb:vote:") and i.endswith(":up") for i in ids)
        itx = await fake.click_button(answered.response, down)
        thanks = (await fake.wait_for_interaction_messages(itx))[-1]
        assert "gaps" in thanks["content"] and thanks["flags"] & (1 << 6)
        itx = await fake.send_command("gaps")  # not the owner
        body = (await fake.wait_for_interaction_messages(itx))[-1]
        assert "Only the bot's owner" in body["content"]
        itx = await fake.send_command("gaps", user=fake.owner)
        body = (await fake.wait_for_interaction_messages(itx))[-1]
        listed = body["embeds"][0]["description"]
        assert "Who is the mayor of Paris? (asked 1×, refused 1)" in listed
        assert "Why did Russia send troops? (asked 1×, 👎 1)" in listed
        assert str(fake.user["id"]) not in (tmp_path / "feedback.sqlite3").read_bytes().decode(
            "latin-1"
        )


# --- follow-up questions -------------------------------------------------------------------


async def test_a_reply_that_follows_up_is_answered_in_context(env: Env) -> None:
    fake = env.fake
    before = "Who announced the decision to send CSTO troops?"
    _, first = await env.ask(before, mention_bot=True)
    _, reply = await env.ask("who is he?", reference_message_id=first.response["id"])
    embed = reply.json["embeds"][0]
    assert embed["title"] == "who is he?"
    assert f"Following up on: {before}" in embed["footer"]["text"]
    assert "Pashinyan" in embed["description"]
    # a reply that stands on its own is a new question
    _, other = await env.ask(
        "Which countries are members of the CSTO?", reference_message_id=first.response["id"]
    )
    assert "Following up" not in other.json["embeds"][0]["footer"]["text"]
    # "More" on the follow-up keeps its context
    more = next(i for i in custom_ids_of(reply.json) if i.startswith("bb:more:"))
    assert before in more or "#" in more
    itx = await fake.click_button(reply.response, more)
    page = (await fake.wait_for_interaction_messages(itx))[-1]
    assert page["embeds"] and page["embeds"][0]["title"] == "who is he?"


async def test_a_thread_on_an_answer_follows_it_up(env: Env) -> None:
    fake = env.fake
    before = "Who announced the decision to send CSTO troops?"
    _, first = await env.ask(before, mention_bot=True)
    thread = await fake.start_thread(first.response)
    _, reply = await env.ask("who is he?", channel_id=thread, mention_bot=True)
    embed = reply.json["embeds"][0]
    assert f"Following up on: {before}" in embed["footer"]["text"]
    assert "Pashinyan" in embed["description"]


async def test_the_next_ask_of_the_same_person_follows_up_plainly(env: Env) -> None:
    fake = env.fake
    await env.command("ask", question="Who announced the decision to send CSTO troops?")
    _, body = await env.command("ask", question="who is he?")
    assert "Following up on:" in body["embeds"][0]["footer"]["text"]
    itx = await fake.send_command("ask", {"question": "who is he?"}, user=fake.owner)
    other = (await fake.wait_for_interaction_messages(itx))[-1]  # someone else: no context
    assert "Following up" not in text_of(other) + str(other.get("embeds"))


# --- sharding ----------------------------------------------------------------------------


async def test_two_shard_processes_each_answer_only_their_servers(
    tmp_path: Path, shared_cache: Path
) -> None:
    import os
    import signal
    import sys

    from tests.fake_discord import FakeDiscord
    from tests.helpers import CORPUS, ROOT

    cache = shared_cache
    Briefbot.from_folder(CORPUS, cache_dir=cache, save=True)  # both processes load it
    async with FakeDiscord() as fake:
        assert fake.shard_of(fake.guild_id, 2) != fake.shard_of(fake.second_guild_id, 2)
        base = {
            **os.environ,
            "DISCORD_TOKEN": fake.token,
            "BRIEFBOT_CORPUS_DIR": str(CORPUS),
            "BRIEFBOT_CACHE_DIR": str(cache),
            "BRIEFBOT_SHARD_COUNT": "2",
            "BRIEFBOT_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        }
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.fake_discord.run_against",
                fake.base_url,
                fake.gateway_url,
                "run",
                env={**base, "BRIEFBOT_SHARD_IDS": str(shard)},
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for shard in (0, 1)
        ]
        try:
            await fake.wait_until_identified(timeout=90, count=2)
            assert sorted(tuple(p["shard"]) for p in fake.identify_payloads) == [(0, 2), (1, 2)]
            await asyncio.sleep(0.5)
            asked = [
                await fake.send_message("What is the CSTO?", mention_bot=True),
                await fake.send_message(
                    "What is the CSTO?", channel_id=fake.second_channel_id, mention_bot=True
                ),
            ]
            for msg in asked:
                await fake.wait_for_request(
                    "POST", MESSAGES, predicate=lambda r, m=msg: replies_to(r, m["id"]), timeout=30
                )
            await asyncio.sleep(1.0)
            for msg in asked:  # each server's question answered once: by its own shard only
                assert len([r for r in fake.requests if replies_to(r, msg["id"])]) == 1
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGINT)
            outputs = [await asyncio.wait_for(p.communicate(), 30) for p in procs]
        for proc, (_, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err.decode()
            assert fake.token not in err.decode()


async def test_a_dm_greeting_gets_help_and_a_dm_question_an_answer(env: Env) -> None:
    fake = env.fake
    _, hello = await env.ask("hello there", channel_id=fake.dm_channel_id)
    assert "does not mention" not in hello.json["content"]
    assert hello.json["content"].startswith("Hi! Ask me a question")
    _, answer = await env.ask("Who entered Kazakhstan on January 6?", channel_id=fake.dm_channel_id)
    assert "the first CSTO military units" in answer.json["embeds"][0]["description"]
