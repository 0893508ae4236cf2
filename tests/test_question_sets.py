"""The benchmark's question sets: every gold snippet and quote is the document's own text.

A snippet that is not in its document, or is in it more than once, would make a question
unanswerable by construction or ambiguous; these checks need no engine, so they run for the
sealed sets too without measuring anything on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefbot.evaluate import load_cases, loose

from .helpers import ROOT

QUESTIONS = ROOT / "benchmarks" / "questions"
SETS = sorted(QUESTIONS.glob("*.jsonl"))


def _text(doc: str | None) -> str:
    folder = ROOT / "corpus" if doc in (None, "article") else ROOT / "benchmarks" / "corpora" / doc
    files = sorted(p for p in folder.iterdir() if p.suffix in (".md", ".txt"))
    # whitespace as the evaluation compares it: a hard-wrapped text's snippet spans lines
    return loose("\n\n".join(p.read_text(encoding="utf-8") for p in files))


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_gold_snippets_are_the_documents_own_text(path: Path) -> None:
    texts: dict[str | None, str] = {}
    problems = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line)
        if case.get("expect_none"):
            continue
        doc = case.get("doc")
        if doc not in texts:
            texts[doc] = _text(doc)
        text = texts[doc]
        for snippet in case["expect"]:
            if loose(snippet) not in text:
                problems.append(f"line {n}: snippet not in {doc}: {snippet!r}")
        quote = case.get("quote")
        if quote and loose(quote) not in text:
            problems.append(f"line {n}: quote not in {doc}: {quote!r}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_every_set_loads_as_the_evaluation_reads_it(path: Path) -> None:
    cases = load_cases(path)
    assert len(cases) == len([line for line in path.read_text("utf-8").splitlines() if line])
    assert any(c.expect_none for c in cases) and any(not c.expect_none for c in cases)
