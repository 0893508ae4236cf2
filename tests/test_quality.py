"""Answer quality on the dev set must not regress (see README, "Answer quality")."""

from __future__ import annotations

from briefbot.evaluate import evaluate, load_cases

from .helpers import ROOT

DEVSET = ROOT / "tests" / "data" / "devset.jsonl"

# The levels reached today; raise them as the engine improves, never lower them.
MIN_HIT_AT_1 = 0.75
MIN_HIT_AT_3 = 0.85


def test_dev_set_quality(bot):
    report = evaluate(bot, load_cases(DEVSET))
    summary = "\n".join(report.misses)
    assert report.answerable >= 40 and report.unanswerable >= 8
    assert report.abstention_accuracy == 1.0, summary
    assert report.wrongly_abstained <= 1, summary
    assert report.hit_at_1 >= MIN_HIT_AT_1, summary
    assert report.hit_at_3 >= MIN_HIT_AT_3, summary
