"""``briefbot repl``: an interactive loop with line editing and persistent history."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from . import defaults
from .engine import Briefbot
from .errors import BriefbotError

PROMPT = "briefbot> "
REPL_FEEDBACK = "0"  # the 👍 / 👎 buttons are shown as the channel shows them; nothing is stored
HELP = "Type a question about {what}. /quit (or Ctrl-D) leaves."


def history_file() -> Path:
    return defaults.state_dir() / "history"


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

    with contextlib.suppress(OSError):
        readline.write_history_file(path)


def handle_line(
    bot: Briefbot,
    line: str,
    *,
    color: bool = False,
    top: int = defaults.TOP,
    max_question_chars: int = defaults.MAX_QUESTION_CHARS,
) -> str | None:
    """What the repl prints for one input line; None means quit.

    ``/ask``, ``/summary``, ``/topics``, ``/source``, ``/help`` and plain questions print
    the Discord message the bot would send (same renderer, Discord markdown as is);
    ``/more`` and ``/context N`` click the last answer's buttons. ``color`` is unused.
    """
    line = line.strip()
    if not line:
        return ""
    if line in ("/quit", "/exit", "quit", "exit"):
        return None
    if line in ("help", "?"):
        return HELP.format(what=bot.what())
    from .discord_render import message_to_text

    return message_to_text(
        discord_message(bot, line, top=top, max_question_chars=max_question_chars)
    )


_last_buttons: dict[int, tuple[str | None, list]] = {}  # id(bot) -> (title, buttons)
_last_question: dict[int, str] = {}  # id(bot) -> what the last question searched


def discord_message(
    bot: Briefbot,
    line: str,
    *,
    top: int = defaults.TOP,
    max_question_chars: int = defaults.MAX_QUESTION_CHARS,
):
    """The DiscordMessage the bot would send for a repl line (a command or a question)."""
    from . import discord_render as dr

    command, _, rest = line.partition(" ")
    rest = rest.strip()
    try:
        if command == "/help":
            return dr.render_help(max_question_chars=max_question_chars, what=bot.what())
        if command == "/topics":
            return dr.render_topics(bot.topics(), what=bot.what())
        if command == "/source":
            counts: dict[str, int] = {}
            for p in bot.index.passages:
                counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
            return dr.render_sources(bot.documents, counts)
        if command == "/summary":
            return dr.render_summary(bot.summarize(" ".join(rest.split()) or None))
        if command in ("/more", "/context"):
            title, buttons = _last_buttons.get(id(bot), (None, []))
            label = "More" if command == "/more" else f"Context {rest or 1}"
            button = next((b for b in buttons if b.label == label), None)
            if button is None or button.custom_id is None:
                return dr.render_error(f"No {label} button on the last answer: ask first.")
            msg = dr.button_response(bot, button.custom_id, title=title, top=top)
        else:
            question = rest if command == "/ask" else line
            problem = dr.question_problem(question, max_question_chars)
            if problem:
                return dr.render_error(problem)
            previous = _last_question.get(id(bot))  # a plain follow-up leans on it, as in /ask
            answer = bot.ask(question, top=top, previous=previous, plainly=True)
            _last_question[id(bot)] = answer.searched or answer.question
            msg = dr.render_answer(
                answer,
                fingerprint=dr.corpus_fingerprint(bot),
                top=top,
                feedback=REPL_FEEDBACK if answer.answered else None,
            )
    except BriefbotError as exc:
        return dr.render_error(str(exc))
    if msg.buttons and command != "/context":  # an answer's buttons, not a context's
        title = msg.embeds[0].get("title") if msg.embeds else None
        _last_buttons[id(bot)] = (title, msg.buttons)
    return msg


def run_repl(
    bot: Briefbot, *, top: int = defaults.TOP, max_question_chars: int = defaults.MAX_QUESTION_CHARS
) -> int:
    """The loop; ``top`` and ``max_question_chars`` are BRIEFBOT_TOP and
    BRIEFBOT_MAX_QUESTION_CHARS, as the bot uses them."""
    interactive = sys.stdin.isatty()
    history = _setup_history() if interactive else None
    if interactive:
        titles = "; ".join(d.title for d in bot.documents)
        print(f"briefbot knows: {titles}\n{HELP.format(what=bot.what())}")
    try:
        while True:
            try:
                line = input(PROMPT if interactive else "")
            except EOFError:
                break
            out = handle_line(
                bot,
                line,
                color=interactive and not os.environ.get("NO_COLOR"),
                top=top,
                max_question_chars=max_question_chars,
            )
            if out is None:
                break
            if out:
                print(out + "\n", flush=True)
    except KeyboardInterrupt:
        print()
    finally:
        _save_history(history)
    return 0
