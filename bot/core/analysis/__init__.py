"""Grounded repository analysis: a snapshot in, `RepoFacts` out, every item with evidence.

`analyze` composes the three stages: per-file facts (`extract.extract_all`, cached by blob
SHA), structure (`graph`: modules, edges, entry points) and services (`services`:
datastores, integrations, deployment, observability, resilience through the catalog).
"""

from __future__ import annotations

from bot.core.analysis.catalog import Catalog, load_catalog
from bot.core.analysis.extract import extract_all
from bot.core.analysis.graph import entrypoints, modules_and_edges
from bot.core.analysis.resolve import Resolver, is_resolution_config
from bot.core.analysis.services import collect_services
from bot.core.facts_cache import FactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import Snapshot

# Without a catalog, nothing is matched by name, but signals still make items.
_EMPTY_CATALOG = "{}"


def analyze(snapshot: Snapshot, cache: FactsCache, catalog: object | None = None) -> RepoFacts:
    """The repository's facts. `catalog` is a `Catalog` (see `bot.catalog_file`) or None."""
    if catalog is not None and not isinstance(catalog, Catalog):
        raise TypeError(f"catalog must be a Catalog, not {type(catalog).__name__}")
    facts = extract_all(snapshot, cache)
    entries = snapshot.entries()
    paths = [e.path for e in entries]
    # tsconfig/jsconfig and pnpm-workspace.yaml: few and small, read for resolution only.
    configs = {
        p: snapshot.read(p).decode("utf-8", "replace") for p in paths if is_resolution_config(p)
    }
    resolver = Resolver(paths, facts, configs)
    shas = {e.path: e.sha for e in entries}
    modules, edges = modules_and_edges(paths, facts, resolver, shas)
    services = collect_services(facts, catalog or load_catalog(_EMPTY_CATALOG), shas)
    return RepoFacts(
        source=snapshot.source,
        entrypoints=entrypoints(paths, facts),
        modules=modules,
        edges=edges,
        datastores=services.datastores,
        integrations=services.integrations,
        deployment=services.deployment,
        observability=services.observability,
        resilience=services.resilience,
    )


__all__ = ["analyze", "extract_all"]
