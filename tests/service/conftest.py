"""The example shop served by a sandbox, and the service's dependencies pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.local.catalog_file import default_catalog
from bot.local.facts_cache import SqliteFactsCache
from bot.sandbox.server import SandboxHandle, start_sandbox
from bot.service.refresh import RefreshOutcome, RefreshRequest, ServiceDeps, refresh_branch
from tests.github.conftest import REPO, gateways, make_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
DOC = ".context/docs/data-flow.md"


def example_files() -> dict[str, str | bytes]:
    return {
        str(p.relative_to(EXAMPLE)): p.read_bytes()
        for p in sorted(EXAMPLE.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@dataclass
class Shop:
    sb: SandboxHandle
    deps: ServiceDeps

    def commit(self, files: dict[str, str | None], branch: str = "main", user: str = "ada") -> Any:
        """A person's commit (no webhook: the test calls the service itself)."""
        payload = {"branch": branch, "files": files, "user": user, "deliver": False}
        return self.sb.admin("POST", f"/_sandbox/repos/{REPO}/commits", payload)

    def refresh(
        self,
        changed: tuple[str, ...] | None = None,
        before: str | None = None,
        force: bool = False,
    ) -> RefreshOutcome:
        request = RefreshRequest(
            self.sb.installation_id,
            REPO,
            "main",
            force=force,
            reason="push",
            changed_paths=changed,
            before=before,
            default_branch="main",
        )
        return refresh_branch(request, self.deps)

    def pulls(self) -> list[Any]:
        with self.sb.store.lock:
            return [i for i in self.sb.store.issues.values() if i.pull is not None]

    def file_at(self, ref: str, path: str) -> bytes:
        repo = self.sb.store.repos[REPO]
        return repo.git.git("show", f"{ref}:{path}")

    def writes(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.sb.request_log() if r["write"]]


def start_shop(tmp_path: Path, files: dict[str, str | bytes]) -> Shop:
    sb = start_sandbox({REPO: make_repo(tmp_path / "shop", files)}, data_dir=tmp_path / "sb")
    cache = SqliteFactsCache(tmp_path / "data" / "facts.sqlite3")
    deps = ServiceDeps(
        gateways=gateways(sb, cache, tmp_path), facts_cache=cache, catalog=default_catalog()
    )
    return Shop(sb, deps)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    handle = start_shop(tmp_path, example_files())
    yield handle
    handle.sb.stop()
