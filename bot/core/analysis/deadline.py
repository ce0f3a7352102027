"""A CPU deadline for one file's extraction, where the process can enforce one.

Regular expressions and Python loops hold the GIL, so a thread cannot stop another one's
runaway scan. A signal can: CPython's regex engine checks for signals as it runs, so a
profiling timer (`ITIMER_PROF`, CPU time) raising in the main thread ends a scan at its
deadline. That is where extraction runs in the CLI and in every pool worker process. A
thread that is not its process's main thread (the App's consumer threads) cannot arm one:
there `extract` hands every file to child processes (`isolated`), which can.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType


class FileTimeout(BaseException):
    """One file's extraction ran past its CPU deadline."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise FileTimeout


_armed_in: set[int] = set()  # processes whose SIGPROF handler is this module's


def can_arm() -> bool:
    """Whether this thread can arm a deadline: a main thread, where signals exist."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class cpu_deadline:  # named as the function it replaced: `with cpu_deadline(s):`
    """FileTimeout inside the block once it has used `seconds` of CPU (main thread only).

    A class, not a generator: it is entered once per file, and a `contextmanager`'s
    generator cost as much again as the two `setitimer` calls (~2.4 µs in all per file)."""

    __slots__ = ("armed", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        if not can_arm():
            return
        pid = os.getpid()
        if pid not in _armed_in:
            signal.signal(signal.SIGPROF, _raise)
            _armed_in.add(pid)
        signal.setitimer(signal.ITIMER_PROF, self.seconds)
        self.armed = True

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, _tb: object
    ) -> None:
        if not self.armed:
            return
        left, _ = signal.setitimer(signal.ITIMER_PROF, 0)
        # The timer fired inside C code that called back into Python (a parser's progress
        # callback, a lazy pattern's compile): the FileTimeout raised there comes out as
        # that code's own error (SystemError). It is still the deadline.
        if left == 0 and isinstance(err, Exception):
            raise FileTimeout from err
