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
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .errors import BriefbotError, InputError

PROG = "briefbot"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Answer questions about an article with verbatim, attributed quotes.",
    )
    parser.add_argument(
        "--corpus", metavar="DIR", type=Path, help="corpus folder (default: BRIEFBOT_CORPUS_DIR or ./corpus)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ask = sub.add_parser("ask", help="answer one question (or '-' for one per line on stdin)",
                         description="Answer a question with verbatim quotes from the corpus.")
    ask.add_argument("question", help="the question, or '-' to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line with '-')")
    ask.add_argument("--top", type=_top, default=3, metavar="N", help="number of excerpts, 1-10 (default 3)")
    ask.add_argument("--document", metavar="ID", help="only search this document (its id, see 'briefbot source')")
    ask.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="highlight matched words (default: when printing to a terminal)")
    ask.set_defaults(func=cmd_ask)

    repl = sub.add_parser("repl", help="ask questions interactively, with history",
                          description="An interactive loop: type questions; Ctrl-D or /quit to leave.")
    repl.set_defaults(func=cmd_repl)

    ev = sub.add_parser("eval", help="measure answer quality on a JSONL question set",
                        description='Lines: {"q": ..., "expect": [snippets]} or {"q": ..., "expect_none": true}.')
    ev.add_argument("file", type=Path, help="the question set (.jsonl)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(func=cmd_eval)
    return parser


def _top(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10, not {value!r}") from None
    if not 1 <= n <= 10:
        raise argparse.ArgumentTypeError(f"must be from 1 to 10, not {n}")
    return n


def load_bot(args: argparse.Namespace):  # -> Briefbot
    from .engine import Briefbot

    folder = args.corpus
    if folder is None:
        folder = corpus_dir_from_settings()
    bot = Briefbot.from_folder(folder)
    for problem in bot.problems:
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    return bot


def corpus_dir_from_settings() -> Path:
    from .settings import Settings

    return Settings().corpus_dir


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def cmd_ask(args: argparse.Namespace) -> int:
    from .render import answer_to_json, answer_to_text

    if args.question != "-":
        if not args.question.strip():
            raise InputError("The question is empty: ask something about the article.")
        bot = load_bot(args)
        answer = bot.ask(args.question, top=args.top, document=args.document)
        if args.json:
            print(json.dumps(answer_to_json(answer), ensure_ascii=False))
        else:
            print(answer_to_text(answer, color=_use_color(args.color, sys.stdout)))
        return 0
    bot = load_bot(args)
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        try:
            answer = bot.ask(question, top=args.top, document=args.document)
        except InputError as exc:  # an empty line keeps its place in the output
            if args.json:
                print(json.dumps({"question": question, "answered": False, "reason": str(exc),
                                  "results": []}, ensure_ascii=False), flush=True)
            else:
                print(f"{exc}\n", flush=True)
            continue
        if args.json:
            print(json.dumps(answer_to_json(answer), ensure_ascii=False), flush=True)
        else:
            print(answer_to_text(answer, color=_use_color(args.color, sys.stdout)) + "\n", flush=True)
    return 0


def cmd_repl(args: argparse.Namespace) -> int:
    from .repl import run_repl

    return run_repl(load_bot(args))


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, load_cases

    cases = load_cases(args.file)
    report = evaluate(load_bot(args), cases)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"questions: {report.answerable} answerable, {report.unanswerable} unanswerable")
    print(f"hit@1: {report.hit_at_1:.3f}   hit@3: {report.hit_at_3:.3f}   MRR: {report.mrr:.3f}")
    print(f"abstention accuracy: {report.abstention_accuracy:.3f}   "
          f"answerable questions that abstained: {report.wrongly_abstained}")
    if report.misses:
        print("misses:")
        for miss in report.misses:
            print(f"  {miss}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BriefbotError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if os.environ.get("BRIEFBOT_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (set BRIEFBOT_DEBUG=1 for details)",
              file=sys.stderr)
        return 70
