"""Reusable pieces for tests that need GitHub: real git repositories in tmp dirs, a real
webhook receiver, and the sandbox with a PyGithub client pointed at it.

Reuse from any test package by importing the fixtures into its conftest.py:

    from tests.helpers.sandbox import (  # noqa: F401
        sandbox, sandbox_data_dir, sandbox_repo, sandbox_template_repo, webhook_receiver,
    )

or call the plain functions (`make_repo`, `commit_files`, `WebhookReceiver`, `app_client`,
`installation_client`) from your own fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from github import Auth, Github, GithubIntegration

from bot.sandbox import SandboxHandle, start_sandbox

OWNER = "octo"
REPO = "demo"
FULL_NAME = f"{OWNER}/{REPO}"
WEBHOOK_SECRET = "It's a Secret to Everybody"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ann Author",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Ann Author",
    "GIT_COMMITTER_EMAIL": "ann@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}
DEFAULT_FILES = {
    "README.md": "# demo\n",
    "app/web.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "app/models.py": "import sqlalchemy\n",
    ".context/docs/data-flow.md": (
        "<!-- agent-update:start:data-flow -->\nold\n<!-- agent-update:end -->\n"
    ),
}


def git(path: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(path), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_GIT_ENV},
    )
    return out.stdout.strip()


def make_repo(path: Path, files: Mapping[str, str] | None = None, *, branch: str = "main") -> Path:
    """A git repository at `path` with one commit of `files` on `branch`."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "--template=", "-b", branch)  # no sample hooks: cheaper to copy
    commit_files(path, dict(DEFAULT_FILES if files is None else files), "initial commit")
    return path


def commit_files(path: Path, files: Mapping[str, str | None], message: str) -> str:
    """Commit `files` (None deletes) on the checked-out branch; returns the new SHA."""
    for rel, text in files.items():
        target = path / rel
        if text is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(path, "add", "-A", "--", *files)  # one git process: forks are the cost here
    git(path, "commit", "-q", "-m", message)
    return git(path, "rev-parse", "HEAD")


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> str:
        return self.headers["x-github-event"]

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """A real HTTP server that records every POST and answers 202."""

    def __init__(self) -> None:
        self.received: list[Delivery] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append(
                    Delivery(
                        {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                    )
                )
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhook"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def forbid_check_runs(sb: SandboxHandle) -> None:
    """Check runs answer 403 from now on, as for an App installed without checks:write."""
    sb.inject_fault(
        "server_error",
        status=403,
        message="Resource not accessible by integration",
        method="POST",
        path="*/check-runs",
    )


def app_client(sb: SandboxHandle) -> GithubIntegration:
    """PyGithub authenticated as the app (JWT), with its client-side throttling off."""
    return GithubIntegration(
        auth=Auth.AppAuth(sb.app_id, sb.private_key_pem),
        base_url=sb.api_url,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def installation_client(sb: SandboxHandle, *, retry: int | None = 0) -> Github:
    """PyGithub authenticated as the installation, as the bot would be."""
    auth = Auth.AppAuth(sb.app_id, sb.private_key_pem).get_installation_auth(sb.installation_id)
    return Github(
        auth=auth,
        base_url=sb.api_url,
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def sandbox_template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session; each test gets a copy (`sandbox_repo`), no git processes."""
    return make_repo(tmp_path_factory.mktemp("template") / REPO)


@pytest.fixture
def sandbox_repo(tmp_path: Path, sandbox_template_repo: Path) -> Path:
    """`octo/demo` on disk: a real repository with DEFAULT_FILES on main (a fresh copy)."""
    return Path(shutil.copytree(sandbox_template_repo, tmp_path / "repos" / REPO, symlinks=True))


@pytest.fixture(scope="session")
def sandbox_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One app key pair for the session: generating an RSA key costs ~0.1 s per sandbox."""
    return tmp_path_factory.mktemp("sandbox-data")


@pytest.fixture
def sandbox(
    sandbox_repo: Path, webhook_receiver: WebhookReceiver, sandbox_data_dir: Path
) -> Iterator[SandboxHandle]:
    """A running sandbox serving `octo/demo`, delivering webhooks to `webhook_receiver`."""
    with start_sandbox(
        {FULL_NAME: sandbox_repo},
        webhook_url=webhook_receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        data_dir=sandbox_data_dir,
    ) as handle:
        yield handle
