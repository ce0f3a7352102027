"""The registry and `extract_all`: cache keys, misses counted, parallel == serial."""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from bot.core.analysis import pool
from bot.core.analysis.extract import extract_all
from bot.core.analysis.extractors import EXTRACTORS, cache_key, extractor_for
from bot.core.analysis.movement import MOVEMENT_VERSION
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import (
    Dependency,
    EnvRead,
    FileFacts,
    HandoffSite,
    ImportRef,
    OutboundCall,
    ScheduleSite,
    Signal,
)
from bot.core.snapshot import MemorySnapshot, git_blob_sha


class CountingSnapshot(MemorySnapshot):
    """A memory snapshot that records which paths were read."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(files)
        self.reads: list[str] = []

    def read(self, path: str) -> bytes:
        self.reads.append(path)
        return super().read(path)


FILES = {
    "app/main.py": b"import os\nfrom app import db\nDB = os.environ['DATABASE_URL']\n",
    "app/db.py": b"import sqlalchemy\n",
    "web/index.ts": b"import x from './x'\n",
    "web/x.ts": b"export const x = process.env.API_URL\n",
    "lib/tool.rb": b"require 'json'\n",
    "cmd/main.go": b'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println() }\n',
    "README.md": b"# not analysed\n",
    "logo.py": b"\x00\x01binary",
}


def as_json(facts: dict[str, FileFacts]) -> str:
    return json.dumps({p: f.to_json() for p, f in facts.items()}, sort_keys=True)


def test_cache_key_names_extractor_version_and_blob() -> None:
    extractor = extractor_for("a.py")
    assert extractor is not None
    assert cache_key(extractor, "abc") == (
        f"{extractor.name}@{extractor.version}~m{MOVEMENT_VERSION}:abc"
    )


def test_registry_has_unique_names_and_manifests_come_before_languages() -> None:
    names = [e.name for e in EXTRACTORS]
    assert len(names) == len(set(names))
    assert names.index("python") > max(
        i
        for i, e in enumerate(EXTRACTORS)
        if e.name not in ("python", "javascript", "typescript", "ruby", "go")
    )


def test_a_file_two_extractors_claim_gets_both_facts_merged() -> None:
    text = b"import os\nDEBUG = os.environ.get('DEBUG')\nDATABASES = {}\n"
    extractor = extractor_for("proj/settings.py")
    assert extractor is not None
    assert "+" in extractor.name  # config settings and Python code both claim it
    facts = extractor.extract("proj/settings.py", text)
    assert facts.language == "python"
    assert [r.spec for r in facts.imports] == ["os"]
    assert any(s.kind == "config.setting" for s in facts.signals)


def test_cold_run_extracts_every_file_once_and_skips_unclaimed_paths() -> None:
    snap = CountingSnapshot(FILES)
    cache = MemoryFactsCache()
    facts = extract_all(snap, cache)
    assert "README.md" not in facts
    assert sorted(snap.reads) == sorted(p for p in FILES if p != "README.md")
    assert cache.misses == len(facts)
    assert facts["logo.py"] == FileFacts(language="other")  # NUL byte: binary
    assert [r.spec for r in facts["web/index.ts"].imports] == ["./x"]


def test_changing_one_file_reextracts_only_that_file() -> None:
    cache = MemoryFactsCache()
    extract_all(CountingSnapshot(FILES), cache)
    changed = CountingSnapshot({**FILES, "app/db.py": b"import redis\n"})
    misses_before = cache.misses
    facts = extract_all(changed, cache)
    assert cache.misses - misses_before == 1
    assert changed.reads == ["app/db.py"]
    assert [r.spec for r in facts["app/db.py"].imports] == ["redis"]


def test_identical_blobs_at_two_paths_are_read_once() -> None:
    snap = CountingSnapshot({"a/x.py": b"import os\n", "b/x.py": b"import os\n"})
    facts = extract_all(snap, MemoryFactsCache())
    assert len(snap.reads) == 1
    assert facts["a/x.py"] == facts["b/x.py"]


def test_paths_argument_limits_the_work() -> None:
    snap = CountingSnapshot(FILES)
    facts = extract_all(snap, MemoryFactsCache(), paths=["app/db.py", "README.md"])
    assert list(facts) == ["app/db.py"]
    assert snap.reads == ["app/db.py"]


def test_parallel_extraction_gives_the_same_bytes_as_serial() -> None:
    files = {
        f"pkg{i % 7}/m{i}.py": f"import pkg{(i + 1) % 7}.m{i}\nimport os\n".encode()
        for i in range(60)
    }
    files.update(FILES)
    snap = MemorySnapshot(files)
    serial = extract_all(snap, MemoryFactsCache(), workers=1)
    cache = MemoryFactsCache()
    parallel = extract_all(snap, cache, workers=2, parallel_min=10)
    assert as_json(parallel) == as_json(serial)
    assert len(cache.data) == len({git_blob_sha(b) for p, b in files.items() if p != "README.md"})


def test_two_runs_and_shuffled_input_give_identical_bytes() -> None:
    first = as_json(extract_all(MemorySnapshot(FILES), MemoryFactsCache()))
    second = as_json(extract_all(MemorySnapshot(FILES), MemoryFactsCache()))
    shuffled = dict(reversed(list(FILES.items())))
    third = as_json(extract_all(MemorySnapshot(shuffled), MemoryFactsCache()))
    assert first == second == third


class ForkSafeSnapshot(MemorySnapshot):
    """Workers forked from the parent may read from their copy of it."""

    fork_safe = True


def test_workers_that_read_for_themselves_give_the_same_bytes() -> None:
    files = {f"m{i}.py": f"import os\nX = os.environ['V{i}']\n".encode() for i in range(40)}
    serial = extract_all(MemorySnapshot(files), MemoryFactsCache(), workers=1)
    parallel = extract_all(ForkSafeSnapshot(files), MemoryFactsCache(), workers=2, parallel_min=5)
    assert as_json(parallel) == as_json(serial)
    assert parallel["m7.py"].env[0].name == "V7"


def test_parallel_extraction_with_other_threads_alive_uses_clean_workers() -> None:
    files = {f"m{i}.py": f"import json\nY = os.getenv('W{i}')\n".encode() for i in range(30)}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        parallel = extract_all(
            ForkSafeSnapshot(files), MemoryFactsCache(), workers=2, parallel_min=5
        )
    finally:
        stop.set()
        other.join()
    serial = extract_all(MemorySnapshot(files), MemoryFactsCache(), workers=1)
    assert as_json(parallel) == as_json(serial)


# Set before the pool forks, so the worker sees it: the worker holds its batches until then.
_RELEASE: Path | None = None


def _held_worker(batch: pool.Batch) -> bytes:
    until = time.monotonic() + 20  # a parent that waits for the worker waits this long
    while _RELEASE is not None and not _RELEASE.exists() and time.monotonic() < until:
        time.sleep(0.01)
    return pool.pack(pool._extract_batch(batch))


def test_the_parent_takes_back_the_batches_a_stalled_worker_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"m{i}.py": f"import os\nX = os.environ['V{i}']\n".encode() for i in range(200)}
    serial = extract_all(MemorySnapshot(files), MemoryFactsCache(), workers=1)
    monkeypatch.setattr(pool, "_extract_packed", _held_worker)
    monkeypatch.setattr(sys.modules[__name__], "_RELEASE", tmp_path / "release")
    start = time.monotonic()
    try:
        parallel = extract_all(
            ForkSafeSnapshot(files), MemoryFactsCache(), workers=2, parallel_min=5
        )
    finally:
        (tmp_path / "release").touch()
    assert time.monotonic() - start < 10
    assert as_json(parallel) == as_json(serial)


def test_a_batch_a_worker_finished_first_is_not_extracted_again() -> None:
    done: Future[bytes] = Future()
    done.set_result(b"")
    batch: pool.Batch = [("k", "a.py", b"import os\n")]
    assert pool._extract_batch_unless(batch, done) is None
    waiting: Future[bytes] = Future()
    assert pool._extract_batch_unless(batch, waiting) == pool._extract_batch(batch)


def _filled(cls: type) -> object:
    """An instance of dataclass `cls` with no field at its default (each value distinct)."""
    values: dict[str, object] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        kind = str(f.type)
        if kind.startswith("int"):
            values[f.name] = 100 + i
        elif kind.startswith("tuple[str"):
            values[f.name] = (f"v{i}",)
        else:
            values[f.name] = f"v{i}"
    return cls(**values)


def test_the_pool_reducers_carry_every_field() -> None:
    # Facts come back from workers through hand-written reducers that list the fields: one
    # they miss is silently dropped (or shifted), so each must name every field.
    facts = FileFacts(
        language="python",
        imports=(ImportRef("a.b", 3, 1, ("c",), "dynamic"),),
        env=(EnvRead("X", 4),),
        signals=(Signal("entrypoint.http", "GET /", 5, "flask"),),
        dependencies=(Dependency("pypi", "flask", 6, "dev"),),
        meta=(("k", "v"),),
        handoffs=(HandoffSite("produce", "celery", "send", 7, ("alias",)),),
        schedules=(ScheduleSite("nightly", "0 0 * * *", "cron", 8, "job"),),
        calls=(OutboundCall("http", 9, "requests", "api.x.com", "URL", "env", "5"),),
    )
    for name in FileFacts.__slots__:
        assert getattr(facts, name) != getattr(FileFacts(language="other"), name), name
    for cls, reduce in pool._REDUCERS.items():
        sample = facts if cls is FileFacts else _filled(cls)
        made, args = reduce(sample)
        assert made is cls
        assert len(args) == len(dataclasses.fields(cls)), cls.__name__
        assert cls(*args) == sample, cls.__name__
    back = pool.unpack(pool.pack([("k", facts)]))
    assert back == [("k", facts)]
