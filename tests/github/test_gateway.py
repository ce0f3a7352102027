from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github import GithubException

from bot.core.errors import ConfigError
from bot.github.auth import REFRESH_MARGIN, TokenCache
from bot.local.facts_cache import SqliteFactsCache
from bot.sandbox.server import SandboxHandle
from bot.service.ports import Head, Identity, MissingCommit
from tests.github.conftest import REPO, api_calls, fast_options, gateways, writes

Start = Callable[[dict[str, str | bytes]], SandboxHandle]
FILES: dict[str, str | bytes] = {
    "app.py": "import os\n",
    "docs/data-flow.md": "# Data flow\n",
    **{f"pkg/m{i:02}.py": f"X = {i}\n" for i in range(30)},
}


def test_token_is_fetched_once_for_many_requests(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    for _ in range(3):
        assert gw.branch_head("main") is not None
    tokens = [c for c in api_calls(sb) if c.endswith("/access_tokens")]
    assert len(tokens) == 1


def test_token_is_renewed_shortly_before_expiry(start: Start) -> None:
    sb = start(FILES)
    now = [datetime.now(UTC)]
    tokens = TokenCache(sb.app_id, sb.private_key_pem, fast_options(sb.api_url), lambda: now[0])
    first = tokens.token(sb.installation_id)
    assert tokens.token(sb.installation_id) == first
    assert tokens.fetches == 1
    expiry = tokens._tokens[sb.installation_id].expires_at
    now[0] = expiry - REFRESH_MARGIN + timedelta(seconds=1)
    assert tokens.token(sb.installation_id) != first
    assert tokens.fetches == 2


def test_snapshot_reads_few_blobs_singly_then_the_tarball(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    head = gw.branch_head("main")
    assert head is not None
    snap = gw.snapshot(head)
    assert snap.source == head
    assert [e.path for e in snap.entries()][:2] == ["app.py", "docs/data-flow.md"]
    sb.clear_request_log()
    assert snap.read("app.py") == b"import os\n"
    assert api_calls(sb) == [f"GET /repos/{REPO}/git/blobs/{snap.sha_of('app.py')}"]
    every = {e.path: snap.read(e.path) for e in snap.entries()}
    assert every["pkg/m29.py"] == b"X = 29\n"
    tarballs = [c for c in api_calls(sb) if "/tarball/" in c]
    blobs = [c for c in api_calls(sb) if "/git/blobs/" in c]
    assert len(tarballs) == 1
    assert len(blobs) <= 13  # the budget, then one archive for the other files


def test_kept_docs_are_not_fetched_twice(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    factory = gateways(sb, cache, tmp_path)
    head = factory(sb.installation_id, REPO).branch_head("main")
    assert head is not None
    factory(sb.installation_id, REPO).snapshot(head).read("docs/data-flow.md")
    sb.clear_request_log()
    again = factory(sb.installation_id, REPO).snapshot(head).read("docs/data-flow.md")
    assert again == b"# Data flow\n"
    assert not [c for c in api_calls(sb) if "/git/blobs/" in c]


def test_config_is_read_from_default_branch_or_none(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start({**FILES, ".github/docs-refresh.yml": "comments: false\n"})
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    assert gw.config_text(".github/docs-refresh.yml") == "comments: false\n"
    assert gw.config_text(".github/missing.yml") is None
    assert gw.default_branch() == "main"


def test_write_commit_sets_one_commit_on_parent_with_bot_author(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    head = gw.branch_head("main")
    assert head is not None
    parent = gw.snapshot(head).head
    bot = Identity("docs-refresh[bot]", "bot@example.com")
    sha = gw.write_commit(parent, {"docs/data-flow.md": b"# New\n"}, "msg", bot)
    gw.set_branch("docs-refresh/main", sha, create=True)
    info = gw.commit(sha)
    assert info.parents == (head,)
    assert info.author == info.committer == bot
    assert gw.snapshot(sha).read("docs/data-flow.md") == b"# New\n"
    assert gw.changed_paths(head, "docs-refresh/main") == ("docs/data-flow.md",)
    assert gw.branch_head("main") == head  # the base never moves


def test_get_is_retried_after_a_server_error(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    sb.inject_fault("server_error", method="GET", path="*/git/ref/*")
    assert gw.branch_head("main") is not None


def test_post_is_not_retried_after_a_server_error(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    head = gw.branch_head("main")
    assert head is not None
    sb.inject_fault("server_error", method="POST", path="*/git/trees")
    sb.clear_request_log()
    with pytest.raises(GithubException):
        gw.write_commit(Head(head, head), {"a.md": b"x"}, "m", Identity("b", "b@x"))
    assert writes(sb) == [f"POST /repos/{REPO}/git/trees"]


def test_write_refused_for_rate_waits_retry_after_then_succeeds(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    head = gw.branch_head("main")
    assert head is not None
    sb.inject_fault("secondary_limit", method="POST", path="*/git/refs", retry_after=1)
    gw.set_branch("docs-refresh/main", head, create=True)
    assert gw.branch_head("docs-refresh/main") == head


def test_get_waits_for_the_rate_limit_reset(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    sb.inject_fault("primary_limit", method="GET", path="*/git/ref/*", retry_after=1)
    assert gw.branch_head("main") is not None
    statuses = [r["status"] for r in sb.request_log() if "/git/ref/" in r["path"]]
    assert statuses == [403, 200]


def test_snapshot_of_an_unknown_commit_is_missing(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    with pytest.raises(MissingCommit):
        gw.snapshot("0123456789abcdef0123456789abcdef01234567")


def test_a_revoked_token_is_replaced_once(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start(FILES)
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    assert gw.branch_head("main") is not None
    with sb.store.lock:
        sb.store.tokens.clear()  # GitHub forgot it: revoked, or the app reinstalled
    sb.clear_request_log()
    assert gw.branch_head("main") is not None
    assert [r["status"] for r in sb.request_log()] == [401, 201, 200]


def test_a_config_that_is_not_utf8_is_a_config_error_naming_the_file(
    start: Start, cache: SqliteFactsCache, tmp_path: Path
) -> None:
    sb = start({**FILES, ".github/docs-refresh.yml": b"comments: \xff\xfe\n"})  # type: ignore[dict-item]
    gw = gateways(sb, cache, tmp_path)(sb.installation_id, REPO)
    with pytest.raises(ConfigError) as err:
        gw.config_text(".github/docs-refresh.yml")
    assert err.value.path == ".github/docs-refresh.yml"
    assert "UTF-8" in str(err.value)
