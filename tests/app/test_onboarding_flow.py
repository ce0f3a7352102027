"""Onboarding against the sandbox, with the real web app, queue and service: an installed
repository without a data-flow doc gets exactly one "Set up docs-refresh" pull request;
merged, the bot works as usual; closed unmerged, it is never offered again unless asked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.tasks import build_queue
from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.lint import lint_text
from bot.sandbox import start_sandbox
from bot.sandbox.store import Issue
from bot.service.onboarding import DOC_PATH as SCAFFOLD_PATH
from bot.settings import Settings
from tests.app.harness import OWNER, REPO, Harness, start
from tests.app.test_installation_flow import SECRET, Flow, installation, repos
from tests.helpers.sandbox import git, make_repo

pytestmark = pytest.mark.slow

SHOP = {
    "README.md": "# shop\n",
    "app.py": (
        "import os\n\nimport psycopg\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        "db = psycopg.connect(os.environ['DATABASE_URL'])\n\n\n"
        "@app.post('/orders')\ndef create_order():\n    return {}\n"
    ),
    "requirements.txt": "flask\npsycopg\n",
}
ONBOARDING = "docs-refresh/onboarding"


def make_flow(tmp_path: Path, *, onboarding: bool = True) -> Iterator[Flow]:
    root = tmp_path / "repos"
    make_repo(root / "shop", SHOP)
    with start_sandbox(
        {"octo/shop": root / "shop"}, webhook_secret=SECRET, data_dir=tmp_path / "sandbox"
    ) as sb:
        settings = Settings(
            webhook_secret=SECRET,
            data_dir=tmp_path / "data",
            app_id=sb.app_id,
            private_key=sb.private_key_pem,
            github_api_url=sb.api_url,
            github_write_interval=0.0,
            onboarding=onboarding,
        )
        queue = build_queue(settings)
        yield Flow(sb, queue, queue.context(), root)
        queue.huey.storage.close()


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    yield from make_flow(tmp_path)


def pulls(flow: Flow) -> list[Issue]:
    with flow.sb.store.lock:
        return sorted(
            (i for i in flow.sb.store.issues.values() if i.pull is not None),
            key=lambda i: i.number,
        )


def install(flow: Flow, delivery: str) -> list[tuple[str, str]]:
    payload = installation(flow, "created", repositories=repos("shop"))
    assert flow.deliver("installation", payload, delivery) == 202
    return flow.run_jobs()


def show(flow: Flow, ref: str, path: str) -> str:
    return git(flow.repos / "shop", "show", f"{ref}:{path}")


def push(flow: Flow, before: str, delivery: str) -> None:
    payload = {
        "ref": "refs/heads/main",
        "before": before,
        "repository": {"full_name": "octo/shop", "default_branch": "main"},
        "installation": {"id": flow.sb.installation_id},
    }
    assert flow.deliver("push", payload, delivery) == 202


def test_install_without_docs_opens_exactly_one_onboarding_pull_request(flow: Flow) -> None:
    main = git(flow.repos / "shop", "rev-parse", "main")
    assert install(flow, "i-1") == [("install", "queued"), ("onboard", "opened")]
    (pr,) = pulls(flow)
    assert pr.title == "Set up docs-refresh"
    assert pr.pull is not None
    assert (pr.pull.head_ref, pr.pull.base_ref, pr.state) == (ONBOARDING, "main", "open")
    assert git(flow.repos / "shop", "rev-parse", "main") == main  # nothing on the base
    changed = git(flow.repos / "shop", "diff", "--name-only", f"main...{ONBOARDING}").split()
    assert changed == sorted([CONFIG_PATH, SCAFFOLD_PATH])
    doc = show(flow, ONBOARDING, SCAFFOLD_PATH)
    assert lint_text(doc, SCAFFOLD_PATH) == []
    assert "/orders" in doc  # the entry point
    assert "PostgreSQL" in doc
    assert "`app.py:" in doc  # claims cite their evidence
    config = show(flow, ONBOARDING, CONFIG_PATH)
    assert parse_repo_config(config, CONFIG_PATH) == RepoConfig()
    body = pr.body or ""
    assert "Close this pull request and docs-refresh will not open it again" in body
    assert "1 entry point, 1 datastore and 0 external integrations" in body
    assert "<!-- docs-refresh:onboarding {" in body
    # Installed again while it is open, or another repository event: still one.
    assert install(flow, "i-2") == [("install", "queued"), ("onboard", "open")]
    assert len(pulls(flow)) == 1


def test_merged_onboarding_means_the_next_push_refreshes_as_usual(flow: Flow) -> None:
    install(flow, "i-1")
    (pr,) = pulls(flow)
    flow.sb.admin(
        "POST",
        f"/_sandbox/repos/octo/shop/pulls/{pr.number}/close",
        {"user": "octo", "merge": True},
    )
    merged = git(flow.repos / "shop", "rev-parse", "main")
    code = "import redis\n\ncache = redis.Redis.from_url('redis://cache:6379/0')\n"
    flow.sb.admin(
        "POST",
        "/_sandbox/repos/octo/shop/commits",
        {"user": "octo", "branch": "main", "files": {"cache.py": code}, "deliver": False},
    )
    push(flow, merged, "p-1")
    assert flow.run_jobs() == [("refresh", "opened")]
    docs_pr = pulls(flow)[-1]
    assert docs_pr.pull is not None
    assert docs_pr.pull.head_ref == "docs-refresh/main"
    assert "Redis" in show(flow, "docs-refresh/main", SCAFFOLD_PATH)
    assert install(flow, "i-2") == [("install", "queued"), ("refresh", "unchanged")]
    assert len(pulls(flow)) == 2


def test_closed_unmerged_onboarding_is_never_opened_again(flow: Flow) -> None:
    install(flow, "i-1")
    (pr,) = pulls(flow)
    flow.sb.admin("POST", f"/_sandbox/repos/octo/shop/pulls/{pr.number}/close", {"user": "octo"})
    assert install(flow, "i-2") == [("install", "queued"), ("onboard", "declined")]
    payload = installation(flow, "added", repositories_added=repos("shop"))
    assert flow.deliver("installation_repositories", payload, "a-1") == 202
    assert flow.run_jobs() == [("install", "queued"), ("onboard", "declined")]
    assert [p.number for p in pulls(flow)] == [pr.number]


def test_onboarding_switched_off_leaves_the_repository_alone(tmp_path: Path) -> None:
    for flow in make_flow(tmp_path, onboarding=False):
        assert install(flow, "i-1") == [("install", "nothing")]
        assert pulls(flow) == []
        assert "onboarding" not in git(flow.repos / "shop", "branch", "--list")


def test_a_persons_commit_on_the_onboarding_branch_is_never_moved(flow: Flow) -> None:
    flow.sb.admin(
        "POST",
        "/_sandbox/repos/octo/shop/commits",
        {"user": "ann", "branch": ONBOARDING, "files": {"notes.md": "mine\n"}, "deliver": False},
    )
    tip = git(flow.repos / "shop", "rev-parse", ONBOARDING)
    assert install(flow, "i-1") == [("install", "queued"), ("onboard", "blocked")]
    assert git(flow.repos / "shop", "rev-parse", ONBOARDING) == tip
    assert pulls(flow) == []


# --- asked back with /refresh-docs, through real webhooks (tests/app/harness.py) -------------


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, SHOP)


def onboarding_pulls(h: Harness, state: str = "all") -> list[dict[str, Any]]:
    found = h.api(f"/repos/{REPO}/pulls?state={state}&per_page=100")
    return [p for p in found if p["head"]["ref"] == ONBOARDING]


def closed_onboarding(h: Harness) -> int:
    h.admin("POST", "/_sandbox/installation", {"user": OWNER})
    assert ("onboard", "opened") in h.run_jobs()
    (pr,) = onboarding_pulls(h)
    h.admin("POST", f"/_sandbox/repos/{REPO}/pulls/{pr['number']}/close", {"user": OWNER})
    h.run_jobs()
    h.admin("POST", "/_sandbox/installation", {"user": OWNER})
    assert ("onboard", "declined") in h.run_jobs()
    return int(pr["number"])


def test_a_writers_refresh_docs_on_an_issue_brings_a_closed_onboarding_back(
    harness: Harness,
) -> None:
    closed = closed_onboarding(harness)
    issue = harness.admin("POST", "/_sandbox/issues", {"repo": REPO, "user": OWNER, "title": "x"})
    number = issue["issue"]["number"]
    comment = harness.comment(OWNER, number, "/refresh-docs")
    assert ("command", "base-refreshed") in harness.run_jobs()
    (again,) = onboarding_pulls(harness, "open")
    assert again["number"] != closed
    assert again["title"] == "Set up docs-refresh"
    [reply] = [c["body"] for c in harness.bot_comments(number)]
    assert again["html_url"] in reply
    assert harness.reactions(comment["id"]) == ["eyes", "rocket"]


def test_refresh_docs_on_the_closed_onboarding_pull_request_reopens_it_as_new(
    harness: Harness,
) -> None:
    closed = closed_onboarding(harness)
    harness.comment(OWNER, closed, "/refresh-docs")
    assert ("command", "base-refreshed") in harness.run_jobs()
    (again,) = onboarding_pulls(harness, "open")
    assert again["number"] != closed


def test_a_reader_cannot_bring_it_back(harness: Harness) -> None:
    closed_onboarding(harness)
    harness.add_collaborator("rita", "read")
    issue = harness.admin("POST", "/_sandbox/issues", {"repo": REPO, "user": "rita", "title": "x"})
    harness.comment("rita", issue["issue"]["number"], "/refresh-docs")
    assert ("command", "refused") in harness.run_jobs()
    assert onboarding_pulls(harness, "open") == []
