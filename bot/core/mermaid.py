"""The one `graph LR` diagram of the data-flow section.

Entry points on the left, internal modules in the middle, external systems on the right grouped
by category. Node ids are slugs of the names (never counters), so adding one node never renames
another and diffs stay small. Big repositories are cut to a node and edge budget, keeping the
heaviest edges; the caller prints the counts of what was left out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.escape import one_line
from bot.core.evidence import is_code
from bot.core.model import Entrypoint, Module, RepoFacts, Service

MAX_NODES = 30
MAX_EDGES = 60
# Shares of the node budget: modules take whatever entry points and services leave.
MAX_ENTRY_NODES = 8
MAX_SERVICE_NODES = 12

ENTRY_GROUP_LABEL = "Entry points"
MODULE_GROUP_LABEL = "Modules"
KIND_LABELS = {
    "http": "HTTP",
    "cli": "CLI",
    "worker": "worker",
    "scheduler": "scheduler",
    "webhook": "webhook receiver",
    "consumer": "consumer",
}
CATEGORY_LABELS = {
    "ai": "AI",
    "llm": "LLM",
    "vcs": "Version control",
    "ci": "CI",
    "cdn": "CDN",
    "sms": "SMS",
    "iam": "IAM",
    "dns": "DNS",
    "cms": "Content API",  # the catalog's content services: CMSs, Gravatar, Last.fm, YouTube
    "crm": "CRM",
}
KIND_ORDER = ("http", "webhook", "consumer", "worker", "scheduler", "cli")
STRENGTH_RANK = {"used": 0, "configured": 1, "declared": 2}

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[A-Za-z0-9_/-]+")


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits joined by underscores (Mermaid-safe, stable)."""
    return _NON_SLUG.sub("_", text.lower()).strip("_") or "x"


def escape_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes; `#` first so codes survive):
    no quote ends it, no backtick makes it a Markdown string or closes the fence, no `%%`
    starts a directive, no line break ends the diagram's line."""
    out = text.replace("#", "#35;").replace('"', "#quot;")
    out = out.replace("<", "#lt;").replace(">", "#gt;")
    out = out.replace("`", "#96;").replace("%", "#37;")
    return " ".join(one_line(out).split())


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def category_label(category: str) -> str:
    if category in CATEGORY_LABELS:
        return CATEGORY_LABELS[category]
    if category != category.lower():  # already spelled for a reader ("HTTP API")
        return category
    return category.replace("-", " ").replace("_", " ").capitalize()


def module_of(path: str, modules: Sequence[Module]) -> Module | None:
    """The module holding `path`: the longest module path that is a folder prefix of it.

    A module at the root (`.` or empty path) holds every file no other module holds.
    """
    best: Module | None = None
    best_len = -1
    for module in modules:
        mpath = module.path.strip("/")
        if mpath in ("", "."):
            length = 0
        elif path == mpath or path.startswith(mpath + "/"):
            length = len(mpath)
        else:
            continue
        if length > best_len:
            best, best_len = module, length
    return best


@dataclass(frozen=True, slots=True)
class Diagram:
    text: str  # the fenced block, ready to paste into markdown
    nodes_shown: int
    nodes_total: int
    edges_shown: int
    edges_total: int

    @property
    def truncated(self) -> bool:
        return self.nodes_shown < self.nodes_total or self.edges_shown < self.edges_total


@dataclass(frozen=True, slots=True, order=True)
class _Edge:
    weight: int
    source: str
    target: str
    label: str = ""
    dotted: bool = False


class _Ids:
    """Slug ids made unique without counters: a clash gets a short hash of the full key."""

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set()

    def get(self, prefix: str, name: str) -> str:
        key = f"{prefix}:{name}"
        if key not in self._by_key:
            node_id = f"{prefix}_{slug(name)}"
            if node_id in self._taken:
                digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:6]
                node_id = f"{node_id}_{digest}"
            self._taken.add(node_id)
            self._by_key[key] = node_id
        return self._by_key[key]


def _entry_key(entry: Entrypoint) -> str:
    return f"{entry.kind}-{entry.name}"


