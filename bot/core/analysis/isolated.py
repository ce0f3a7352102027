"""Extraction that can always be stopped: for threads that cannot arm a per-file deadline.

`deadline.cpu_deadline` is a signal timer, which only a process's main thread can arm. The
App extracts in huey's consumer threads, so there every file is read in a child process
instead: the child arms the CPU deadline (its reader runs in its main thread) and the parent
keeps a wall-clock watch over it. A child that sends nothing for `wall` seconds (a scan the
signal cannot reach, a machine that starves it) is killed and replaced; the file it was on
is skipped with `TIMED_OUT`, a child that dies with `READER_DIED`, and the others are read
as usual. Neither reason is cached: the next push tries the file again.

Children start from a fork server (forking a process with threads alive can inherit a held
lock) that has the extractors imported, and stay up between calls (at most `MAX_IDLE`), so a
one-file push costs a round trip, not a process start.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext

from bot.core.analysis.extractors import (
    READER_DIED,
    TIMED_OUT,
    Extractor,
    extract_one,
    extractor_for,
    file_seconds,
    skipped_for,
)
from bot.core.analysis.pool import Batch, pack, unpack
from bot.core.model import FileFacts
from bot.core.snapshot import Snapshot

# The parent's watch: a child's CPU deadline ends a file after FILE_SECONDS of CPU; wall
# time runs ahead of CPU time on a busy machine, so the watch allows a few times as much.
WALL_FACTOR = 3.0
BATCH_FILES = 64
MAX_IDLE = 2  # children kept between calls (per process)

_LOCK = threading.Lock()
_IDLE: list[_Child] = []
_OWNER = os.getpid()  # a forked copy of this process must not reuse the parent's children


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Read when the fork server starts (once per process); children then start with the
    # extractors imported instead of importing them on their first file.
    context.set_forkserver_preload([__name__])
    return context


class _Child:
    """A reader process and the pipe to it."""

    def __init__(self) -> None:
        context = _context()
        here, there = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(there,), name="docs-refresh-reader", daemon=True
        )
        self.process.start()
        there.close()
        self.conn: Connection = here

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


def _serve(conn: Connection) -> None:
    """The child: batches in, each file's facts out as soon as they are made."""
    gc.disable()  # acyclic values only (see extract.extract_all)
    while True:
        try:
            seconds, batch = conn.recv()
        except EOFError:
            return
        for key, path, data in batch:
            extractor = extractor_for(path)
            assert extractor is not None
            assert data is not None
            conn.send_bytes(pack([(key, extract_one(extractor, path, data, seconds=seconds))]))


@dataclass
class _Work:
    """A child's batch and how far it got."""

    child: _Child
    batch: Batch
    done: int = 0
    since: float = field(default_factory=time.monotonic)  # the last file's end


def _borrow(count: int) -> list[_Child]:
    global _OWNER
    with _LOCK:
        if os.getpid() != _OWNER:
            _IDLE.clear()  # the parent's children: not ours to talk to
            _OWNER = os.getpid()
        taken = [_IDLE.pop() for _ in range(min(count, len(_IDLE)))]
    return taken + [_Child() for _ in range(count - len(taken))]


def _give_back(children: list[_Child]) -> None:
    with _LOCK:
        keep = max(0, MAX_IDLE - len(_IDLE))
        _IDLE.extend(children[:keep])
    for child in children[keep:]:
        child.stop()


def extract_isolated(
    snapshot: Snapshot,
    missing: list[tuple[str, Extractor, str]],
    processes: int,
    *,
    seconds: float | None = None,
    wall: float | None = None,
) -> Iterator[tuple[str, FileFacts]]:
    """(key, facts) of every missing file, read by up to `processes` children, each file
    under a CPU deadline of `seconds` (default `limits.FILE_SECONDS`) and a wall-clock watch
    of `wall` seconds (default `WALL_FACTOR` times the deadline, and a second)."""
    seconds = file_seconds() if seconds is None else seconds
    wall = WALL_FACTOR * seconds + 1.0 if wall is None else wall
    claimed = {key: extractor for key, extractor, _ in missing}
    todo: deque[Batch] = deque(
        [(key, path, None) for key, _, path in missing[i : i + BATCH_FILES]]
        for i in range(0, len(missing), BATCH_FILES)
    )
    children = _borrow(max(1, min(processes, len(todo))))
    running: dict[Connection, _Work] = {}
    healthy: list[_Child] = []

    def start(child: _Child, batch: Batch) -> None:
        filled: Batch = [(k, p, snapshot.read(p) if d is None else d) for k, p, d in batch]
        child.conn.send((seconds, filled))
        running[child.conn] = _Work(child, filled)

    def replace(work: _Work, reason: str) -> tuple[str, FileFacts]:
        """The file `work` was on, skipped; its child replaced, the rest of its batch sent."""
        del running[work.child.conn]
        key = work.batch[work.done][0]
        work.child.stop()
        rest = work.batch[work.done + 1 :]
        if rest:
            start(_Child(), rest)
        elif todo:
            start(_Child(), todo.popleft())
        return key, skipped_for(claimed[key], reason)

    try:
        for child in children:
            if todo:
                start(child, todo.popleft())
            else:
                healthy.append(child)
        while running:
            now = time.monotonic()
            timeout = max(0.0, min(w.since + wall for w in running.values()) - now)
            for conn in wait(list(running), timeout):
                work = running[conn]  # type: ignore[index]
                try:
                    results = unpack(work.child.conn.recv_bytes())
                except (EOFError, OSError):
                    yield replace(work, READER_DIED)
                    continue
                yield from results
                work.done += len(results)
                work.since = time.monotonic()
                if work.done == len(work.batch):
                    del running[conn]  # type: ignore[arg-type]
                    if todo:
                        start(work.child, todo.popleft())
                    else:
                        healthy.append(work.child)
            now = time.monotonic()
            for work in [w for w in running.values() if now - w.since > wall]:
                yield replace(work, TIMED_OUT)
    finally:
        for work in running.values():  # stopped early (the caller's error): nothing is owed
            work.child.stop()
        _give_back(healthy)


__all__ = ["extract_isolated"]
