"""A small local Discord (HTTP API v10 + Gateway v10) for end-to-end tests.

The real, unmodified discord.py client logs in to it on 127.0.0.1::

    async with FakeDiscord() as fake:
        task = asyncio.create_task(bot.start(fake.token))
        await fake.wait_until_identified()
        ...
        await bot.close()
        await task
"""

from .schema import SPEC_PATH, check_limits, spec_available, validate_request
from .server import FakeDiscord, FakeDiscordTimeout, RecordedRequest

__all__ = [
    "FakeDiscord",
    "FakeDiscordTimeout",
    "RecordedRequest",
    "SPEC_PATH",
    "check_limits",
    "spec_available",
    "validate_request",
]
