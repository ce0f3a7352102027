"""Pushes: a push to a branch queues a refresh of that branch.

Which branches are tracked lives in `.github/docs-refresh.yml` on the default branch, and
reading it needs GitHub: the worker decides (the refresh of an untracked branch is a cheap
no-op). Here we only drop what can never matter: tags, deletions, the bot's own branches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.app.jobs import Action, refresh_job
from bot.app.routing import Router
from bot.app.webhooks import Event

router = Router()

BRANCH_PREFIX = "refs/heads/"
BOT_BRANCH_PREFIX = "docs-refresh/"


@router.register("push")
def refresh_pushed_branch(event: Event) -> Iterator[Action]:
    ref = event.payload.get("ref")
    installation, repo = event.installation_id, event.repo
    if not isinstance(ref, str) or not ref.startswith(BRANCH_PREFIX):
        return  # tags and other refs
    branch = ref.removeprefix(BRANCH_PREFIX)
    if event.payload.get("deleted") or branch.startswith(BOT_BRANCH_PREFIX):
        return
    if installation is None or repo is None:
        return  # a repository webhook, not the app's: nothing to act as
    before = event.payload.get("before")
    repository = event.payload.get("repository")
    default = repository.get("default_branch") if isinstance(repository, Mapping) else None
    yield refresh_job(
        installation,
        repo,
        branch,
        reason="push",
        # A new branch has no `before` worth comparing: the refresh reads the whole tree.
        before=before if isinstance(before, str) and before.strip("0") else None,
        default_branch=default if isinstance(default, str) else None,
        settle=True,  # pushes come in bursts: let the rest of it coalesce into this run
    )
