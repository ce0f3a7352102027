"""The pull-request preview: one sticky comment and the `docs-refresh` check run.

Run by the worker for `pull_request` opened/synchronize/reopened/ready_for_review. It
always reads the pull request afresh, so a job queued for an older push previews the
newest head; a burst of pushes coalesces into one run. A preview past the job's time
(`bot.core.limits.JOB_SECONDS`) ends "timed-out": a neutral check run naming the file being
read, and the sticky comment (if any; else a new one when the check could not be written)
says so instead of showing an older head's preview.
"""

from __future__ import annotations

import logging
from typing import cast

from bot.core.config import CONFIG_PATH, RepoConfig
from bot.core.errors import ConfigError, UserError
from bot.core.job_budget import JobDeadline
from bot.service.checks import (
    CHECK_NAME,
    fresh_output,
    malformed_output,
    stale_output,
)
from bot.service.comments import (
    UNAFFECTED_TITLE,
    find_sticky,
    preview_body,
    timed_out_body,
    unaffected_body,
)
from bot.service.deadline_report import PREVIEW, deadline_message, deadline_output, deadline_summary
from bot.service.engine import Engine, Evaluation, Problem
from bot.service.ports import Head
from bot.service.ports.conversation import CheckOutput, Conclusion, Conversation, PullDetails
from bot.service.refresh import affects_docs

log = logging.getLogger(__name__)


def preview_pull_request(
    repo: str, number: int, conv: Conversation, engine: Engine, app_login: str
) -> str:
    """Update the preview comment and check run of one pull request; returns the outcome."""
    pr = conv.pull(number)
    if pr.state != "open":
        return "closed"
    try:
        config = engine.config()
    except UserError as err:
        _report(conv, pr, malformed_output([_problem(err)]))
        return "bad-config"
    if pr.draft and not config.preview_drafts:
        return "draft"
    comparison = conv.compare(pr.base_sha, pr.head_sha)
    changed = comparison.paths
    # Unknown changes (a huge compare) count as tracked: better a preview than none.
    tracked = changed is None or config.tracks_any(changed)
    # A change to a doc itself (or the config) is not tracked code, but it can break the
    # markers or replace generated text: it is evaluated too, as a whole.
    if not tracked and not affects_docs(config, changed or ()):
        _report(conv, pr, fresh_output(tracked_changed=False))
        _mark_unaffected(conv, pr, config, app_login)
        return "untracked"
    try:
        # Facts are compared with the fork point, not the base tip: what main gained since
        # the branch was cut is not this pull request's doing.
        evaluation = engine.evaluate(
            pr.head_sha,
            base_sha=comparison.merge_base,
            changed_paths=changed if tracked else None,
        )
    except UserError as err:
        evaluation = Evaluation(head=_no_head(pr), problems=(_problem(err),))
    except JobDeadline as err:
        _report_deadline(conv, pr, config, app_login, err)
        return "timed-out"
    if evaluation.problems:
        _report(conv, pr, malformed_output(evaluation.problems))
        return "malformed"
    if not evaluation.docs:
        _report(conv, pr, fresh_output())
        _mark_unaffected(conv, pr, config, app_login)
        return "fresh"
    conclusion = cast(Conclusion, config.check_stale_conclusion)
    _report(conv, pr, stale_output(evaluation.docs, evaluation.facts_markdown, conclusion))
    if config.comments:
        body = preview_body(
            pr.head_sha,
            evaluation.docs,
            evaluation.facts_markdown,
            same_repo=pr.same_repo(repo),
        )
        _upsert_sticky(conv, pr, body, app_login)
    return "stale"


def _mark_unaffected(
    conv: Conversation, pr: PullDetails, config: RepoConfig, app_login: str
) -> None:
    """Say so in the sticky comment if there is one; never open a comment to say nothing,
    and leave one that already says so alone (no write per push)."""
    if not config.comments:
        return
    sticky = find_sticky(conv.issue_comments(pr.number), app_login)
    if sticky is not None and UNAFFECTED_TITLE not in sticky.body:
        conv.edit_comment(sticky.id, unaffected_body(pr.head_sha))


def _report_deadline(
    conv: Conversation, pr: PullDetails, config: RepoConfig, app_login: str, err: JobDeadline
) -> None:
    log.warning("preview of #%s %s", pr.number, deadline_message(err))
    checked = conv.report_check(pr.head_sha, CHECK_NAME, deadline_output(err, PREVIEW))
    if not config.comments:
        return
    sticky = find_sticky(conv.issue_comments(pr.number), app_login)
    body = timed_out_body(pr.head_sha, deadline_summary(err, PREVIEW))
    if sticky is not None:
        if sticky.body.strip() != body.strip():
            conv.edit_comment(sticky.id, body)  # not an older head's preview left as current
    elif checked is None:  # no checks:write: the comment is the only place to say it
        conv.create_comment(pr.number, body)


def _upsert_sticky(conv: Conversation, pr: PullDetails, body: str, app_login: str) -> None:
    sticky = find_sticky(conv.issue_comments(pr.number), app_login)
    if sticky is None:
        conv.create_comment(pr.number, body)
    elif sticky.body.strip() != body.strip():
        conv.edit_comment(sticky.id, body)


def _report(conv: Conversation, pr: PullDetails, output: CheckOutput) -> None:
    if conv.report_check(pr.head_sha, CHECK_NAME, output) is None:
        log.info("no checks:write permission; skipped the check run on #%s", pr.number)


def _problem(err: UserError) -> Problem:
    default = CONFIG_PATH if isinstance(err, ConfigError) else ""
    return Problem(err.path or default, err.line, err.message)


def _no_head(pr: PullDetails) -> Head:
    return Head(pr.head_sha, "")
