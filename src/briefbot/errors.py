"""One error hierarchy whose messages are fit to show to users.

Adapters catch :class:`BriefbotError` and show ``str(error)`` as is (the CLI prints it on
one line and exits non-zero, the bot answers it ephemerally). Anything else is a bug: it
goes to the log with its traceback, never to the user.
"""

from __future__ import annotations


class BriefbotError(Exception):
    """An error whose message is safe and useful to show to a user, on one line."""

    exit_code = 1


class CorpusError(BriefbotError):
    """The corpus folder or one of its documents cannot be used."""


class InputError(BriefbotError):
    """A question, topic or option the user gave cannot be used as it is."""

    exit_code = 2


class ResourceError(BriefbotError):
    """This machine has too little of something a task needs (memory to build an index)."""
