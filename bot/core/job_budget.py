"""A job's time budget, checked by the core between files and between stages.

The core reads no clock: the caller (the App's refresh job) passes a `JobBudget` holding
its own clock and the moment the job started. Extraction checks it after each file and the
analysis and refresh between their stages; once the budget is spent they raise
`JobDeadline`, naming the file that was being read when the time ran out and the files
not read. A check cannot stop a file in the middle: that is the per-file deadline's work
(`bot.core.analysis.deadline`); this one bounds the job as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


class JobDeadline(Exception):
    """The job ran past its budget (`bot.core.limits.JOB_SECONDS`); nothing was written.

    `path`: the file being read when the time ran out (None: between files, in `stage`);
    `not_read`: files the job would still have read; `skipped`: (path, reason) of files
    read so far that were skipped on their own (a per-file limit)."""

    def __init__(
        self,
        stage: str,
        seconds: float,
        path: str | None = None,
        not_read: Sequence[str] = (),
        skipped: Sequence[tuple[str, str]] = (),
    ) -> None:
        where = f" while reading {path}" if path else ""
        super().__init__(f"the job's {seconds:g} s ran out in {stage}{where}")
        self.stage = stage
        self.seconds = seconds
        self.path = path
        self.not_read = tuple(not_read)
        self.skipped = tuple(skipped)


@dataclass(frozen=True, slots=True)
class JobBudget:
    """`seconds` from `started`, as `clock` tells time (the caller's monotonic clock)."""

    seconds: float
    started: float
    clock: Callable[[], float]

    def spent(self) -> bool:
        return self.clock() - self.started >= self.seconds

    def check(self, stage: str) -> None:
        """JobDeadline when the budget is spent (between stages: no file is named)."""
        if self.spent():
            raise JobDeadline(stage, self.seconds)
