"""Extraction on several cores: the parent and N-1 forked workers share the missing files.

Kept apart from `extract` so a run small enough to stay in one process never imports
multiprocessing and concurrent.futures.
"""

from __future__ import annotations

import copyreg
import gc
import io
import multiprocessing
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

from bot.core.analysis.extractors import Extractor, extract_one, extractor_for
from bot.core.model import Dependency, EnvRead, FileFacts, ImportRef, OutboundCall, Signal
from bot.core.snapshot import Snapshot

BATCH_FILES = 256
BATCH_BYTES = 4_000_000
# Batches shrink with the work left (a share of it per process), down to this many files:
# whoever finishes last then waits for a few milliseconds, not for a whole batch.
MIN_BATCH_FILES = 16
# Batches queued per worker process: enough that it never waits for the parent, few enough
# that the parent takes its share and memory stays bounded.
QUEUED_PER_WORKER = 4


Batch = list[tuple[str, str, bytes | None]]  # (key, path, bytes or None: the worker reads)

# The snapshot forked workers inherit, when it says reading from a forked copy is safe
# (a local checkout: plain file reads). The parent then only sends paths, not bytes.
_INHERITED: Snapshot | None = None
# The threads of the last pool, shut down without waiting for its workers to exit.
_FINISHING: list[threading.Thread] = []


def _batches(
    snapshot: Snapshot,
    missing: list[tuple[str, Extractor, str]],
    workers_read: bool,
    processes: int,
) -> Iterator[Batch]:
    batch: Batch = []
    size = 0
    left = len(missing)
    files = _batch_files(left, processes)
    for key, _extractor, path in missing:
        data = None if workers_read else snapshot.read(path)
        batch.append((key, path, data))
        size += len(data) if data is not None else 1
        if len(batch) >= files or size >= BATCH_BYTES:
            left -= len(batch)
            yield batch
            batch, size = [], 0
            files = _batch_files(left, processes)
    if batch:
        yield batch


def _batch_files(left: int, processes: int) -> int:
    return max(MIN_BATCH_FILES, min(BATCH_FILES, left // (4 * processes)))


def _extract_batch_unless(
    batch: Batch, future: Future[bytes]
) -> list[tuple[str, FileFacts]] | None:
    """The batch's facts, extracted here; None as soon as `future` (a worker's copy) is done."""
    out = []
    for item in batch:
        if future.done():
            return None
        out += _extract_batch([item])
    return out


def _extract_batch(batch: Batch) -> list[tuple[str, FileFacts]]:
    out = []
    for key, path, data in batch:
        extractor = extractor_for(path)
        assert extractor is not None  # the parent chose this path because one matched
        if data is None:
            assert _INHERITED is not None
            data = _INHERITED.read(path)
        out.append((key, extract_one(extractor, path, data)))
    return out


# Facts travel back from workers as constructor calls: pickle's default for slotted frozen
# dataclasses goes through Python-level __getstate__/__setstate__ and costs ~3x as much.
_REDUCERS: dict[type, Callable[[Any], tuple[Any, tuple[Any, ...]]]] = {
    FileFacts: lambda f: (
        FileFacts,
        (
            f.language,
            f.imports,
            f.env,
            f.signals,
            f.dependencies,
            f.meta,
            f.handoffs,
            f.schedules,
            f.calls,
        ),
    ),
    OutboundCall: lambda c: (
        OutboundCall,
        (c.kind, c.line, c.client, c.host, c.configured_by, c.origin, c.timeout),
    ),
    ImportRef: lambda i: (ImportRef, (i.spec, i.line, i.level, i.names, i.kind, i.name_lines)),
    EnvRead: lambda e: (EnvRead, (e.name, e.line)),
    Signal: lambda s: (Signal, (s.kind, s.name, s.line, s.detail)),
    Dependency: lambda d: (Dependency, (d.ecosystem, d.name, d.line, d.group)),
}


def pack(results: list[tuple[str, FileFacts]]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
    pickler.dump(results)
    return buffer.getvalue()


def _extract_packed(batch: Batch) -> bytes:
    gc.disable()  # the worker's own collections would find nothing either
    return pack(_extract_batch(batch))


def unpack(data: bytes) -> list[tuple[str, FileFacts]]:
    # Bytes from this process's own workers, as the pool's own pickles are.
    results: list[tuple[str, FileFacts]] = pickle.loads(data)  # noqa: S301
    return results


def extract_parallel(
    snapshot: Snapshot, missing: list[tuple[str, Extractor, str]], count: int
) -> Iterator[tuple[str, FileFacts]]:
    # The parent is one of the `count` extractors: it takes a batch itself whenever the
    # workers have enough queued, so no core idles and only the workers' share is pickled.
    # fork: workers inherit the imported extractors (and the memoised extractor choice), so
    # a pool starts in milliseconds. Forking a process with other threads alive (a threaded
    # queue worker) can inherit a held lock, so then a fork server starts clean workers.
    global _INHERITED, _FINISHING
    for thread in _FINISHING:
        thread.join()
    _FINISHING = []
    threads = set(threading.enumerate())
    forked = sys.platform == "linux" and len(threads) == 1
    method = "fork" if forked else "forkserver" if sys.platform == "linux" else None
    context: BaseContext = multiprocessing.get_context(method)
    workers_read = forked and bool(getattr(snapshot, "fork_safe", False))
    _INHERITED = snapshot if workers_read else None
    helpers = count - 1
    pool = ProcessPoolExecutor(max_workers=helpers, mp_context=context)
    try:
        pending: deque[tuple[Future[bytes], Batch]] = deque()
        for batch in _batches(snapshot, missing, workers_read, count):
            while pending and pending[0][0].done():
                yield from unpack(pending.popleft()[0].result())
            if len(pending) < QUEUED_PER_WORKER * helpers:
                pending.append((pool.submit(_extract_packed, batch), batch))
            else:
                yield from _extract_batch(batch)
        # The workers' last batches: rather than wait for a worker the machine has put aside,
        # the parent extracts them too, newest first, and keeps whichever copy is done first.
        taken: dict[int, list[tuple[str, FileFacts]]] = {}
        for i in reversed(range(len(pending))):
            future, batch = pending[i]
            if not future.done():
                done = _extract_batch_unless(batch, future)
                if done is not None:
                    taken[i] = done
        for i, (future, _batch) in enumerate(pending):
            yield from taken[i] if i in taken else unpack(future.result())
    finally:
        _INHERITED = None
        # Without waiting: a worker still busy with a batch the parent took finishes alone
        # (the next pool waits for it, long done by then, before it counts threads).
        pool.shutdown(wait=False, cancel_futures=True)
        _FINISHING = [thread for thread in threading.enumerate() if thread not in threads]
