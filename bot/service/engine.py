"""The seam between conversations (previews, commands) and the refresh engine.

`Engine` is what a preview or a command asks of one repository: its config, what the docs
would become at a commit, and a commit of those docs. `bot/service/repo_engine.py` implements it
over `RepoGateway` and `bot.core.refresh`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.core.config import RepoConfig
from bot.service.diffs import DocDiff
from bot.service.ports import Head


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason the docs cannot be refreshed, where it is (a check-run annotation)."""

    path: str
    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a refresh at `head` would write."""

    head: Head
    docs: tuple[DocDiff, ...] = ()  # only the docs that would change
    facts_markdown: str = ""  # the fact changes from base to head, as a bullet list
    problems: tuple[Problem, ...] = ()  # malformed docs or config: nothing can be written

    @property
    def files(self) -> dict[str, bytes]:
        return {d.path: d.new.encode("utf-8") for d in self.docs}


class Engine(Protocol):
    def config(self) -> RepoConfig:
        """The repository's config from its default branch (ConfigError when invalid)."""

    def evaluate(
        self,
        head_sha: str,
        *,
        base_sha: str | None,
        changed_paths: tuple[str, ...] | None,
        force: bool = False,
    ) -> Evaluation:
        """What the docs would become at `head_sha`; fact changes are against `base_sha`
        (None: no facts summary, and no analysis of a second tree)."""

    def commit_docs(self, parent: Head, files: Mapping[str, bytes], message: str) -> str:
        """A new commit with `files` on `parent`, by the bot; no ref moves. Returns its SHA."""
