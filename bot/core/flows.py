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

Here: where flows start (entry points, schedules, hand-off consumers, route handlers). The
walker is `flow_walker` (through calls) over `flow_imports` (its state, through imports); a
file's sinks are `flow_sinks`; ranking and dedup are `flow_rank`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from bot.core.flow_calls import CallGraph, ReadCalls, ReadClasses
from bot.core.flow_dispatch import dispatched_methods
from bot.core.flow_imports import _BARREL_LANGUAGES, Resolve
from bot.core.flow_one_off import one_off_workers
from bot.core.flow_rank import DEVELOPMENT as DEVELOPMENT
from bot.core.flow_rank import is_development as is_development
from bot.core.flow_rank import rank_flows
from bot.core.flow_sinks import ExtraSinks, service_lines
from bot.core.flow_walker import _Walker
from bot.core.model import Entrypoint, FileFacts, Flow, Handoff, Hop, Schedule, Service
from bot.core.route_handlers import RouteStart, route_starts

MIN_COMMON = 4  # handlers that call one function before it is everyone's (`_common_calls`)
# Which entry point names a file's flow when several point at it: a webhook route over the
# app object that holds it.
_START_ORDER = ("webhook", "consumer", "worker", "scheduler", "http", "cli")
_CODE_LANGUAGES = frozenset({"python", "ruby", "javascript", "typescript", "go"})


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
    read_classes: ReadClasses | None = None,
) -> tuple[Flow, ...]:
    """The flows of a repository, production first, each rank capped (`flow_rank.RANK_CAPS`). With
    `read_calls` (a file's calls, parsed on demand), flows follow calls where they resolve
    and imports for the kinds of sink the calls don't reach. `read_classes` (names a Python
    file's class lines may define, `class_heads`) spares parsing the files that define
    none of the model classes a walk asks about."""
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
    graph = (
        CallGraph(facts, resolve, read_calls, skip, read_classes)
        if read_calls is not None
        else None
    )
    timed: dict[str, tuple[str, list[int | None]]] = {}
    commands = _command_files(facts, skip)
    for sched in schedules:
        for ev in sched.evidence:
            f = facts.get(ev.path)
            if f is None or f.language not in _CODE_LANGUAGES:
                # a crontab line running `manage.py send-digest`: that command's file
                ran = _scheduled_command(commands, sched)
                if ran is not None and ran[0] not in timed:
                    # the command's own entry lines (its class), now started by the clock
                    old = starts.pop(ran[0], None)
                    timed[ran[0]] = (ran[1], list(old[2]) if old is not None else [None])
                continue
            # A job named by a function (`{"func": refresh, "interval": 60}`): its flow
            # starts where the function is, not among the declarations.
            run = _scheduled_function(graph, ev.path, sched.name, f.language)
            ticks = _scheduled_js_function(graph, ev.path, sched.target, f.language)
            if ticks is not None and ticks[0] == ev.path and ev.path not in starts:
                # `addJob({ onTick: Jobs.prune })`: the flow runs what the clock calls
                timed.setdefault(ev.path, (sched.name, []))[1].extend((ev.line, ticks[1]))
                continue
            run = run or ticks
            if run is not None and run[0] not in starts and not skip(run[0]):
                timed.setdefault(run[0], (sched.name, []))[1].append(run[1])
                continue
            # A command that loops forever is a long-running process, not a one-off CLI.
            free = ev.path not in starts or (
                sched.mechanism == "loop" and starts[ev.path][1] == "cli"
            )
            if free:
                timed.setdefault(ev.path, (sched.name, []))[1].append(ev.line)
    for path, (first, found) in timed.items():
        starts[path] = (f"scheduled {first} ({path})", "scheduler", tuple(found))
    for h in handoffs:
        for ev in h.consumers:
            if ev.path not in starts and ev.path in facts and not skip(ev.path):
                starts[ev.path] = (f"worker runs {h.name} ({ev.path})", "worker", (ev.line,))
    paired = {
        (ev.path, ev.line): (h.name, h.mechanism)
        for h in handoffs
        for ev in h.producers
        if ev.line is not None
    }
    _name_backend(paired, facts)
    if graph is not None:
        graph.rails.name_stores([s.name for s in services])
        graph.stores.name_stores([s.name for s in services])
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
            # (A class view's flow says only that it reads its model: the routes file's
            # walk may reach more, through the views' own actions.)
            if (
                given
                and not handler.view
                and handler.routes_path in starts
                and _only_routes(facts[handler.routes_path])
            ):
                del starts[handler.routes_path]
    shared = _shared_calls(walker, starts, origin)
    for path in sorted(starts):
        name, kind, lines_at = starts[path]
        avoid = shared.get(origin.get(path, ""), frozenset())
        flows.extend(walker.flows(path, name, kind, lines_at, path in one_route, avoid))
    late = _dispatched_flows(walker, graph, facts, starts, skip) if graph is not None else []
    # A job only migrations enqueue runs from the release command, once: with the commands.
    once = one_off_workers(handoffs, schedules)
    if once:
        flows = [
            replace(f, rank="cli") if f.rank == "deployed" and f.hops[0].path in once else f
            for f in flows
        ]
    return rank_flows([*flows, *late], walker.weight, origin, frozenset(late))


