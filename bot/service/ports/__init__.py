"""The seam between the refresh service and a code host (GitHub, the sandbox, a fake).

`RepoGateway` is everything one refresh needs from one repository, in host-neutral value
objects. `bot/github/gateway.py` implements it over PyGithub; tests may use an in-memory
fake. Each method is one or two requests at most, so a refresh's cost is readable from
the calls it makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the bot's commits say they are by; the tip check compares against it."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Head:
    """A commit and its root tree: what a new commit needs as parent and base tree."""

    sha: str
    tree: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """What differs from a base commit to a head (a ref or SHA), as the host saw it."""

    paths: tuple[str, ...] | None  # None: too many files for the host to list them all
    head: str | None  # the head's commit SHA when the answer names it


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Identity
    committer: Identity


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    state: str  # open | closed
    merged: bool
    head_sha: str
    title: str
    body: str
    labels: tuple[str, ...]
    html_url: str


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    body: str


@dataclass(frozen=True, slots=True)
class Annotation:
    path: str
    line: int
    message: str
    level: str = "failure"  # notice | warning | failure


@dataclass(frozen=True, slots=True)
class CheckReport:
    name: str
    conclusion: str  # success | failure | neutral | action_required
    title: str
    summary: str
    annotations: tuple[Annotation, ...] = ()


class MissingCommit(LookupError):
    """The host does not know this commit (history rewritten, or a typo)."""


class BranchExists(Exception):
    """`set_branch(create=True)` found the branch already there; nothing was moved."""


class BranchMoved(Exception):
    """A ref update was refused (422): the branch changed meanwhile; nothing was moved.

    Transient for the queue: the job runs again and reads the branch afresh, so a person's
    commit is then seen (and kept) rather than overwritten by a blind retry.
    """

    transient = True
    retry_after = 0.0  # no hint from GitHub: the queue's backoff applies


class HeadSnapshot(Snapshot, Protocol):
    """A snapshot of a commit, knowing its root tree (a new commit's base tree)."""

    @property
    def head(self) -> Head: ...

    def expect_reads(self, count: int) -> None:
        """A hint: about `count` more files will be read (a cold start fetches in bulk)."""


class RepoGateway(Protocol):
    """One repository of one installation."""

    @property
    def repo(self) -> str:
        """ "owner/name"."""

    def default_branch(self) -> str: ...

    def config_text(self, path: str) -> str | None:
        """The file at `path` on the default branch, or None when absent."""

    def branch_head(self, branch: str) -> str | None:
        """The branch's tip commit SHA, or None when the branch does not exist."""

    def changed_paths(self, base: str, head: str) -> tuple[str, ...] | None:
        """Paths that differ between two commits, or None when the host cannot say."""

    def compare(self, base: str, head: str) -> Comparison:
        """One request: the changed paths and, when it can tell, the head's SHA."""

    def snapshot(self, sha: str) -> HeadSnapshot:
        """The repository at commit `sha` (`MissingCommit` when unknown); bytes on read."""

    def commit(self, sha: str) -> CommitInfo: ...

    def find_pull(self, head_branch: str, base: str) -> PullRequest | None:
        """The most recent pull request from `head_branch` into `base`, in any state."""

    def write_commit(
        self, parent: Head, files: Mapping[str, bytes], message: str, author: Identity
    ) -> str:
        """A new commit on `parent` with `files` replaced; returns its SHA. No ref moves."""

    def set_branch(self, branch: str, sha: str, *, create: bool) -> None:
        """Create `branch` at `sha` (`BranchExists` when it is there), or force-move it."""

    def delete_branch(self, branch: str) -> None: ...

    def open_pull(
        self, base: str, head_branch: str, title: str, body: str, draft: bool
    ) -> PullRequest: ...

    def edit_pull(self, number: int, *, title: str, body: str) -> None: ...

    def close_pull(self, number: int, *, body: str | None = None) -> None:
        """Close the PR, replacing its body in the same request when `body` is given."""

    def add_labels(self, number: int, labels: Sequence[str]) -> None: ...

    def comments(self, number: int) -> Sequence[Comment]: ...

    def create_comment(self, number: int, body: str) -> None: ...

    def report_check(self, head_sha: str, report: CheckReport) -> bool:
        """Create a completed check run; False when the installation may not (no write)."""

    def blob_url(self, ref: str, path: str, line: int | None = None) -> str:
        """A browser link to `path` (at `line`) at `ref`, for evidence links."""

    def commit_url(self, sha: str) -> str: ...


class GatewayFactory(Protocol):
    def __call__(self, installation_id: int, repo: str) -> RepoGateway: ...
