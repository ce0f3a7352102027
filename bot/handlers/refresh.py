"""The `refresh` job: one refresh of one base branch, run by the worker.

Every feature that wants a branch refreshed queues `bot.app.jobs.refresh_job(...)`; the queue
coalesces them per (installation, repo, base) and this runs once on the newest head.
"""

from __future__ import annotations

from bot.app.jobs import Job
from bot.app.registry import job
from bot.app.worker_context import WorkerContext


@job("refresh")
def run_refresh(ctx: WorkerContext, job: Job) -> str:
    # Imported here: the web process registers this job but never loads the service.
    from bot.service.refresh import RefreshRequest, refresh_branch

    budget = ctx.budget()  # the job's clock starts here, before any GitHub request
    key = job.key
    if key is None:
        raise ValueError("a refresh job always has a key")
    args = job.args
    before = args.get("before")
    default_branch = args.get("default_branch")
    request = RefreshRequest(
        installation_id=key.installation_id,
        repo=key.repo,
        base=key.base,
        force=bool(args.get("force", False)),
        reason=str(args.get("reason", "")),
        # No changed_paths: later pushes may have coalesced into this job, so the service
        # compares the first push's `before` with the current head instead.
        before=before if isinstance(before, str) else None,
        default_branch=default_branch if isinstance(default_branch, str) else None,
    )
    # A job past its budget ends "timed-out": reported in a check run, not raised, so the
    # queue counts it done (no retry, its journal record removed, its lock released).
    return refresh_branch(request, ctx.deps, budget).action
