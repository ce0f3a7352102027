"""`docs-refresh sandbox` as a newcomer runs it: a process that prints one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from github import Auth, Github

from tests.helpers.sandbox import FULL_NAME, git, make_repo

READY_TIMEOUT = 20


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until ready or until the process dies
        if not line:
            raise AssertionError(proc.stderr.read() if proc.stderr else "no output")
        return proc, json.loads(line)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_cli_prints_ready_line_and_serves_the_repository(run_cli: Any, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "demo")
    data = tmp_path / "data"
    proc, info = run_cli("--repo", f"{FULL_NAME}={repo}", "--port", "0", "--data-dir", str(data))
    assert set(info) == {
        "api_url",
        "app_id",
        "installation_id",
        "private_key_path",
        "webhook_secret",
    }
    key = Path(info["private_key_path"]).read_text()
    auth = Auth.AppAuth(info["app_id"], key).get_installation_auth(info["installation_id"])
    gh = Github(auth=auth, base_url=info["api_url"], seconds_between_requests=None)
    sha = gh.get_repo(FULL_NAME).get_branch("main").commit.sha
    assert sha == git(repo, "rev-parse", "main")
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    # A second start with the same data dir keeps the app's key pair.
    _, again = run_cli("--repo", f"{FULL_NAME}={repo}", "--data-dir", str(data))
    assert Path(again["private_key_path"]).read_text() == key


def test_cli_rejects_a_malformed_repo_option(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--repo", "no-equals-sign"],
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert "--repo takes OWNER/NAME=PATH" in done.stderr
