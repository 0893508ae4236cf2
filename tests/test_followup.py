"""Follow-up questions: which questions lean on the one before, and that the engine then
searches both and says so."""

from __future__ import annotations

import pytest

from briefbot import Briefbot
from briefbot.followup import follows_up
from briefbot.repl import handle_line


@pytest.mark.parametrize(
    "text",
    [
        "why?",
        "How so?",
        "and Ukraine?",
        "what about Belarus?",
        "who is he?",
        "When was it created?",
        "hey briefbot, why?",
        "And what did they do next?",
    ],
)
def test_follow_ups(text: str) -> None:
    assert follows_up(text)


@pytest.mark.parametrize(
    "text",
    [
        "Who leads the CSTO?",
        "Which countries are members of the CSTO?",
        "Ukraine?",
        "What happened in Almaty on January 5?",
    ],
)
def test_questions_that_stand_alone(text: str) -> None:
    assert not follows_up(text)


def test_plainly_is_stricter_for_the_next_question() -> None:
    assert follows_up("Why wasn't this peacekeeping?")  # as a reply: leans on the answer
    assert not follows_up("Why wasn't this peacekeeping?", plainly=True)  # a new /ask
    assert follows_up("who is he?", plainly=True) and follows_up("and Ukraine?", plainly=True)


def test_a_follow_up_is_searched_with_the_question_before(bot: Briefbot) -> None:
    before = "Who announced the decision to send CSTO troops?"
    alone = bot.ask("who is he?")
    answer = bot.ask("who is he?", previous=before)
    assert answer.follows == before and answer.question == "who is he?"
    assert answer.notes[0] == f"Following up on: {before}"
    assert "Pashinyan" in answer.hits[0].excerpt.text
    assert not alone.answered or "Pashinyan" not in alone.hits[0].excerpt.text
    standalone = bot.ask("Who leads the CSTO?", previous="What is the CSTO?")
    assert standalone.follows is None and not standalone.notes


def test_the_repl_follows_up_the_last_question(bot: Briefbot) -> None:
    handle_line(bot, "What is the CSTO?")
    shown = handle_line(bot, "When was it created?")
    assert shown is not None and "Following up on: What is the CSTO?" in shown
    assert "in 1992" in shown
