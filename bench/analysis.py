"""Analysis speed: facts + render cold and warm, the read floor, peak memory, and peers.

For each repository (given paths, or synthetic ones from bench/genrepo.py):

- in a fresh child process: cold refresh (empty facts cache: list, read, extract, aggregate,
  render), warm refresh after a one-file change (same cache), the time to merely read the
  bytes the cold run read (the floor), `ast.parse` of its Python files for scale, peak RSS;
- whole-process runs side by side, interleaved round by round: `docs-refresh facts --json`,
  grimp's import graph of the largest Python package, madge and dependency-cruiser on the
  folder holding most TypeScript/JavaScript files (peers missing: "not installed").

    .venv/bin/python -m bench.analysis                  # synthetic: ts 1.5k, python 3k, mixed 20k
    .venv/bin/python -m bench.analysis /work/realrepos/pallets+flask --repeat 5
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.genrepo import repo_files, write_repo
from bench.timing import (
    NOT_INSTALLED,
    PYTHON,
    ROOT,
    compile_bytecode,
    machine_line,
    median,
    node_tool,
    peak_rss_mb,
    run_child,
    table,
    verdict,
)

SYNTHETIC = (("ts", 1500), ("python", 3000), ("mixed", 20000))
WARM_TARGET = 0.05  # warm ≤ 5% of cold
FLOOR_TARGET = 10.0  # cold ≤ 10× the read floor
TS_PEER_TARGET = 5.0  # ≥ 5× faster than madge and dependency-cruiser
GRIMP_TARGET = 3.0  # within 3× of grimp
MEMORY_TARGET_MB = 300.0  # on 20,000 files
BIG_REPO = 20000
SOURCE_SUFFIXES = {".py": "#", ".rb": "#", ".ts": "//", ".tsx": "//", ".js": "//", ".go": "//"}
JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
# Folders that are not the product: peers are pointed at the product code only.
NOT_PRODUCT = {
    "node_modules", "vendor", "dist", "build", "static", "public", "assets", "tests", "test",
    "spec", "docs", "examples", "example", "fixtures", "venv", "site-packages", "tmp",
}  # fmt: skip
GRIMP_SCRIPT = (
    "import sys, grimp; sys.path.insert(0, sys.argv[1]); "
    "g = grimp.build_graph(sys.argv[2], cache_dir=None); print(len(g.modules))"
)


# --- the child: in-process figures ---------------------------------------------------------


class _Recorder:
    """A snapshot that remembers which paths were read (to time reading exactly those).

    It is as fork-safe as the checkout it wraps, so extraction workers read for themselves
    as they do in a real run; what they read is added afterwards (`add_extracted`)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.read_paths: list[str] = []
        self.fork_safe = bool(getattr(inner, "fork_safe", False))

    def add_extracted(self, extracted_keys: Any) -> None:
        """Add a path for each blob extracted (the cache's keys), unless already read here."""
        from bot.core.analysis.extractors import cache_key, extractor_for

        seen = set(self.read_paths)
        left = set(extracted_keys)
        for entry in self.inner.entries():
            extractor = extractor_for(entry.path)
            if extractor is None or entry.path in seen:
                continue
            key = cache_key(extractor, entry.sha)
            if key in left:
                left.discard(key)  # one read per blob
                self.read_paths.append(entry.path)

    @property
    def source(self) -> str | None:
        return self.inner.source  # type: ignore[no-any-return]

    def entries(self) -> Any:
        return self.inner.entries()

    def read(self, path: str) -> bytes:
        self.read_paths.append(path)
        return self.inner.read(path)  # type: ignore[no-any-return]


class _OneChange:
    """A snapshot with one file's bytes replaced, as after a one-file push."""

    def __init__(self, inner: Any, path: str, data: bytes) -> None:
        from bot.core.snapshot import FileEntry, git_blob_sha

        self.inner, self.path, self.data = inner, path, data
        self._entries = tuple(
            FileEntry(path, git_blob_sha(data), len(data)) if e.path == path else e
            for e in inner.entries()
        )

    @property
    def source(self) -> str | None:
        return None

    def entries(self) -> Any:
        return self._entries

    def read(self, path: str) -> bytes:
        return self.data if path == self.path else self.inner.read(path)  # type: ignore[no-any-return]


