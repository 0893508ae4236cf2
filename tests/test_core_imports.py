"""The core never imports discord: only briefbot.discord_bot does (checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from .helpers import CORPUS


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_core_modules_and_briefbot_ask_do_not_import_discord() -> None:
    result = run(f"""
        import sys
        import briefbot, briefbot.engine, briefbot.cli, briefbot.render, briefbot.discord_render
        import briefbot.repl, briefbot.settings, briefbot.summaries
        assert "discord" not in sys.modules, "imported by a core module"
        from briefbot.cli import main
        assert main(["--corpus", {str(CORPUS)!r}, "ask", "What is the CSTO?"]) == 0
        assert main(["--corpus", {str(CORPUS)!r}, "ask", "--json", "What is the CSTO?"]) == 0
        from briefbot.repl import handle_line
        from briefbot import Briefbot
        bot = Briefbot.from_folder({str(CORPUS)!r})
        for line in ("/ask What is the CSTO?", "/more", "/context 1", "/summary", "/topics",
                     "/source", "/help"):
            assert handle_line(bot, line)
        print("discord" in sys.modules, [m for m in sys.modules if m.startswith("discord")][:3])
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False []"


def test_the_discord_adapter_does_import_discord() -> None:
    result = run("""
        import sys, warnings
        warnings.simplefilter("ignore")
        import briefbot.discord_bot
        print("discord" in sys.modules)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_only_the_discord_adapter_module_imports_discord() -> None:
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "briefbot"
    importers = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n == "discord" or n.startswith("discord.") for n in names):
                importers.add(path.relative_to(src).as_posix())
    assert importers == {"discord_bot/__init__.py"}
