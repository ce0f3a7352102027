"""The queue: one huey instance (SQLite file under DATA_DIR, or Redis), one huey task that
runs any registered job, and the rules around it.

A keyed job takes its branch's lock before it starts (and clears its pending marker then,
so a push that lands during the run queues exactly one more). While the lock is busy the
job waits in huey's schedule with its marker still set, so further pushes coalesce into it.
Transient failures come back later (see `bot.app.retry`); user errors are logged and counted,
never retried: the service reports them in the repository.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

import bot.handlers  # noqa: F401 - registers every feature's job functions
from bot.app import logs
from bot.app.jobs import Action, Drop, Job, Message
from bot.app.metrics import Metrics, count_github_responses
from bot.app.registry import JOB_FUNCTIONS
from bot.app.retry import retry_delay
from bot.app.storage import Entry, Lease, Storage, Submitted, held
from bot.app.storage.journal import Journal, Running, recover, this_host
from bot.app.storage.redis_store import PREFIX as REDIS_PREFIX
from bot.app.storage.redis_store import RedisLease, RedisStore
from bot.app.storage.sqlite_store import SqliteLease, SqliteStore
from bot.app.worker_context import WorkerContext
from bot.core.errors import UserError
from bot.core.job_budget import JobDeadline
from bot.core.limits import MAX_JOB_RECOVERIES
from bot.settings import Settings

log = logging.getLogger("docs_refresh.worker")

QUEUE_NAME = "docs_refresh"
RUN_JOB = "docs_refresh.run_job"
LOCK_TTL = 300.0  # renewed every LOCK_TTL/3 while the job runs; a crash frees it after this
LOCK_WAIT = 2.0  # seconds before a job that found its branch locked tries again
RECOVER_EVERY = LOCK_TTL / 2  # how often a worker looks for jobs of workers that died
SETTLING = "settling"
ABANDONED = (
    "job given up: its worker died in each of its last %d runs (a repository that exhausts"
    " a worker?); the branch's next push or /refresh-docs starts it afresh"
)
SHUTDOWN_TIMEOUT = 25.0  # under the usual 30 s a platform waits before SIGKILL


def make_huey(settings: Settings) -> Huey:
    """SqliteHuey on `DATA_DIR/queue.sqlite3`, or RedisHuey when Redis is configured."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # WAL with synchronous=FULL, said rather than left to the build's default: each commit
    # fsyncs its WAL append, so a delivery answered 2xx survives a power cut.
    return SqliteHuey(
        QUEUE_NAME,
        filename=str(settings.queue_path),
        results=False,
        utc=True,
        journal_mode="wal",
        fsync=True,
    )


def make_storage(huey: Huey) -> Storage:
    return RedisStore(huey.storage) if isinstance(huey, RedisHuey) else SqliteStore(huey.storage)


@dataclass
class Queue:
    """The huey instance, its storage, and the single task that carries every job."""

    settings: Settings
    huey: Huey
    storage: Storage
    metrics: Metrics
    runner: Any  # huey TaskWrapper of RUN_JOB
    journal: Journal | None = None  # jobs in flight, run again when their worker died

    def entries(self, jobs: Sequence[Job], now: float, delivery: str | None = None) -> list[Entry]:
        return [
            Entry(
                job.key, self.huey.serialize_task(self.runner.s(job.to_message(now, 0, delivery)))
            )
            for job in jobs
        ]

    def submit(
        self, delivery_id: str | None, actions: Sequence[Action], *, event: str | None = None
    ) -> Submitted:
        """Durably queue the actions of one delivery, once per delivery id (one round trip)."""
        now = time.time()
        jobs = [a for a in actions if isinstance(a, Job)]
        drops = [a for a in actions if isinstance(a, Drop)]
        count = (
            None
            if event is None
            else ("docs_refresh_webhook_deliveries_total", (("event", event),))
        )
        return self.storage.submit(
            delivery_id, self.entries(jobs, now, delivery_id), drops, now=now, count=count
        )

    def enqueue(self, jobs: Sequence[Job]) -> Submitted:
        """Queue follow-up work from a job (no delivery id; keys still coalesce)."""
        return self.submit(None, jobs)

    def context(self) -> WorkerContext:
        """What job functions get, in a worker process (which also counts GitHub's answers)."""
        count_github_responses(self.metrics)
        return WorkerContext(self.settings, self.storage, self.metrics, self.enqueue)

    def recover(self, *, starting: bool = False) -> int:
        """Queue again the jobs that a dead worker was running; returns how many."""
        if self.journal is None:
            return 0
        found = recover(
            self.journal,
            self.storage,
            lambda record: _break_lease(self.storage, record),
            ttl=LOCK_TTL,
            now=time.time(),
            starting=starting,
        )
        if found:
            log.warning("queued again %d job(s) of a worker that died mid-run", found)
        return found

    def consumer(self, workers: int | None = None) -> Consumer:
        self.recover(starting=True)  # a restarted worker first picks up what it dropped
        # Then now and again: a worker that died on another machine frees its lease only
        # after LOCK_TTL, and nothing else would notice its job.
        threading.Thread(target=self._recover_every, name="recovery", daemon=True).start()
        return self.huey.create_consumer(
            workers=workers or self.settings.worker_threads,
            worker_type="thread",
            periodic=False,
            max_delay=1.0,  # an idle SQLite consumer polls at least every second
            check_worker_health=True,
            # Platforms stop processes with SIGTERM: let running jobs finish, within reason
            # (an interrupted refresh is safe to run again: its lease expires).
            graceful_signal="TERM",
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )

    def _recover_every(self) -> None:
        while not _STOP_RECOVERY.wait(RECOVER_EVERY):
            try:
                self.recover()
            except Exception:  # the storage is down for a while: try again next time
                log.exception("recovery of dropped jobs failed")


