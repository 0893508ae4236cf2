"""Markdown read as CommonMark, on real documentation with code, lists and nested headings
(tests/data/docs: as Debian packages ship it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefbot import Briefbot
from briefbot.corpus import load_document
from briefbot.passages import split_passages

from .helpers import ROOT, write

DOCS = ROOT / "tests" / "data" / "docs"
NAMES = ("converting-from-filter-branch", "direnv", "custom-transfers")


def passages_of(name: str):
    return split_passages(load_document(DOCS / f"{name}.md"))


def fences(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("```")) // 2


@pytest.mark.parametrize("name", NAMES)
def test_code_blocks_are_whole_passages_never_headings(name: str) -> None:
    doc = load_document(DOCS / f"{name}.md")
    passages = split_passages(doc)
    code = [p for p in passages if p.kind == "code"]
    assert len(code) == fences(doc.text)
    for p in passages:
        assert doc.text[p.start : p.end] == p.text  # offsets through the markup
        if p.kind == "code":
            assert p.text.startswith("```") and p.text.rstrip().endswith("```")
    headings = {
        line.lstrip("#").strip() for line in doc.text.splitlines() if re.match(r"#{2,6} ", line)
    }
    in_code = {
        line.lstrip("#").strip()
        for p in code
        for line in p.text.splitlines()
        if line.lstrip().startswith("#")
    }
    sections = {part for p in passages if p.section for part in p.section.split(" › ")}
    assert not (sections & in_code - headings)  # a "# comment" in code is no section


def test_sections_are_heading_paths() -> None:
    passages = passages_of("converting-from-filter-branch")
    sections = [p.section for p in passages]
    assert (
        "Cheat Sheet: Conversion of Examples from the filter-branch manpage › Removing a file"
        in sections
    )
    assert "Basic Differences" in sections
    assert not any(s and s.startswith("Cheat Sheet: Converting") for s in sections)  # the title


def test_a_list_keeps_its_lead_in_and_badges_are_left_out() -> None:
    passages = passages_of("direnv")
    assert not any("badge.svg" in p.text for p in passages)
    lead_ins = [p for p in passages if re.search(r":\n\n\s*(?:[*-]|\d+\.) ", p.text)]
    assert lead_ins, "no list kept its lead-in"
    setext = load_document(DOCS / "direnv.md")
    assert setext.title == "direnv -- unclutter your .profile"


def test_a_long_list_is_a_passage_per_item(tmp_path: Path, monkeypatch) -> None:
    from briefbot import params

    items = [
        f"- `option{i}`: Sets how widget {i} is drawn, and\n  whether it is shown at start.\n"
        f"  - nested {i}: stays with its item\n"
        for i in range(6)
    ]
    text = "# Options\n\nEach option is one of these:\n\n" + "".join(items) + "\nAfter.\n"
    doc = load_document(write(tmp_path, "options.md", text))
    whole = split_passages(doc)
    assert [p.text.splitlines()[0] for p in whole] == ["Each option is one of these:", "After."]
    monkeypatch.setattr(params, "LONG_LIST_CHARS", 100)
    parts = split_passages(doc)
    assert [p.text for p in parts] == (
        ["Each option is one of these:"] + [i.rstrip("\n") for i in items] + ["After."]
    )
    assert all(doc.text[p.start : p.end] == p.text for p in parts)
    assert [p.paragraph for p in parts] == list(range(1, 9))


def test_a_headings_attributes_are_not_its_text(tmp_path: Path) -> None:
    text = (
        "# Widget\n\n## Using regexps {#regexp .small}\n\nRegexps match.\n\n## ${#x}\n\nLength.\n"
    )
    passages = split_passages(load_document(write(tmp_path, "widget.md", text)))
    assert [p.section for p in passages] == ["Using regexps", "${#x}"]


def test_a_table_of_contents_is_no_passage(tmp_path: Path) -> None:
    text = (
        "# Widget\n\n## Contents\n\n- [Install](#install)\n- [Colours](#colours)\n"
        "  * [Teal](#teal)\n\n## Install\n\nSee [the colours](#colours) first.\n\n"
        "- [Colours](#colours), then\n- [Teal](#teal)\n\n## Colours\n\nTeal by default.\n"
    )
    passages = split_passages(load_document(write(tmp_path, "widget.md", text)))
    assert [p.text for p in passages] == [
        "See [the colours](#colours) first.",
        "- [Colours](#colours), then\n- [Teal](#teal)",  # more than links: a list of its own
        "Teal by default.",
    ]


def test_code_is_quoted_only_when_asked_for(tmp_path: Path, shared_cache: Path) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(DOCS, folder)
    engine = Briefbot.from_folder(folder, cache_dir=shared_cache, save=True, semantic=False)
    prose = engine.ask("How do I remove a file from the whole history with filter-repo?", top=5)
    assert prose.answered and all(h.passage.kind != "code" for h in prose.hits)
    code = engine.ask("What is the command to remove a file from the history?", top=5)
    assert any(h.passage.kind == "code" for h in code.hits)
    for answer in (prose, code):
        for h in answer.hits:
            assert h.excerpt.text in h.passage.text


def test_names_and_acronyms_are_not_learned_from_code(tmp_path: Path) -> None:
    write(
        tmp_path,
        "doc.md",
        "# Encodings\n\nThe Unicode Standard defines code points.\n\n"
        "```python\nUS = {'AK': 'Alaska'}\nAndrew Kuchling = 1\n```\n\n"
        "Other text about encodings and the standard.\n",
    )
    engine = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    acronyms = engine.index.tokenizer.lexicon.acronyms
    assert "US" not in acronyms and "AK" not in acronyms
    assert "andrew" not in engine.index.names
    topics = [t.name for t in engine.topics()]
    assert not any("Alaska" in t or "Kuchling" in t for t in topics)


def test_a_code_answer_is_shown_as_the_source_code_block(tmp_path: Path, shared_cache: Path):
    from briefbot.discord_render import limit_problems, render_answer, render_code

    folder = tmp_path / "docs"
    shutil.copytree(DOCS, folder)
    engine = Briefbot.from_folder(folder, cache_dir=shared_cache, save=True, semantic=False)
    answer = engine.ask("What is the command to remove a file from the history?", top=5)
    code = next(h for h in answer.hits if h.passage.kind == "code")
    msg = render_answer(answer, fingerprint="0", top=5)
    assert limit_problems(msg) == []
    assert code.passage.text in msg.embeds[0]["description"]  # verbatim, fences and all
    cut = render_code("```sh\n" + "\n".join(f"echo {i}" for i in range(200)) + "\n```", 300)
    assert cut is not None and len(cut) <= 300 and cut.endswith("…\n```")


def test_a_code_block_is_found_by_the_prose_that_introduces_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        "doc.md",
        "# Keys\n\n## Housekeeping\n\nTo rotate every signing key at once, run:\n\n"
        "```sh\nkeyctl cycle --all\n```\n\n"
        "## Storage\n\nKeys are stored in the vault, one file per key, never in plain text.\n\n"
        "```sh\nls /var/vault\n```\n\n"
        "Backups of the vault are taken every night by the operators.\n",
    )
    engine = Briefbot.from_folder(tmp_path, save=False, semantic=False)
    answer = engine.ask("Show me the command to rotate all the signing keys", top=3)
    assert answer.answered, answer.reason
    code = [h for h in answer.hits[:2] if h.passage.kind == "code"]
    assert code and "keyctl cycle" in code[0].excerpt.text


@pytest.mark.parametrize(
    ("corpus", "expected", "too_general"),
    [
        (
            ROOT / "corpus",
            {"CSTO", "Tokayev", "peacekeeping"},
            {"Director", "leave", "Minister", "Deputy"},
        ),
        (
            ROOT / "benchmarks" / "corpora" / "filter-repo",
            {"filter-branch", "filter-repo"},
            {"examples", "filter", "branch", "removing"},
        ),
        (ROOT / "benchmarks" / "corpora" / "gitfaq", {"UTF-8", "Windows"}, {"common"}),
        (ROOT / "benchmarks" / "corpora" / "direnv", {"direnv", "stdlib"}, {"projects"}),
        (
            ROOT / "benchmarks" / "corpora" / "node-timers",
            {"setImmediate", "setTimeout", "setInterval"},
            {"setimmediate", "settimeout"},
        ),
    ],
    ids=["article", "filter-repo", "gitfaq", "direnv", "node-timers"],
)
def test_topics_are_specific_to_the_document(corpus: Path, expected, too_general) -> None:
    """Names and terms a reader would pick: compounds whole, not the commonest words."""
    engine = Briefbot.from_folder(corpus, save=False, semantic=False)
    terms = [t.name for t in engine.topics() if t.kind == "term"]
    assert expected <= set(terms[:15]), terms
    assert not too_general & set(terms), terms


def test_a_question_without_letters_or_digits_is_not_answered(bot) -> None:
    answer = bot.ask("\u0301\u0300\u202e")
    assert not answer.answered and not answer.hits
