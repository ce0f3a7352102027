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
from dataclasses import replace

from bot.core.evidence import is_code
from bot.core.flow_calls import CallGraph, ReadCalls, Sink
from bot.core.flow_uses import may_drop, used_sinks
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
from bot.core.route_handlers import RouteStart, route_starts

MAX_DEPTH = 4
CALL_DEPTH = 6  # a call chain is longer than an import chain: one hop per function
CALL_VISIT = 120  # functions one call walk may reach
MAX_ENTRY_LINES = 12  # functions of one entry file walked from, each on its own
MAX_SIDE = 2  # calls the entry function makes on its way (verify, parse) shown as hops
MAX_VISIT = 120
MAX_SINKS = 4
PER_ENTRY = 3  # flows drawn from one entry point: one per kind of sink it reaches first
MAX_FLOWS = 40
REACH_CAP, REACH_STEP = 48, 12  # a handler's walk size, in steps of importance
MIN_COMMON = 4  # handlers that call one function before it is everyone's (`_common_calls`)
MAX_NAMES = 8  # names of one `from x import a, b` tried as submodules
RANK_CAPS = {"public": 16, "deployed": 12, "cli": 6, "development": 6}  # MAX_FLOWS in all
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
    hosts: Mapping[str, str] | None = None,
) -> list[Sink]:
    """The sinks one file shows, each at its line. `paired` names the hand-off a producer
    line was paired with (`self.runner.s(…)` enqueues `run_job`); `hosts` names the service
    an SDK client's host is (api.github.com → GitHub)."""
    out = []
    for h in f.handoffs:
        if h.role != "produce":
            continue
        name = (paired or {}).get((path, h.line), h.name)
        # Via what the line names: the queue's variable, else the site's own name.
        via = _via(h.aliases) if h.aliases else _via((h.name,)) if name != h.name else ""
        mech = "celery" if h.mechanism == "signature" else h.mechanism
        out.append(Sink("queue", name, h.line, f"enqueues {name}{via} ({mech})"))
    writes = [x.line for x in f.signals if x.kind == "sink.files"]
    if writes:
        out.append(Sink("datastore", "local files", writes[0], "writes local files"))
    called: list[Sink] = []
    for c in f.calls:
        # An outbound call the egress scan found: where the data leaves the process (a
        # "candidate", a call with a URL to a function that may send it, is not one yet).
        if c.kind == "candidate":
            continue
        client = c.client.removeprefix("wrapper:")
        if c.origin == "sdk":  # an SDK client's call: its service, by the catalog's host
            service = (hosts or {}).get(c.host, c.host)
            called.append(
                Sink("external", service, c.line, f"sends a request to {service} ({client})")
            )
            continue
        # A URL from a parameter or a row says nothing of where: the client names the sink.
        dest = c.host or (c.configured_by if c.origin in ("env", "setting", "constant") else "")
        how = "an HTTP request" if c.kind == "http" else c.kind
        what = f"sends {how} to {dest} ({client})" if dest else f"sends {how} ({client})"
        # A host the catalog knows is its service's sink (api.telegram.org is Telegram).
        called.append(Sink("external", (hosts or {}).get(dest, dest or client), c.line, what))
    # A service's line that is one of its calls is that call; where the file calls it, its
    # import is not where data leaves.
    through = {s.name for s in called}
    for line, s in services.get(path, ()):
        if s.category == "queue":
            continue  # the queue library itself: its enqueues are the hand-off sites
        if s.name in through:
            continue
        kind = (
            "datastore" if s.category in ("datastore", "cache", "search", "storage") else "external"
        )
        out.append(Sink(kind, s.name, line, f"uses {s.name}"))
    out.extend(called)
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
    read_calls: ReadCalls | None = None,
) -> tuple[Flow, ...]:
    """The flows of a repository, production first, at most `MAX_FLOWS`. With
    `read_calls` (a file's calls, parsed on demand), flows follow calls where they resolve
    and imports for the kinds of sink the calls don't reach."""
    lines = service_lines(services)
    # path -> (name, kind, lines): the entry point's lines in that file (several for a
    # module of Celery tasks, a service file of gRPC methods, a class of cron methods).
    starts: dict[str, tuple[str, str, tuple[int | None, ...]]] = {}
    origin: dict[str, str] = {}  # path -> the entry point it starts a flow for
    one_route: set[str] = set()
    for entry in entrypoints:
        by_path: dict[str, list[int | None]] = {}
        for ev in entry.evidence:
            by_path.setdefault(ev.path, []).append(ev.line)
        for path, found in by_path.items():
            f = facts.get(path)
            if f is None or f.language not in _CODE_LANGUAGES or skip(path):
                continue
            old = starts.get(path)
            if old is None or _START_ORDER.index(entry.kind) < _START_ORDER.index(old[1]):
                starts[path] = (_flow_name(entry, path), entry.kind, tuple(found))
                origin[path] = f"{entry.kind}:{entry.name}"
                if entry.detail.startswith("/") and "," not in entry.detail:
                    one_route.add(path)  # its flows are named by the route, not a function
                else:
                    one_route.discard(path)
    timed: dict[str, tuple[str, list[int | None]]] = {}
    for sched in schedules:
        for ev in sched.evidence:
            f = facts.get(ev.path)
            # A command that loops forever is a long-running process, not a one-off CLI.
            free = ev.path not in starts or (
                sched.mechanism == "loop" and starts[ev.path][1] == "cli"
            )
            if free and f is not None and f.language in _CODE_LANGUAGES:
                timed.setdefault(ev.path, (sched.name, []))[1].append(ev.line)
    for path, (first, found) in timed.items():
        starts[path] = (f"scheduled {first} ({path})", "scheduler", tuple(found))
    for h in handoffs:
        for ev in h.consumers:
            if ev.path not in starts and ev.path in facts and not skip(ev.path):
                starts[ev.path] = (f"worker runs {h.name} ({ev.path})", "worker", (ev.line,))
    paired = {
        (ev.path, ev.line): h.name for h in handoffs for ev in h.producers if ev.line is not None
    }
    graph = CallGraph(facts, resolve, read_calls, skip) if read_calls is not None else None
    hosts: dict[str, str] = {}
    for s in services:
        for host in s.hosts:
            hosts.setdefault(host, s.name)
    routes = _routes(entrypoints, facts)
    walker = _Walker(facts, resolve, lines, extra_sinks, paired, graph, hosts, routes)
    flows: list[Flow] = []
    if graph is not None:
        # Routes registered by reference start at their handlers. A function most handlers
        # call first (the current user's lookup) says nothing of any one route: a handler's
        # walk leaves it for last. The routes file's own walk (through its imports) goes
        # when its handlers gave flows and it only registers routes.
        handlers = route_starts(facts, graph, skip)
        common = _common_calls(walker, handlers)
        for handler in handlers:
            given = walker.handler_flows(handler, common)
            flows.extend(given)
            if given and handler.routes_path in starts and _only_routes(facts[handler.routes_path]):
                del starts[handler.routes_path]
    for path in sorted(starts):
        name, kind, lines_at = starts[path]
        flows.extend(walker.flows(path, name, kind, lines_at, path in one_route))
    # Among requests, the handlers that change something and do the most come first (a
    # subscription that fetches, parses and stores before a page that reads one row).
    weight = walker.weight
    flows.sort(
        key=lambda fl: (
            RANKS.index(fl.rank),
            not _has_queue(fl),
            -weight.get(fl, 0),
            len(fl.hops),
            fl.name,
        )
    )
    # The files of one entry point reaching the same sink by the same last hop (every
    # urls.py of a Django project importing the views that enqueue) are one flow. Distinct
    # entry points keep theirs (the user routes and the auth routes both store users), after
    # the flows that reach somewhere by a hop of their own. Flows that follow calls are one
    # per entry point when their last call is the same (every handler of a file that looks
    # up the current user the same way); route handlers are one flow when they end by the
    # same call, wherever that call is written.
    leading: list[Flow] = []
    again: list[Flow] = []
    taken: set[tuple[str, int | None, str, str, str, int | str | None]] = set()
    per_entry: set[tuple[str, tuple[str, int | None, str, str, str, int | str | None]]] = set()
    for flow in flows:
        last = flow.sinks[0]
        step = flow.hops[-1] if flow.hops[-1].what.startswith("calls ") else None
        key = (
            last.path,
            last.line,
            last.what,
            flow.rank,
            step.path if step and flow not in weight else "",
            (step.what if flow in weight else step.line) if step else None,
        )
        owner = origin.get(flow.hops[0].path, flow.hops[0].path)
        if (owner, key) in per_entry:
            continue
        per_entry.add((owner, key))
        (again if key in taken else leading).append(flow)
        taken.add(key)
    # At most so many of each rank: a web app's hundred handlers leave room for its
    # workers and commands.
    out: list[Flow] = []
    for rank, cap in RANK_CAPS.items():
        out += _diverse([f for f in (*leading, *again) if f.rank == rank])[:cap]
    return tuple(out)


