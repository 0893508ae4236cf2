"""The answer-type stage: what kind of answer a question wants, and whether a text has it."""

from __future__ import annotations

import pytest

from briefbot.answertype import (
    DATE,
    DEFAULT,
    DURATION,
    QUANTITY,
    VERSION,
    YEAR,
    expected_type,
    has_type,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many bytes does the header take?", QUANTITY),
        ("In what year was the first release?", YEAR),
        ("Since which year has she led it?", YEAR),
        ("Which Go version do I need to build it?", VERSION),
        ("What minimum version of the compiler is required?", VERSION),
        ("When did the talks start?", DATE),
        ("When was the protocol deprecated?", DATE),
        ("What happens when I delete the cache?", None),  # "when" + its subject: a condition
        ("Which editor is used when EDITOR isn't set?", None),
        ("What is the maximum number of tables I can list?", QUANTITY),
        ("What's the default size of the buffer?", QUANTITY),
        ("Which port does the server listen on?", QUANTITY),
        ("In which Postfix release did the parameter appear?", VERSION),
        ("How long does a build take?", DURATION),
        ("What does the version field mean?", None),
        ("Why is the cache kept on disk?", None),
        ("What is the default value of the timeout option?", DEFAULT),
        ("what does the log level default to?", DEFAULT),
        ("Is compression turned on by default?", DEFAULT),
        ("In which release did the new resolver become the default?", VERSION),
        ("When did it become the default?", DATE),
    ],
)
def test_the_kind_of_answer_a_question_wants(question, kind):
    assert expected_type(question) == kind


def test_a_year_is_a_written_year_and_a_version_has_a_number():
    assert has_type(YEAR, "The project was founded in 1993 by a student.")
    assert has_type(YEAR, "It spread widely in the ’90s.")
    assert not has_type(YEAR, "It was founded long after the others, before the split.")
    assert has_type(DATE, "It was founded long after the others, before the split.")
    assert has_type(VERSION, "Support arrived in release 2.24 of the tool.")
    assert not has_type(VERSION, "Support arrived in a later release of the tool.")
    assert has_type(None, "anything at all")


def test_a_default_is_a_sentence_that_states_what_holds_when_nothing_is_set():
    assert has_type(DEFAULT, "By default the server listens on every address.")
    assert has_type(DEFAULT, "The level defaults to warning.")
    assert has_type(DEFAULT, "If no file is given, it reads standard input.")
    assert has_type(DEFAULT, "Unless a limit is set, the queue grows without bound.")
    assert not has_type(DEFAULT, "The server listens on the address given with --bind.")
