"""`extract_all`: per-file facts, read only when the cache lacks them (`extractors` says
which extractor reads a file).

Cold runs over many files use a process pool (both cores); bytes are read in the parent in
bounded batches, so memory stays flat however large the repository is.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable

from bot.core.analysis.deadline import can_arm
from bot.core.analysis.extractors import (
    NOT_CACHED,
    Extractor,
    cache_key,
    extract_one,
    extractor_for,
)
from bot.core.facts_cache import FactsCache
from bot.core.gc_pause import paused
from bot.core.job_budget import JobBudget, JobDeadline
from bot.core.model import FileFacts
from bot.core.snapshot import Snapshot

# Below this many files to extract, a pool costs more than it saves.
PARALLEL_MIN_FILES = 400


def extract_all(
    snapshot: Snapshot,
    cache: FactsCache,
    paths: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    parallel_min: int = PARALLEL_MIN_FILES,
    budget: JobBudget | None = None,
) -> dict[str, FileFacts]:
    """Facts for every file (or every one of `paths`) that some extractor takes, by path.

    Reads only the blobs whose key misses the cache, and puts what it extracts. Identical
    blobs at several paths are read and extracted once. `workers` (default: CPU count)
    caps the process pool used when at least `parallel_min` files miss. With `budget`,
    checked after each file, JobDeadline once it is spent (what was read is cached first).
    """
    # Only acyclic values are made here (key strings, tuples, frozen dataclasses of strings
    # and numbers): a cyclic collection finds nothing to free, and with a large heap its
    # passes cost more than the work (unpickling a worker's facts: ~4x).
    with paused():
        return _extract_all(snapshot, cache, paths, workers, parallel_min, budget)


def _extract_all(
    snapshot: Snapshot,
    cache: FactsCache,
    paths: Iterable[str] | None,
    workers: int | None,
    parallel_min: int,
    budget: JobBudget | None = None,
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
        fresh: dict[str, FileFacts] = {}
        results = _extract_missing(snapshot, missing, workers, parallel_min)
        try:
            for key, facts in results:
                fresh[key] = facts
                if budget is not None and budget.spent():
                    raise _deadline(budget, missing, fresh, first_path[key][1])
        finally:
            results.close()  # a pool stops now, not when the traceback is freed
            # A file past its deadline is tried again next time: that was the machine's doing.
            # The rest is kept even when the job stops: its next run starts further on.
            cache.put_many(
                {k: f for k, f in fresh.items() if not f.meta or f.skip_reason not in NOT_CACHED}
            )
        found.update(fresh)
    return {path: found[keys[path]] for path in sorted(keys)}


def _deadline(
    budget: JobBudget,
    missing: list[tuple[str, Extractor, str]],
    fresh: dict[str, FileFacts],
    path: str,
) -> JobDeadline:
    """The job's deadline, reached while `path` was read (the last file to come back)."""
    not_read = [p for key, _, p in missing if key not in fresh]
    skipped = [
        (p, reason)
        for key, _, p in missing
        if key in fresh and fresh[key].meta and (reason := fresh[key].skip_reason) is not None
    ]
    return JobDeadline("reading files", budget.seconds, path, not_read, skipped)


def _extract_missing(
    snapshot: Snapshot,
    missing: list[tuple[str, Extractor, str]],
    workers: int | None,
    parallel_min: int,
) -> Generator[tuple[str, FileFacts], None, None]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if not can_arm():
        # A thread that cannot arm the per-file deadline (the App's consumer threads) never
        # reads a file itself: children do, under a deadline it can enforce by killing them.
        from bot.core.analysis.isolated import extract_isolated

        yield from extract_isolated(snapshot, missing, count)
    elif count < 2 or len(missing) < parallel_min:
        for key, extractor, path in missing:
            yield key, extract_one(extractor, path, snapshot.read(path))
    else:
        # Imported here: multiprocessing and concurrent.futures cost a small run ~15 ms.
        from bot.core.analysis.pool import extract_parallel

        yield from extract_parallel(snapshot, missing, count)
