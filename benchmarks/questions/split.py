"""Split the question sets once, before the engine changes: train / dev / sealed.

    python benchmarks/questions/split.py SOURCE.jsonl ...

Within each document and kind of question, questions are ordered by the sha256 of their
text and dealt in turn to train, sealed, train, dev, sealed (40 / 20 / 40): deterministic,
stratified, and blind to the engine. train.jsonl fits the engine's few weights, dev.jsonl
compares ideas, sealed.jsonl is run once, when the work it measures is done.

sealed.jsonl was run once (the first measurement of the fused pipeline) and has been
training data since; sealed-2.jsonl (written afterwards, the same way, by people who had
not seen the engine; exact repeats of earlier questions dropped) was run once and became
training data too; sealed-3.jsonl, written the same way after it, is the sealed part now.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
DEAL = ("train", "sealed", "train", "dev", "sealed")


def main(sources: list[str]) -> None:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for source in sources:
        for line in Path(source).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                groups[(item["doc"], item["kind"])].append(item)
    parts: dict[str, list[dict]] = {name: [] for name in DEAL}
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda i: hashlib.sha256(i["q"].encode()).hexdigest())
        for n, item in enumerate(items):
            parts[DEAL[n % len(DEAL)]].append(item)
    for name, items in parts.items():
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(items)} questions")


if __name__ == "__main__":
    main(sys.argv[1:])
