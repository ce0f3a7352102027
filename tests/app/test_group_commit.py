"""Group commit on a real SQLite file: many threads, fewer transactions, nothing lost."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.app.storage.group_commit import Batcher, GroupCommit


class CountingDb:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("create table t (n integer primary key)")
        self.commits = 0
        self.lock = threading.Lock()
        self.slow = threading.Event()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        with self.lock:
            cur = self.conn.cursor()
            cur.execute("begin immediate")
            try:
                yield cur
            except BaseException:
                self.conn.rollback()
                raise
            if self.slow.is_set():
                self.slow.wait(0.02)  # a slow fsync: writers pile up behind it
            self.conn.commit()
            self.commits += 1


def test_concurrent_writes_share_transactions_and_all_land(tmp_path: Path) -> None:
    db = CountingDb(tmp_path / "g.sqlite3")
    db.slow.set()
    group = GroupCommit(db.transaction)
    results: list[int] = []

    def write(n: int) -> None:
        results.append(
            group.run(lambda cur: cur.execute("insert into t values (?)", (n,)).rowcount)
        )

    threads = [threading.Thread(target=write, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 40
    assert db.conn.execute("select count(*) from t").fetchone() == (40,)
    assert db.commits < 40


def test_a_failed_transaction_fails_every_write_in_it(tmp_path: Path) -> None:
    db = CountingDb(tmp_path / "g.sqlite3")
    group = GroupCommit(db.transaction)
    group.run(lambda cur: cur.execute("insert into t values (1)"))
    with pytest.raises(sqlite3.IntegrityError):
        group.run(lambda cur: cur.execute("insert into t values (1)"))
    assert group.run(lambda cur: cur.execute("select count(*) from t").fetchone()) == (1,)


def test_an_error_for_one_write_fails_only_that_write() -> None:
    gate = threading.Event()

    def run_batch(args: list[int]) -> list[int | BaseException]:
        gate.wait(5)  # the first batch holds the others back, so they queue together
        return [ValueError(n) if n % 2 else n * 10 for n in args]

    batcher: Batcher[int, int] = Batcher(run_batch)
    results: dict[int, object] = {}

    def call(n: int) -> None:
        try:
            results[n] = batcher.run(n)
        except ValueError as err:
            results[n] = err

    threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert {n: r for n, r in results.items() if not isinstance(r, ValueError)} == {
        0: 0,
        2: 20,
        4: 40,
        6: 60,
    }
    assert sorted(n for n, r in results.items() if isinstance(r, ValueError)) == [1, 3, 5, 7]


def test_a_leader_answers_once_its_own_batch_is_done() -> None:
    first_running = threading.Event()
    release_first = threading.Event()
    release_second = threading.Event()
    batches: list[list[str]] = []

    def run_batch(args: list[str]) -> list[str]:
        batches.append(args)
        if len(batches) == 1:
            first_running.set()
            release_first.wait(5)
        else:
            release_second.wait(5)  # the next batch's commit is still running…
        return args

    batcher: Batcher[str, str] = Batcher(run_batch)
    answered: dict[str, threading.Event] = {n: threading.Event() for n in "abc"}

    def call(name: str) -> None:
        batcher.run(name)
        answered[name].set()

    threads = [threading.Thread(target=call, args=("a",))]
    threads[0].start()
    assert first_running.wait(5)
    threads += [threading.Thread(target=call, args=(n,)) for n in "bc"]
    for thread in threads[1:]:
        thread.start()
    while len(batcher._queued) < 2:  # b and c queued behind a's commit
        time.sleep(0.001)
    release_first.set()
    assert answered["a"].wait(5)  # …yet a, whose write is done, has its answer
    assert not answered["b"].is_set()
    release_second.set()
    for thread in threads:
        thread.join()
    assert batches == [["a"], ["b", "c"]]
