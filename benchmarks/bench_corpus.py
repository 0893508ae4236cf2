"""The whole pipeline on a large corpus: ``briefbot index``, loading it, answering.

    python benchmarks/bench_corpus.py [--passages 10000,100000] [--docs 100]

Writes a corpus folder of plain-text documents made of real English sentences found on
this machine (the same source as bench_scale.py: man pages, info pages, licences), each
paragraph 3-5 sentences, then measures, each in a fresh process: building and saving the
index (wall time, peak RSS), loading the saved index (wall time, peak RSS), and the
in-process latency of ``Briefbot.ask`` on questions made of corpus words.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import _sentences  # noqa: E402  (real English text available offline)

CHILD = r"""
import json, random, resource, sys, time
from pathlib import Path
from briefbot import Briefbot
folder, mode = Path(sys.argv[1]), sys.argv[2]
t = time.perf_counter()
bot = Briefbot.from_folder(folder, save=(mode == "build"))
took = time.perf_counter() - t
out = {"seconds": took, "passages": len(bot.index),
       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if mode == "load":
    rng = random.Random(7)
    words = [w for w, n in bot.index.word_counts.most_common(20000)[200:] if w.isalpha()]
    lat = []
    for _ in range(200):
        q = "what about " + " ".join(rng.sample(words, rng.randint(2, 5)))
        t = time.perf_counter(); bot.ask(q); lat.append(time.perf_counter() - t)
    lat.sort()
    out["ask_p50_ms"] = lat[len(lat) // 2] * 1000
    out["ask_p99_ms"] = lat[int(len(lat) * 0.99) - 1] * 1000
print(json.dumps(out))
"""


def write_corpus(folder: Path, passages: int, docs: int) -> None:
    rng = random.Random(1)
    pool = [s for s, _ in _sentences()]
    per_doc = passages // docs
    for d in range(docs):
        paras = [
            " ".join(rng.choice(pool) for _ in range(rng.randint(3, 5))) for _ in range(per_doc)
        ]
        text = f"Document {d}\n\n" + "\n\n".join(paras) + "\n"
        (folder / f"doc{d:04d}.txt").write_text(text, encoding="utf-8")


def child(folder: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), mode], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="10000,100000")
    parser.add_argument("--docs", type=int, default=100)
    args = parser.parse_args()
    print("| passages | build + save | build peak RSS | load | load peak RSS | ask p50 | ask p99 |")
    print("|---|---|---|---|---|---|---|")
    for n in (int(x) for x in args.passages.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="briefbot-corpus-"))
        try:
            write_corpus(folder, n, args.docs)
            built = child(folder, "build")
            loaded = child(folder, "load")
            print(
                f"| {built['passages']:,} | {built['seconds']:.1f} s | {built['peak_mb']:.0f} MB "
                f"| {loaded['seconds']:.2f} s | {loaded['peak_mb']:.0f} MB "
                f"| {loaded['ask_p50_ms']:.1f} ms | {loaded['ask_p99_ms']:.1f} ms |",
                flush=True,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
