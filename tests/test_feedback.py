"""The feedback store: outcomes and votes in SQLite, gaps grouped by content words, and a
file that survives restarts, concurrent writers, corruption and locks."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from briefbot.cli import main
from briefbot.errors import InputError
from briefbot.evaluate import load_cases
from briefbot.feedback import FeedbackStore, content_key

DAY = 86400.0


def test_gaps_group_refused_and_voted_down_questions(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    for q in ("Who leads the CSTO?", "who is leading the csto", "Who leads CSTO??"):
        store.record(q, answered=False, user_id=1, reason="The article does not say.")
    down = store.record("Why did troops leave?", answered=True, user_id=2)
    store.vote(down, 2, -1)
    store.vote(down, 3, -1)
    liked = store.record("What is the CSTO?", answered=True, user_id=4)
    store.vote(liked, 4, 1)
    gaps = store.gaps()
    assert [g.words for g in gaps] == [
        content_key("who leads the csto"),
        content_key("troops leave"),
    ]
    first = gaps[0]
    assert (first.asked, first.refused, first.example) == (3, 3, "Who leads CSTO??")
    assert first.reason == "The article does not say."
    assert (gaps[1].down, gaps[1].refused) == (2, 0)
    store.vote(down, 2, 1)  # a person's later vote replaces the earlier one
    assert store.gaps()[1].down == 1


def test_user_ids_are_stored_hashed_and_the_file_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    store = FeedbackStore(path)
    token = store.record("Who is Tokayev?", answered=False, user_id=123456789012345678)
    store.close()
    again = FeedbackStore(path)
    again.vote(token, 123456789012345678, -1)
    assert again.gaps()[0].asked == 1 and again.gaps()[0].down == 1
    again.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"123456789012345678" not in data
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        hashes = {
            r[0]
            for r in db.execute(
                "SELECT user_hash FROM questions UNION ALL SELECT user_hash FROM votes"
            )
        }
    assert len(hashes) == 1  # the same person, the same hash, after a restart


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    stores = [FeedbackStore(path), FeedbackStore(path)]

    def ask(n: int) -> None:
        for i in range(50):
            stores[n % 2].record(f"question {n} {i}", answered=False, user_id=n)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == 200


def test_a_corrupt_file_is_moved_aside_and_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    path.write_bytes(b"this is not a database" * 100)
    reports: list[str] = []
    store = FeedbackStore(path, report=reports.append)
    store.record("Who is Tokayev?", answered=False, user_id=1)
    assert len(reports) == 1 and "unreadable" in reports[0] and str(path) in reports[0]
    assert store.gaps()[0].example == "Who is Tokayev?"
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")


def test_a_locked_file_keeps_the_records_until_it_can_write(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    reports: list[str] = []
    store = FeedbackStore(path, report=reports.append)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store.record("first", answered=False, user_id=1)  # waits, then keeps it in memory
    assert reports and "busy" in reports[0]
    other.execute("ROLLBACK")
    other.close()
    store.record("second", answered=False, user_id=1)
    assert sorted(g.example for g in store.gaps()) == ["first", "second"]


def test_old_outcomes_are_deleted_after_the_retention(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = FeedbackStore(tmp_path / "f.db", retention_days=90, clock=lambda: now[0])
    store.record("old question", answered=False, user_id=1)
    now[0] += 91 * DAY
    store.record("new question", answered=False, user_id=1)
    assert [g.example for g in store.gaps()] == ["new question"]


def test_export_writes_eval_lines_to_label(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.db")
    store.record("Who is Tokayev?", answered=False, user_id=1, reason="Not found.")
    out = tmp_path / "gaps.jsonl"
    assert store.export(out, store.gaps()) == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["q"] == "Who is Tokayev?" and line["expect"] == [] and line["refused"] == 1
    with pytest.raises(InputError, match="needs"):  # not labelled yet
        load_cases(out)
    line["expect"] = ["Tokayev"]
    out.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert load_cases(out)[0].question == "Who is Tokayev?"


def test_cli_gaps_lists_and_exports(tmp_path: Path, monkeypatch, capsys) -> None:
    db = tmp_path / "f.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_FEEDBACK_DB", str(db))
    assert main(["gaps"]) == 0
    assert "No feedback yet" in capsys.readouterr().out
    store = FeedbackStore(db)
    store.record("Who is Tokayev?", answered=False, user_id=1, reason="Not found.")
    store.close()
    assert main(["gaps"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Who is Tokayev?  (asked 1x, refused 1)") and "Not found." in out
    assert main(["gaps", "--export", str(tmp_path / "g.jsonl")]) == 0
    assert "Wrote 1 question" in capsys.readouterr().out
    assert main(["gaps", "--export", str(tmp_path / "missing" / "g.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: error: ") and len(err.strip().splitlines()) == 1
