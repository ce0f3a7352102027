"""`/refresh-docs` end to end: people comment through the sandbox, the bot answers there."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.webhooks import Event
from bot.handlers import router
from bot.service.comments import HELP, PREVIEW_MARKER
from bot.service.warm_states import WarmStates
from tests.app.harness import DOC, REPO, STRIPE, Harness, initial_files, start
from tests.helpers.sandbox import git, make_repo

pytestmark = pytest.mark.slow


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, initial_files())


def stale_pull(h: Harness, branch: str = "add-stripe") -> int:
    """A same-repository PR whose code makes the docs stale (its preview already ran)."""
    h.commit("alice", branch, STRIPE, **{"from": "main", "deliver": False})
    number = h.open_pull("alice", branch)
    h.run_jobs()
    return number


def replies(h: Harness, number: int) -> list[str]:
    return [c["body"] for c in h.bot_comments(number) if PREVIEW_MARKER not in c["body"]]


def test_writer_on_a_same_repo_pull_lands_one_commit_on_its_branch(harness: Harness) -> None:
    number = stale_pull(harness)
    harness.add_collaborator("wendy", "write")
    before = harness.head("add-stripe")
    comment = harness.comment("wendy", number, "Looks good.\n/refresh-docs\n")
    assert ("command", "committed") in harness.run_jobs()
    after = harness.head("add-stripe")
    assert harness.head(f"{after}^") == before  # one commit, on top of the head
    assert "Stripe" in harness.show(after, DOC)
    assert harness.show(after, "shop/payments.py") == harness.show(before, "shop/payments.py")
    assert harness.reactions(comment["id"]) == ["eyes", "rocket"]
    # No force-push: the ref moved as a fast-forward.
    [move] = harness.requests_made("PATCH", "/git/refs/heads/add-stripe")
    assert move["status"] == 200
    # The new head re-runs the preview, which now finds the docs fresh.
    harness.commit("alice", "add-stripe", {"shop/orders.py": "def all_orders():\n    return [1]\n"})
    assert ("preview", "fresh") in harness.run_jobs()


def test_a_command_on_a_pull_request_keeps_the_pull_requests_warm_state(
    harness: Harness,
) -> None:
    number = stale_pull(harness)
    # As if the worker restarted since the preview: no state kept.
    harness.ctx._deps = dataclasses.replace(harness.ctx.deps, warm=WarmStates())
    harness.add_collaborator("wendy", "write")
    evaluated = harness.head("add-stripe")
    harness.comment("wendy", number, "/refresh-docs")
    assert ("command", "committed") in harness.run_jobs()
    kept = harness.ctx.deps.warm
    [key] = [k for k in kept.held() if isinstance(k, tuple) and k[1:] == (REPO, "pull", number)]
    with kept.use(key) as warm:  # the state the next preview of this pull request starts from
        assert warm.repo_facts is not None
        assert warm.repo_facts.source == evaluated


def test_read_only_user_is_refused_politely_and_nothing_is_written(harness: Harness) -> None:
    number = stale_pull(harness)
    harness.add_collaborator("rita", "read")
    before = harness.head("add-stripe")
    harness.sb.clear_request_log()
    comment = harness.comment("rita", number, "/refresh-docs")
    assert harness.run_jobs() == [("command", "refused")]
    assert harness.head("add-stripe") == before
    [reply] = replies(harness, number)
    assert "@rita" in reply
    assert "write, maintain or admin" in reply
    assert harness.reactions(comment["id"]) == []
    writes = [r["path"] for r in harness.sb.request_log() if r["write"]]
    assert [p for p in writes if p.startswith("/repos/")] == [
        f"/repos/{REPO}/issues/{number}/comments"
    ]


def test_help_and_unknown_subcommands_answer_with_the_help_text(harness: Harness) -> None:
    number = stale_pull(harness)
    harness.comment("octo", number, "/refresh-docs help")
    harness.comment("octo", number, "/refresh-docs please")
    assert [o for o in harness.run_jobs() if o[0] == "command"] == [
        ("command", "help"),
        ("command", "unknown"),
    ]
    help_reply, unknown_reply = replies(harness, number)
    assert HELP in help_reply
    assert "`/refresh-docs please`" in unknown_reply
    assert HELP in unknown_reply


def test_the_apps_own_comment_with_the_command_is_ignored(harness: Harness) -> None:
    number = stale_pull(harness)
    before = len(harness.comments(number))
    harness.comment(harness.sb.bot_login, number, "/refresh-docs", user_type="Bot")
    harness.comment("dependabot[bot]", number, "/refresh-docs force", user_type="Bot")
    assert harness.run_jobs() == []  # dropped by the web process: nothing queued
    assert len(harness.comments(number)) == before + 2


def test_command_on_an_issue_opens_the_docs_pull_request_and_links_it(harness: Harness) -> None:
    harness.commit("octo", "main", STRIPE)  # main's docs are now stale
    harness.run_jobs()
    issue = harness.admin("POST", f"/_sandbox/repos/{REPO}/issues", {"user": "octo"})["issue"]
    comment = harness.comment("octo", issue["number"], "/refresh-docs")
    assert ("command", "base-refreshed") in harness.run_jobs()
    [reply] = replies(harness, issue["number"])
    pulls = harness.api(f"/repos/{REPO}/pulls?state=open")
    [docs_pull] = [p for p in pulls if p["head"]["ref"] == "docs-refresh/main"]
    assert docs_pull["html_url"] in reply
    assert harness.reactions(comment["id"]) == ["eyes", "rocket"]


def test_command_on_a_closed_pull_request_says_it_is_closed(harness: Harness) -> None:
    number = stale_pull(harness)
    harness.admin("POST", f"/_sandbox/repos/{REPO}/pulls/{number}/close", {"user": "alice"})
    harness.run_jobs()
    before = harness.head("add-stripe")
    harness.comment("octo", number, "/refresh-docs")
    assert ("command", "closed") in harness.run_jobs()
    assert harness.head("add-stripe") == before
    [reply] = replies(harness, number)
    assert "closed" in reply


@pytest.fixture
def fork_harness(tmp_path: Path) -> Iterator[Harness]:
    files = initial_files()
    fork = make_repo(tmp_path / "repos" / "fork", files)
    yield from start(tmp_path, files, forks={"forker/shop": fork})


def test_fork_pull_gets_the_patch_as_a_reply_and_nothing_is_pushed(fork_harness: Harness) -> None:
    h = fork_harness
    data = {
        "user": "forker",
        "branch": "add-stripe",
        "files": STRIPE,
        "from": "main",
        "deliver": False,
    }
    h.admin("POST", "/_sandbox/repos/forker/shop/commits", data)
    pull = h.admin(
        "POST",
        f"/_sandbox/repos/{REPO}/pulls",
        {"user": "forker", "head": "forker:add-stripe", "head_repo": "forker/shop"},
    )["pull_request"]
    number = int(pull["number"])
    h.run_jobs()
    [preview] = h.bot_comments(number)
    assert "apps cannot push to forks" in preview["body"]
    h.sb.clear_request_log()
    comment = h.comment("octo", number, "/refresh-docs")
    assert ("command", "patch") in h.run_jobs()
    [reply] = replies(h, number)
    assert "git apply" in reply
    assert f"+++ b/{DOC}" in reply
    assert "Stripe" in reply
    assert h.reactions(comment["id"]) == ["eyes", "rocket"]
    writes = [r["path"] for r in h.sb.request_log() if r["write"]]
    assert [p for p in writes if p.startswith("/repos/")] == [
        f"/repos/{REPO}/issues/comments/{comment['id']}/reactions",
        f"/repos/{REPO}/issues/{number}/comments",
        f"/repos/{REPO}/issues/comments/{comment['id']}/reactions",
    ]


def _comment_event(action: str, body: str = "/refresh-docs", **user: Any) -> Event:
    payload = {
        "action": action,
        "installation": {"id": 1},
        "repository": {"full_name": REPO, "default_branch": "main"},
        "issue": {"number": 3, "pull_request": {"url": "x"}},
        "comment": {
            "id": 9,
            "body": body,
            "author_association": "OWNER",
            "user": {"login": "octo", "type": "User", **user},
        },
    }
    return Event("issue_comment", "delivery-1", payload)


@pytest.mark.parametrize("action", ["edited", "deleted"])
def test_edited_and_deleted_comments_do_nothing(action: str) -> None:
    assert router.dispatch(_comment_event(action)) == []


def test_a_created_command_comment_is_queued_once_with_its_own_key() -> None:
    [job] = router.dispatch(_comment_event("created"))
    assert job.name == "command"  # type: ignore[union-attr]
    assert router.dispatch(_comment_event("created", body="no command here")) == []
    assert router.dispatch(_comment_event("created", type="Bot")) == []


def test_force_on_an_issue_announces_then_takes_over_a_persons_docs_branch(
    harness: Harness,
) -> None:
    harness.commit("octo", "main", STRIPE)
    harness.run_jobs()  # the push refresh opens docs-refresh/main
    harness.commit("pat", "docs-refresh/main", {"notes.txt": "mine\n"})
    harness.run_jobs()
    issue = harness.admin("POST", f"/_sandbox/repos/{REPO}/issues", {"user": "octo"})["issue"]
    harness.comment("octo", issue["number"], "/refresh-docs")
    assert ("command", "failed") in harness.run_jobs()  # blocked without force
    assert "force" in replies(harness, issue["number"])[-1]
    harness.comment("octo", issue["number"], "/refresh-docs force")
    assert ("command", "base-refreshed") in harness.run_jobs()
    takeover, link = replies(harness, issue["number"])[-2:]
    assert "Taking over `docs-refresh/main`" in takeover
    assert "/pull/" in link
    tip = harness.head("docs-refresh/main")
    assert git(harness.path, "log", "-1", "--format=%an", tip) != "pat"
    assert harness.head(f"{tip}^") == harness.head("main")


HAND_NOTE = "Orders arrive through the web app; see the ops runbook."


@pytest.fixture
def edited_harness(tmp_path: Path) -> Iterator[Harness]:
    files = initial_files()
    intro = "Work enters through"
    assert intro in files[DOC]
    files[DOC] = files[DOC].replace(intro, f"{HAND_NOTE}\n\n{intro}", 1)
    yield from start(tmp_path, files)


def test_hand_edits_are_kept_and_announced_then_force_overwrites_them(
    edited_harness: Harness,
) -> None:
    h = edited_harness
    number = stale_pull(h)
    [preview] = h.bot_comments(number)
    assert "High-level Flow was edited by hand" in preview["body"]
    h.comment("octo", number, "/refresh-docs")
    assert ("command", "committed") in h.run_jobs()
    kept = h.show("add-stripe", DOC)
    assert HAND_NOTE in kept
    assert "Stripe" in kept
    assert "Generated text edited by hand was kept" in replies(h, number)[-1]
    h.comment("octo", number, "/refresh-docs force")
    assert ("command", "committed") in h.run_jobs()
    forced = h.show("add-stripe", DOC)
    assert HAND_NOTE not in forced
    assert "Stripe" in forced
