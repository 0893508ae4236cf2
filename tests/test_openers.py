"""A passage that opens what follows it (a question, or a line ending in a colon) and the
passage it opens: how the fusion scores them, and how the quote goes on into the second."""

from __future__ import annotations

import pytest

from briefbot import Briefbot, params
from briefbot.answers import rank
from briefbot.candidates import opener

from .helpers import write

DOC = """---
title: Household Repairs
---
## Lighting

Most lamps in the house take standard bulbs, and spares are kept in the hall cupboard.

Why does the kitchen lamp keep flickering?

Usually the bulb has worked itself loose in its socket; switch off and screw it in firmly.

Is a dimmer switch worth fitting?

## Plumbing

To bleed a radiator you will need the following:

A radiator key, an old towel and a small bowl for the water.

The boiler pressure should read between one and one and a half bar when cold.
"""


@pytest.fixture(scope="module")
def repairs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("repairs")
    write(folder, "repairs.md", DOC)
    return Briefbot.from_folder(folder, save=False)


def _pid(bot, start: str) -> int:
    return next(p.id for p in bot.index.passages if p.text.startswith(start))


def test_the_opener_is_the_question_or_colon_line_just_before_in_the_same_section(repairs):
    index = repairs.index
    asked, answer = _pid(repairs, "Why does"), _pid(repairs, "Usually")
    colon, listed = _pid(repairs, "To bleed"), _pid(repairs, "A radiator key")
    assert opener(index, answer) == asked
    assert opener(index, listed) == colon
    assert opener(index, asked) is None  # the passage before it ends with a full stop
    assert opener(index, colon) is None  # the question before it is in another section
    assert opener(index, _pid(repairs, "The boiler")) is None  # after the list, not a colon


def test_a_colon_line_says_it_opens(repairs):
    index, encoder = repairs.index, repairs.encoder
    assert encoder is not None
    ranked = rank(index, "what do I need to bleed a radiator?", encoder)
    features = {
        s.passage_id: dict(zip(params.FEATURES, s.features, strict=True)) for s in ranked.scored
    }
    colon, listed = _pid(repairs, "To bleed"), _pid(repairs, "A radiator key")
    assert features[colon]["opens"] == 1.0 and features[listed]["opens"] == 0.0


def test_a_quote_that_ends_on_a_colon_goes_on_into_what_it_opens(repairs):
    answer = repairs.ask("what do I need to bleed a radiator?", top=3)
    first = answer.hits[0]
    assert first.passage.text.startswith("To bleed a radiator")
    assert "A radiator key, an old towel" in first.excerpt.text  # what "the following:" is
    doc = first.passage.document
    # still a verbatim slice of the document, of both passages and what lies between them
    assert doc.text[first.passage.start : first.passage.end] == first.passage.text
    assert first.passage.text[first.excerpt.start : first.excerpt.end] == first.excerpt.text
    listed = repairs.index.passages[_pid(repairs, "A radiator key")]
    assert first.passage.paragraphs == f"{first.passage.paragraph}–{listed.paragraph}"
    # the list is not shown again as a hit of its own
    assert all(not h.passage.text.startswith("A radiator key") for h in answer.hits)


def test_a_quote_that_ends_on_a_full_stop_stays_in_its_passage(repairs):
    answer = repairs.ask("where are the spare bulbs kept?")
    first = answer.hits[0]
    assert first.passage.text.startswith("Most lamps") and first.passage.through is None
    assert first.passage.paragraphs == str(first.passage.paragraph)


def test_a_joined_passage_reads_the_same_when_the_corpus_holds_no_text(
    repairs, tmp_path, monkeypatch
):
    import briefbot.corpus

    monkeypatch.setattr(briefbot.corpus, "HOLD_TEXTS_CHARS", 0)  # "large": read from the file
    write(tmp_path, "repairs.md", DOC)
    unheld = Briefbot.from_folder(tmp_path, save=False)
    assert all(d.loaded is None for d in unheld.index.corpus.documents)
    i, j = _pid(repairs, "To bleed"), _pid(repairs, "A radiator key")
    briefbot.corpus._TEXTS.clear()  # no text read before: the passages' bytes are read
    held, read = repairs.index.joined(i, j), unheld.index.joined(i, j)
    assert read.text == held.text and (read.start, read.end) == (held.start, held.end)
    assert read.text.startswith("To bleed") and read.text.endswith("for the water.")


CODE_DOC = """---
title: Branches
---
## Cleaning up

If an experiment on a branch turns out to be a dead end, you can always delete it with

```sh
vcs branch --delete --force experiment
```

Deleted branches can be recovered from the reflog for ninety days.

## Naming

Branch names are written in lowercase, with dashes between the words.

```sh
vcs branch rename old-name new-name
```
"""


def test_prose_that_stops_mid_sentence_goes_on_into_its_command(tmp_path):
    write(tmp_path, "branches.md", CODE_DOC)
    bot = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    index = bot.index
    told, command = _pid(bot, "If an experiment"), _pid(bot, "```sh\nvcs branch --delete")
    assert opener(index, command) == told
    # a finished sentence before a code block does not open it
    assert opener(index, _pid(bot, "```sh\nvcs branch rename")) is None
    first = bot.ask("how do I get rid of a dead-end experiment branch?").hits[0]
    assert first.passage.text.startswith("If an experiment")
    assert "vcs branch --delete --force experiment" in first.excerpt.text
    assert first.passage.text[first.excerpt.start : first.excerpt.end] == first.excerpt.text
