"""What the queue storage holds besides huey's tasks: delivery ids, pending markers, locks,
removals and metric counters — over SQLite (one machine) or Redis (many).

`submit` is the web process's single round trip: it records the delivery id, applies
drops, and enqueues every job whose key is not already pending, atomically. So a delivery
answered 2xx is durable, and a redelivery or a burst of pushes adds nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.app.jobs import Drop, JobKey

DELIVERY_TTL = 3 * 24 * 3600  # GitHub lets people redeliver for 3 days
PENDING_TTL = 3600  # a marker older than this is taken as lost, never as blocking
REMOVAL_TTL = 3 * 24 * 3600  # longer than any job waits in the queue


@dataclass(frozen=True, slots=True)
class Entry:
    """One serialized huey task, with the key it coalesces on (or None)."""

    key: JobKey | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Submitted:
    duplicate: bool = False
    enqueued: int = 0
    coalesced: int = 0


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    labels: str  # canonical text, see labels_text
    value: float


class Lease(Protocol):
    name: str

    def renew(self) -> bool:
        """Push the expiry forward; False when the lease was lost (expired and taken)."""

    def release(self) -> None: ...


class Storage(Protocol):
    kind: str  # "sqlite" | "redis"

    def submit(
        self,
        delivery_id: str | None,
        entries: Sequence[Entry],
        drops: Sequence[Drop] = (),
        *,
        now: float,
        count: tuple[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> Submitted:
        """Atomically: claim the delivery, apply drops, enqueue entries not pending.

        `count` names a counter whose labels gain `outcome="accepted"|"duplicate"`.
        """

    def clear_pending(self, key: JobKey) -> None: ...

    def removed_since(self, installation_id: int, repo: str | None, since: float) -> bool:
        """Whether the installation (or the repo) was removed at or after `since`."""

    def acquire(self, name: str, ttl: float, *, now: float) -> Lease | None: ...

    def incr(self, name: str, labels: tuple[tuple[str, str], ...], by: float = 1.0) -> None: ...

    def set_gauge(self, name: str, labels: tuple[tuple[str, str], ...], value: float) -> None: ...

    def samples(self) -> list[Sample]: ...

    def ping(self) -> None:
        """Raise when the storage cannot be reached."""

    def raw(self) -> Any:
        """The underlying client (sqlite3 path or redis.Redis), for the facts cache."""


def labels_text(labels: tuple[tuple[str, str], ...]) -> str:
    """Canonical Prometheus label text: `a="x",b="y"`, sorted, escaped."""
    parts = []
    for key, value in sorted(labels):
        escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        parts.append(f'{key}="{escaped}"')
    return ",".join(parts)


@contextlib.contextmanager
def held(lease: Lease, ttl: float) -> Iterator[threading.Event]:
    """Keep `lease` alive while the block runs; the yielded event is set if it was lost.

    A crashed holder stops renewing, so its lease expires after `ttl` and another worker
    takes over: a dead process never blocks a branch for longer than that.
    """
    lost = threading.Event()
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            if not lease.renew():
                lost.set()
                return

    thread = threading.Thread(target=renew, name=f"lease:{lease.name}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()
        lease.release()
