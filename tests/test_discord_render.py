"""The Discord renderer: limits, escaping, mentions, verbatim quotes, stateless buttons."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefbot import Briefbot
from briefbot import discord_render as dr
from briefbot.answers import Answer
from briefbot.discord_render import (
    DiscordMessage,
    escape,
    limit_problems,
    message_to_text,
    render_answer,
    unescape,
)


def plain(text: str) -> str:
    """Quote text as written: bold markers dropped, escapes undone."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif text.startswith("**", i):
            i += 2
        elif text.startswith("@\u200b", i):
            out.append("@")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def quotes_in(description: str) -> list[str]:
    """The quotes of a rendered description, as written in the source."""
    quotes = []
    for block in description.split("\n\n"):
        lines = [line[2:] for line in block.split("\n") if line.startswith("> ")]
        if not lines:
            continue
        body = "\n".join(lines)
        body = body.removeprefix(dr.ELLIPSIS).removesuffix(dr.ELLIPSIS)
        quotes.append(plain(body))
    return quotes


@pytest.fixture(scope="module")
def fp(bot: Briefbot) -> str:
    return dr.corpus_fingerprint(bot)


def passages(bot: Briefbot) -> list[str]:
    return [p.text for p in bot.index.passages]


QUESTIONS = [
    "Who entered Kazakhstan on January 6?",
    "Why did Russia send troops?",
    "What is the CSTO?",
    "What did Nazarbayev say about Ukraine's fate?",
    "When did Uzbekistan leave the CSTO?",
]


# --- answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_quote_verbatim_within_limits(bot: Briefbot, fp: str, question: str) -> None:
    answer = bot.ask(question, top=3)
    msg = render_answer(answer, fingerprint=fp, top=3)
    assert limit_problems(msg) == []
    quotes = quotes_in(msg.embeds[0]["description"])
    assert len(quotes) == len(answer.hits)
    for quote, hit in zip(quotes, answer.hits, strict=True):
        assert quote == hit.excerpt.text and quote in hit.passage.text
    # the matched words are bold, and each quote has its attribution with a text fragment
    assert msg.embeds[0]["description"].count("**") >= 2
    assert msg.embeds[0]["description"].count("#:~:text=") == len(answer.hits)
    assert msg.buttons[0].label == "More" and msg.buttons[1].label == "Context 1"


def test_attribution_names_title_section_paragraph_and_links(bot: Briefbot, fp: str) -> None:
    answer = bot.ask("What is the CSTO?")
    hit = answer.hits[0]
    doc = hit.passage.document
    embed = render_answer(answer, fingerprint=fp).embeds[0]
    # one document: its title (linked) and byline once, a short "Section › ¶ N" per quote
    assert embed["author"] == {"name": doc.title, "url": doc.url}
    assert embed["footer"]["text"].startswith(f"By {doc.byline} · Excerpts 1–")
    lines = [b.split("\n")[-1] for b in embed["description"].split("\n\n")]
    assert len(lines) == len(answer.hits) > 1
    for line, shown in zip(lines, answer.hits, strict=True):
        assert line.startswith("— [") and f"¶ {shown.passage.paragraph}]" in line
        assert doc.title not in line and doc.byline not in line
        label = line[3 : line.index("](")]
        assert len(label) <= dr.SECTION_CHARS + 10  # one line on a phone
        assert f"]({doc.url}#:~:text=" in line


def test_not_answered_is_one_short_line(bot: Briefbot, fp: str) -> None:
    msg = render_answer(bot.ask("What is the capital of Australia?"), fingerprint=fp)
    assert msg.embeds == [] and msg.buttons == []
    assert msg.content.startswith("The article does not mention") and "\n" not in msg.content


