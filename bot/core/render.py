"""Markdown for the four generated subsections of the `data-flow` block.

`render_data_flow(facts, paths)` is pure: the same facts and paths give the same bytes, in any
input order. Grounding is enforced here as a last line: evidence whose path is not in `paths`
is dropped, and an item left without evidence is not claimed. Backticks are used for
repository paths only (a path, or `path:line`), so every backticked span can be checked
against the snapshot; other text is escaped so it can never open a marker, a table cell or
inline code. Evidence is cited as plain backticked paths rather than links because the same
body is written into docs at different depths (`docs/`, `.context/docs/`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from bot.core import render_egress
from bot.core.escape import code_span, text
from bot.core.evidence import evidence_key
from bot.core.mermaid import build_diagram, kind_label
from bot.core.model import (
    Edge,
    Entrypoint,
    Evidence,
    Handoff,
    Item,
    Module,
    RepoFacts,
    Schedule,
    Service,
    Skipped,
)
from bot.core.render_flows import (
    container_diagram,
    flow_list,
    handoffs_section,
    known_flows,
    schedules_section,
    sequence_diagrams,
)

HIGH_LEVEL_FLOW = "high-level-flow"
INTERNAL_MOVEMENT = "internal-movement"
EXTERNAL_INTEGRATIONS = "external-integrations"
OBSERVABILITY = "observability-failure-modes"
SECTION_ORDER = (HIGH_LEVEL_FLOW, INTERNAL_MOVEMENT, EXTERNAL_INTEGRATIONS, OBSERVABILITY)

NONE_DETECTED = "none detected"
MAX_ROWS = 40  # per table; the rest is counted so a large repo stays readable
MAX_EDGE_ROWS = 25
MAX_CITATIONS = 3  # per table cell
MAX_DETAIL_ITEMS = 4
MAX_DETAIL_CHARS = 120
MAX_SKIPPED_SHOWN = 5
SKIPPED_NOTE = (
    "**Not read**: {files} past the analyser's limits ({why}): {paths}."
    " Their facts are missing above (`docs-refresh facts --json` lists them)."
)

NO_FLOW = "No entry points, modules or external systems were detected in this repository."
DIAGRAM_NOTE = (
    "The diagram shows {nodes_shown} of {nodes_total} nodes and {edges_shown} of {edges_total}"
    " links, keeping the heaviest; the tables list everything."
)
# No backticks: spans in code are repository paths only, so each can be checked.
MORE_ROWS = "…and {count} more (the full list: docs-refresh facts --json)."
STRENGTH_NOTE = (
    "Strength: **used** means imported or called in code, **configured** means named in"
    " settings or environment variables, **declared** means listed in a dependency manifest only."
)
STRENGTH_LEADS = (
    ("used", "Used in code:"),
    ("configured", "Configured in settings or environment only:"),
    ("declared", "Declared in manifests, not seen in code:"),
)
MAX_NAMED = 12  # names in one sentence; the tables list the rest

ENTRY_NOUNS = {
    "http": ("HTTP", "HTTP"),
    "cli": ("command-line tool", "command-line tools"),
    "worker": ("worker", "workers"),
    "scheduler": ("scheduler", "schedulers"),
    "webhook": ("webhook receiver", "webhook receivers"),
    "consumer": ("consumer", "consumers"),
}
# The order entry kinds are listed in a sentence: the way work most often comes in first.
ENTRY_ORDER = ("http", "webhook", "consumer", "worker", "scheduler", "cli")

T = TypeVar("T", Entrypoint, Service, Item, Schedule)


def render_data_flow(facts: RepoFacts, paths: Collection[str]) -> dict[str, str]:
    """Slug → markdown body (without the subsection heading), one per owned subsection."""
    known = _known_paths(paths if isinstance(paths, tuple) else tuple(paths))
    grounded = _ground(facts, known)
    return {
        HIGH_LEVEL_FLOW: _high_level_flow(grounded, known),
        INTERNAL_MOVEMENT: _internal_movement(grounded, known),
        EXTERNAL_INTEGRATIONS: render_egress.external_integrations(_MARKDOWN, grounded),
        OBSERVABILITY: _observability(grounded),
    }


def _observability(facts: RepoFacts) -> str:
    body = render_egress.observability(_MARKDOWN, facts)
    # Files past a limit are skipped, not fatal: the doc says how many and why.
    return body + "\n" + skipped_note(facts.skipped) + "\n" if facts.skipped else body


# --- grounding ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _known_paths(paths: tuple[str, ...]) -> _Paths:
    # A push that adds or removes no file renders against the same paths: 20k files cost
    # ~8 ms to index and well under 1 ms to hash and compare.
    return _Paths(paths)


class _Paths:
    """The snapshot's files, and the folders they imply (a module's path is a folder)."""

    def __init__(self, paths: Collection[str]) -> None:
        self.files = frozenset(paths)
        folders: set[str] = set()
        # Each distinct folder once (a thousand files share a few folders), then its parents
        # until one already seen.
        for folder in {p.rpartition("/")[0] for p in self.files}:
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
        self.folders = frozenset(folders)

    def has_file(self, path: str) -> bool:
        return path in self.files

    def has(self, path: str) -> bool:
        return path in self.files or path.strip("/") in self.folders


def _evidence(items: Iterable[Evidence], known: _Paths) -> tuple[Evidence, ...]:
    return tuple(sorted({e for e in items if known.has_file(e.path)}, key=evidence_key))


def _ground(facts: RepoFacts, known: _Paths) -> RepoFacts:
    """Facts restricted to what the snapshot proves, every container sorted."""

    def keep(items: Iterable[T], key: Callable[[T], tuple[str, ...]]) -> tuple[T, ...]:
        out = []
        for item in items:
            evidence = _evidence(item.evidence, known)
            if evidence:
                out.append(replace(item, evidence=evidence))
        return tuple(sorted(out, key=key))

    modules = tuple(
        sorted(
            (
                replace(m, evidence=_evidence(m.evidence, known))
                for m in facts.modules
                if m.path.strip("/") in ("", ".") or known.has(m.path)
            ),
            key=lambda m: m.name,
        )
    )
    names = {m.name for m in modules}
    edges = tuple(
        sorted(
            (
                replace(e, evidence=_evidence(e.evidence, known))
                for e in facts.edges
                if e.source in names and e.target in names
            ),
            key=lambda e: (e.source, e.target),
        )
    )
    return RepoFacts(
        source=facts.source,
        entrypoints=_merge_entries(keep(facts.entrypoints, lambda e: (e.kind, e.name, e.detail))),
        modules=modules,
        edges=edges,
        datastores=keep(facts.datastores, lambda s: (s.category, s.name)),
        integrations=keep(facts.integrations, lambda s: (s.category, s.name)),
        deployment=keep(facts.deployment, lambda i: (i.kind, i.name, i.detail)),
        observability=keep(facts.observability, lambda i: (i.kind, i.name, i.detail)),
        resilience=keep(facts.resilience, lambda i: (i.kind, i.name, i.detail)),
        skipped=tuple(x for x in facts.skipped if known.has_file(x.path)),
        version=facts.version,
        handoffs=_ground_handoffs(facts.handoffs, known),
        schedules=keep(facts.schedules, lambda s: (s.mechanism, s.name, s.schedule, s.target)),
        flows=known_flows(facts.flows, known.has_file),
    )


def _ground_handoffs(handoffs: Iterable[Handoff], known: _Paths) -> tuple[Handoff, ...]:
    out = []
    for h in handoffs:
        grounded = replace(
            h,
            producers=_evidence(h.producers, known),
            consumers=_evidence(h.consumers, known),
        )
        if grounded.producers or grounded.consumers:
            out.append(grounded)
    return tuple(sorted(out, key=lambda h: (h.name, h.mechanism)))


def _merge_entries(entries: Sequence[Entrypoint]) -> tuple[Entrypoint, ...]:
    """One row per (kind, name): a Procfile line and a compose service naming the same
    process are one entry point with two pieces of evidence."""
    merged: dict[tuple[str, str], Entrypoint] = {}
    for entry in entries:
        key = (entry.kind, entry.name)
        old = merged.get(key)
        if old is None:
            merged[key] = entry
            continue
        details = sorted({d for d in (old.detail, entry.detail) if d})
        evidence = tuple(sorted(set(old.evidence) | set(entry.evidence), key=evidence_key))
        merged[key] = replace(old, evidence=evidence, detail=", ".join(details))
    return tuple(merged[k] for k in sorted(merged))


# --- markdown helpers ---------------------------------------------------------------


def detail(value: str) -> str:
    """A detail cell that stays one short line: a long list of routes shows its first few."""
    items = [v.strip() for v in value.split(",")] if "," in value else [value.strip()]
    shown = ", ".join(items[:MAX_DETAIL_ITEMS])
    if len(shown) > MAX_DETAIL_CHARS:
        shown = shown[: MAX_DETAIL_CHARS - 1].rstrip() + "…"
    rest = len(items) - MAX_DETAIL_ITEMS
    return text(shown) + (f" (+{rest} more)" if rest > 0 else "")


def cite(ev: Evidence) -> str:
    """A path (and line) as a code span nothing in the path can close (`bot.core.escape`)."""
    return code_span(f"{ev.path}:{ev.line}" if ev.line is not None else ev.path)


def citations(evidence: Sequence[Evidence]) -> str:
    shown = ", ".join(cite(e) for e in evidence[:MAX_CITATIONS])
    rest = len(evidence) - MAX_CITATIONS
    return f"{shown} (+{rest} more)" if rest > 0 else shown


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], limit: int = MAX_ROWS) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows[:limit]]
    if len(rows) > limit:
        lines += ["", MORE_ROWS.format(count=len(rows) - limit)]
    return "\n".join(lines)


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _module_ref(module: Module, known: _Paths) -> str:
    path = module.path.strip("/")
    if path in ("", "."):
        return f"{text(module.name)} (repository root)"
    if not known.has(path):
        return text(module.name)
    return code_span(path) if path == module.name else f"{text(module.name)} ({code_span(path)})"


# --- the four subsections -----------------------------------------------------------


def _high_level_flow(facts: RepoFacts, known: _Paths) -> str:
    parts: list[str] = []
    services = facts.datastores + facts.integrations
    if not (facts.entrypoints or facts.modules or services):
        return NO_FLOW + "\n"
    parts.append(_flow_sentence(facts))
    diagram_text = container_diagram(facts)
    if diagram_text:
        parts.append(diagram_text)
    parts.append(flow_list(facts.flows, text, cite, facts.entrypoints))
    parts.extend(sequence_diagrams(facts.flows))
    if facts.entrypoints:
        from bot.core.flows import is_development

        # The product's entry points first, development tools (bench, scripts, the sandbox)
        # after them: all stay listed, none crowds the top of the table.
        ordered = sorted(
            facts.entrypoints,
            key=lambda e: bool(e.evidence) and all(is_development(ev.path) for ev in e.evidence),
        )
        rows = [
            [text(e.name), kind_label(e.kind), detail(e.detail), citations(e.evidence)]
            for e in ordered
        ]
        parts.append(
            "**Entry points**\n\n" + table(["Entry point", "Kind", "Detail", "Evidence"], rows)
        )
    else:
        parts.append(f"Entry points: {NONE_DETECTED}.")
    return "\n\n".join(parts) + "\n"


def _flow_sentence(facts: RepoFacts) -> str:
    kinds = Counter(e.kind for e in facts.entrypoints)
    order = sorted(kinds, key=lambda k: (ENTRY_ORDER.index(k) if k in ENTRY_ORDER else 99, k))
    if facts.entrypoints:
        detail = _join([_kind_count(k, kinds[k]) for k in order])
        enter = f"Work enters through {plural(len(facts.entrypoints), 'entry point')} ({detail})"
    else:
        enter = f"No entry point was detected ({NONE_DETECTED})"
    move = f"moves through {plural(len(facts.modules), 'internal module')}"
    reach = _join(
        [
            plural(len(facts.datastores), "datastore"),
            plural(len(facts.integrations), "external integration"),
        ]
    )
    return f"{enter}, {move} and reaches {reach}."


def _kind_count(kind: str, count: int) -> str:
    one, many = ENTRY_NOUNS.get(kind, (kind, kind))
    return f"{count} {one if count == 1 else many}"


def _internal_movement(facts: RepoFacts, known: _Paths) -> str:
    movement = (
        handoffs_section(facts.handoffs, facts.schedules, text, citations, table)
        + "\n\n"
        + schedules_section(facts.schedules, text, detail, citations, table)
        + "\n\n"
    )
    return movement + _module_summary(facts, known)


def _module_summary(facts: RepoFacts, known: _Paths) -> str:
    if not facts.modules:
        return f"Modules: {NONE_DETECTED}.\n"
    total = sum(e.count for e in facts.edges)
    if len(facts.modules) == 1:
        parts = [f"The code lives in one top-level module, {_module_ref(facts.modules[0], known)}."]
    else:
        parts = [
            f"The code is organised in {plural(len(facts.modules), 'top-level module')}"
            + (
                f"; {plural(len(facts.edges), 'link')} between them carry"
                f" {plural(total, 'import statement')}."
                if facts.edges
                else "; no imports between them were detected."
            )
        ]
    if facts.edges:
        top = min(facts.edges, key=lambda e: (-e.count, e.source, e.target))
        parts[0] += f" The busiest edge is {text(top.source)} → {text(top.target)}"
        parts[0] += f" ({plural(top.count, 'import')})."
    # The import graph, drawn: entry points into modules, modules to the services they use.
    diagram = build_diagram(
        facts.entrypoints, facts.modules, facts, facts.datastores + facts.integrations
    )
    parts.append(diagram.text)
    if diagram.truncated:
        parts.append(
            DIAGRAM_NOTE.format(
                nodes_shown=diagram.nodes_shown,
                nodes_total=diagram.nodes_total,
                edges_shown=diagram.edges_shown,
                edges_total=diagram.edges_total,
            )
        )
    rows = [
        [_module_ref(m, known), text(m.language), str(m.files)]
        for m in sorted(facts.modules, key=lambda m: (-m.files, m.name))
    ]
    parts.append(table(["Module", "Language", "Files"], rows))
    if facts.edges:
        edges: list[Edge] = sorted(facts.edges, key=lambda e: (-e.count, e.source, e.target))
        edge_rows = [
            [text(e.source), text(e.target), str(e.count), citations(e.evidence)] for e in edges
        ]
        parts.append(table(["From", "To", "Imports", "Evidence"], edge_rows, MAX_EDGE_ROWS))
    else:
        parts.append(f"Imports between modules: {NONE_DETECTED}.")
    return "\n\n".join(parts) + "\n"


def _services_sentence(services: Sequence[Service]) -> str:
    """Who the code talks to, strongest evidence first, names only (the tables cite)."""
    sentences = []
    for strength, lead in STRENGTH_LEADS:
        names = sorted({s.name for s in services if s.strength == strength})
        if len(names) > MAX_NAMED:
            names = [*names[:MAX_NAMED], f"{len(names) - MAX_NAMED} more"]
        if names:
            sentences.append(f"{lead} {_join([text(n) for n in names])}.")
    return " ".join(sentences)


def _items_table(items: Sequence[Item]) -> str:
    rows = [
        [text(i.name), text(i.kind), detail(i.detail), citations(i.evidence)]
        for i in sorted(items, key=lambda i: (i.kind, i.name, i.detail))
    ]
    return table(["Name", "Kind", "Detail", "Evidence"], rows)


# --- v2 docs: Module Dependencies --------------------------------------------------------

MODULE_DEPENDENCIES = "module-dependencies"
NO_MODULE_IMPORTS = "imports no other module"


def render_module_dependencies(facts: RepoFacts, paths: Collection[str]) -> str:
    """The body of a v2 doc's Module Dependencies section: one line per top-level module,
    the modules it imports, busiest first, with how many imports and the first that proves
    it (the layout dotcontext uses: `- **module/** → targets`), grounded like
    `render_data_flow`."""
    known = _known_paths(paths if isinstance(paths, tuple) else tuple(paths))
    grounded = _ground(facts, known)
    if not grounded.modules:
        return f"Modules: {NONE_DETECTED}.\n"
    outgoing: dict[str, list[Edge]] = {}
    for edge in grounded.edges:
        outgoing.setdefault(edge.source, []).append(edge)
    lines = []
    modules = sorted(grounded.modules, key=lambda m: m.name)
    for module in modules[:MAX_ROWS]:
        edges = sorted(outgoing.get(module.name, ()), key=lambda e: (-e.count, e.target))
        targets = (
            ", ".join(
                f"{text(e.target)} ({plural(e.count, 'import')}, e.g. {cite(e.evidence[0])})"
                if e.evidence
                else f"{text(e.target)} ({plural(e.count, 'import')})"
                for e in edges
            )
            or NO_MODULE_IMPORTS
        )
        lines.append(f"- {_module_ref(module, known)} → {targets}")
    if len(modules) > MAX_ROWS:
        lines.append(MORE_ROWS.format(count=len(modules) - MAX_ROWS))
    return "\n".join(lines) + "\n"


# This module's pieces, for the sections rendered in `render_egress`.
_MARKDOWN = render_egress.Markdown(
    text=text,
    citations=citations,
    table=table,
    items_table=_items_table,
    services_sentence=_services_sentence,
    none_detected=NONE_DETECTED,
    strength_note=STRENGTH_NOTE,
)


def skipped_note(skipped: Sequence[Skipped]) -> str:
    """How many files were not read and why (a file past a limit is skipped, not fatal)."""
    reasons = Counter(s.reason for s in skipped)
    why = "; ".join(f"{count}: {text(reason)}" for reason, count in sorted(reasons.items()))
    shown = ", ".join(code_span(s.path) for s in skipped[:MAX_SKIPPED_SHOWN])
    rest = len(skipped) - MAX_SKIPPED_SHOWN
    more = f" (+{rest} more)" if rest > 0 else ""
    return SKIPPED_NOTE.format(files=plural(len(skipped), "file"), why=why, paths=shown + more)
