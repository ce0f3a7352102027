"""The App end to end for the request benchmark: sandbox (GitHub over HTTP, real git), the
web app over real HTTP, the real queue (SQLite in a tmp dir) and the real job functions.

The sandbox's admin endpoints act as people and deliver signed webhooks to the app; the
rig then runs the queued jobs one by one, as the consumer would, and attributes the
sandbox's request log to each job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server

from bot.app.jobs import Message
from bot.app.tasks import Queue, build_queue, execute
from bot.app.web import create_app
from bot.sandbox import SandboxHandle, start_sandbox
from bot.settings import Settings

REPO = "octo/bench"
SECRET = "bench-webhook-secret"  # noqa: S105  # signs loopback deliveries only
MAX_JOBS = 50


@dataclass
class Cost:
    """Requests the App made to GitHub while something happened, and what ran."""

    requests: int = 0
    writes: int = 0
    seconds: float = 0.0  # delivery to the last job's end, GitHub's write pacing off
    jobs: list[str] = field(default_factory=list)  # "name=outcome (n requests)"
    calls: list[str] = field(default_factory=list)  # "METHOD /path"


class Rig:
    def __init__(self, sb: SandboxHandle, queue: Queue, url: str) -> None:
        self.sb = sb
        self.queue = queue
        self.url = url
        self.ctx = queue.context()

    # --- people and GitHub -------------------------------------------------------------

    def commit(self, branch: str, files: Mapping[str, str], *, deliver: bool = True) -> Any:
        data = {"user": "ada", "branch": branch, "files": dict(files), "deliver": deliver}
        return self.sb.admin("POST", f"/_sandbox/repos/{REPO}/commits", data)

    def open_pull(self, head: str) -> Any:
        data = {"user": "ada", "head": head, "title": "A change"}
        return self.sb.admin("POST", f"/_sandbox/repos/{REPO}/pulls", data)

    def post(self, event: str, payload: Mapping[str, Any], delivery: str | None = None) -> int:
        """Deliver a signed webhook to the App, as GitHub (or its redelivery) would."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
        }
        return requests.post(self.url, data=body, headers=headers, timeout=30).status_code

    def install(self) -> int:
        payload = {
            "action": "created",
            "installation": {"id": self.sb.installation_id, "account": {"login": "octo"}},
            "repositories": [{"id": 1, "name": REPO.split("/")[1], "full_name": REPO}],
            "sender": {"login": "octo", "type": "User"},
        }
        return self.post("installation", payload)

    # --- the worker --------------------------------------------------------------------

    def run_jobs(self) -> Cost:
        """Run every queued job to its end; the requests each one made."""
        cost = Cost()
        for _ in range(MAX_JOBS):
            task = self.queue.huey.dequeue()
            if task is None:
                return cost
            message = Message.from_dict(task.args[0])
            before = len(self.sb.request_log())
            outcome = execute(self.queue, self.ctx, message)
            made = len(self.sb.request_log()) - before
            cost.jobs.append(f"{message.job.name}={outcome} ({made})")
        raise RuntimeError(f"the queue did not drain in {MAX_JOBS} jobs")

    def measure(self, action: Any) -> Cost:
        """Clear the request log, do `action()` (deliveries), run the jobs, count."""
        self.sb.clear_request_log()
        start = time.perf_counter()
        action()
        cost = self.run_jobs()
        cost.seconds = time.perf_counter() - start
        log = self.sb.request_log()
        cost.requests = len(log)
        cost.writes = sum(1 for r in log if r["write"])
        cost.calls = [f"{r['method']} {r['path']}" for r in log]
        return cost


@contextmanager
def running(workdir: Path, repo_path: Path) -> Iterator[Rig]:
    """The App and the sandbox serving `repo_path` as octo/bench, on loopback ports."""
    base = Settings(webhook_secret=SECRET, data_dir=workdir / "data", log_level="WARNING")
    queue = build_queue(base)
    holder: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/webhook"
    try:
        with start_sandbox(
            {REPO: repo_path}, webhook_url=url, webhook_secret=SECRET, data_dir=workdir / "sb"
        ) as sb:
            # Only the client's pacing is lowered (GitHub asks a second between writes):
            # the number of requests does not depend on it.
            queue.settings = dataclasses.replace(
                base,
                app_id=sb.app_id,
                private_key=sb.private_key_pem,
                github_api_url=sb.api_url,
                github_write_interval=0.0,
            )
            holder["app"] = create_app(queue.settings, queue=queue)
            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
            yield Rig(sb, queue, url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        queue.huey.storage.close()
