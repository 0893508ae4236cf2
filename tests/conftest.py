"""Import discord.py once with its import-time DeprecationWarning silenced.

pyproject sets ``filterwarnings = ["error"]``; discord.py 2.7 imports the stdlib ``audioop``
module, which warns on Python 3.11/3.12 and would fail collection of every test that imports
discord (the fake Discord server and the bot's end-to-end tests).
"""

import contextlib
import os
import warnings

from hypothesis import settings

# CI runs the property tests with a fixed seed, so a run is reproducible; local runs keep
# exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# contextlib.suppress: without discord.py installed, its tests fail or skip on their own.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.filterwarnings(
        "ignore", message="'audioop' is deprecated", category=DeprecationWarning
    )
    import discord  # noqa: F401


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def bot():
    """The engine on the bundled corpus, built once for the whole test run."""
    from briefbot import Briefbot

    from .helpers import CORPUS

    return Briefbot.from_folder(CORPUS)


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory, monkeypatch):
    """What briefbot keeps while running (repl history, feedback) goes to a folder of the
    test's own, never to the user's ~/.local/state."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """An index cache folder for the whole run: a corpus built once (with its sentence
    vectors) is loaded by every later test that opens the same content."""
    return tmp_path_factory.mktemp("index-cache")


@pytest.fixture
def lexical_only(monkeypatch):
    """Engines built in this test answer without the encoder (for tests about something
    else than semantic matching: encoding a corpus costs seconds)."""
    from briefbot.encoder import EncoderUnavailable

    def unavailable(cache_dir=None):
        raise EncoderUnavailable("not used by this test")

    monkeypatch.setattr("briefbot.engine.load_encoder", unavailable)
