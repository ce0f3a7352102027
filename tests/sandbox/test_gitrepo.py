"""GitRepo, the sandbox's only door to git, on real repositories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.gitrepo import GitError, GitRepo, Person
from tests.helpers.sandbox import commit_files, git

WHO = Person("Ann", "ann@example.com", "2026-01-02T03:04:05Z")


@pytest.fixture
def repo(sandbox_repo: Path) -> Iterator[GitRepo]:
    opened = GitRepo(sandbox_repo)
    yield opened
    opened.close()


def test_read_object_returns_content_and_none_for_missing(
    repo: GitRepo, sandbox_repo: Path
) -> None:
    blob = git(sandbox_repo, "rev-parse", "main:README.md")
    assert repo.read_object(blob) == ("blob", b"# demo\n")
    assert repo.read_object("0" * 40) is None
    assert repo.read_object("main:no-such-file") is None
    assert repo.read_object(blob) == ("blob", b"# demo\n")  # the batch process survives misses


def test_write_tree_adds_replaces_and_deletes_whole_folders(
    repo: GitRepo, sandbox_repo: Path
) -> None:
    base = git(sandbox_repo, "rev-parse", "main^{tree}")
    blob = repo.hash_blob(b"new\n")
    docs = git(sandbox_repo, "rev-parse", "main:.context")
    tree = repo.write_tree(
        base,
        [("app", "100644", None), ("notes/new.md", "100644", blob), ("copy", "040000", docs)],
    )
    paths = {e.path for e in repo.ls_tree(tree, recursive=True) if e.type == "blob"}
    assert paths == {
        "README.md",
        ".context/docs/data-flow.md",
        "copy/docs/data-flow.md",
        "notes/new.md",
    }
    assert (
        git(sandbox_repo, "status", "--porcelain") == ""
    )  # the repository's own index is untouched


def test_commit_tree_records_people_and_diff_reports_github_statuses(
    repo: GitRepo, sandbox_repo: Path
) -> None:
    main = git(sandbox_repo, "rev-parse", "main")
    info = repo.commit_info(main)
    assert info is not None
    tree = repo.write_tree(
        info.tree, [("README.md", "100644", None), ("app/web.py", "100644", repo.hash_blob(b"x\n"))]
    )
    sha = repo.commit_tree(tree, [main], "edit\n", WHO, WHO)
    made = repo.commit_info(sha)
    assert made is not None
    # GitHub answers messages without the newline git stores after them.
    assert (made.author, made.parents, made.message) == (WHO, (main,), "edit")
    changes = {c.path: (c.status, c.additions, c.deletions) for c in repo.diff(main, sha)}
    assert changes == {"README.md": ("removed", 0, 1), "app/web.py": ("modified", 1, 3)}
    assert repo.changed_paths(sha) == {
        "added": [],
        "modified": ["app/web.py"],
        "removed": ["README.md"],
    }


def test_root_commit_lists_every_file_as_added(repo: GitRepo, sandbox_repo: Path) -> None:
    root = git(sandbox_repo, "rev-list", "--max-parents=0", "main")
    added = repo.changed_paths(root)["added"]
    assert sorted(added) == sorted(
        git(sandbox_repo, "ls-tree", "-r", "--name-only", root).splitlines()
    )


def test_update_ref_is_compare_and_swap(repo: GitRepo, sandbox_repo: Path) -> None:
    main = git(sandbox_repo, "rev-parse", "main")
    moved = commit_files(sandbox_repo, {"x.txt": "x\n"}, "move main")
    with pytest.raises(GitError):
        repo.update_ref("refs/heads/main", main, old=main)  # main is no longer at `main`
    repo.update_ref("refs/heads/topic", moved, old=None)
    with pytest.raises(GitError):
        repo.update_ref("refs/heads/topic", main, old=None)  # must not exist yet
    assert repo.ref_sha("refs/heads/topic") == moved
    assert repo.is_ancestor(main, moved)
    assert not repo.is_ancestor(moved, main)
