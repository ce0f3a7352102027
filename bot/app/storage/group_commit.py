"""Group commit: concurrent writers of one process share one transaction and one fsync
(SQLite), or one round trip (Redis).

The SQLite queue keeps `synchronous=FULL` (a delivery answered 2xx survives a power cut),
so each commit costs an fsync; on Redis each call costs a round trip and its wake-ups. The
first writer to arrive leads: it takes every write queued so far, runs them as one batch
and wakes their threads; writes that arrive meanwhile form the next batch, led by the
first of them. A leader answers as soon as its own batch is done: if it went on to run
the next batches too, its request would wait for commits that are not its own. Under
load, commits per delivery fall with concurrency; alone, a write costs what it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

A = TypeVar("A")
T = TypeVar("T")
Transaction = Callable[[], AbstractContextManager[Any]]


class _Write(Generic[A]):
    __slots__ = ("arg", "done", "error", "leads", "result")

    def __init__(self, arg: A) -> None:
        self.arg = arg
        self.done = threading.Event()  # set when done, or when handed the lead
        self.leads = False
        self.result: Any = None
        self.error: BaseException | None = None


class Batcher(Generic[A, T]):
    """`run(arg)` from many threads; `run_batch(args)` does the work of a whole batch.

    `run_batch` returns one result per argument, in order; an exception in the list fails
    only that write, an exception raised fails every write of the batch.
    """

    def __init__(self, run_batch: Callable[[list[A]], Sequence[T | BaseException]]) -> None:
        self._run_batch = run_batch
        self._lock = threading.Lock()
        self._queued: list[_Write[A]] = []
        self._leading = False

    def run(self, arg: A) -> T:
        write: _Write[A] = _Write(arg)
        with self._lock:
            self._queued.append(write)
            write.leads = not self._leading
            self._leading = True
        if not write.leads:
            write.done.wait()
        if write.leads:
            with self._lock:  # this write is still queued: it is in the batch it takes
                batch, self._queued = self._queued, []
            self._commit(batch)
            with self._lock:  # hand the lead to the first write that came meanwhile
                if self._queued:
                    self._queued[0].leads = True
                    self._queued[0].done.set()
                else:
                    self._leading = False
        if write.error is not None:
            raise write.error
        result: T = write.result
        return result

    def _commit(self, batch: list[_Write[A]]) -> None:
        try:
            results = self._run_batch([write.arg for write in batch])
            for write, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    write.error = result
                else:
                    write.result = result
        except BaseException as err:  # every write of a failed batch failed
            for write in batch:
                write.error = err
        finally:
            for write in batch:
                write.done.set()


class GroupCommit:
    """Writes `apply(cursor)` sharing one transaction: a context manager yielding a cursor
    and committing on exit (a failed transaction fails every write in it)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._batcher: Batcher[Callable[[Any], Any], Any] = Batcher(self._run)

    def run(self, apply: Callable[[Any], T]) -> T:
        """Run `apply(cursor)` inside a committed transaction; returns its result."""
        result: T = self._batcher.run(apply)
        return result

    def _run(self, applies: list[Callable[[Any], Any]]) -> list[Any]:
        with self._transaction() as cursor:
            return [apply(cursor) for apply in applies]
