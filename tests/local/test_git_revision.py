from __future__ import annotations

from pathlib import Path

from bot.local.checkout import LocalSnapshot
from bot.local.git_revision import RevisionSnapshot
from tests.helpers.git import git


def test_a_clean_checkout_and_its_head_are_the_same_snapshot(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import redis\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("x\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "gen.py").write_text("GENERATED = 1\n")
    (tmp_path / ".gitattributes").write_text("lib/gen.py linguist-generated\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "x")
    head = RevisionSnapshot(tmp_path, "HEAD")
    local = LocalSnapshot(tmp_path)
    assert head.entries() == local.entries()
    assert head.source == local.source == git(tmp_path, "rev-parse", "HEAD").strip()
    assert head.read("app.py") == b"import redis\n"


def test_the_revision_keeps_old_bytes_after_the_tree_changes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("old\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "x")
    (tmp_path / "app.py").write_text("new\n")
    assert RevisionSnapshot(tmp_path, "HEAD").read("app.py") == b"old\n"
