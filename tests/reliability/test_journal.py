"""The in-flight journal: a job whose worker died is queued again, once; a live one never."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.jobs import JobKey, Message
from bot.app.storage.journal import Running, recover, this_host
from bot.app.tasks import LOCK_TTL, Queue, _break_lease, build_queue, execute
from bot.settings import Settings
from tests.app import recording_jobs
from tests.app.recording_jobs import record_job, runs

KEY = JobKey(7, "octo/shop", "main")


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    settings = Settings(webhook_secret="s", data_dir=tmp_path / "data")
    if request.param == "redis":
        settings = dataclasses.replace(settings, redis_url=request.getfixturevalue("redis_url"))
    built = build_queue(settings)
    yield built
    if request.param == "redis":
        built.huey.storage.pool.disconnect()
    else:
        built.huey.storage.close()


def _run_as(queue: Queue, tmp_path: Path, host: str, pid: int, now: float) -> Running:
    """What a worker writes when it starts a job and then dies: a lease and a record."""
    lease = queue.storage.acquire(KEY.lock_name, LOCK_TTL, now=now)
    assert lease is not None
    (entry,) = queue.entries([record_job(tmp_path / "runs.jsonl", KEY)], now)
    record = Running(KEY.lock_name, entry.data, str(lease.token), host, pid, now)
    assert queue.journal is not None
    queue.journal.put(record)
    return record


def _requeue(queue: Queue, *, alive: bool, now: float) -> int:
    assert queue.journal is not None
    return recover(
        queue.journal,
        queue.storage,
        lambda r: _break_lease(queue.storage, r),
        ttl=LOCK_TTL,
        now=now,
        alive=lambda pid: alive,
    )


def test_dead_process_on_this_host_is_requeued_at_once(queue: Queue, tmp_path: Path) -> None:
    now = time.time()
    _run_as(queue, tmp_path, this_host(), 999_999, now)
    assert _requeue(queue, alive=False, now=now) == 1
    assert queue.huey.pending_count() == 1
    assert _requeue(queue, alive=False, now=now) == 0, "queued again only once"
    task = queue.huey.dequeue()
    assert execute(queue, queue.context(), Message.from_dict(task.args[0])) == "recorded"
    assert len(runs(tmp_path / "runs.jsonl")) == 1
    assert queue.journal is not None
    assert queue.journal.records() == [], "a finished run leaves no record"


def test_live_process_is_left_alone(queue: Queue, tmp_path: Path) -> None:
    now = time.time()
    _run_as(queue, tmp_path, this_host(), 999_999, now)
    assert _requeue(queue, alive=True, now=now) == 0
    assert queue.huey.pending_count() == 0


def test_another_hosts_run_waits_for_its_lease_to_expire(queue: Queue, tmp_path: Path) -> None:
    now = time.time()
    _run_as(queue, tmp_path, "elsewhere", 1, now)
    assert _requeue(queue, alive=False, now=now) == 0
    if queue.storage.kind == "sqlite":  # Redis expires by its own clock: not fakeable here
        assert _requeue(queue, alive=False, now=now + LOCK_TTL + 1) == 1


def test_a_job_that_fails_leaves_no_record(queue: Queue, tmp_path: Path) -> None:
    job = record_job(tmp_path / "runs.jsonl", KEY, user_error=True)
    queue.enqueue([job])
    task = queue.huey.dequeue()
    assert execute(queue, queue.context(), Message.from_dict(task.args[0])) == "user_error"
    assert queue.journal is not None
    assert queue.journal.records() == []
    assert recording_jobs.RECORD == "test.record"


def test_own_pid_is_a_predecessor_only_when_starting(queue: Queue, tmp_path: Path) -> None:
    """A restarted container often gets its old pid back: at start that record is dead."""
    now = time.time()
    _run_as(queue, tmp_path, this_host(), os.getpid(), now)
    assert queue.recover() == 0, "while running, its own records are its live jobs"
    assert queue.recover(starting=True) == 1
    assert queue.huey.pending_count() == 1
