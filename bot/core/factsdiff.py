"""What changed in the facts between two snapshots, for PR bodies, comments and the CLI.

Items are matched by identity, not by evidence: a service by (category, name), an entry point
by (kind, name), an edge by (source, target). Moving a call to another line is not news; a new
integration, a dropped datastore or a new dependency between modules is. A strength change
(declared → used) counts as a change of that service. A host the code calls that it did not
call before is news of its own ("adds egress to api.sendgrid.com"), whatever service it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.core.escape import code_span, text
from bot.core.evidence import evidence_key
from bot.core.model import Edge, Entrypoint, Evidence, Flow, Handoff, RepoFacts, Service

NO_CHANGES = "No change in detected facts."
HEADING = "**What changed in the facts**"
MAX_CITED = 2

T = TypeVar("T", Service, Entrypoint, Edge, Flow, Handoff)


@dataclass(frozen=True, slots=True)
class FactsDiff:
    integrations_added: tuple[Service, ...] = ()
    integrations_removed: tuple[Service, ...] = ()
    datastores_added: tuple[Service, ...] = ()
    datastores_removed: tuple[Service, ...] = ()
    # (old, new) pairs whose strength moved, e.g. declared → used.
    strength_changed: tuple[tuple[Service, Service], ...] = ()
    entrypoints_added: tuple[Entrypoint, ...] = ()
    entrypoints_removed: tuple[Entrypoint, ...] = ()
    edges_added: tuple[Edge, ...] = ()
    edges_removed: tuple[Edge, ...] = ()
    # Flows by name (entry and sink), hand-offs by name: a new path for data, a new queue.
    flows_added: tuple[Flow, ...] = ()
    flows_removed: tuple[Flow, ...] = ()
    handoffs_added: tuple[Handoff, ...] = ()
    handoffs_removed: tuple[Handoff, ...] = ()
    # (host, the service that calls it): hosts the code calls now and did not before.
    egress_added: tuple[tuple[str, Service], ...] = ()

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    def __bool__(self) -> bool:
        return not self.empty

    def lines(self, link: Callable[[Evidence], str] | None = None) -> list[str]:
        """One bullet per change (without the leading "- "), in a fixed order."""
        cite = link or _cite
        out: list[str] = []
        # Removed items are not cited: their evidence is in the old tree, not this one.
        for verb, services, cited in (
            ("Datastore added", self.datastores_added, True),
            ("Datastore removed", self.datastores_removed, False),
            ("Integration added", self.integrations_added, True),
            ("Integration removed", self.integrations_removed, False),
        ):
            out += [
                f"{verb}: **{_t(s.name)}** ({_t(s.category)})" + (_ev(s, cite) if cited else "")
                for s in services
            ]
        out += [
            f"Now {_t(new.strength)}: **{_t(new.name)}** (was {_t(old.strength)}){_ev(new, cite)}"
            for old, new in self.strength_changed
        ]
        out += [
            f"Entry point added: **{_t(e.name)}** ({_t(e.kind)}){_ev(e, cite)}"
            for e in self.entrypoints_added
        ]
        out += [
            f"Entry point removed: **{_t(e.name)}** ({_t(e.kind)})"
            for e in self.entrypoints_removed
        ]
        out += [
            f"Module link added: {_t(e.source)} → {_t(e.target)}{_ev(e, cite)}"
            for e in self.edges_added
        ]
        out += [f"Module link removed: {_t(e.source)} → {_t(e.target)}" for e in self.edges_removed]
        out += [f"Flow added: **{_t(f.name)}**{_ev(f, cite)}" for f in self.flows_added]
        out += [f"Flow removed: **{_t(f.name)}**" for f in self.flows_removed]
        out += [
            f"Hand-off added: **{_t(h.name)}** ({_t(h.mechanism)}){_ev(h, cite)}"
            for h in self.handoffs_added
        ]
        out += [
            f"Hand-off removed: **{_t(h.name)}** ({_t(h.mechanism)})" for h in self.handoffs_removed
        ]
        out += [
            f"Adds egress to **{_t(host)}** ({_t(s.name)}){_ev(s, cite)}"
            for host, s in self.egress_added
        ]
        return out

    def to_markdown(self, link: Callable[[Evidence], str] | None = None) -> str:
        """A short bullet list; `link` turns evidence into a link (default: backticked path)."""
        if self.empty:
            return NO_CHANGES + "\n"
        return HEADING + "\n\n" + "".join(f"- {line}\n" for line in self.lines(link))


def diff_facts(old: RepoFacts, new: RepoFacts) -> FactsDiff:
    def service_key(s: Service) -> tuple[str, ...]:
        return (s.category, s.name)

    old_services = {service_key(s): s for s in old.datastores + old.integrations}
    new_services = {service_key(s): s for s in new.datastores + new.integrations}
    moved = tuple(
        (old_services[k], new_services[k])
        for k in sorted(old_services.keys() & new_services.keys())
        if old_services[k].strength != new_services[k].strength
    )
    return FactsDiff(
        integrations_added=_added(old.integrations, new.integrations, service_key),
        integrations_removed=_added(new.integrations, old.integrations, service_key),
        datastores_added=_added(old.datastores, new.datastores, service_key),
        datastores_removed=_added(new.datastores, old.datastores, service_key),
        strength_changed=moved,
        entrypoints_added=_added(old.entrypoints, new.entrypoints, _entry_key),
        entrypoints_removed=_added(new.entrypoints, old.entrypoints, _entry_key),
        edges_added=_added(old.edges, new.edges, _edge_key),
        edges_removed=_added(new.edges, old.edges, _edge_key),
        # The flows the doc tells: a flow past the caps moving in or out is no news.
        flows_added=_added(_featured(old.flows), _featured(new.flows), _flow_key),
        flows_removed=_added(_featured(new.flows), _featured(old.flows), _flow_key),
        handoffs_added=_added(old.handoffs, new.handoffs, _handoff_key),
        handoffs_removed=_added(new.handoffs, old.handoffs, _handoff_key),
        egress_added=_new_hosts(old, new),
    )


def _featured(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    return tuple(f for f in flows if f.featured)


def _flow_key(f: Flow) -> tuple[str, ...]:
    return (f.rank, f.name)


def _handoff_key(h: Handoff) -> tuple[str, ...]:
    return (h.mechanism, h.name)


def _new_hosts(old: RepoFacts, new: RepoFacts) -> tuple[tuple[str, Service], ...]:
    """Hosts some integration of `new` calls that no service of `old` called, by host."""
    before = {h for s in old.datastores + old.integrations for h in s.hosts}
    found: dict[str, Service] = {}
    for service in new.datastores + new.integrations:
        for host in service.hosts:
            if host not in before:
                found.setdefault(host, service)
    return tuple((host, found[host]) for host in sorted(found))


def _entry_key(e: Entrypoint) -> tuple[str, ...]:
    return (e.kind, e.name)


def _edge_key(e: Edge) -> tuple[str, ...]:
    return (e.source, e.target)


def _added(
    before: Iterable[T], after: Iterable[T], key: Callable[[T], tuple[str, ...]]
) -> tuple[T, ...]:
    """Items of `after` whose key is not in `before`, sorted by key."""
    seen = {key(x) for x in before}
    fresh = {key(x): x for x in after if key(x) not in seen}
    return tuple(fresh[k] for k in sorted(fresh))


def _t(value: str) -> str:
    """Plain text for a bullet: no code spans, tags, comments, links or mentions."""
    return text(value)


def _cite(ev: Evidence) -> str:
    return code_span(f"{ev.path}:{ev.line}" if ev.line is not None else ev.path)


def _ev(item: Service | Entrypoint | Edge | Flow | Handoff, cite: Callable[[Evidence], str]) -> str:
    evidence: Sequence[Evidence] = sorted(item.evidence, key=evidence_key)
    if not evidence:
        return ""
    shown = ", ".join(cite(e) for e in evidence[:MAX_CITED])
    return f" — {shown}"
