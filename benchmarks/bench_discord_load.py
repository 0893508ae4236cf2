"""Load: 200 questions arriving within one second through the local fake Discord.

The real discord.py bot (briefbot.discord_bot) runs against tests/fake_discord in the same
process and event loop. 200 users each mention the bot with a question from the dev set,
spread evenly over one second. Checks: every question answered, none twice, none dropped.
Reports reply latency (question dispatched on the gateway -> reply POST received), p50/p99.

    .venv/bin/python benchmarks/bench_discord_load.py [--questions 200] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

with warnings.catch_warnings():  # discord.py imports the deprecated audioop
    warnings.simplefilter("ignore", DeprecationWarning)
    import discord  # noqa: F401

from briefbot import Briefbot  # noqa: E402
from briefbot.discord_bot import BriefbotBot  # noqa: E402
from briefbot.settings import Settings  # noqa: E402
from tests.fake_discord import FakeDiscord  # noqa: E402

MESSAGES = r"/channels/\d+/messages"


class LoadBot(BriefbotBot):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, guild_ready_timeout=0.05, **kwargs)
        self.ready = asyncio.Event()

    async def on_ready(self) -> None:
        self.ready.set()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(n: int, seconds: float) -> dict[str, object]:
    questions = [json.loads(line)["q"] for line in (ROOT / "tests/data/devset.jsonl").open()]
    t0 = time.perf_counter()
    engine = Briefbot.from_folder(ROOT / "corpus")
    build = time.perf_counter() - t0
    async with FakeDiscord() as fake:
        settings = Settings(_env_file=None, dev_guild_id=int(fake.guild_id))
        bot = LoadBot(settings, engine)
        task = asyncio.create_task(bot.start(fake.token))
        await asyncio.wait_for(bot.ready.wait(), 10)
        users = [fake.make_user(f"user{i}") for i in range(n)]
        loop = asyncio.get_running_loop()
        sent: dict[str, float] = {}
        cpu0 = time.process_time()
        start = loop.time()
        for i in range(n):
            # evenly spread: question i goes out at i/n of the window
            delay = start + seconds * i / n - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            msg = await fake.send_message(
                questions[i % len(questions)], author=users[i], mention_bot=True
            )
            sent[msg["id"]] = loop.time()
        window = loop.time() - start

        def replies() -> list:
            return [
                r
                for r in fake.find_requests("POST", MESSAGES)
                if str(((r.json or {}).get("message_reference") or {}).get("message_id")) in sent
            ]

        deadline = loop.time() + 60
        while len({str(r.json["message_reference"]["message_id"]) for r in replies()}) < n:
            if loop.time() > deadline:
                break
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu0
        await asyncio.sleep(0.5)  # would a duplicate still arrive?
        got = replies()
        counts = Counter(str(r.json["message_reference"]["message_id"]) for r in got)
        latencies = [
            (r.time - sent[str(r.json["message_reference"]["message_id"])]) * 1000 for r in got
        ]
        errors = fake.all_validation_errors()
        await bot.close()
        await asyncio.wait_for(task, 10)
    answered = [r for r in got if r.json.get("embeds")]
    return {
        "questions": n,
        "sent_within_s": round(window, 3),
        "replied": len(counts),
        "answered_with_quotes": len(answered),
        "answered_twice": sum(1 for c in counts.values() if c > 1),
        "dropped": n - len(counts),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "cpu_ms_per_question": round(cpu / n * 1000, 2),  # bot + fake server, one process
        "index_build_s": round(build, 2),
        "schema_errors": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.questions, args.seconds))
    print(json.dumps(result, indent=2))
    ok = result["dropped"] == 0 and result["answered_twice"] == 0 and result["schema_errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
