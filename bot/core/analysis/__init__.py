"""Grounded repository analysis: a snapshot in, `RepoFacts` out, every item with evidence.

`analyze` composes the three stages: per-file facts (`extract.extract_all`, cached by blob
SHA), structure (`graph`: modules, edges, entry points) and services (`services`:
datastores, integrations, deployment, observability, resilience through the catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from bot.core.analysis.blueprints import blueprint_prefixes
from bot.core.analysis.calls import MAX_BYTES, memo_class_names, memo_file_calls
from bot.core.analysis.catalog import Catalog
from bot.core.analysis.egress_families import families, without_dead
from bot.core.analysis.egress_plugins import plugin_sources
from bot.core.analysis.egress_services import egress_services, merge_integrations
from bot.core.analysis.extract import extract_all
from bot.core.analysis.framework_config import buckets_apart, framework_integrations
from bot.core.analysis.graph import (
    build_entrypoints,
    build_graph,
    is_test_path,
    update_entrypoints,
    update_graph,
)
from bot.core.analysis.handoff_job_files import scheduled_job_files, with_job_files
from bot.core.analysis.handoff_links import link_handoffs
from bot.core.analysis.handoffs_bridged_js import with_bridged_events
from bot.core.analysis.maintainer_tools import maintainer_tools, without_tools
from bot.core.analysis.mounts import mount_prefixes, with_mounts
from bot.core.analysis.movement import collect_schedules, confirm_producers, pair_handoffs
from bot.core.analysis.processes import merge_processes
from bot.core.analysis.resolve import Resolver, is_resolution_config
from bot.core.analysis.services import build_services, update_services
from bot.core.call_sites import FileCalls
from bot.core.facts_cache import FactsCache
from bot.core.flows import build_flows, is_development
from bot.core.gc_pause import paused
from bot.core.job_budget import JobBudget
from bot.core.limits import MAX_NESTING, nesting_depth
from bot.core.model import FileFacts, RepoFacts, Skipped, facts_unchanged
from bot.core.snapshot import FileEntry, Snapshot
from bot.core.warm import Delta, Warm

# Without a catalog, nothing is matched by name, but signals still make items.
_EMPTY_CATALOG = Catalog((), ())


def analyze(
    snapshot: Snapshot,
    cache: FactsCache,
    catalog: object | None = None,
    warm: Warm | None = None,
    *,
    budget: JobBudget | None = None,
) -> RepoFacts:
    """The repository's facts. `catalog` is a `Catalog` (see `bot.local.catalog_file`) or None.
    `warm` (the previous analysis of this repository, see `bot.core.warm`) is updated.
    `budget`: the job's time, checked after each file read and between stages."""
    if catalog is not None and not isinstance(catalog, Catalog):
        raise TypeError(f"catalog must be a Catalog, not {type(catalog).__name__}")
    with paused():  # see bot.core.gc_pause: the collector would free nothing here
        if warm is None:
            return _analyze(snapshot, cache, catalog, None, budget)
        try:
            return _analyze(snapshot, cache, catalog, warm, budget)
        except BaseException:
            warm.forget()  # it may be half-updated: the next analysis starts from nothing
            raise