def _changed_file(snapshot: Any) -> str:
    """A source file a push would touch: the largest importing source file, not a test."""
    best: tuple[int, str] | None = None
    for entry in snapshot.entries():
        suffix = os.path.splitext(entry.path)[1]
        wanted = suffix in SOURCE_SUFFIXES and "test" not in entry.path and entry.size < 50_000
        if wanted and (best is None or entry.size > best[0]):
            best = (entry.size, entry.path)
    if best is None:
        raise SystemExit("no source file to change in this repository")
    return best[1]


def _read_all(snapshot: Any, paths: list[str]) -> float:
    start = time.perf_counter()
    for path in paths:
        snapshot.read(path)
    return time.perf_counter() - start


def measure_in_process(root: Path, repeat: int) -> dict[str, Any]:
    from bot.cli.refresh import load_config
    from bot.core.facts_cache import MemoryFactsCache
    from bot.core.refresh import refresh
    from bot.core.warm import Warm
    from bot.local.catalog_file import default_catalog
    from bot.local.checkout import LocalSnapshot

    catalog = default_catalog()  # loaded once per process, like the worker does
    config = load_config(root)

    def cold() -> tuple[float, _Recorder, MemoryFactsCache, Warm]:
        cache, warm = MemoryFactsCache(), Warm()
        start = time.perf_counter()
        snapshot = _Recorder(LocalSnapshot(root))
        refresh(snapshot, config, cache=cache, catalog=catalog, warm=warm)
        return time.perf_counter() - start, snapshot, cache, warm

    def one_change(
        cache: MemoryFactsCache, warm: Warm, top: bytes, end: bytes
    ) -> tuple[float, float]:
        """List the checkout again and refresh with `changed` edited, as after a push:
        (seconds in all, seconds of them listing the checkout)."""
        start = time.perf_counter()
        listed = LocalSnapshot(root)
        listing = time.perf_counter() - start
        data = top + listed.read(changed) + end
        snapshot = _OneChange(listed, changed, data)
        refresh(snapshot, config, cache=cache, catalog=catalog, warm=warm)
        return time.perf_counter() - start, listing

    colds, floors = [], []
    warms: list[tuple[float, float]] = []
    moved: list[tuple[float, float]] = []
    recorder: _Recorder | None = None
    changed = ""
    for i in range(repeat):
        seconds, recorder, cache, warm = cold()
        recorder.add_extracted(set(cache.data))
        colds.append(seconds)
        # The floor: the same bytes read again in this process (page cache warm, as for
        # cold); the best of three, so a busy moment on the shared machine does not raise it.
        floors.append(min(_read_all(recorder.inner, recorder.read_paths) for _ in range(3)))
        if not changed:  # chosen once, outside the timed part
            changed = _changed_file(recorder.inner)
        comment = SOURCE_SUFFIXES[os.path.splitext(changed)[1]].encode()
        # A comment appended (the file's facts stay the same), then a line added at the top
        # (every import, route and env read of the file moves: its facts change).
        warms.append(one_change(cache, warm, b"", comment + b" bench change %d\n" % i))
        moved.append(one_change(cache, warm, comment + b" moved %d\n" % i, b""))
    assert recorder is not None
    python = [p for p in recorder.read_paths if p.endswith(".py")]
    blobs = [recorder.inner.read(p) for p in python]
    py_read = min(_read_all(recorder.inner, python) for _ in range(3))
    start = time.perf_counter()
    for blob in blobs:
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(blob)
    py_parse = time.perf_counter() - start
    own = peak_rss_mb()
    # Extraction workers are forks of this process; their peak includes pages they share.
    pool = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "files": len(recorder.entries()),
        "read": len(recorder.read_paths),
        "cold": median(colds),
        "warm": median([w for w, _ in warms]),
        # The engine's part: what is left once the checkout is listed (a git process).
        "warm_engine": median([w - listing for w, listing in warms]),
        "warm_moved": median([w for w, _ in moved]),
        "floor": median(floors),
        "changed": changed,
        "ast_ratio": py_parse / py_read if python and py_read else None,
        "peak_mb": own,
        "pool_peak_mb": pool,
    }


# --- the parent: peers and tables ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Repo:
    label: str
    path: Path


def _skipped(parts: Sequence[str]) -> bool:
    return any(p.lower() in NOT_PRODUCT or p.startswith(".") for p in parts)


