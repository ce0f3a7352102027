"""The queue's rules, with a real job function, over SQLite and over a real redis-server."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from bot.app.jobs import Drop, JobKey, Message, refresh_job
from bot.app.storage import held
from bot.app.tasks import LOCK_TTL, Queue, execute
from bot.core.limits import MAX_JOB_RECOVERIES
from tests.app.conftest import drain
from tests.app.recording_jobs import record_job, runs

KEY = JobKey(7, "octo/docs", "main")


def test_burst_of_jobs_with_one_key_runs_once(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    results = [queue.enqueue([record_job(log, KEY, n=n)]) for n in range(5)]
    assert [r.enqueued for r in results] == [1, 0, 0, 0, 0]
    assert sum(r.coalesced for r in results) == 4
    assert drain(queue) == 1
    assert len(runs(log)) == 1


def test_different_keys_do_not_coalesce(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    other = JobKey(7, "octo/docs", "release")
    queue.enqueue([record_job(log, KEY), record_job(log, other), record_job(log, None)])
    assert drain(queue) == 3


def test_job_queued_during_a_run_runs_exactly_once_more(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    queue.enqueue([record_job(log, KEY, sleep=0.5)])
    first = queue.huey.dequeue()
    runner = threading.Thread(target=queue.huey.execute, args=(first,))
    runner.start()
    time.sleep(0.2)  # the first run has cleared the marker and is sleeping
    later = [queue.enqueue([record_job(log, KEY, n=n)]).enqueued for n in range(3)]
    runner.join()
    assert later == [1, 0, 0]
    assert drain(queue) == 1
    assert len(runs(log)) == 2


def test_locked_key_waits_in_the_schedule_and_keeps_coalescing(
    queue: Queue, tmp_path: Path
) -> None:
    log = tmp_path / "runs.jsonl"
    lease = queue.storage.acquire(KEY.lock_name, 30, now=time.time())
    assert lease is not None
    queue.enqueue([record_job(log, KEY)])
    assert drain(queue) == 1  # ran into the lock: deferred
    assert runs(log) == []
    assert queue.huey.scheduled_count() == 1
    assert queue.enqueue([record_job(log, KEY)]).coalesced == 1  # marker still set
    lease.release()
    for task in queue.huey.read_schedule(_far_future()):
        queue.huey.execute(task, _far_future())
    assert len(runs(log)) == 1


def test_transient_failure_retries_no_sooner_than_retry_after(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    queue.enqueue([record_job(log, KEY, fail_times=1, retry_after=120)])
    drain(queue)
    assert len(runs(log)) == 1
    (scheduled,) = queue.huey.read_schedule(_far_future())
    assert scheduled.eta.timestamp() - time.time() >= 110
    assert scheduled.args[0]["attempt"] == 1
    queue.huey.execute(scheduled, _far_future())
    assert len(runs(log)) == 2
    assert queue.huey.scheduled_count() == 0


def test_user_error_is_not_retried(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    queue.enqueue([record_job(log, KEY, user_error=True)])
    drain(queue)
    assert len(runs(log)) == 1
    assert queue.huey.scheduled_count() == 0
    assert _jobs(queue) == {("test.record", "user_error"): 1.0}


def test_a_job_out_of_time_ends_counted_not_retried_its_lock_and_journal_freed(
    queue: Queue, tmp_path: Path
) -> None:
    log = tmp_path / "runs.jsonl"
    queue.enqueue([record_job(log, KEY, deadline=True)])
    drain(queue)
    assert len(runs(log)) == 1
    assert queue.huey.scheduled_count() == 0  # not retried: it would run out again
    assert _jobs(queue) == {("test.record", "timed-out"): 1.0}
    assert queue.journal is not None
    assert queue.journal.records() == []  # done: recovery will not hand it on
    assert queue.recover() == 0
    lease = queue.storage.acquire(KEY.lock_name, 1.0, now=time.time())
    assert lease is not None
    lease.release()


def test_dropped_installation_skips_its_queued_jobs(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    queue.enqueue([record_job(log, KEY)])
    queue.submit("removal", [Drop(KEY.installation_id)])
    assert drain(queue) == 1
    assert runs(log) == []
    # Reinstalled later: new work runs again (the drop cleared the pending marker too).
    time.sleep(0.01)
    assert queue.enqueue([record_job(log, KEY)]).enqueued == 1
    drain(queue)
    assert len(runs(log)) == 1


def test_dropped_repository_leaves_other_repositories_alone(queue: Queue, tmp_path: Path) -> None:
    log = tmp_path / "runs.jsonl"
    other = JobKey(7, "octo/other", "main")
    queue.enqueue([record_job(log, KEY), record_job(log, other)])
    queue.submit("removal", [Drop(7, ("octo/docs",))])
    drain(queue)
    assert [r["args"]["log"] for r in runs(log)] == [str(log)]


def test_lease_is_renewed_while_held_and_freed_after(queue: Queue) -> None:
    lease = queue.storage.acquire("k", 0.3, now=time.time())
    assert lease is not None
    with held(lease, 0.3) as lost:
        time.sleep(0.5)  # longer than the TTL: only renewal keeps it
        assert queue.storage.acquire("k", 0.3, now=time.time()) is None
        assert not lost.is_set()
    assert queue.storage.acquire("k", 0.3, now=time.time()) is not None


def test_crashed_holder_lock_expires(queue: Queue) -> None:
    assert queue.storage.acquire("k", 0.2, now=time.time()) is not None  # never released
    assert queue.storage.acquire("k", 0.2, now=time.time()) is None
    time.sleep(0.3)
    assert queue.storage.acquire("k", 0.2, now=time.time()) is not None


def test_unknown_job_is_counted_not_crashed(queue: Queue) -> None:
    message = Message.from_dict(
        {"name": "no.such.job", "args": {}, "key": None, "enqueued_at": time.time()}
    )
    assert execute(queue, queue.context(), message) == "unknown"


def test_refresh_job_key_separates_forced_runs_but_shares_the_lock() -> None:
    plain = refresh_job(1, "o/r", "main", reason="push")
    forced = refresh_job(1, "o/r", "main", reason="command", force=True)
    assert plain.key is not None
    assert forced.key is not None
    assert plain.key.pending_name != forced.key.pending_name
    assert plain.key.lock_name == forced.key.lock_name
    assert LOCK_TTL >= 60


def _jobs(queue: Queue) -> dict[tuple[str, str], float]:
    found = {}
    for sample in queue.storage.samples():
        if sample.name == "docs_refresh_jobs_total":
            labels = dict(part.split("=") for part in sample.labels.split(","))
            found[(labels["job"].strip('"'), labels["outcome"].strip('"'))] = sample.value
    return found


def _far_future():  # type: ignore[no-untyped-def]
    import datetime

    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)


def test_worker_logs_carry_the_delivery_that_queued_the_job(
    sqlite_queue: Queue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import logs as bot_logs

    bot_logs.configure("INFO")
    sqlite_queue.submit("delivery-77", [record_job(tmp_path / "runs.jsonl", KEY)], event="push")
    drain(sqlite_queue)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]
    done = [line for line in lines if line.get("msg") == "job recorded"]
    assert done
    assert done[0]["delivery"] == "delivery-77"
    assert done[0]["repo"] == KEY.repo


def test_a_job_whose_workers_keep_dying_is_given_up_and_frees_its_lock(
    queue: Queue, tmp_path: Path
) -> None:
    log = tmp_path / "runs.jsonl"
    job = record_job(log, KEY)
    # What the journal queues again each time the run's worker dies: one recovery more.
    message = Message.from_dict(job.to_message(time.time()))
    for _ in range(MAX_JOB_RECOVERIES + 1):
        message = Message.from_dict(message.recovered())
    assert execute(queue, queue.context(), message) == "abandoned"
    assert runs(log) == []
    lease = queue.storage.acquire(KEY.lock_name, 1.0, now=time.time())
    assert lease is not None  # the lock was released
    lease.release()
    once_more = Message.from_dict(Message.from_dict(job.to_message(time.time())).recovered())
    assert execute(queue, queue.context(), once_more) != "abandoned"
    assert len(runs(log)) == 1
