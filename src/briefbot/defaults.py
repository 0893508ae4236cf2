"""Default values of the user-facing settings, without importing pydantic.

:class:`briefbot.settings.Settings` takes its defaults from here, and so do the commands
that run without any setting made (``briefbot ask`` with no ``.env`` and no BRIEFBOT_*
variable does not import pydantic, a sixth of a second).
"""

TOP = 3  # excerpts per answer (BRIEFBOT_TOP): three fit one Discord embed with room to spare
MAX_QUESTION_CHARS = 300  # BRIEFBOT_MAX_QUESTION_CHARS: a question, not a pasted text
