"""Every `$ briefbot …` transcript in the README is what the command prints today.

An expected line ending in "…" stands for any line starting with what precedes it; a line
that is "…" alone ends the comparison (the rest of the output is left out)."""

from __future__ import annotations

import re
import shlex

import pytest

from briefbot.cli import main

from .helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _transcripts() -> list[tuple[str, list[str]]]:
    found = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        command, lines = None, []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    while lines and not lines[-1].strip():
                        lines.pop()
                    found.append((command, lines))
                cmd = line[2:]
                cmd = (
                    cmd.split("&& ", 1)[1] if cmd.startswith("pip install") and "&&" in cmd else cmd
                )
                command, lines = (cmd, []) if cmd.startswith("briefbot ") else (None, [])
            elif command is not None:
                lines.append(line)
    return found


TRANSCRIPTS = _transcripts()


def test_the_readme_has_transcripts():
    assert len(TRANSCRIPTS) >= 4


@pytest.mark.parametrize(("command", "expected"), TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_transcript_is_current(capsys, command, expected):
    code = main(shlex.split(command)[1:])
    actual = capsys.readouterr().out.rstrip("\n").splitlines()
    assert code == 0
    for i, want in enumerate(expected):
        if want == "…":
            return
        assert i < len(actual), f"{command}: output ends before README line {want!r}"
        if want.endswith("…"):
            assert actual[i].startswith(want[:-1]), f"{command}: stale README line {want!r}"
        else:
            assert actual[i] == want, f"{command}: stale README line {want!r}"
    assert len(actual) == len(expected), f"{command}: README shows {len(expected)} lines"
