"""Group commit: concurrent writers of one process share one transaction and one fsync.

The SQLite queue keeps `synchronous=FULL` (a delivery answered 2xx survives a power cut),
so each commit costs an fsync. The first writer to arrive leads: it takes every write
queued so far, runs them in one transaction and wakes their threads; writes that arrive
meanwhile form the next batch. Under load, fsyncs per delivery fall with concurrency;
alone, a write costs what it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Transaction = Callable[[], AbstractContextManager[Any]]


class _Write(Generic[T]):
    __slots__ = ("apply", "done", "error", "result")

    def __init__(self, apply: Callable[[Any], T]) -> None:
        self.apply = apply
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction  # a context manager yielding a cursor, committing on exit
        self._lock = threading.Lock()
        self._queued: list[_Write[Any]] = []
        self._leading = False

    def run(self, apply: Callable[[Any], T]) -> T:
        """Run `apply(cursor)` inside a committed transaction; returns its result."""
        write: _Write[T] = _Write(apply)
        with self._lock:
            self._queued.append(write)
            lead = not self._leading
            self._leading = True
        if lead:
            for batch in self._batches():
                self._commit(batch)
        write.done.wait()
        if write.error is not None:
            raise write.error
        return write.result  # type: ignore[return-value]  # set whenever error is None

    def _batches(self) -> Iterator[list[_Write[Any]]]:
        while True:
            with self._lock:
                batch, self._queued = self._queued, []
                if not batch:
                    self._leading = False
                    return
            yield batch

    def _commit(self, batch: list[_Write[Any]]) -> None:
        try:
            with self._transaction() as cursor:
                for write in batch:
                    write.result = write.apply(cursor)
        except BaseException as err:  # every write of a failed transaction failed
            for write in batch:
                write.error = err
        finally:
            for write in batch:
                write.done.set()
