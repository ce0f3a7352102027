"""The extractor registry and `extract_all`: per-file facts, read only when the cache lacks them.

An extractor is a pure function of (its name and version, the file's bytes). Its facts may
depend on the path only through *which* extractor is chosen; anything else a path decides
(Rails folders, tests vs main code) is decided in aggregation. That is what makes a cache
keyed by `name@version:blob-sha` honest forever.

Cold runs over many files use a process pool (both cores); bytes are read in the parent in
bounded batches, so memory stays flat however large the repository is.
"""

from __future__ import annotations

import copyreg
import functools
import gc
import io
import multiprocessing
import os
import pickle
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any, Protocol

from bot.core.analysis.claims import ClaimIndex
from bot.core.analysis.golang import GoExtractor
from bot.core.analysis.javascript import JavaScriptExtractor, TypeScriptExtractor
from bot.core.analysis.manifests import MANIFEST_EXTRACTORS
from bot.core.analysis.python import PythonExtractor
from bot.core.analysis.ruby import RubyExtractor
from bot.core.facts_cache import FactsCache
from bot.core.filters import content_skip_reason
from bot.core.model import Dependency, EnvRead, FileFacts, ImportRef, Signal
from bot.core.snapshot import Snapshot

# Below this many files to extract, a pool costs more than it saves.
PARALLEL_MIN_FILES = 400
BATCH_FILES = 256
BATCH_BYTES = 4_000_000
# Batches shrink with the work left (a share of it per process), down to this many files:
# whoever finishes last then waits for a few milliseconds, not for a whole batch.
MIN_BATCH_FILES = 16
# Batches queued per worker process: enough that it never waits for the parent, few enough
# that the parent takes its share and memory stays bounded.
QUEUED_PER_WORKER = 4


class Extractor(Protocol):
    name: str
    version: int

    def matches(self, path: str) -> bool: ...

    def extract(self, path: str, data: bytes) -> FileFacts: ...


LANGUAGE_EXTRACTORS: tuple[Extractor, ...] = (
    PythonExtractor(),
    JavaScriptExtractor(),
    TypeScriptExtractor(),
    RubyExtractor(),
    GoExtractor(),
)
# Manifests first, languages after (the order facts are merged in when several claim a file).
EXTRACTORS: tuple[Extractor, ...] = (*MANIFEST_EXTRACTORS, *LANGUAGE_EXTRACTORS)

SKIPPED = FileFacts(language="other")
_PLAIN_LANGUAGES = ("manifest", "config", "other")


class Combined:
    """Several extractors claiming one file (a Django `settings.py` is both config and
    Python): facts merged, and a name that carries every part's name and version, so the
    cache key changes when any part does."""

    version = 1

    def __init__(self, parts: tuple[Extractor, ...]) -> None:
        self.parts = parts
        self.name = "+".join(f"{e.name}.{e.version}" for e in parts)

    def matches(self, path: str) -> bool:
        return all(e.matches(path) for e in self.parts)

    def extract(self, path: str, data: bytes) -> FileFacts:
        return merge_facts([e.extract(path, data) for e in self.parts])


def merge_facts(parts: list[FileFacts]) -> FileFacts:
    languages = [f.language for f in parts if f.language not in _PLAIN_LANGUAGES]
    return FileFacts(
        language=languages[0] if languages else parts[0].language,
        imports=tuple(sorted({x for f in parts for x in f.imports})),
        env=tuple(sorted({x for f in parts for x in f.env})),
        signals=tuple(sorted({x for f in parts for x in f.signals})),
        dependencies=tuple(sorted({x for f in parts for x in f.dependencies})),
        meta=tuple(sorted({x for f in parts for x in f.meta})),
    )


def cache_key(extractor: Extractor, sha: str) -> str:
    return f"{extractor.name}@{extractor.version}:{sha}"


_COMBINED: dict[tuple[int, ...], Extractor] = {}
# Each extractor's test, unwrapped where it is a plain function (`FileExtractor.match`):
# one call per extractor and path instead of two, on the cold path.
_TESTS: tuple[Callable[[str], bool], ...] = tuple(
    getattr(e, "match", None) or e.matches for e in EXTRACTORS
)
# Only the extractors whose declared claims cover a path are asked about it (~2 of ~40).
CLAIMS = ClaimIndex(_TESTS, [getattr(e, "claims", None) for e in EXTRACTORS])


