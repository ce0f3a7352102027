"""The intake under concurrency: batched submits (one SQLite transaction, one Redis round
trip) answer and count every delivery once, and a forked process takes the SQLite intake
lock on its own open file."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from bot.app.metrics import render
from bot.app.storage import Entry
from bot.app.tasks import Queue

NOW = 1_800_000_000.0
COUNT = ("docs_refresh_webhook_deliveries_total", (("event", "push"),))


def test_concurrent_deliveries_each_counted_once_per_outcome(queue: Queue) -> None:
    store = queue.storage
    answers: list[bool] = []
    start = threading.Barrier(30)

    def deliver(n: int) -> None:
        start.wait()
        for k in range(4):  # 30 threads × 4 submits over 40 delivery ids: 80 duplicates
            done = store.submit(f"d-{(n * 4 + k) % 40}", [Entry(None, b"t")], now=NOW, count=COUNT)
            answers.append(done.duplicate)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = render(store.samples())
    assert answers.count(False) == 40
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="accepted"} 40' in text
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="duplicate"} 80' in text
    assert queue.huey.pending_count() == 40


def test_a_batch_of_redis_submits_survives_a_flushed_script_cache(redis_queue: Queue) -> None:
    store: Any = redis_queue.storage
    store.raw().script_flush()  # as after a Redis restart: EVALSHA answers NOSCRIPT
    batch = [store._script_args(f"r-{n}", [Entry(None, b"t")], (), NOW, None) for n in range(3)]
    assert [list(r) for r in store._submit_batch(batch)] == [[0, 1, 0]] * 3
    assert redis_queue.huey.pending_count() == 3
    again = store._submit_batch(batch)  # the same deliveries, now in one pipeline
    assert [list(r) for r in again] == [[1, 0, 0]] * 3


def test_a_failed_batch_counts_nothing(sqlite_queue: Queue) -> None:
    store = sqlite_queue.storage
    store.submit("ok", [Entry(None, b"t")], now=NOW, count=COUNT)
    # A write that fails inside the shared transaction rolls the whole batch back.
    bad = Entry(None, None)  # type: ignore[arg-type]  # no bytes: fails after the claim
    with pytest.raises(TypeError):
        store.submit("bad", [bad], now=NOW, count=COUNT)
    text = render(store.samples())
    assert 'outcome="accepted"} 1\n' in text
    assert not store.submit("bad", [Entry(None, b"t")], now=NOW).duplicate  # rolled back


def test_a_forked_child_waits_for_the_parents_intake_lock(sqlite_queue: Queue) -> None:
    import fcntl

    store = sqlite_queue.storage
    store.submit("parent", [Entry(None, b"t")], now=NOW)  # opens the lock file here
    fd = store._intake_lock()  # type: ignore[attr-defined]
    fcntl.flock(fd, fcntl.LOCK_EX)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its submit must block until the parent lets go
        os.close(read)
        try:
            store.submit("child", [Entry(None, b"t")], now=NOW)
            os.write(write, b"done")
        finally:
            os._exit(0)
    os.close(write)
    try:
        import select

        assert select.select([read], [], [], 0.5)[0] == []  # still waiting on the lock
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert select.select([read], [], [], 10)[0] == [read]
        assert os.read(read, 4) == b"done"
    finally:
        os.waitpid(pid, 0)
        os.close(read)
    assert sqlite_queue.huey.pending_count() == 2
