"""Real git repositories for tests: run git as a throwaway author, commit a folder's copy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def committed_copy(source: Path, repo: Path) -> Path:
    """`source` copied to `repo` (no bytecode) and committed as the first commit of `main`."""
    shutil.copytree(source, repo, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", repo.name)
    return repo