def _dispatched_flows(
    walker: _Walker,
    graph: CallGraph,
    facts: Mapping[str, FileFacts],
    starts: Mapping[str, tuple[str, str, tuple[int | None, ...]]],
    skip: Callable[[str], bool],
) -> list[Flow]:
    """Flows from each implementation of a Go interface method called on an interface
    value (`flow_dispatch`), by calls only (a Go package's imports reach everything in
    it). Each is ranked as the entry point of a file that makes the call (a page's
    handler updating its widgets), else as a worker's."""
    go = [
        p
        for p, f in facts.items()
        if f.language == "go"
        and not p.endswith("_test.go")
        and not skip(p)
        and not is_development(p)
    ]
    out: list[Flow] = []
    for path, line, _iface, callers in dispatched_methods(go, graph.calls) if go else ():
        kinds = [starts[c][1] for c in callers if c in starts]
        kind = min(kinds, key=_START_ORDER.index) if kinds else "worker"
        scope = graph.scope_at(path, line)
        title = f"{scope} ({path})"
        # The call that dispatches here comes first, so the flow is read (and drawn) from
        # the entry point that makes it: the page handler, then the widget it updates.
        by = sorted(callers, key=lambda c: c not in starts)  # (stable: implementations last)
        call = _dispatching_call(graph, by, scope.rpartition(".")[2])
        for _kind, flow in walker.call_flows(path, title, kind, line):
            out.append(flow if call is None else replace(flow, hops=(call, *flow.hops)))
    return out


def _dispatching_call(graph: CallGraph, callers: Sequence[str], method: str) -> Hop | None:
    """The first call `x.method(…)` on a value in the first caller file that makes one."""
    for caller in callers:
        fc = graph.calls(caller)
        if fc is None:
            continue
        lines = [
            c
            for c in fc.calls
            if len(c.parts) > 1 and c.parts[-1] == method and c.made_by != c.parts[:-1]
        ]
        if lines:
            first = min(lines, key=lambda c: c.line)
            return Hop(caller, first.line, f"calls {'.'.join(first.parts)} on each implementation")
    return None


# Django finds a management command by its module's name under `management/commands/`.
_COMMANDS_DIR = "/management/commands/"
MAX_COMMAND_WORDS = 20


def _command_files(facts: Mapping[str, FileFacts], skip: Callable[[str], bool]) -> dict[str, str]:
    """Command name -> the Python file that defines it (`…/management/commands/<name>.py`)."""
    out: dict[str, str] = {}
    for path in sorted(facts):
        if _COMMANDS_DIR in path and path.endswith(".py") and not skip(path):
            stem = path.rsplit("/", 1)[1][:-3]
            if not stem.startswith("_"):
                out.setdefault(stem, path)
    return out


def _scheduled_command(commands: Mapping[str, str], sched: Schedule) -> tuple[str, str] | None:
    """(file, command) a schedule's command line names by a whole word, if any."""
    if not commands:
        return None
    for word in f"{sched.name} {sched.target}".split()[:MAX_COMMAND_WORDS]:
        word = word.rsplit("/", 1)[-1]
        found = commands.get(word)
        if found is not None:
            return found, word
    return None


