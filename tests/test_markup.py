"""Inline Markdown in quotes: found with its source offsets, rendered where Discord can."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefbot import Briefbot
from briefbot import discord_render as dr
from briefbot.markup import constructs, within

from .helpers import write

SAMPLE = (
    "- Run `make test`  \n"
    "  before a *push*; see [the guide](https://example.org/a_(b)) &amp; \\*not this\\*\n"
    "- or [the notes](docs/notes.md), ``a ` b`` and __strong__ <https://example.org/x>\n"
    "\n"
    "| option | meaning |\n"
    "|---|---|\n"
    "| `-v` | **verbose** |\n"
)


def _shown(text: str) -> list[tuple[str, str, list[str]]]:
    return [
        (c.kind, text[c.start : c.end], [text[a:b] for a, b in c.pieces]) for c in constructs(text)
    ]


def test_constructs_carry_their_source_offsets() -> None:
    assert _shown(SAMPLE) == [
        ("code", "`make test`", ["`make test`"]),
        ("emphasis", "*push*", ["*", "*"]),
        ("link", "[the guide](https://example.org/a_(b))", ["[", "](https://example.org/a_(b))"]),
        ("link", "[the notes](docs/notes.md)", []),  # relative: shown as written
        ("code", "``a ` b``", ["``a ` b``"]),
        ("emphasis", "__strong__", ["__", "__"]),
        ("code", "`-v`", ["`-v`"]),
        ("emphasis", "**verbose**", ["**", "**"]),
    ]


def test_what_markdown_it_reads_differently_is_not_passed_on() -> None:
    reference = "See [the guide][g] and `code`.\n\n[g]: https://example.org/\n"
    assert _shown(reference) == []  # the run with a reference link is not followed
    image = "An ![icon](i.png) then `code`."
    assert _shown(image) == []
    escaped = "Not \\`code\\` here, nor \\*this\\*."
    assert _shown(escaped) == []


def test_within_keeps_whole_constructs_only() -> None:
    text = "one `two three` four"
    assert within(constructs(text), 0, 9) == ()  # the quote stops inside the code span
    (inside,) = within(constructs(text), 4, 20)
    assert (inside.start, inside.end) == (0, 11)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab `*_[]()\\&;#:/.\nhtps", min_size=1, max_size=120), st.integers(30, 400))
@example("a `b` [c](https://d.e) *f*", 400)
@example("[a](https://b)(c)", 30)
def test_a_rendered_markdown_quote_is_still_the_source_verbatim(text: str, limit: int) -> None:
    quote = dr.render_quote(text, (), limit, markup=constructs(text))
    if quote is None:
        return
    assert len(quote) <= limit
    body = "\n".join(line[2:] for line in quote.split("\n"))
    body = body.removeprefix(dr.ELLIPSIS).removesuffix(dr.ELLIPSIS)
    assert text.startswith(_as_written(body))


def _as_written(body: str) -> str:
    """A rendered quote's source text: escapes undone, code spans (passed on) as they are."""
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            out.append(body[i + 1])
            i += 2
        elif body[i] == "`":
            run = len(body[i:]) - len(body[i:].lstrip("`"))
            close = body.index("`" * run, i + run) + run
            out.append(body[i:close])
            i = close
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def test_discord_shows_a_markdown_quote_rendered_and_plain_text_escaped(tmp_path: Path) -> None:
    body = (
        "To check a change, run `make test` before you push it. "
        "The [contributing guide](https://example.org/guide) says *why* in detail.\n"
    )
    write(tmp_path / "md", "guide.md", "---\ntitle: Guide\n---\n\n" + body)
    write(tmp_path / "txt", "guide.txt", "Guide\n\n" + body)
    shown = {}
    for kind in ("md", "txt"):
        bot = Briefbot.from_folder(tmp_path / kind, save=False)
        answer = bot.ask("What should I run before I push a change?")
        assert answer.answered
        shown[kind] = dr.render_answer(answer, fingerprint="0").embeds[0]["description"]
    assert "`make test`" in shown["md"] and "\\`" not in shown["md"]
    assert "[contributing guide](https://example.org/guide)" in shown["md"]
    assert "*why*" in shown["md"] and "\\*why\\*" in shown["txt"]
    assert "\\`make test\\`" in shown["txt"] and "\\[contributing guide]" in shown["txt"]
    # the question's words are marked in the prose, never inside the code span
    assert "**run**" in shown["md"] and "`make test`" in shown["md"]
