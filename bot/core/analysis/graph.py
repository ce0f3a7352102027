"""Repository structure from per-file facts: modules, module edges, entry points.

Everything a *path* decides lives here (extractors only see bytes):

* tests (`tests/`, `spec/`, `__tests__/`, `test_*.py`, `*_test.go`, `*.spec.ts`…) are left
  out of modules, edges and entry points;
* modules are decided by `layout.Layout` (monorepo packages, top-level folders, containers);
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
from dataclasses import dataclass

from bot.core.analysis.layout import PACKAGE_FILES, ROOT_MODULE, Layout, package_roots
from bot.core.analysis.resolve import Resolver, parent
from bot.core.analysis.ruby import constant_refs
from bot.core.lazy_pattern import lazy
from bot.core.model import Edge, Entrypoint, Evidence, FileFacts, Module, Signal, facts_unchanged

CODE_LANGUAGES = frozenset({"python", "javascript", "typescript", "ruby", "go"})
EVIDENCE_MAX = 20
EDGE_EVIDENCE_MAX = 10
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
    (lazy(r"(?:^|/)(?:src/)?pages/api/.+\.[jt]sx?\Z"), "http", "Next.js API routes"),
    (lazy(r"(?:^|/)(?:src/)?app/(?:.+/)?route\.[jt]sx?\Z"), "http", "Next.js route handlers"),
    (lazy(r"(?:^|/)(?:src/)?app/(?:.+/)?page\.[jt]sx?\Z"), "http", "Next.js pages"),
    (
        lazy(r"(?:^|/)(?:src/)?pages/(?!api/|_app\.|_document\.).+\.[jt]sx?\Z"),
        "http",
        "Next.js pages",
    ),
)


@functools.lru_cache(maxsize=1 << 18)
def is_test_path(path: str) -> bool:
    parts = path.split("/")
    return any(p in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


# One file's import contributions, (target module, line), depend on its facts and on the
# repository's layout alone. A long-lived process (the worker) keeps them while the layout
# holds, so after a one-file change only that file is resolved again. Bounded; pure values.
_CONTRIBUTIONS: dict[tuple[str, str, str], tuple[tuple[str, int], ...]] = {}
_CONTRIBUTIONS_MAX = 120_000  # files; a few tens of MB at most


def modules_and_edges(
    paths: Iterable[str],
    facts: Mapping[str, FileFacts],
    resolver: Resolver,
    shas: Mapping[str, str] | None = None,
) -> tuple[tuple[Module, ...], tuple[Edge, ...]]:
    """Modules with file counts, and import counts between them. `shas` (path to blob SHA)
    lets results per file be reused across calls in one process; without it, none are."""
    graph = build_graph(paths, facts, resolver, shas)
    return graph.modules, graph.edges


@dataclass(slots=True)
class Graph:
    """Modules and edges with what they were counted from, so that `update_graph` can move
    the counts by the files that changed instead of counting every file again."""

    resolver: Resolver
    modules_of: Layout
    languages: dict[str, str]  # code path -> language
    found: dict[str, tuple[str, tuple[tuple[str, int], ...]]]  # code path -> (module, imports)
    counts: Counter[tuple[str, str]]
    evidence: dict[tuple[str, str], list[Evidence]]  # every import, unsorted and uncapped
    modules: tuple[Module, ...]
    edges: tuple[Edge, ...]

    def _edges(self, touched: Iterable[tuple[str, str]] | None) -> tuple[Edge, ...]:
        members = {m.name for m in self.modules}
        kept = {} if touched is None else {(e.source, e.target): e for e in self.edges}
        for key in touched if touched is not None else self.counts:
            kept.pop(key, None)
            n = self.counts.get(key, 0)
            if n and key[1] in members:  # an edge into a module of only tests is not drawn
                proof = tuple(sorted(self.evidence[key])[:EDGE_EVIDENCE_MAX])
                kept[key] = Edge(key[0], key[1], n, proof)
        return tuple(kept[key] for key in sorted(kept))


def build_graph(
    paths: Iterable[str],
    facts: Mapping[str, FileFacts],
    resolver: Resolver,
    shas: Mapping[str, str] | None = None,
) -> Graph:
    all_paths = sorted(paths)
    code = [
        p
        for p in all_paths
        if p in facts and facts[p].language in CODE_LANGUAGES and not is_test_path(p)
    ]
    modules_of = Layout(code, package_roots(all_paths))
    layout = _layout(all_paths, code, resolver, modules_of) if shas is not None else ""
    if len(_CONTRIBUTIONS) > _CONTRIBUTIONS_MAX:
        _CONTRIBUTIONS.clear()
    members: dict[str, list[str]] = defaultdict(list)
    languages: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[tuple[str, str]] = Counter()
    evidence: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    found_by_path: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {}
    for path in code:
        f = facts[path]
        source = modules_of.module_of(path)
        members[source].append(path)
        languages[source][f.language] += 1
        key = (layout, path, shas.get(path, "")) if shas is not None else None
        found = _CONTRIBUTIONS.get(key) if key is not None else None
        if found is None:
            found = tuple(_contributions(path, f, source, resolver, modules_of))
            if key is not None and key[2]:
                _CONTRIBUTIONS[key] = found
        found_by_path[path] = (source, found)
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
    graph = Graph(
        resolver,
        modules_of,
        {p: facts[p].language for p in code},
        found_by_path,
        counts,
        evidence,
        tuple(modules),
        (),
    )
    graph.edges = graph._edges(None)
    return graph


def update_graph(
    graph: Graph, changed: Iterable[str], facts: Mapping[str, FileFacts], resolver: Resolver
) -> bool:
    """Move `graph` to files `changed` (same paths, same resolver) now having `facts`: their
    imports counted again, everything else kept. False, `graph` untouched, when modules
    themselves would change (a file entering or leaving the code, or changing language)."""
    if resolver is not graph.resolver:
        return False
    todo = []
    for path in changed:
        f = facts.get(path)
        is_code = f is not None and f.language in CODE_LANGUAGES and not is_test_path(path)
        if is_code != (path in graph.languages):
            return False
        if f is not None and is_code:
            if graph.languages[path] != f.language:
                return False
            todo.append((path, f))
    touched: set[tuple[str, str]] = set()
    for path, f in todo:
        source, old = graph.found[path]
        for target, line in old:
            key = (source, target)
            graph.counts[key] -= 1
            graph.evidence[key].remove(Evidence(path, line))
            touched.add(key)
        new = tuple(_contributions(path, f, source, resolver, graph.modules_of))
        graph.found[path] = (source, new)
        for target, line in new:
            key = (source, target)
            graph.counts[key] += 1
            graph.evidence.setdefault(key, []).append(Evidence(path, line))
            touched.add(key)
    for key in touched:
        if not graph.counts[key]:
            del graph.counts[key]
            del graph.evidence[key]
    graph.edges = graph._edges(touched)
    return True


def _contributions(
    path: str,
    f: FileFacts,
    source: str,
    resolver: Resolver,
    modules_of: Layout,
) -> Iterable[tuple[str, int]]:
    refs = [*f.imports, *constant_refs(f)] if f.language == "ruby" else f.imports
    for ref in refs:
        target_path = resolver.resolve(path, f.language, ref)
        if target_path is None or is_test_path(target_path):
            continue
        target = modules_of.module_of(target_path)
        if target != source:
            yield target, ref.line


def _layout(all_paths: list[str], code: list[str], resolver: Resolver, modules_of: Layout) -> str:
    """A digest of everything resolution and module assignment depend on besides a file."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (all_paths, code, [modules_of.fingerprint(), resolver.fingerprint()]):
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
    return build_entrypoints(paths, facts).result


