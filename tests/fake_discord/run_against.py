"""Run a briefbot command in this process against the local fake Discord:

    python -m tests.fake_discord.run_against API_BASE GATEWAY_URL run

points discord.py at the fake (as FakeDiscord.start does in-process), then runs
``briefbot.cli.main`` with the remaining arguments. The sharding test starts real bot
processes with it.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)  # discord.py's audioop
    import discord.gateway
    import discord.http
    import yarl

    from briefbot.cli import main as briefbot

    base, gateway, *rest = argv
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    return briefbot(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
