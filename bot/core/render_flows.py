"""Markdown for how data moves: the container view and the named flows (High-level Flow), the
hand-offs and schedules (Internal Movement).

Pure, like `render`: grounded facts in (every path already checked against the snapshot by
`render`'s grounding), markdown out, the same bytes for the same facts. Repository text goes
through `render.text`/`render.detail` in prose and tables and `mermaid.escape_label` in
diagrams; paths are cited with `render.cite`. Diagrams stay within `MAX_CONTAINER_NODES`
nodes and `MAX_PARTICIPANTS` participants, with slug ids.
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace

from bot.core.analysis.handoffs_go_events import WATERMILL_GOCHANNEL
from bot.core.flow_sinks import DATASTORE_KINDS
from bot.core.mermaid import category_label, escape_label, kind_label, slug
from bot.core.model import Entrypoint, Evidence, Flow, Handoff, Hop, RepoFacts, Schedule, Service

MAX_CONTAINER_NODES = 25
MAX_FLOWS_SHOWN = 8  # numbered entries (an entry point's flows are one)
MAX_BRANCHES = 3  # sinks one entry shows, each from where its chain leaves the first
MAX_SEQUENCES = 2
MAX_PARTICIPANTS = 8
MAX_PUBLIC_NODES = 6
GROUP_AT = 3  # entry points drawn alike that share one node
QUEUE_RUNNERS = ("worker", "sidekiq", "celery", "rq", "job", "queue", "huey", "resque", "dramatiq")
# Broadcasts to browsers are delivered by the process that holds their sockets (a Rails app's
# cable server mounted in the web process, or its own `cable` process), not the job worker.
BROWSER_PUSH = frozenset({"actioncable", "turbo-streams", "socket.io"})
PUSH_SERVERS = ("cable", "anycable", "socket", "websocket", "websockets", "ws", "realtime")
MAX_PROCESS_NODES = 5
MAX_QUEUE_NODES = 4
MAX_STORE_NODES = 5
MAX_EXTERNAL_NODES = 5
MAX_HANDOFF_ROWS = 30
MAX_SCHEDULE_ROWS = 30
# Hand-offs inside one process (`handoffs_inproc`): no queue node between processes.
IN_PROCESS = frozenset(
    {"thread-pool", "in-process-queue", "worker-thread", "as-notifications", "thread-job"}
    | {"in-process-pubsub", "in-memory-buffer", "go-channel", WATERMILL_GOCHANNEL}
)
DATASTORE_CATEGORIES = DATASTORE_KINDS

FLOWS_LEAD = "How a request or a job moves, hop by hop (each hop cites the line that does it):"
NO_FLOWS = (
    "Named flows: none traced (no entry point reaches a queue, datastore or external system)."
)
DEV_FOLDED = (
    "Development tools, benchmarks and test helpers (not part of the running product,"
    " {files}): {names}."
)
MORE_FLOWS = "…and {count} more flows (run `docs-refresh facts --json` for all of them)."
HANDOFFS_LEAD = (
    "Async hand-offs: work put on a queue in one place and taken off in another, paired by name."
)
NO_HANDOFFS = "Async hand-offs: none detected (searched: Celery, RQ, huey, Dramatiq, Django-Q,"
NO_HANDOFFS += (
    " Sidekiq, ActiveJob, ActionMailer, Bull/BullMQ, kafkajs, amqplib, Redis pub/sub, Go channels)."
)
NO_SCHEDULES = (
    "Scheduled work: none detected (searched: cron files, Celery beat, recurring-job YAML,"
)
NO_SCHEDULES += (
    " Kubernetes CronJob, GitHub Actions schedules that run the code, whenever, @Cron,"
    " robfig/cron, tickers, polling loops)."
)
NO_CONSUMER = "no consumer found"
NO_PRODUCER = "no producer found"

Text = Callable[[str], str]
Cite = Callable[[Evidence], str]


# --- High-level Flow ----------------------------------------------------------------


def container_diagram(facts: RepoFacts) -> str:
    """The running system as a Mermaid flowchart, trust boundaries as subgraphs. Drawn from
    the featured flows: the ones past the caps are for `facts --json`."""
    facts = replace(facts, flows=tuple(f for f in facts.flows if f.featured))
    nodes: dict[str, str] = {}  # id -> label
    groups: dict[str, list[str]] = {"internet": [], "internal": [], "third": []}
    edges: set[tuple[str, str]] = set()

    def add(group: str, node_id: str, label: str) -> str:
        if node_id not in nodes:
            nodes[node_id] = label
            groups[group].append(node_id)
        return node_id

    deploy_files = {ev.path for item in facts.deployment for ev in item.evidence}
    # A deployed process may carry the code file it runs (`node src/index.js`, merged into
    # one entry point): it is drawn as the process, and flows from that file start there.
    processes = _one_per_program(
        [e for e in facts.entrypoints if any(ev.path in deploy_files for ev in e.evidence)]
    )
    public = [
        e
        for e in facts.entrypoints
        if e.kind in ("http", "webhook") and _in_code(e) and e not in processes
    ]
    public = [e for e in public if not any(_dev(ev.path) for ev in e.evidence)]
    for e in processes[:MAX_PROCESS_NODES]:
        add("internal", f"proc_{slug(e.name)}", f"{e.name} ({kind_label(e.kind)})")
    entry_of: dict[str, str] = {}
    # A file can hold several entry points (a health check and the webhook receiver): a flow
    # starts at the one whose line it cites, the file is the fallback.
    entry_at: dict[tuple[str, int | None], str] = {}
    # Entry points that start a drawn flow first; the rest share one node, so a Rails app's
    # sixty controllers do not crowd out the two that enqueue work.
    flowing = {h.path for f in facts.flows if f.rank != "development" for h in _entry_hops(f)}
    drawn = _public_nodes(public)
    drawn.sort(key=lambda n: (not any(ev.path in flowing for e in n[1] for ev in e.evidence), n[0]))
    for label, entries in drawn[: MAX_PUBLIC_NODES - 1] if len(drawn) > MAX_PUBLIC_NODES else drawn:
        node = add("internet", f"ep_{slug(label)}", label)
        for e in entries:
            for ev in e.evidence:
                entry_of.setdefault(ev.path, node)
                entry_at.setdefault((ev.path, ev.line), node)
    for e in processes[:MAX_PROCESS_NODES]:
        for ev in e.evidence:
            if _code_path(ev.path):
                entry_of.setdefault(ev.path, f"proc_{slug(e.name)}")
    rest = (
        [e for _, n in drawn[MAX_PUBLIC_NODES - 1 :] for e in n]
        if len(drawn) > MAX_PUBLIC_NODES
        else []
    )
    if rest:
        node = add("internet", "ep_other", f"{plural(len(rest), 'other HTTP entry point')}")
        for e in rest:
            for ev in e.evidence:
                entry_of.setdefault(ev.path, node)
                entry_at.setdefault((ev.path, ev.line), node)
    # A thread pool hands work on inside one process: not a queue between processes.
    queues = sorted({h.mechanism for h in facts.handoffs} - IN_PROCESS)[:MAX_QUEUE_NODES]
    for mech in queues:
        count = sum(1 for h in facts.handoffs if h.mechanism == mech)
        label = mech if mech.endswith("queue") else f"{mech} queue"  # not "queue queue"
        add("internal", f"q_{slug(mech)}", f"{label} ({plural(count, 'hand-off')})")
    # The stores and systems the drawn flows reach come first, then the most cited.
    reached = {
        node
        for flow in facts.flows
        if flow.rank != "development"
        for sink in (*flow.sinks, *flow.alternatives)
        for node in _sink_nodes(sink, facts)
    }
    for s in _drawn(facts.datastores, "ds_", reached)[:MAX_STORE_NODES]:
        add("internal", f"ds_{slug(s.name)}", s.name)
    # Queue libraries are drawn as the queues above; the rest are outside systems.
    externals = _drawn((s for s in facts.integrations if s.category != "queue"), "ext_", reached)
    shown = MAX_EXTERNAL_NODES if len(externals) <= MAX_EXTERNAL_NODES else MAX_EXTERNAL_NODES - 1
    for s in externals[:shown]:
        add("third", f"ext_{slug(s.name)}", f"{s.name} ({category_label(s.category)})")
    if len(externals) > shown:
        add("third", "ext_other", plural(len(externals) - shown, "other external system"))
    # The worker that drains the queues is the one named for it (`worker`, `sidekiq`, `celery
    # worker`), not a metrics exporter that happens to come first.
    workers = sorted(
        (e for e in processes if e.kind == "worker"),
        key=lambda e: not any(w in f"{e.name} {e.detail}".lower() for w in QUEUE_RUNNERS),
    )
    worker = f"proc_{slug(workers[0].name)}" if workers else None
    if worker is None and len(processes) == 1:
        # The deployment runs one process: what drains the queues runs in it (a Go binary's
        # goroutines, a Node server's job scheduler); a "workers" node would invent a process.
        worker = f"proc_{slug(processes[0].name)}"
    if worker is None and any(h.consumers for h in facts.handoffs):
        # No process file names the worker (s6 scripts, a Helm chart): the job handlers are.
        handlers = sum(1 for h in facts.handoffs if h.consumers)
        worker = add("internal", "proc_workers", f"queue consumers ({plural(handlers, 'handler')})")
    # A process whose command names the flow's file (`manage.py sendalerts`, `-m app.worker`)
    # is where that flow runs.
    by_command = {e.name: f"proc_{slug(e.name)}" for e in processes[:MAX_PROCESS_NODES]}
    for flow in facts.flows:
        if flow.rank == "development":
            continue
        first = flow.hops[0]
        start = None
        for hop in _entry_hops(flow):
            start = start or entry_at.get((hop.path, hop.line)) or entry_of.get(hop.path)
        module = first.path.rpartition(".")[0]
        ran = by_command.get(module.rpartition("/")[2]) or by_command.get(module.replace("/", "."))
        if start is None and ran is not None:
            start = ran
        if start is None and flow.entry in ("worker", "consumer", "scheduler") and worker:
            start = worker if worker in nodes else None
        if start is None:
            continue
        for sink in (*flow.sinks, *flow.alternatives):
            for target in _sink_nodes(sink, facts):
                if target in nodes:
                    edges.add((start, target))
    web = [f"proc_{slug(e.name)}" for e in processes if e.kind == "http"]
    pushers = [
        f"proc_{slug(e.name)}"
        for e in processes
        if any(w in _words(f"{e.name} {e.detail}") for w in PUSH_SERVERS)
    ]
    for mech in queues:
        drain = worker
        if mech in BROWSER_PUSH:
            drain = next(iter(pushers), _serving(processes) or worker)
        if drain and drain in nodes:
            edges.add((f"q_{slug(mech)}", drain))
    served: set[tuple[str, str]] = set()
    if len(web) == 1 and web[0] in nodes:
        # A file's second entry point (the webhook beside the health check) has a node of
        # its own, found by line: it is served too.
        entry_nodes = set(entry_of.values()) | set(entry_at.values())
        served = {(node, web[0]) for node in entry_nodes if node != web[0]}
    if not nodes:
        return ""
    lines = ["```mermaid", "flowchart LR"]
    titles = {
        "internet": "Internet-facing",
        "internal": "Internal (deployed processes, queues, datastores)",
        "third": "Third party",
    }
    for group in ("internet", "internal", "third"):
        if groups[group]:
            lines.append(f'  subgraph {group}["{titles[group]}"]')
            lines += [f'    {n}["{escape_label(nodes[n])}"]' for n in groups[group]]
            lines.append("  end")
    lines += [f"  {a} --> {b}" for a, b in sorted(_grouped(edges, groups["internet"]))]
    if served and {a for a, _ in served} >= set(groups["internet"]):
        # Every internet-facing entry is served by the one web process: one edge from the
        # group says it without a dotted line per entry.
        lines.append(f'  internet -.->|"served by"| {web[0]}')
    else:
        lines += [f'  {a} -.->|"served by"| {b}' for a, b in sorted(served)]
    lines.append("```")
    return "\n".join(lines)


def _grouped(edges: set[tuple[str, str]], internet: list[str]) -> set[tuple[str, str]]:
    """A target every internet-facing node reaches gets one edge from the group instead of
    one per node (memos: 6 handlers x 3 database drivers were 18 lines of the picture)."""
    if len(internet) < 2:
        return edges
    members = set(internet)
    out: set[tuple[str, str]] = set()
    for target in {b for _, b in edges}:
        sources = {a for a, b in edges if b == target}
        if sources >= members:
            out.add(("internet", target))
            sources -= members
        out.update((a, target) for a in sources)
    return out


def plural(count: int, word: str) -> str:
    return f"{count} {word if count == 1 else word + 's'}"


def _drawn(services: Iterable[Service], prefix: str, reached: set[str]) -> list[Service]:
    rank = {"used": 0, "configured": 1, "declared": 2}
    return sorted(
        services,
        key=lambda s: (
            f"{prefix}{slug(s.name)}" not in reached,
            rank.get(s.strength, 9),
            -len(s.evidence),
            s.name,
        ),
    )


# The ORM reaches whichever relational database the settings choose: a flow that "queries
# the database" is drawn to each SQL datastore the repository configures.
_SQL = ("postgres", "mysql", "mariadb", "sqlite", "sql server", "oracle", "cockroach")


def _sink_nodes(sink: Hop, facts: RepoFacts) -> tuple[str, ...]:
    if sink.what.startswith("queries "):
        # `queries the PostgreSQL database (…)`, `queries MongoDB (…)`: the store it names.
        head = f" {sink.what.partition(' (')[0]} "
        named = [s for s in facts.datastores if f" {s.name} " in head]
        if named:
            return (f"ds_{slug(named[0].name)}",)
    if sink.what.startswith("queries the database"):
        return tuple(
            f"ds_{slug(s.name)}"
            for s in facts.datastores
            if any(word in s.name.casefold() for word in _SQL)
        )
    node = _sink_node(sink, facts)
    return (node,) if node else ()


def _sink_node(sink: Hop, facts: RepoFacts) -> str | None:
    what = sink.what
    if what.startswith("enqueues "):
        name = what.split()[1]
        mech = next((h.mechanism for h in facts.handoffs if h.name == name), None)
        return f"q_{slug(mech)}" if mech else None
    if what.startswith("uses "):
        name = what[len("uses ") :]
        if any(s.name == name for s in facts.datastores):
            return f"ds_{slug(name)}"
        return f"ext_{slug(name)}"
    if what.startswith("sends "):
        # `sends an HTTP request to api.github.com (httpx)`: the integration that names the
        # host (the catalog's hosts, or an unknown host's own row); else no edge.
        dest = what.rpartition(" (")[0].rpartition(" to ")[2] if " to " in what else ""
        for s in facts.integrations:
            if dest and (dest in s.hosts or dest == s.name):
                return f"ext_{slug(s.name)}"
    return None


def _in_code(entry: Entrypoint) -> bool:
    from bot.core.evidence import is_code

    return any(is_code(ev.path) for ev in entry.evidence)


def _code_path(path: str) -> bool:
    from bot.core.evidence import is_code

    return is_code(path)


def _dev(path: str) -> bool:
    from bot.core.flows import is_development

    return is_development(path)


def _one_per_program(processes: list[Entrypoint]) -> list[Entrypoint]:
    """A binary deployed two ways (a Dockerfile's entrypoint and a systemd unit running
    `/usr/local/bin/app`) is one program: drawn once, as the process that serves HTTP."""
    seen: dict[str, Entrypoint] = {}
    out: list[Entrypoint] = []
    for e in sorted(processes, key=lambda e: e.kind != "http"):
        words = e.detail.split()
        program = words[0].rpartition("/")[2] if len(words) == 1 else ""
        if program and program in seen:
            continue
        if program:
            seen[program] = e
        out.append(e)
    return sorted(out, key=processes.index)


def _public_nodes(public: Sequence[Entrypoint]) -> list[tuple[str, list[Entrypoint]]]:
    """One node per entry point, except that entry points of one kind drawn alike (a Rails
    app's controllers, a GraphQL server's resolver files) share one node from `GROUP_AT` on,
    labelled with their common folder: the view shows where requests enter, not each file."""
    alike: dict[tuple[str, str], list[Entrypoint]] = {}
    for e in public:
        head = _entry_label(e).split(" (", 1)[0].removesuffix("s")  # "Rails controllers" too
        alike.setdefault((e.kind, head), []).append(e)
    nodes: list[tuple[str, list[Entrypoint]]] = []
    for (_kind, head), entries in alike.items():
        if len(entries) < GROUP_AT:
            nodes += [(_entry_label(e), [e]) for e in entries]
            continue
        paths = sorted({e.evidence[0].path for e in entries if e.evidence})
        if len(paths) <= 1:
            nodes.append((f"{head} ({paths[0] if paths else 'several'})", entries))
            continue
        folder = posixpath.commonpath(paths)
        where = f"{len(paths)} files under {folder}/" if folder else f"{len(paths)} files"
        nodes.append((f"{head}s ({where})", entries))
    return nodes


def _entry_label(entry: Entrypoint) -> str:
    """One route is drawn by its path; a server of several by its name, since its first
    route (`/api/authenticate`) would stand for the others that carry the flows."""
    routes = entry.detail.split(",") if entry.detail else []
    first = routes[0].strip() if routes else ""
    where = entry.evidence[0].path if entry.evidence else ""
    if first.startswith("/") and len(routes) == 1 and "(+" not in first:
        return f"{kind_label(entry.kind)} {first} ({where})"
    return entry.name


def flow_list(
    flows: Sequence[Flow], text: Text, cite: Cite, entrypoints: Sequence[Entrypoint] = ()
) -> str:
    """The named flows as numbered hop chains; development tools (their flows and their
    entry points) folded into one line."""
    shown = [f for f in flows if f.rank != "development" and f.featured]
    traced = sum(1 for f in flows if f.rank != "development")
    dev = [f for f in flows if f.rank == "development" and f.featured]
    dev_paths = {f.hops[0].path for f in dev}
    dev_paths |= {ev.path for e in entrypoints for ev in e.evidence if _dev(ev.path)}
    if not shown and not dev_paths:
        return NO_FLOWS
    parts = []
    if shown:
        rows = [FLOWS_LEAD, ""]
        groups = _groups(shown)
        picked = _pick([g[0] for g in groups], MAX_FLOWS_SHOWN)
        by_first = {id(g[0]): g for g in groups}
        told = 0
        for number, first in enumerate(picked, 1):
            group = by_first[id(first)]
            told += min(len(group), MAX_BRANCHES)
            rows.append(_item(number, group, text, cite))
        if traced > told:
            rows += ["", MORE_FLOWS.format(count=traced - told)]
        parts.append("\n".join(rows))
    if not shown:
        parts.append(NO_FLOWS)
    if dev_paths:
        names = sorted({_dev_root(p).rstrip("/") for p in dev_paths})
        parts.append(
            DEV_FOLDED.format(
                files=plural(len(dev_paths), "entry file"),
                names=", ".join(f"`{n}`" for n in names),
            )
        )
    return "\n\n".join(parts)


def _groups(flows: Sequence[Flow]) -> list[list[Flow]]:
    """The flows of one entry point (one handler reaching two queues and a store) as one
    group, in the order their first flow comes."""
    out: dict[tuple[str, str, str, int | None], list[Flow]] = {}
    for f in flows:
        key = (f.name.rpartition(" → ")[0], f.rank, f.hops[0].path, f.hops[0].line)
        out.setdefault(key, []).append(f)
    return list(out.values())


def _item(number: int, group: Sequence[Flow], text: Text, cite: Cite) -> str:
    """One numbered entry: the first flow's chain, then each other sink from where its chain
    leaves the first one (at most `MAX_BRANCHES` sinks, the rest counted)."""
    first = group[0]
    if len(group) == 1:
        return f"{number}. **{text(first.name)}** ({text(first.rank)}): {_chain(first, text, cite)}"
    entry = first.name.rpartition(" → ")[0]
    shown = group[:MAX_BRANCHES]
    sinks = ", ".join(f.name.rpartition(" → ")[2] for f in shown)
    if len(group) > len(shown):
        sinks += f" and {len(group) - len(shown)} more"
    out = f"{number}. **{text(entry)} → {text(sinks)}** ({text(first.rank)}): "
    out += _chain(first, text, cite, also=False)
    for f in shown[1:]:
        common = 0
        for a, b in zip(first.hops, f.hops, strict=False):
            if a != b:
                break
            common += 1
        rest = [*f.hops[common:], *f.sinks[:1]]
        out += "; and " + " → ".join(
            f"{cite(Evidence(h.path, h.line))} {text(h.what)}" for h in rest
        )
    return out


def _pick(flows: Sequence[Flow], limit: int) -> list[Flow]:
    """The first `limit` flows, in their order, with the first of each rank among them: a
    service with many workers still shows its command-line flow."""
    firsts = {
        id(next(f for f in flows if f.rank == r)) for r in dict.fromkeys(f.rank for f in flows)
    }
    room = limit - len(firsts)
    picked = []
    for f in flows:
        if id(f) in firsts:
            picked.append(f)
        elif room > 0:
            picked.append(f)
            room -= 1
    return picked[:limit]


def _dev_root(path: str) -> str:
    """The development folder a path is under (`bench/`, `bot/sandbox/`), or the path."""
    from bot.core.flows import DEVELOPMENT

    parts = path.split("/")
    for i, part in enumerate(parts[:-1][:2]):
        if part in DEVELOPMENT:
            return "/".join(parts[: i + 1]) + "/"
    return path


def _chain(flow: Flow, text: Text, cite: Cite, also: bool = True) -> str:
    steps = [f"{cite(Evidence(h.path, h.line))} {text(h.what)}" for h in flow.hops]
    steps += [f"{cite(Evidence(s.path, s.line))} {text(s.what)}" for s in flow.sinks[:1]]
    out = " → ".join(steps)
    others = flow.sinks[1:] if also else ()
    if others:
        out += "; same file also " + ", ".join(
            f"{text(s.what)} ({cite(Evidence(s.path, s.line))})" for s in others
        )
    if flow.alternatives:
        out += "; or, through another implementation of that call, " + ", ".join(
            f"{text(s.what)} ({cite(Evidence(s.path, s.line))})" for s in flow.alternatives
        )
    return out


def sequence_diagrams(flows: Sequence[Flow]) -> list[str]:
    """A `sequenceDiagram` for the first flow of each rank that crosses files (production
    first, at most `MAX_SEQUENCES`), ≤ `MAX_PARTICIPANTS` participants."""
    out: list[str] = []
    ranks_done: set[str] = set()
    for flow in flows:
        if len(out) >= MAX_SEQUENCES:
            break
        if flow.rank == "development" or flow.rank in ranks_done or not flow.sinks:
            continue
        if not flow.featured:
            continue
        if len({h.path for h in (*flow.hops, *flow.sinks[:1])}) < 2:
            continue  # a flow inside one file says nothing a sequence would add
        diagram = _sequence(flow)
        if diagram:
            ranks_done.add(flow.rank)
            out.append(diagram)
    return out


_CALLERS = {"http": "Client", "webhook": "Sender", "cli": "User", "scheduler": "Clock"}


def _sequence(flow: Flow) -> str:
    sink = flow.sinks[0]
    files: list[str] = []
    for step in (*flow.hops, sink):
        if step.path not in files:
            files.append(step.path)
    caller = _CALLERS.get(flow.entry, "Queue")
    target = _sink_label(sink.what)
    if len(files) + 2 > MAX_PARTICIPANTS:
        return ""
    ids = {p: f"p_{slug(p)}" for p in files}
    lines = ["```mermaid", "sequenceDiagram"]
    lines.append(f"  participant caller as {_seq(caller)}")
    lines += [f"  participant {ids[p]} as {_seq(p)}" for p in files]
    lines.append(f"  participant sink as {_seq(target)}")
    first = flow.hops[0]
    lines.append(f"  caller->>{ids[first.path]}: {_seq(first.what)} ({_seq(_at(first))})")
    chain = [*flow.hops, sink]
    for step, after in itertools.pairwise(chain[1:]):
        # An import hop at `step` leads to the file of the step after it.
        lines.append(
            f"  {ids[step.path]}->>{ids[after.path]}: {_seq(step.what)} ({_seq(_at(step))})"
        )
    lines.append(f"  {ids[sink.path]}->>sink: {_seq(sink.what)} ({_seq(_at(sink))})")
    lines.append("```")
    return "\n".join(lines)


def _at(step: Hop) -> str:
    return f"{step.path}:{step.line}" if step.line is not None else step.path


def _sink_label(what: str) -> str:
    for verb in ("enqueues ", "uses ", "writes "):
        if what.startswith(verb):
            return what[len(verb) :].split(" (")[0].split(" via ")[0]
    return what


def _seq(value: str) -> str:
    """Text safe in a sequence diagram's message or alias (no statement or comment breaks)."""
    return escape_label(value).replace(";", "#59;").replace("%%", "#37;#37;")


