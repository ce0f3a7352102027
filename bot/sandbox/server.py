"""Run the sandbox: a real HTTP server (werkzeug, threaded) in a background thread.

with start_sandbox({"octo/demo": Path("demo")}, webhook_url=url) as sb:
    gh = Github(base_url=sb.api_url, auth=AppAuth(sb.app_id, sb.private_key_pem)
                .get_installation_auth(sb.installation_id))
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bot.sandbox.admin import FAULT_KINDS, make_fault
from bot.sandbox.app import create_app
from bot.sandbox.auth import TOKEN_TTL, load_or_create_key, public_key_pem
from bot.sandbox.gitrepo import GitRepo
from bot.sandbox.rest import Context
from bot.sandbox.store import APP_ID, APP_SLUG, BOT_LOGIN, INSTALLATION_ID, Store
from bot.sandbox.webhooks import Outbox

DEFAULT_WEBHOOK_SECRET = "sandbox-webhook-secret"  # noqa: S105  # a local demo's default, printed at start


class _QuietHandler(WSGIRequestHandler):
    """No per-request line on stderr: the request log is the record (`/_sandbox/requests`)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class SandboxHandle:
    """A running sandbox. Thread-safe; `stop()` (or leaving the `with`) shuts it down."""

    app_id = APP_ID
    installation_id = INSTALLATION_ID
    app_slug = APP_SLUG
    bot_login = BOT_LOGIN

    def __init__(
        self, server: BaseWSGIServer, context: Context, private_key_pem: str, api_url: str
    ) -> None:
        self._server = server
        self._context = context
        self.private_key_pem = private_key_pem
        self.private_key_path = context.private_key_path
        self.api_url = api_url
        self.store = context.store
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox", daemon=True
        )
        self._thread.start()

    @property
    def webhook_secret(self) -> str:
        """What deliveries are signed with (registering the app from a manifest changes it)."""
        return self._context.webhook_secret

    @property
    def webhook_url(self) -> str | None:
        return self._context.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self._context.webhook_url = url

    def info(self) -> dict[str, Any]:
        """The line the CLI prints when ready."""
        return {
            "api_url": self.api_url,
            "app_id": self.app_id,
            "installation_id": self.installation_id,
            "private_key_path": str(self.private_key_path),
            "webhook_secret": self.webhook_secret,
        }

    def request_log(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [dict(r) for r in self.store.requests]

    def clear_request_log(self) -> None:
        with self.store.lock:
            self.store.requests.clear()

    def deliveries(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [dict(d) for d in self.store.deliveries]

    def inject_fault(
        self,
        kind: str,
        *,
        count: int = 1,
        method: str | None = None,
        path: str = "*",
        status: int | None = None,
        message: str | None = None,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> None:
        """The next `count` API requests matching `method` and `path` (an fnmatch pattern)
        fail as `kind`: server_error (502), secondary_limit (403 + retry-after),
        primary_limit (403, remaining 0), unprocessable (422 not a fast forward), or delay."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        spec = {
            "count": count,
            "method": method,
            "path": path,
            "status": status,
            "message": message,
            "retry_after": retry_after,
            "delay": delay,
        }
        with self.store.lock:
            self.store.faults.append(make_fault(kind, spec))

    def add_collaborator(
        self, repo: str, login: str, permission: str = "write", user_type: str = "User"
    ) -> None:
        self.admin(
            "POST",
            f"/_sandbox/repos/{repo}/collaborators",
            {"login": login, "permission": permission, "type": user_type},
        )

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        """Call an `/_sandbox/…` endpoint over HTTP; raises on a non-2xx answer."""
        resp = requests.request(method, f"{self.api_url}{path}", json=payload, timeout=30)
        if resp.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text}")
        return resp.json() if resp.content else None

    def wait_for_deliveries(self) -> None:
        """Block until the webhooks echoed for API writes (`api_webhooks`) have been sent."""
        if self._context.outbox is not None:
            self._context.outbox.drain()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._context.outbox is not None:
            self._context.outbox.close()
        for repo in list(self.store.repos.values()):
            repo.git.close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    repos: Mapping[str, Path],
    *,
    webhook_url: str | None = None,
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
    data_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    forks: Mapping[str, str] | None = None,
    token_ttl: float = TOKEN_TTL,
    api_webhooks: bool = False,
    clock: Callable[[], float] = time.time,
) -> SandboxHandle:
    """Serve `repos` ({"owner/name": path to a git repository}) on `host:port` (0: a free port).

    `forks` maps a fork's full name to its parent's (both must be in `repos`). The app key
    pair is loaded from `data_dir` or generated there (a temporary directory when None).
    `api_webhooks` also delivers the webhooks the app's own writes cause (push, pull_request,
    issue_comment), as GitHub does; off by default so a test sees only the events it makes.
    """
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="docs-refresh-sandbox-"))
    data_dir = Path(data_dir).resolve()  # the printed key path must work from any folder
    key_path, pem = load_or_create_key(data_dir)
    store = Store(clock)
    forks = dict(forks or {})
    for full_name in sorted(repos, key=lambda n: n in forks):  # parents before forks
        store.add_repo(full_name, GitRepo(Path(repos[full_name])), fork_of=forks.get(full_name))
    context = Context(
        store=store,
        public_key=public_key_pem(pem),
        private_key_path=key_path,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret or secrets.token_hex(16),
        token_ttl=token_ttl,
        api_webhooks=api_webhooks,
        outbox=Outbox(store),
    )
    server = make_server(
        host, port, create_app(context), threaded=True, request_handler=_QuietHandler
    )
    api_url = f"http://{host}:{server.port}"
    return SandboxHandle(server, context, pem.decode(), api_url)
