"""Pull requests: queue a preview (sticky comment + check run) when the head changes.

Drafts, the config's `comments: false` and which paths are tracked are decided by the
worker: they need the config from GitHub. Here we only drop what can never matter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bot.app.jobs import Action
from bot.app.preview_tasks import preview_job
from bot.app.routing import Router
from bot.app.webhooks import Event
from bot.service.publishing import BRANCH_PREFIX as BOT_BRANCH_PREFIX

router = Router()

PREVIEW_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


def _queue_preview(event: Event) -> Iterator[Action]:
    pull = event.payload.get("pull_request")
    installation, repo = event.installation_id, event.repo
    if installation is None or repo is None or not isinstance(pull, Mapping):
        return
    if pull.get("state") != "open" or not isinstance(pull.get("number"), int):
        return
    if _head_ref(pull).startswith(BOT_BRANCH_PREFIX):
        return  # the bot's own docs pull request: its content is the refresh itself
    yield preview_job(installation, repo, int(pull["number"]))


def _head_ref(pull: Mapping[str, Any]) -> str:
    head = pull.get("head")
    ref = head.get("ref") if isinstance(head, Mapping) else None
    return ref if isinstance(ref, str) else ""


for _action in PREVIEW_ACTIONS:
    router.add(_queue_preview, "pull_request", _action)
