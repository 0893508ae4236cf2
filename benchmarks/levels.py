"""Print tests/test_quality.py's LEVELS as the engine measures now, rounded down.

    python benchmarks/levels.py

Run after benchmarks/fit.py --write: the levels are in-sample (the training questions the
weights were fitted on), a floor against regressions, not a measure of quality on new
documents (the sealed parts are that).
"""

from __future__ import annotations

import math

import evalsets
import fit

from briefbot.evaluate import evaluate


def _down(x: float) -> float:
    return math.floor(x * 100 + 1e-9) / 100


def main() -> None:
    groups = evalsets.by_document(*fit.TRAINING)
    print("LEVELS = {")
    for doc, cases in groups.items():
        r = evaluate(evalsets.bot(doc), cases)
        cells = (_down(r.hit_at_1), _down(r.hit_at_3), _down(r.quote_at_1))
        shown = ", ".join(f"{c:.2f}" for c in cells)
        print(f'    "{doc}": ({shown}, {r.wrongly_refused}, {_down(r.refusal_accuracy):.2f}),')
    print("}")


if __name__ == "__main__":
    main()
