"""Measuring answer quality on a question set (``briefbot eval FILE.jsonl``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Briefbot
from .errors import InputError


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...] = ()  # verbatim snippets of the passages that answer
    expect_none: bool = False


@dataclass
class Report:
    answerable: int = 0
    unanswerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal_ranks: float = 0.0
    abstained_right: int = 0
    wrongly_abstained: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def hit_at_1(self) -> float:
        return self.hit1 / self.answerable if self.answerable else 0.0

    @property
    def hit_at_3(self) -> float:
        return self.hit3 / self.answerable if self.answerable else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.answerable if self.answerable else 0.0

    @property
    def abstention_accuracy(self) -> float:
        return self.abstained_right / self.unanswerable if self.unanswerable else 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "hit@1": round(self.hit_at_1, 4),
            "hit@3": round(self.hit_at_3, 4),
            "mrr": round(self.mrr, 4),
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "answerable_abstained": self.wrongly_abstained,
            "misses": self.misses,
        }


def load_cases(path: str | Path) -> list[Case]:
    """Read ``{"q": ..., "expect": [...]}`` / ``{"q": ..., "expect_none": true}`` lines."""
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
        cases.append(Case(item["q"], tuple(expect) if not none else (), none))
    if not cases:
        raise InputError(f"{path}: no questions in the file")
    return cases


def evaluate(bot: Briefbot, cases: list[Case], *, top: int = 3) -> Report:
    report = Report()
    for case in cases:
        answer = bot.ask(case.question, top=max(top, 3))
        if case.expect_none:
            report.unanswerable += 1
            if not answer.answered:
                report.abstained_right += 1
            else:
                first = answer.hits[0].excerpt.text[:70]
                report.misses.append(f"should abstain: {case.question!r} -> “{first}…”")
            continue
        report.answerable += 1
        if not answer.answered:
            report.wrongly_abstained += 1
            report.misses.append(f"abstained: {case.question!r} ({answer.reason})")
            continue
        rank = next(
            (h.rank for h in answer.hits if any(s in h.passage.text for s in case.expect)), None
        )
        if rank == 1:
            report.hit1 += 1
        if rank is not None and rank <= 3:
            report.hit3 += 1
        if rank is not None:
            report.reciprocal_ranks += 1 / rank
        if rank != 1:
            got = answer.hits[0].passage
            report.misses.append(
                f"rank {rank or '>' + str(len(answer.hits))}: {case.question!r} "
                f"-> ¶ {got.paragraph} “{got.text[:60]}…”"
            )
    return report