# --- Internal Movement --------------------------------------------------------------


def handoffs_section(
    handoffs: Sequence[Handoff],
    schedules: Sequence[Schedule],
    text: Text,
    citations: Callable[[Sequence[Evidence]], str],
    table: Callable[..., str],
) -> str:
    if not handoffs:
        return NO_HANDOFFS
    scheduled = {s.name for s in schedules} | {s.target.rpartition(".")[2] for s in schedules}
    rows = []
    for h in sorted(
        handoffs, key=lambda h: (not (h.producers and h.consumers), h.mechanism, h.name)
    ):
        producers = (
            citations(h.producers)
            if h.producers
            else ("scheduled" if h.name in scheduled else NO_PRODUCER)
        )
        consumers = citations(h.consumers) if h.consumers else NO_CONSUMER
        rows.append([text(h.name), text(h.mechanism), producers, consumers])
    paired = sum(1 for h in handoffs if h.producers and h.consumers)
    lead = f"{HANDOFFS_LEAD} {paired} of {len(handoffs)} have both ends in this repository."
    return (
        lead
        + "\n\n"
        + table(["Hand-off", "Mechanism", "Producers", "Consumers"], rows, MAX_HANDOFF_ROWS)
    )


def schedules_section(
    schedules: Sequence[Schedule],
    text: Text,
    detail: Text,
    citations: Callable[[Sequence[Evidence]], str],
    table: Callable[..., str],
) -> str:
    if not schedules:
        return NO_SCHEDULES
    rows = [
        [
            text(s.name),
            detail(s.schedule),
            text(s.mechanism),
            detail(s.target),
            citations(s.evidence),
        ]
        for s in schedules
    ]
    lead = f"Scheduled work: {len(schedules)} entr{'y' if len(schedules) == 1 else 'ies'}."
    return (
        lead
        + "\n\n"
        + table(["Name", "Schedule", "Kind", "Runs", "Evidence"], rows, MAX_SCHEDULE_ROWS)
    )