def build_diagram(
    entrypoints: Sequence[Entrypoint],
    modules: Sequence[Module],
    facts: RepoFacts,
    services: Sequence[Service],
) -> Diagram:
    """The diagram of already-grounded items (the renderer filters evidence first).

    `facts` supplies the module edges; entries and services link to the modules that hold
    their evidence files.
    """
    ids = _Ids()
    # Assign ids in a fixed order (sorted inputs) so a clash resolves the same way every run.
    entry_ids = {_entry_key(e): ids.get("ep", _entry_key(e)) for e in entrypoints}
    module_ids = {m.name: ids.get("mod", m.name) for m in modules}
    service_ids = {s.name: ids.get("ext", s.name) for s in services}

    edges = _all_edges(entrypoints, modules, facts, services, entry_ids, module_ids, service_ids)
    weight: dict[str, int] = {}
    for edge in edges:
        weight[edge.source] = weight.get(edge.source, 0) + edge.weight
        weight[edge.target] = weight.get(edge.target, 0) + edge.weight

    ranked_services = sorted(services, key=lambda s: (STRENGTH_RANK.get(s.strength, 9), s.name))
    ranked_modules = sorted(modules, key=lambda m: (-weight.get(module_ids[m.name], 0), m.name))
    ranked_entries = [entry_ids[_entry_key(e)] for e in _interleave_kinds(entrypoints)]
    keep_entries = ranked_entries[:MAX_ENTRY_NODES]
    keep_services = [service_ids[s.name] for s in ranked_services][:MAX_SERVICE_NODES]
    room = MAX_NODES - len(keep_entries) - len(keep_services)
    keep_modules = [module_ids[m.name] for m in ranked_modules][: max(room, 0)]
    # Give budget the modules did not need back to entry points, then services.
    room = MAX_NODES - len(keep_entries) - len(keep_services) - len(keep_modules)
    extra_entries = ranked_entries[MAX_ENTRY_NODES:]
    extra_services = [service_ids[s.name] for s in ranked_services][MAX_SERVICE_NODES:]
    extra = (extra_entries + extra_services)[: max(room, 0)]
    kept = set(keep_entries) | set(keep_services) | set(keep_modules) | set(extra)

    candidates = [e for e in edges if e.source in kept and e.target in kept]
    heaviest = sorted(candidates, key=lambda e: (-e.weight, e.source, e.target))[:MAX_EDGES]
    shown_edges = sorted(heaviest, key=lambda e: (e.source, e.target))

    lines = ["```mermaid", "graph LR"]
    lines += _group(
        "entrypoints",
        ENTRY_GROUP_LABEL,
        (
            (entry_ids[_entry_key(e)], _entry_label(e))
            for e in entrypoints
            if entry_ids[_entry_key(e)] in kept
        ),
    )
    lines += _group(
        "modules",
        MODULE_GROUP_LABEL,
        ((module_ids[m.name], m.name) for m in modules if module_ids[m.name] in kept),
    )
    for category in sorted({s.category for s in services}):
        members = [s for s in services if s.category == category]
        lines += _group(
            f"cat_{slug(category)}",
            category_label(category),
            (
                (service_ids[s.name], s.name + (" (declared)" if s.strength == "declared" else ""))
                for s in members
                if service_ids[s.name] in kept
            ),
        )
    for edge in shown_edges:
        arrow = "-.->" if edge.dotted else "-->"
        label = f'|"{escape_label(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    lines.append("```")
    return Diagram(
        text="\n".join(lines),
        nodes_shown=len(kept),
        nodes_total=len(entry_ids) + len(module_ids) + len(service_ids),
        edges_shown=len(shown_edges),
        edges_total=len(edges),
    )


def _interleave_kinds(entrypoints: Sequence[Entrypoint]) -> list[Entrypoint]:
    """One of each kind first (HTTP, webhook, consumer, worker, scheduler, CLI), then the
    second of each…: when the budget cuts, every way work comes in is still drawn."""
    by_kind: dict[str, list[Entrypoint]] = {}
    for entry in sorted(entrypoints, key=lambda e: (e.kind, e.name)):
        by_kind.setdefault(entry.kind, []).append(entry)
    kinds = sorted(by_kind, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))
    out: list[Entrypoint] = []
    for i in range(max((len(v) for v in by_kind.values()), default=0)):
        out += [by_kind[k][i] for k in kinds if i < len(by_kind[k])]
    return out


def _entry_label(entry: Entrypoint) -> str:
    kind = kind_label(entry.kind)
    # "HTTP route (app.py)" already says its kind; "web" needs it said.
    return entry.name if entry.name.lower().startswith(kind.lower()) else f"{kind}: {entry.name}"


def _group(group_id: str, label: str, members: Iterable[tuple[str, str]]) -> list[str]:
    # Two findings with one name (a Procfile line and a compose service) are one node.
    unique = sorted(dict(sorted(members)).items())
    body = [f'    {node_id}["{escape_label(text)}"]' for node_id, text in unique]
    if not body:
        return []
    return [f'  subgraph {group_id}["{escape_label(label)}"]', *body, "  end"]


def _all_edges(
    entrypoints: Sequence[Entrypoint],
    modules: Sequence[Module],
    facts: RepoFacts,
    services: Sequence[Service],
    entry_ids: dict[str, str],
    module_ids: dict[str, str],
    service_ids: dict[str, str],
) -> list[_Edge]:
    found: dict[tuple[str, str], _Edge] = {}

    def add(edge: _Edge) -> None:
        key = (edge.source, edge.target)
        if edge.source == edge.target:
            return
        old = found.get(key)
        if old is None or edge.weight > old.weight:
            found[key] = edge

    # A code file outside every module is owned by the entry points it proves, so a one-file
    # app (app.py at the root) still links its entry point to the services it uses. Config
    # files (compose, Procfile) name many things at once: they own nothing.
    entry_files: dict[str, set[str]] = {}
    for entry in entrypoints:
        node = entry_ids[_entry_key(entry)]
        targets: set[str] = set()
        for ev in entry.evidence:
            if is_code(ev.path):
                entry_files.setdefault(ev.path, set()).add(node)
            module = module_of(ev.path, modules)
            if module is not None and module.name in module_ids and module.path not in ("", "."):
                targets.add(module.name)
        # A command line that names a module ("gunicorn shop:app", "python -m shop.worker").
        words = set(_WORD.findall(entry.detail))
        targets |= {m.name for m in modules if m.name in words and m.name in module_ids}
        for name in sorted(targets):
            # Entry edges matter most for reading the flow: weigh them above imports.
            add(_Edge(10**6, node, module_ids[name]))
    for edge in facts.edges:
        if edge.source in module_ids and edge.target in module_ids:
            label = f"{edge.count} import" + ("" if edge.count == 1 else "s")
            add(_Edge(edge.count, module_ids[edge.source], module_ids[edge.target], label))
    for service in services:
        target = service_ids[service.name]
        dotted = service.strength == "declared"
        for ev in service.evidence:
            module = module_of(ev.path, modules)
            owners = (
                {module_ids[module.name]}
                if module is not None and module.name in module_ids
                else entry_files.get(ev.path, set())
            )
            for owner in sorted(owners):
                add(_Edge(len(service.evidence), owner, target, dotted=dotted))
    return sorted(found.values(), key=lambda e: (e.source, e.target))