def _analyze(
    snapshot: Snapshot,
    cache: FactsCache,
    catalog: Catalog | None,
    warm: Warm | None,
    budget: JobBudget | None = None,
) -> RepoFacts:
    # Each check names the stage that has just ended (where the time went); none after the
    # last stage: the work is done by then, and what follows is bounded.
    check = budget.check if budget is not None else _no_check
    check("getting the repository")
    entries = snapshot.entries()
    delta = warm.delta(entries) if warm is not None and warm.catalog is catalog else None
    if warm is None or delta is None:
        facts = extract_all(snapshot, cache, budget=budget)
    else:
        facts = _carry_over(warm, delta, snapshot, cache, budget)
        configs_same = not any(is_resolution_config(p) for p in delta.changed)
        if delta.same_paths and configs_same and facts_unchanged(warm.facts, facts, delta.changed):
            assert warm.repo_facts is not None  # a delta is only given after an analysis
            same = replace(warm.repo_facts, source=snapshot.source)
            warm.remember(catalog, entries, facts, same, edited=delta.changed)
            return same
    check("reading files")
    paths = [e.path for e in entries]
    # Below, each stage is moved by the changed files when the paths are the same as last
    # time (`update_*`), and built from every file otherwise.
    same_paths = warm is not None and delta is not None and delta.same_paths
    if warm is not None and same_paths and _resolver_holds(warm, delta, facts):
        resolver = warm.resolver
    else:
        # tsconfig/jsconfig and pnpm-workspace.yaml: few and small, read for resolution only.
        # One nested past the limit is left out (its file is skipped by its extractor too).
        configs = {
            p: data.decode("utf-8", "replace")
            for p in paths
            if is_resolution_config(p) and nesting_depth(data := snapshot.read(p)) <= MAX_NESTING
        }
        resolver = Resolver(paths, facts, configs)
    check("resolving imports")
    shas = {e.path: e.sha for e in entries}
    changed = delta.changed if delta is not None else []
    before = warm.facts if warm is not None else {}
    graph = warm.graph if warm is not None and same_paths else None
    if graph is None or not update_graph(graph, changed, facts, resolver):
        graph = build_graph(paths, facts, resolver, shas)
    check("building the module graph")
    services = warm.services if warm is not None and same_paths else None
    if services is None or not update_services(services, changed, facts, before):
        services = build_services(facts, catalog or _EMPTY_CATALOG, shas)
    entries_state = warm.entrypoints if warm is not None and same_paths else None
    if entries_state is None or not update_entrypoints(entries_state, changed, facts, before):
        entries_state = build_entrypoints(paths, facts)
    found = services.facts
    _, called = egress_services(facts, catalog or _EMPTY_CATALOG)
    integrations = framework_integrations(
        facts, merge_integrations(found.integrations, called), catalog or _EMPTY_CATALOG
    )
    datastores, integrations = buckets_apart(found.datastores, integrations)
    datastores, integrations = plugin_sources(
        facts, datastores, integrations, catalog or _EMPTY_CATALOG
    )
    family = families(facts)  # a plugin family only a comment loads names nothing
    datastores = without_dead(datastores, family, facts)
    integrations = without_dead(integrations, family, facts)
    tools = maintainer_tools(facts, paths, _deploy_reader(snapshot, entries))
    datastores, integrations = without_tools(datastores, tools), without_tools(integrations, tools)
    check("naming services")
    read_text = _text_reader(snapshot, entries, facts)
    linked = link_handoffs(facts, resolver.resolve, read_text, is_test_path)
    # Both views also get the jobs named by their file (`registerJob({ name: 'x' })` →
    # `jobs/x.js`) and the events a bridged bus carries to other instances.
    linked = replace(
        linked,
        facts=with_bridged_events(with_job_files(linked.facts, read_text, is_test_path)),
        for_flows=with_bridged_events(with_job_files(linked.for_flows, read_text, is_test_path)),
    )
    handoffs = pair_handoffs(linked.facts, is_test_path, linked.derived)
    for_flows = confirm_producers(linked.for_flows, handoffs)
    schedules = collect_schedules(facts, is_test_path, is_development)
    # a schedule named like a job file runs that file: its flow starts there
    schedules = scheduled_job_files(schedules, facts, read_text, is_test_path)
    # Routes files say where they are mounted only in the files that mount them.
    # (JavaScript routers by `app.use`, Flask blueprints and FastAPI routers by registration.)
    prefixes = blueprint_prefixes(facts, resolver.resolve) | mount_prefixes(facts, resolver.resolve)
    entrypoints = with_mounts(entries_state.result, prefixes)
    entrypoints = merge_processes(entrypoints, facts)  # a bin, a script, a compose service
    flows = build_flows(
        entrypoints + entries_state.overflow(),
        for_flows,
        resolver.resolve,
        handoffs,
        datastores + integrations,
        # a maintainer's tool in bin/ (`maintainer_tools`) starts no flow of the product
        skip=(lambda p: p in tools or is_test_path(p)) if tools else is_test_path,
        schedules=schedules,
        read_calls=_calls_reader(snapshot, entries, facts),
        read_classes=_classes_reader(snapshot, entries, facts),
    )
    out = RepoFacts(
        source=snapshot.source,
        entrypoints=entrypoints,
        modules=graph.modules,
        edges=graph.edges,
        datastores=datastores,
        integrations=integrations,
        deployment=found.deployment,
        observability=found.observability,
        resilience=found.resilience,
        handoffs=handoffs,
        schedules=schedules,
        flows=flows,
        skipped=skipped_files(facts),
    )
    if warm is not None:
        warm.resolver, warm.graph, warm.services = resolver, graph, services
        warm.entrypoints = entries_state
        warm.remember(catalog, entries, facts, out, edited=None)
    return out


