"""``briefbot repl``: an interactive loop with line editing and persistent history."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .engine import Briefbot
from .errors import BriefbotError
from .render import answer_to_text

PROMPT = "briefbot> "
HELP = "Type a question about the article. /quit (or Ctrl-D) leaves."


def history_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "briefbot" / "history"


def _setup_history() -> Path | None:
    try:
        import readline
    except ImportError:  # e.g. Windows without pyreadline: the loop still works
        return None
    path = history_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
    except OSError:
        return None
    readline.set_history_length(1000)
    return path


def _save_history(path: Path | None) -> None:
    if path is None:
        return
    import readline

    try:
        readline.write_history_file(path)
    except OSError:
        pass


def handle_line(bot: Briefbot, line: str, *, color: bool = False) -> str | None:
    """What the repl prints for one input line; None means quit."""
    line = line.strip()
    if not line:
        return ""
    if line in ("/quit", "/exit", "quit", "exit"):
        return None
    if line in ("/help", "help", "?"):
        return HELP
    try:
        return answer_to_text(bot.ask(line), color=color)
    except BriefbotError as exc:
        return str(exc)


def run_repl(bot: Briefbot) -> int:
    interactive = sys.stdin.isatty()
    history = _setup_history() if interactive else None
    if interactive:
        titles = "; ".join(d.title for d in bot.documents)
        print(f"briefbot knows: {titles}\n{HELP}")
    try:
        while True:
            try:
                line = input(PROMPT if interactive else "")
            except EOFError:
                break
            out = handle_line(bot, line, color=interactive and not os.environ.get("NO_COLOR"))
            if out is None:
                break
            if out:
                print(out + "\n", flush=True)
    except KeyboardInterrupt:
        print()
    finally:
        _save_history(history)
    return 0
