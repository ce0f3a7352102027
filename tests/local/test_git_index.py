"""The index reader against indexes real git writes, and LocalSnapshot around it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.local.checkout import LocalSnapshot
from bot.local.git_index import parse_index, read_index
from tests.local.test_checkout import git, hash_object, make_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_DEBUG = re.compile(rb"(\d{6}) ([0-9a-f]{40,64}) \d\t([^\0]*)\0[^\0]*?size: (\d+)")


def ls_files(root: Path) -> dict[bytes, tuple[str, int]]:
    """What `git ls-files -s --debug` says: the reference the reader must agree with."""
    out = subprocess.run(
        ["git", "ls-files", "-s", "--debug", "-z"], cwd=root, check=True, capture_output=True
    ).stdout
    return {
        m.group(3): (m.group(2).decode(), int(m.group(4)))
        for m in _DEBUG.finditer(out)
        if m.group(1) in (b"100644", b"100755")
    }


def varied_repo(root: Path) -> Path:
    files = {
        "app.py": b"import os\n",
        "bin/run": b"#!/bin/sh\n",
        "café/menu.rb": b"x = 1\n",
        "a/" + "n" * 200 + "/" + "m" * 200 + ".py": b"y = 2\n",  # names of every length
        "empty.txt": b"",
    }
    repo = make_repo(root, files)
    (repo / "bin/run").chmod(0o755)
    (repo / "link.py").symlink_to("app.py")  # mode 120000: not a regular file
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    return repo


def test_reader_agrees_with_ls_files_on_names_modes_and_sizes(tmp_path: Path) -> None:
    repo = varied_repo(tmp_path)
    entries = read_index(str(repo / ".git" / "index"))
    assert entries == ls_files(repo)
    assert entries is not None
    assert b"link.py" not in entries
    assert b"bin/run" in entries


def test_version_3_index_with_an_intent_to_add_entry(tmp_path: Path) -> None:
    repo = varied_repo(tmp_path)
    (repo / "later.py").write_bytes(b"import json\n")
    git(repo, "add", "-N", "later.py")  # an extended flag: git writes version 3
    data = (repo / ".git" / "index").read_bytes()
    assert int.from_bytes(data[4:8], "big") == 3
    assert parse_index(data) == ls_files(repo)
    snap = LocalSnapshot(repo)
    later = next(e for e in snap.entries() if e.path == "later.py")
    assert later.sha == hash_object(
        repo, "later.py"
    )  # the working tree's bytes, not the empty blob


@pytest.mark.parametrize("how", [("--index-version", "4"), ("--split-index",)])
def test_formats_left_to_git_still_list_the_same_files(
    tmp_path: Path, how: tuple[str, ...]
) -> None:
    repo = varied_repo(tmp_path)
    expected = [(e.path, e.sha, e.size) for e in LocalSnapshot(repo).entries()]
    git(repo, "update-index", *how)
    assert read_index(str(repo / ".git" / "index")) is None
    assert [(e.path, e.sha, e.size) for e in LocalSnapshot(repo).entries()] == expected


def test_sha256_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--object-format=sha256")
    (tmp_path / "app.py").write_bytes(b"import os\n")
    git(tmp_path, "add", "app.py")
    entries = read_index(str(tmp_path / ".git" / "index"), hash_len=32)
    assert entries == ls_files(tmp_path)
    [entry] = LocalSnapshot(tmp_path).entries()
    assert entry.sha == hash_object(tmp_path, "app.py")
    assert len(entry.sha) == 64


def test_truncated_or_foreign_bytes_are_refused_not_misread(tmp_path: Path) -> None:
    repo = varied_repo(tmp_path)
    data = (repo / ".git" / "index").read_bytes()
    assert parse_index(data[:40]) is None
    assert parse_index(b"XXXX" + data[4:]) is None


def test_listing_follows_commits_edits_and_gitattributes_in_one_process(tmp_path: Path) -> None:
    # The parsed index is kept per index version: every change must still be seen.
    repo = make_repo(tmp_path, {"app.py": b"import os\n", "gen/big.py": b"x = 1\n"})
    assert [e.path for e in LocalSnapshot(repo).entries()] == ["app.py", "gen/big.py"]
    (repo / "app.py").write_bytes(b"import sys\n")  # an edit: git status reports it
    assert LocalSnapshot(repo).entries()[0].sha == hash_object(repo, "app.py")
    git(repo, "commit", "-q", "-am", "edit")  # a new index version
    snap = LocalSnapshot(repo)
    assert snap.source == git(repo, "rev-parse", "HEAD")
    assert snap.entries()[0].sha == hash_object(repo, "app.py")
    (repo / ".gitattributes").write_text("gen/** linguist-generated\n")
    git(repo, "add", ".gitattributes")
    assert [e.path for e in LocalSnapshot(repo).entries()] == [".gitattributes", "app.py"]
    (repo / ".gitattributes").write_text("")  # edited, not staged: the working tree's rules
    assert "gen/big.py" in [e.path for e in LocalSnapshot(repo).entries()]


def test_subfolder_listing_from_the_index(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app.py": b"a\n", "svc/api/main.py": b"b\n", "svc2/x.py": b"c\n"})
    snap = LocalSnapshot(repo / "svc")
    assert [e.path for e in snap.entries()] == ["api/main.py"]
    assert snap.entries()[0].sha == hash_object(repo, "svc/api/main.py")


def test_staged_rename_and_a_path_with_spaces_are_read_from_git_status(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"old name.py": b"import os\n", "b.py": b"x = 1\n"})
    git(repo, "mv", "old name.py", "new name.py")
    (repo / "b.py").write_bytes(b"x = 2\n")
    snap = LocalSnapshot(repo)
    assert [e.path for e in snap.entries()] == ["b.py", "new name.py"]
    assert snap.entries()[0].sha == hash_object(repo, "b.py")
    assert snap.source is None
    git(repo, "commit", "-q", "-am", "rename")
    again = LocalSnapshot(repo)
    assert again.source == git(repo, "rev-parse", "HEAD")  # HEAD from the same git status


def test_a_merge_conflict_lists_the_working_tree_bytes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app.py": b"A = 1\n"})
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app.py").write_bytes(b"A = 2\n")
    git(repo, "commit", "-q", "-am", "two")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_bytes(b"A = 3\n")
    git(repo, "commit", "-q", "-am", "three")
    merged = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True)
    assert merged.returncode != 0  # a conflict: app.py is unmerged
    [entry] = LocalSnapshot(repo).entries()
    assert entry.sha == hash_object(repo, "app.py")
