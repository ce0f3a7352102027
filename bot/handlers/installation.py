"""Installations: new repositories get a first refresh — only those that already carry a
data-flow doc (no bulk changes without opt-in); those without get one onboarding pull
request that adds one (`bot.service.onboarding`, a job of its own per repository, unless
`ONBOARDING=false`); removed ones lose their pending jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from bot.app.jobs import Action, Drop, Job, JobKey, refresh_job
from bot.app.registry import job
from bot.app.routing import Router
from bot.app.webhooks import Event
from bot.app.worker_context import WorkerContext
from bot.core.errors import UserError

router = Router()
log = logging.getLogger("docs_refresh.installation")

INSTALL_JOB = "install"
ONBOARD_JOB = "onboard"
# The onboarding job's key: one at a time per repository (the branch it would create).
ONBOARDING_KEY = "docs-refresh/onboarding"


def onboard_job(installation_id: int, repo: str) -> Job:
    """Offer one repository the onboarding pull request; duplicates coalesce."""
    return Job(ONBOARD_JOB, {}, key=JobKey(installation_id, repo, ONBOARDING_KEY))


def _names(repositories: Any) -> list[str]:
    if not isinstance(repositories, list):
        return []
    return sorted(
        str(r["full_name"])
        for r in repositories
        if isinstance(r, Mapping) and isinstance(r.get("full_name"), str)
    )


def _install(event: Event, repos: list[str]) -> Iterator[Action]:
    installation = event.installation_id
    if installation is not None and repos:
        yield Job(
            INSTALL_JOB,
            {"repos": repos, "reason": f"{event.name}.{event.action}"},
            installation_id=installation,
        )


@router.register("installation", "created")
@router.register("installation", "unsuspend")
def first_refresh_of_installation(event: Event) -> Iterator[Action]:
    yield from _install(event, _names(event.payload.get("repositories")))


@router.register("installation_repositories", "added")
def first_refresh_of_added(event: Event) -> Iterator[Action]:
    yield from _install(event, _names(event.payload.get("repositories_added")))


@router.register("installation", "deleted")
@router.register("installation", "suspend")
def forget_installation(event: Event) -> Iterator[Action]:
    if event.installation_id is not None:
        yield Drop(event.installation_id)


@router.register("installation_repositories", "removed")
def forget_removed(event: Event) -> Iterator[Action]:
    repos = _names(event.payload.get("repositories_removed"))
    if event.installation_id is not None and repos:
        yield Drop(event.installation_id, tuple(repos))


@job(INSTALL_JOB)
def install_repositories(ctx: WorkerContext, job: Job) -> str:
    """Queue a first refresh of the tracked branches of each repository that has docs, and
    offer the others the onboarding pull request."""
    from bot.service.refresh import load_config, repository_has_docs  # not in the web process

    installation = job.installation_id
    if installation is None:
        raise ValueError("an install job always names its installation")
    reason = str(job.args.get("reason", "installation"))
    queued = []
    for repo in job.args.get("repos", ()):
        if not repository_has_docs(installation, repo, ctx.deps):
            if ctx.settings.onboarding:
                queued.append(onboard_job(installation, repo))
            else:
                log.info("no data-flow doc in %s: left alone (ONBOARDING is off)", repo)
            continue
        gateway = ctx.deps.gateways(installation, repo)
        default = gateway.default_branch()
        try:
            branches = load_config(gateway, ctx.deps.defaults).branches or (default,)
        except UserError:
            branches = (default,)  # the refresh of the default branch reports the error
        for base in branches:
            queued.append(
                refresh_job(installation, repo, base, reason=reason, default_branch=default)
            )
    ctx.enqueue(queued)
    return "queued" if queued else "nothing"


@job(ONBOARD_JOB)
def onboard_repository_job(ctx: WorkerContext, job: Job) -> str:
    """Open the onboarding pull request in one repository, unless GitHub says not to."""
    from bot.service.onboarding import onboard_repository  # not in the web process

    budget = ctx.budget()  # the job's clock starts here, before any GitHub request
    key = job.key
    if key is None:
        raise ValueError("an onboard job always has a key")
    # Past its budget: "timed-out", reported in a check run, nothing written, not retried.
    outcome = onboard_repository(key.installation_id, key.repo, ctx.deps, budget=budget)
    log.info("onboarding %s: %s", key.repo, outcome.action)
    return outcome.action
