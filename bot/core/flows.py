"""Named flows: from an entry point, through same-repository imports, to where data lands.

`build_flows` starts at each entry point's code file (a routes file, a worker, a consumer, a
CLI) and at each file that defines a hand-off consumer (the worker side of a queue), walks
resolved imports breadth-first (at most `MAX_DEPTH` files deep, `MAX_VISIT` files per
flow) and stops at sinks. A sink is what `file_sinks` finds in a file: an enqueue (a
hand-off producer site), a datastore or integration the catalog matched at a line, and
whatever an `extra_sinks` function adds (outbound HTTP call sites, when the facts carry
them). Every hop cites the line that does it: the import line that leads to the next file,
the line that enqueues or calls the sink. Pure: facts in, flows out, sorted.

Ranks order flows for a reader: ``deployed`` (workers, consumers, schedulers), ``public``
(HTTP and webhooks), ``cli``, and ``development`` (benchmarks, scripts, sandboxes, demos,
examples), which the doc folds into one line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.evidence import is_code
from bot.core.model import (
    Entrypoint,
    FileFacts,
    Flow,
    Handoff,
    Hop,
    ImportRef,
    Schedule,
    Service,
)

MAX_DEPTH = 4
MAX_VISIT = 120
MAX_SINKS = 4
PER_ENTRY = 3  # flows drawn from one entry point: one per kind of sink it reaches first
MAX_FLOWS = 40
MAX_NAMES = 8  # names of one `from x import a, b` tried as submodules
# The order a reader follows: a request comes in (routes, webhooks), a deployed process
# takes the work off a queue or a clock, a person runs a command; development tools last.
RANKS = ("public", "deployed", "cli", "development")
_RANK_OF_KIND = {
    "worker": "deployed",
    "consumer": "deployed",
    "scheduler": "deployed",
    "http": "public",
    "webhook": "public",
    "cli": "cli",
}
# Folder or file stems that mark development tools, not the running product.
DEVELOPMENT = frozenset(
    {
        "bench",
        "benchmark",
        "benchmarks",
        "scripts",
        "examples",
        "example",
        "tools",
        "dev",
        "demo",
        "sandbox",
        "docs",
        "fixtures",
        "testdata",
        "test",
        "tests",
        "spec",
        "e2e",
        "playground",
    }
)
# Which entry point names a file's flow when several point at it: a webhook route over the
# app object that holds it.
_START_ORDER = ("webhook", "consumer", "worker", "scheduler", "http", "cli")
_WORKERS = frozenset({"worker", "consumer", "scheduler"})
_CODE_LANGUAGES = frozenset({"python", "ruby", "javascript", "typescript", "go"})

Resolve = Callable[[str, str, ImportRef], "str | None"]
Step = tuple[str, int, str, tuple[str, ...]]  # target file, import line, spec, names
_BARREL_LANGUAGES = frozenset({"javascript", "typescript"})


@dataclass(frozen=True, slots=True)
class Sink:
    """Where data lands, seen at one line: `kind` is queue | datastore | external."""

    kind: str
    name: str
    line: int | None
    what: str


ExtraSinks = Callable[[str, FileFacts], Iterable[Sink]]


def is_development(path: str) -> bool:
    parts = path.split("/")
    stem = parts[-1].rpartition(".")[0] or parts[-1]
    # Near the top only: `apps/api/src/app/endpoints/benchmarks/` is a product feature.
    return any(p in DEVELOPMENT for p in parts[:-1][:2]) or stem in DEVELOPMENT


def service_lines(services: Iterable[Service]) -> dict[str, list[tuple[int, Service]]]:
    """Path → (line, service) for every code line a datastore or integration was seen at."""
    out: dict[str, list[tuple[int, Service]]] = {}
    for s in services:
        for ev in s.evidence:
            if ev.line is not None and is_code(ev.path):
                out.setdefault(ev.path, []).append((ev.line, s))
    return out


def file_sinks(
    path: str,
    f: FileFacts,
    services: Mapping[str, list[tuple[int, Service]]],
    extra: ExtraSinks | None = None,
    paired: Mapping[tuple[str, int], str] | None = None,
) -> list[Sink]:
    """The sinks one file shows, each at its line. `paired` names the hand-off a producer
    line was paired with (`self.runner.s(…)` enqueues `run_job`)."""
    out = []
    for h in f.handoffs:
        if h.role != "produce":
            continue
        name = (paired or {}).get((path, h.line), h.name)
        via = _via((h.name,)) if name != h.name else _via(h.aliases)
        mech = "celery" if h.mechanism == "signature" else h.mechanism
        out.append(Sink("queue", name, h.line, f"enqueues {name}{via} ({mech})"))
    writes = [x.line for x in f.signals if x.kind == "sink.files"]
    if writes:
        out.append(Sink("datastore", "local files", writes[0], "writes local files"))
    for line, s in services.get(path, ()):
        if s.category == "queue":
            continue  # the queue library itself: its enqueues are the hand-off sites
        kind = (
            "datastore" if s.category in ("datastore", "cache", "search", "storage") else "external"
        )
        out.append(Sink(kind, s.name, line, f"uses {s.name}"))
    if extra is not None:
        out.extend(extra(path, f))
    return out


def _via(aliases: Sequence[str]) -> str:
    """The name the line itself uses, when the queue's name is bound elsewhere."""
    return f" via {aliases[0]}" if aliases else ""