_STOP_RECOVERY = threading.Event()  # never set in production: the thread dies with the process


def build_queue(settings: Settings) -> Queue:
    huey = make_huey(settings)
    storage = make_storage(huey)
    metrics = Metrics(storage)
    holder: dict[str, WorkerContext] = {}

    def run_job(message: dict[str, Any]) -> None:
        if "ctx" not in holder:
            holder["ctx"] = queue.context()
        execute(queue, holder["ctx"], Message.from_dict(message))

    runner = huey.task(name=RUN_JOB)(run_job)
    queue = Queue(settings, huey, storage, metrics, runner, Journal(huey.storage, storage.kind))
    return queue


def _break_lease(storage: Storage, record: Running) -> None:
    """Free the lock of a run whose process is known dead (its token, nobody else's)."""
    lease: Lease
    if isinstance(storage, RedisStore):
        lease = RedisLease(
            storage, record.name, f"{REDIS_PREFIX}lock:{record.name}", record.token, 0
        )
    elif isinstance(storage, SqliteStore):
        lease = SqliteLease(storage, record.name, record.token, 0)
    else:
        return
    lease.release()


def execute(queue: Queue, ctx: WorkerContext, message: Message) -> str:
    """Run one job under its rules; returns the outcome counted in the metrics."""
    job = message.job
    with logs.context(
        job=job.name,
        installation=job.installation_id if job.key is None else job.key.installation_id,
        repo=job.repo if job.key is None else job.key.repo,
        base=None if job.key is None else job.key.base,
        attempt=message.attempt,
        delivery=message.delivery,
    ):
        outcome = _execute(queue, ctx, message)
        if outcome != SETTLING:  # a wait, not an outcome: the run that follows counts
            queue.metrics.job(job.name, outcome)
        log.info("job %s", outcome)
        return outcome


def _execute(queue: Queue, ctx: WorkerContext, message: Message) -> str:
    job = message.job
    function = JOB_FUNCTIONS.get(job.name)
    if function is None:
        log.error("no job function named %r (is its module imported by bot.handlers?)", job.name)
        return "unknown"
    installation = job.installation_id if job.key is None else job.key.installation_id
    repo = job.repo if job.key is None else job.key.repo
    if installation is not None and queue.storage.removed_since(
        installation, repo, message.enqueued_at
    ):
        return "dropped"
    if job.key is None:
        return _attempt(queue, ctx, message)
    wait = message.enqueued_at + queue.settings.settle_seconds - time.time()
    if job.args.get("settle") and wait > 0:
        # Not started yet: its pending marker stays set, so the burst's next pushes join it.
        queue.runner.schedule(args=(message.deferred(),), delay=wait)
        return SETTLING
    lease = queue.storage.acquire(job.key.lock_name, LOCK_TTL, now=time.time())
    if lease is None:
        queue.runner.schedule(args=(message.deferred(),), delay=LOCK_WAIT)
        return "deferred"
    if message.recoveries > MAX_JOB_RECOVERIES:
        # Its workers died running it, again and again (a hostile repository can do that):
        # given up, its lock released, so the branch's next push starts afresh.
        lease.release()
        log.error(ABANDONED, message.recoveries)
        return "abandoned"
    with held(lease, LOCK_TTL):
        record = _journal_start(queue, lease, message)
        try:
            queue.storage.clear_pending(job.key)
            return _attempt(queue, ctx, message)
        finally:
            if record is not None and queue.journal is not None:
                queue.journal.remove(record)


def _journal_start(queue: Queue, lease: Lease, message: Message) -> Running | None:
    """Record the run before it starts, so a worker killed mid-job loses nothing."""
    if queue.journal is None:
        return None
    task = queue.huey.serialize_task(queue.runner.s(message.recovered()))
    token = str(getattr(lease, "token", ""))
    record = Running(lease.name, task, token, this_host(), os.getpid(), time.time())
    queue.journal.put(record)
    return record


def _attempt(queue: Queue, ctx: WorkerContext, message: Message) -> str:
    job = message.job
    try:
        return JOB_FUNCTIONS[job.name](ctx, job)
    except UserError as err:
        log.warning("user error, not retried: %s", err)
        return "user_error"
    except JobDeadline as err:
        # A job the service did not report (the refresh reports its own, "timed-out"):
        # it ran out of time and would again, so it ends here, never retried.
        log.warning("job ran out of time, not retried: %s", err)
        return "timed-out"
    except Exception as err:
        delay = retry_delay(err, message.attempt, now=time.time())
        if delay is None:
            log.exception("job failed")
            return "failed"
        log.warning("transient failure, retry in %.1fs: %s", delay, err)
        queue.runner.schedule(args=(message.retried(),), delay=delay)
        return "retried"
