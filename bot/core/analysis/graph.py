"""Repository structure from per-file facts: modules, module edges, entry points.

Everything a *path* decides lives here (extractors only see bytes):

* tests (`tests/`, `spec/`, `__tests__/`, `test_*.py`, `*_test.go`, `*.spec.ts`…) are left
  out of modules, edges and entry points;
* a module is a top-level folder, or a package of a monorepo (a folder below the root with
  its own package.json, go.mod, pyproject.toml/setup.py, Gemfile or *.gemspec), or the
  second level under a container folder (`src/x`, `packages/x`, `apps/x`, `app/x`, `cmd/x`…;
  not `lib/`, which in Ruby gems and JS packages is one unit);
  files at the root form the module "(root)";
* a top-level folder holding at least half the code, with two or more subfolders, is split
  one level deeper (`bot/core`, `bot/github`…): one box for the whole package says nothing;
* Rails folder conventions (controllers, jobs, workers), Next.js routes (when the repository
  depends on `next`), `bin/` executables and crontab files are entry points.

Evidence lists are sorted and capped (`EVIDENCE_MAX`, `EDGE_EVIDENCE_MAX`); counts are not.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from bot.core.analysis.resolve import Resolver, parent
from bot.core.model import Edge, Entrypoint, Evidence, FileFacts, Module, Signal

CODE_LANGUAGES = frozenset({"python", "javascript", "typescript", "ruby", "go"})
ROOT_MODULE = "(root)"
EVIDENCE_MAX = 20
EDGE_EVIDENCE_MAX = 10
CONTAINERS = frozenset(
    {
        "src",
        "packages",
        "apps",
        "services",
        "libs",
        "app",
        "cmd",
        "internal",
        "pkg",
        "modules",
    }
)
PACKAGE_FILES = frozenset({"package.json", "go.mod", "pyproject.toml", "setup.py", "Gemfile"})
_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "__mocks__",
        "testdata",
        "fixtures",
        "e2e",
        "cypress",
    }
)
_NOT_PACKAGE_DIRS = _TEST_DIRS | frozenset(
    {"examples", "example", "docs", "samples", "benchmarks", "bench"}
)
_TEST_FILE = re.compile(
    r"(?:^test_.*\.py|.*_test\.py|conftest\.py|.*_test\.go|.*[._](?:test|spec)\.[cm]?[jt]sx?|.*_spec\.rb|.*_test\.rb)\Z"
)
_RAILS = (
    (re.compile(r"(?:^|/)app/controllers/.+_controller\.rb\Z"), "http", "Rails controllers"),
    (re.compile(r"(?:^|/)app/jobs/.+\.rb\Z"), "worker", "Rails jobs"),
    (re.compile(r"(?:^|/)app/workers/.+\.rb\Z"), "worker", "Sidekiq workers"),
)
# Executables by folder and schedules by file name, whatever the language.
_GENERAL = (
    (re.compile(r"(?:^|/)bin/[^/.]+(?:\.(?:py|rb|js|mjs|cjs|ts|sh))?\Z"), "cli", "bin scripts"),
    (re.compile(r"(?:^|/)(?:crontab|[^/]+\.cron|cron\.d/[^/]+)\Z"), "scheduler", "crontab"),
)
_NEXT = (
    (re.compile(r"(?:^|/)(?:src/)?pages/api/.+\.[jt]sx?\Z"), "http", "Next.js API routes"),
    (re.compile(r"(?:^|/)(?:src/)?app/(?:.+/)?route\.[jt]sx?\Z"), "http", "Next.js route handlers"),
    (re.compile(r"(?:^|/)(?:src/)?app/(?:.+/)?page\.[jt]sx?\Z"), "http", "Next.js pages"),
    (
        re.compile(r"(?:^|/)(?:src/)?pages/(?!api/|_app\.|_document\.).+\.[jt]sx?\Z"),
        "http",
        "Next.js pages",
    ),
)


@functools.lru_cache(maxsize=1 << 18)
def is_test_path(path: str) -> bool:
    parts = path.split("/")
    return any(p in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def package_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """Folders below the root that are packages of a monorepo, longest first."""
    roots = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if not folder or not (name in PACKAGE_FILES or name.endswith(".gemspec")):
            continue
        if any(p in _NOT_PACKAGE_DIRS for p in folder.split("/")):
            continue
        roots.add(folder)
    return tuple(sorted(roots, key=lambda r: (-r.count("/"), r)))


def module_of(
    path: str, roots: tuple[str, ...] | frozenset[str], split: frozenset[str] = frozenset()
) -> str:
    """The module a file (or a folder, ending in "/") belongs to: its deepest package root,
    else its top-level folder (two levels under a container or a split folder)."""
    if roots:
        folder = path.rstrip("/").rpartition("/")[0]
        while folder:
            if folder in roots:
                return folder
            folder = folder.rpartition("/")[0]
    parts = path.split("/")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] == ""):
        return ROOT_MODULE
    if (parts[0] in CONTAINERS or parts[0] in split) and len(parts) >= 3 and parts[1]:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def dominant_modules(code_paths: list[str], roots: frozenset[str]) -> frozenset[str]:
    """Top-level folders holding most of the code (a single-package repository's package):
    one box would say nothing, so they are split one level deeper."""
    files: Counter[str] = Counter()
    subfolders: dict[str, set[str]] = defaultdict(set)
    for path in code_paths:
        name = module_of(path, roots)
        files[name] += 1
        parts = path.split("/")
        if "/" not in name and name != ROOT_MODULE and len(parts) >= 3:
            subfolders[name].add(parts[1])
    total = len(code_paths)
    return frozenset(
        name for name, subs in subfolders.items() if len(subs) >= 2 and files[name] * 2 >= total
    )


# One file's import contributions, (target module, line), depend on its facts and on the
# repository's layout alone. A long-lived process (the worker) keeps them while the layout
# holds, so after a one-file change only that file is resolved again. Bounded; pure values.
_CONTRIBUTIONS: dict[tuple[str, str, str], tuple[tuple[str, int], ...]] = {}
_CONTRIBUTIONS_MAX = 400_000


def modules_and_edges(
    paths: Iterable[str],
    facts: Mapping[str, FileFacts],
    resolver: Resolver,
    shas: Mapping[str, str] | None = None,
) -> tuple[tuple[Module, ...], tuple[Edge, ...]]:
    """Modules with file counts, and import counts between them. `shas` (path to blob SHA)
    lets results per file be reused across calls in one process; without it, none are."""
    all_paths = sorted(paths)
    roots = frozenset(package_roots(all_paths))
    code = [
        p
        for p in all_paths
        if p in facts and facts[p].language in CODE_LANGUAGES and not is_test_path(p)
    ]
    split = dominant_modules(code, roots)
    layout = _layout(all_paths, code, resolver, split) if shas is not None else ""
    if len(_CONTRIBUTIONS) > _CONTRIBUTIONS_MAX:
        _CONTRIBUTIONS.clear()
    members: dict[str, list[str]] = defaultdict(list)
    languages: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[tuple[str, str]] = Counter()
    evidence: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for path in code:
        f = facts[path]
        source = module_of(path, roots, split)
        members[source].append(path)
        languages[source][f.language] += 1
        key = (layout, path, shas.get(path, "")) if shas is not None else None
        found = _CONTRIBUTIONS.get(key) if key is not None else None
        if found is None:
            found = tuple(_contributions(path, f, source, resolver, roots, split))
            if key is not None and key[2]:
                _CONTRIBUTIONS[key] = found
        for target, line in found:
            counts[(source, target)] += 1
            evidence[(source, target)].append(Evidence(path, line))
    modules = []
    path_set = frozenset(all_paths)
    for name in sorted(members):
        files = members[name]
        language = sorted(languages[name].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        folder = "." if name == ROOT_MODULE else name
        proof = _module_evidence(name, files, path_set)
        modules.append(Module(name, folder, len(files), language, proof))
    edges = [
        Edge(s, t, n, tuple(sorted(evidence[(s, t)])[:EDGE_EVIDENCE_MAX]))
        for (s, t), n in sorted(counts.items())
        if t in members  # an edge into a module of only tests or configs is not drawn
    ]
    return tuple(modules), tuple(edges)


def _contributions(
    path: str,
    f: FileFacts,
    source: str,
    resolver: Resolver,
    roots: frozenset[str],
    split: frozenset[str],
) -> Iterable[tuple[str, int]]:
    for ref in f.imports:
        target_path = resolver.resolve(path, f.language, ref)
        if target_path is None or is_test_path(target_path):
            continue
        target = module_of(target_path, roots, split)
        if target != source:
            yield target, ref.line


def _layout(
    all_paths: list[str], code: list[str], resolver: Resolver, split: frozenset[str]
) -> str:
    """A digest of everything resolution and module assignment depend on besides a file."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (all_paths, code, sorted(split), [resolver.fingerprint()]):
        digest.update("\0".join(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\1")
    return digest.hexdigest()


def _module_evidence(
    name: str, files: list[str], all_paths: frozenset[str]
) -> tuple[Evidence, ...]:
    if name != ROOT_MODULE:
        for manifest in sorted(PACKAGE_FILES):
            if f"{name}/{manifest}" in all_paths:
                return (Evidence(f"{name}/{manifest}"),)
        for init in ("__init__.py", "index.ts", "index.js", "main.go"):
            if f"{name}/{init}" in files:
                return (Evidence(f"{name}/{init}"),)
    return (Evidence(files[0]),)


def entrypoints(paths: Iterable[str], facts: Mapping[str, FileFacts]) -> tuple[Entrypoint, ...]:
    """Entry points from signals (code and manifests) and from folder conventions."""
    groups: dict[tuple[str, str, str], list[Signal]] = defaultdict(list)
    conventions: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    all_paths = sorted(paths)
    uses_next = any(
        d.ecosystem == "npm" and d.name == "next" for f in facts.values() for d in f.dependencies
    )
    for path in all_paths:
        if is_test_path(path):
            continue
        f = facts.get(path)
        code = f is not None and f.language in CODE_LANGUAGES
        for s in f.signals if f is not None else ():
            if s.kind.startswith("entrypoint."):
                # Code: one entry per file and kind; manifests: one per named process.
                groups[(path, s.kind[len("entrypoint.") :], "" if code else s.name)].append(s)
        convention = _convention(path, uses_next)
        if convention is not None:
            kind, name = convention
            conventions[convention].append(Evidence(path, _first_line(f, f"entrypoint.{kind}")))
    out = [
        _from_signals(path, kind, name, signals) for (path, kind, name), signals in groups.items()
    ]
    for (kind, name), proof in conventions.items():
        detail = f"{len(proof)} files"
        out.append(Entrypoint(name, kind, tuple(sorted(proof)[:EVIDENCE_MAX]), detail))
    return tuple(sorted(out, key=lambda e: (e.kind, e.name, e.evidence)))


_CONVENTION_HINTS = ("bin/", "cron", "app/", "pages/")


@functools.lru_cache(maxsize=1 << 18)
def _convention(path: str, uses_next: bool) -> tuple[str, str] | None:
    """(kind, name) of the folder convention that makes `path` an entry point, if any."""
    if not any(hint in path for hint in _CONVENTION_HINTS):
        return None  # most paths: four substring tests instead of nine regexes
    for pattern, kind, name in _GENERAL + _RAILS + (_NEXT if uses_next else ()):
        if pattern.search(path):
            return kind, name
    return None


def _first_line(f: FileFacts | None, kind: str) -> int | None:
    lines = [s.line for s in (f.signals if f else ()) if s.kind == kind and s.line is not None]
    return min(lines) if lines else None


_GENERIC = frozenset(
    {"HTTP route", "route", "route handler", "resources", "task", "CLI command", "__main__"}
)


def _from_signals(path: str, kind: str, name: str, signals: list[Signal]) -> Entrypoint:
    names = sorted({s.name for s in signals})
    if not name:
        specific = [n for n in names if n not in _GENERIC]
        name = f"{(specific or names)[0]} ({path})"
    details = sorted({s.detail for s in signals if s.detail})
    proof = sorted({Evidence(path, s.line) for s in signals})[:EVIDENCE_MAX]
    detail = ", ".join(details[:EVIDENCE_MAX]) + (" …" if len(details) > EVIDENCE_MAX else "")
    return Entrypoint(name, kind, tuple(proof), detail)


def module_folder(name: str) -> str:
    return "." if name == ROOT_MODULE else name


__all__ = [
    "entrypoints",
    "is_test_path",
    "module_of",
    "modules_and_edges",
    "package_roots",
    "parent",
]