def _calls_reader(
    snapshot: Snapshot, entries: Sequence[FileEntry], facts: Mapping[str, FileFacts]
) -> Callable[[str], FileCalls | None]:
    """A file's calls for the flows, read and parsed when a flow's walk first reaches it
    (a few hundred files of a large repository, not all of them)."""
    by_path = {e.path: e for e in entries}

    def read(path: str) -> FileCalls | None:
        f = facts.get(path)
        entry = by_path.get(path)
        if f is None or f.skip_reason is not None or entry is None or entry.size > MAX_BYTES:
            return None  # not read by its extractor either, or too large to parse
        tsx = path.endswith(".tsx")
        return memo_file_calls(entry.sha, f.language, lambda: snapshot.read(path), tsx)

    return read


def _classes_reader(
    snapshot: Snapshot, entries: Sequence[FileEntry], facts: Mapping[str, FileFacts]
) -> Callable[[str], frozenset[str] | None]:
    """The names a Python file's class lines may define (`class_heads`), for the files
    `_calls_reader` would read; None when only a parse can tell."""
    by_path = {e.path: e for e in entries}

    def read(path: str) -> frozenset[str] | None:
        f = facts.get(path)
        entry = by_path.get(path)
        if f is None or f.skip_reason is not None or entry is None or entry.size > MAX_BYTES:
            return frozenset()  # not parsed for its calls either: no classes
        return memo_class_names(entry.sha, lambda: snapshot.read(path))

    return read


def _text_reader(
    snapshot: Snapshot, entries: Sequence[FileEntry], facts: Mapping[str, FileFacts]
) -> Callable[[str], str | None]:
    """A file's text for `link_handoffs` (the callers of a producer wrapper), when its
    extractor read it and it is not too large."""
    sizes = {e.path: e.size for e in entries}

    def read(path: str) -> str | None:
        f = facts.get(path)
        if f is None or f.skip_reason is not None or sizes.get(path, MAX_BYTES + 1) > MAX_BYTES:
            return None
        return snapshot.read(path).decode("utf-8", "replace")

    return read


def _deploy_reader(snapshot: Snapshot, entries: Sequence[FileEntry]) -> Callable[[str], str | None]:
    """Any file's text, not too large (a `bin/` shell script no extractor takes included):
    where `maintainer_tools` looks for the programs the deployment runs."""
    sizes = {e.path: e.size for e in entries}

    def read(path: str) -> str | None:
        if sizes.get(path, MAX_BYTES + 1) > MAX_BYTES:
            return None
        return snapshot.read(path).decode("utf-8", "replace")

    return read


def skipped_files(facts: Mapping[str, FileFacts]) -> tuple[Skipped, ...]:
    """The files an extractor takes but could not read, with the reason, by path."""
    return tuple(
        Skipped(path, reason)
        for path, file in facts.items()
        if file.meta and (reason := file.skip_reason) is not None
    )


def _no_check(stage: str) -> None:
    pass


def _carry_over(
    warm: Warm,
    delta: Delta,
    snapshot: Snapshot,
    cache: FactsCache,
    budget: JobBudget | None = None,
) -> dict[str, FileFacts]:
    """This snapshot's per-file facts: the previous ones, with changed and new files'."""
    fresh = (
        extract_all(snapshot, cache, delta.changed + delta.added, budget=budget)
        if delta.changed or delta.added
        else {}
    )
    facts = dict(warm.facts)
    if delta.same_paths:
        facts.update(fresh)  # same keys, same order: an extractor's choice is by path
        return facts
    for path in (*delta.removed, *delta.changed):
        facts.pop(path, None)
    facts.update(fresh)
    return dict(sorted(facts.items()))  # the order a full extraction gives


def _resolver_holds(warm: Warm, delta: Delta | None, facts: Mapping[str, FileFacts]) -> bool:
    """Whether the last resolver is this snapshot's: it reads the path list, manifests'
    metadata (`meta`) and the resolution configs, nothing else."""
    if warm.resolver is None or delta is None or not delta.same_paths:
        return False
    if any(is_resolution_config(p) for p in delta.changed):
        return False
    return facts_unchanged(warm.facts, facts, delta.changed, "meta")


__all__ = ["analyze", "extract_all"]
