"""Installations against the sandbox, with the real service: repositories with docs get a
first refresh, those without the onboarding pull request (tests/app/test_onboarding_flow.py);
GitHub's secondary limit is waited out."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from bot.app.jobs import Message
from bot.app.tasks import Queue, build_queue, execute
from bot.app.web import create_app
from bot.app.webhooks import sign
from bot.app.worker_context import WorkerContext
from bot.sandbox import SandboxHandle, start_sandbox
from bot.settings import Settings
from tests.helpers.sandbox import git, make_repo

pytestmark = pytest.mark.slow
SECRET = "installation secret"
PLAIN = {"README.md": "# plain\n", "app.py": "import flask\n"}  # no docs: onboarding


class Flow:
    def __init__(self, sb: SandboxHandle, queue: Queue, ctx: WorkerContext, repos: Path) -> None:
        self.sb, self.queue, self.ctx, self.repos = sb, queue, ctx, repos
        self.client: FlaskClient = create_app(queue.settings, queue=queue).test_client()

    def deliver(self, event: str, payload: dict[str, Any], delivery: str) -> int:
        body = json.dumps(payload).encode()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(body, SECRET),
        }
        return self.client.post("/webhook", data=body, headers=headers).status_code

    def run_jobs(self, at: datetime.datetime | None = None) -> list[tuple[str, str]]:
        """Run what is queued (and, with `at`, what is scheduled up to then) in this thread."""
        tasks = list(self.queue.huey.read_schedule(at)) if at else []
        ran = []
        for _ in range(20):
            task = tasks.pop() if tasks else self.queue.huey.dequeue()
            if task is None:
                return ran
            if not self.queue.huey.ready_to_run(task, at):
                self.queue.huey.add_schedule(task)  # what the consumer does with a retry
                continue
            message = Message.from_dict(task.args[0])
            ran.append((message.job.name, execute(self.queue, self.ctx, message)))
        raise AssertionError(f"jobs did not drain: {ran}")

    def has_bot_branch(self, name: str) -> bool:
        return "docs-refresh/main" in git(self.repos / name, "branch", "--list", "docs-refresh/*")


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    repos = tmp_path / "repos"
    make_repo(repos / "docs")  # the helper's default files carry an agent-update block
    make_repo(repos / "plain", PLAIN)
    with start_sandbox(
        {"octo/docs": repos / "docs", "octo/plain": repos / "plain"},
        webhook_secret=SECRET,
        data_dir=tmp_path / "sandbox",
    ) as sb:
        settings = Settings(
            webhook_secret=SECRET,
            data_dir=tmp_path / "data",
            app_id=sb.app_id,
            private_key=sb.private_key_pem,
            github_api_url=sb.api_url,
            github_write_interval=0.0,
        )
        queue = build_queue(settings)
        yield Flow(sb, queue, queue.context(), repos)
        queue.huey.storage.close()


def installation(flow: Flow, action: str, **extra: Any) -> dict[str, Any]:
    return {"action": action, "installation": {"id": flow.sb.installation_id}, **extra}


def repos(*names: str) -> list[dict[str, str]]:
    return [{"full_name": f"octo/{n}", "name": n} for n in names]


def test_new_installation_refreshes_only_repositories_with_docs(flow: Flow) -> None:
    payload = installation(flow, "created", repositories=repos("docs", "plain"))
    assert flow.deliver("installation", payload, "i-1") == 202
    assert flow.run_jobs() == [("install", "queued"), ("refresh", "opened"), ("onboard", "opened")]
    assert flow.has_bot_branch("docs")
    assert not flow.has_bot_branch("plain")


def test_added_repository_without_docs_gets_no_refresh_but_the_onboarding(flow: Flow) -> None:
    payload = installation(flow, "added", repositories_added=repos("plain"))
    assert flow.deliver("installation_repositories", payload, "a-1") == 202
    assert flow.run_jobs() == [("install", "queued"), ("onboard", "opened")]
    assert not flow.has_bot_branch("plain")


def test_long_secondary_rate_limit_is_retried_after_retry_after(flow: Flow) -> None:
    # Short waits the gateway sits out itself; past its limit the queue schedules the retry.
    flow.sb.inject_fault("secondary_limit", method="POST", path="*/git/trees", retry_after=600)
    payload = installation(flow, "created", repositories=repos("docs"))
    flow.deliver("installation", payload, "i-2")
    assert flow.run_jobs() == [("install", "queued"), ("refresh", "retried")]
    (retry,) = flow.queue.huey.scheduled()
    assert retry.eta is not None
    assert retry.eta - datetime.datetime.now(datetime.UTC).replace(tzinfo=None) >= (
        datetime.timedelta(seconds=590)
    )
    later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)
    assert flow.run_jobs(at=later) == [("refresh", "opened")]
    assert flow.has_bot_branch("docs")


def test_removed_installation_drops_its_queued_refresh(flow: Flow) -> None:
    flow.deliver("installation", installation(flow, "created", repositories=repos("docs")), "c")
    assert flow.run_jobs() == [("install", "queued"), ("refresh", "opened")]
    push = {
        "ref": "refs/heads/main",
        "before": "0" * 40,
        "repository": {"full_name": "octo/docs", "default_branch": "main"},
        "installation": {"id": flow.sb.installation_id},
    }
    assert flow.deliver("push", push, "p") == 202
    assert flow.deliver("installation", installation(flow, "deleted"), "d") == 202
    assert flow.run_jobs() == [("refresh", "dropped")]
