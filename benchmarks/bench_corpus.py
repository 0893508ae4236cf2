"""The whole pipeline on a large corpus, beside rank-bm25, bm25s and tantivy on the same passages.

    python benchmarks/bench_corpus.py [--passages 10000,100000,1000000] [--docs 1000]
                                      [--json OUT]

Writes (once, cached under $TMPDIR/briefbot-bench-corpus/) a corpus folder of plain-text
documents made of real English sentences found on this machine (the same pool as
bench_scale.py: man pages, info manuals, licences; no Python documentation), paragraphs of
3-5 sentences separated by blank lines. Then, each in a fresh process, on that folder:

- briefbot: ``briefbot index`` as a whole process (wall time; the peak memory of that
  process); the index's size on disk; loading it (``Briefbot.from_folder``, wall time,
  resident memory after); ``Briefbot.ask`` on 200 new questions (2-5 corpus words each)
  without the encoder (lexical) and on 30 with it (each question's candidates encoded for
  it: an index this large holds no vectors); one cold ``briefbot ask`` as a whole process.
- the same paragraphs (each file split at blank lines, as briefbot's passages are) given to
  rank-bm25's BM25Okapi (up to 100k passages: at 1M one query takes over a second),
  bm25s (its own tokenizer with English stopwords and PyStemmer's stemmer; numba off),
  and tantivy (its default English tokenizer; one writer, 2 threads): build, peak memory,
  size on disk, load, and the top 10 for the same questions' words.

Peak memory is each process's own high-water mark (``VmHWM``). Costs are also given
as the exponent of their growth from the smallest size to
the largest (cost ~ N^k).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import _sentences  # noqa: E402  (real English text available offline)

CACHE = Path(tempfile.gettempdir()) / "briefbot-bench-corpus"
QUESTIONS = 200
SEMANTIC_QUESTIONS = 30

PEAK = r"""
def peak_mb():  # this process's own high-water mark (ru_maxrss would include its parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
"""

ASK = (
    PEAK
    + r"""
import json, os, random, sys, time
from pathlib import Path
from briefbot import Briefbot
folder, semantic, n = sys.argv[1], sys.argv[2] == "semantic", int(sys.argv[3])
t = time.perf_counter()
bot = Briefbot.from_folder(
    folder, semantic=semantic, save=False, cache_dir=Path(os.environ["BRIEFBOT_CACHE_DIR"])
)
load = time.perf_counter() - t
rss = rss_mb()
questions = json.loads(open(sys.argv[4]).read())[:n]
lat = []
for q in questions:
    t = time.perf_counter(); bot.ask(q); lat.append(time.perf_counter() - t)
