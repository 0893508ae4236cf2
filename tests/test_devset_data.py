"""Sanity checks for the QA evaluation sets in tests/data/ (devset.jsonl, heldout.jsonl).

Every ``expect`` snippet must be an exact substring of exactly one paragraph
(line) of the article, so that it unambiguously identifies the paragraph that
answers the question.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
DEVSET = REPO / "tests" / "data" / "devset.jsonl"
HELDOUT = REPO / "tests" / "data" / "heldout.jsonl"
ARTICLE_KEY = "occupation-not-yet-intervention-already"

MIN_QUESTIONS = 38
MIN_UNANSWERABLE = 8
SNIPPET_MIN, SNIPPET_MAX = 20, 80


def _article_path() -> Path:
    found = sorted(p for p in (REPO / "corpus").glob(f"{ARTICLE_KEY}.*") if p.is_file())
    assert found, f"the bundled article corpus/{ARTICLE_KEY}.md is missing"
    return found[0]


def _paragraphs(text: str) -> list[str]:
    """Non-empty lines of the article, YAML front matter (if any) excluded."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                lines = lines[i + 1 :]
                break
    return [ln.rstrip("\r") for ln in lines if ln.strip()]


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    path = _article_path()
    assert path.is_file(), f"article not found: {path}"
    return _paragraphs(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=[DEVSET, HELDOUT], ids=["devset", "heldout"])
def records(request: pytest.FixtureRequest) -> list[dict]:
    path: Path = request.param
    assert path.is_file(), f"missing {path}"
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {n}: blank line"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:  # pragma: no cover - failure path
            pytest.fail(f"line {n}: invalid JSON: {e}")
        assert isinstance(rec, dict), f"line {n}: not a JSON object"
        rec["_line"] = n
        out.append(rec)
    return out


def test_record_shape(records):
    for rec in records:
        n = rec["_line"]
        q = rec.get("q")
        assert isinstance(q, str) and q.strip(), f"line {n}: missing/empty 'q'"
        has_expect = "expect" in rec
        has_none = "expect_none" in rec
        assert has_expect != has_none, f"line {n}: need exactly one of expect/expect_none"
        if has_none:
            assert rec["expect_none"] is True, f"line {n}: expect_none must be true"
        else:
            exp = rec["expect"]
            assert isinstance(exp, list) and exp, f"line {n}: expect must be a non-empty list"
            assert all(isinstance(s, str) for s in exp), f"line {n}: snippets must be strings"
        extra = set(rec) - {"q", "expect", "expect_none", "_line"}
        assert not extra, f"line {n}: unexpected keys {sorted(extra)}"


def test_questions_unique(records):
    qs = [r["q"].strip().lower() for r in records]
    dupes = {q for q in qs if qs.count(q) > 1}
    assert not dupes, f"duplicate questions: {sorted(dupes)}"


def test_snippets_identify_exactly_one_paragraph(records, paragraphs):
    for rec in records:
        n = rec["_line"]
        hit_paragraphs = []
        for s in rec.get("expect", []):
            assert SNIPPET_MIN <= len(s) <= SNIPPET_MAX, (
                f"line {n}: snippet length {len(s)} outside {SNIPPET_MIN}-{SNIPPET_MAX}: {s!r}"
            )
            hits = [i for i, p in enumerate(paragraphs) if s in p]
            assert len(hits) == 1, (
                f"line {n}: snippet {s!r} found in {len(hits)} paragraphs (need exactly 1)"
            )
            hit_paragraphs.append(hits[0])
        assert len(hit_paragraphs) == len(set(hit_paragraphs)), (
            f"line {n}: two snippets point at the same paragraph"
        )


def test_counts(records):
    unanswerable = sum(1 for r in records if "expect_none" in r)
    assert len(records) >= MIN_QUESTIONS, f"only {len(records)} questions"
    assert unanswerable >= MIN_UNANSWERABLE, f"only {unanswerable} unanswerable questions"
    assert len(records) - unanswerable > 0, "no answerable questions"


def test_required_peacekeeping_question(paragraphs):
    records = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines()]
    rec = next((r for r in records if r["q"] == "Why wasn't this peacekeeping?"), None)
    assert rec is not None and "expect" in rec
    target = [p for p in paragraphs if p.startswith("Of course, no matter what Russian and Kazakh")]
    assert len(target) == 1
    assert any(s in target[0] for s in rec["expect"])


def test_the_two_sets_ask_different_questions():
    def questions(path: Path) -> set[str]:
        lines = path.read_text(encoding="utf-8").splitlines()
        return {json.loads(line)["q"].strip().casefold() for line in lines}

    assert not questions(DEVSET) & questions(HELDOUT)
