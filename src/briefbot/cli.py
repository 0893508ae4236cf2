"""The command line: ``briefbot ask``, ``repl``, ``eval`` and friends.

Each command is a few calls into :class:`briefbot.engine.Briefbot`. User errors print one
line and exit non-zero (1 for corpus problems, 2 for bad input); unexpected errors print
one line too, with the traceback only when ``BRIEFBOT_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import BriefbotError, InputError

PROG = "briefbot"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Answer questions about an article with verbatim, attributed quotes.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        help="corpus folder (default: BRIEFBOT_CORPUS_DIR or ./corpus)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ask = sub.add_parser(
        "ask",
        help="answer one question (or '-' for one per line on stdin)",
        description="Answer a question with verbatim quotes from the corpus.",
    )
    ask.add_argument(
        "question", help="the question, or '-' to read one question per line from stdin"
    )
    ask.add_argument(
        "--json", action="store_true", help="print JSON (one object per line with '-')"
    )
    ask.add_argument(
        "--top",
        type=_top,
        metavar="N",
        help="number of excerpts, 1-10 (default: BRIEFBOT_TOP, else 3)",
    )
    _document_option(ask, "only search this document")
    ask.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight matched words (default: when printing to a terminal)",
    )
    ask.set_defaults(func=cmd_ask)

    repl = sub.add_parser(
        "repl",
        help="ask questions interactively, with history",
        description="An interactive loop: type questions; Ctrl-D or /quit to leave.",
    )
    repl.set_defaults(func=cmd_repl)

    ev = sub.add_parser(
        "eval",
        help="measure answer quality on a JSONL question set",
        description='Lines: {"q": ..., "expect": [snippets], "quote": snippet, "kind": ..., '
        '"doc": ...} or {"q": ..., "expect_none": true}. Reports hit@1, hit@3, MRR, quote@1 '
        "(the first excerpt holds the quote snippet), refusals, per kind of question.",
    )
    ev.add_argument("file", type=Path, help="the question set (.jsonl)")
    ev.add_argument("--doc", help='only the questions whose "doc" is this name')
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(func=cmd_eval)

    summ = sub.add_parser(
        "summary",
        help="what the documents say about a topic (or a brief of them)",
        description="Verbatim sentences about TOPIC, in the documents' order, "
        "each with its source; with no TOPIC, a brief of the "
        "whole corpus (or of one document).",
    )
    summ.add_argument(
        "topic",
        nargs="?",
        metavar="TOPIC",
        help="a person, place, idea or section heading (see 'briefbot topics')",
    )
    summ.add_argument(
        "--sentences",
        type=_top,
        default=5,
        metavar="N",
        help="number of sentences, 1-10 (default 5)",
    )
    _document_option(summ, "only this document")
    summ.add_argument("--json", action="store_true", help="print JSON")
    summ.set_defaults(func=cmd_summary)

    tops = sub.add_parser(
        "topics",
        help="list the documents' sections, names and key terms",
        description="The topics 'briefbot summary' knows: section "
        "headings, then names and concepts with how many "
        "paragraphs mention them.",
    )
    _document_option(tops, "only this document")
    tops.add_argument("--json", action="store_true", help="print JSON")
    tops.set_defaults(func=cmd_topics)

    srcs = sub.add_parser(
        "sources",
        help="list the documents: id, title, authors, date, links",
        description="Every document of the corpus with its metadata and size.",
    )
    srcs.add_argument("--json", action="store_true", help="print JSON")
    srcs.set_defaults(func=cmd_sources)

    add = sub.add_parser(
        "add",
        help="import web articles (saved HTML pages or URLs) into the corpus",
        description="Extract each page's article (main text, title, authors, date, site, "
        "canonical link, language), write it into the corpus folder as a Markdown document "
        "with front matter, then index the corpus. Needs the 'web' extra.",
    )
    add.add_argument("sources", nargs="+", metavar="FILE.html|URL", help="pages to import")
    add.set_defaults(func=cmd_add)

    idx = sub.add_parser(
        "index",
        help="build the index now and save it for fast starts",
        description="Build the corpus's index and save it (beside the corpus, or in "
        "BRIEFBOT_CACHE_DIR). Later starts load it; a changed corpus is rebuilt.",
    )
    idx.set_defaults(func=cmd_index)

    run = sub.add_parser(
        "run",
        help="run the Discord bot (needs DISCORD_TOKEN)",
        description="Run the Discord bot. Settings come from the environment "
        "or .env (see .env.example); the token is DISCORD_TOKEN.",
    )
    run.set_defaults(func=cmd_run)

    gaps = sub.add_parser(
        "gaps",
        help="the questions most often refused or voted down (knowledge gaps)",
        description="Questions the bot refused or that got 👎, grouped by their content "
        "words, most frequent first (from BRIEFBOT_FEEDBACK_DB).",
    )
    gaps.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write them as 'briefbot eval' lines (JSONL) for someone to label",
    )
    gaps.add_argument(
        "--limit", type=int, default=20, metavar="N", help="how many groups (default 20)"
    )
    gaps.set_defaults(func=cmd_gaps)

    sync = sub.add_parser(
        "sync",
        help="publish the bot's slash commands to Discord",
        description="Publish the slash commands globally (or to one server with --guild).",
    )
    sync.add_argument(
        "--guild", type=int, metavar="ID", help="only this server (instant; for development)"
    )
    sync.set_defaults(func=cmd_sync)
    return parser


def _document_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--document", metavar="ID", help=f"{what} (its id: see 'briefbot sources')")


def _top(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to 10, not {value!r}"
        ) from None
    if not 1 <= n <= 10:
        raise argparse.ArgumentTypeError(f"must be from 1 to 10, not {n}")
    return n


SHOWN_PROBLEMS = 5  # files that could not be read, named at each command (sources: all)


def load_bot(
    args: argparse.Namespace,
    *,
    save: bool | None = None,
    settings: CliSettings | None = None,
    problems: bool = True,
):  # -> Briefbot
    """The engine on the corpus of ``--corpus`` or the settings (read once per command:
    pass ``settings`` when the command has them already). The files it could not read are
    warned of (the first few, with how many more), unless ``problems`` is False."""
    from .engine import Briefbot

    settings = settings or cli_settings()
    folder, cache_dir = settings.corpus_dir, settings.cache_dir
    if args.corpus is not None:
        folder = args.corpus
    progress = Progress()
    try:
        bot = Briefbot.from_folder(
            folder, cache_dir=cache_dir, save=save, progress=progress, warn=warn
        )
    finally:
        progress.close()
    if problems:
        for problem in bot.problems[:SHOWN_PROBLEMS]:
            warn(problem)
        more = len(bot.problems) - SHOWN_PROBLEMS
        if more > 0:
            warn(f"{more} more files were not indexed (`{PROG} sources` lists them all)")
    return bot


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class Progress:
    """A progress bar on stderr for index builds that take more than a second."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.started < 1.0:
                return
            from tqdm import tqdm

            # the build tells its work done in weighted characters: shown as a share
            self.bar = tqdm(
                total=total,
                desc="indexing",
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass(frozen=True)
class CliSettings:
    """The settings the local commands use (all of them are in :class:`Settings`)."""

    corpus_dir: Path
    cache_dir: Path | None
    top: int
    max_question_chars: int
    feedback_db: Path
    feedback_retention_days: float


def cli_settings() -> CliSettings:
    """The settings from the environment and ``.env``. With neither a ``.env`` nor a
    BRIEFBOT_* variable they are all defaults, and pydantic (a sixth of a second to
    import) is not loaded."""
    from . import defaults
    from .corpus import default_corpus_dir

    if not Path(".env").exists() and not any(k.startswith("BRIEFBOT_") for k in os.environ):
        return CliSettings(
            default_corpus_dir(),
            None,
            defaults.TOP,
            defaults.MAX_QUESTION_CHARS,
            defaults.default_feedback_db(),
            defaults.FEEDBACK_RETENTION_DAYS,
        )
    s = validated_settings()
    return CliSettings(
        s.corpus_dir,
        s.cache_dir,
        s.top,
        s.max_question_chars,
        s.feedback_db,
        s.feedback_retention_days,
    )


def validated_settings():  # -> Settings
    """Settings(), with an invalid value reported as one line that never echoes a value."""
    from pydantic import ValidationError

    from .settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:  # a rule across settings: its message names them
            raise InputError(str(first["msg"]).removeprefix("Value error, ")) from None
        name = str(first["loc"][0])
        token = name in ("discord_token", "DISCORD_TOKEN")
        env = "DISCORD_TOKEN" if token else f"BRIEFBOT_{name.upper()}"
        raise InputError(f"{env}: {first['msg']}") from None


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def cmd_ask(args: argparse.Namespace) -> int:
    from .discord_render import question_problem
    from .render import answer_to_json, answer_to_text

    settings = cli_settings()
    top = args.top if args.top is not None else settings.top
    color = _use_color(args.color, sys.stdout)

    def problem_of(question: str) -> str | None:
        return question_problem(question, settings.max_question_chars)

    if args.question != "-":
        problem = problem_of(args.question)
        if problem:
            raise InputError(problem)
        bot = load_bot(args, settings=settings)
        answer = bot.ask(args.question, top=top, document=args.document)
        if args.json:
            print(json.dumps(answer_to_json(answer), ensure_ascii=False))
        else:
            print(answer_to_text(answer, color=color))
        return 0
    bot = load_bot(args, settings=settings)
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        try:
            problem = problem_of(question)
            if problem:
                raise InputError(problem)
            answer = bot.ask(question, top=top, document=args.document)
        except InputError as exc:  # a bad line keeps its place in the output
            if args.json:
                failed = {"question": question, "answered": False, "reason": str(exc)}
                print(json.dumps({**failed, "results": []}, ensure_ascii=False), flush=True)
            else:
                print(f"{exc}\n", flush=True)
            continue
        if args.json:
            print(json.dumps(answer_to_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_to_text(answer, color=color) + "\n", flush=True)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from .webpage import fetch, is_url, read_page, save

    folder = args.corpus if args.corpus is not None else cli_settings().corpus_dir
    added, failed = 0, 0
    for source in args.sources:
        try:
            if is_url(source):
                data, url = fetch(source), source
            else:
                try:
                    data, url = Path(source).read_bytes(), None
                except OSError as exc:
                    raise InputError(f"{source}: cannot be read ({exc.strerror or exc})") from None
            page = read_page(data, url, source=source)
            try:
                path, new = save(page, Path(folder))
            except OSError as exc:
                raise InputError(f"{folder}: cannot write ({exc.strerror or exc})") from None
        except InputError as exc:  # one line per source; the others are still added
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        if not new:
            print(f"Already in the corpus: {path}")
            continue
        added += 1
        by = f" ({', '.join(page.authors)})" if page.authors else ""
        print(f"Added {path}: {page.title}{by}")
    if added:
        bot = load_bot(args, save=True)
        print(f"Indexed {len(bot.index):,} passages from {len(bot.documents)} documents.")
    return 2 if failed else 0


def cmd_index(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    bot = load_bot(args, save=True)
    took = time.perf_counter() - started
    docs = len(bot.documents)
    print(
        f"{len(bot.index):,} passages from {docs} document{'s' * (docs != 1)} indexed in "
        f"{took:.2f} s (key {(bot.index.key or '')[:12]})"
    )
    return 0


def cmd_repl(args: argparse.Namespace) -> int:
    from .repl import run_repl

    settings = cli_settings()
    return run_repl(
        load_bot(args, settings=settings),
        top=settings.top,
        max_question_chars=settings.max_question_chars,
    )


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, load_cases

    cases = load_cases(args.file)
    if args.doc:
        cases = [c for c in cases if (c.doc or "") == args.doc]
        if not cases:
            raise InputError(f"{args.file}: no questions about the document '{args.doc}'")
    report = evaluate(load_bot(args), cases)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"questions: {report.answerable} answerable, {report.unanswerable} unanswerable")
    print(
        f"hit@1: {report.hit_at_1:.3f}   hit@3: {report.hit_at_3:.3f}   MRR: {report.mrr:.3f}   "
        f"quote@1: {report.quote_at_1:.3f}"
    )
    print(
        f"unanswerable refused: {report.refusal_accuracy:.3f}   "
        f"answerable questions refused: {report.wrongly_refused}"
    )
    for kind, tally in sorted(report.kinds.items()):
        t = tally.as_dict()
        if kind == "unanswerable":
            print(f"  {kind:12} {t['unanswerable']:3} refused {t['unanswerable_refused']:.2f}")
        else:
            print(
                f"  {kind:12} {t['answerable']:3} hit@1 {t['hit@1']:.2f} hit@3 {t['hit@3']:.2f} "
                f"quote@1 {t['quote@1']:.2f} refused {t['answerable_refused']}"
            )
    if report.misses:
        print("misses:")
        for miss in report.misses:
            print(f"  {miss}")
    return 0


NO_TOKEN = (
    "Set DISCORD_TOKEN (in the environment or .env) to run the bot; "
    "`briefbot repl` works without Discord."
)


def cmd_summary(args: argparse.Namespace) -> int:
    from .render import summary_to_json, summary_to_text
    from .summaries import clean_topic

    if args.topic is not None:
        clean_topic(args.topic)  # a bad topic fails before the corpus is loaded
    summary = load_bot(args).summarize(
        args.topic, max_sentences=args.sentences, document=args.document
    )
    if args.json:
        print(json.dumps(summary_to_json(summary), ensure_ascii=False))
    else:
        print(summary_to_text(summary))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from .render import topics_to_text

    topics = load_bot(args).topics(args.document)
    if args.json:
        data = [{"name": t.name, "kind": t.kind, "passages": t.passages} for t in topics]
        print(json.dumps({"topics": data}, ensure_ascii=False))
    else:
        print(topics_to_text(topics))
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    bot = load_bot(args, problems=False)
    counts = {d.id: bot.index.passage_count(d.id) for d in bot.documents}
    fields = ("title", "subtitle", "authors", "translator", "publisher", "published", "url")
    if args.json:
        docs = [
            {
                "id": d.id,
                **{f: (list(v) if isinstance(v := getattr(d, f), tuple) else v) for f in fields},
                "paragraphs": counts.get(d.id, 0),
            }
            for d in bot.documents
        ]
        problems = list(bot.problems)
        print(json.dumps({"documents": docs, "not_indexed": problems}, ensure_ascii=False))
        return 0
    for d in bot.documents:
        print(f"{d.id}  {d.title}")
        details = [f"By {d.byline}" if d.byline else "", d.published or "", d.publisher or ""]
        shown = " · ".join(x for x in details if x)
        if shown:
            print(f"    {shown}")
        if d.url:
            print(f"    {d.url}")
        print(f"    {counts.get(d.id, 0)} paragraphs")
    if bot.problems:
        print(f"Not indexed ({len(bot.problems)}):")
        for problem in bot.problems:
            print(f"    {problem}")
    return 0


def discord_settings():  # -> Settings with a token, or None after printing what to set
    """Settings for the Discord commands; invalid values become one line, never echoing a value."""
    settings = validated_settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return None
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    settings = discord_settings()
    if settings is None:
        return 1
    from .discord_bot import run_bot

    return run_bot(settings, corpus_dir=args.corpus)


def cmd_gaps(args: argparse.Namespace) -> int:
    from .feedback import FeedbackStore

    settings = cli_settings()
    path, days = settings.feedback_db, settings.feedback_retention_days
    if not path.exists():
        print(f"No feedback yet ({path} does not exist): it is kept while the bot runs.")
        return 0
    store = FeedbackStore(path, retention_days=days, report=warn)
    try:
        found = store.gaps(max(1, args.limit))
        if args.export is not None:
            try:
                n = store.export(args.export, found)
            except OSError as exc:
                raise InputError(f"{args.export}: cannot write ({exc.strerror or exc})") from None
            print(f"Wrote {n} question{'s' * (n != 1)} to {args.export} to label.")
            return 0
    finally:
        store.close()
    if not found:
        print("No gaps: no question was refused or voted down.")
    for g in found:
        counts = [f"asked {g.asked}x"] + [f"refused {g.refused}"] * bool(g.refused)
        counts += [f"down {g.down}"] * bool(g.down)
        print(f"{g.example}  ({', '.join(counts)})")
        if g.reason:
            print(f"    {g.reason}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    settings = discord_settings()
    if settings is None:
        return 1
    from .discord_bot import sync_commands

    names = sync_commands(settings, guild_id=args.guild)
    where = f"to server {args.guild}" if args.guild else "globally"
    print(f"Synced {len(names)} commands {where}: {', '.join('/' + n for n in names)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BriefbotError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # a saved index is replaced only once whole: nothing is lost
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if os.environ.get("BRIEFBOT_DEBUG"):
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} "
            "(set BRIEFBOT_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 70
