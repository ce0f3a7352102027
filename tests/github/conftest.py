"""A sandbox (GitHub over real HTTP and real git) with one repository, and gateways to it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.github.auth import ClientOptions
from bot.github.factory import gateway_factory
from bot.local.facts_cache import SqliteFactsCache
from bot.sandbox.server import SandboxHandle, start_sandbox
from bot.service.ports import GatewayFactory
from bot.settings import Settings

REPO = "octo/shop"
PERSON = ("Ada Lovelace", "ada@example.com")


def git(path: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": PERSON[0],
        "GIT_AUTHOR_EMAIL": PERSON[1],
        "GIT_COMMITTER_NAME": PERSON[0],
        "GIT_COMMITTER_EMAIL": PERSON[1],
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(path),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


def make_repo(path: Path, files: Mapping[str, str | bytes]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def fast_options(api_url: str) -> ClientOptions:
    # Pacing is a setting: tests lower GitHub's one second between writes.
    return ClientOptions(api_url=api_url, seconds_between_writes=0.0, max_rate_limit_wait=5.0)


def settings_for(sb: SandboxHandle, data_dir: Path) -> Settings:
    return Settings(
        webhook_secret=sb.webhook_secret,
        app_id=sb.app_id,
        private_key=sb.private_key_pem,
        github_api_url=sb.api_url,
        data_dir=data_dir,
    )


@pytest.fixture
def start(tmp_path: Path) -> Iterator[object]:
    """`start(files)` → a running sandbox serving one repository made of `files`."""
    handles: list[SandboxHandle] = []

    def _start(files: Mapping[str, str | bytes]) -> SandboxHandle:
        repo = make_repo(tmp_path / f"repo{len(handles)}", files)
        handle = start_sandbox({REPO: repo}, data_dir=tmp_path / f"sandbox{len(handles)}")
        handles.append(handle)
        return handle

    yield _start
    for handle in handles:
        handle.stop()


@pytest.fixture
def cache(tmp_path: Path) -> SqliteFactsCache:
    return SqliteFactsCache(tmp_path / "data" / "facts.sqlite3")


def gateways(sb: SandboxHandle, cache: SqliteFactsCache, tmp_path: Path) -> GatewayFactory:
    return gateway_factory(settings_for(sb, tmp_path / "data"), cache, fast_options(sb.api_url))


def api_calls(sb: SandboxHandle) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sb.request_log()]


def writes(sb: SandboxHandle) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sb.request_log() if r["write"]]
