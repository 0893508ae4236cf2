"""Default values of the user-facing settings, without importing pydantic.

:class:`briefbot.settings.Settings` takes its defaults from here, and so do the commands
that run without any setting made (``briefbot ask`` with no ``.env`` and no BRIEFBOT_*
variable does not import pydantic, a sixth of a second).
"""

import os
from pathlib import Path

TOP = 3  # excerpts per answer (BRIEFBOT_TOP): three fit one Discord embed with room to spare
MAX_QUESTION_CHARS = 300  # BRIEFBOT_MAX_QUESTION_CHARS: a question, not a pasted text
FEEDBACK_RETENTION_DAYS = 90  # BRIEFBOT_FEEDBACK_RETENTION_DAYS: outcomes and votes kept


def state_dir() -> Path:
    """Where briefbot keeps what it learns while running (history, feedback)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "briefbot"


def default_feedback_db() -> Path:
    return state_dir() / "feedback.sqlite3"
