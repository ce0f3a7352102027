"""What a job function receives: settings, storage, metrics, a way to queue more work, and
the service's dependencies (built on first use, so the web process never builds them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.app.jobs import Job
from bot.app.metrics import Metrics
from bot.app.storage import Storage, Submitted
from bot.core.job_budget import JobBudget
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.service.refresh import ServiceDeps


@dataclass
class WorkerContext:
    settings: Settings
    storage: Storage
    metrics: Metrics
    enqueue: Callable[[Sequence[Job]], Submitted]
    _deps: ServiceDeps | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # What job budgets tell time by: this process's monotonic clock (a test's own, advanced
    # as it likes, to run a job out of time at a chosen point).
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def budget(self) -> JobBudget:
        """A job's time, from now (`Settings.job_seconds`), on `clock`."""
        return JobBudget(self.settings.job_seconds, self.clock(), self.clock)

    @property
    def deps(self) -> ServiceDeps:
        """The service's dependencies for this process, built once."""
        with self._lock:
            if self._deps is None:
                # Imported here: PyGithub and the adapters stay out of the web process.
                from bot.app.deps import build_deps

                self._deps = build_deps(self.settings, self.storage)
            return self._deps
