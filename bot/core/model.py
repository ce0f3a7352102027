"""Value objects shared by analysis, rendering and the refresh engine.

Two layers of facts:

* `FileFacts` — what one file says, extracted from its bytes alone. Pure function of
  (extractor, blob SHA), so it is cached forever by SHA. Raw: import specifiers are not
  resolved here (resolution needs the whole snapshot).
* `RepoFacts` — the repository's facts, aggregated from every `FileFacts` plus the
  snapshot's path list. Every item carries evidence.

All containers are tuples sorted by a stable key, so equal inputs give equal bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

FACTS_VERSION = 1
SKIPPED_META = "skipped"


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    path: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line}


# --- per-file facts (cacheable by blob SHA) ---------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class ImportRef:
    """One import statement. `spec` is as written ("os.path", "./util", "github.com/x/y").

    `level` is Python's relative level (0 = absolute); `names` the imported names for
    `from x import a, b` (needed to resolve `from . import sub`). `name_lines` is the line
    of each name when a statement spans lines (`from . import (\n a,\n b)`), so a hop
    through `b` cites the line that names it; empty when every name is on `line`.
    """

    spec: str
    line: int
    level: int = 0
    names: tuple[str, ...] = ()
    kind: str = "import"  # import | require | require_relative | dynamic | export
    name_lines: tuple[int, ...] = ()

    def name_line(self, index: int) -> int:
        """The line that names `names[index]`."""
        return self.name_lines[index] if index < len(self.name_lines) else self.line


@dataclass(frozen=True, slots=True, order=True)
class EnvRead:
    name: str
    line: int


@dataclass(frozen=True, slots=True, order=True)
class Signal:
    """Something a file shows about the system, found at a line.

    `kind` is namespaced: ``entrypoint.http``, ``entrypoint.cli``, ``entrypoint.worker``,
    ``entrypoint.scheduler``, ``entrypoint.webhook``, ``entrypoint.consumer``,
    ``deployment.<platform>``, ``observability.<logging|metrics|tracing|errors|health>``,
    ``resilience.<retry|backoff|circuit-breaker|timeout>``, ``datastore.<...>``,
    ``config.<...>``. `name` is a short human label; `detail` optional extra text
    (a route path, a command line, an image name).
    """

    kind: str
    name: str
    line: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Dependency:
    """A package declared in a manifest. `name` is normalised for its ecosystem
    (PEP 503 for pypi, lowercase for npm/gem, module path for go)."""

    ecosystem: str  # pypi | npm | gem | go | docker
    name: str
    line: int | None = None
    group: str = "main"  # main | dev | test | optional:<x>


@dataclass(frozen=True, slots=True, order=True)
class HandoffSite:
    """One end of an async hand-off, in one file.

    `role` is ``produce`` (an enqueue, publish, send) or ``consume`` (a task definition, a
    worker class, a subscription); `mechanism` the library family (``celery``, ``rq``,
    ``huey``, ``sidekiq``, ``activejob``, ``bull``, ``kafka``…); `name` the job, queue, topic
    or channel as the code names it (a task's function name, a job's class name, a queue's
    string or constant); `aliases` other names a consumer answers to (a registered task
    name, the variable a wrapper is bound to), so both ends pair across files.
    """

    role: str
    mechanism: str
    name: str
    line: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class ScheduleSite:
    """Scheduled work declared in one file: `name` (the entry's key or the job), `schedule`
    as written (``every 2 minutes``, ``0 3 * * *``), `mechanism` (``cron``, ``celery-beat``,
    ``solid-queue``…) and `target` (the job or command it runs, when named)."""

    name: str
    schedule: str
    mechanism: str
    line: int
    target: str = ""


@dataclass(frozen=True, slots=True, order=True)
class OutboundCall:
    """A call in code that sends data out of the process (an HTTP request, a mail, an
    object-store put), found at a line. The sinks of flows and the rows of External
    Integrations are made from these.

    `kind` is ``http``, ``smtp`` (a mail handed to a server) or ``git`` (a clone or fetch
    from a remote; see `analysis.egress_other`); `client` the library
    or function that makes the call (``requests``, ``axios``, ``fetch``, ``net/http``, or a
    wrapper ``wrapper:<name>`` defined in the same file). The destination, as far as the
    file says: `host` a literal host (``api.telegram.org``, lowercase, no port), else
    `configured_by` the setting or environment variable that holds the URL
    (``SLACK_WEBHOOK_URL``, ``settings.WEBHOOK_URL``). `origin` says how the URL was found:
    ``literal`` (a literal, f-string or template with a literal host), ``constant`` (a
    name bound to one in the file), ``env``, ``setting``, ``user`` (taken from user data: a
    model field, a request, a row), ``response`` (read from what another request returned;
    `configured_by` is then the SDK package that returned it, or ""), ``parameter`` (a
    wrapper's own parameter), ``field`` (a value's field, `configured_by`, that a struct
    literal elsewhere may give a default URL), ``described`` (a request whose URL and
    method come from one object: an action button's, a webhook's), ``unknown``. Kinds
    besides ``http``: ``statsd`` (a StatsD client), ``socket`` (a raw TCP/UNIX socket),
    ``dns`` (a query to name servers, Ruby's `Resolv::DNS`), see
    `analysis.egress_sockets`, and
    ``inbound`` (a provider's webhook whose signature the app checks, `analysis.egress_inbound`).
    `timeout` is the timeout as written at the call (``"10"``, ``"timeout"``), "" when none.
    """

    kind: str
    line: int
    client: str
    host: str = ""
    configured_by: str = ""
    origin: str = "unknown"
    timeout: str = ""


@dataclass(frozen=True, slots=True)
class FileFacts:
    language: str  # python | javascript | typescript | ruby | go | manifest | config | other
    imports: tuple[ImportRef, ...] = ()
    env: tuple[EnvRead, ...] = ()
    signals: tuple[Signal, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    # e.g. Go's module path from go.mod, a package.json "name": metadata for resolution.
    # ("skipped", reason) when the file was not read (`skipped_facts`, `skip_reason`).
    meta: tuple[tuple[str, str], ...] = ()
    handoffs: tuple[HandoffSite, ...] = ()
    schedules: tuple[ScheduleSite, ...] = ()
    calls: tuple[OutboundCall, ...] = ()

    @property
    def skip_reason(self) -> str | None:
        """Why this file was not read (too deep, too large, unreadable), or None."""
        for key, value in self.meta:
            if key == SKIPPED_META:
                return value
        return None

    def to_json(self) -> dict[str, Any]:
        return dict(_plain(asdict(self)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        return cls(
            language=data["language"],
            imports=tuple(
                ImportRef(
                    i["spec"],
                    i["line"],
                    i["level"],
                    tuple(i["names"]),
                    i["kind"],
                    tuple(i.get("name_lines", ())),
                )
                for i in data["imports"]
            ),
            env=tuple(EnvRead(**e) for e in data["env"]),
            signals=tuple(Signal(**s) for s in data["signals"]),
            dependencies=tuple(Dependency(**d) for d in data["dependencies"]),
            meta=tuple((k, v) for k, v in data["meta"]),
            handoffs=tuple(
                HandoffSite(h["role"], h["mechanism"], h["name"], h["line"], tuple(h["aliases"]))
                for h in data.get("handoffs", ())
            ),
            schedules=tuple(ScheduleSite(**x) for x in data.get("schedules", ())),
            calls=tuple(OutboundCall(**c) for c in data.get("calls", ())),
        )

    def to_row(self) -> list[Any]:
        """The compact form the facts caches store: every field by position, JSON-able.

        `to_json` goes through `asdict` (a deep copy) and names every field of every item:
        ~30 µs and ~380 bytes per file, against ~4 µs and ~190 bytes for this. The order
        is this class's fields and theirs: change a field, change `from_row` with it.
        """
        return [
            self.language,
            # `name_lines` only when there are some: most rows keep five items.
            [
                (i.spec, i.line, i.level, i.names, i.kind, i.name_lines)
                if i.name_lines
                else (i.spec, i.line, i.level, i.names, i.kind)
                for i in self.imports
            ],
            [(e.name, e.line) for e in self.env],
            [(s.kind, s.name, s.line, s.detail) for s in self.signals],
            [(d.ecosystem, d.name, d.line, d.group) for d in self.dependencies],
            self.meta,
            [(h.role, h.mechanism, h.name, h.line, h.aliases) for h in self.handoffs],
            [(x.name, x.schedule, x.mechanism, x.line, x.target) for x in self.schedules],
            [
                (c.kind, c.line, c.client, c.host, c.configured_by, c.origin, c.timeout)
                for c in self.calls
            ],
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> FileFacts:
        """The facts of a `to_row` list; ValueError or TypeError when it has another shape."""
        language, imports, env, signals, dependencies, meta, handoffs, schedules, calls = row
        return cls(
            language,
            tuple(_import_from_row(*i) for i in imports),
            tuple(EnvRead(name, line) for name, line in env),
            tuple(Signal(kind, name, line, detail) for kind, name, line, detail in signals),
            tuple(Dependency(eco, name, line, group) for eco, name, line, group in dependencies),
            tuple((key, value) for key, value in meta),
            tuple(
                HandoffSite(role, mech, name, line, tuple(aliases))
                for role, mech, name, line, aliases in handoffs
            ),
            tuple(ScheduleSite(*x) for x in schedules),
            tuple(OutboundCall(*call) for call in calls),
        )


def _import_from_row(
    spec: str, line: int, level: int, names: list[str], kind: str, *rest: list[int]
) -> ImportRef:
    """An `ImportRef` of a row: five items, or six with the names' lines."""
    if len(rest) > 1:
        raise ValueError("an import row has five or six items")
    return ImportRef(spec, line, level, tuple(names), kind, tuple(rest[0]) if rest else ())


# --- repository facts -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entrypoint:
    name: str
    kind: str  # http | cli | worker | scheduler | webhook | consumer
    evidence: tuple[Evidence, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Module:
    name: str  # top-level folder (or monorepo package), e.g. "bot" or "packages/api"
    path: str
    files: int
    language: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # module name
    target: str  # module name
    count: int  # number of import statements
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Service:
    """A datastore or an external integration, matched through the catalog."""

    name: str  # canonical, e.g. "PostgreSQL", "Stripe"
    category: str  # datastore | queue | payments | email | ai | monitoring | ...
    strength: str  # declared | configured | used  (strongest seen)
    evidence: tuple[Evidence, ...]
    # From outbound calls (`FileFacts.calls`), where the code says: the hosts it calls, the
    # settings or env vars that hold its URL, the credentials it reads beside the call, and
    # the timeout set at the call.
    hosts: tuple[str, ...] = ()
    configured_by: tuple[str, ...] = ()
    auth: tuple[str, ...] = ()
    timeout: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    """A deployment, observability or resilience finding."""

    name: str
    kind: str
    evidence: tuple[Evidence, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Skipped:
    """A file an extractor takes but could not read, and why (issue 15: one file never
    sinks the run; the doc says how many were not read)."""

    path: str
    reason: str


def skipped_facts(language: str, reason: str) -> FileFacts:
    """The facts of a file that was not read: none, and the reason."""
    return FileFacts(language=language, meta=((SKIPPED_META, reason),))


@dataclass(frozen=True, slots=True)
class Handoff:
    """An async hand-off paired by name across files and processes: who puts work in
    (`producers`) and who takes it out (`consumers`); either may be empty, and the doc says
    so ("no consumer found")."""

    name: str
    mechanism: str
    producers: tuple[Evidence, ...]
    consumers: tuple[Evidence, ...]

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.producers + self.consumers


@dataclass(frozen=True, slots=True)
class Schedule:
    """Work that runs on a clock: `schedule` as written, `target` the job it runs."""

    name: str
    schedule: str
    mechanism: str
    evidence: tuple[Evidence, ...]
    target: str = ""


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a flow: the line that does it (`path`, `line`) and what it does there."""

    path: str
    line: int | None
    what: str


@dataclass(frozen=True, slots=True)
class Flow:
    """A named path of data from an entry point through cited hops to its sinks.

    `rank` orders flows for a reader: ``deployed`` (a process the deployment runs),
    ``public`` (routes), ``cli``, ``development`` (benchmarks, scripts, test tools: folded
    into one line). `sinks` name where the data ends up (a datastore, a queue, a service).
    """

    name: str
    entry: str  # the entry kind: http | webhook | worker | scheduler | consumer | cli
    rank: str
    hops: tuple[Hop, ...]
    sinks: tuple[Hop, ...]  # where it lands: the line and what lands there
    # The same call lands elsewhere through another implementation (a Go interface with a
    # MySQL, a PostgreSQL and a SQLite driver): which one runs is chosen by configuration.
    alternatives: tuple[Hop, ...] = ()
    # In the reader's selection (each rank's cap, `flow_rank`): drawn and told in the doc.
    # The flows past it are traced as carefully and stay in `facts --json`.
    featured: bool = True

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(
            Evidence(h.path, h.line) for h in (*self.hops, *self.sinks, *self.alternatives)
        )


@dataclass(frozen=True, slots=True)
class RepoFacts:
    source: str | None = None
    entrypoints: tuple[Entrypoint, ...] = ()
    modules: tuple[Module, ...] = ()
    edges: tuple[Edge, ...] = ()
    datastores: tuple[Service, ...] = ()
    integrations: tuple[Service, ...] = ()
    deployment: tuple[Item, ...] = ()
    observability: tuple[Item, ...] = ()
    resilience: tuple[Item, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    version: int = field(default=FACTS_VERSION)
    handoffs: tuple[Handoff, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    flows: tuple[Flow, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The documented `docs-refresh facts --json` shape."""
        out: dict[str, Any] = {"version": self.version, "source": self.source}
        for name in (
            "entrypoints",
            "modules",
            "edges",
            "datastores",
            "integrations",
            "deployment",
            "observability",
            "resilience",
            "handoffs",
            "schedules",
            "flows",
            "skipped",
        ):
            out[name] = [_plain(asdict(x)) for x in getattr(self, name)]
        return out


def facts_unchanged(
    before: Mapping[str, FileFacts],
    after: Mapping[str, FileFacts],
    paths: Iterable[str],
    part: str | None = None,
) -> bool:
    """Whether each of `paths` has the same facts in both (a file without facts has none),
    or with `part` (a `FileFacts` field such as "meta"), the same value of that field."""
    for path in paths:
        old, new = before.get(path), after.get(path)
        if part is None:
            if old != new:
                return False
        elif (getattr(old, part) if old else ()) != (getattr(new, part) if new else ()):
            return False
    return True


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively: the JSON shape, so equal facts compare equal as JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