lat.sort()
print(json.dumps({"load_s": load, "rss_after_load_mb": rss,
                  "p50_ms": lat[len(lat) // 2] * 1000,
                  "p99_ms": lat[max(0, int(len(lat) * .99) - 1)] * 1000,
                  "passages": len(bot.index)}))
"""
)

OTHERS = (
    PEAK
    + r"""
import json, sys, time
from pathlib import Path
engine, folder, out, qfile = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
mode = sys.argv[5]
questions = [q.split(" ", 2)[2] for q in json.loads(open(qfile).read())]  # drop "what about"
def passages():
    for path in sorted(folder.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            if para.strip():
                yield para.strip()
def timed(run):
    lat = []
    for q in questions:
        t = time.perf_counter(); run(q); lat.append(time.perf_counter() - t)
    lat.sort()
    return lat[len(lat) // 2] * 1000, lat[max(0, int(len(lat) * .99) - 1)] * 1000
result = {}
if engine == "tantivy":
    import tantivy
    if mode == "build":
        texts = list(passages())
        t = time.perf_counter()
        schema = tantivy.SchemaBuilder().add_text_field(
            "body", stored=False, tokenizer_name="en_stem").build()
        out.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(schema, path=str(out))
        writer = index.writer(heap_size=300_000_000, num_threads=2)
        for text in texts:
            writer.add_document(tantivy.Document(body=text))
        writer.commit(); writer.wait_merging_threads()
        result["build_s"] = time.perf_counter() - t
    else:
        t = time.perf_counter()
        schema = tantivy.SchemaBuilder().add_text_field(
            "body", stored=False, tokenizer_name="en_stem").build()
        index = tantivy.Index(schema, path=str(out)); index.reload(); searcher = index.searcher()
        result["load_s"] = time.perf_counter() - t
        def run(q):
            query = index.parse_query(" ".join(w for w in q.split() if w.isalnum()), ["body"])
            return searcher.search(query, 10).hits
        run(questions[0])
        result["p50_ms"], result["p99_ms"] = timed(run)
elif engine == "bm25s":
    import bm25s, Stemmer
    stemmer = Stemmer.Stemmer("english")
    if mode == "build":
        texts = list(passages())
        t = time.perf_counter()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        result["build_s"] = time.perf_counter() - t
        retriever.save(str(out))
    else:
        t = time.perf_counter()
        retriever = bm25s.BM25.load(str(out), mmap=True)
        result["load_s"] = time.perf_counter() - t
        def run(q):
            tokens = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False)
            return retriever.retrieve(tokens, k=10, show_progress=False)
        run(questions[0])
        result["p50_ms"], result["p99_ms"] = timed(run)
elif engine == "rank-bm25":
    import re
    from rank_bm25 import BM25Okapi
    import Stemmer
    stemmer = Stemmer.Stemmer("english")
    word = re.compile(r"\w+")
    tok = lambda s: stemmer.stemWords(word.findall(s.lower()))
    texts = list(passages())
    t = time.perf_counter()
    bm = BM25Okapi([tok(x) for x in texts])
    result["build_s"] = time.perf_counter() - t
    questions = questions[: int(mode)]
    result["p50_ms"], result["p99_ms"] = timed(lambda q: bm.get_scores(tok(q)))
result["peak_mb"] = peak_mb()
print(json.dumps(result))
"""
)


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


def corpus(passages: int, docs: int) -> Path:
    folder = CACHE / f"{passages}-{docs}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        write_corpus(folder, passages, docs)
        (folder / "done").write_text("")
    return folder


def questions(folder: Path, path: Path) -> None:
    """Questions of 2-5 words from the corpus's own vocabulary (not its commonest)."""
    from collections import Counter

    words: Counter[str] = Counter()
    for p in sorted(folder.glob("*.txt"))[:50]:
        words.update(w for w in p.read_text(encoding="utf-8").lower().split() if w.isalpha())
    common = [w for w, _ in words.most_common(20000)[200:]]
    rng = random.Random(7)
    qs = ["what about " + " ".join(rng.sample(common, rng.randint(2, 5))) for _ in range(QUESTIONS)]
    path.write_text(json.dumps(qs))


def run(args: list[str], env: dict | None = None) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(args, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - t, done.stdout


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


BUILD = r"""
import subprocess, sys, time, json
t = time.perf_counter()
# /usr/bin/time -v: the peak of `briefbot index` itself (its workers have their own)
done = subprocess.run(["/usr/bin/time", "-v", sys.argv[1], "index"], check=True,
                      capture_output=True, text=True)
took = time.perf_counter() - t
peak = [l for l in done.stderr.splitlines() if "Maximum resident set size" in l]
print(json.dumps({"build_s": took, "peak_mb": int(peak[0].split()[-1]) / 1024 if peak else None}))
"""


def measure(n: int, docs: int) -> dict:
    folder = corpus(n, docs)
    work = Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    qfile = work / "questions.json"
    questions(folder, qfile)
    briefbot = str(Path(sys.executable).with_name("briefbot"))
    env = dict(os.environ, BRIEFBOT_CORPUS_DIR=str(folder), BRIEFBOT_CACHE_DIR=str(work / "cache"))
    row: dict = {"passages_asked": n}
    try:
        # the main process's peak: `briefbot index` is the only child of this wrapper, and
        # its workers are its children
        _, out = run([sys.executable, "-c", BUILD, briefbot], env)
        row["briefbot"] = json.loads(out)
        row["briefbot"]["size_mb"] = size_mb(work / "cache")
        for mode, count in (("lexical", QUESTIONS), ("semantic", SEMANTIC_QUESTIONS)):
            _, out = run(
                [sys.executable, "-c", ASK, str(folder), mode, str(count), str(qfile)], env
            )
            row["briefbot"][mode] = json.loads(out)
        cold = []
        for _ in range(3):
            took, _ = run([briefbot, "ask", "what about the licence of the software"], env)
            cold.append(took)
        row["briefbot"]["cold_ask_s"] = sorted(cold)[1]
        for engine in ("tantivy", "bm25s"):
            out_dir = work / engine

            def other(mode: str, engine: str = engine, out_dir: Path = out_dir) -> dict:
                args = [engine, str(folder), str(out_dir), str(qfile), mode]
                return json.loads(run([sys.executable, "-c", OTHERS, *args])[1])

            row[engine] = other("build")
            row[engine]["size_mb"] = size_mb(out_dir)
            q = other("query")
            row[engine].update({k: q[k] for k in ("load_s", "p50_ms", "p99_ms")})
            row[engine]["query_peak_mb"] = q["peak_mb"]
        if n <= 1_000_000:
            count = QUESTIONS if n <= 100_000 else 20
            _, out = run(
                [
                    sys.executable,
                    "-c",
                    OTHERS,
                    "rank-bm25",
                    str(folder),
                    "-",
                    str(qfile),
                    str(count),
                ]
            )
            row["rank-bm25"] = json.loads(out) | {"questions": count}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return row


def exponent(small: float, large: float, n_small: int, n_large: int) -> float:
    return math.log(large / small) / math.log(n_large / n_small) if small > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", default="10000,100000,1000000")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for n in (int(x) for x in args.passages.split(",")):
        docs = min(args.docs, max(1, n // 100))
        row = measure(n, docs)
        row["passages"] = row["briefbot"]["lexical"]["passages"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    print_tables(rows)


def print_tables(rows: list[dict]) -> None:
    print(
        "\n| passages | build | memory | on disk | load | ask p50 / p99 lexical "
        "| ask p50 / p99 semantic | cold `briefbot ask` |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        b = r["briefbot"]
        print(
            f"| {r['passages']:,} | {b['build_s']:.1f} s | "
            f"{b['peak_mb']:.0f} MB build; {b['lexical']['rss_after_load_mb']:.0f} MB after load | "
            f"{b['size_mb']:.0f} MB | {b['lexical']['load_s']:.2f} s | "
            f"{b['lexical']['p50_ms']:.1f} / {b['lexical']['p99_ms']:.1f} ms | "
            f"{b['semantic']['p50_ms']:.0f} / {b['semantic']['p99_ms']:.0f} ms | "
            f"{b['cold_ask_s']:.2f} s |"
        )
    print("\n| passages | engine | build | peak | on disk | load | top-10 p50 / p99 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        for engine in ("tantivy", "bm25s", "rank-bm25"):
            if engine not in r:
                continue
            e = r[engine]
            disk = f"{e['size_mb']:.0f} MB" if "size_mb" in e else "-"  # rank-bm25 saves none
            load = f"{e['load_s']:.2f} s" if "load_s" in e else "-"
            print(
                f"| {r['passages']:,} | {engine} | {e['build_s']:.1f} s | {e['peak_mb']:.0f} MB | "
                f"{disk} | {load} | {e['p50_ms']:.1f} / {e['p99_ms']:.1f} ms |"
            )
    if len(rows) >= 2:
        a, z = rows[0], rows[-1]
        na, nz = a["passages"], z["passages"]
        print(f"\nGrowth from {na:,} to {nz:,} passages (cost ~ N^k):")
        for name, get in (
            ("briefbot build", lambda r: r["briefbot"]["build_s"]),
            ("briefbot load", lambda r: r["briefbot"]["lexical"]["load_s"]),
            ("briefbot ask p50, lexical", lambda r: r["briefbot"]["lexical"]["p50_ms"]),
            ("briefbot ask p50, semantic", lambda r: r["briefbot"]["semantic"]["p50_ms"]),
            ("briefbot cold ask", lambda r: r["briefbot"]["cold_ask_s"]),
            ("tantivy build", lambda r: r["tantivy"]["build_s"]),
            ("tantivy top-10 p50", lambda r: r["tantivy"]["p50_ms"]),
            ("bm25s build", lambda r: r["bm25s"]["build_s"]),
            ("bm25s top-10 p50", lambda r: r["bm25s"]["p50_ms"]),
        ):
            print(f"- {name}: k = {exponent(get(a), get(z), na, nz):.2f}")


if __name__ == "__main__":
    main()
