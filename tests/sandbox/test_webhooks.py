"""Webhooks the sandbox delivers when it acts as a person: signed, and built from real state."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
from pathlib import Path

import pytest
import requests

from bot.sandbox import SandboxHandle, signature, start_sandbox
from tests.helpers.sandbox import (
    FULL_NAME,
    OWNER,
    WEBHOOK_SECRET,
    WebhookReceiver,
    commit_files,
    git,
    installation_client,
    make_repo,
)

ZERO = "0" * 40


def test_signature_matches_githubs_documented_test_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature("It's a Secret to Everybody", b"Hello, World!") == expected


def _verifies(receiver: WebhookReceiver, secret: str) -> list[bool]:
    results = []
    for delivery in receiver.received:
        digest = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        results.append(
            hmac.compare_digest(delivery.headers["x-hub-signature-256"], f"sha256={digest}")
        )
    return results


def test_delivered_webhooks_verify_with_the_secret_only(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver
) -> None:
    sandbox.admin("POST", "/_sandbox/issues", {"repo": FULL_NAME, "user": "ann", "title": "bug"})
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/issues/1/comments",
        {"user": "ann", "body": "/refresh-docs"},
    )
    assert [d.event for d in webhook_receiver.received] == ["issues", "issue_comment"]
    assert _verifies(webhook_receiver, WEBHOOK_SECRET) == [True, True]
    assert _verifies(webhook_receiver, "another secret") == [False, False]
    ids = {d.headers["x-github-delivery"] for d in webhook_receiver.received}
    assert len(ids) == 2


def _commit(
    sb: SandboxHandle, branch: str, files: dict[str, str | None], user: str = "ann"
) -> dict[str, object]:
    result: dict[str, object] = sb.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/commits",
        {"user": user, "branch": branch, "files": files, "message": f"edit {sorted(files)}"},
    )
    return result


def test_push_webhook_lists_exactly_the_files_the_commits_changed(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver, sandbox_repo: Path
) -> None:
    before = git(sandbox_repo, "rev-parse", "main")
    # Two commits made with git itself, then the push delivered for the ref move.
    git(sandbox_repo, "checkout", "-q", "-b", "feature")
    commit_files(sandbox_repo, {"app/new.py": "import os\n", "README.md": "# changed\n"}, "one")
    after = commit_files(sandbox_repo, {"app/models.py": None, "app/new.py": "import sys\n"}, "two")
    git(sandbox_repo, "update-ref", "refs/heads/main", after, before)
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/push",
        {"user": "ann", "ref": "refs/heads/main", "before": before},
    )
    (delivery,) = webhook_receiver.received
    payload = delivery.json()
    assert delivery.event == "push"
    assert (payload["ref"], payload["before"], payload["after"]) == (
        "refs/heads/main",
        before,
        after,
    )
    assert [c["id"] for c in payload["commits"]] == git(
        sandbox_repo, "rev-list", "--reverse", f"{before}..{after}"
    ).split()
    per_commit = [(c["added"], c["modified"], c["removed"]) for c in payload["commits"]]
    assert per_commit == [
        (["app/new.py"], ["README.md"], []),
        ([], ["app/new.py"], ["app/models.py"]),
    ]
    touched = {
        p for c in payload["commits"] for key in ("added", "modified", "removed") for p in c[key]
    }
    assert touched == set(git(sandbox_repo, "diff", "--name-only", before, after).splitlines())
    assert payload["head_commit"]["id"] == after
    assert payload["installation"]["id"] == sandbox.installation_id
    assert (payload["repository"]["full_name"], payload["sender"]["login"]) == (FULL_NAME, "ann")
    assert (payload["created"], payload["deleted"], payload["forced"]) == (False, False, False)


def test_person_commit_creates_branch_and_push_of_new_branch(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver, sandbox_repo: Path
) -> None:
    result = _commit(sandbox, "feature", {"app/web.py": "print('x')\n"}, user="bob")
    assert git(sandbox_repo, "rev-parse", "refs/heads/feature") == result["sha"]
    assert (
        git(sandbox_repo, "log", "-1", "--format=%an <%ae>", "feature")
        == "bob <bob@users.noreply.github.com>"
    )
    payload = webhook_receiver.received[0].json()
    assert (payload["before"], payload["created"]) == (ZERO, True)
    assert [(c["added"], c["modified"]) for c in payload["commits"]] == [([], ["app/web.py"])]


def test_opening_a_pull_request_delivers_the_pull_request_webhook(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver
) -> None:
    head = _commit(sandbox, "feature", {"app/web.py": "print('x')\n"})["sha"]
    webhook_receiver.received.clear()
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/pulls",
        {"user": "ann", "head": "feature", "base": "main", "title": "Feature"},
    )
    (delivery,) = webhook_receiver.received
    payload = delivery.json()
    assert (delivery.event, payload["action"], payload["number"]) == ("pull_request", "opened", 1)
    pr = payload["pull_request"]
    assert (pr["head"]["sha"], pr["head"]["ref"], pr["head"]["repo"]["fork"]) == (
        head,
        "feature",
        False,
    )
    assert (pr["base"]["ref"], pr["user"]["login"], pr["user"]["type"]) == ("main", "ann", "User")
    assert payload["installation"] == {
        "id": sandbox.installation_id,
        "node_id": payload["installation"]["node_id"],
    }
    assert {"diff_url", "patch_url", "html_url", "url", "merged", "draft"} <= set(pr)


def test_commit_onto_a_pull_request_branch_synchronizes_it(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver
) -> None:
    _commit(sandbox, "feature", {"app/web.py": "print('x')\n"})
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/pulls",
        {"user": "ann", "head": "feature", "title": "F"},
    )
    webhook_receiver.received.clear()
    second = _commit(sandbox, "feature", {"app/web.py": "print('y')\n"})
    assert [(d.event, d.json().get("action")) for d in webhook_receiver.received] == [
        ("push", None),
        ("pull_request", "synchronize"),
    ]
    pr = installation_client(sandbox).get_repo(FULL_NAME).get_pull(1)
    assert pr.head.sha == second["sha"]


def test_fork_pull_request_has_its_head_in_the_fork(tmp_path: Path, sandbox_data_dir: Path) -> None:
    parent = make_repo(tmp_path / "parent")
    fork = tmp_path / "fork"
    git(tmp_path, "clone", "-q", str(parent), str(fork))
    head = commit_files(fork, {"app/web.py": "print('fork')\n"}, "from a fork")
    receiver = WebhookReceiver()
    try:
        with start_sandbox(
            {FULL_NAME: parent, "mallory/demo": fork},
            forks={"mallory/demo": FULL_NAME},
            webhook_url=receiver.url,
            data_dir=sandbox_data_dir,
        ) as sb:
            sb.admin(
                "POST",
                f"/_sandbox/repos/{FULL_NAME}/pulls",
                {"user": "mallory", "head": "mallory:main", "base": "main", "title": "fork"},
            )
            pr = receiver.received[0].json()["pull_request"]
            assert (pr["head"]["label"], pr["head"]["sha"]) == ("mallory:main", head)
            assert (pr["head"]["repo"]["full_name"], pr["head"]["repo"]["fork"]) == (
                "mallory/demo",
                True,
            )
            assert pr["base"]["repo"]["full_name"] == FULL_NAME
            # GitHub keeps the fork's head in the base repository, so its files can be read there.
            assert git(parent, "rev-parse", "refs/pull/1/head") == head
            files = installation_client(sb).get_repo(FULL_NAME).get_pull(1).get_files()
            assert [f.filename for f in files] == ["app/web.py"]
    finally:
        receiver.stop()


def test_issue_comment_webhook_on_a_pull_request(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver
) -> None:
    _commit(sandbox, "feature", {"app/web.py": "print('x')\n"})
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/pulls",
        {"user": "ann", "head": "feature", "title": "F"},
    )
    sandbox.add_collaborator(FULL_NAME, "wendy", "write")
    webhook_receiver.received.clear()
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/issues/1/comments",
        {"user": "wendy", "body": "/refresh-docs force"},
    )
    payload = webhook_receiver.received[0].json()
    assert (payload["action"], payload["comment"]["body"]) == ("created", "/refresh-docs force")
    assert payload["comment"]["author_association"] == "COLLABORATOR"
    assert "pull_request" in payload["issue"]
    assert payload["issue"]["number"] == 1
    assert payload["sender"]["login"] == "wendy"


@pytest.mark.parametrize("merge", [False, True])
def test_person_closes_or_merges_a_pull_request(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver, sandbox_repo: Path, merge: bool
) -> None:
    head = str(_commit(sandbox, "feature", {"app/web.py": "print('x')\n"})["sha"])
    sandbox.admin(
        "POST",
        f"/_sandbox/repos/{FULL_NAME}/pulls",
        {"user": "ann", "head": "feature", "title": "F"},
    )
    webhook_receiver.received.clear()
    sandbox.admin(
        "POST", f"/_sandbox/repos/{FULL_NAME}/pulls/1/close", {"user": OWNER, "merge": merge}
    )
    payload = webhook_receiver.received[0].json()
    assert (payload["action"], payload["pull_request"]["state"]) == ("closed", "closed")
    assert payload["pull_request"]["merged"] is merge
    ancestry = ["git", "-C", str(sandbox_repo), "merge-base", "--is-ancestor", head, "main"]
    assert (subprocess.run(ancestry, check=False).returncode == 0) is merge
    # The merge pushed main: GitHub delivers that push too (and nothing when only closed).
    pushes = [d.json() for d in webhook_receiver.received if d.event == "push"]
    main = git(sandbox_repo, "rev-parse", "main")
    assert [(p["ref"], p["after"]) for p in pushes] == (
        [("refs/heads/main", main)] if merge else []
    )
    if merge:
        assert pushes[0]["before"] == payload["pull_request"]["base"]["sha"]
        assert payload["pull_request"]["merged_by"]["login"] == OWNER


def test_issues_can_be_opened_and_read(sandbox: SandboxHandle) -> None:
    sandbox.admin(
        "POST",
        "/_sandbox/issues",
        {"repo": FULL_NAME, "user": "ann", "title": "Docs are stale", "body": "b"},
    )
    token_client = installation_client(sandbox)
    issue = token_client.get_repo(FULL_NAME).get_issue(1)
    assert (issue.title, issue.user.login, issue.pull_request) == ("Docs are stale", "ann", None)
    resp = requests.get(f"{sandbox.api_url}/_sandbox/deliveries", timeout=10).json()
    assert [(d["event"], d["action"], d["status"]) for d in resp] == [("issues", "opened", 202)]


def test_api_webhooks_echo_the_apps_own_writes_with_the_bot_as_sender(
    sandbox_repo: Path, sandbox_data_dir: Path, webhook_receiver: WebhookReceiver
) -> None:
    with start_sandbox(
        {FULL_NAME: sandbox_repo},
        webhook_url=webhook_receiver.url,
        data_dir=sandbox_data_dir,
        api_webhooks=True,
    ) as sb:
        repo = installation_client(sb).get_repo(FULL_NAME)
        main = repo.get_branch("main").commit.sha
        ref = repo.create_git_ref("refs/heads/docs-refresh/main", main)
        git(sandbox_repo, "checkout", "-q", "-b", "side")
        changed = commit_files(sandbox_repo, {"docs/x.md": "x\n"}, "on a side branch")
        ref.edit(changed)
        pr = repo.create_pull(base="main", head="docs-refresh/main", title="t", body="")
        pr.as_issue().create_comment("preview")
        pr.edit(state="closed")
        ref.delete()
        sb.wait_for_deliveries()
        events = [(d.event, d.json().get("action")) for d in webhook_receiver.received]
        assert events == [
            ("push", None),
            ("push", None),
            ("pull_request", "opened"),
            ("issue_comment", "created"),
            ("pull_request", "closed"),
            ("push", None),
        ]
        senders = {d.json()["sender"]["login"] for d in webhook_receiver.received}
        assert senders == {sb.bot_login}
        bot = webhook_receiver.received[3].json()["comment"]["user"]
        assert (bot["login"], bot["type"]) == (sb.bot_login, "Bot")
        pushes = [d.json() for d in webhook_receiver.received if d.event == "push"]
        assert [(p["created"], p["deleted"]) for p in pushes] == [
            (True, False),
            (False, False),
            (False, True),
        ]
        assert pushes[1]["commits"][0]["added"] == ["docs/x.md"]


def test_installation_events_list_the_served_repositories(
    sandbox: SandboxHandle, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    sandbox.admin("POST", "/_sandbox/installation", {"user": OWNER})
    other = make_repo(tmp_path / "other", {"README.md": "# other\n"})
    added = {"full_name": "octo/other", "path": str(other), "deliver": True}
    sandbox.admin("POST", "/_sandbox/repos", added)
    created, added_event = (d.json() for d in webhook_receiver.received)
    assert [d.event for d in webhook_receiver.received] == [
        "installation",
        "installation_repositories",
    ]
    assert (created["action"], created["installation"]["id"]) == (
        "created",
        sandbox.installation_id,
    )
    assert [r["full_name"] for r in created["repositories"]] == [FULL_NAME]
    assert [r["full_name"] for r in added_event["repositories_added"]] == ["octo/other"]
    assert _verifies(webhook_receiver, WEBHOOK_SECRET) == [True, True]