def _huge_answer(bot: Briefbot, n: int, text: str) -> Answer:
    """An answer whose excerpts are ``text``, placed in passages as their own text, of a
    plain-text document (a Markdown one's own markup is rendered: tests/test_markup.py)."""
    base = bot.ask("Why did Russia send troops?", top=1).hits[0]
    doc = base.passage.document
    doc = dataclasses.replace(doc, path=doc.path.with_suffix(".txt"))
    hits = []
    for i in range(n):
        passage = dataclasses.replace(base.passage, id=i, text=text, document=doc)
        excerpt = dataclasses.replace(
            base.excerpt, start=0, end=len(text), text=text, highlights=((0, 4),)
        )
        hits.append(dataclasses.replace(base, rank=i + 1, passage=passage, excerpt=excerpt))
    return dataclasses.replace(bot.ask("Why did Russia send troops?"), hits=tuple(hits))


def test_long_quotes_are_cut_on_a_word_with_the_ellipsis_outside(bot: Briefbot, fp: str) -> None:
    text = " ".join(f"word{i} *x*_y_" for i in range(2000))
    answer = _huge_answer(bot, 10, text)
    msg = render_answer(answer, fingerprint=fp, top=10)
    assert limit_problems(msg) == []
    desc = msg.embeds[0]["description"]
    assert dr.ELLIPSIS + "\n— " in desc  # a cut quote ends in "…", then its attribution
    quotes = quotes_in(desc)
    assert quotes and all(text.startswith(q) and text[len(q)] == " " for q in quotes)
    assert sum(len(str(e)) for e in msg.embeds) <= 6000 + 200 * len(msg.embeds)
    # "More" goes on after the last hit that was shown
    offset = int(msg.buttons[0].custom_id.split(":")[3])
    assert offset == len(quotes) < 10


