"""End-to-end harness for previews and commands: the sandbox, the bot's web app over real
HTTP, the real queue (SQLite in tmp) and the real job functions.

The sandbox's admin endpoints act as people (open a PR, push, comment); the sandbox
delivers the signed webhook to the bot's `/webhook`; the test then runs the queued jobs
in its own thread, as the consumer's worker would (`run_jobs`). Only the client pacing is
lowered (`github_write_interval`: GitHub's one second between writes would make each
test take many seconds).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from bot.app.jobs import Message
from bot.app.tasks import Queue, build_queue, execute
from bot.app.web import create_app
from bot.core.config import RepoConfig
from bot.core.facts_cache import MemoryFactsCache
from bot.core.refresh import refresh
from bot.core.snapshot import MemorySnapshot
from bot.sandbox import SandboxHandle, start_sandbox
from bot.settings import Settings
from tests.helpers.sandbox import git, installation_client, make_repo

OWNER, NAME = "octo", "shop"
REPO = f"{OWNER}/{NAME}"
SECRET = "preview-and-commands-secret"
DOC = ".context/docs/data-flow.md"

DOC_TEMPLATE = """# Data Flow & Integrations

How requests and data move through the shop.

<!-- agent-update:start:data-flow -->
## High-level Flow

TODO

## Internal Movement

TODO

## External Integrations

TODO

## Observability & Failure Modes

TODO
<!-- agent-update:end -->
"""

CODE = {
    "requirements.txt": "flask>=3\n",
    "shop/__init__.py": "",
    "shop/web.py": (
        "from flask import Flask\n\nfrom shop import orders\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/orders")\ndef list_orders():\n    return orders.all_orders()\n'
    ),
    "shop/orders.py": "def all_orders():\n    return []\n",
    "tests/test_orders.py": "from shop import orders\n\n\ndef test_all():\n    assert orders\n",
}
# A change that adds an integration: the docs' External Integrations would change.
STRIPE = {
    "requirements.txt": "flask>=3\nstripe>=8\n",
    "shop/payments.py": "import stripe\n\n\ndef charge():\n    return stripe.Charge.create()\n",
}


def fresh_doc(files: Mapping[str, str]) -> str:
    """The doc as the bot would write it for `files` (so `main` starts fresh)."""
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    from bot.local.catalog_file import default_catalog

    result = refresh(snapshot, RepoConfig(), cache=MemoryFactsCache(), catalog=default_catalog())
    assert not result.problems, result.problems
    return result.changes[0].new if result.changes else files[DOC]


def initial_files(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    files = {**CODE, DOC: DOC_TEMPLATE, **(extra or {})}
    files[DOC] = fresh_doc(files)
    return files


class Harness:
    def __init__(self, sb: SandboxHandle, queue: Queue, ctx: Any, path: Path) -> None:
        self.sb = sb
        self.queue = queue
        self.ctx = ctx
        self.path = path
        self.outcomes: list[tuple[str, str]] = []
        self._client: Any = None

    # --- people, through the sandbox's admin endpoints -----------------------------

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        return self.sb.admin(method, path, payload)

    def commit(self, user: str, branch: str, files: Mapping[str, str | None], **extra: Any) -> str:
        data = {"user": user, "branch": branch, "files": dict(files), "message": "change", **extra}
        return str(self.admin("POST", f"/_sandbox/repos/{REPO}/commits", data)["sha"])

    def open_pull(self, user: str, head: str, **extra: Any) -> int:
        data = {"user": user, "head": head, "title": "A change", **extra}
        return int(
            self.admin("POST", f"/_sandbox/repos/{REPO}/pulls", data)["pull_request"]["number"]
        )

    def comment(self, user: str, number: int, body: str, **extra: Any) -> dict[str, Any]:
        path = f"/_sandbox/repos/{REPO}/issues/{number}/comments"
        return dict(self.admin("POST", path, {"user": user, "body": body, **extra})["comment"])

    def add_collaborator(self, login: str, permission: str) -> None:
        data = {"login": login, "permission": permission}
        self.admin("POST", f"/_sandbox/repos/{REPO}/collaborators", data)

    # --- the worker ----------------------------------------------------------------

    def run_jobs(self, limit: int = 40) -> list[tuple[str, str]]:
        """Run every queued job to its end in this thread; returns (job, outcome) pairs."""
        ran: list[tuple[str, str]] = []
        for _ in range(limit):
            task = self.queue.huey.dequeue()
            if task is None:
                self.outcomes += ran
                return ran
            message = Message.from_dict(task.args[0])
            ran.append((message.job.name, execute(self.queue, self.ctx, message)))
        raise AssertionError(f"the queue did not drain in {limit} jobs: {ran}")

    # --- what GitHub shows -------------------------------------------------------

    def api(self, path: str) -> Any:
        """A GET as the installation, over HTTP like any client."""
        if self._client is None:
            self._client = installation_client(self.sb)
        return self._client.requester.requestJsonAndCheck("GET", path)[1]

    def comments(self, number: int) -> list[dict[str, Any]]:
        return list(self.api(f"/repos/{REPO}/issues/{number}/comments?per_page=100"))

    def bot_comments(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments(number) if c["user"]["login"] == self.sb.bot_login]

    def reactions(self, comment_id: int) -> list[str]:
        data = self.api(f"/repos/{REPO}/issues/comments/{comment_id}/reactions")
        return sorted(r["content"] for r in data)

    def check_runs(self, sha: str) -> list[dict[str, Any]]:
        return list(self.api(f"/repos/{REPO}/commits/{sha}/check-runs")["check_runs"])

    def annotations(self, check_id: int) -> list[dict[str, Any]]:
        return list(self.api(f"/repos/{REPO}/check-runs/{check_id}/annotations?per_page=100"))

    def head(self, ref: str) -> str:
        return git(self.path, "rev-parse", ref)

    def show(self, ref: str, path: str) -> str:
        return git(self.path, "show", f"{ref}:{path}")

    def requests_made(self, method: str, fragment: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.sb.request_log()
            if r.get("method") == method and fragment in str(r.get("path", ""))
        ]


def start(
    tmp_path: Path, files: Mapping[str, str], forks: Mapping[str, Path] | None = None
) -> Iterator[Harness]:
    repo_path = make_repo(tmp_path / "repos" / NAME, files)
    settings_base = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    queue = build_queue(settings_base)
    app_holder: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, lambda e, s: app_holder["app"](e, s), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    repos: dict[str, Path] = {REPO: repo_path, **(forks or {})}
    fork_parents = {name: REPO for name in (forks or {})}
    try:
        with start_sandbox(
            repos,
            webhook_url=f"http://127.0.0.1:{server.server_port}/webhook",
            webhook_secret=SECRET,
            data_dir=tmp_path / "sandbox",
            forks=fork_parents,
        ) as sb:
            settings = dataclasses.replace(
                settings_base,
                app_id=sb.app_id,
                private_key=sb.private_key_pem,
                github_api_url=sb.api_url,
                github_write_interval=0.0,
            )
            queue.settings = settings
            app_holder["app"] = create_app(settings, queue=queue)
            yield Harness(sb, queue, queue.context(), repo_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        queue.huey.storage.close()
