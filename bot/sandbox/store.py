"""The sandbox's state that is not git: users, repositories, issues and pull requests,
comments, reactions, labels, check runs, tokens, the request log and the faults.

It lives in memory, behind one re-entrant lock: a sandbox lives as long as its
process (a test, a benchmark, a demo), and the git repositories — the state worth
keeping — are already on disk. Every public method takes the lock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.gitrepo import GitRepo

APP_ID = 1
INSTALLATION_ID = 1
APP_SLUG = "docs-refresh-sandbox"
APP_NAME = "docs-refresh (sandbox)"
BOT_LOGIN = f"{APP_SLUG}[bot]"


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # User | Bot | Organization


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    git: GitRepo
    private: bool = False
    fork_of: str | None = None  # full name of the parent, for forks
    default_branch: str = "main"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class PullInfo:
    head_repo: str  # full name; differs from the base repository for a fork
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False
    merged: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    maintainer_can_modify: bool = False
    merged_by: str | None = None


@dataclass
class Issue:
    repo: str
    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    pull: PullInfo | None = None
    closed_by: str | None = None
    state_reason: str | None = None  # completed | reopened | not_planned (GitHub's words)

    def close(self, by: str, when: str) -> None:
        self.state, self.closed_at, self.closed_by = "closed", when, by
        self.state_reason = "completed"

    def reopen(self) -> None:
        self.state, self.closed_at, self.closed_by, self.state_reason = (
            "open",
            None,
            None,
            "reopened",
        )


@dataclass
class Comment:
    id: int
    repo: str
    issue_number: int
    user: str
    body: str
    created_at: str
    updated_at: str


@dataclass
class Reaction:
    id: int
    subject: tuple[str, str, int]  # ("issue", repo, number) | ("comment", repo, comment id)
    user: str
    content: str
    created_at: str


@dataclass
class CheckRun:
    id: int
    repo: str
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: str | None
    completed_at: str | None
    details_url: str | None = None
    external_id: str | None = None
    output: dict[str, Any] = field(default_factory=dict)
    annotations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Fault:
    """The next `remaining` requests matching `method` and `path` (fnmatch) fail this way."""

    kind: str  # server_error | secondary_limit | primary_limit | unprocessable | delay
    remaining: int
    method: str | None = None
    path: str = "*"
    status: int | None = None
    message: str | None = None
    retry_after: int = 1
    delay: float = 0.0


_REQUEST_IDS = itertools.count(1)


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class Store:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self._ids = 1000
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.issues: dict[tuple[str, int], Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.reactions: dict[int, Reaction] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.collaborators: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.rate_used: dict[str, int] = {}
        self.requests: list[dict[str, Any]] = []
        self.deliveries: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        # Manifest-flow codes not yet converted: code -> (expiry, manifest).
        self.manifest_codes: dict[str, tuple[float, dict[str, Any]]] = {}
        self.user(BOT_LOGIN, "Bot")

    def now(self) -> str:
        return iso(self.clock())

    def next_request_id(self) -> str:
        """A new `x-github-request-id`, like GitHub's (hex, colon parts), unique across
        the sandboxes of this process as GitHub's are across its servers."""
        n = next(_REQUEST_IDS)  # itertools.count: atomic under the GIL
        return f"5A4D:B0C5:{n:06X}:{n:06X}:0"

    def next_id(self) -> int:
        with self.lock:
            self._ids += 1
            return self._ids

    def user(self, login: str, type_: str | None = None) -> User:
        """The user called `login`, created on first mention (type defaults to User)."""
        with self.lock:
            found = self.users.get(login.lower())
            if found is None:
                found = self.users[login.lower()] = User(login, self.next_id(), type_ or "User")
            elif type_:
                found.type = type_
            return found

    def add_repo(
        self,
        full_name: str,
        git: GitRepo,
        *,
        private: bool = False,
        fork_of: str | None = None,
        owner_type: str = "User",
    ) -> Repo:
        owner, _, name = full_name.partition("/")
        with self.lock:
            self.user(owner, owner_type)
            repo = Repo(owner, name, self.next_id(), git, private, fork_of, git.default_branch())
            self.repos[full_name.lower()] = repo
            return repo

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def next_number(self, repo: str) -> int:
        with self.lock:
            numbers = [n for (r, n) in self.issues if r == repo]
            return max(numbers, default=0) + 1

    def permission(self, repo: Repo, login: str) -> str:
        """Collaborator permission: admin | maintain | write | triage | read | none."""
        if login.lower() == repo.owner.lower():
            return "admin"
        with self.lock:
            return self.collaborators.get((repo.full_name, login.lower()), "none")

    def pulls_for_head(self, repo: str, ref: str) -> list[Issue]:
        with self.lock:
            return [
                i
                for i in self.issues.values()
                if i.pull
                and i.pull.head_repo == repo
                and i.pull.head_ref == ref
                and i.state == "open"
            ]

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        from fnmatch import fnmatchcase

        with self.lock:
            for fault in self.faults:
                if fault.method and fault.method.upper() != method:
                    continue
                if not fnmatchcase(path, fault.path):
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
            return None
