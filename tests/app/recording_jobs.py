"""Real job functions for the queue tests: they append a line to a file and can sleep or
fail on request. Importable by worker subprocesses, so runs are counted across processes.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bot.app.jobs import Job, JobKey
from bot.app.registry import job
from bot.app.worker_context import WorkerContext
from bot.core.errors import UserError
from bot.core.job_budget import JobDeadline

RECORD = "test.record"


class Flaky(Exception):
    """A transient failure carrying GitHub's hint, the way the adapter reports one."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"try again in {retry_after}s")
        self.retry_after = retry_after


def record_job(log: Path, key: JobKey | None = None, **args: object) -> Job:
    return Job(RECORD, {"log": str(log), **args}, key=key)


def runs(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


@job(RECORD)
def record(ctx: WorkerContext, job: Job) -> str:
    args = job.args
    log = Path(str(args["log"]))
    started = time.time()
    time.sleep(float(args.get("sleep", 0)))  # type: ignore[arg-type]
    failures = int(args.get("fail_times", 0))  # type: ignore[call-overload]
    previous = len(runs(log))
    with log.open("a") as out:
        entry = {"args": dict(args), "start": started, "end": time.time(), "pid": os.getpid()}
        out.write(json.dumps(entry) + "\n")
    if args.get("user_error"):
        raise UserError("bad marker", path="docs/a.md", line=3)
    if args.get("deadline"):
        raise JobDeadline("reading files", 1.0, "slow.py", ("after.py",))
    if previous < failures:
        raise Flaky(float(args.get("retry_after", 0)))  # type: ignore[arg-type]
    return "recorded"
