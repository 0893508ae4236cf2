"""The README's quick-start transcript is what `briefbot ask` prints today."""

from __future__ import annotations

import re

from briefbot.cli import main

from .helpers import ROOT


def test_quick_start_output_is_current(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"```console\n\$ pip install -e \. && briefbot ask \"(.+?)\"\n(.*?)```", readme, re.S
    )
    assert block, "the quick start's ask transcript is missing"
    question, shown = block.group(1), block.group(2)
    code = main(["ask", question])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip() == shown.strip(), "README quick start is stale: paste the new output"
