"""LocalSnapshot against real git repositories and plain folders in tmp dirs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.core.analysis.extract import extract_all
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import git_blob_sha
from bot.local import checkout
from bot.local.checkout import LocalSnapshot, inside, walk_docs

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_repo(root: Path, files: dict[str, bytes]) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def hash_object(root: Path, path: str) -> str:
    return git(root, "hash-object", path)


def test_clean_checkout_lists_tracked_files_with_git_shas_and_head_source(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app.py": b"import os\n", "pkg/mod.py": b"x = 1\n"})
    snap = LocalSnapshot(repo)
    assert [e.path for e in snap.entries()] == ["app.py", "pkg/mod.py"]
    assert snap.untracked == ()
    assert [e.sha for e in snap.entries()] == [
        hash_object(repo, "app.py"),
        hash_object(repo, "pkg/mod.py"),
    ]
    assert snap.entries()[0].size == len(b"import os\n")
    assert snap.source == git(repo, "rev-parse", "HEAD")
    assert snap.read("pkg/mod.py") == b"x = 1\n"


def test_untracked_files_git_does_not_ignore_count_as_in_the_working_tree(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path, {"app.py": b"import os\n", ".gitignore": b"build/\n*.log\n"})
    (repo / "new_module.py").write_bytes(b"import redis\n")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "fresh.py").write_bytes(b"x = 1\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.py").write_bytes(b"ignored = 1\n")
    (repo / "debug.log").write_bytes(b"ignored\n")
    (repo / "link.py").symlink_to(repo / "app.py")
    snap = LocalSnapshot(repo)
    assert [e.path for e in snap.entries()] == [
        ".gitignore",
        "app.py",
        "new_module.py",
        "pkg/fresh.py",
    ]
    assert snap.untracked == ("new_module.py", "pkg/fresh.py")
    assert snap.entries()[2].sha == hash_object(repo, "new_module.py")
    assert snap.source is None  # not HEAD's tree: the facts cache may not use it as such
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "add")
    assert LocalSnapshot(repo).source == git(repo, "rev-parse", "HEAD")


def test_untracked_files_of_a_subfolder_are_relative_to_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"svc/app.py": b"import os\n", "other.py": b"y = 1\n"})
    (repo / "svc" / "new.py").write_bytes(b"z = 1\n")
    (repo / "elsewhere.py").write_bytes(b"z = 2\n")
    snap = LocalSnapshot(repo / "svc")
    assert [e.path for e in snap.entries()] == ["app.py", "new.py"]
    assert snap.untracked == ("new.py",)


def test_uncommitted_edit_counts_and_clears_source(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app.py": b"import os\n", "b.py": b"y = 2\n"})
    (repo / "app.py").write_bytes(b"import sys\n")
    (repo / "b.py").unlink()
    snap = LocalSnapshot(repo)
    assert [e.path for e in snap.entries()] == ["app.py"]
    assert snap.entries()[0].sha == git_blob_sha(b"import sys\n")
    assert snap.source is None


def test_skip_rules_apply_to_git_checkout(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path,
        {
            "src/app.js": b"require('x')\n",
            "node_modules/x/index.js": b"module.exports = 1\n",
            "static/app.min.js": b"var a=1;\n",
            "logo.png": b"\x89PNG\r\n",
            "gen/api.js": b"// generated\n",
            "vendor/keep.rb": b"require 'x'\n",
            ".gitattributes": b"gen/** linguist-generated\nvendor/keep.rb -linguist-vendored\n",
            "big.py": b"#" * 1_000_001,
        },
    )
    paths = [e.path for e in LocalSnapshot(repo).entries()]
    assert paths == [".gitattributes", "src/app.js", "vendor/keep.rb"]


def test_symlinks_are_skipped(tmp_path: Path) -> None:
    repo = tmp_path
    (repo / "real.py").write_bytes(b"x = 1\n")
    (repo / "link.py").symlink_to("real.py")
    make_repo(repo, {})
    assert [e.path for e in LocalSnapshot(repo).entries()] == ["real.py"]


def test_subfolder_of_checkout_lists_paths_relative_to_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"svc/app.py": b"import os\n", "other.py": b"\n"})
    (repo / "svc/app.py").write_bytes(b"import json\n")
    snap = LocalSnapshot(repo / "svc")
    assert [(e.path, e.sha) for e in snap.entries()] == [("app.py", git_blob_sha(b"import json\n"))]
    assert snap.source is None


def test_plain_folder_hashes_like_git_and_applies_skip_rules(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/a.py").write_bytes(b"import os\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules/x.js").write_bytes(b"1\n")
    (tmp_path / "README.md").write_bytes(b"# hi\n")
    snap = LocalSnapshot(tmp_path)
    assert snap.source is None
    assert [(e.path, e.sha) for e in snap.entries()] == [
        ("README.md", git_blob_sha(b"# hi\n")),
        ("pkg/a.py", git_blob_sha(b"import os\n")),
    ]
    assert git_blob_sha(b"import os\n") == git(tmp_path, "hash-object", "--no-filters", "pkg/a.py")


def test_repository_without_commits_has_no_source(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_bytes(b"x\n")
    git(tmp_path, "add", "a.py")
    snap = LocalSnapshot(tmp_path)
    assert [e.path for e in snap.entries()] == ["a.py"]
    assert snap.source is None


def test_untracked_folder_inside_a_checkout_is_walked_as_a_plain_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app.py": b"import os\n"})
    (repo / "scratch").mkdir()
    (repo / "scratch/tool.py").write_bytes(b"import sys\n")
    snap = LocalSnapshot(repo / "scratch")
    assert [(e.path, e.sha) for e in snap.entries()] == [("tool.py", git_blob_sha(b"import sys\n"))]
    assert snap.source is None


def test_same_size_edit_right_after_commit_is_seen(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": b"import os\n", "b.py": b"x = 1\n"})
    (repo / "a.py").write_bytes(b"import re\n")  # same length, same second: racy for git
    snap = LocalSnapshot(repo)
    assert [(e.path, e.sha, e.size) for e in snap.entries()] == [
        ("a.py", git_blob_sha(b"import re\n"), 10),
        ("b.py", git_blob_sha(b"x = 1\n"), 6),
    ]
    assert snap.source is None


def test_editing_one_file_of_a_checkout_reextracts_only_that_file(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": f"import os\nV = os.getenv('V{i}')\n".encode() for i in range(12)}
    files["web/app.ts"] = b"import x from './x'\n"
    repo = make_repo(tmp_path, files)
    cache = MemoryFactsCache()
    cold = extract_all(LocalSnapshot(repo), cache)
    assert cache.misses == len(cold) == 13
    (repo / "pkg/m3.py").write_bytes(b"import sys\n")
    before = cache.misses
    warm = extract_all(LocalSnapshot(repo), cache)
    assert cache.misses - before == 1
    assert [r.spec for r in warm["pkg/m3.py"].imports] == ["sys"]
    assert {p: f for p, f in warm.items() if p != "pkg/m3.py"} == {
        p: f for p, f in cold.items() if p != "pkg/m3.py"
    }


def test_docs_are_found_and_written_only_along_real_folders(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "docs").mkdir(parents=True)
    outside.mkdir()
    (root / "docs" / "a.md").write_text("a")
    (outside / "b.md").write_text("b")
    (root / "docs" / "linked").symlink_to(outside)
    (root / ".context").symlink_to("/")
    assert walk_docs(root, "docs/") == ["docs/a.md"]
    assert walk_docs(root, ".context/") == []  # `.context -> /` walks no disk
    assert inside(root, "docs/a.md") == root / "docs" / "a.md"
    assert inside(root, "docs/linked/b.md") is None
    assert inside(root, "../outside/b.md") is None


def test_plain_folder_listed_again_hashes_only_files_whose_stat_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files written just now are "racy" (an edit in the same clock tick keeps their stat):
    # the test moves the margin so that they count as old enough to remember.
    monkeypatch.setattr(checkout, "RACY_NS", -(10**12))
    checkout._FOLDER_SHAS.clear()
    (tmp_path / "pkg").mkdir()
    for i in range(5):
        (tmp_path / f"pkg/m{i}.py").write_bytes(b"import os\n")
    first = LocalSnapshot(tmp_path).entries()
    hashed: list[int] = []
    real = checkout.git_blob_sha
    monkeypatch.setattr(
        checkout, "git_blob_sha", lambda d, *a: hashed.append(len(d)) or real(d, *a)
    )
    (tmp_path / "pkg/m2.py").write_bytes(b"import sys, re\n")
    again = LocalSnapshot(tmp_path).entries()
    assert hashed == [15]
    assert [e for e in again if e.path != "pkg/m2.py"] == [
        e for e in first if e.path != "pkg/m2.py"
    ]
    assert ("pkg/m2.py", git_blob_sha(b"import sys, re\n"), 15) in [
        (e.path, e.sha, e.size) for e in again
    ]


def test_plain_folder_files_changed_just_now_are_hashed_again(tmp_path: Path) -> None:
    checkout._FOLDER_SHAS.clear()
    (tmp_path / "a.py").write_bytes(b"import os\n")
    assert LocalSnapshot(tmp_path).entries()[0].sha == git_blob_sha(b"import os\n")
    (tmp_path / "a.py").write_bytes(b"import re\n")  # same size, likely the same clock tick
    assert LocalSnapshot(tmp_path).entries()[0].sha == git_blob_sha(b"import re\n")


def test_plain_folder_skips_links_and_vendored_folders_and_keeps_special_names(
    tmp_path: Path,
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real/a.py").write_bytes(b"x = 1\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor/v.py").write_bytes(b"x = 2\n")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "b.py").symlink_to(tmp_path / "real/a.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / ".gitattributes").write_text("gen/** linguist-generated\n")
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen/g.py").write_bytes(b"x = 3\n")
    paths = [e.path for e in LocalSnapshot(tmp_path).entries()]
    assert paths == [".gitattributes", "real/a.py"]


def test_git_is_asked_only_where_its_own_search_could_find_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain/sub"
    plain.mkdir(parents=True)
    assert not checkout._may_be_in_git(plain)
    assert checkout._repository(plain) is None
    assert subprocess.run(["git", "rev-parse"], cwd=plain, capture_output=True).returncode != 0
    # A checkout's subfolder, a worktree (its `.git` is a file) and a bare repository's
    # folder: git finds each, and so each is asked.
    (tmp_path / "repo").mkdir()
    repo = make_repo(tmp_path / "repo", {"a/b.py": b"x\n"})
    git(repo, "worktree", "add", "-q", str(tmp_path / "tree"), "-b", "other")
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    (tmp_path / "bare.git/inside").mkdir()
    for folder in (repo / "a", tmp_path / "tree", tmp_path / "bare.git/inside"):
        assert checkout._may_be_in_git(folder), folder
        found = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=folder, capture_output=True)
        assert found.returncode == 0, folder
    assert [e.path for e in LocalSnapshot(tmp_path / "tree").entries()] == ["a/b.py"]
