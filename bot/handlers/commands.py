"""`/refresh-docs` in a new comment: queue the command for the worker.

Only `created` is routed: edited and deleted comments do nothing. Comments by bots
(the app's own included: its comments are `type: Bot`) are dropped here already; the
worker checks again against the app's exact login and asks GitHub for permissions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeGuard

from bot.app.jobs import Action
from bot.app.preview_tasks import command_job
from bot.app.routing import Router
from bot.app.webhooks import Event
from bot.service.commands import parse_command
from bot.service.permissions import Actor, is_ignored

router = Router()


@router.register("issue_comment", "created")
def queue_command(event: Event) -> Iterator[Action]:
    comment, issue = event.payload.get("comment"), event.payload.get("issue")
    installation, repo = event.installation_id, event.repo
    if installation is None or repo is None:
        return
    if not isinstance(comment, Mapping) or not isinstance(issue, Mapping):
        return
    body = comment.get("body")
    if not isinstance(body, str) or parse_command(body) is None:
        return
    number, comment_id = issue.get("number"), comment.get("id")
    if not _is_id(number) or not _is_id(comment_id):
        return  # not GitHub's shape: nothing to answer
    user = comment.get("user") if isinstance(comment.get("user"), Mapping) else {}
    assert isinstance(user, Mapping)
    actor = Actor(
        str(user.get("login") or ""),
        str(user.get("type") or "User"),
        str(comment.get("author_association") or "NONE"),
    )
    if not actor.login or is_ignored(actor, None):
        return
    repository = event.payload.get("repository")
    default_branch = repository.get("default_branch") if isinstance(repository, Mapping) else None
    yield command_job(
        installation,
        repo,
        number=number,
        comment_id=comment_id,
        body=body,
        actor=actor,
        is_pull=bool(issue.get("pull_request")),
        default_branch=default_branch if isinstance(default_branch, str) else None,
    )


def _is_id(value: object) -> TypeGuard[int]:
    """A GitHub number or id: a positive integer (not a bool, not a string)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