def _routes(
    entrypoints: Sequence[Entrypoint], facts: Mapping[str, FileFacts]
) -> dict[tuple[str, int], str]:
    """(path, line) → the route a JS/TS routes file registers there, as its entry point
    gives it (with the prefix it is mounted under: `/v1/users/:id` for `.route("/:id")`)."""
    out: dict[tuple[str, int], str] = {}
    for entry in entrypoints:
        if entry.kind not in ("http", "webhook") or not entry.detail.startswith("/"):
            continue
        items = [d.removesuffix(" …") for d in entry.detail.split(", ")]
        for ev in entry.evidence:
            f = facts.get(ev.path)
            if f is None or f.language not in _BARREL_LANGUAGES or ev.line is None:
                continue
            # Line 0: the entry point's own name, for its lines that register no route.
            base = entry.name if ev.path in entry.name else f"{entry.name} ({ev.path})"
            out.setdefault((ev.path, 0), base)
            for sig in f.signals:
                if (
                    sig.line == ev.line
                    and sig.kind == f"entrypoint.{entry.kind}"
                    and sig.detail.startswith("/")
                ):
                    route = sig.detail.rstrip("/")
                    fits = [d for d in items if d.endswith(route)] if route else items
                    out[(ev.path, ev.line)] = min(fits, key=len) if fits else sig.detail
                    break
    return out


