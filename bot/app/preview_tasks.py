"""Worker jobs for pull-request previews and `/refresh-docs` commands.

Jobs are keyed so a preview and a command on one pull request never run at once (they
share the lock of `pull/<n>`), a burst of pushes coalesces into one preview of the newest
head, and each command runs once (its own variant: two comments are two answers). An
issue command shares the lock of the default branch with the refresh job.
PyGithub and the service are imported inside the job bodies: the web process imports this.
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.app.jobs import Job, JobKey
from bot.app.registry import job
from bot.app.worker_context import WorkerContext
from bot.core.errors import DocsRefreshError, SetupError, UserError
from bot.core.job_budget import JobBudget
from bot.service.permissions import Actor
from bot.service.publishing import BRANCH_PREFIX as BOT_BRANCH_PREFIX

if TYPE_CHECKING:
    from bot.core.warm import Warm
    from bot.service.refresh_command import BaseRefresh

NOT_CONFIGURED = "`{base}` is not one of the `branches` in .github/docs-refresh.yml"
NO_BRANCH = "the branch `{base}` does not exist"
BLOCKED = (
    "someone else pushed to `docs-refresh/{base}`, so the bot left it alone; "
    "comment `/refresh-docs force` to rebuild it (dropping those commits)"
)
DECLINED = (
    "the docs pull request with these same changes was closed without merging; "
    "comment `/refresh-docs force` to open it again"
)
ONBOARDING_BLOCKED = (
    "someone else pushed to `docs-refresh/onboarding`, so docs-refresh will not overwrite it;"
    " open its pull request yourself, or delete the branch and ask again"
)
NOT_GITHUB = "previews and commands need the GitHub gateway, not {kind}"
# Outcomes of `bot.service.refresh.refresh_branch` after which no docs pull request is needed.
FRESH_OUTCOMES = ("fresh", "closed", "not-affected")


def preview_job(installation_id: int, repo: str, number: int) -> Job:
    return Job(
        name="preview",
        args={"installation_id": installation_id, "repo": repo, "number": number},
        key=JobKey(installation_id, repo, f"pull/{number}", "preview"),
    )


def command_job(
    installation_id: int,
    repo: str,
    *,
    number: int,
    comment_id: int,
    body: str,
    actor: Actor,
    is_pull: bool,
    default_branch: str | None,
) -> Job:
    base = f"pull/{number}" if is_pull else default_branch
    return Job(
        name="command",
        args={
            "installation_id": installation_id,
            "repo": repo,
            "number": number,
            "comment_id": comment_id,
            "body": body,
            "actor": list(actor),
            "is_pull": is_pull,
            "default_branch": default_branch,
        },
        key=None if base is None else JobKey(installation_id, repo, base, f"command-{comment_id}"),
        installation_id=installation_id,
        repo=repo,
    )


@dataclass
class _Parts:
    conversation: Any  # bot.github.conversation.GithubConversation
    engine: Any  # bot.service.repo_engine.RepoEngine
    gateway: Any  # bot.service.ports.RepoGateway
    app_login: str


def _parts(
    ctx: WorkerContext,
    installation_id: int,
    repo: str,
    warm: Warm | None = None,
    budget: JobBudget | None = None,
) -> _Parts:
    from bot.github.gateway import GithubGateway
    from bot.service.repo_engine import RepoEngine

    conversation = importlib.import_module("bot.github.conversation")
    deps = ctx.deps
    gateway = deps.gateways(installation_id, repo)
    if not isinstance(gateway, GithubGateway):
        raise SetupError(NOT_GITHUB.format(kind=type(gateway).__name__))
    app_id, private_key = ctx.settings.require_github()
    return _Parts(
        conversation=conversation.GithubConversation(gateway.client, repo),
        engine=RepoEngine(
            gateway,
            defaults=deps.defaults,
            cache=deps.facts_cache,
            catalog=deps.catalog,
            identity=deps.identity,
            warm=warm,
            budget=budget,
        ),
        gateway=gateway,
        app_login=conversation.app_login(ctx.settings.github_api_url, app_id, private_key),
    )


@job("preview")
def run_preview(ctx: WorkerContext, job_: Job) -> str:
    from bot.service.preview import preview_pull_request

    budget = ctx.budget()  # the job's clock starts here, before any GitHub request
    args = job_.args
    repo, number = str(args["repo"]), int(args["number"])
    installation_id = int(args["installation_id"])
    # A synchronize costs the files pushed since the last preview of this pull request.
    # Past its budget the preview says so in its check run and ends "timed-out".
    with ctx.deps.warm.use((installation_id, repo, "pull", number)) as warm:
        parts = _parts(ctx, installation_id, repo, warm, budget)
        return preview_pull_request(repo, number, parts.conversation, parts.engine, parts.app_login)


@job("command")
def run_command_job(ctx: WorkerContext, job_: Job) -> str:
    from bot.service.refresh_command import CommandRequest, run_command

    budget = ctx.budget()  # one budget for the job: evaluations, onboarding, base refresh
    args = job_.args
    installation_id, repo = int(args["installation_id"]), str(args["repo"])
    login, user_type, association = args["actor"]
    request = CommandRequest(
        repo=repo,
        number=int(args["number"]),
        comment_id=int(args["comment_id"]),
        body=str(args["body"]),
        actor=Actor(str(login), str(user_type), str(association)),
        is_pull=bool(args["is_pull"]),
    )
    # On a pull request the command evaluates its head: the state its previews keep (the
    # two share the pull request's lock, so they never hold it at once).
    kept = (
        ctx.deps.warm.use((installation_id, repo, "pull", request.number))
        if request.is_pull
        else contextlib.nullcontext()
    )
    with kept as warm:
        parts = _parts(ctx, installation_id, repo, warm, budget)
        base = args.get("default_branch") or parts.gateway.default_branch()
        refresher = ServiceRefresher(ctx, installation_id, repo, str(base), parts.gateway, budget)
        return run_command(request, parts.conversation, parts.engine, parts.app_login, refresher)


class ServiceRefresher:
    """`BaseRefresher` over `bot.service.refresh.refresh_branch`, run inline in the command's
    job."""

    def __init__(
        self,
        ctx: WorkerContext,
        installation_id: int,
        repo: str,
        base: str,
        gateway: Any,
        budget: JobBudget | None = None,
    ) -> None:
        self._ctx = ctx
        self._budget = budget or ctx.budget()
        self._installation_id = installation_id
        self._repo = repo
        self._base = base
        self._gateway = gateway

    @property
    def base(self) -> str:
        return self._base

    def foreign_tip(self) -> str | None:
        tip = self._gateway.branch_head(BOT_BRANCH_PREFIX + self._base)
        if tip is None:
            return None
        author = self._gateway.commit(tip).author
        mine = self._ctx.deps.identity
        return None if author.email == mine.email else str(tip)

    def refresh(self, force: bool) -> BaseRefresh:
        from bot.service.refresh_command import BaseRefresh

        service = importlib.import_module("bot.service.refresh")
        if self._ctx.settings.onboarding and not service.repository_has_docs(
            self._installation_id, self._repo, self._ctx.deps
        ):
            # No doc yet: a writer asking is the "yes" a closed onboarding PR did not give.
            onboarding = importlib.import_module("bot.service.onboarding")
            done = onboarding.onboard_repository(
                self._installation_id, self._repo, self._ctx.deps, force=True, budget=self._budget
            )
            if done.deadline is not None:  # reported on the default branch's head
                raise done.deadline
            if done.action == "blocked":
                raise DocsRefreshError(ONBOARDING_BLOCKED)
            if done.action in ("opened", "open"):
                return BaseRefresh(str(done.url) or None, self._base)
        request = service.RefreshRequest(
            installation_id=self._installation_id,
            repo=self._repo,
            base=self._base,
            force=force,
            reason="command",
            default_branch=self._base,
        )
        outcome = service.refresh_branch(request, self._ctx.deps, self._budget)
        action = str(outcome.action)
        if action == "user-error":
            raise UserError(str(outcome.message))
        if outcome.deadline is not None:  # the check run names the file; the reply says it too
            raise outcome.deadline
        messages = {"not-configured": NOT_CONFIGURED, "no-branch": NO_BRANCH}
        messages |= {"blocked": BLOCKED, "declined": DECLINED}
        if action in messages:
            raise DocsRefreshError(messages[action].format(base=self._base))
        url = None if action in FRESH_OUTCOMES else (outcome.pr_url or None)
        return BaseRefresh(url, self._base)
