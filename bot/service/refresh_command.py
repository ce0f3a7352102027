"""Carry out one `/refresh-docs` comment, in the worker.

Order matters for safety: ignore bots and the app first (no loops), then authorise through
the permission endpoint, and only then acknowledge (eyes) and act. Every failure after the
acknowledgement is answered with `confused` and a reply that says what went wrong; a
failed command is never retried by the queue (it would react and reply twice). A command
past the job's time (`JobDeadline`, from the pull request's evaluation or the base branch's
refresh) is answered the same way, naming the file being read, and ends "timed-out".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.core.errors import DocsRefreshError
from bot.core.job_budget import JobDeadline
from bot.service import comments
from bot.service.commands import Command, parse_command
from bot.service.deadline_report import COMMAND, deadline_summary
from bot.service.engine import Engine, Evaluation
from bot.service.onboarding import BRANCH as ONBOARDING_BRANCH
from bot.service.permissions import Actor, authorize
from bot.service.ports.conversation import BranchMoved, Conversation, PullDetails
from bot.service.publishing import BRANCH_PREFIX as BOT_BRANCH_PREFIX

log = logging.getLogger(__name__)

COMMIT_MESSAGE = "docs: refresh generated docs (/refresh-docs by @{login})"
INTERNAL_ERROR = "an internal error; the operators have the details in the logs."
HOST_ERROR = "GitHub answered {status} to the bot; please try again in a few minutes."
# One retry when a person pushes between our read of the head and our fast-forward.
FAST_FORWARD_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class BaseRefresh:
    """What refreshing the base branch gave: the docs PR (None when docs are fresh)."""

    pull_url: str | None
    base: str


class BaseRefresher(Protocol):
    """The refresh service for the repository's default branch."""

    @property
    def base(self) -> str: ...

    def foreign_tip(self) -> str | None:
        """The tip of `docs-refresh/<base>` when a person, not the bot, wrote it."""

    def refresh(self, force: bool) -> BaseRefresh:
        """Refresh the base branch, open or update its docs PR (DocsRefreshError on failure,
        JobDeadline when the job's time ran out: the refresh has reported it on the branch)."""


@dataclass(frozen=True, slots=True)
class CommandRequest:
    repo: str
    number: int
    comment_id: int
    body: str
    actor: Actor
    is_pull: bool


def run_command(
    request: CommandRequest,
    conv: Conversation,
    engine: Engine,
    app_login: str,
    refresh_base: BaseRefresher,
) -> str:
    """Answer one comment; returns a short outcome word for logs and tests."""
    command = parse_command(request.body)
    if command is None:
        return "no-command"
    decision = authorize(request.actor, app_login, conv.permission)
    if decision.verdict == "ignored":
        return f"ignored-{decision.reason}"
    if decision.verdict == "refused":
        conv.create_comment(
            request.number, comments.refused_body(request.actor.login, request.repo)
        )
        return "refused"
    if command.action in ("help", "unknown"):
        word = command.argument if command.action == "unknown" else None
        conv.create_comment(request.number, comments.help_body(word))
        return command.action
    conv.react(request.comment_id, "eyes")
    try:
        outcome = _act(request, command, conv, engine, refresh_base)
    except DocsRefreshError as err:
        return _fail(request, conv, str(err))
    except JobDeadline as err:
        log.warning("/refresh-docs on %s#%s: %s", request.repo, request.number, err)
        _fail(request, conv, body=comments.timed_out_reply(deadline_summary(err, COMMAND)))
        return "timed-out"
    except Exception as err:
        log.exception("/refresh-docs failed on %s#%s", request.repo, request.number)
        status = getattr(err, "status", None)  # PyGithub's errors carry the HTTP status
        message = HOST_ERROR.format(status=status) if isinstance(status, int) else INTERNAL_ERROR
        return _fail(request, conv, message)
    if outcome != "closed":
        conv.react(request.comment_id, "rocket")
    return outcome


def _act(
    request: CommandRequest,
    command: Command,
    conv: Conversation,
    engine: Engine,
    refresh_base: BaseRefresher,
) -> str:
    force = command.action == "force"
    if not request.is_pull:
        return _refresh_base(request, conv, refresh_base, force)
    pr = conv.pull(request.number)
    if pr.same_repo(request.repo) and pr.head_ref == ONBOARDING_BRANCH:
        return _refresh_base(request, conv, refresh_base, force)  # open or closed: set up
    if pr.state != "open":
        conv.create_comment(request.number, comments.closed_body())
        return "closed"
    # On the bot's own docs pull request, "refresh" means rebuilding it from its base.
    own_branch = f"{BOT_BRANCH_PREFIX}{refresh_base.base}"
    if pr.same_repo(request.repo) and pr.head_ref == own_branch:
        return _refresh_base(request, conv, refresh_base, force)
    for _attempt in range(FAST_FORWARD_ATTEMPTS):
        evaluation = _evaluate(engine, pr, force)
        if not evaluation.docs:
            conv.create_comment(request.number, comments.already_fresh_body(pr.head_sha))
            return "fresh"
        if not pr.same_repo(request.repo):
            conv.create_comment(request.number, comments.fork_patch_body(evaluation.docs))
            return "patch"
        message = COMMIT_MESSAGE.format(login=request.actor.login)
        sha = engine.commit_docs(evaluation.head, evaluation.files, message)
        try:
            conv.advance_branch(pr.head_ref, sha)
        except BranchMoved:
            pr = conv.pull(request.number)  # someone pushed: redo on the new head
            continue
        kept = [d.path for d in evaluation.docs if d.hand_edited]
        if kept:
            paths = [d.path for d in evaluation.docs]
            conv.create_comment(request.number, comments.committed_body(sha, paths, kept))
        return "committed"
    raise BranchMovedError(pr.head_ref)


def _refresh_base(
    request: CommandRequest, conv: Conversation, refresh_base: BaseRefresher, force: bool
) -> str:
    tip = refresh_base.foreign_tip() if force else None
    if tip is not None:  # say so before taking a person's work over
        branch = f"{BOT_BRANCH_PREFIX}{refresh_base.base}"
        conv.create_comment(request.number, comments.takeover_body(branch, tip))
    result = refresh_base.refresh(force)
    conv.create_comment(request.number, comments.docs_pr_body(result.pull_url, result.base))
    return "base-refreshed" if result.pull_url else "base-fresh"


class BranchMovedError(DocsRefreshError):
    def __init__(self, branch: str) -> None:
        super().__init__(f"the branch `{branch}` kept moving while the docs were refreshed")


def _evaluate(engine: Engine, pr: PullDetails, force: bool) -> Evaluation:
    # Asked for explicitly: refresh every doc, not only those the change touches. No base:
    # replies do not list fact changes, so the second tree is not analysed.
    evaluation = engine.evaluate(pr.head_sha, base_sha=None, changed_paths=None, force=force)
    if evaluation.problems:
        first = evaluation.problems[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        raise DocsRefreshError(first.message, path=where or None)
    return evaluation


def _fail(
    request: CommandRequest, conv: Conversation, error: str = "", *, body: str | None = None
) -> str:
    try:
        conv.react(request.comment_id, "confused")
        conv.create_comment(request.number, body or comments.failed_body(error))
    except Exception:  # reporting must not hide the first failure
        log.exception("could not report the failure on %s#%s", request.repo, request.number)
    return "failed"
