"""The flow walker's walks through calls: from an entry function (or a route's handler)
along resolved calls to the sinks its functions reach, one flow per kind of sink.

`_Walker` adds them to `flow_imports._ImportWalker`, whose walk through imports is taken
for the kinds of sink no call reaches.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.call_sites import Sink
from bot.core.flow_imports import (
    _BARREL_LANGUAGES,
    MAX_PER_ENTRY,
    MAX_SINKS,
    PER_ENTRY,
    _ImportWalker,
)
from bot.core.flow_rank import _RANK_OF_KIND, _WORKERS, _priority, is_development, priority_kind
from bot.core.flow_sinks import _at, _unnamed
from bot.core.model import Flow, Hop
from bot.core.route_handlers import RouteStart, class_view

CALL_DEPTH = 6  # a call chain is longer than an import chain: one hop per function
CALL_VISIT = 120  # functions one call walk may reach
MAX_ENTRY_LINES = 12  # functions of one entry file walked from, each on its own
MAX_SIDE = 2  # calls the entry function makes on its way (verify, parse) shown as hops
REACH_CAP, REACH_STEP = 48, 12  # a handler's walk size, in steps of importance


class _Walker(_ImportWalker):
    def flows(
        self,
        start: str,
        name: str,
        kind: str,
        at: tuple[int | None, ...],
        named: bool = False,
        avoid: frozenset[tuple[str, str]] = frozenset(),
    ) -> list[Flow]:
        """Up to `PER_ENTRY` flows from `start`, one per sink it reaches first (by what
        matters for its kind, then by distance): by calls first, from each function the
        entry point names (one flow per sink name then), by imports for the kinds of sink
        no call reaches."""
        line = at[0] if at else None
        by_calls: list[tuple[str, Flow]] = []
        if self.graph is not None and self.graph.calls(start) is not None:
            if len(at) == 1:
                by_calls = self.call_flows(start, name, kind, line, avoid=avoid)
                if avoid and not by_calls:
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
            # The lines that enqueue: the call there hands work on, it does not run it. The
            # function's other calls run now (it queues watchers, then stores the comment).
            enqueued: set[int | None] = set()
            for at_path, sink in self.node_sinks(path, scope):
                if sink.kind == "queue" and kind in _WORKERS and node == root:
                    continue  # as in `import_flows`
                if span is not None and node == root and not span[0] <= (sink.line or 0) < span[1]:
                    continue  # the app file's own database connection is not the route's
                if sink.kind == "queue" and at_path == path:
                    enqueued.add(sink.line)
                reached.append(
                    (_priority(kind, priority_kind(sink)), depth[node], node, at_path, sink)
                )
            if depth[node] >= CALL_DEPTH:
                continue
            steps = graph.steps(path, scope)
            if not steps and node == root and not scope:
                steps = graph.forwarded(path)  # a route file that re-exports its handler
            for target, qual, at, what in steps:
                nd = (target, qual)
                if nd in parent or at in enqueued or not self.may_enter(target, rank, kind):
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
        # So does a store's query (`queries the PostgreSQL database`) its driver's import.
        called = {
            r[4].name
            for r in reached
            if (r[4].kind == "external" and r[4].what.startswith("sends "))
            or (r[4].kind == "datastore" and r[4].what.startswith("queries "))
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
        # Every distinct sink the walk reaches (two queues, then the store), each by its
        # nearest chain, at most `MAX_PER_ENTRY`. A sink a flow of this entry already shows
        # adds none: its own name, the same call's other implementations, a line it cites
        # (`sends smtp` where `uses SMTP` stands), a name its node lists in that file.
        out: list[tuple[str, Flow]] = []
        shown: set[str] = set()
        sites: set[tuple[str, int | str | None]] = set()
        for r in reached:
            _, _, node, at_path, sink = r
            if len(out) >= MAX_PER_ENTRY:
                break
            if sink.name in shown or (at_path, sink.line) in sites or (at_path, sink.name) in sites:
                continue
            flow = self.call_flow(
                root, line, name, kind, rank, reached, parent, node, at_path, sink, called
            )
            # A name only among the node's other sinks (a settings module that configures
            # OpenAI) still gets its own flow where another file calls it.
            shown.update(
                n for n in (sink.name, *(n for n, _ in _alternatives(reached, parent, node, sink)))
            )
            sites.update((h.path, h.line) for h in (*flow.sinks, *flow.alternatives))
            sites.update((p, other.name) for p, other in self.node_sinks(*node))
            out.append((sink.kind, flow))
        return out

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
        view = class_view(self.graph, handler.path, handler.qual) if self.graph else None
        if view is not None:
            found = [("datastore", self.view_flow(handler, name, view))]
            self.reached = 1
        else:
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

    def view_flow(
        self, handler: RouteStart, name: str, view: tuple[str, int, int, str, int]
    ) -> Flow:
        """A class-based view that inherits the methods reading and writing its model
        (`ListView` with `model = Site`, a `ModelViewSet` with `queryset = Device.objects…`)
        reaches the database through the model its body names."""
        cls, line, _end, model, at = view
        rank = (
            "development"
            if is_development(handler.path)
            else _RANK_OF_KIND.get(handler.kind, "cli")
        )
        entry = Hop(handler.path, line, f"{handler.kind} entry point ({cls})")
        sink = Hop(handler.path, at, f"queries the database ({model} model, methods inherited)")
        return Flow(f"{name} → database (ORM)", handler.kind, rank, (entry,), (sink,))

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
        every method of the package uses; not another file's outbound calls)."""
        graph = self.graph
        assert graph is not None
        key = (path, scope)
        found = self._node_sinks.get(key)
        if found is None:
            found = [(path, s) for s in self.sinks(path) if graph.in_scope(path, scope, _at(s))]
            found += [(path, s) for s in graph.stores.named(graph.orm_sinks(path, scope))]
            for other in graph.package_files(path):
                if other != path and other in self.facts:
                    # A request written at package level in another file is in a function
                    # value (a table of checks) that runs when called, not for every function
                    # (an SDK the package imports is still every function's).
                    found += [
                        (other, s)
                        for s in self.sinks(other)
                        if not (s.kind == "external" and s.what.startswith("sends "))
                        and graph.in_scope(other, "-", _at(s))
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
