"""A hand-written in-memory `RepoGateway`: commits, branches, pull requests and comments.

It keeps the rules the publishing logic relies on (a branch is created once, a PR is
unique per head branch, closing a PR whose branch is deleted) and counts every call, so
tests can assert "no writes" as directly as the sandbox's request log does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.core.snapshot import MemorySnapshot
from bot.service.ports import (
    BranchExists,
    CheckReport,
    Comment,
    CommitInfo,
    Comparison,
    Head,
    Identity,
    MissingCommit,
    PullRequest,
)

PERSON = Identity("Ada", "ada@example.com")


class FakeSnapshot(MemorySnapshot):
    def __init__(self, files: Mapping[str, bytes], head: Head) -> None:
        super().__init__(files, head.sha)
        self.head = head

    def expect_reads(self, count: int) -> None:
        pass  # everything is in memory already


@dataclass
class FakeCommit:
    files: dict[str, bytes]
    parents: tuple[str, ...]
    author: Identity


@dataclass
class FakeRepo:
    repo: str = "octo/shop"
    commits: dict[str, FakeCommit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: list[PullRequest] = field(default_factory=list)
    comments: dict[int, list[Comment]] = field(default_factory=dict)
    checks: list[tuple[str, CheckReport]] = field(default_factory=list)
    config: str | None = None
    checks_allowed: bool = True
    calls: list[str] = field(default_factory=list)

    @property
    def writes(self) -> list[str]:
        return [c for c in self.calls if c.startswith("write:")]

    def commit_files(
        self, branch: str, files: Mapping[str, bytes], author: Identity = PERSON
    ) -> str:
        parent = self.branches.get(branch)
        base = dict(self.commits[parent].files) if parent else {}
        base.update(files)
        sha = _sha(repr((sorted(base.items()), parent, author)))
        self.commits[sha] = FakeCommit(base, (parent,) if parent else (), author)
        self.branches[branch] = sha
        self.pulls = [
            replace(p, head_sha=sha)
            if p.html_url.endswith(f"#{branch}") and p.state == "open"
            else p
            for p in self.pulls
        ]
        return sha


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class FakeGateway:
    def __init__(self, state: FakeRepo) -> None:
        self.state = state

    def _call(self, name: str) -> None:
        self.state.calls.append(name)

    @property
    def repo(self) -> str:
        return self.state.repo

    def default_branch(self) -> str:
        self._call("read:repo")
        return "main"

    def config_text(self, path: str) -> str | None:
        self._call("read:config")
        return self.state.config

    def branch_head(self, branch: str) -> str | None:
        self._call("read:ref")
        return self.state.branches.get(branch)

    def changed_paths(self, base: str, head: str) -> tuple[str, ...] | None:
        self._call("read:compare")
        old = self.state.commits[self.state.branches.get(base, base)].files
        new = self.state.commits[self.state.branches.get(head, head)].files
        return tuple(sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p)))

    def compare(self, base: str, head: str) -> Comparison:
        paths = self.changed_paths(base, head)
        return Comparison(paths, self.state.branches.get(head, head))

    def snapshot(self, sha: str) -> FakeSnapshot:
        self._call("read:tree")
        if sha not in self.state.commits:
            raise MissingCommit(sha)
        return FakeSnapshot(self.state.commits[sha].files, Head(sha, "tree-" + sha))

    def commit(self, sha: str) -> CommitInfo:
        self._call("read:commit")
        c = self.state.commits[sha]
        return CommitInfo(sha, "tree-" + sha, c.parents, c.author, c.author)

    def find_pull(self, head_branch: str, base: str) -> PullRequest | None:
        self._call("read:pulls")
        found = [p for p in self.state.pulls if p.html_url.endswith(f"#{head_branch}")]
        return found[-1] if found else None

    def write_commit(
        self, parent: Head, files: Mapping[str, bytes], message: str, author: Identity
    ) -> str:
        self._call("write:tree")
        self._call("write:commit")
        merged = dict(self.state.commits[parent.sha].files)
        merged.update(files)
        sha = _sha(repr((sorted(merged.items()), parent.sha, author, message)))
        self.state.commits[sha] = FakeCommit(merged, (parent.sha,), author)
        return sha

    def set_branch(self, branch: str, sha: str, *, create: bool) -> None:
        self._call("write:ref")
        if create and branch in self.state.branches:
            raise BranchExists(branch)
        self.state.branches[branch] = sha
        self.state.pulls = [
            replace(p, head_sha=sha)
            if p.html_url.endswith(f"#{branch}") and p.state == "open"
            else p
            for p in self.state.pulls
        ]

    def delete_branch(self, branch: str) -> None:
        self._call("write:delete-ref")
        self.state.branches.pop(branch, None)

    def open_pull(
        self, base: str, head_branch: str, title: str, body: str, draft: bool
    ) -> PullRequest:
        self._call("write:pull")
        number = len(self.state.pulls) + 1
        pr = PullRequest(
            number,
            "open",
            False,
            self.state.branches[head_branch],
            title,
            body,
            (),
            f"https://example.test/pull/{number}#{head_branch}",
        )
        self.state.pulls.append(pr)
        return pr

    def _edit(self, number: int, **changes: object) -> None:
        self.state.pulls = [
            replace(p, **changes) if p.number == number else p  # type: ignore[arg-type]
            for p in self.state.pulls
        ]

    def edit_pull(self, number: int, *, title: str, body: str) -> None:
        self._call("write:edit-pull")
        self._edit(number, title=title, body=body)

    def close_pull(self, number: int, *, body: str | None = None) -> None:
        self._call("write:close-pull")
        self._edit(number, state="closed")
        if body is not None:
            self._edit(number, body=body)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._call("write:labels")
            pr = next(p for p in self.state.pulls if p.number == number)
            self._edit(number, labels=tuple(sorted({*pr.labels, *labels})))

    def comments(self, number: int) -> Sequence[Comment]:
        self._call("read:comments")
        return tuple(self.state.comments.get(number, ()))

    def create_comment(self, number: int, body: str) -> None:
        self._call("write:comment")
        bucket = self.state.comments.setdefault(number, [])
        bucket.append(Comment(len(bucket) + 1, body))

    def report_check(self, head_sha: str, report: CheckReport) -> bool:
        self._call("write:check")
        if not self.state.checks_allowed:
            return False
        self.state.checks.append((head_sha, report))
        return True

    def blob_url(self, ref: str, path: str, line: int | None = None) -> str:
        return f"https://example.test/blob/{ref}/{path}" + (f"#L{line}" if line else "")

    def commit_url(self, sha: str) -> str:
        return f"https://example.test/commit/{sha}"
