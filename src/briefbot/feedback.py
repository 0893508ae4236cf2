"""What happened to each question (answered, refused, voted on), kept in SQLite, and the
knowledge gaps it shows: the questions most often refused or voted down.

One file (``BRIEFBOT_FEEDBACK_DB``), schema versioned with ``PRAGMA user_version``,
written in WAL mode so the bot's threads and a ``briefbot gaps`` run can use it at once.
User ids are never stored: each is a salted SHA-256 (the salt is made once per file), so
votes can be counted per person and nobody can be looked up. Rows older than the retention
(``BRIEFBOT_FEEDBACK_RETENTION_DAYS``, 90 by default) are deleted.

The store never stops the bot answering: a locked file is retried (records wait in memory
meanwhile); a corrupt one is moved aside (``….corrupt-<time>``), reported once, and a new
file is started; if the folder cannot be written at all, records are kept in memory and the
problem is reported once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import defaults
from .stopwords import STOPWORDS
from .text import stem

SCHEMA_VERSION = 1
PRUNE_EVERY = 3600.0  # seconds between deletions of expired rows
BUSY_MS = 2000  # how long a write waits for another writer before it is retried later
MAX_PENDING = 10_000  # records kept in memory while the file cannot be written

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    asked_at REAL NOT NULL,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    reason TEXT,
    document TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS votes (
    token TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at REAL NOT NULL,
    PRIMARY KEY (token, user_hash)
);
"""
_WORD = re.compile(r"[^\W_]+")

log = logging.getLogger("briefbot.feedback")


@dataclass(frozen=True)
class Gap:
    """Questions that share their content words and were refused or voted down."""

    words: str  # the shared content words (stems), the group's key
    example: str  # the most recent question of the group, as asked
    asked: int
    refused: int
    down: int
    up: int
    reason: str | None  # the latest refusal's reason


def content_key(question: str) -> str:
    """The question's content words, stemmed, sorted: "Who leads the CSTO?" and "who is
    leading CSTO" share the key "csto lead"."""
    words = {stem(w) for w in _WORD.findall(question.casefold()) if w not in STOPWORDS}
    return " ".join(sorted(w for w in words if w))


