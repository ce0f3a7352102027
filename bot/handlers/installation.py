"""Installations: new repositories get a first refresh — only those that already carry a
data-flow doc (no bulk changes without opt-in); those without get one onboarding pull
request that adds one (`bot.onboarding`, unless `ONBOARDING=false`); removed ones lose
their pending jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from bot.app.jobs import Action, Drop, Job, refresh_job
from bot.app.registry import job
from bot.app.routing import Router
from bot.app.webhooks import Event
from bot.app.worker_context import WorkerContext
from bot.core.errors import UserError

router = Router()
log = logging.getLogger("docs_refresh.installation")

INSTALL_JOB = "install"


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
    queued, onboarded = [], []
    for repo in job.args.get("repos", ()):
        if not repository_has_docs(installation, repo, ctx.deps):
            if not ctx.settings.onboarding:
                log.info("no data-flow doc in %s: left alone (ONBOARDING is off)", repo)
                continue
            from bot.service.onboarding import onboard_repository

            outcome = onboard_repository(installation, repo, ctx.deps)
            log.info("no data-flow doc in %s: onboarding %s", repo, outcome.action)
            if outcome.action == "opened":
                onboarded.append(repo)
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
    done = [word for word, did in (("queued", queued), ("onboarded", onboarded)) if did]
    return ", ".join(done) or "nothing"
