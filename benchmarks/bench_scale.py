"""Scale benchmark: briefbot.bm25.BM25Index against rank_bm25.BM25Okapi, 1k to 1M passages.

The passages are real English recombined: sentences from text on this machine
(/usr/share/common-licenses, /usr/share/doc/*/copyright, English man pages and info
manuals; Python's own documentation is kept out, as from every corpus here), drawn at
random until a passage has 40-60 words. Tokens come from briefbot's own Tokenizer
(stopwords dropped, Snowball stems) or, with
``--tokenizer regex``, from a lowercase ``[a-z0-9]+`` regex that keeps every word.

Every build runs in a fresh subprocess that first generates the corpus, then resets the
kernel's peak-RSS counter (``/proc/self/clear_refs``) and reads ``VmHWM`` after the build:
"peak" is the whole process (corpus included), "build" is peak minus the RSS with only the
corpus loaded, "index" is the RSS the built index keeps. Loading is timed in another fresh
process (page cache warm: the file was just written).

Queries: 2-6 distinct tokens of a random passage, so they mix that passage's rare and
common terms. Latencies are per query, after 3 warm-up queries, with the corpus's objects
frozen out of the cyclic GC (``gc.freeze()``) so that no collection over them lands inside a
timed query.

    .venv/bin/python benchmarks/bench_scale.py                 # 1k, 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_scale.py --quick         # 1k, 10k
    .venv/bin/python benchmarks/bench_scale.py --sizes 100k --tokenizer regex
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path(tempfile.gettempdir()) / "briefbot-bench-scale"
SEED = 20240601
WORD = re.compile(r"[A-Za-z0-9]+")
REGEX_TOKEN = re.compile(r"[a-z0-9]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
QUERIES = 200
RANK_QUERIES_AT_1M = 20


# -- corpus ------------------------------------------------------------------------------


def _paragraphs(text: str):
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para:
            yield para


def _roff_to_text(src: str) -> str:
    lines = []
    for line in src.splitlines():
        if line.startswith((".", "'")):
            lines.append("" if line[1:3] in ("PP", "SH", "SS", "TP", "IP", "LP") else None)
            if lines[-1] is None:
                lines.pop()
            continue
        line = re.sub(r"\\f[BIRP]|\\f\(..|\\\(..|\\\*.|\\&|\\e", "", line)
        lines.append(line.replace("\\-", "-"))
    return "\n".join(lines)


def _texts():
    """Real English text available offline on this machine."""
    for pattern in ("/usr/share/common-licenses/*", "/usr/share/doc/*/copyright"):
        for path in sorted(Path("/").glob(pattern.lstrip("/"))):
            if path.is_file():
                yield path.read_text(encoding="utf-8", errors="ignore")
    for path in sorted(Path("/usr/share/man").glob("man*/*.gz")):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="ignore") as f:
                yield _roff_to_text(f.read())
        except (OSError, EOFError):
            continue
    for path in sorted(Path("/usr/share/info").glob("*.gz")):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="ignore") as f:
                yield f.read()
        except (OSError, EOFError):
            continue


def _sentences():
    seen = set()
    for text in _texts():
        for para in _paragraphs(text):
            for sentence in SENTENCE_END.split(para):
                words = WORD.findall(sentence)
                letters = sum(c.isalpha() for c in sentence)
                real = 5 <= len(words) <= 40 and letters >= 0.6 * len(sentence)
                # no control characters (info manuals' image markers hold NULs)
                real = real and sentence.isprintable()
                if real and sentence not in seen:
                    seen.add(sentence)
                    yield sentence, len(words)


def _tokenize_fn(kind: str):
    if kind == "briefbot":
        from briefbot.text import Tokenizer

        return Tokenizer().terms
    return lambda s: REGEX_TOKEN.findall(s.lower())


def sentence_pool(kind: str) -> tuple[list[tuple[str, ...]], list[int]]:
    """Tokenized sentences (tuples of shared strings) and their word counts, cached.

    The cache is numpy arrays, so loading it leaves no garbage behind in the process whose
    memory is measured.
    """
    path = CACHE / f"pool-{kind}.npz"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tokenize = _tokenize_fn(kind)
        ids: dict[str, int] = {}
        flat: list[int] = []
        ends: list[int] = []
        words: list[int] = []
        for sentence, n_words in _sentences():
            terms = [t for t in tokenize(sentence) if "\n" not in t]
            if terms:
                flat.extend(ids.setdefault(t, len(ids)) for t in terms)
                ends.append(len(flat))
                words.append(n_words)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            vocab=np.frombuffer("\n".join(ids).encode(), dtype=np.uint8),
            ids=np.array(flat, dtype=np.int32),
            ends=np.array(ends, dtype=np.int64),
            words=np.array(words, dtype=np.int32),
        )
        tmp.replace(path)
    with np.load(path) as data:
        vocab = data["vocab"].tobytes().decode().split("\n")
        flat_ids, ends_arr, words_arr = data["ids"], data["ends"], data["words"]
    starts = np.concatenate([[0], ends_arr[:-1]])
    sentences = [
        tuple(map(vocab.__getitem__, flat_ids[a:b].tolist()))
        for a, b in zip(starts.tolist(), ends_arr.tolist(), strict=True)
    ]
    return sentences, words_arr.tolist()


def make_corpus(n: int, kind: str) -> list[list[str]]:
    """``n`` passages of 40-60 words, each a run of random pool sentences."""
    sentences, words = sentence_pool(kind)
    rng = random.Random(SEED + n)
    m = len(sentences)
    corpus = []
    for _ in range(n):
        target = rng.randint(40, 60)
        passage: list[str] = []
        count = 0
        while count < target:
            i = rng.randrange(m)
            passage += sentences[i]
            count += words[i]
        corpus.append(passage)
    return corpus


def make_queries(corpus: list[list[str]], n: int) -> list[list[str]]:
    rng = random.Random(SEED)
    queries = []
    while len(queries) < n:
        terms = list(dict.fromkeys(rng.choice(corpus)))
        if len(terms) >= 2:
            queries.append(rng.sample(terms, min(len(terms), rng.randint(2, 6))))
    return queries


# -- measuring, in a child process --------------------------------------------------------


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _latencies(fn, queries, keep: int = 0) -> tuple[list[float], list]:
    """Seconds per query, and the results of the first ``keep`` queries."""
    for q in queries[:3]:
        fn(q)
    out, results = [], []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        r = fn(q)
        out.append(time.perf_counter() - t)
        if i < keep:
            results.append(r)
    return out, results


def child(mode: str, n: int, kind: str, n_queries: int, workdir: Path) -> dict:
    if mode == "load":
        from briefbot.bm25 import BM25Index

        gc.collect()
        base = _status("VmRSS")
        t = time.perf_counter()
        index = BM25Index.load(workdir / "index.npz")
        load_s = time.perf_counter() - t
        return {"load_s": load_s, "load_rss": _status("VmRSS") - base, "n_docs": index.n_docs}

    corpus = make_corpus(n, kind)
    queries = make_queries(corpus, QUERIES)
    tokens = sum(map(len, corpus))
    gc.collect()
    reset = _reset_peak()
    base = _status("VmRSS")
    t = time.perf_counter()
    if mode == "index":
        from briefbot.bm25 import BM25Index

        index = BM25Index(corpus)
    else:
        import rank_bm25

        index = rank_bm25.BM25Okapi(corpus)
    build_s = time.perf_counter() - t
    peak = _status("VmHWM")
    gc.collect()
    result = {
        "n": n,
        "tokens": tokens,
        "build_s": build_s,
        "peak_rss": peak,
        "corpus_rss": base,
        "build_extra": peak - base,
        "index_rss": _status("VmRSS") - base,
        "peak_reset": reset,
    }
    # The corpus is tens of millions of Python objects: keep the cyclic GC from pausing
    # inside a timed query to scan them (it would in any process holding such a corpus).
    gc.freeze()
    if mode == "index":
        result["terms"] = index.vocabulary_size
        result["postings"] = int(index._indptr[-1])
        result["query_terms"] = float(np.mean([len(q) for q in queries]))
        result["postings_per_query"] = float(
            np.mean([sum(index.doc_freq(t) for t in q) for q in queries])
        )
        result["topk_lat"], tops = _latencies(lambda q: index.top_k(q, 10), queries, n_queries)
        result["scores_lat"], scores = _latencies(index.get_scores, queries, n_queries)
        path = workdir / "index.npz"
        t = time.perf_counter()
        index.save(path)
        result["save_s"] = time.perf_counter() - t
        result["file_bytes"] = path.stat().st_size
        np.save(workdir / "index_scores.npy", np.array(scores))
        (workdir / "index_top.json").write_text(json.dumps(tops))
    else:
        result["scores_lat"], scores = _latencies(index.get_scores, queries[:n_queries], n_queries)
        np.save(workdir / "rank_scores.npy", np.array(scores))
    return result


def run_child(mode: str, n: int, kind: str, n_queries: int, workdir: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(n), kind, str(n_queries), str(workdir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- report -----------------------------------------------------------------------------


def top10(scores: np.ndarray) -> list[int]:
    ids = np.flatnonzero(scores > 0)
    return ids[np.lexsort((ids, -scores[ids]))][:10].tolist()


def compare(workdir: Path) -> dict:
    mine = np.load(workdir / "index_scores.npy")
    ref = np.load(workdir / "rank_scores.npy")
    tops = json.loads((workdir / "index_top.json").read_text())
    diff = np.abs(mine - ref)
    nz = ref != 0
    rel = float(np.max(diff[nz] / np.abs(ref[nz]))) if nz.any() else 0.0
    same_top = sum(
        [i for i, _ in t] == top10(r) and np.allclose([s for _, s in t], r[top10(r)], rtol=1e-6)
        for t, r in zip(tops, ref, strict=True)
    )
    return {
        "max_rel": rel,
        "max_abs": float(diff.max()),
        "top10_same": same_top,
        "compared": len(ref),
    }


def ms(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1e3, q))


def mb(x: float) -> str:
    return f"{x / 2**20:,.0f}"


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(s[-1], 1)
    return int(float(s.rstrip("km")) * mult)


def machine() -> str:
    from importlib.metadata import version

    with open("/proc/cpuinfo") as f:
        models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, rank-bm25 {version('rank-bm25')}, "
        f"RAM {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1k,10k,100k,1M", help="comma-separated, e.g. 1k,100k")
    p.add_argument("--quick", action="store_true", help="only 1k and 10k")
    p.add_argument("--tokenizer", choices=["briefbot", "regex"], default="briefbot")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    args = p.parse_args(argv)
    sizes = [1_000, 10_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]

    CACHE.mkdir(parents=True, exist_ok=True)
    sentences, _ = sentence_pool(args.tokenizer)
    print(f"# {machine()}")
    print(f"# sentence pool: {len(sentences):,} sentences, tokenizer: {args.tokenizer}")
    rows = []
    for n in sizes:
        n_rank = QUERIES if n < 1_000_000 else RANK_QUERIES_AT_1M
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            work = Path(tmp)
            mine = run_child("index", n, args.tokenizer, n_rank, work)
            loaded = run_child("load", n, args.tokenizer, n_rank, work)
            ref = run_child("rank", n, args.tokenizer, n_rank, work)
            agree = compare(work)
        row = {"mine": mine, "load": loaded, "rank": ref, "agree": agree}
        row["loadavg"] = os.getloadavg()
        rows.append(row)
        print(json.dumps({"n": n, **{k: v for k, v in row.items() if k != "mine"}}, default=str))
        sys.stdout.flush()

    print()
    print(
        "| passages | tokens/passage | terms | BM25Index build s | rank-bm25 build s "
        "| BM25Index peak / build / index MB | rank-bm25 peak / build / index MB "
        "| top_k p50 / p99 ms | get_scores p50 / p99 ms | rank-bm25 p50 / p99 ms (queries) "
        "| speed-up p50 (top_k / get_scores) | file MB | load s | max rel diff | top-10 same |"
    )
    print("|" + "---|" * 15)
    for row in rows:
        m, r, ld, a = row["mine"], row["rank"], row["load"], row["agree"]
        rank_p50 = ms(r["scores_lat"], 50)
        print(
            f"| {m['n']:,} | {m['tokens'] / m['n']:.1f} | {m['terms']:,} "
            f"| {m['build_s']:.2f} | {r['build_s']:.2f} "
            f"| {mb(m['peak_rss'])} / {mb(m['build_extra'])} / {mb(m['index_rss'])} "
            f"| {mb(r['peak_rss'])} / {mb(r['build_extra'])} / {mb(r['index_rss'])} "
            f"| {ms(m['topk_lat'], 50):.2f} / {ms(m['topk_lat'], 99):.2f} "
            f"| {ms(m['scores_lat'], 50):.2f} / {ms(m['scores_lat'], 99):.2f} "
            f"| {rank_p50:.1f} / {ms(r['scores_lat'], 99):.1f} ({len(r['scores_lat'])}) "
            f"| {rank_p50 / ms(m['topk_lat'], 50):,.0f}x "
            f"/ {rank_p50 / ms(m['scores_lat'], 50):,.0f}x "
            f"| {m['file_bytes'] / 2**20:,.1f} | {ld['load_s']:.2f} "
            f"| {a['max_rel']:.1e} | {a['top10_same']}/{a['compared']} |"
        )
    for row in rows:
        m = row["mine"]
        print(
            f"# {m['n']:,}: {m['postings']:,} postings, query {m['query_terms']:.1f} terms "
            f"touching {m['postings_per_query']:,.0f} postings on average; load average "
            f"after the run {row['loadavg'][0]:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, n, kind, nq, work = sys.argv[2:7]
        print(json.dumps(child(mode, int(n), kind, int(nq), Path(work))))
    else:
        sys.exit(main())