class FeedbackStore:
    """The outcomes of questions and the votes on answers (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        retention_days: float = defaults.FEEDBACK_RETENTION_DAYS,
        report: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.retention = retention_days * 86400.0
        self._report = report or log.warning
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: list[tuple[str, tuple[object, ...]]] = []
        self._reported: set[str] = set()
        self._pruned = 0.0
        self._salt: str | None = None
        self._db: sqlite3.Connection | None = None
        with self._lock:
            self._open()

    # --- the file -------------------------------------------------------------------

    def _say_once(self, what: str, message: str) -> None:
        if what not in self._reported:
            self._reported.add(what)
            self._report(message)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                self._say_once("locked", f"{self.path}: feedback database is busy ({exc})")
                return
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(self._clock())}")
            with contextlib.suppress(OSError):
                self.path.replace(aside)
                for extra in ("-wal", "-shm"):
                    Path(str(self.path) + extra).unlink(missing_ok=True)
            self._say_once(
                "corrupt",
                f"{self.path}: feedback database is unreadable ({exc}); moved it to "
                f"{aside.name} and started a new one",
            )
            try:
                db = self._connect()
            except (sqlite3.DatabaseError, OSError) as again:
                self._say_once("unusable", f"{self.path}: cannot keep feedback ({again})")
                return
        except OSError as exc:
            self._say_once(
                "unusable",
                f"{self.path}: cannot keep feedback ({exc.strerror or exc}); "
                "outcomes are kept in memory until it can",
            )
            return
        self._db = db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"schema version {version} is newer than this briefbot's {SCHEMA_VERSION}"
                )
            with db:
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                row = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
                if row is None:
                    salt = secrets.token_hex(16)
                    db.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", (salt,))
                else:
                    salt = str(row[0])
            db.execute("SELECT count(*) FROM questions").fetchone()  # reads a page
        except BaseException:
            db.close()
            raise
        self._salt = salt
        return db

    def close(self) -> None:
        with self._lock:
            self._flush()
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- writing --------------------------------------------------------------------

    def user_hash(self, user_id: object) -> str:
        salt = self._salt or "unsalted"
        return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:32]

    def record(
        self,
        question: str,
        *,
        answered: bool,
        user_id: object,
        reason: str | None = None,
        document: str | None = None,
    ) -> str:
        """Store a question's outcome; returns its token (what a vote refers to)."""
        token = secrets.token_hex(8)
        now = self._clock()
        with self._lock:
            args = (token, now, self.user_hash(user_id), question, int(answered), reason, document)
            self._write(
                "INSERT INTO questions (token, asked_at, user_hash, question, answered, reason, "
                "document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                args,
            )
        return token

    def vote(self, token: str, user_id: object, vote: int) -> None:
        """A 👍 (+1) or 👎 (-1) on the answer ``token``; a person's later vote replaces
        their earlier one."""
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")
        with self._lock:
            self._write(
                "INSERT INTO votes (token, user_hash, vote, voted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (token, user_hash) DO UPDATE SET vote = excluded.vote, "
                "voted_at = excluded.voted_at",
                (token, self.user_hash(user_id), vote, self._clock()),
            )

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        """Run one write (under the lock); on failure keep it for the next one."""
        if len(self._pending) < MAX_PENDING:
            self._pending.append((sql, args))
        else:
            self._say_once("full", f"{self.path}: too many unsaved outcomes; dropping the oldest")
            self._pending = [*self._pending[1:], (sql, args)]
        self._flush()

    def _flush(self) -> None:
        if self._db is None:
            self._open()
            if self._db is None:
                return
        db = self._db
        try:
            with db:
                for sql, args in self._pending:
                    db.execute(sql, args)
                now = self._clock()
                if now - self._pruned > PRUNE_EVERY:
                    cutoff = now - self.retention
                    db.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,))
                    db.execute("DELETE FROM votes WHERE voted_at < ?", (cutoff,))
                    self._pruned = now
            self._pending.clear()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                self._say_once("locked", f"{self.path}: feedback database is busy; will retry")
                return  # kept in memory, written with the next record
            self._lost(exc)
        except sqlite3.DatabaseError as exc:
            self._lost(exc)

    def _lost(self, exc: Exception) -> None:
        """The file went bad under us: start a new one, keep the pending records."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        self._say_once("failed", f"{self.path}: feedback database failed ({exc})")
        self._open()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error), self._db:
                for sql, args in self._pending:
                    self._db.execute(sql, args)
                self._pending.clear()

    # --- reading --------------------------------------------------------------------

    def gaps(self, limit: int = 20) -> list[Gap]:
        """Groups of questions refused or voted down, most frequent first."""
        with self._lock:
            self._flush()
            if self._db is None:
                return []
            rows = self._db.execute(
                "SELECT q.question, q.answered, q.reason, q.asked_at, "
                "COALESCE(SUM(CASE WHEN v.vote < 0 THEN 1 END), 0), "
                "COALESCE(SUM(CASE WHEN v.vote > 0 THEN 1 END), 0) "
                "FROM questions q LEFT JOIN votes v ON v.token = q.token "
                "GROUP BY q.id ORDER BY q.asked_at, q.id"
            ).fetchall()
        groups: dict[str, list[tuple[str, bool, str | None, int, int]]] = {}
        for question, answered, reason, _, down, up in rows:
            groups.setdefault(content_key(question) or question.casefold(), []).append(
                (str(question), bool(answered), reason, int(down), int(up))
            )
        found = []
        for key, items in groups.items():
            refused = sum(1 for _, answered, _, _, _ in items if not answered)
            down = sum(d for *_, d, _ in items)
            up = sum(u for *_, u in items)
            if not refused and not down:
                continue
            reasons = [r for _, answered, r, _, _ in items if not answered and r]
            found.append(
                Gap(
                    key,
                    items[-1][0],
                    len(items),
                    refused,
                    down,
                    up,
                    reasons[-1] if reasons else None,
                )
            )
        found.sort(key=lambda g: (-(g.refused + g.down - g.up), -g.asked, g.words))
        return found[:limit]

    def export(self, path: Path, gaps: Iterable[Gap]) -> int:
        """Write gaps as ``briefbot eval`` lines for someone to label (fill in "expect"
        with snippets that answer, or set "expect_none": true); returns how many."""
        lines = [
            json.dumps(
                {
                    "q": g.example,
                    "expect": [],
                    "kind": "gap",
                    "asked": g.asked,
                    "refused": g.refused,
                    "down": g.down,
                    "reason": g.reason,
                },
                ensure_ascii=False,
            )
            for g in gaps
        ]
        Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return len(lines)
