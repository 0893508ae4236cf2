"""Speed of topic summaries and of the topic list, in-process, on the bundled article.

    python benchmarks/bench_summary.py [--rounds 50]

Builds the engine, then times: the summary data and the topic list, built once per index
(the first ``summarize`` and the first ``topics`` call); then, after one warm-up round,
``summarize`` for each quality topic, the whole-article brief, a misspelled topic and an
unknown one, ``--rounds`` times each, p50/p99 per topic and overall. Target: < 20 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPICS = [
    "CSTO",
    "Tokayev",
    "Ukraine",
    "peacekeeping",
    "occupation",
    "Nazarbayev",
    None,
    "tokayv",
    "basketball",
]
TARGET_MS = 20.0


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    from briefbot import Briefbot
    from briefbot.summaries import _data, summarize, topics

    t = time.perf_counter()
    bot = Briefbot.from_folder(ROOT / "corpus")
    build_ms = (time.perf_counter() - t) * 1000
    index = bot.index

    t = time.perf_counter()
    summarize(index, "CSTO")  # builds the sentence vectors (once per index)
    first_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    found = topics(index)  # builds the topic list (once per index)
    topics_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    topics(index)
    topics_again_us = (time.perf_counter() - t) * 1e6

    for topic in TOPICS:  # warm-up round
        summarize(index, topic)
    times: dict[str | None, list[float]] = {topic: [] for topic in TOPICS}
    for _ in range(args.rounds):
        for topic in TOPICS:
            t = time.perf_counter()
            summarize(index, topic)
            times[topic].append((time.perf_counter() - t) * 1000)
    uncached: list[float] = []  # the brief is kept per length: time building it afresh
    for _ in range(args.rounds):
        _data(index).briefs.clear()
        t = time.perf_counter()
        summarize(index, None)
        uncached.append((time.perf_counter() - t) * 1000)
    every = [ms for values in times.values() for ms in values] + uncached
    assert "discord" not in sys.modules, "the summary path imported discord.py"

    print(
        f"corpus: {len(index)} passages; engine built in {build_ms:.1f} ms; {len(found)} topics\n"
    )
    print("| measure | p50 | p99 | target |")
    print("|---|---|---|---|")
    print(f"| first summarize (builds sentence data) | {first_ms:.2f} ms | | once per index |")
    print(f"| topics(), first call | {topics_ms:.2f} ms | | once per index |")
    print(f"| topics(), cached | {topics_again_us:.1f} µs | | |")
    for topic, values in times.items():
        name = "(brief, no topic, cached)" if topic is None else topic
        print(
            f"| summarize {name} | {percentile(values, 0.5):.2f} ms "
            f"| {percentile(values, 0.99):.2f} ms | |"
        )
    print(
        f"| summarize (brief, built afresh) | {percentile(uncached, 0.5):.2f} ms "
        f"| {percentile(uncached, 0.99):.2f} ms | |"
    )
    p99 = percentile(every, 0.99)
    print(
        f"| **summarize, all topics** | {percentile(every, 0.5):.2f} ms | {p99:.2f} ms "
        f"| < {TARGET_MS:.0f} ms |"
    )
    print(f"\n{'within' if p99 < TARGET_MS else 'OVER'} target; discord imported: no")


if __name__ == "__main__":
    main()
