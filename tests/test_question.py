"""The question stage: chat cleaned off, small talk recognised, typos repaired."""

from __future__ import annotations

import pytest

from briefbot import InputError
from briefbot.question import (
    analyze,
    asks_gist,
    check_topic,
    clean_text,
    is_small_talk,
    without_chat,
)


@pytest.mark.parametrize(
    ("message", "left"),
    [
        ("hey briefbot, who runs the CSTO?", "who runs the CSTO?"),
        ("@briefbot quick q: why wasn't this peacekeeping? lol", "why wasn't this peacekeeping?"),
        ("yo bot pls what did tokayev do 🙏", "what did tokayev do"),
        ("Hi! When did the troops arrive? thanks", "When did the troops arrive?"),
        ("who runs the CSTO", "who runs the CSTO"),
    ],
)
def test_chat_is_cleaned_off(message, left):
    assert without_chat(message) == left


def test_the_bot_s_own_name_is_chat_whatever_it_is():
    assert without_chat("hey Scribe, who wrote this?", ("scribe",)) == "who wrote this?"


@pytest.mark.parametrize("message", ["hi", "thanks!", "what can you do?", "hey bot", "ty"])
def test_small_talk_is_recognised(message):
    assert is_small_talk(without_chat(message))


@pytest.mark.parametrize("message", ["why wasn't this peacekeeping?", "help with csto troops"])
def test_questions_are_not_small_talk(message):
    assert not is_small_talk(without_chat(message))


def test_small_talk_gets_a_line_of_help(bot):
    answer = bot.ask("hi briefbot!")
    assert not answer.answered and answer.small_talk and "Ask me" in answer.reason
    assert "does not mention" not in answer.reason


def test_one_validator_for_questions_and_topics():
    assert clean_text("  a\u200b\tb  ") == ("a b", False)
    assert clean_text("x" * 1200)[1] is True
    with pytest.raises(InputError, match="empty"):
        clean_text("<@123456789012345678>")
    with pytest.raises(InputError, match="too long"):
        check_topic("x" * 201)


@pytest.mark.parametrize(
    ("question", "gist"),
    [
        ("tldr?", True),
        ("what's the main point of the article", True),
        ("what is the article's main argument?", True),
        ("what's the key takeaway?", True),
        ("what is this doc?", True),
        ("summary of nato", False),
        ("what is the main argument against the intervention?", False),
    ],
)
def test_questions_for_the_gist(question, gist):
    assert asks_gist(question) is gist


def test_typo_repair_reaches_the_negated_term_and_the_encoder(bot):
    from briefbot.question import analyze

    q = analyze(bot.index, "why wasnt this peacekeping")
    assert ("peacekeping", "peacekeeping") in q.corrections
    assert "¬peacekeep" in q.terms and "peacekeping" not in q.semantic_text


@pytest.mark.parametrize(
    ("text", "authorship"),
    [
        ("Who wrote this article and who translated it?", True),
        ("Was it translated by someone?", True),
        ("Who is the translator?", True),
        ("Who published it?", True),
        # a translation as the subject, not who made one: no byline is wanted
        ("What package name does the guide give as an example of a translation package?", False),
        ("How do I get a bad translation corrected?", False),
        ("When did the project join the Translation Project?", False),
        # what the authors say, not who they are
        ("What do the authors think will happen next?", False),
        ("Why do the authors say it is not a peacekeeping mission?", False),
        ("What are the authors' names?", True),
        ("who maintains this faq", True),
        ("hey bot who actually wrote this faq lol", True),  # an adverb between
    ],
)
def test_only_questions_about_who_made_the_text_ask_for_its_byline(bot, text, authorship):
    assert analyze(bot.index, text).authorship is authorship


def test_the_documents_possessive_only_points_at_it(bot):
    # "the article's view of X" searches X, not the word "article"
    terms = analyze(bot.index, "What is the article's view of Nazarbayev?").terms
    assert bot.index.tokenizer.term("article") not in terms
    assert bot.index.tokenizer.term("Nazarbayev") in terms


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("Which countries are mentioned in the article?", "countries"),
        ("Who are the main people mentioned?", "people"),
        ("Is Armenia mentioned?", "Armenia"),
    ],
)
def test_the_texts_own_verbs_at_the_end_only_point_at_it(bot, question, kept):
    terms = analyze(bot.index, question).terms
    assert bot.index.tokenizer.term(kept) in terms
    assert not {bot.index.tokenizer.term(w) for w in ("mentioned", "article")} & set(terms)
    answer = bot.ask(question)
    assert all("mentioned" not in w for w in answer.unknown)


@pytest.mark.parametrize(
    ("message", "catalogue"),
    [
        ("what documents do you have?", True),
        ("what do you know about?", True),
        ("which articles are available", True),
        ("what do you know about the CSTO?", False),  # a question about something
        ("which documents are needed for a visa?", False),
    ],
)
def test_what_the_bot_knows_is_a_question_about_its_documents(message, catalogue):
    from briefbot.question import asks_catalogue

    assert asks_catalogue(message) is catalogue


def test_asked_what_it_knows_it_names_its_documents(bot):
    answer = bot.ask("hey briefbot, what documents do you have?")
    assert not answer.answered and answer.small_talk
    title = bot.corpus.documents[0].title
    assert answer.reason == f"I know one document: “{title}”. Ask me a question about it."
