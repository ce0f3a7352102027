"""Watchers of what the sandboxes in this process answer and deliver.

A test suite registers one (`watch`) to check every answer and webhook against GitHub's own
descriptions. Watchers run on the sandbox's request and delivery threads, so they should
only record; checking is the watcher owner's business, on its own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One API answer (admin and codeload paths excluded), as sent."""

    method: str
    path: str
    query: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # empty for a streamed body
    fault: str | None  # the injected fault that made this answer, if any
    auth: str | None  # "app", "installation" or None (anonymous)


@dataclass(frozen=True)
class Delivery:
    """One webhook as delivered (built, signed and posted, or recorded without a URL)."""

    event: str
    payload: dict[str, Any]


Watcher = Callable[[Answer | Delivery], None]
_watchers: list[Watcher] = []
_lock = threading.Lock()


@contextmanager
def watch(watcher: Watcher) -> Iterator[None]:
    """Hand every answer and delivery of any sandbox in this process to `watcher`."""
    with _lock:
        _watchers.append(watcher)
    try:
        yield
    finally:
        with _lock:
            _watchers.remove(watcher)


def watching() -> bool:
    return bool(_watchers)


def notify(event: Answer | Delivery) -> None:
    with _lock:
        current = list(_watchers)
    for watcher in current:
        watcher(event)
