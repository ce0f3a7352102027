"""Where the sandbox used to answer unlike GitHub, each checked over real HTTP: list shapes,
compare pagination, request ids, `Location`, `Content-Type`, the echoed tree SHA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from bot.sandbox import SandboxHandle
from tests.helpers.sandbox import FULL_NAME, commit_files, git
from tests.sandbox.test_http_errors import Api

REPO_URL = f"/repos/{FULL_NAME}"


def _topic(sandbox: SandboxHandle, sandbox_repo: Path, commits: int) -> list[str]:
    """`commits` commits on a new branch `topic` (each touching its own file)."""
    git(sandbox_repo, "checkout", "-q", "-b", "topic")
    shas = [
        commit_files(sandbox_repo, {f"docs/{n}.md": f"{n}\n"}, f"doc {n}") for n in range(commits)
    ]
    git(sandbox_repo, "checkout", "-q", "main")
    return shas


def _json(resp: requests.Response) -> Any:
    assert resp.status_code < 300, resp.text
    return resp.json()


def test_pull_request_list_items_have_githubs_list_shape(
    sandbox: SandboxHandle, sandbox_repo: Path
) -> None:
    _topic(sandbox, sandbox_repo, 1)
    api = Api(sandbox)
    created = _json(
        api("POST", f"{REPO_URL}/pulls", {"title": "T", "head": "topic", "base": "main"})
    )
    listed = _json(api("GET", f"{REPO_URL}/pulls"))[0]
    one = _json(api("GET", f"{REPO_URL}/pulls/{created['number']}"))
    only_single = {"merged", "mergeable", "maintainer_can_modify", "commits", "changed_files"}
    assert only_single <= one.keys()
    assert not only_single & listed.keys()
    assert (one["commits"], one["changed_files"], one["additions"]) == (1, 1, 1)


def test_compare_pages_its_commits_when_asked_and_lists_files_on_the_first_page(
    sandbox: SandboxHandle, sandbox_repo: Path
) -> None:
    shas = _topic(sandbox, sandbox_repo, 3)
    api = Api(sandbox)
    whole = _json(api("GET", f"{REPO_URL}/compare/main...topic"))
    assert [c["sha"] for c in whole["commits"]] == shas  # oldest first
    assert len(whole["files"]) == 3
    first = api("GET", f"{REPO_URL}/compare/main...topic?per_page=2")
    second = api("GET", f"{REPO_URL}/compare/main...topic?per_page=2&page=2")
    assert [c["sha"] for c in _json(first)["commits"]] == shas[:2]
    assert [c["sha"] for c in _json(second)["commits"]] == shas[2:]
    assert (len(first.json()["files"]), second.json()["files"]) == (3, [])
    assert first.json()["total_commits"] == second.json()["total_commits"] == 3
    assert 'rel="next"' in first.headers["Link"]
    assert "page=2" in first.headers["Link"]
    assert 'rel="prev"' in second.headers["Link"]
    assert 'rel="next"' not in second.headers["Link"]


def test_every_answer_has_its_own_request_id_and_githubs_content_type(
    sandbox: SandboxHandle,
) -> None:
    api = Api(sandbox)
    answers = [api("GET", REPO_URL) for _ in range(3)]
    ids = {a.headers["x-github-request-id"] for a in answers}
    assert len(ids) == 3
    assert {a.headers["Content-Type"] for a in answers} == {"application/json; charset=utf-8"}


def test_creates_answer_201_with_the_location_of_what_they_made(
    sandbox: SandboxHandle, sandbox_repo: Path
) -> None:
    api = Api(sandbox)
    main = git(sandbox_repo, "rev-parse", "main")
    ref = api("POST", f"{REPO_URL}/git/refs", {"ref": "refs/heads/new", "sha": main})
    comment = api("POST", f"{REPO_URL}/issues/1/comments", {"body": "x"})
    blob = api("POST", f"{REPO_URL}/git/blobs", {"content": "hi"})
    assert ref.status_code == blob.status_code == 201
    assert ref.headers["Location"] == ref.json()["url"]
    assert blob.headers["Location"] == blob.json()["url"]
    assert comment.status_code == 404  # no issue 1: nothing made, no Location
    assert "Location" not in comment.headers


def test_the_tree_of_a_commit_echoes_the_commit_sha(
    sandbox: SandboxHandle, sandbox_repo: Path
) -> None:
    api = Api(sandbox)
    main = git(sandbox_repo, "rev-parse", "main")
    tree = git(sandbox_repo, "rev-parse", "main^{tree}")
    by_commit = _json(api("GET", f"{REPO_URL}/git/trees/{main}"))
    by_tree = _json(api("GET", f"{REPO_URL}/git/trees/{tree}"))
    assert (by_commit["sha"], by_tree["sha"]) == (main, tree)
    assert by_commit["tree"] == by_tree["tree"]


def test_commit_messages_come_without_gits_trailing_newline(
    sandbox: SandboxHandle, sandbox_repo: Path
) -> None:
    main = git(sandbox_repo, "rev-parse", "main")
    api = Api(sandbox)
    assert _json(api("GET", f"{REPO_URL}/git/commits/{main}"))["message"] == "initial commit"
    assert _json(api("GET", f"{REPO_URL}/commits/{main}"))["commit"]["message"] == "initial commit"
