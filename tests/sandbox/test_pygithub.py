"""The sandbox driven through PyGithub, as the bot drives GitHub: real HTTP, real git."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
import requests
from github import Github, GithubException, InputGitTreeElement, UnknownObjectException
from github.Repository import Repository

from bot.sandbox import SandboxHandle
from bot.sandbox.gitrepo import GitError, GitRepo
from tests.helpers.sandbox import (
    FULL_NAME,
    OWNER,
    REPO,
    app_client,
    commit_files,
    git,
    installation_client,
    make_repo,
)


@pytest.fixture
def gh(sandbox: SandboxHandle) -> Github:
    return installation_client(sandbox)


@pytest.fixture
def repo(gh: Github) -> Repository:
    return gh.get_repo(FULL_NAME)


def _bot_commit(repo: Repository, files: dict[str, str | None], branch: str) -> str:
    """blob → tree (on main's tree) → commit → new branch, all through the API."""
    main = repo.get_git_ref("heads/main").object.sha
    parent = repo.get_git_commit(main)
    elements = []
    for path, text in files.items():
        sha = None if text is None else repo.create_git_blob(text, "utf-8").sha
        elements.append(InputGitTreeElement(path, "100644", "blob", sha=sha))
    tree = repo.create_git_tree(elements, repo.get_git_tree(parent.tree.sha))
    commit = repo.create_git_commit("docs: refresh", tree, [parent])
    repo.create_git_ref(f"refs/heads/{branch}", commit.sha)
    return commit.sha


def test_app_jwt_finds_installation_and_token_reaches_repository(sandbox: SandboxHandle) -> None:
    integration = app_client(sandbox)
    installation = integration.get_repo_installation(OWNER, REPO)
    assert installation.id == sandbox.installation_id
    assert integration.get_app().slug == sandbox.app_slug
    token = integration.get_access_token(installation.id)
    assert token.token.startswith("ghs_")
    assert token.expires_at is not None
    repos = installation_client(sandbox).get_repo(FULL_NAME)
    assert (repos.full_name, repos.default_branch, repos.fork) == (FULL_NAME, "main", False)
    assert [r["full_name"] for r in _installation_repositories(sandbox, token.token)] == [FULL_NAME]


def _installation_repositories(sb: SandboxHandle, token: str) -> list[dict[str, object]]:
    resp = requests.get(
        f"{sb.api_url}/installation/repositories",
        headers={"Authorization": f"token {token}"},
        timeout=10,
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["total_count"] == len(body["repositories"])
    return list(body["repositories"])


def test_recursive_tree_and_blobs_are_the_repository_on_disk(
    repo: Repository, sandbox_repo: Path
) -> None:
    head = repo.get_git_ref("heads/main").object.sha
    assert head == git(sandbox_repo, "rev-parse", "main")
    tree = repo.get_git_tree(head, recursive=True)
    blobs = {e.path: e.sha for e in tree.tree if e.type == "blob"}
    listed = git(sandbox_repo, "ls-tree", "-r", "--format=%(path) %(objectname)", "main")
    assert blobs == dict(line.split(" ") for line in listed.splitlines())
    content = repo.get_git_blob(blobs["app/web.py"]).content
    import base64

    assert base64.b64decode(content) == (sandbox_repo / "app/web.py").read_bytes()


def test_commit_created_through_api_is_a_real_commit_on_the_branch(
    repo: Repository, sandbox_repo: Path
) -> None:
    sha = _bot_commit(repo, {"docs/new.md": "new\n", "README.md": None}, "docs-refresh/main")
    assert git(sandbox_repo, "rev-parse", "refs/heads/docs-refresh/main") == sha
    assert git(sandbox_repo, "log", "-1", "--format=%s|%an", sha) == (
        "docs: refresh|docs-refresh-sandbox[bot]"
    )
    changed = git(sandbox_repo, "diff", "--name-status", "main", sha)
    assert sorted(changed.splitlines()) == ["A\tdocs/new.md", "D\tREADME.md"]


def test_ref_moves_forward_and_refuses_a_non_fast_forward_unless_forced(
    repo: Repository, sandbox_repo: Path
) -> None:
    main = git(sandbox_repo, "rev-parse", "main")
    bot = _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    ref = repo.get_git_ref("heads/docs-refresh/main")
    other = commit_files(sandbox_repo, {"app/other.py": "x = 1\n"}, "person edits main")
    with pytest.raises(GithubException) as caught:
        ref.edit(other)
    assert caught.value.status == 422
    assert caught.value.data["message"] == "Update is not a fast forward"
    assert git(sandbox_repo, "rev-parse", "refs/heads/docs-refresh/main") == bot
    ref.edit(other, force=True)
    assert git(sandbox_repo, "rev-parse", "refs/heads/docs-refresh/main") == other
    assert main != other
    ref.delete()
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("heads/docs-refresh/main")


def test_pull_request_open_list_update_and_files(repo: Repository) -> None:
    head_sha = _bot_commit(repo, {"docs/a.md": "a\n", "README.md": None}, "docs-refresh/main")
    pr = repo.create_pull(base="main", head="docs-refresh/main", title="docs", body="state")
    assert (pr.number, pr.state, pr.merged, pr.draft) == (1, "open", False, False)
    assert (pr.head.ref, pr.head.sha, pr.head.label) == (
        "docs-refresh/main",
        head_sha,
        f"{OWNER}:docs-refresh/main",
    )
    assert pr.head.repo.full_name == FULL_NAME
    assert (pr.base.ref, pr.base.repo.full_name) == ("main", FULL_NAME)
    assert (pr.user.login, pr.user.type) == ("docs-refresh-sandbox[bot]", "Bot")
    assert pr.html_url.endswith(f"/{FULL_NAME}/pull/1")
    found = repo.get_pulls(state="open", head=f"{OWNER}:docs-refresh/main", base="main")
    assert [p.number for p in found] == [1]
    assert list(repo.get_pulls(state="open", head=f"{OWNER}:other")) == []
    pr.edit(title="docs: refreshed", body="new body")
    again = repo.get_pull(1)
    assert (again.title, again.body) == ("docs: refreshed", "new body")
    files = {f.filename: (f.status, f.additions, f.deletions) for f in pr.get_files()}
    assert files == {"docs/a.md": ("added", 1, 0), "README.md": ("removed", 0, 1)}
    pr.edit(state="closed")
    assert [p.number for p in repo.get_pulls(state="closed")] == [1]
    assert list(repo.get_pulls(state="open")) == []


def test_second_pull_for_the_same_head_answers_422_already_exists(repo: Repository) -> None:
    _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    repo.create_pull(base="main", head="docs-refresh/main", title="docs", body="")
    with pytest.raises(GithubException) as caught:
        repo.create_pull(base="main", head="docs-refresh/main", title="docs", body="")
    assert caught.value.status == 422
    assert caught.value.data["errors"][0]["message"] == (
        f"A pull request already exists for {OWNER}:docs-refresh/main."
    )


def test_comments_and_reactions_on_a_pull_request(repo: Repository) -> None:
    _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    issue = repo.create_pull(base="main", head="docs-refresh/main", title="t", body="").as_issue()
    comment = issue.create_comment("<!-- sticky --> preview")
    assert (comment.user.login, comment.user.type) == ("docs-refresh-sandbox[bot]", "Bot")
    comment.edit("<!-- sticky --> preview v2")
    assert [c.body for c in issue.get_comments()] == ["<!-- sticky --> preview v2"]
    comment.create_reaction("eyes")
    comment.create_reaction("eyes")  # the same reaction twice is one reaction
    issue.create_reaction("rocket")
    assert [r.content for r in comment.get_reactions()] == ["eyes"]
    assert [r.content for r in issue.get_reactions()] == ["rocket"]
    comment.delete()
    assert list(issue.get_comments()) == []


def test_check_run_created_updated_and_listed_for_the_commit(repo: Repository) -> None:
    sha = repo.get_branch("main").commit.sha
    run = repo.create_check_run("docs-refresh", sha, status="in_progress")
    assert (run.status, run.conclusion) == ("in_progress", None)
    annotation = {
        "path": "docs/a.md",
        "start_line": 3,
        "end_line": 3,
        "annotation_level": "failure",
        "message": "unclosed block",
    }
    run.edit(
        conclusion="failure",
        output={"title": "1 problem", "summary": "s", "annotations": [annotation]},
    )
    listed = list(repo.get_commit(sha).get_check_runs())
    assert [(r.name, r.status, r.conclusion) for r in listed] == [
        ("docs-refresh", "completed", "failure")
    ]
    assert listed[0].output.annotations_count == 1
    assert [a.message for a in listed[0].get_annotations()] == ["unclosed block"]


def test_collaborator_permission_and_labels(repo: Repository, sandbox: SandboxHandle) -> None:
    sandbox.add_collaborator(FULL_NAME, "writer", "write")
    sandbox.add_collaborator(FULL_NAME, "triager", "triage")
    sandbox.admin("POST", "/_sandbox/users", {"login": "stranger"})
    assert repo.get_collaborator_permission(OWNER) == "admin"
    assert repo.get_collaborator_permission("writer") == "write"
    assert repo.get_collaborator_permission("triager") == "read"
    assert repo.get_collaborator_role_name("triager") == "triage"
    assert repo.get_collaborator_permission("stranger") == "none"
    _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    pr = repo.create_pull(base="main", head="docs-refresh/main", title="t", body="")
    pr.add_to_labels("documentation")
    assert [label.name for label in repo.get_pull(pr.number).labels] == ["documentation"]


def test_contents_compare_and_tarball_show_the_branch(repo: Repository, sandbox_repo: Path) -> None:
    sha = _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    content = repo.get_contents("app/web.py", ref="main")
    assert not isinstance(content, list)
    assert content.decoded_content == (sandbox_repo / "app/web.py").read_bytes()
    comparison = repo.compare("main", "docs-refresh/main")
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 1, 0)
    assert [f.filename for f in comparison.files] == ["docs/a.md"]
    assert [c.sha for c in comparison.commits] == [sha]
    link = repo.get_archive_link("tarball", "docs-refresh/main")
    with tarfile.open(fileobj=io.BytesIO(requests.get(link, timeout=10).content)) as archive:
        names = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
    assert names == {*git(sandbox_repo, "ls-tree", "-r", "--name-only", sha).splitlines()}


def test_pagination_follows_link_headers_across_pages(
    repo: Repository, sandbox: SandboxHandle
) -> None:
    _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    issue = repo.create_pull(base="main", head="docs-refresh/main", title="t", body="").as_issue()
    for n in range(35):
        sandbox.admin(
            "POST",
            f"/_sandbox/repos/{FULL_NAME}/issues/{issue.number}/comments",
            {"user": "ann", "body": f"c{n}"},
        )
    sandbox.clear_request_log()
    bodies = [c.body for c in issue.get_comments()]
    assert bodies == [f"c{n}" for n in range(35)]
    pages = [r for r in sandbox.request_log() if r["path"].endswith("/comments")]
    assert len(pages) == 2


def test_commits_and_branches_are_listed_from_git(repo: Repository, sandbox_repo: Path) -> None:
    first = git(sandbox_repo, "rev-parse", "main")
    second = commit_files(sandbox_repo, {"app/web.py": "print(1)\n"}, "touch web")
    third = commit_files(sandbox_repo, {"README.md": "# again\n"}, "touch readme")
    assert [c.sha for c in repo.get_commits()] == [third, second, first]
    assert [c.sha for c in repo.get_commits(path="app/web.py")] == [second, first]
    assert [c.commit.message for c in repo.get_commits(sha=second)] == [  # no git newline
        "touch web",
        "initial commit",
    ]
    _bot_commit(repo, {"docs/a.md": "a\n"}, "docs-refresh/main")
    assert [b.name for b in repo.get_branches()] == ["docs-refresh/main", "main"]


def test_repository_added_at_runtime_joins_the_installation(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    other = make_repo(tmp_path / "other", {"main.go": "package main\n"})
    sandbox.admin("POST", "/_sandbox/repos", {"full_name": "octo/other", "path": str(other)})
    gh = installation_client(sandbox)
    assert gh.get_repo("octo/other").get_branch("main").commit.sha == git(
        other, "rev-parse", "main"
    )
    integration = app_client(sandbox)
    assert integration.get_repo_installation("octo", "other").id == sandbox.installation_id
    bad = requests.post(
        f"{sandbox.api_url}/_sandbox/repos",
        json={"full_name": "octo/nope", "path": str(tmp_path)},
        timeout=10,
    )
    assert bad.status_code == 422


def test_a_folder_inside_a_repository_is_not_served(sandbox_repo: Path) -> None:
    with pytest.raises(GitError, match="is not the top folder of a git repository"):
        GitRepo(sandbox_repo / "app")
    bare = sandbox_repo.parent / "bare.git"
    git(sandbox_repo.parent, "clone", "-q", "--bare", str(sandbox_repo), str(bare))
    assert GitRepo(bare).resolve("main") == git(sandbox_repo, "rev-parse", "main")
