"""Ranking flows for a reader: ranks, sink priority, the order and the dedup of flows.

Ranks order flows: ``deployed`` (workers, consumers, schedulers), ``public`` (HTTP and
webhooks), ``cli``, and ``development`` (benchmarks, scripts, sandboxes, demos, examples),
which the doc folds into one line. `rank_flows` sorts a repository's flows, keeps one per
entry point and sink, puts one flow to each sink first (no file's third before another
file's first), and caps each rank (`RANK_CAPS`; the public cap grows with the sinks its
flows reach): the flows past a cap follow, not featured.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from bot.core.call_sites import IN_PROCESS_BUSES, Sink
from bot.core.model import Flow
from bot.core.store_ops import is_store_call

# Deployed: the workers and, with periodic receivers and task registries found as schedules,
# a clock's flows too (at 24, pretalx's nine scheduled flows pushed out its mail worker's).
RANK_CAPS = {"public": 16, "deployed": 32, "cli": 6, "development": 6}
MAX_PUBLIC = 24  # the public cap grows with the distinct sinks public flows reach, to this
# Commands grow the same way, less far: a Django project has dozens of management commands,
# and the one that imports a data dump, the one that syncs from an upstream API and the one
# that exports to a bucket each reach a sink of their own.
MAX_CLI = 10
QUEUE_SINKS_FIRST = 8  # distinct jobs a rank's flows are shown enqueueing before other sinks
ROOM = 8  # public flows past one per sink: other entry files to the same sinks
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
_WORKERS = frozenset({"worker", "consumer", "scheduler"})


def is_development(path: str) -> bool:
    parts = path.split("/")
    stem = parts[-1].rpartition(".")[0] or parts[-1]
    # Near the top only: `apps/api/src/app/endpoints/benchmarks/` is a product feature.
    return any(p in DEVELOPMENT for p in parts[:-1][:2]) or stem in DEVELOPMENT


def rank_flows(
    flows: list[Flow],
    weight: Mapping[Flow, int],
    origin: Mapping[str, str],
    late: Collection[Flow] = (),
) -> tuple[Flow, ...]:
    """`flows` in a reader's order, one of each (entry point, last hop, sink), at most
    `RANK_CAPS` of each rank. `weight`: how much a route handler's flow does; `origin`: the
    entry point a start file's flows are for; `late`: flows from starts the code did not
    declare (an interface's implementations), after the others of their rank."""
    # Among requests, the handlers that change something and do the most come first (a
    # subscription that fetches, parses and stores before a page that reads one row).
    flows.sort(
        key=lambda fl: (
            RANKS.index(fl.rank),
            fl in late,
            not _has_queue(fl),
            -weight.get(fl, 0),
            _imports_only(fl),
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
    # workers and commands. Every sink a rank reaches is kept before a second flow to one
    # sink, so the public cap grows with the sinks (to `MAX_PUBLIC`); what the deployment
    # runs keeps its flows (to its cap, as many as the public flows at most).
    # The flows past the caps follow, in the same order, marked not featured: the doc tells
    # the selection, `facts --json` keeps every flow traced.
    out: list[Flow] = []
    past: list[Flow] = []
    for rank, cap in RANK_CAPS.items():
        ordered = [f for f in (*leading, *again) if f.rank == rank]
        mine = _diverse([f for f in ordered if f not in late])
        mine += _diverse([f for f in ordered if f in late])
        if rank == "public":
            cap = min(MAX_PUBLIC, max(cap, len({_sink_of(f) for f in mine}) + ROOM))
        elif rank == "cli":
            cap = min(MAX_CLI, max(cap, len({_sink_of(f) for f in mine})))
        out += mine[:cap]
        past += [replace(f, featured=False) for f in mine[cap:]]
    return (*out, *past)


def _sink_of(flow: Flow) -> str:
    """The sink a flow is named for (`… → notification-queue`)."""
    return flow.name.rpartition(" → ")[2]


def _diverse(flows: list[Flow]) -> list[Flow]:
    """`flows` (in order) with one flow to each sink first, then one from each entry file
    (the one to its rarest sink), then the rest: a hundred handlers storing rows leave room
    for the one that mails. A file's further flows to a sink of their own wait behind the
    other files' first flows (its second keeps its place when it alone reaches that sink).
    The flow standing for a sink is the one whose sink line fewest flows share: a settings
    module every handler reaches configures SMTP, the mailer that one route calls sends it."""
    # A Rails app's model queries are in nearly every handler: they come after the flows
    # to a rarer sink (a job, a mailer, an API), not before them.
    routine = [f for f in flows if _routine(f)]
    # A publish on an in-process event bus (`priority_kind`): its listeners' flows show where the
    # data lands; it follows the flows of each entry file to a store or a service.
    published = [f for f in flows if not _routine(f) and _published(f)]
    flows = [f for f in flows if not _routine(f) and not _published(f)]
    sink_of = {id(f): _sink_of(f) for f in flows}
    count: dict[str, int] = {}
    sites: dict[tuple[str, int | None], int] = {}
    for f in flows:
        count[sink_of[id(f)]] = count.get(sink_of[id(f)], 0) + 1
        site = (f.sinks[0].path, f.sinks[0].line)
        sites[site] = sites.get(site, 0) + 1
    best: dict[str, tuple[bool, bool, int, int, Flow]] = {}
    for i, f in enumerate(flows):
        shared = sites[(f.sinks[0].path, f.sinks[0].line)]
        key = (not _named_for(f, sink_of[id(f)]), _imports_only(f), shared, i, f)
        old = best.get(sink_of[id(f)])
        if old is None or key[:4] < old[:4]:
            best[sink_of[id(f)]] = key
    # Truncated by the cap, the first flows to each sink spread over the entry files: a
    # file that calls twenty APIs does not crowd out the one that signs users up.
    first = [k[-1] for k in sorted(best.values(), key=lambda k: k[3])]
    order = {id(f): i for i, f in enumerate(first)}
    seen_file: dict[str, int] = {}
    turn: dict[int, int] = {}
    for f in first:
        turn[id(f)] = seen_file.get(f.hops[0].path, 0)
        seen_file[f.hops[0].path] = turn[id(f)] + 1
    # A job layer of dozens of named jobs is as many `enqueues x` sinks: past the first
    # few, they wait behind the other sinks (a bucket, a payment API) the cap would drop.
    queued = 0
    extra: dict[int, bool] = {}
    for f in sorted(first, key=lambda f: (turn[id(f)], order[id(f)])):
        queued += f.sinks[0].what.startswith("enqueues")
        extra[id(f)] = f.sinks[0].what.startswith("enqueues") and queued > QUEUE_SINKS_FIRST
    first.sort(key=lambda f: (extra[id(f)], turn[id(f)], order[id(f)]))
    taken = {id(f) for f in first}
    files = {f.hops[0].path for f in first}
    # Past one per sink, flows that land where few others do (the mailer) before those to a
    # line every handler reaches (the settings module).
    share = {id(f): sites[(f.sinks[0].path, f.sinks[0].line)] for f in flows}
    by_file: dict[str, list[tuple[int, int, int, Flow]]] = {}
    for i, f in enumerate(flows):
        if id(f) not in taken and f.hops[0].path not in files:
            # How common its landing is: flows to that sink, times flows to that very line.
            landing = (share[id(f)] * count[sink_of[id(f)]], share[id(f)], i, f)
            by_file.setdefault(f.hops[0].path, []).append(landing)
    second = sorted((min(c, key=lambda x: x[:3]) for c in by_file.values()), key=lambda x: x[1:3])
    taken |= {id(k[3]) for k in second}
    rest = sorted(
        ((share[id(f)], i, f) for i, f in enumerate(flows) if id(f) not in taken),
        key=lambda x: x[:2],
    )
    # A Rails controller whose flows all end at an Active Record query still has one before
    # a second flow of another file: the API that stores what it is sent is not crowded out
    # by the admin pages' many lookups. (Elsewhere a store call is often the one flow of a
    # handler whose other flows the walk did not reach: those keep their place.)
    shown = files | {k[3].hops[0].path for k in second}
    lone: list[Flow] = []
    for f in routine:
        if f.sinks[0].path.endswith(".rb") and f.hops[0].path not in shown:
            shown.add(f.hops[0].path)
            lone.append(f)
    routine = [f for f in routine if not any(f is x for x in lone)]
    # One flow of each entry file before a third of any: a handler file that reaches five
    # services does not push out the file that stores what a user posts. A file's second
    # flow keeps its place only when no other flow reaches its sink (nothing else shows it).
    waits = [
        f for f in first if turn[id(f)] > 1 or (turn[id(f)] == 1 and count[sink_of[id(f)]] > 1)
    ]
    waiting = {id(f) for f in waits}
    first = [f for f in first if id(f) not in waiting]
    return (
        first
        + [k[3] for k in second]
        + waits
        + lone
        + published
        + [f for _, _, f in rest]
        + routine
    )


def _named_for(flow: Flow, sink: str) -> bool:
    """Whether the entry file is named for the service it reaches (`webhooks/stripe.ts` →
    Stripe): the route that service calls, or the one made for it, stands for it."""
    parts = flow.hops[0].path.lower().split("/")
    stem = parts[-1].partition(".")[0]
    if stem == "index" and len(parts) > 1:
        stem = parts[-2]  # `webhooks/stripe/index.ts`
    word = sink.partition(" ")[0].lower()
    return len(stem) > 2 and stem == word


def _routine(flow: Flow) -> bool:
    """A flow that ends at an Active Record query (`queries PostgreSQL (Post.save)`), a
    Sequelize model's (`Document.findByPk`) or another library's (`flow_stores`: `queries
    MongoDB (Mongoose User.findById)`): as common in a Node app's handlers."""
    if _has_queue(flow):
        return False  # it also hands work on: more than a lookup
    sink = flow.sinks[0]
    if " database (Sequelize " in sink.what or is_store_call(sink.what):
        return True
    return sink.path.endswith(".rb") and sink.what.startswith("queries ")


def _imports_only(flow: Flow) -> bool:
    """A flow whose steps are only imports (a module that could reach the sink) comes after
    one that follows a handler's calls to it (one that does), however many hops that takes."""
    return len(flow.hops) > 1 and all(h.what.startswith("imports ") for h in flow.hops[1:])


def _published(flow: Flow) -> bool:
    """Whether the flow ends at a publish on an in-process event bus."""
    return flow.sinks[0].what.endswith(_IN_PROCESS_SUFFIXES)


def _has_queue(flow: Flow) -> bool:
    """Whether the flow hands work to a queue (a publish on an in-process bus is no queue:
    `priority_kind`)."""
    return any(
        s.what.startswith("enqueues") and not s.what.endswith(_IN_PROCESS_SUFFIXES)
        for s in flow.sinks
    )


def _rank_index(kind: str) -> int:
    return RANKS.index(_RANK_OF_KIND.get(kind, "cli"))


def _priority(entry_kind: str, sink_kind: str) -> int:
    """Which sink a flow's chain is drawn to: what a reader most needs for that entry."""
    if entry_kind in ("http", "webhook", "cli"):
        order = ("queue", "datastore", "external", EVENT)
    else:
        order = ("external", "datastore", "queue", EVENT)
    return order.index(sink_kind) if sink_kind in order else len(order)


EVENT = "event"
_IN_PROCESS_SUFFIXES = tuple(f"({m})" for m in sorted(IN_PROCESS_BUSES))


def priority_kind(sink: Sink) -> str:
    """A sink's kind for `_priority`: a publish to an in-process event bus (listeners of the
    same process, `call_sites.IN_PROCESS_BUSES`) comes after where the data is stored or
    sent; its listeners' own flows show where it lands."""
    if sink.kind == "queue" and sink.what.endswith(_IN_PROCESS_SUFFIXES):
        return EVENT
    return sink.kind
