"""`GithubConversation` against the sandbox over real HTTP: each call is the REST call it names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Github, GithubException

from bot.github.conversation import GithubConversation, app_login
from bot.sandbox import SandboxHandle, start_sandbox
from bot.service.checks import malformed_output
from bot.service.engine import Problem
from bot.service.ports.conversation import BranchMoved
from tests.helpers.sandbox import FULL_NAME, installation_client, make_repo

pytestmark = pytest.mark.slow


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """`octo/demo` with the helpers' default files; no webhook receiver (none is needed)."""
    repo = make_repo(tmp_path / "demo")
    with start_sandbox({FULL_NAME: repo}, data_dir=tmp_path / "sandbox") as handle:
        yield handle


@pytest.fixture
def client(sandbox: SandboxHandle) -> Iterator[Github]:
    gh = installation_client(sandbox)
    yield gh
    gh.close()


def admin(sb: SandboxHandle, path: str, payload: object) -> object:
    return sb.admin("POST", path, payload)


def open_pull(sb: SandboxHandle) -> int:
    data = {"user": "alice", "branch": "feature", "files": {"x.py": "x = 1\n"}, "from": "main"}
    admin(sb, f"/_sandbox/repos/{FULL_NAME}/commits", {**data, "deliver": False})
    pull = sb.admin(
        "POST", f"/_sandbox/repos/{FULL_NAME}/pulls", {"user": "alice", "head": "feature"}
    )
    return int(pull["pull_request"]["number"])


def test_pull_details_name_head_branch_repository_and_base(
    sandbox: SandboxHandle,
    client: Github,
) -> None:
    number = open_pull(sandbox)
    pr = GithubConversation(client, FULL_NAME).pull(number)
    assert (pr.state, pr.draft, pr.head_ref, pr.base_ref) == ("open", False, "feature", "main")
    assert pr.same_repo(FULL_NAME)
    comparison = GithubConversation(client, FULL_NAME).compare(pr.base_sha, pr.head_sha)
    assert comparison.paths == ("x.py",)
    assert comparison.merge_base == pr.base_sha


def test_comments_are_read_across_pages(sandbox: SandboxHandle, client: Github) -> None:
    number = open_pull(sandbox)
    conv = GithubConversation(client, FULL_NAME)
    for i in range(105):
        conv.create_comment(number, f"comment {i}")
    found = conv.issue_comments(number)
    assert [c.body for c in found] == [f"comment {i}" for i in range(105)]
    assert {c.login for c in found} == {sandbox.bot_login}
    conv.edit_comment(found[-1].id, "edited")
    assert conv.issue_comments(number)[-1].body == "edited"


def test_reactions_are_checked_before_sending(sandbox: SandboxHandle, client: Github) -> None:
    number = open_pull(sandbox)
    conv = GithubConversation(client, FULL_NAME)
    comment_id = conv.create_comment(number, "hello")
    conv.react(comment_id, "eyes")
    with pytest.raises(ValueError, match="not a GitHub reaction"):
        conv.react(comment_id, "thumbsup")
    reactions = client.requester.requestJsonAndCheck(
        "GET", f"/repos/{FULL_NAME}/issues/comments/{comment_id}/reactions"
    )[1]
    assert [r["content"] for r in reactions] == ["eyes"]


def test_permission_of_collaborators_and_strangers(sandbox: SandboxHandle, client: Github) -> None:
    sandbox.add_collaborator(FULL_NAME, "wendy", "maintain")
    sandbox.add_collaborator(FULL_NAME, "rita", "read")
    conv = GithubConversation(client, FULL_NAME)
    assert conv.permission("wendy").permission == "write"
    assert conv.permission("wendy").role_name == "maintain"
    assert conv.permission("rita").permission == "read"
    assert conv.permission("nobody-at-all").permission == "none"


def test_check_run_annotations_go_fifty_per_request(sandbox: SandboxHandle, client: Github) -> None:
    number = open_pull(sandbox)
    conv = GithubConversation(client, FULL_NAME)
    head = conv.pull(number).head_sha
    problems = [Problem("x.py", i, f"problem {i}") for i in range(1, 121)]
    sandbox.clear_request_log()
    check_id = conv.report_check(head, "docs-refresh", malformed_output(problems))
    assert check_id is not None
    log = [(r["method"], r["path"]) for r in sandbox.request_log() if r["write"]]
    assert (
        log
        == [("POST", f"/repos/{FULL_NAME}/check-runs")]
        + [("PATCH", f"/repos/{FULL_NAME}/check-runs/{check_id}")] * 2
    )
    annotations = client.requester.requestJsonAndCheck(
        "GET",
        f"/repos/{FULL_NAME}/check-runs/{check_id}/annotations",
        parameters={"per_page": "100"},
    )[1]
    more = client.requester.requestJsonAndCheck(
        "GET",
        f"/repos/{FULL_NAME}/check-runs/{check_id}/annotations",
        parameters={"per_page": "100", "page": "2"},
    )[1]
    assert len(annotations) + len(more) == 120


def test_advancing_a_branch_never_forces(sandbox: SandboxHandle, client: Github) -> None:
    number = open_pull(sandbox)
    conv = GithubConversation(client, FULL_NAME)
    pr = conv.pull(number)
    with pytest.raises(BranchMoved):
        conv.advance_branch("feature", pr.base_sha)  # main's tip is behind: not a fast-forward
    [move] = [r for r in sandbox.request_log() if r["method"] == "PATCH"]
    assert move["status"] == 422


def test_a_write_refused_for_rate_is_done_once_after_the_wait(
    sandbox: SandboxHandle,
    client: Github,
) -> None:
    number = open_pull(sandbox)
    waits: list[float] = []
    conv = GithubConversation(client, FULL_NAME, sleep=waits.append)
    sandbox.inject_fault("secondary_limit", method="POST", path="*/comments", retry_after=3)
    conv.create_comment(number, "hello")
    assert waits == [3.0]
    assert [c.body for c in conv.issue_comments(number)] == ["hello"]
    sandbox.inject_fault("server_error", method="POST", path="*/comments")
    with pytest.raises(GithubException):
        conv.create_comment(number, "not retried")
    assert len(conv.issue_comments(number)) == 1


def test_app_login_is_the_slug_with_bot(sandbox: SandboxHandle) -> None:
    login = app_login(sandbox.api_url, sandbox.app_id, sandbox.private_key_pem)
    assert login == sandbox.bot_login