def known_flows(flows: Iterable[Flow], has_file: Callable[[str], bool]) -> tuple[Flow, ...]:
    """Flows whose every hop and sink cites a file of the snapshot (the rest are not claimed)."""
    return tuple(f for f in flows if all(has_file(h.path) for h in (*f.hops, *f.sinks)))


def known_paths_only(
    items: Collection[Evidence], has_file: Callable[[str], bool]
) -> tuple[Evidence, ...]:
    return tuple(e for e in items if has_file(e.path))


def _entry_hops(flow: Flow) -> tuple[Hop, ...]:
    """Where a flow enters: its first hop, and for a route's handler the line that routes
    to it (the routes file is the entry point the container view draws)."""
    if len(flow.hops) > 1 and flow.hops[1].what.startswith("routes "):
        return flow.hops[:2]
    return flow.hops[:1]


def _words(text: str) -> set[str]:
    """The lower-case words of a process's name and command (`bundle exec anycable` → anycable)."""
    return set("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _serving(processes: Sequence[Entrypoint]) -> str | None:
    """The web process that serves the app: the only one, or the one called `web`, leaving
    out development ones (`app_dev`); None when that is not clear."""
    web = [
        e
        for e in processes
        if e.kind == "http" and not {"dev", "development", "test"} & _words(e.name)
    ]
    named = [e for e in web if "web" in _words(e.name)]
    chosen = web if len(web) == 1 else named if len(named) == 1 else []
    return f"proc_{slug(chosen[0].name)}" if chosen else None
