"""A warm refresh (the previous refresh's state carried over) must equal a cold one, always.

Random edit sequences over a generated mixed repository: comments, imports added and
removed, files added and deleted, manifests' metadata, tsconfig, docs edited by hand. After
every step the warm result is compared with a refresh from nothing.
"""

from __future__ import annotations

import random

import pytest

from bench.genrepo import repo_files
from bot.core.config import RepoConfig
from bot.core.facts_cache import MemoryFactsCache
from bot.core.refresh import RefreshResult, refresh
from bot.core.snapshot import MemorySnapshot
from bot.core.warm import Warm
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()
CONFIG = RepoConfig()


def cold(snapshot: MemorySnapshot) -> RefreshResult:
    return refresh(snapshot, CONFIG, cache=MemoryFactsCache(), catalog=CATALOG)


def same(a: RefreshResult, b: RefreshResult) -> None:
    assert a.facts == b.facts
    assert a.changes == b.changes
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert (a.docs, a.notes, a.affected) == (b.docs, b.notes, b.affected)


def edit(rng: random.Random, files: dict[str, bytes]) -> dict[str, bytes | None]:
    """One push's worth of change, of a random kind."""
    sources = sorted(p for p in files if p.endswith((".py", ".ts", ".rb")))
    py = sorted(p for p in sources if p.endswith(".py") and "/core/" in p)
    path = rng.choice(sources)
    kind = rng.randrange(11)
    if kind == 0:  # a comment at the end: facts unchanged
        marker = b"#" if path.endswith((".py", ".rb")) else b"//"
        return {path: files[path] + marker + b" note\n"}
    if kind == 1:  # an import of another module at the top: edges and lines move
        other = rng.choice(py).removeprefix("service/").removesuffix(".py").replace("/", ".")
        target = rng.choice(py)
        return {target: f"import {other}\nimport redis\n".encode() + files[target]}
    if kind == 2:  # a file deleted
        return {path: None}
    if kind == 3:  # a new file
        return {f"service/core/new_{rng.randrange(10**6)}.py": b"import os\nimport stripe\n"}
    if kind == 4:  # the doc edited by hand, outside the owned block
        doc = "docs/data-flow.md"
        return {doc: files[doc].replace(b"\n", b"\nA person's line.\n", 1)}
    if kind == 5 and "package.json" in files:  # manifest metadata (workspaces) changed
        return {"package.json": files["package.json"].replace(b"{", b'{"workspaces": ["web"],', 1)}
    if kind == 6:  # a resolution config appears or changes
        return {"tsconfig.json": b'{"compilerOptions": {"baseUrl": "web"}}\n'}
    if kind == 7:  # nothing at all (a redelivered push)
        return {}
    if kind == 9:  # emptied: every claim and import of the file gone
        return {path: b"\n"}
    if kind == 10:  # a web app and a route appear in a module
        target = rng.choice(py)
        route = b"from flask import Flask\napp = Flask(__name__)\n"
        route += b"@app.route('/x')\ndef x():\n    pass\n"
        return {target: files[target] + route}
    return {path: files[path].replace(b"\n", b"\n\n", 1)}  # a blank line: every line moves


@pytest.mark.parametrize("seed", range(6))
def test_warm_refresh_equals_cold_refresh_over_random_pushes(seed: int) -> None:
    rng = random.Random(seed)
    files = dict(repo_files(240, "mixed", seed=seed))
    snapshot = MemorySnapshot(files)
    warm, cache = Warm(), MemoryFactsCache()
    same(refresh(snapshot, CONFIG, cache=cache, catalog=CATALOG, warm=warm), cold(snapshot))
    for _ in range(16):
        changes = edit(rng, files)
        snapshot = snapshot.with_files(changes)
        for path, data in changes.items():
            if data is None:
                files.pop(path, None)
            else:
                files[path] = data
        got = refresh(snapshot, CONFIG, cache=cache, catalog=CATALOG, warm=warm)
        same(got, cold(snapshot))


def test_comment_only_push_reuses_everything_and_reads_one_file() -> None:
    files = repo_files(240, "mixed", seed=1)
    snapshot = MemorySnapshot(files)
    warm, cache = Warm(), MemoryFactsCache()
    first = refresh(snapshot, CONFIG, cache=cache, catalog=CATALOG, warm=warm)
    path = next(p for p in files if p.endswith(".py") and "/core/" in p)
    edited = snapshot.with_files({path: files[path] + b"# a comment\n"}, source="abc")
    cache.hits = cache.misses = 0
    again = refresh(edited, CONFIG, cache=cache, catalog=CATALOG, warm=warm)
    assert (cache.hits, cache.misses) == (0, 1)  # only the edited file was looked up
    assert warm.generation == 1  # nothing was aggregated again
    assert again.facts.source == "abc"
    assert again.changes == first.changes


def test_another_catalog_is_not_served_from_the_warm_state() -> None:
    snapshot = MemorySnapshot(repo_files(240, "mixed", seed=2))
    warm, cache = Warm(), MemoryFactsCache()
    refresh(snapshot, CONFIG, cache=cache, catalog=CATALOG, warm=warm)
    without = refresh(snapshot, CONFIG, cache=cache, catalog=None, warm=warm)
    expected = refresh(snapshot, CONFIG, cache=MemoryFactsCache(), catalog=None)
    same(without, expected)


def test_base_refreshed_last_time_gives_the_same_facts_diff_without_analysing_it() -> None:
    files = repo_files(240, "mixed", seed=3)
    first = MemorySnapshot(files, source="a" * 40)
    warm, cache = Warm(), MemoryFactsCache()
    refresh(first, CONFIG, cache=cache, catalog=CATALOG, warm=warm)
    path = next(p for p in files if p.endswith(".py") and "/core/" in p and "__" not in p)
    second = first.with_files({path: b"import twilio\n" + files[path]}, source="b" * 40)
    cache.hits = cache.misses = 0
    got = refresh(second, CONFIG, cache=cache, catalog=CATALOG, base=first, warm=warm)
    assert (cache.hits, cache.misses) == (0, 1)  # the base was not looked at again
    expected = refresh(second, CONFIG, cache=MemoryFactsCache(), catalog=CATALOG, base=first)
    assert got.facts_diff == expected.facts_diff
    assert got.facts_diff is not None
    assert any("Twilio" in line for line in got.facts_diff.lines(lambda ev: ev.path))