def test_escaping_markdown_and_mentions_round_trips() -> None:
    text = "a *b* __c__ ~~d~~ `e` |f| \\g [h](http://i_j) @everyone @here <@123456789012345678>"
    text += "\n# head\n> quote\n- item"
    escaped = escape(text)
    assert unescape(escaped) == text
    assert "@everyone" not in escaped and "@here" not in escaped
    assert "<@123456789012345678>" not in escaped
    assert "\\*b\\*" in escaped and "\\_\\_c\\_\\_" in escaped and "\\# head" in escaped
    assert "http://i_j" in escaped  # links are left alone


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
@example("@\u200b")
@example("@\u200beveryone")
@example("\\@here")
def test_escape_is_reversible(text: str) -> None:
    assert unescape(escape(text)) == text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab *_`~|>#-[]()@\\\n", min_size=1, max_size=120), st.integers(20, 400))
def test_render_quote_is_verbatim_and_within_its_limit(text: str, limit: int) -> None:
    quote = dr.render_quote(text, (), limit)
    if quote is None:
        return
    assert len(quote) <= limit
    (found,) = quotes_in(quote)
    assert found in text and text.startswith(found)


def test_a_quote_cannot_ping_or_format(bot: Briefbot, fp: str) -> None:
    text = "@everyone look at **this** and <@&123456789012345678> here"
    answer = _huge_answer(bot, 1, text)
    msg = render_answer(answer, fingerprint=fp)
    desc = msg.embeds[0]["description"]
    assert "@everyone" not in desc and "<@&1" not in desc and "\\*\\*this\\*\\*" in desc
    assert quotes_in(desc) == [text]


def test_question_in_title_is_escaped_and_limited(bot: Briefbot, fp: str) -> None:
    answer = dataclasses.replace(bot.ask("What is the CSTO?"), question="@everyone *CSTO* " * 40)
    msg = render_answer(answer, fingerprint=fp)
    title = msg.embeds[0]["title"]
    assert len(title) <= 256 and "@everyone" not in title and title.endswith(dr.ELLIPSIS)


# --- buttons ------------------------------------------------------------------------------


def test_custom_ids_are_stateless_and_fit(bot: Briefbot, fp: str) -> None:
    short = dr.more_custom_id("What is the CSTO?", 3, fp)
    assert short == f"bb:more:{fp}:3:What is the CSTO?"
    action = dr.parse_custom_id(short)
    assert action == dr.ButtonAction("more", fp, 3, "What is the CSTO?")
    long_q = "why " * 60
    long_id = dr.more_custom_id(long_q, 3, fp)
    assert len(long_id) <= 100
    action = dr.parse_custom_id(long_id)
    assert action.question is None
    title = dr.truncate(escape(" ".join(long_q.split())), 256)
    assert dr.question_for_more(action, title) == " ".join(long_q.split())
    assert dr.parse_custom_id(dr.context_custom_id(7, fp)) == dr.ButtonAction("ctx", fp, 7)
    for bad in ("bb:ctx:zz:1", "bb:more:abc:1", "other:1", "bb:ctx:abc:1:x"):
        assert dr.parse_custom_id(bad) is None


def test_button_response_more_context_and_expired(bot: Briefbot, fp: str) -> None:
    first = render_answer(bot.ask("Why did Russia send troops?"), fingerprint=fp, top=3)
    more = dr.button_response(bot, first.buttons[0].custom_id, title=first.embeds[0]["title"])
    assert more.ephemeral and "Excerpts 4–6" in more.embeds[0]["footer"]["text"]
    ctx = dr.button_response(bot, first.buttons[1].custom_id)
    pid = int(first.buttons[1].custom_id.rsplit(":", 1)[1])
    assert quotes_in(ctx.embeds[0]["description"]) == [p.text for p in bot.context(pid)]
    assert [b.label for b in ctx.buttons] == ["◀ Earlier", "Later ▶"] or pid == 0
    stale = first.buttons[1].custom_id.replace(fp, "0" * len(fp))
    expired = dr.button_response(bot, stale)
    assert expired.content == dr.EXPIRED and expired.ephemeral
    assert dr.button_response(bot, f"bb:ctx:{fp}:999999").content == dr.EXPIRED


def test_fingerprint_changes_with_the_corpus(bot: Briefbot, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\nOne paragraph here.\n")
    other = Briefbot.from_folder(tmp_path)
    assert dr.corpus_fingerprint(other) != dr.corpus_fingerprint(bot)
    assert dr.corpus_fingerprint(Briefbot.from_folder(tmp_path)) == dr.corpus_fingerprint(other)


# --- the rest -----------------------------------------------------------------------------


def test_sources_help_and_errors_fit(bot: Briefbot) -> None:
    docs = bot.documents
    msgs = [
        dr.render_sources(docs, {docs[0].id: 52}),
        dr.render_sources(list(docs) * 40),
        dr.render_help(watched_channels=[123, 456]),
        dr.render_error("x" * 5000),
        dr.render_cooldown(12.3),
    ]
    for msg in msgs:
        assert limit_problems(msg) == []
    shown = len(msgs[1].embeds[0]["fields"])
    assert f"and {40 - shown} more documents" in msgs[1].embeds[0]["footer"]["text"]
    assert "<#123>" in msgs[2].embeds[0]["description"]
    assert msgs[4].content == "You're asking quickly: try again in 13 s." and msgs[4].ephemeral


@dataclasses.dataclass(frozen=True)
class FakeTopic:
    name: str
    kind: str
    passages: tuple = ()


def test_topics_and_autocomplete_choices() -> None:
    topics = [
        FakeTopic(f"topic {i} " + "x" * (i % 7) * 20, "section" if i % 2 else "entity")
        for i in range(300)
    ]
    msg = dr.render_topics(topics)
    assert limit_problems(msg) == [] and "… and" in msg.embeds[0]["fields"][0]["value"]
    choices = dr.topic_choices(topics, "TOPIC 1")
    assert 0 < len(choices) <= 25 and all(len(c) <= 100 for c in choices)
    assert choices[0].startswith("topic 1")
    assert dr.topic_choices(topics, "nothing like it") == []
    assert dr.render_topics([]).content


def test_summary_rendering(bot: Briefbot) -> None:
    from briefbot.summaries import Summary
    from briefbot.summaries import SummarySentence as Sentence

    ps = bot.index.passages[:8]
    sentences = tuple(Sentence(p, 0, len(p.text), p.text) for p in ps)
    msg = dr.render_summary(Summary("CSTO", True, None, sentences, ()))
    assert limit_problems(msg) == [] and msg.embeds[0]["title"] == "Summary: CSTO"
    assert quotes_in(msg.embeds[0]["description"])[0] == ps[0].text
    none = dr.render_summary(
        Summary("pizza", False, "The article does not mention pizza.", (), ("CSTO", "Russia"))
    )
    assert none.content == "The article does not mention pizza. Try: CSTO, Russia."
    fixed = dr.render_summary(Summary("tokayv", True, None, sentences, (), shown="Tokayev"))
    assert fixed.embeds[0]["title"] == "Summary: Tokayev"


def test_message_to_text_prints_every_part() -> None:
    msg = DiscordMessage(
        content="hi",
        embeds=[
            {
                "title": "T",
                "description": "D",
                "fields": [{"name": "N", "value": "V"}],
                "footer": {"text": "F"},
            }
        ],
        buttons=[dr.Button("More", "bb:more:ab:3:q")],
        ephemeral=True,
    )
    assert (
        message_to_text(msg)
        == "hi\n\n## T\n\nD\n\nN\nV\n\n-- F\n\n[More]\n\n(only you can see this)"
    )


def test_reading_questions_from_messages() -> None:
    assert dr.strip_mentions("<@42> what is <@!42> the CSTO? @everyone <@&7>", 42) == (
        "what is the CSTO?"
    )
    assert dr.looks_like_question("What is the CSTO")
    assert dr.looks_like_question("the CSTO is what?")
    assert not dr.looks_like_question("nice weather today")
    assert not dr.looks_like_question("why")
    assert dr.question_problem("  ", 300) == dr.EMPTY_QUESTION
    assert "keep it to 10 or fewer" in dr.question_problem("x" * 11, 10)
    assert dr.question_problem("fine", 10) is None
    # the engine's own cleaning: a mention or invisible characters alone ask nothing
    assert dr.question_problem("<@123456789012345678> \u200b", 300) == dr.EMPTY_QUESTION
    assert dr.question_problem("<@123456789012345678> fine", 10) is None


def test_no_discord_import_in_the_renderer() -> None:
    source = Path(dr.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+discord\b", source, re.M)


_BOILER = (
    "The boiler keeps the radiators warm through the winter months.\n\n"
    "To read the boiler pressure, run the following command:\n\n{code}\n\n"
    "A reading between one and two bar is normal when the water is cold.\n"
)


@pytest.mark.parametrize(
    ("name", "head", "code"),
    [
        (
            "boiler.md",
            "---\ntitle: Boiler Notes\n---\n## Pressure\n\n",
            "```\ngauge --read --unit bar\n```",
        ),
        (  # the directive is markup, neither prose nor code: not shown
            "boiler.rst",
            "Boiler Notes\n============\n\nPressure\n--------\n\n",
            ".. code-block:: shell\n\n   gauge --read --unit bar",
        ),
    ],
)
def test_a_quote_that_goes_on_into_a_code_block_shows_the_code_as_code(
    tmp_path, name: str, head: str, code: str
) -> None:
    (tmp_path / name).write_text(head + _BOILER.format(code=code), encoding="utf-8")
    bot = Briefbot.from_folder(tmp_path, save=False)
    answer = bot.ask("how do I read the boiler pressure?", top=1)
    hit = answer.hits[0]
    assert hit.passage.code_at is not None  # the quote went on into the code block
    message = render_answer(answer, fingerprint="f")
    text = message.embeds[0]["description"]
    lines = text.split("\n")
    assert lines[0].startswith("> ") and "following command:" in lines[0]
    assert "\n```\ngauge --read --unit bar\n```\n" in text  # a code block, not quoted text
    assert "code-block" not in text
    assert f"¶ {hit.passage.paragraphs}" in lines[-1]
    assert not limit_problems(message)
