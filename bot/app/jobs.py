"""Jobs: what a webhook handler asks the worker to do, as the queue carries it.

Handlers are pure: they turn an event into `Job`s and `Drop`s and never touch the network.
Plain values only, importing nothing of the bot: the storage backends, the router and the
worker all build on them (`bot.app.registry` holds the functions that run them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class JobKey:
    """Jobs with one key coalesce while pending and never run at the same time.

    `variant` separates jobs that must not swallow each other (a forced refresh behind a
    plain one) while still sharing the lock of their branch.
    """

    installation_id: int
    repo: str  # "owner/name"
    base: str  # branch name
    variant: str = ""

    @property
    def pending_name(self) -> str:
        """The coalescing marker's name inside its installation."""
        suffix = f"+{self.variant}" if self.variant else ""
        return f"{self.repo}@{self.base}{suffix}"

    @property
    def lock_name(self) -> str:
        """Variants share one lock: one refresh of a branch at a time."""
        return f"{self.installation_id}:{self.repo}@{self.base}"


@dataclass(frozen=True, slots=True)
class Job:
    name: str  # a key of JOB_FUNCTIONS
    args: Mapping[str, Any] = field(default_factory=dict)  # JSON-like values only
    key: JobKey | None = None  # None: never coalesced, never locked
    installation_id: int | None = None  # for dropping jobs of a removed installation
    repo: str | None = None

    def to_message(
        self, enqueued_at: float, attempt: int = 0, delivery: str | None = None
    ) -> dict[str, Any]:
        """The plain dict the queue carries (huey pickles it)."""
        key = self.key
        return {
            "name": self.name,
            "args": dict(self.args),
            "key": None if key is None else [key.installation_id, key.repo, key.base, key.variant],
            "installation_id": self.installation_id if key is None else key.installation_id,
            "repo": self.repo if key is None else key.repo,
            "enqueued_at": enqueued_at,
            "attempt": attempt,
            "delivery": delivery,  # the webhook that queued it, for the worker's logs
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A job as the worker receives it."""

    job: Job
    enqueued_at: float
    attempt: int
    delivery: str | None = None
    # Runs of this message whose worker died (the journal queued it again): a job that
    # kills or hangs every worker it meets is given up, not handed on forever.
    recoveries: int = 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        raw_key = data.get("key")
        key = (
            None if raw_key is None else JobKey(int(raw_key[0]), raw_key[1], raw_key[2], raw_key[3])
        )
        job = Job(
            name=str(data["name"]),
            args=dict(data.get("args") or {}),
            key=key,
            installation_id=data.get("installation_id"),
            repo=data.get("repo"),
        )
        delivery = data.get("delivery")
        return cls(
            job,
            float(data["enqueued_at"]),
            int(data.get("attempt", 0)),
            delivery if isinstance(delivery, str) else None,
            int(data.get("recoveries", 0)),
        )

    def deferred(self) -> dict[str, Any]:
        """The same attempt again, later (its branch was locked)."""
        return self._with(self.job.to_message(self.enqueued_at, self.attempt, self.delivery))

    def recovered(self) -> dict[str, Any]:
        """The message the journal queues again if this run's worker dies."""
        message = self.job.to_message(self.enqueued_at, self.attempt, self.delivery)
        message["recoveries"] = self.recoveries + 1
        return message

    def _with(self, message: dict[str, Any]) -> dict[str, Any]:
        if self.recoveries:
            message["recoveries"] = self.recoveries
        return message

    def retried(self) -> dict[str, Any]:
        """The message of the next attempt (same enqueue time: drops still apply)."""
        return self._with(self.job.to_message(self.enqueued_at, self.attempt + 1, self.delivery))


@dataclass(frozen=True, slots=True)
class Drop:
    """Forget pending work of an installation (all of it when `repos` is empty)."""

    installation_id: int
    repos: tuple[str, ...] = ()


Action = Job | Drop


def refresh_job(
    installation_id: int,
    repo: str,
    base: str,
    *,
    reason: str,
    force: bool = False,
    before: str | None = None,
    default_branch: str | None = None,
    settle: bool = False,
) -> Job:
    """A refresh of one base branch; bursts coalesce into one run on the newest head.

    `settle`: wait `Settings.settle_seconds` after the first push before starting, so the
    rest of a burst (a merge train, a rebase pushed commit by commit) joins this run.

    `before` is the SHA the branch had before the first push of the burst (the service
    compares it with the current head); `default_branch` saves it a request.
    """
    args: dict[str, Any] = {"force": force, "reason": reason}
    if before is not None:
        args["before"] = before
    if default_branch is not None:
        args["default_branch"] = default_branch
    if settle:
        args["settle"] = True
    return Job(
        name="refresh",
        args=args,
        key=JobKey(installation_id, repo, base, "force" if force else ""),
    )
