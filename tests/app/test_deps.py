from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.app.deps import build_deps
from bot.local.facts_cache import SqliteFactsCache
from bot.sandbox.server import start_sandbox
from bot.service.refresh import RefreshRequest, refresh_branch
from tests.github.conftest import REPO, make_repo, settings_for
from tests.service.conftest import example_files


def test_build_deps_refreshes_through_the_settings_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "shop", example_files())
    with start_sandbox({REPO: repo}, data_dir=tmp_path / "sb") as sb:
        settings = dataclasses.replace(
            settings_for(sb, tmp_path / "data"), github_write_interval=0.0
        )
        deps = build_deps(settings, None)
        assert isinstance(deps.facts_cache, SqliteFactsCache)
        assert deps.facts_cache.path == tmp_path / "data" / "facts.sqlite3"
        outcome = refresh_branch(RefreshRequest(sb.installation_id, REPO, "main"), deps)
        assert outcome.action == "opened"
        assert outcome.pr_url.endswith(f"/{REPO}/pull/1")