def python_package(root: Path) -> tuple[Path, str] | None:
    """(folder to put on sys.path, package name) of the product package with most modules."""
    counts: Counter[tuple[Path, str]] = Counter()
    for module in root.rglob("*.py"):
        rel = module.relative_to(root).parts
        if _skipped(rel[:-1]) or not (module.parent / "__init__.py").is_file():
            continue
        package = module.parent
        while (package.parent / "__init__.py").is_file():
            package = package.parent
        counts[(package.parent, package.name)] += 1
    if not counts:
        return None
    (folder, name), _ = counts.most_common(1)[0]
    return folder, name


def js_folder(root: Path) -> tuple[Path, list[str]] | None:
    """The folder holding most TS/JS product files (a top-level folder, or the root)."""
    by_top: Counter[str] = Counter()
    suffixes: Counter[str] = Counter()
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames if not _skipped([d])]
        for name in filenames:
            if name.endswith(JS_SUFFIXES) and not name.endswith(".d.ts") and ".min." not in name:
                top = "." if rel_dir == "." else rel_dir.split(os.sep)[0]
                by_top[top] += 1
                suffixes[os.path.splitext(name)[1].lstrip(".")] += 1
    if not by_top:
        return None
    top, count = by_top.most_common(1)[0]
    folder = root if count < 0.6 * sum(by_top.values()) else root / top
    # One level deeper when that folder holds a single folder (packages/, src/ under web/).
    inner = [d for d in folder.iterdir() if d.is_dir() and not _skipped([d.name])]
    if len(inner) == 1 and not any(f.suffix for f in folder.iterdir() if f.is_file()):
        folder = inner[0]
    return folder, sorted(suffixes)


def peers(repo: Repo) -> list[tuple[str, str, list[str] | None, Path | None]]:
    """(tool, target, argv or None when not installed, cwd)."""
    found: list[tuple[str, str, list[str] | None, Path | None]] = [
        ("docs-refresh facts", ".", [PYTHON, "-m", "bot", "facts", "--json", str(repo.path)], ROOT)
    ]
    package = python_package(repo.path)
    if package is not None:
        folder, name = package
        target = f"{os.path.relpath(folder, repo.path)}/{name}".removeprefix("./")
        try:
            import grimp  # noqa: F401

            argv: list[str] | None = [PYTHON, "-c", GRIMP_SCRIPT, str(folder), name]
        except ImportError:
            argv = None
        found.append(("grimp", target, argv, repo.path))
    js = js_folder(repo.path)
    if js is not None:
        folder, exts = js
        target = os.path.relpath(folder, repo.path)
        madge, cruiser = node_tool("madge"), node_tool("depcruise")
        found.append(
            (
                "madge",
                target,
                None
                if madge is None
                else [str(madge), "--extensions", ",".join(exts), "--json", str(folder)],
                repo.path,
            )
        )
        found.append(
            (
                "dependency-cruiser",
                target,
                None
                if cruiser is None
                else [str(cruiser), "--no-config", "--output-type", "json", str(folder)],
                repo.path,
            )
        )
    return found


