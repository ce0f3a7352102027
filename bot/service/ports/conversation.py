"""The seam for talking with people on a pull request or issue: comments, reactions,
permissions, check runs, and a commit onto a person's branch.

`bot/github/conversation.py` implements it over PyGithub (against GitHub or the sandbox).
It sits beside `bot.service.ports.RepoGateway` rather than inside it so that the refresh service's
gateway stays what one refresh needs, and this one what one conversation needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

ANNOTATIONS_PER_REQUEST = 50  # GitHub takes at most 50 per create or update
Conclusion = Literal["success", "neutral", "failure"]
REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})


class CommentRef(NamedTuple):
    id: int
    login: str
    body: str


class Permission(NamedTuple):
    """The collaborator permission endpoint's answer.

    `permission` is the legacy field (admin | write | read | none: maintain reads as write,
    triage as read); `role_name` the precise role when the server sends one.
    """

    permission: str
    role_name: str | None = None


class Annotation(NamedTuple):
    path: str
    start_line: int
    message: str
    annotation_level: str = "failure"  # notice | warning | failure
    title: str = "docs-refresh"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.start_line,
            "annotation_level": self.annotation_level,
            "message": self.message,
            "title": self.title,
        }


class CheckOutput(NamedTuple):
    conclusion: Conclusion
    title: str
    summary: str
    annotations: tuple[Annotation, ...] = ()

    def batches(self) -> list[dict[str, Any]]:
        """`output` objects for one create and as many updates as the annotations need."""
        base = {"title": self.title, "summary": self.summary}
        if not self.annotations:
            return [dict(base)]
        step = ANNOTATIONS_PER_REQUEST
        return [
            {**base, "annotations": [a.to_json() for a in self.annotations[i : i + step]]}
            for i in range(0, len(self.annotations), step)
        ]


@dataclass(frozen=True, slots=True)
class PullDetails:
    """What a preview or a command needs to know about one pull request."""

    number: int
    state: str  # open | closed
    merged: bool
    draft: bool
    head_sha: str
    head_ref: str
    head_repo: str | None  # "owner/name"; None when the fork was deleted
    base_ref: str
    base_sha: str
    html_url: str

    def same_repo(self, repo: str) -> bool:
        return self.head_repo is not None and self.head_repo.lower() == repo.lower()


@dataclass(frozen=True, slots=True)
class Comparison:
    """A pull request's change: where it forked from its base, and the paths it touches."""

    merge_base: str
    paths: tuple[str, ...] | None  # None when the host cannot list them all


class BranchMoved(Exception):
    """The branch tip is no longer the parent of our commit (someone pushed meanwhile)."""


class Conversation(Protocol):
    """One repository of one installation, as the bot's own account."""

    def pull(self, number: int) -> PullDetails: ...

    def compare(self, base: str, head: str) -> Comparison:
        """`base...head`: the merge base and the changed paths (renames count twice)."""

    def issue_comments(self, number: int) -> Sequence[CommentRef]:
        """Every comment on the issue or pull request, oldest first."""

    def create_comment(self, number: int, body: str) -> int:
        """Post a comment; returns its id."""

    def edit_comment(self, comment_id: int, body: str) -> None: ...

    def react(self, comment_id: int, content: str) -> None:
        """Add a reaction (one of REACTIONS) to an issue comment."""

    def permission(self, login: str) -> Permission: ...

    def report_check(self, head_sha: str, name: str, output: CheckOutput) -> int | None:
        """A completed check run with every annotation (50 per request); None when the
        installation may not write checks."""

    def advance_branch(self, branch: str, sha: str) -> None:
        """Move `branch` to `sha` as a fast-forward only; BranchMoved when it is not one."""
