"""Extraction off the main thread can always be stopped: files are read in child processes,
each under a CPU deadline the child arms and a wall-clock watch the parent keeps."""

from __future__ import annotations

import threading
import time

import pytest

from bot.core.analysis import extractors
from bot.core.analysis.extract import extract_all
from bot.core.analysis.extractors import TIMED_OUT, extractor_for
from bot.core.analysis.isolated import extract_isolated
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import FileFacts
from bot.core.snapshot import MemorySnapshot, git_blob_sha

# A generated 0.9 MB TypeScript file of chained calls behind one fetch(): the egress pass
# parses it and names every call, ~1.5 s of CPU on this machine (under the 1 MB file limit).
SLOW = (
    "const r = fetch(url);\n"
    + "".join(f"a{i}.b.c.d(e.f(g.h(i{i}, j.k(l)), m.n(o.p(q))));\n" for i in range(18_000))
).encode()
FILES = {
    "web/generated.ts": SLOW,
    "app/main.py": b"import os\nDB = os.environ['DATABASE_URL']\n",
    "web/client.ts": b"export const key = process.env.API_KEY\n",
}


def _in_a_thread(run):  # type: ignore[no-untyped-def]
    """`run()` in a thread that is not the main thread (as huey's consumers are)."""
    out: dict[str, object] = {}

    def target() -> None:
        start = time.monotonic()
        out["result"] = run()
        out["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    return out["result"], out["seconds"]


def _check_the_others(facts: dict[str, FileFacts]) -> None:
    assert [e.name for e in facts["app/main.py"].env] == ["DATABASE_URL"]
    assert [e.name for e in facts["web/client.ts"].env] == ["API_KEY"]
    assert facts["app/main.py"].skip_reason is None


def test_a_slow_file_read_from_a_consumer_thread_is_skipped_at_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extractors, "FILE_SECONDS", 0.3)
    cache = MemoryFactsCache()
    facts, seconds = _in_a_thread(lambda: extract_all(MemorySnapshot(FILES), cache))
    assert facts["web/generated.ts"].skip_reason == TIMED_OUT
    assert seconds < 0.3 * 3 + 1 + 5  # the deadline and its watch, with room for a busy machine
    _check_the_others(facts)
    # Skipped for the machine's sake, not the bytes': the next push tries it again.
    key = extractors.cache_key(extractor_for("web/generated.ts"), git_blob_sha(SLOW))  # type: ignore[arg-type]
    assert not dict(cache.get_many([key]))


def test_a_reader_its_signal_cannot_stop_is_killed_and_replaced() -> None:
    # The child's own deadline is far away (a scan the signal cannot reach, in effect): the
    # parent's wall-clock watch ends it, and a new child reads the files after it.
    files = {"web/generated.ts": SLOW, **{f"m{i}.py": b"import os\n" for i in range(5)}}
    files.update(FILES)
    snapshot = MemorySnapshot(files)
    missing = [
        (path, extractor, path)
        for path in sorted(files)
        if (extractor := extractor_for(path)) is not None
    ]

    def run() -> dict[str, FileFacts]:
        return dict(extract_isolated(snapshot, missing, 1, seconds=60, wall=0.5))

    facts, seconds = _in_a_thread(run)
    assert facts["web/generated.ts"].skip_reason == TIMED_OUT
    assert seconds < 10
    _check_the_others(facts)
    assert all(facts[f"m{i}.py"].imports for i in range(5))


def test_files_read_off_the_main_thread_have_the_facts_read_on_it() -> None:
    files = {p: d for p, d in FILES.items() if p != "web/generated.ts"}
    for i in range(150):
        files[f"pkg/m{i}.py"] = f"import json\nY = os.getenv('W{i}')\n".encode()
    here = extract_all(MemorySnapshot(files), MemoryFactsCache(), workers=1)
    there, _ = _in_a_thread(lambda: extract_all(MemorySnapshot(files), MemoryFactsCache()))
    assert there == here