@functools.lru_cache(maxsize=1 << 17)
def extractor_for(path: str) -> Extractor | None:
    """The extractor for `path`: the one that claims it, or their combination, or None."""
    chosen = CLAIMS.claimants(path)
    if not chosen:
        return None
    if len(chosen) == 1:
        return EXTRACTORS[chosen[0]]
    if chosen not in _COMBINED:
        _COMBINED[chosen] = Combined(tuple(EXTRACTORS[i] for i in chosen))
    return _COMBINED[chosen]


def extract_one(extractor: Extractor, path: str, data: bytes) -> FileFacts:
    """Facts of one file; binary or minified content gives empty facts (cached like any)."""
    if content_skip_reason(path, data) is not None:
        return SKIPPED
    return extractor.extract(path, data)


def extract_all(
    snapshot: Snapshot,
    cache: FactsCache,
    paths: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    parallel_min: int = PARALLEL_MIN_FILES,
) -> dict[str, FileFacts]:
    """Facts for every file (or every one of `paths`) that some extractor takes, by path.

    Reads only the blobs whose key misses the cache, and puts what it extracts. Identical
    blobs at several paths are read and extracted once. `workers` (default: CPU count)
    caps the process pool used when at least `parallel_min` files miss.
    """
    # Only acyclic values are made here (key strings, tuples, frozen dataclasses of strings
    # and numbers): a cyclic collection finds nothing to free, and with a large heap its
    # passes cost more than the work (unpickling a worker's facts: ~4x).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract_all(snapshot, cache, paths, workers, parallel_min)
    finally:
        if collecting:
            gc.enable()


def _extract_all(
    snapshot: Snapshot,
    cache: FactsCache,
    paths: Iterable[str] | None,
    workers: int | None,
    parallel_min: int,
) -> dict[str, FileFacts]:
    wanted = None if paths is None else set(paths)
    keys: dict[str, str] = {}  # path -> key
    first_path: dict[str, tuple[Extractor, str]] = {}  # key -> (extractor, a path)
    for entry in snapshot.entries():
        if wanted is not None and entry.path not in wanted:
            continue
        extractor = extractor_for(entry.path)
        if extractor is None:
            continue
        key = cache_key(extractor, entry.sha)
        keys[entry.path] = key
        first_path.setdefault(key, (extractor, entry.path))
    ordered = sorted(first_path)
    found = dict(cache.get_many(ordered))
    missing = [(key, *first_path[key]) for key in ordered if key not in found]
    if missing:
        fresh = dict(_extract_missing(snapshot, missing, workers, parallel_min))
        cache.put_many(fresh)
        found.update(fresh)
    return {path: found[keys[path]] for path in sorted(keys)}


def _extract_missing(
    snapshot: Snapshot,
    missing: list[tuple[str, Extractor, str]],
    workers: int | None,
    parallel_min: int,
) -> Iterator[tuple[str, FileFacts]]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 2 or len(missing) < parallel_min:
        for key, extractor, path in missing:
            yield key, extract_one(extractor, path, snapshot.read(path))
    else:
        yield from _extract_parallel(snapshot, missing, count)


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
        (f.language, f.imports, f.env, f.signals, f.dependencies, f.meta),
    ),
    ImportRef: lambda i: (ImportRef, (i.spec, i.line, i.level, i.names, i.kind)),
    EnvRead: lambda e: (EnvRead, (e.name, e.line)),
    Signal: lambda s: (Signal, (s.kind, s.name, s.line, s.detail)),
    Dependency: lambda d: (Dependency, (d.ecosystem, d.name, d.line, d.group)),
}


def _pack(results: list[tuple[str, FileFacts]]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_REDUCERS}
    pickler.dump(results)
    return buffer.getvalue()


def _extract_packed(batch: Batch) -> bytes:
    gc.disable()  # the worker's own collections would find nothing either
    return _pack(_extract_batch(batch))


def _unpack(data: bytes) -> list[tuple[str, FileFacts]]:
    # Bytes from this process's own workers, as the pool's own pickles are.
    results: list[tuple[str, FileFacts]] = pickle.loads(data)  # noqa: S301
    return results


def _extract_parallel(
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
                yield from _unpack(pending.popleft()[0].result())
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
            yield from taken[i] if i in taken else _unpack(future.result())
    finally:
        _INHERITED = None
        # Without waiting: a worker still busy with a batch the parent took finishes alone
        # (the next pool waits for it, long done by then, before it counts threads).
        pool.shutdown(wait=False, cancel_futures=True)
        _FINISHING = [thread for thread in threading.enumerate() if thread not in threads]
