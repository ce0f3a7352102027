"""Signed webhooks from the sandbox through the bot's web app and queue to the service."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.demo import start_bot
from bot.service.publishing import branch_for
from tests.service.conftest import Shop, example_files, start_shop

REPO = "octo/shop"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Shop]:
    shop = start_shop(tmp_path, example_files())
    url, stop = start_bot(shop.sb, tmp_path / "bot", 0.0)
    shop.sb.webhook_url = f"{url}/webhook"
    yield shop
    stop()
    shop.sb.stop()


def push(shop: Shop, files: dict[str, str | None]) -> str:
    payload = {"branch": "main", "files": files, "user": "ada"}
    done = shop.sb.admin("POST", f"/_sandbox/repos/{REPO}/commits", payload)
    assert [d["status"] for d in done["deliveries"]] == [202]  # signed, verified, queued
    return str(done["sha"])


def bot_pr_based_on(shop: Shop, base_sha: str, timeout: float = 30.0) -> int:
    """Wait until the bot's PR holds one commit whose parent is `base_sha`."""
    git = shop.sb.store.repos[REPO].git
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pulls = shop.pulls()
        if pulls:
            tip = git.commit_info(pulls[-1].pull.head_sha)
            if tip is not None and tip.parents == (base_sha,):
                return len(pulls)
        time.sleep(0.1)
    raise AssertionError(f"no bot PR on {base_sha[:12]} after {timeout}s")


@pytest.mark.slow
def test_signed_pushes_open_then_update_one_pr(live: Shop) -> None:
    first = push(live, {"shop/mail.py": "import sendgrid\n"})
    assert bot_pr_based_on(live, first) == 1
    assert b"SendGrid" in live.file_at(branch_for("main"), ".context/docs/data-flow.md")
    second = push(live, {"shop/files.py": "import boto3\n"})
    assert bot_pr_based_on(live, second) == 1
    assert live.pulls()[0].state == "open"
