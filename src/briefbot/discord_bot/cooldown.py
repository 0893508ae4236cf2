"""A per-user cooldown: at most ``rate`` questions in any ``per``-second window.

Pure (no discord import), shared by messages, slash commands and buttons, so a user's
questions count the same however they are asked.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldown:
    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int) -> float:
        """Record a question by ``user_id``: 0 when allowed, else seconds until the next one is."""
        now = self.clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return hits[0] + self.per - now
        hits.append(now)
        if len(self._hits) > 10_000:  # forget users whose window has passed
            self._hits = {u: h for u, h in self._hits.items() if h and h[-1] > now - self.per}
        return 0.0
