"""Measuring answer quality on question sets (``briefbot eval FILE.jsonl ...``).

A case is one JSON line: ``{"q": ..., "expect": [snippets], "quote": snippet, "kind": ...,
"doc": ...}`` for a question the document answers (a passage holding one of the ``expect``
snippets is a right answer; a right quote contains ``quote``), or ``{"q": ...,
"expect_none": true}`` for one it does not. Whitespace is compared loosely (a no-break
space matches a space). Reported: hit@1, hit@3, MRR, quote@1 (the first excerpt holds the
snippet), how many unanswerable questions are refused and how many answerable ones are,
overall and per kind of question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .wording import attribution

_SPACE = re.compile(r"\s+")


def loose(text: str) -> str:
    """Text with every run of whitespace made one space (how snippets are compared)."""
    return _SPACE.sub(" ", text)


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...] = ()  # verbatim snippets of the passages that answer
    expect_none: bool = False
    quote: str | None = None  # verbatim snippet a right excerpt contains
    kind: str = "question"
    doc: str | None = None


@dataclass
class Tally:
    answerable: int = 0
    unanswerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_ranks: float = 0.0
    quoted: int = 0
    with_quote: int = 0
    refused_right: int = 0
    refused_wrong: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        a = self.answerable or 1
        return {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "hit@1": round(self.hit1 / a, 4),
            "hit@3": round(self.hit3 / a, 4),
            "mrr": round(self.reciprocal_ranks / a, 4),
            "quote@1": round(self.quoted / (self.with_quote or 1), 4),
            "unanswerable_refused": round(self.refused_right / (self.unanswerable or 1), 4),
            "answerable_refused": self.refused_wrong,
        }


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    kinds: dict[str, Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> int:
        return self.total.answerable

    @property
    def unanswerable(self) -> int:
        return self.total.unanswerable

    @property
    def hit_at_1(self) -> float:
        return self.total.hit1 / (self.total.answerable or 1)

    @property
    def hit_at_3(self) -> float:
        return self.total.hit3 / (self.total.answerable or 1)

    @property
    def mrr(self) -> float:
        return self.total.reciprocal_ranks / (self.total.answerable or 1)

    @property
    def quote_at_1(self) -> float:
        return self.total.quoted / (self.total.with_quote or 1)

    @property
    def refusal_accuracy(self) -> float:
        return (
            self.total.refused_right / self.total.unanswerable if self.total.unanswerable else 1.0
        )

    @property
    def wrongly_refused(self) -> int:
        return self.total.refused_wrong

    def to_dict(self) -> dict[str, object]:
        return {
            **self.total.as_dict(),
            "kinds": {k: t.as_dict() for k, t in sorted(self.kinds.items())},
            "misses": self.misses,
        }


def load_cases(path: str | Path) -> list[Case]:
    """Read a JSONL question set; a malformed line is an InputError naming it."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    cases: list[Case] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(f"{path}:{number}: not a JSON object") from None
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise InputError(f'{path}:{number}: expected {{"q": "...", "expect": [...]}}')
        expect = item.get("expect", [])
        none = item.get("expect_none") is True
        if not none and (
            not isinstance(expect, list)
            or not expect
            or not all(isinstance(s, str) and s for s in expect)
        ):
            raise InputError(f'{path}:{number}: needs "expect": [snippets] or "expect_none": true')
        quote = item.get("quote")
        if quote is not None and not (isinstance(quote, str) and quote):
            raise InputError(f'{path}:{number}: "quote" must be a non-empty string')
        cases.append(
            Case(
                item["q"],
                tuple(expect) if not none else (),
                none,
                None if none else quote,
                str(item.get("kind") or ("unanswerable" if none else "question")),
                item.get("doc") if isinstance(item.get("doc"), str) else None,
            )
        )
    if not cases:
        raise InputError(f"{path}: no questions in the file")
    return cases


Asker = Callable[[str], Any]  # question -> an Answer (answered, hits with passage and excerpt)


def evaluate(ask: Asker | Any, cases: Iterable[Case], *, top: int = 3) -> Report:
    """Ask every case and tally. ``ask`` is a Briefbot or a function question -> Answer."""
    if not callable(ask):
        bot = ask
        ask = lambda q: bot.ask(q, top=top)  # noqa: E731
    report = Report()
    for case in cases:
        tally = report.kinds.setdefault(case.kind, Tally())
        one = _score(ask(case.question), case, report.misses)
        tally.add(one)
        report.total.add(one)
    return report


def _score(answer: Any, case: Case, misses: list[str]) -> Tally:
    t = Tally()
    if case.expect_none:
        t.unanswerable = 1
        if not answer.answered:
            t.refused_right = 1
        else:
            first = answer.hits[0].excerpt.text[:70] if answer.hits else _byline(answer)
            misses.append(f"should refuse: {case.question!r} -> “{first}…”")
        return t
    t.answerable = 1
    t.with_quote = int(case.quote is not None)
    if not answer.answered:
        t.refused_wrong = 1
        misses.append(f"refused: {case.question!r} ({answer.reason})")
        return t
    if getattr(answer, "authored", None) is not None:  # metadata: right when it says it
        said = loose(_byline(answer))
        right = case.quote is not None and loose(case.quote) in said
        t.hit1 = t.hit3 = t.quoted = int(right)
        t.reciprocal_ranks = float(right)
        if not right:
            misses.append(f"byline: {case.question!r} -> {_byline(answer)}")
        return t
    wanted = [loose(s) for s in case.expect]
    rank = next(
        (h.rank for h in answer.hits if any(s in loose(h.passage.text) for s in wanted)), None
    )
    t.hit1 = int(rank == 1)
    t.hit3 = int(rank is not None and rank <= 3)
    t.reciprocal_ranks = 1 / rank if rank else 0.0
    if (
        case.quote is not None
        and answer.hits
        and loose(case.quote) in loose(answer.hits[0].excerpt.text)
    ):
        t.quoted = 1
    elif case.quote is not None and rank == 1:
        misses.append(f"quote: {case.question!r} -> “{answer.hits[0].excerpt.text[:90]}…”")
    if rank != 1:
        got = answer.hits[0].passage
        misses.append(
            f"rank {rank or '>' + str(len(answer.hits))}: {case.question!r} "
            f"-> ¶ {got.paragraph} “{got.text[:60]}…”"
        )
    return t


def _byline(answer: Any) -> str:
    return " ".join(attribution(answer.authored, getattr(answer, "sourced", False)))