def _at(sink: Sink) -> int | None:
    """The line that decides which functions reach a sink: a library's import line for one
    cited where the file calls the library (the whole file, or Go package, uses it)."""
    return sink.reach if sink.reach is not None else sink.line


def _unnamed(sink: Sink) -> bool:
    """Of two sinks at one line, the service the catalog names (`uses SMTP`) names the flow,
    not the call's destination (`sends smtp to config.email.smtp`)."""
    return not sink.what.startswith("uses ")


def _diverse(flows: list[Flow]) -> list[Flow]:
    """`flows` (in order) with the first to each sink first, then one from each entry file
    (the one to its rarest sink), then the rest: a hundred handlers storing rows leave room
    for the one that mails."""
    sink_of = {id(f): f.name.rpartition(" → ")[2] for f in flows}
    count: dict[str, int] = {}
    for f in flows:
        count[sink_of[id(f)]] = count.get(sink_of[id(f)], 0) + 1
    first: list[Flow] = []
    seen: set[str] = set()
    for f in flows:
        if sink_of[id(f)] not in seen:
            seen.add(sink_of[id(f)])
            first.append(f)
    taken = {id(f) for f in first}
    files = {f.hops[0].path for f in first}
    by_file: dict[str, list[tuple[int, int, Flow]]] = {}
    for i, f in enumerate(flows):
        if id(f) not in taken and f.hops[0].path not in files:
            by_file.setdefault(f.hops[0].path, []).append((count[sink_of[id(f)]], i, f))
    second = sorted((min(c, key=lambda x: x[:2]) for c in by_file.values()), key=lambda x: x[1])
    taken |= {id(f) for _, _, f in second}
    return first + [f for _, _, f in second] + [f for f in flows if id(f) not in taken]


