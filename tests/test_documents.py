"""Answers, summaries and topics scoped to one document of several, and worded for them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefbot import Briefbot
from briefbot.cli import main
from briefbot.discord_render import render_answer
from briefbot.evaluate import Case, evaluate
from briefbot.render import answer_to_json, answer_to_text

from .helpers import ARTICLE, ROOT
from .test_discord_e2e import started

DOCS = ROOT / "tests" / "data" / "docs"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article and three documentation pages, one of them with a byline."""
    folder = tmp_path_factory.mktemp("four")
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    for doc in DOCS.glob("*.md"):
        shutil.copy(doc, folder / doc.name)
    direnv = folder / "direnv.md"
    text = direnv.read_text(encoding="utf-8")
    direnv.write_text('---\ntitle: direnv\nauthors: ["zimbatm"]\n---\n' + text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def engine(folder: Path) -> Briefbot:
    # lexical: these tests are about scoping and wording, and encoding four documents costs
    # half a minute; saved, so that the CLI test loads it
    return Briefbot.from_folder(folder, save=True, semantic=False)


def test_who_wrote_a_named_document_is_answered_from_its_byline(engine: Briefbot) -> None:
    answer = engine.ask("Who wrote direnv?")
    assert answer.answered and {h.passage.doc_id for h in answer.hits} == {"direnv"}
    shown = render_answer(answer, fingerprint="0").embeds[0]
    assert "zimbatm" in shown["footer"]["text"]
    article = engine.ask("Who wrote Occupation (Not yet), Intervention (Already)?")
    assert {h.passage.doc_id for h in article.hits} == {ARTICLE.stem}
    assert "Samus" in article.hits[0].excerpt.text


def test_refusals_name_what_was_searched(engine: Briefbot) -> None:
    everywhere = engine.ask("What is the capital of Australia?")
    assert everywhere.reason and everywhere.reason.startswith("The documents do not ")
    one = engine.ask("What is the capital of Australia?", document="direnv")
    assert one.reason and one.reason.startswith("“direnv” does not ")
    single = Briefbot.from_folder(ARTICLE.parent).ask("What is the capital of Australia?")
    assert single.reason and single.reason.startswith("The article does not ")


def test_a_lone_undated_document_is_the_document_not_the_article(
    tmp_path: Path, lexical_only: None
) -> None:
    shutil.copy(DOCS / "direnv.md", tmp_path / "direnv.md")
    lone = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    assert lone.what() == "the document"
    refused = lone.ask("What is the capital of Australia?")
    assert refused.reason and refused.reason.startswith("The document does not ")
    assert lone.summarize().subject == "the document"
    from briefbot.render import summary_to_text

    assert summary_to_text(lone.summarize()).startswith("The document in brief:")
    dated = tmp_path / "direnv.md"
    dated.write_text(
        "---\npublished: 2024-05-01\n---\n" + dated.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert Briefbot.from_folder(tmp_path, save=False, semantic=False).what() == "the article"


def test_help_and_topics_name_what_the_bot_knows(engine: Briefbot) -> None:
    from briefbot.discord_render import render_help, render_topics

    assert engine.what() == "the documents"
    assert engine.what("direnv") == "“direnv”"
    helped = render_help(what=engine.what()).embeds[0]["description"]
    assert "questions about the documents" in helped and "the article" not in helped
    assert "no topics in “direnv”" in render_topics((), what=engine.what("direnv")).content


def test_summaries_briefs_and_topics_keep_to_the_document(engine: Briefbot) -> None:
    brief = engine.summarize(document="custom-transfers")
    assert brief.sentences and {s.passage.doc_id for s in brief.sentences} == {"custom-transfers"}
    about = engine.summarize("transfer", document="custom-transfers")
    assert about.found and {s.passage.doc_id for s in about.sentences} == {"custom-transfers"}
    missing = engine.summarize("peacekeeping", document="direnv")
    assert not missing.found and missing.reason.startswith("“direnv” does not discuss")
    sections = {t.name for t in engine.topics("converting-from-filter-branch")}
    assert any(name.endswith("Removing a file") for name in sections)
    assert not any("Kazakhstan" in name for name in sections)


def test_the_cli_scopes_and_lists_documents(
    folder: Path, engine: Briefbot, capsys: pytest.CaptureFixture[str], lexical_only: None
):
    argv = ["--corpus", str(folder)]
    assert main([*argv, "summary", "--json", "--document", "direnv"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sentences"] and {s["source"]["document"] for s in data["sentences"]} == {"direnv"}
    assert main([*argv, "topics", "--json", "--document", "direnv"]) == 0
    names = [t["name"] for t in json.loads(capsys.readouterr().out)["topics"]]
    assert names and not any("CSTO" in n for n in names)
    assert main([*argv, "sources", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)["documents"]
    assert [d["id"] for d in docs] == sorted(d["id"] for d in docs) and len(docs) == 4
    assert next(d for d in docs if d["id"] == "direnv")["authors"] == ["zimbatm"]
    assert main([*argv, "summary", "--document", "nope"]) == 2
    assert "Unknown document 'nope'" in capsys.readouterr().err


async def test_summary_and_topics_take_a_document_on_discord(engine: Briefbot) -> None:
    async with started(engine) as env:
        _, body = await env.command("summary", document="custom-transfers")
        assert "Git LFS" in body["embeds"][0]["description"] or body["embeds"][0]["title"]
        _, topics = await env.command("topics", document="converting-from-filter-branch")
        listed = " ".join(f["value"] for f in topics["embeds"][0]["fields"])
        assert "Removing a file" in listed and "Kazakhstan" not in listed


BYLINE_ONLY = """---
title: Keeping Bees
authors: [Ann Lee, Bob Ray]
url: https://example.org/bees
---
Hives are opened in warm weather, when most bees are out foraging.

A queen is marked with a dot of paint so that she can be found again.
"""


def _bees(folder: Path, text: str) -> Briefbot:
    """A word-matching engine of one document, bees.md, with the text ``text``."""
    (folder / "bees.md").write_text(text, encoding="utf-8")
    return Briefbot.from_folder(folder, save=False, semantic=False)


def test_who_wrote_it_is_answered_from_the_metadata_when_no_passage_names_the_authors(
    tmp_path: Path,
) -> None:
    bot = _bees(tmp_path, BYLINE_ONLY)
    for question in (
        "who wrote this?",
        "Who is the author?",
        "who wrote Keeping Bees?",
        "who maintains this page?",
    ):
        answer = bot.ask(question)
        assert answer.answered and answer.hits == () and answer.authored is not None
        assert answer.authored.id == "bees"
    answer = bot.ask("who wrote this?")
    assert (
        answer_to_text(answer) == "“Keeping Bees” is by Ann Lee, Bob Ray.\nhttps://example.org/bees"
    )
    data = answer_to_json(answer)
    assert data["results"] == [] and data["byline"]["authors"] == ["Ann Lee", "Bob Ray"]
    assert data["byline"]["url"] == "https://example.org/bees"
    message = render_answer(answer, fingerprint="0")
    assert message.content == "“Keeping Bees” is by Ann Lee, Bob Ray.\n<https://example.org/bees>"
    # questions about what is in it, or what its authors say, are answered from passages
    for question in ("Who marks the queen?", "What do the authors say about keeping bees?"):
        assert bot.ask(question).authored is None
    report = evaluate(
        bot,
        [
            Case("who wrote this?", ("authors: [Ann Lee, Bob Ray]",), quote="Bob Ray"),
            Case("who wrote this?", ("authors: [Ann Lee, Bob Ray]",), quote="Cy Dee"),
        ],
    )
    assert report.total.hit1 == 1 and report.total.quoted == 1


SOURCED = """---
title: Keeping Bees
authors: [Ann Lee]
publisher: Bee Weekly
published: 2021-05-04
url: https://example.org/bees
original_url: https://example.de/bienen
original_language: German
---
Hives are opened in warm weather, when most bees are out foraging.

Honey is taken in late summer, and some is left for the winter.
"""


@pytest.mark.parametrize(
    "question",
    [
        "where's this page from? got a link?",
        "source?",
        "what is the url of this article",
        "any link to the original?",
        "where was this published?",
        "hey bot where did this article come from lol",
    ],
)
def test_where_it_comes_from_is_answered_from_the_metadata(tmp_path: Path, question: str) -> None:
    bot = _bees(tmp_path, SOURCED)
    answer = bot.ask(question)
    assert answer.answered and answer.hits == () and answer.sourced
    said = (
        "“Keeping Bees” is from Bee Weekly (published 2021-05-04), by Ann Lee; first"
        " published in German at https://example.de/bienen."
    )
    assert answer_to_text(answer) == f"{said}\nhttps://example.org/bees"
    assert render_answer(answer, fingerprint="0").content == (f"{said}\n<https://example.org/bees>")
    data = answer_to_json(answer)
    assert data["results"] == [] and data["byline"]["asked"] == "source"
    assert data["byline"]["text"] == said


def test_questions_about_the_source_of_something_else_are_answered_from_passages(
    tmp_path: Path,
) -> None:
    bot = _bees(tmp_path, SOURCED)
    for question in (
        "where does the honey come from?",
        "what's the source of the honey?",
        "where does it come from?",  # "it": a follow-up's subject, not the page
        "when is honey taken, and where is this from?",
        "who wrote this?",
    ):
        assert not bot.ask(question).sourced, question
    # without a link or a publisher the metadata cannot say where it comes from
    bare = _bees(tmp_path, BYLINE_ONLY.replace("url: https://example.org/bees\n", ""))
    unsourced = bare.ask("where is this from?")
    assert unsourced.authored is None and not unsourced.answered
    assert unsourced.reason == "The document does not say where it comes from."


def test_a_source_answer_is_right_when_it_gives_the_link(tmp_path: Path) -> None:
    bot = _bees(tmp_path, SOURCED)
    expect = ("url: https://example.org/bees",)
    report = evaluate(
        bot,
        [
            Case("got a link?", expect, quote="example.org/bees"),
            Case("got a link?", expect, quote="example.org/wasps"),
        ],
    )
    assert report.total.hit1 == 1 and report.total.quoted == 1


def test_who_wrote_it_among_several_documents_names_one_or_quotes(engine: Briefbot) -> None:
    assert engine.ask("who wrote this?").authored is None  # which one? the passages answer
    article = engine.ask("who wrote this?", document=ARTICLE.stem)
    assert article.authored is None and "Samus" in article.hits[0].excerpt.text  # its text


def test_who_wrote_it_of_a_document_with_no_author_says_so(tmp_path: Path) -> None:
    (tmp_path / "bees.md").write_text(
        "---\ntitle: Keeping Bees\nurl: https://example.org/bees\n---\n"
        "Hives are opened in warm weather, when most bees are out foraging.\n",
        encoding="utf-8",
    )
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    answer = bot.ask("who wrote this?")
    assert not answer.answered
    assert answer.reason == "The document does not say who wrote it."
    assert bot.ask("who keeps the bees?").reason != answer.reason  # not about the page


def test_the_engine_takes_its_paths_as_text_too(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "bees.md").write_text(SOURCED, encoding="utf-8")
    cache = tmp_path / "cache"
    bot = Briefbot.from_folder(
        str(tmp_path / "corpus"), cache_dir=str(cache), save=True, semantic=False
    )
    assert [p.text[:5] for p in bot.index.passages] == ["Hives", "Honey"]
    assert bot.cache_dir == cache and any(cache.iterdir())  # saved where it was told
    again = Briefbot.from_folder(str(tmp_path / "corpus"), cache_dir=str(cache), semantic=False)
    assert [p.text for p in again.index.passages] == [p.text for p in bot.index.passages]


def test_among_several_documents_a_source_question_names_the_one_it_means(tmp_path: Path) -> None:
    (tmp_path / "bees.md").write_text(SOURCED, encoding="utf-8")
    (tmp_path / "ships.md").write_text(
        "---\ntitle: Harbour Log\npublisher: Port Gazette\nurl: https://example.org/ships\n---\n"
        "Ships sailed late from the harbour because of the autumn storms.\n",
        encoding="utf-8",
    )
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    ships = bot.ask("where's the harbour article from?")
    assert ships.sourced and ships.authored is not None and ships.authored.id == "ships"
    assert answer_to_text(ships).endswith("https://example.org/ships")
    bees = bot.ask("where is the honey bees page from?")
    assert bees.sourced and bees.authored is not None and bees.authored.id == "bees"
    assert not bot.ask("where is this page from?").sourced  # which one? it does not say