def inner_figures(repo: Repo, repeat: int) -> dict[str, Any]:
    import subprocess

    out = subprocess.run(
        [PYTHON, "-m", "bench.analysis", "--inner", str(repo.path), "--repeat", str(repeat)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def synthetic_repos(workdir: Path) -> list[Repo]:
    repos = []
    for kind, count in SYNTHETIC:
        path = workdir / f"{kind}-{count}"
        write_repo(path, repo_files(count, kind, seed=1))
        repos.append(Repo(f"synthetic {kind} {count:,}", path))
    return repos


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="repositories (default: synthetic)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--no-peers", action="store_true", help="skip whole-process runs")
    parser.add_argument(
        "--peer-max-files",
        type=int,
        default=10_000,
        help="whole-process runs only on repositories up to this size (peers take minutes)",
    )
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner is not None:
        print(json.dumps(measure_in_process(args.inner.resolve(), args.repeat)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        repos = [Repo(p.resolve().name, p.resolve()) for p in args.paths] or synthetic_repos(
            Path(tmp)
        )
        print(f"bench/analysis.py — {machine_line()}; median of {args.repeat}\n")
        report(repos, args.repeat, peer_max=0 if args.no_peers else args.peer_max_files)
    return 0


def report(repos: list[Repo], repeat: int, *, peer_max: int) -> None:
    rows = []
    sizes: dict[Path, int] = {}
    for repo in repos:
        f = inner_figures(repo, repeat)
        sizes[repo.path] = f["files"]
        ratio_warm = f["warm"] / f["cold"]
        ratio_floor = f["cold"] / f["floor"] if f["floor"] else float("inf")
        peak = max(f["peak_mb"], f["pool_peak_mb"])
        memory = f"{peak:.0f}"
        if f["files"] >= BIG_REPO * 0.9:
            memory += f" ({verdict(peak < MEMORY_TARGET_MB)} < {MEMORY_TARGET_MB:.0f})"
        rows.append(
            [
                repo.label,
                f"{f['files']:,} ({f['read']:,} read)",
                f"{f['cold']:.2f}",
                f"{f['files'] / f['cold']:,.0f}",
                f"{f['warm']:.3f}",
                f"{ratio_warm:.1%} ({verdict(ratio_warm <= WARM_TARGET)} ≤ 5%); "
                f"engine {f['warm_engine'] / f['cold']:.1%}",
                f"{f['warm_moved']:.3f} ({f['warm_moved'] / f['cold']:.1%})",
                f"{f['floor']:.3f}",
                f"{ratio_floor:.1f}× ({verdict(ratio_floor <= FLOOR_TARGET)} ≤ 10×)",
                "-" if f["ast_ratio"] is None else f"{f['ast_ratio']:.0f}×",
                memory,
            ]
        )
    print(
        table(
            "Facts + render in one process (cold: empty cache; warm: one file changed)",
            [
                "repository",
                "files",
                "cold s",
                "files/s",
                "warm s",
                "warm/cold; engine (after listing)",
                "warm, facts moved s",
                "read floor s",
                "cold/floor",
                "ast.parse/read (.py)",
                "peak MB",
            ],
            rows,
        )
    )
    with_peers = [r for r in repos if sizes[r.path] <= peer_max]
    if with_peers:
        print()
        print(peer_table(with_peers, repeat))


def peer_table(repos: list[Repo], repeat: int) -> str:
    compile_bytecode()
    rows = []
    for repo in repos:
        tools = peers(repo)
        times: dict[str, list[float]] = {t[0]: [] for t in tools}
        cpus: dict[str, list[float]] = {t[0]: [] for t in tools}
        peaks: dict[str, float] = {t[0]: 0.0 for t in tools}
        failed: set[str] = set()
        for _ in range(repeat):  # round robin: load from other processes hits all alike
            for name, _target, argv, cwd in tools:
                if argv is None:
                    continue
                run = run_child(argv, cwd=cwd)
                if run.code != 0:
                    failed.add(name)
                times[name].append(run.seconds)
                cpus[name].append(run.cpu)
                peaks[name] = max(peaks[name], run.peak_mb)
        ours = median(times["docs-refresh facts"])
        ours_cpu = median(cpus["docs-refresh facts"])
        js = js_folder(repo.path)
        typescript = js is not None and "ts" in js[1]
        for name, target, argv, _cwd in tools:
            if argv is None:
                rows.append([repo.label, name, target, NOT_INSTALLED, "", "", "", ""])
                continue
            seconds = median(times[name])
            speedup = seconds / ours
            goal = ""
            if name in ("madge", "dependency-cruiser") and typescript:
                goal = f"{verdict(speedup >= TS_PEER_TARGET)} ≥ 5×"
            elif name == "grimp":
                ok = ours <= GRIMP_TARGET * seconds
                goal = f"ours = {ours / seconds:.1f}× grimp: {verdict(ok)} ≤ 3×"
                # Both single-threaded: CPU time leaves out waiting for a busy machine.
                goal += f" (by CPU time {ours_cpu / median(cpus[name]):.1f}×)"
            rows.append(
                [
                    repo.label,
                    name + (" (exit ≠ 0)" if name in failed else ""),
                    target,
                    f"{seconds:.2f}",
                    f"{median(cpus[name]):.2f}",
                    f"{peaks[name]:.0f}",
                    "1.0×" if name == "docs-refresh facts" else f"{speedup:.1f}×",
                    goal,
                ]
            )
    return table(
        "Whole process, side by side (peer time ÷ docs-refresh time; synthetic = bench/genrepo.py;"
        " every tool from compiled bytecode, as installed)",
        ["repository", "tool", "target folder", "s", "CPU s", "peak MB", "peer/ours", "target"],
        rows,
    )


if __name__ == "__main__":
    sys.exit(main())