def _common_calls(walker: _Walker, handlers: Sequence[RouteStart]) -> frozenset[tuple[str, str]]:
    """Functions that at least a quarter of the handlers (and more than `MIN_COMMON`) call."""
    graph = walker.graph
    if graph is None or len(handlers) <= MIN_COMMON:
        return frozenset()
    counts: dict[tuple[str, str], int] = {}
    for h in handlers:
        for target in {(t, q) for t, q, _at, _what in graph.steps(h.path, h.qual)}:
            counts[target] = counts.get(target, 0) + 1
    least = max(MIN_COMMON, len(handlers) // 4)
    return frozenset(t for t, n in counts.items() if n >= least)


_ROUTE_ONLY = frozenset({"HTTP route", "Django route", "Django URLs", "route"})


def _only_routes(f: FileFacts) -> bool:
    """Whether a file's entry-point signals are all route registrations (no app, server)."""
    return all(s.name in _ROUTE_ONLY for s in f.signals if s.kind.startswith("entrypoint."))


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
                        out.append((target, ref.line, _spec(sub), sub.names))
            self._next[path] = out
        return self._next[path]

    def flows(
        self,
        start: str,
        name: str,
        kind: str,
        at: tuple[int | None, ...],
        named: bool = False,
    ) -> list[Flow]:
        """Up to `PER_ENTRY` flows from `start`, one per sink it reaches first (by what
        matters for its kind, then by distance): by calls first, from each function the
        entry point names (one flow per sink name then), by imports for the kinds of sink
        no call reaches."""
        line = at[0] if at else None
        by_calls: list[tuple[str, Flow]] = []
        if self.graph is not None and self.graph.calls(start) is not None:
            if len(at) == 1:
                by_calls = self.call_flows(start, name, kind, line)
            else:
                by_calls = self.several_flows(start, name, kind, at, named)
        kinds = {k for k, _ in by_calls}
        if len(kinds) < PER_ENTRY:
            more = self.import_flows(start, name, kind, line)
            by_calls += [(k, f) for k, f in more if k not in kinds]
        by_calls.sort(key=lambda kf: _priority(kind, kf[0]))
        return [f for _, f in by_calls[: PER_ENTRY * PER_ENTRY]]

    def several_flows(
        self, start: str, name: str, kind: str, at: tuple[int | None, ...], named: bool
    ) -> list[tuple[str, Flow]]:
        """Flows from each function an entry point names in one file (the tasks of a
        module, the methods of a gRPC service): the first to each sink, at most
        `PER_ENTRY` per kind of sink. Lines outside any function: one walk of the module."""
        found: dict[str, tuple[int, int, int, str, Flow]] = {}
        assert self.graph is not None
        lines = sorted({ln for ln in at if ln is not None})
        table = self.facts[start].language in _BARREL_LANGUAGES
        for i, ln in enumerate(at[:MAX_ENTRY_LINES]):
            # Named for its function: the entry point's name is the file's (its first route).
            scope = self.graph.scope_at(start, ln)
            title = f"{scope} ({start})" if scope and not named else name
            span = None
            if not scope and table and ln is not None:
                # A JS routes file registers at module level (`router.post("/x", ctrl.x)`):
                # each route is walked from the calls and handlers up to the next one.
                span = (ln, next((x for x in lines if x > ln), 1 << 30))
                # A line that registers no route (`const app = express()`) sets the app up.
                route = self.routes.get((start, ln))
                title = f"{route} ({start})" if route else self.routes.get((start, 0), name)
            for sink_kind, flow in self.call_flows(start, title, kind, ln, by_line=True, span=span):
                # The file's first function that reaches the sink (a service file's
                # create, a module's first task), not the shortest chain.
                key = (_priority(kind, sink_kind), i, len(flow.hops), sink_kind, flow)
                old = found.get(flow.sinks[0].what)
                if old is None or key[:3] < old[:3]:
                    found[flow.sinks[0].what] = key
        if not found:
            return self.call_flows(start, name, kind, at[0])
        out: list[tuple[str, Flow]] = []
        per_kind: dict[str, int] = {}
        for k in sorted(found.values(), key=lambda k: k[:3]):
            if per_kind.get(k[3], 0) < PER_ENTRY:
                per_kind[k[3]] = per_kind.get(k[3], 0) + 1
                out.append((k[3], k[4]))
        return out

    def call_flows(
        self,
        start: str,
        name: str,
        kind: str,
        line: int | None,
        by_line: bool = False,
        span: tuple[int, int] | None = None,
        avoid: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[tuple[str, Flow]]:
        """`import_flows` over functions: a hop is a call into another function. With
        `span`, a walk from module level takes only the calls on those lines first; the
        entry function's calls into `avoid` are not followed."""
        graph = self.graph
        assert graph is not None
        if graph.calls(start) is None:
            return []
        rank = "development" if is_development(start) else _RANK_OF_KIND.get(kind, "cli")
        scope = graph.scope_at(start, line)
        if by_line and not scope and span is None:
            return []  # one of several lines, outside any function: the others say more
        if not scope and kind in _WORKERS:
            scope = graph.job_method(start)  # a job class: its `perform` is where work starts
        root = (start, scope)
        parent: dict[tuple[str, str], tuple[tuple[str, str], int, str] | None] = {root: None}
        depth = {root: 0}
        queue = deque([root])
        reached: list[tuple[int, int, tuple[str, str], str, Sink]] = []
        while queue and len(parent) < CALL_VISIT:
            node = queue.popleft()
            path, scope = node
            enqueues = False
            for at_path, sink in self.node_sinks(path, scope):
                if sink.kind == "queue" and kind in _WORKERS and node == root:
                    continue  # as in `import_flows`
                if span is not None and node == root and not span[0] <= (sink.line or 0) < span[1]:
                    continue  # the app file's own database connection is not the route's
                enqueues |= sink.kind == "queue"
                reached.append((_priority(kind, sink.kind), depth[node], node, at_path, sink))
            if depth[node] >= CALL_DEPTH or (enqueues and kind not in _WORKERS):
                continue
            for target, qual, at, what in graph.steps(path, scope):
                nd = (target, qual)
                if nd in parent or not self.may_enter(target, rank, kind):
                    continue
                if span is not None and node == root and not span[0] <= at < span[1]:
                    continue
                if node == root and nd in avoid:
                    continue
                parent[nd] = (node, at, what)
                depth[nd] = depth[node] + 1
                queue.append(nd)
        # A walk that reaches a call to a service does not end at that service's import: the
        # call is where data leaves (an SDK's import line proves only that it is used).
        called = {
            r[4].name for r in reached if r[4].kind == "external" and r[4].what.startswith("sends ")
        }
        reached = [
            r for r in reached if not (r[4].name in called and r[4].what.startswith("uses "))
        ]
        # Ties go to the node found first: the walk is breadth-first in source order, so
        # that is the function's earliest call (`CreateMemo` before `ListAttachments`).
        self.reached = len(parent)
        order = {nd: i for i, nd in enumerate(parent)}
        reached.sort(
            key=lambda r: (r[0], r[1], order[r[2]], r[3], r[4].line or 0, _unnamed(r[4]), r[4].what)
        )
        out: list[tuple[str, Flow]] = []
        kinds: set[str] = set()
        taken: list[Sink] = []
        for _, _, node, at_path, sink in reached:
            if sink.kind in kinds:
                continue
            kinds.add(sink.kind)
            taken.append(sink)
            out.append(
                (
                    sink.kind,
                    self.call_flow(
                        root, line, name, kind, rank, reached, parent, node, at_path, sink, called
                    ),
                )
            )
            if len(out) >= PER_ENTRY:
                return out
        # Room left: the other services the entry calls (a webhook's handlers call GitHub
        # and an issue tracker), each by its nearest call, when no flow names it yet.
        shown = {
            s.name for r in reached if r[4] in taken for s in self.names(r, reached, parent, called)
        }
        for r in reached:
            _, _, node, at_path, sink = r
            if len(out) >= PER_ENTRY:
                break
            # A call whose destination is written (not an import, not a bare client).
            named = sink.what.startswith("sends ") and " to " in sink.what
            if sink.kind != "external" or not named or sink.name in shown:
                continue
            flow = self.call_flow(
                root, line, name, kind, rank, reached, parent, node, at_path, sink, called
            )
            shown.update(s.name for s in self.names(r, reached, parent, called))
            out.append((sink.kind, flow))
        return out

    def names(
        self,
        r: tuple[int, int, tuple[str, str], str, Sink],
        reached: Sequence[tuple[int, int, tuple[str, str], str, Sink]],
        parent: Mapping[tuple[str, str], tuple[tuple[str, str], int, str] | None],
        called: set[str],
    ) -> list[Sink]:
        """The sinks a flow to `r` names: its own, its node's others (as `call_flow` shows
        them), the alternatives."""
        alternatives = {n for n, _ in _alternatives(reached, parent, r[2], r[4])}
        others = [
            s
            for _, s in self.node_sinks(*r[2])
            if not (s.name in called and s.what.startswith("uses "))
        ]
        return [r[4], *others, *(s for _, _, _, _, s in reached if s.name in alternatives)]

    def call_flow(
        self,
        root: tuple[str, str],
        line: int | None,
        name: str,
        kind: str,
        rank: str,
        reached: Sequence[tuple[int, int, tuple[str, str], str, Sink]],
        parent: Mapping[tuple[str, str], tuple[tuple[str, str], int, str] | None],
        node: tuple[str, str],
        at_path: str,
        sink: Sink,
        called: set[str],
    ) -> Flow:
        """The flow from `root` to `sink`, seen in `node`: its chain of calls, the node's
        other sinks, and the same call's other implementations."""
        alternatives = _alternatives(reached, parent, node, sink)
        chain: list[Hop] = []
        at_node = node
        while (step := parent[at_node]) is not None:
            prev, at, what = step
            chain.append(Hop(prev[0], at, what))
            at_node = prev
        chain.reverse()
        first = chain[0].line if chain else sink.line
        side = self.side_hops(root, first)
        hops = (self.entry_hop(root, line, kind, first), *side, *chain)
        also: list[Hop] = []
        for other_path, other in self.node_sinks(*node):
            if other.name in called and other.what.startswith("uses "):
                continue  # the import of a service the walk calls
            if other.name != sink.name and all(a.what != other.what for a in also):
                also.append(Hop(other_path, other.line, other.what))
        sinks = (Hop(at_path, sink.line, sink.what), *also[: MAX_SINKS - 1])
        title = f"{name} → {sink.name}"
        if alternatives:
            title += " (or " + ", ".join(n for n, _ in alternatives) + ")"
        alt = tuple(hop for _, hop in alternatives)
        return Flow(title, kind, rank, hops, sinks, alt)

    def handler_flows(
        self, handler: RouteStart, common: frozenset[tuple[str, str]] = frozenset()
    ) -> list[Flow]:
        """The flows of one route's handler: from its `def`, through the line that routes
        to it, along its calls to where data lands (calls of its own first, then `common`)."""
        display = handler.display
        mounted = self.routes.get((handler.routes_path, handler.routes_line))
        if mounted and mounted.startswith("/"):  # with the prefix its router is mounted at
            display = f"{handler.method} {mounted}" if handler.method else mounted
        name = f"{display} ({handler.path})"
        found = self.call_flows(handler.path, name, handler.kind, handler.line, avoid=common)
        if common and not found:
            found = self.call_flows(handler.path, name, handler.kind, handler.line)
        routed = Hop(
            handler.routes_path,
            handler.routes_line,
            f"routes {display} to {handler.ref}",
        )
        out = [replace(f, hops=(f.hops[0], routed, *f.hops[1:])) for _, f in found]
        # How much the handler does: a write first, then the functions its walk reached.
        weight = 1 + 10 * handler.writes + min(self.reached, REACH_CAP) // REACH_STEP
        for f in out:
            self.weight[f] = weight
        return out

    def entry_hop(
        self, root: tuple[str, str], line: int | None, kind: str, first: int | None
    ) -> Hop:
        """The entry hop. A walk from the whole module (a Rails controller's class line, a
        file of tasks) cites the function its first step is in (the action's `def`)."""
        assert self.graph is not None
        start, scope = root
        if scope:
            return Hop(start, line, f"{kind} entry point ({scope})")
        fn = self.graph.function_at(start, first)
        if fn is not None and (line is None or not fn.first <= line <= fn.end):
            return Hop(start, fn.line, f"{kind} entry point ({fn.qual})")
        return Hop(start, line, f"{kind} entry point")

    def node_sinks(self, path: str, scope: str) -> list[tuple[str, Sink]]:
        """The sinks of one function: its own lines and the module-level ones of its file
        (and, in Go, of its package: `store/db/mysql/mysql.go` imports the driver that
        every method of the package uses)."""
        graph = self.graph
        assert graph is not None
        key = (path, scope)
        found = self._node_sinks.get(key)
        if found is None:
            found = [(path, s) for s in self.sinks(path) if graph.in_scope(path, scope, _at(s))]
            found += [(path, s) for s in graph.orm_sinks(path, scope)]
            for other in graph.package_files(path):
                if other != path and other in self.facts:
                    found += [
                        (other, s) for s in self.sinks(other) if graph.in_scope(other, "-", _at(s))
                    ]
            self._node_sinks[key] = found
        return found

    def side_hops(self, root: tuple[str, str], before: int | None) -> list[Hop]:
        """What the entry function calls in other modules before its chain goes on
        (a webhook verifies its signature, then queues): at most `MAX_SIDE` hops."""
        assert self.graph is not None
        if not root[1] or before is None:
            return []
        out: list[Hop] = []
        for target, _qual, at, what in self.graph.side_steps(*root):
            if at >= before or len(out) >= MAX_SIDE:
                break
            if not self.is_development(target):
                out.append(Hop(root[0], at, what))
        return out

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


def _alternatives(
    reached: Sequence[tuple[int, int, tuple[str, str], str, Sink]],
    parent: Mapping[tuple[str, str], tuple[tuple[str, str], int, str] | None],
    node: tuple[str, str],
    sink: Sink,
) -> list[tuple[str, Hop]]:
    """Sinks of the same kind reached by the same call through other implementations:
    nodes whose step from their caller is the chosen node's step (one call line resolved
    to several types), each landing somewhere else. At most `MAX_SINKS - 1`, by name."""
    step = parent.get(node)
    if step is None:
        return []
    out: dict[str, Hop] = {}
    for _, _, other, at_path, found in reached:
        if other == node or found.kind != sink.kind or found.name == sink.name:
            continue
        theirs = parent.get(other)
        if theirs is None or theirs[:2] != step[:2] or found.name in out:
            continue
        out[found.name] = Hop(at_path, found.line, found.what)
    return sorted(out.items())[: MAX_SINKS - 1]


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