def _scheduled_function(
    graph: CallGraph | None, path: str, name: str, language: str
) -> tuple[str, int] | None:
    """(file, `def` line) of the Python function a schedule in `path` names, when it is
    defined in another file (a schedule at its own `def` already starts there)."""
    if graph is None or language != "python" or not name.isidentifier():
        return None
    found = graph.py_function(path, name)
    return found if found is not None and found[0] != path else None


def _scheduled_js_function(
    graph: CallGraph | None, path: str, target: str, language: str
) -> tuple[str, int] | None:
    """(file, definition line) of the JS/TS function a schedule's target names (`Jobs.prune`,
    a reference the schedule is given), resolved as a route's handler is."""
    if graph is None or language not in ("javascript", "typescript") or not target:
        return None
    parts = tuple(target.split("."))
    if not all(p.isidentifier() for p in parts):
        return None
    hit = graph.js_reference(path, parts)
    fc = graph.calls(hit[0]) if hit is not None else None
    if hit is None or fc is None:
        return None
    return next(((hit[0], f.line) for f in fc.funcs if f.qual == hit[1]), None)


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


def _shared_calls(
    walker: _Walker,
    starts: Mapping[str, tuple[str, str, tuple[int | None, ...]]],
    origin: Mapping[str, str],
) -> dict[str, frozenset[tuple[str, str]]]:
    """Per entry point of many HTTP files (a folder of Next.js API routes), the functions a
    quarter of its files call (the current user's lookup): each file's walk leaves them for
    last, as a route handler's does (`_common_calls`)."""
    graph = walker.graph
    if graph is None:
        return {}
    files: dict[str, list[str]] = {}
    for path, (_name, kind, at) in starts.items():
        if kind == "http" and len(at) == 1 and at[0] is None and path in origin:
            files.setdefault(origin[path], []).append(path)
    out: dict[str, frozenset[tuple[str, str]]] = {}
    for entry, paths in files.items():
        if len(paths) <= MIN_COMMON:
            continue
        counts: dict[tuple[str, str], int] = {}
        for path in paths:
            if graph.calls(path) is None:
                continue
            for target in {(t, q) for t, q, _at, _what in graph.steps(path, "")}:
                counts[target] = counts.get(target, 0) + 1
        least = max(MIN_COMMON, len(paths) // 4)
        common = frozenset(t for t, n in counts.items() if n >= least)
        if common:
            out[entry] = common
    return out


_ROUTE_ONLY = frozenset({"HTTP route", "Django route", "Django URLs", "route"})


def _only_routes(f: FileFacts) -> bool:
    """Whether a file's entry-point signals are all route registrations (no app, server)."""
    return all(s.name in _ROUTE_ONLY for s in f.signals if s.kind.startswith("entrypoint."))


def _flow_name(entry: Entrypoint, path: str) -> str:
    first = entry.detail.split(",")[0].strip() if entry.detail else ""
    if entry.kind in ("http", "webhook") and first.startswith("/"):
        return f"{first} ({path})"
    base = entry.name if path in entry.name else f"{entry.name} ({path})"
    return base


# Where an ActiveJob job waits: the adapter the Rails config names
# (`config.active_job.queue_adapter = :delayed_job`), when every config file names the same.
_ADAPTER = ("config.rails", "active_job.queue_adapter")


def _name_backend(
    paired: dict[tuple[str, int], tuple[str, str]], facts: Mapping[str, FileFacts]
) -> None:
    """Each ActiveJob enqueue's mechanism with its backend (`activejob on delayed_job`), in
    place: the flow's sink then says where the job waits."""
    adapters = {s.detail for f in facts.values() for s in f.signals if (s.kind, s.name) == _ADAPTER}
    if len(adapters) != 1:
        return
    backend = f"activejob on {next(iter(adapters))}"
    for path, f in facts.items():
        for h in f.handoffs:
            if h.role == "produce" and h.mechanism == "activejob":
                paired.setdefault((path, h.line), (h.name, h.mechanism))
    for key, (name, mech) in paired.items():
        if mech == "activejob":
            paired[key] = (name, backend)
