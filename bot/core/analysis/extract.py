"""The extractor registry and `extract_all`: per-file facts, read only when the cache lacks them.

An extractor is a pure function of (its name and version, the file's bytes). Its facts may
depend on the path only through *which* extractor is chosen; anything else a path decides
(Rails folders, tests vs main code) is decided in aggregation. That is what makes a cache
keyed by `name@version:blob-sha` honest forever.

Cold runs over many files use a process pool (both cores); bytes are read in the parent in
bounded batches, so memory stays flat however large the repository is.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from bot.core.analysis.claims import ClaimIndex
from bot.core.analysis.golang import GoExtractor
from bot.core.analysis.javascript import JavaScriptExtractor, TypeScriptExtractor
from bot.core.analysis.manifests import MANIFEST_EXTRACTORS
from bot.core.analysis.python import PythonExtractor
from bot.core.analysis.ruby import RubyExtractor
from bot.core.facts_cache import FactsCache
from bot.core.filters import content_skip_reason
from bot.core.gc_pause import paused
from bot.core.model import FileFacts
from bot.core.snapshot import Snapshot

# Below this many files to extract, a pool costs more than it saves.
PARALLEL_MIN_FILES = 400


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
    with paused():
        return _extract_all(snapshot, cache, paths, workers, parallel_min)


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
        # Imported here: multiprocessing and concurrent.futures cost a small run ~15 ms.
        from bot.core.analysis.pool import extract_parallel

        yield from extract_parallel(snapshot, missing, count)
