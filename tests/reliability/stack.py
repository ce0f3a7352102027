"""The bot as deployed, for the reliability tests: the sandbox as GitHub (in this process),
serving two repositories of one installation (`octo/shop`, and `octo/depot` beside it),
`docs-refresh serve` (gunicorn) and `docs-refresh worker` as real processes, SQLite under
DATA_DIR or a real redis-server. Everything binds loopback.

Workers can be started, `kill -9`ed and restarted; the sandbox's `delay` fault holds a
worker at a chosen request so the kill lands at a known point of a refresh.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bot.app.tasks import Queue, build_queue
from bot.app.webhooks import sign
from bot.sandbox import SandboxHandle, start_sandbox
from bot.service.publishing import State
from bot.settings import Settings
from tests.app.harness import CODE, DOC, DOC_TEMPLATE, fresh_doc
from tests.app.processes import LIVE, ROOT, docs_refresh, healthy, http, process_env
from tests.helpers.redis import free_port
from tests.helpers.sandbox import git, installation_client, make_repo

OWNER, NAME = "octo", "shop"
REPO = f"{OWNER}/{NAME}"
# A second repository of the same installation, the same files: work on one must not hold
# up the other.
OTHER = f"{OWNER}/depot"
SECRET = "reliability-webhook-secret-5f1c"
BOT_BRANCH = "docs-refresh/main"


def shop_files() -> dict[str, str]:
    files = {**CODE, DOC: DOC_TEMPLATE}
    files[DOC] = fresh_doc(files)
    return files


@dataclasses.dataclass
class Stack:
    tmp: Path
    sb: SandboxHandle
    repo_path: Path
    env: dict[str, str]
    port: int
    redis_url: str | None
    logs: list[Path] = dataclasses.field(default_factory=list)
    procs: dict[str, subprocess.Popen[bytes]] = dataclasses.field(default_factory=dict)
    _client: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    # --- processes -----------------------------------------------------------------

    def start(self, name: str, args: list[str], extra: Mapping[str, str] | None = None) -> None:
        log = self.tmp / f"{name}.log"
        self.logs.append(log)
        out = log.open("ab")
        proc = subprocess.Popen(
            args, env={**self.env, **(extra or {})}, cwd=ROOT, stdout=out, stderr=out
        )
        out.close()
        self.procs[name] = proc
        LIVE.append(proc)

    def start_web(self, name: str = "web", port: int | None = None, workers: int = 2) -> int:
        port = port or self.port
        extra = {
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            # The config file binds 0.0.0.0 for platforms; tests stay on loopback.
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
        }
        self.start(name, docs_refresh("serve"), extra)
        self.wait(lambda: healthy(port), 20, f"{name} to answer /healthz")
        return port

    def start_worker(self, name: str = "worker", threads: int = 1) -> None:
        self.start(name, docs_refresh("worker", "--threads", str(threads)))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(timeout=10)
        if proc in LIVE:
            LIVE.remove(proc)

    def stop_all(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self.procs.pop(name)
            if proc in LIVE:
                LIVE.remove(proc)

    def wait(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                break
            time.sleep(0.05)
        tails = "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.logs
        )
        raise AssertionError(f"timed out waiting for {what}\n{tails}")

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    # --- the queue, as any process sees it ------------------------------------------

    def settings(self) -> Settings:
        return Settings(
            webhook_secret=SECRET,
            data_dir=self.tmp / "data",
            redis_url=self.redis_url,
            app_id=self.sb.app_id,
            private_key=self.sb.private_key_pem,
            github_api_url=self.sb.api_url,
            github_write_interval=0.0,
        )

    @contextmanager
    def queue(self) -> Iterator[Queue]:
        queue = build_queue(self.settings())
        try:
            yield queue
        finally:
            if self.redis_url:
                queue.huey.storage.pool.disconnect()
            else:
                queue.huey.storage.close()

    # --- deliveries and people ------------------------------------------------------

    def post(
        self, event: str, payload: Any, delivery: str, *, secret: str = SECRET
    ) -> tuple[int, bytes]:
        body = json.dumps(payload).encode()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(body, secret),
            "Content-Type": "application/json",
        }
        return http("POST", self.url, body, headers)

    def commit(
        self, user: str, branch: str, files: Mapping[str, str | None], repo: str = REPO
    ) -> dict[str, Any]:
        data = {"user": user, "branch": branch, "files": dict(files), "message": "change"}
        return dict(self.sb.admin("POST", f"/_sandbox/repos/{repo}/commits", data))

    # --- what GitHub shows -----------------------------------------------------------

    def api(self, path: str) -> Any:
        if self._client is None:
            self._client = installation_client(self.sb)
        return self._client.requester.requestJsonAndCheck("GET", path)[1]

    def pulls(self, repo: str = REPO) -> list[dict[str, Any]]:
        return list(self.api(f"/repos/{repo}/pulls?state=all&per_page=100"))

    def bot_comments(self, number: int) -> list[dict[str, Any]]:
        data = self.api(f"/repos/{REPO}/issues/{number}/comments?per_page=100")
        return [c for c in data if c["user"]["login"] == self.sb.bot_login]

    def head(self, ref: str) -> str | None:
        try:
            return git(self.repo_path, "rev-parse", "--verify", "-q", ref)
        except subprocess.CalledProcessError:
            return None

    def show(self, ref: str, path: str) -> str:
        """A file's exact text at `ref` (no stripping)."""
        out = subprocess.run(
            ["git", "-C", str(self.repo_path), "show", f"{ref}:{path}"],
            check=True,
            capture_output=True,
        )
        return out.stdout.decode()

    def requests(self, method: str, fragment: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.sb.request_log()
            if r.get("method") == method
            and fragment in str(r.get("path", ""))
            and int(r.get("status") or 0) < 400
        ]

    def pr_state(self) -> State | None:
        pulls = self.pulls()
        return State.from_body(pulls[0]["body"] or "") if pulls else None


@contextmanager
def stack(tmp: Path, redis_url: str | None = None) -> Iterator[Stack]:
    """The sandbox serving octo/shop and octo/depot (docs fresh on main); processes started
    by the test."""
    repo_path = make_repo(tmp / "repos" / NAME, shop_files())
    other_path = make_repo(tmp / "repos" / OTHER.partition("/")[2], shop_files())
    port = free_port()
    with ExitStack() as exits:
        sb = exits.enter_context(
            start_sandbox(
                {REPO: repo_path, OTHER: other_path},
                webhook_url=f"http://127.0.0.1:{port}/webhook",
                webhook_secret=SECRET,
                data_dir=tmp / "sandbox",
            )
        )
        extra = {
            "WEBHOOK_SECRET": SECRET,
            "APP_ID": str(sb.app_id),
            "PRIVATE_KEY_PATH": str(sb.private_key_path),
            "GITHUB_API_URL": sb.api_url,
            "GITHUB_WRITE_INTERVAL": "0",
            "WORKER_THREADS": "1",
            "SETTLE_SECONDS": "0",  # the burst test sets the deployed default back
        }
        if redis_url:
            extra["REDIS_URL"] = redis_url
        env = process_env(tmp, extra)
        st = Stack(tmp, sb, repo_path, env, port, redis_url)
        try:
            yield st
        finally:
            st.stop_all()
