"""Hand-written fakes of the conversation and engine seams, for the flows' unit tests.

They record what was asked of them so a test can state exactly which writes happened.
(The end-to-end tests in tests/app run the same flows against the sandbox.)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.core.config import RepoConfig
from bot.core.errors import UserError
from bot.service.diffs import DocDiff
from bot.service.engine import Evaluation, Problem
from bot.service.ports import Head
from bot.service.ports.conversation import (
    BranchMoved,
    CheckOutput,
    CommentRef,
    Comparison,
    Permission,
    PullDetails,
)

APP = "docs-refresh[bot]"
REPO = "octo/shop"
DOC = DocDiff(".context/docs/data-flow.md", "old\n", "new\n", ("External Integrations",))


def pull(**changes: object) -> PullDetails:
    base = PullDetails(
        number=7,
        state="open",
        merged=False,
        draft=False,
        head_sha="a" * 40,
        head_ref="feature",
        head_repo=REPO,
        base_ref="main",
        base_sha="b" * 40,
        html_url="http://sandbox/octo/shop/pull/7",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class FakeConversation:
    pulls: list[PullDetails] = field(default_factory=lambda: [pull()])
    permissions: dict[str, Permission] = field(default_factory=dict)
    comments: list[CommentRef] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    checks: list[tuple[str, CheckOutput]] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)
    edits: list[int] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    changed: tuple[str, ...] | None = ("shop/payments.py",)
    compared: list[tuple[str, str]] = field(default_factory=list)
    refuse_moves: int = 0
    checks_allowed: bool = True

    def pull(self, number: int) -> PullDetails:
        # Each read returns the next state, the last one forever (a push between reads).
        return self.pulls.pop(0) if len(self.pulls) > 1 else self.pulls[0]

    def compare(self, base: str, head: str) -> Comparison:
        self.compared.append((base, head))
        return Comparison("f" * 40, self.changed)

    def issue_comments(self, number: int) -> Sequence[CommentRef]:
        return tuple(self.comments)

    def create_comment(self, number: int, body: str) -> int:
        self.comments.append(CommentRef(len(self.comments) + 1, APP, body))
        return len(self.comments)

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.edits.append(comment_id)
        self.comments = [c._replace(body=body) if c.id == comment_id else c for c in self.comments]

    def react(self, comment_id: int, content: str) -> None:
        self.reactions.append((comment_id, content))

    def permission(self, login: str) -> Permission:
        self.lookups.append(login)
        return self.permissions.get(login, Permission("none"))

    def report_check(self, head_sha: str, name: str, output: CheckOutput) -> int | None:
        if not self.checks_allowed:
            return None
        self.checks.append((head_sha, output))
        return len(self.checks)

    def advance_branch(self, branch: str, sha: str) -> None:
        if self.refuse_moves:
            self.refuse_moves -= 1
            raise BranchMoved(branch)
        self.moves.append((branch, sha))

    @property
    def bodies(self) -> list[str]:
        return [c.body for c in self.comments]


@dataclass
class FakeEngine:
    repo_config: RepoConfig = field(default_factory=RepoConfig)
    docs: tuple[DocDiff, ...] = (DOC,)
    facts: str = "- Integration added: **Stripe** (payments)\n"
    problems: tuple[Problem, ...] = ()
    config_error: UserError | None = None
    evaluate_error: Exception | None = None
    evaluated: list[tuple[str, bool]] = field(default_factory=list)
    commits: list[tuple[Head, dict[str, bytes]]] = field(default_factory=list)
    bases: list[str | None] = field(default_factory=list)

    def config(self) -> RepoConfig:
        if self.config_error is not None:
            raise self.config_error
        return self.repo_config

    def evaluate(
        self,
        head_sha: str,
        *,
        base_sha: str | None,
        changed_paths: Collection[str] | None,
        force: bool = False,
    ) -> Evaluation:
        self.evaluated.append((head_sha, force))
        self.bases.append(base_sha)
        if self.evaluate_error is not None:
            raise self.evaluate_error
        return Evaluation(Head(head_sha, "t" * 40), self.docs, self.facts, self.problems)

    def commit_docs(self, parent: Head, files: Mapping[str, bytes], message: str) -> str:
        self.commits.append((parent, dict(files)))
        return f"{len(self.commits):040x}"
