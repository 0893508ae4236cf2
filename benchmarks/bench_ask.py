"""Speed of answering: in-process latency and the whole ``briefbot ask`` process, cold.

    python benchmarks/bench_ask.py [--runs 20]

In-process: every dev-set question is asked once as a fresh question (caches cold for its
words), then 20 times more (warm); p50/p99 of each. Whole process: ``briefbot ask`` run
``--runs`` times as a subprocess, wall time p50/max, compared with ``python -c pass`` in
the same run (the interpreter's own start-up). Also checks that the ask path never
imports discord.py and builds the index once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def in_process() -> dict[str, float]:
    from briefbot import Briefbot

    started = time.perf_counter()
    bot = Briefbot.from_folder(ROOT / "corpus")
    build = time.perf_counter() - started
    questions = [json.loads(line)["q"] for line in (ROOT / "tests/data/devset.jsonl").open()]
    first: list[float] = []
    for q in questions:
        t = time.perf_counter()
        bot.ask(q)
        first.append(time.perf_counter() - t)
    warm: list[float] = []
    for _ in range(20):
        for q in questions:
            t = time.perf_counter()
            bot.ask(q)
            warm.append(time.perf_counter() - t)
    assert "discord" not in sys.modules, "the ask path imported discord.py"
    return {
        "passages": len(bot.index),
        "build_ms": build * 1000,
        "first_p50_ms": percentile(first, 0.5) * 1000,
        "first_p99_ms": percentile(first, 0.99) * 1000,
        "warm_p50_ms": percentile(warm, 0.5) * 1000,
        "warm_p99_ms": percentile(warm, 0.99) * 1000,
    }


def whole_process(runs: int) -> dict[str, float]:
    exe = Path(sys.executable).with_name("briefbot")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    question = "Why wasn't this peacekeeping?"

    def wall(cmd: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        return time.perf_counter() - t

    wall([str(exe), "ask", question])  # page the files in once, like any second run
    ask = [wall([str(exe), "ask", question]) for _ in range(runs)]
    bare = [wall([sys.executable, "-c", "pass"]) for _ in range(runs)]
    return {
        "ask_p50_s": statistics.median(ask),
        "ask_max_s": max(ask),
        "python_p50_s": statistics.median(bare),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    inproc = in_process()
    proc = whole_process(args.runs)
    print(f"corpus: {inproc['passages']} passages; index built in {inproc['build_ms']:.1f} ms\n")
    print("| measure | p50 | p99 / max | target |")
    print("|---|---|---|---|")
    rows = [
        ("ask in-process, new question", inproc["first_p50_ms"], inproc["first_p99_ms"], "ms", ""),
        (
            "ask in-process, repeated",
            inproc["warm_p50_ms"],
            inproc["warm_p99_ms"],
            "ms",
            "≤ 30 ms p50 (encoder on)",
        ),
        ("`briefbot ask` whole process", proc["ask_p50_s"], proc["ask_max_s"], "s", "≤ 1 s"),
    ]
    for name, p50, p99, unit, target in rows:
        print(f"| {name} | {p50:.3f} {unit} | {p99:.3f} {unit} | {target} |")
    print(f"| `python -c pass` (baseline) | {proc['python_p50_s']:.3f} s | | |")
    print("\ndiscord imported on the ask path: no")


if __name__ == "__main__":
    main()