def build_flows(
    entrypoints: Sequence[Entrypoint],
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    handoffs: Sequence[Handoff],
    services: Sequence[Service],
    extra_sinks: ExtraSinks | None = None,
    skip: Callable[[str], bool] = lambda _: False,
    schedules: Sequence[Schedule] = (),
) -> tuple[Flow, ...]:
    """The flows of a repository, production first, at most `MAX_FLOWS`."""
    lines = service_lines(services)
    starts: dict[str, tuple[str, str, int | None]] = {}  # path -> (name, kind, line)
    for entry in entrypoints:
        for ev in entry.evidence:
            f = facts.get(ev.path)
            if f is None or f.language not in _CODE_LANGUAGES or skip(ev.path):
                continue
            name = _flow_name(entry, ev.path)
            old = starts.get(ev.path)
            if old is None or _START_ORDER.index(entry.kind) < _START_ORDER.index(old[1]):
                starts[ev.path] = (name, entry.kind, ev.line)
    for sched in schedules:
        for ev in sched.evidence:
            f = facts.get(ev.path)
            if ev.path not in starts and f is not None and f.language in _CODE_LANGUAGES:
                starts[ev.path] = (f"scheduled {sched.name} ({ev.path})", "scheduler", ev.line)
    for h in handoffs:
        for ev in h.consumers:
            if ev.path not in starts and ev.path in facts and not skip(ev.path):
                starts[ev.path] = (f"worker runs {h.name} ({ev.path})", "worker", ev.line)
    paired = {
        (ev.path, ev.line): h.name for h in handoffs for ev in h.producers if ev.line is not None
    }
    walker = _Walker(facts, resolve, lines, extra_sinks, paired)
    flows = []
    for path in sorted(starts):
        name, kind, line = starts[path]
        flows.extend(walker.flows(path, name, kind, line))
    flows.sort(key=lambda fl: (RANKS.index(fl.rank), not _has_queue(fl), len(fl.hops), fl.name))
    # Many entry files reaching the same sink by the same last hop (every urls.py of a
    # Django project importing the views that enqueue) are one flow: the shortest is kept.
    kept: dict[tuple[str, int | None, str, str], Flow] = {}
    for flow in flows:
        last = flow.sinks[0]
        key = (last.path, last.line, last.what, flow.rank)
        kept.setdefault(key, flow)
    return tuple(list(kept.values())[:MAX_FLOWS])


def _has_queue(flow: Flow) -> bool:
    return any(s.what.startswith("enqueues") for s in flow.sinks)


def _rank_index(kind: str) -> int:
    return RANKS.index(_RANK_OF_KIND.get(kind, "cli"))


def _flow_name(entry: Entrypoint, path: str) -> str:
    first = entry.detail.split(",")[0].strip() if entry.detail else ""
    if entry.kind in ("http", "webhook") and first.startswith("/"):
        return f"{first} ({path})"
    base = entry.name if path in entry.name else f"{entry.name} ({path})"
    return base


class _Walker:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        lines: Mapping[str, list[tuple[int, Service]]],
        extra: ExtraSinks | None,
        paired: Mapping[tuple[str, int], str],
    ) -> None:
        self.paired = paired
        self.facts = facts
        self.resolve = resolve
        self.lines = lines
        self.extra = extra
        self._sinks: dict[str, list[Sink]] = {}
        self._next: dict[str, list[Step]] = {}
        self._development: dict[str, bool] = {}
        self._steps: dict[tuple[str, bool, bool], list[Step]] = {}
        self._barrel: dict[str, bool] = {}

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
            self._sinks[path] = file_sinks(
                path, self.facts[path], self.lines, self.extra, self.paired
            )
        return self._sinks[path]

    def runs_in_worker(self, path: str) -> bool:
        """Whether `path` only defines job bodies (it enqueues nothing a request could)."""
        roles = {h.role for h in self.facts[path].handoffs}
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
                        out.append((target, ref.line, _spec(sub), sub.names))
            self._next[path] = out
        return self._next[path]

    def flows(self, start: str, name: str, kind: str, line: int | None) -> list[Flow]:
        """Up to `PER_ENTRY` flows from `start`, one per sink it reaches first (by what
        matters for its kind, then by distance)."""
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
                enqueues |= sink.kind == "queue"
                reached.append((_priority(kind, sink.kind), depth[path], path, sink))
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
        reached.sort(key=lambda r: (r[0], r[1], r[2], r[3].line or 0, r[3].what))
        out: list[Flow] = []
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
            out.append(Flow(f"{name} → {sink.name}", kind, rank, hops, sinks))
            if len(out) >= PER_ENTRY:
                break
        return out


def _submodules(language: str, ref: ImportRef) -> list[ImportRef]:
    """`from app import billing` imports `app/billing.py` too, not only `app/__init__.py`."""
    out = [ref]
    if language == "python" and ref.names:
        base = ref.spec + "." if ref.spec else ""
        out += [
            ImportRef(base + name, ref.line, ref.level, (), ref.kind)
            for name in ref.names[:MAX_NAMES]
            if name != "*"
        ]
    return out


def _spec(ref: ImportRef) -> str:
    """The import as a reader would say it: `.tasks`, `..models.Doc`, `NotifyJob`."""
    spec = "." * ref.level + ref.spec
    if ref.level and ref.names and (not ref.spec or spec.endswith(".")):
        spec = spec.rstrip(".") + "." + ref.names[0] if ref.spec else spec + ref.names[0]
    return spec or (ref.names[0] if ref.names else "?")


def _priority(entry_kind: str, sink_kind: str) -> int:
    """Which sink a flow's chain is drawn to: what a reader most needs for that entry."""
    if entry_kind in ("http", "webhook", "cli"):
        order = ("queue", "datastore", "external")
    else:
        order = ("external", "datastore", "queue")
    return order.index(sink_kind) if sink_kind in order else len(order)
