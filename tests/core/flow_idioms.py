"""The harness of the flow-start idiom tables (`test_flow_idioms_*`): one small hand-written app
per web framework, CLI or worker idiom, analysed for real (`analyze` over a `MemorySnapshot`),
and the flow it must give: one that starts at the route or the handler (its first hop cites
one of the `entry` lines) and reaches the `sink` line (an outbound call or an enqueue)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

Site = tuple[str, str]  # (path, a text on the cited line: fixtures cite by content)


@dataclass(frozen=True)
class FlowIdiom:
    """`entry`: the lines the flow may start at (the route's or the handler's); `sink`: the
    line it must reach."""

    id: str
    files: dict[str, str]
    entry: tuple[Site, ...]
    sink: Site


def line_of(text: str, marker: str) -> int:
    for i, line in enumerate(text.split("\n"), 1):
        if marker in line:
            return i
    raise AssertionError(f"{marker!r} not in fixture")


def flows_of(files: dict[str, str]) -> tuple[Flow, ...]:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snapshot, MemoryFactsCache(), default_catalog()).flows


def misses(idiom: FlowIdiom) -> list[str]:
    """Empty when a flow starts at one of the entry lines and reaches the sink line."""
    starts = {(p, line_of(idiom.files[p], m)) for p, m in idiom.entry}
    sink = (idiom.sink[0], line_of(idiom.files[idiom.sink[0]], idiom.sink[1]))
    flows = flows_of(idiom.files)
    for flow in flows:
        first = (flow.hops[0].path, flow.hops[0].line) if flow.hops else None
        if first in starts and sink in {(s.path, s.line) for s in flow.sinks}:
            return []
    seen = [
        (f.name, [(h.path, h.line) for h in f.hops[:3]], [(s.path, s.line) for s in f.sinks])
        for f in flows
    ]
    return [f"no flow from {sorted(starts)} to {sink}; flows: {seen}"]