@dataclass(slots=True)
class Entrypoints:
    """`entrypoints`' result with what each file gave, for `update_entrypoints`."""

    uses_next: bool
    from_signals: dict[str, tuple[Entrypoint, ...]]  # path -> its own, for files with some
    conventions: dict[tuple[str, str], dict[str, Evidence]]  # (kind, name) -> path -> line
    result: tuple[Entrypoint, ...] = ()

    def _file(self, path: str, f: FileFacts | None) -> None:
        self.from_signals.pop(path, None)
        for by_path in self.conventions.values():
            by_path.pop(path, None)
        if is_test_path(path):
            return
        groups: dict[tuple[str, str], list[Signal]] = defaultdict(list)
        code = f is not None and f.language in CODE_LANGUAGES
        for s in f.signals if f is not None else ():
            if s.kind.startswith("entrypoint."):
                # Code: one entry per file and kind; manifests: one per named process.
                groups[(s.kind[len("entrypoint.") :], "" if code else s.name)].append(s)
        if groups:
            self.from_signals[path] = tuple(
                _from_signals(path, kind, name, signals) for (kind, name), signals in groups.items()
            )
        convention = _convention(path, self.uses_next)
        if convention is not None:
            kind = convention[0]
            proof = Evidence(path, _first_line(f, f"entrypoint.{kind}"))
            self.conventions.setdefault(convention, {})[path] = proof

    def overflow(self) -> tuple[Entrypoint, ...]:
        """The files of each folder convention past the `EVIDENCE_MAX` its entry point cites
        (the 21st Next.js API route): each is a flow start all the same."""
        out = []
        for (kind, name), by_path in sorted(self.conventions.items()):
            if len(by_path) > EVIDENCE_MAX:
                rest = tuple(sorted(by_path.values())[EVIDENCE_MAX:])
                out.append(Entrypoint(name, kind, rest, f"{len(by_path)} files"))
        return tuple(out)

    def _collect(self) -> tuple[Entrypoint, ...]:
        out = [e for found in self.from_signals.values() for e in found]
        for (kind, name), by_path in self.conventions.items():
            if by_path:
                proof = tuple(sorted(by_path.values())[:EVIDENCE_MAX])
                out.append(Entrypoint(name, kind, proof, f"{len(by_path)} files"))
        return tuple(sorted(out, key=lambda e: (e.kind, e.name, e.evidence)))


def build_entrypoints(paths: Iterable[str], facts: Mapping[str, FileFacts]) -> Entrypoints:
    uses_next = any(
        d.ecosystem == "npm" and d.name == "next" for f in facts.values() for d in f.dependencies
    )
    state = Entrypoints(uses_next, {}, {})
    for path in sorted(paths):
        state._file(path, facts.get(path))
    state.result = state._collect()
    return state


def update_entrypoints(
    state: Entrypoints,
    changed: Iterable[str],
    facts: Mapping[str, FileFacts],
    before: Mapping[str, FileFacts],
) -> bool:
    """Move `state` to files `changed` (same paths) now having `facts` instead of `before`;
    False, `state` untouched, when a dependency changed (`next` decides conventions)."""
    changed = list(changed)
    if not facts_unchanged(before, facts, changed, "dependencies"):
        return False
    for path in changed:
        state._file(path, facts.get(path))
    state.result = state._collect()
    return True


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
    "Entrypoints",
    "Graph",
    "build_entrypoints",
    "build_graph",
    "entrypoints",
    "is_test_path",
    "modules_and_edges",
    "parent",
    "update_entrypoints",
    "update_graph",
]
