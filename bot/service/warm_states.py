"""Warm refresh states (`bot.core.warm.Warm`) for one worker process, per repository branch.

A push to a branch the worker refreshed before costs the changed files, not the repository.
Each state is taken by one job at a time (two jobs on one branch at once: the second starts
cold rather than share), and only the most recently used few are kept: a 20,000-file
repository's state is tens of MB.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from bot.core.warm import Warm

KEPT = 4  # branches per process


class WarmStates:
    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._states: OrderedDict[Hashable, Warm] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def use(self, key: Hashable) -> Iterator[Warm]:
        """The state for `key` (a fresh one if none is kept), given back afterwards; a
        failure inside leaves it consistent (the analysis forgets what it half-did)."""
        with self._lock:
            warm = self._states.pop(key, None) or Warm()
        try:
            yield warm
        finally:
            with self._lock:
                self._states[key] = warm
                while len(self._states) > self._kept:
                    self._states.popitem(last=False)

    def __len__(self) -> int:
        return len(self._states)

    def held(self) -> list[Hashable]:
        """The keys of the states kept, least recently used first."""
        with self._lock:
            return list(self._states)
