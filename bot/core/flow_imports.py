"""The flow walker's state and its walk through imports.

`_ImportWalker` keeps what a walk asks of each file once (its sinks, its same-repository
imports, whether it is a development tool, a barrel or a module of job bodies) and walks
resolved imports breadth-first from an entry file to the sinks it reaches
(`import_flows`); `flow_walker._Walker` adds the walks through calls.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping

from bot.core.call_sites import Sink
from bot.core.flow_calls import CallGraph
from bot.core.flow_rank import _RANK_OF_KIND, _WORKERS, _priority, is_development, priority_kind
from bot.core.flow_sinks import REDIS_BUFFERS, ExtraSinks, _unnamed, file_sinks
from bot.core.flow_uses import may_drop, used_sinks
from bot.core.model import FileFacts, Flow, Hop, ImportRef, Service

MAX_DEPTH = 4
MAX_VISIT = 120
MAX_SINKS = 4
PER_ENTRY = 3  # import walks added for kinds of sink the calls don't reach
MAX_PER_ENTRY = 6  # flows from one entry function: one per distinct sink it reaches
MAX_NAMES = 8  # names of one `from x import a, b` tried as submodules

Resolve = Callable[[str, str, ImportRef], "str | None"]
Step = tuple[str, int, str, tuple[str, ...]]  # target file, import line, spec, names
_BARREL_LANGUAGES = frozenset({"javascript", "typescript"})
_CALLED_ONLY = tuple(f"({mechanism})" for mechanism in sorted(REDIS_BUFFERS))


class _ImportWalker:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        lines: Mapping[str, list[tuple[int, Service]]],
        extra: ExtraSinks | None,
        paired: Mapping[tuple[str, int], tuple[str, str]],
        graph: CallGraph | None = None,
        hosts: Mapping[str, str] | None = None,
        routes: Mapping[tuple[str, int], str] | None = None,
    ) -> None:
        self.paired = paired
        self.hosts = hosts
        self.routes = routes or {}  # (path, line) -> the route registered there
        self.graph = graph
        self.facts = facts
        self.resolve = resolve
        self.lines = lines
        self.extra = extra
        self._sinks: dict[str, list[Sink]] = {}
        self._next: dict[str, list[Step]] = {}
        self._development: dict[str, bool] = {}
        self._steps: dict[tuple[str, bool, bool], list[Step]] = {}
        self._node_sinks: dict[tuple[str, str], list[tuple[str, Sink]]] = {}
        self._barrel: dict[str, bool] = {}
        self.reached = 0  # functions the last call walk reached
        self.weight: dict[Flow, int] = {}  # a handler's flows: how much the handler does

    def steps(self, path: str, development: bool, worker: bool) -> list[Step]:
        """The imports a walk may follow from `path`, once per kind of walk: a product flow
        does not enter development tools, and a request's flow does not enter modules that
        only define job bodies (they run in the worker, not in the request)."""
        key = (path, development, worker)
        found = self._steps.get(key)
        if found is None:
            found = self._steps[key] = [
                step
                for step in self.imports(path)
                if (development or not self.is_development(step[0]))
                and (worker or not self.runs_in_worker(step[0]))
            ]
        return found

    def is_development(self, path: str) -> bool:
        """`is_development`, once per file: every flow's walk asks it of each import."""
        known = self._development.get(path)
        if known is None:
            known = self._development[path] = is_development(path)
        return known

    def sinks(self, path: str) -> list[Sink]:
        if path not in self._sinks:
            found = file_sinks(
                path, self.facts[path], self.lines, self.extra, self.paired, self.hosts
            )
            f = self.facts[path]
            if self.graph is not None and may_drop(f, found):
                # A library named at an import line is a sink only where the file calls it
                # (the calls are read only for a file that has such a sink).
                found = used_sinks(f, self.graph.calls(path), found)
            self._sinks[path] = found
        return self._sinks[path]

    def runs_in_worker(self, path: str) -> bool:
        """Whether `path` only defines job bodies (it enqueues nothing a request could)."""
        roles = {h.role for h in self.facts[path].handoffs} & {"produce", "consume"}
        return roles == {"consume"}

    def is_barrel(self, path: str) -> bool:
        """A JavaScript/TypeScript file that only re-exports (`services/index.js`)."""
        known = self._barrel.get(path)
        if known is None:
            f = self.facts[path]
            known = self._barrel[path] = (
                f.language in _BARREL_LANGUAGES
                and bool(f.imports)
                and all(ref.kind == "export" for ref in f.imports)
            )
        return known

    def imports(self, path: str) -> list[Step]:
        """(target file, import line, spec, names) for the file's same-repository imports."""
        if path not in self._next:
            f = self.facts[path]
            out = []
            seen = set()
            for ref in f.imports:
                for sub in _submodules(f.language, ref):
                    target = self.resolve(path, f.language, sub)
                    if target and target != path and target in self.facts and target not in seen:
                        seen.add(target)
                        out.append((target, _line(sub), _spec(sub), sub.names))
            self._next[path] = out
        return self._next[path]

    def may_enter(self, target: str, rank: str, kind: str) -> bool:
        """As `steps`: a product flow stays out of development tools, a request's flow out
        of modules that only define job bodies."""
        return (rank == "development" or not self.is_development(target)) and (
            kind in _WORKERS or not self.runs_in_worker(target)
        )

    def import_flows(
        self, start: str, name: str, kind: str, line: int | None
    ) -> list[tuple[str, Flow]]:
        """Up to `PER_ENTRY` flows from `start` through imports."""
        rank = "development" if is_development(start) else _RANK_OF_KIND.get(kind, "cli")
        parent: dict[str, tuple[str, int, str] | None] = {start: None}
        depth = {start: 0}
        # The names a file was imported for, when it is a barrel: only those parts are walked.
        wanted: dict[str, frozenset[str]] = {}
        queue = deque([start])
        reached: list[tuple[int, int, str, Sink]] = []
        while queue and len(parent) < MAX_VISIT:
            path = queue.popleft()
            enqueues = False
            for sink in self.sinks(path):
                if sink.kind == "queue" and kind in _WORKERS and path == start:
                    continue  # a worker's own module putting work back: not where it goes
                if path != start and sink.what.endswith(_CALLED_ONLY):
                    continue  # reached by a call to its function only
                enqueues |= sink.kind == "queue"
                reached.append((_priority(kind, priority_kind(sink)), depth[path], path, sink))
            if depth[path] >= MAX_DEPTH or (enqueues and kind not in _WORKERS):
                # A request's synchronous part ends where it hands work to a queue: what
                # the enqueuing module imports beyond that runs in the worker.
                continue
            barrel = self.is_barrel(path)
            names = wanted.get(path) if barrel else None
            for target, at, spec, given in self.steps(
                path, rank == "development", kind in _WORKERS
            ):
                if target in parent or (names and given and names.isdisjoint(given)):
                    continue
                parent[target] = (path, at, spec)
                # A barrel only forwards: passing through it is not a step deeper.
                depth[target] = depth[path] + (0 if barrel else 1)
                if barrel and not given and names:
                    wanted[target] = names  # `export *`: the names go on to the next file
                elif not barrel and given and self.is_barrel(target):
                    wanted[target] = frozenset(given)
                queue.append(target)
        reached.sort(key=lambda r: (r[0], r[1], r[2], r[3].line or 0, _unnamed(r[3]), r[3].what))
        out: list[tuple[str, Flow]] = []
        kinds: set[str] = set()
        for _, _, path, sink in reached:
            if sink.kind in kinds:
                continue  # one flow per kind of sink: the nearest queue, store, service
            kinds.add(sink.kind)
            chain: list[Hop] = []
            node = path
            while (step := parent[node]) is not None:
                prev, at, spec = step
                chain.append(Hop(prev, at, f"imports {spec}"))
                node = prev
            chain.reverse()
            hops = (Hop(start, line, f"{kind} entry point"), *chain)
            also: list[Hop] = []
            for other in self.sinks(path):
                if other.name != sink.name and all(a.what != other.what for a in also):
                    also.append(Hop(path, other.line, other.what))
            sinks = (Hop(path, sink.line, sink.what), *also[: MAX_SINKS - 1])
            out.append((sink.kind, Flow(f"{name} → {sink.name}", kind, rank, hops, sinks)))
            if len(out) >= PER_ENTRY:
                break
        return out


def _submodules(language: str, ref: ImportRef) -> list[ImportRef]:
    """`from app import billing` imports `app/billing.py` too, not only `app/__init__.py`."""
    out = [ref]
    if language == "python" and ref.names:
        base = ref.spec + "." if ref.spec else ""
        out += [
            ImportRef(base + name, ref.name_line(i), ref.level, (), ref.kind)
            for i, name in enumerate(ref.names[:MAX_NAMES])
            if name != "*"
        ]
    return out


def _line(ref: ImportRef) -> int:
    """The line to cite for a hop through `ref`: the first name's, when `_spec` says the
    hop by that name (`from . import (` then `tasks,` on the next line)."""
    if ref.level and ref.names and ref.name_lines and not ref.spec:
        return ref.name_lines[0]
    return ref.line


def _spec(ref: ImportRef) -> str:
    """The import as a reader would say it: `.tasks`, `..models.Doc`, `NotifyJob`."""
    spec = "." * ref.level + ref.spec
    if ref.level and ref.names and (not ref.spec or spec.endswith(".")):
        spec = spec.rstrip(".") + "." + ref.names[0] if ref.spec else spec + ref.names[0]
    return spec or (ref.names[0] if ref.names else "?")
