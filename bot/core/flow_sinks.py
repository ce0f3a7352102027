"""The sinks one file shows: enqueues, local file writes, outbound calls, and the lines a
datastore or integration was matched at (`file_sinks`), each at its line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from bot.core.call_sites import Sink
from bot.core.evidence import is_code
from bot.core.model import FileFacts, Service

# Redis keys used as buffers (`analysis.handoffs_redis_python`): their producers sit in
# functions that other code calls now and then (a signal's receiver, an error path), so a
# flow reaches one through a call to its function, never by an import alone.
# A hand-off's mechanism that says less than its producer's line: a consumer's `@job` with
# no library in sight, or none found.
_UNSURE = frozenset({"job", "unconfirmed", ""})
REDIS_BUFFERS = frozenset({"redis-list", "redis-set", "redis-hash", "redis-zset", "redis-stream"})

DATASTORE_KINDS = frozenset({"datastore", "cache", "search", "storage", "object-storage"})
ExtraSinks = Callable[[str, FileFacts], Iterable[Sink]]


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
    paired: Mapping[tuple[str, int], tuple[str, str]] | None = None,
    hosts: Mapping[str, str] | None = None,
) -> list[Sink]:
    """The sinks one file shows, each at its line. `paired` names the hand-off a producer
    line was paired with (`self.runner.s(…)` enqueues `run_job`) and its mechanism;
    `hosts` names the service an SDK client's host is (api.github.com → GitHub)."""
    out = []
    for h in f.handoffs:
        if h.role != "produce":
            continue
        name, mech = (paired or {}).get((path, h.line), (h.name, h.mechanism))
        # Via what the line names: the queue's variable, else the site's own name.
        via = _via(h.aliases) if h.aliases else _via((h.name,)) if name != h.name else ""
        if mech in _UNSURE:  # the line's guess, where the hand-off's consumer did not say
            mech = h.mechanism
        mech = "celery" if mech == "signature" else mech
        out.append(Sink("queue", name, h.line, f"enqueues {name}{via} ({mech})"))
    writes = [x.line for x in f.signals if x.kind == "sink.files"]
    if writes:
        out.append(Sink("datastore", "local files", writes[0], "writes local files"))
    called: list[Sink] = []
    for c in f.calls:
        # An outbound call the egress scan found: where the data leaves the process (a
        # "candidate", a call with a URL to a function that may send it, is not one yet).
        # A StatsD client sends counters about the work, not the work's data: no sink.
        if c.kind in ("candidate", "statsd", "inbound"):
            continue  # (a webhook's signature check: the provider sends, nothing leaves)
        client = c.client.removeprefix("wrapper:")
        if c.origin == "sdk":  # an SDK client's call: its service, by the catalog's host
            service = (hosts or {}).get(c.host, c.host)
            called.append(
                Sink("external", service, c.line, f"sends a request to {service} ({client})")
            )
            continue
        # A URL from a parameter or a row says nothing of where: the client names the sink.
        dest = c.host or (c.configured_by if c.origin in ("env", "setting", "constant") else "")
        how = _HOW.get(c.kind, c.kind)
        what = f"sends {how} to {dest} ({client})" if dest else f"sends {how} ({client})"
        # A host the catalog knows is its service's sink (api.telegram.org is Telegram), and
        # so is a service the catalog matched at the call's own line (`smtplib.SMTP(…)`, a
        # transport configured by SMTP_HOST, is SMTP). A URL the caller passes in names no
        # service: the flow is named for the request, not for the wrapper that makes it
        # (`→ outbound HTTP (call_api)`, not `→ call_api`).
        matched = [s for ln, s in services.get(path, ()) if ln == c.line and s.category != "queue"]
        at_line = [s.name for s in matched]
        if dest and not c.host and matched and len(matched[0].hosts) == 1:
            # a setting whose default the settings module writes (`egress_services`): its host
            what = f"sends {how} to {matched[0].hosts[0]} ({client}, configured by {dest})"
        known = (hosts or {}).get(dest) if dest else None
        name = known or (at_line[0] if at_line else dest or f"outbound {_kind(c.kind)} ({client})")
        named = [
            s.name
            for ln, s in services.get(path, ())
            if ln == c.line and s.category not in ("queue", "webhooks")
        ]
        if not dest and named:
            # No written host, but the line's service is known (a file named for it): say so.
            # (Not "user-configured endpoints": the category of addresses users give.)
            what = f"sends {how} to {named[0]} ({client})"
        called.append(Sink("external", name, c.line, what))
    # A service's line that is one of its calls is that call; where the file calls it, its
    # import is not where data leaves.
    through = {s.name for s in called}
    # …but a line that hands the service's URL to a wrapper (a candidate the service was
    # matched at) is where that function's data leaves, beside the file's own client call.
    handed = {c.line for c in f.calls if c.kind == "candidate"}
    # Lines where the file only shows the service to the browser (an avatar URL it renders)
    # or counts work (a StatsD client): the flow's data does not leave there.
    aside = {x.line for x in f.signals if x.kind == "config.avatar"}
    aside.update(c.line for c in f.calls if c.kind in ("statsd", "inbound"))
    for line, s in services.get(path, ()):
        if s.category == "queue":
            continue  # the queue library itself: its enqueues are the hand-off sites
        if line in aside:
            continue
        if s.name in through and line not in handed:
            continue
        kind = "datastore" if s.category in DATASTORE_KINDS else "external"
        out.append(Sink(kind, s.name, line, f"uses {s.name}"))
    out.extend(called)
    if extra is not None:
        out.extend(extra(path, f))
    return out


_HOW = {"http": "an HTTP request", "dns": "a DNS query"}


def _kind(kind: str) -> str:
    return "HTTP" if kind == "http" else kind


def _via(aliases: Sequence[str]) -> str:
    """The name the line itself uses, when the queue's name is bound elsewhere."""
    return f" via {aliases[0]}" if aliases else ""


def _at(sink: Sink) -> int | None:
    """The line that decides which functions reach a sink: a library's import line for one
    cited where the file calls the library (the whole file, or Go package, uses it)."""
    return sink.reach if sink.reach is not None else sink.line


def _unnamed(sink: Sink) -> bool:
    """Of two sinks at one line, the service the catalog names (`uses SMTP`) names the flow,
    not the call's destination (`sends smtp to config.email.smtp`)."""
    return not sink.what.startswith("uses ")
