"""bench/genrepo.py: same seed, same bytes; exactly the asked number of files; docs with
agent-update blocks; a committed git repository when asked."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from bench import genrepo as genrepo_module


@pytest.fixture
def genrepo() -> ModuleType:
    return genrepo_module


@pytest.mark.parametrize(("kind", "count"), [("mixed", 1000), ("ts", 1500), ("python", 700)])
def test_same_seed_gives_same_bytes_and_the_asked_count(
    genrepo: ModuleType, kind: str, count: int
) -> None:
    first = genrepo.repo_files(count, kind, seed=3)
    assert len(first) == count
    assert first == genrepo.repo_files(count, kind, seed=3)
    assert first != genrepo.repo_files(count, kind, seed=4)


@pytest.mark.parametrize("count", [11, 12, 13, 57, 5000])
def test_small_and_odd_counts_are_exact(genrepo: ModuleType, count: int) -> None:
    assert len(genrepo.repo_files(count, "mixed", seed=1)) == count


def test_mixed_repository_has_every_language_and_a_data_flow_block(genrepo: ModuleType) -> None:
    files = genrepo.repo_files(1000, "mixed", seed=1)
    suffixes = {path.rpartition(".")[2] for path in files}
    assert {"py", "ts", "rb", "md"} <= suffixes
    doc = files["docs/data-flow.md"].decode()
    assert "<!-- agent-update:start:data-flow -->" in doc
    assert doc.count("<!-- agent-update:end -->") == 1
    assert "agent-update:start:" in files[".context/docs/architecture.md"].decode()
    # Modules import each other: the import graph is not empty.
    python = [t.decode() for p, t in files.items() if p.endswith(".py")]
    assert sum("from core." in text for text in python) > len(python) // 2


def test_too_few_files_for_the_kind_is_refused(genrepo: ModuleType) -> None:
    with pytest.raises(ValueError, match="at least"):
        genrepo.repo_files(3, "mixed")


def test_written_repository_is_committed(genrepo: ModuleType, tmp_path: Path) -> None:
    files = genrepo.repo_files(40, "ts", seed=2)
    root = genrepo.write_repo(tmp_path / "repo", files)
    listed = subprocess.run(
        ["git", "ls-files"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.split()
    assert sorted(listed) == sorted(files)
    assert (root / "docs/data-flow.md").read_bytes() == files["docs/data-flow.md"]
