"""Helpers for tests that analyse a small invented repository for real (whole `analyze`,
default catalog) and look at its hand-offs."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Handoff, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def ends(h: Handoff) -> tuple[set[str], set[str]]:
    return (
        {f"{e.path}:{e.line}" for e in h.producers},
        {f"{e.path}:{e.line}" for e in h.consumers},
    )


def by_name(facts: RepoFacts) -> dict[str, Handoff]:
    return {h.name: h for h in facts.handoffs}
