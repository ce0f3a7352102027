"""Per-file claims reused across runs in one process give what a fresh analysis gives."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.catalog import Catalog
from bot.core.analysis.extract import extract_all
from bot.core.analysis.services import ServiceFacts, collect_services
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

BASE = {
    "app/main.py": b"import redis\nimport stripe\nfrom sentry_sdk import init\n",
    "app/jobs.py": b"import os\nREDIS = os.environ['REDIS_URL']\n",
    "requirements.txt": b"redis\nstripe\nsentry-sdk\n",
    "Gemfile.lock": b"GEM\n  specs:\n    pg (1.5.4)\n\nDEPENDENCIES\n  pg\n",
    "go.mod": b"module example.com/shop\n\nrequire github.com/redis/go-redis/v9 v9.0.0\n",
    "svc/main.go": b'package main\n\nimport "example.com/shop/billing"\n',
}
# Each step changes what other files claim without changing those files' bytes.
STEPS = (
    {"stripe.py": b"# the repository's own module now shadows the package\n"},
    {"Gemfile": b"source 'https://rubygems.org'\ngroup :test do\n  gem 'pg'\nend\n"},
    {"go.mod": b"module example.com/billing\n"},
    {"app/main.py": b"import redis\n"},
)


def _fresh(files: dict[str, bytes]) -> ServiceFacts:
    facts = extract_all(MemorySnapshot(files), MemoryFactsCache())
    return collect_services(facts, default_catalog())


def _reused(files: dict[str, bytes], catalog: Catalog, cache: MemoryFactsCache) -> ServiceFacts:
    snapshot = MemorySnapshot(files)
    facts = extract_all(snapshot, cache)
    return collect_services(facts, catalog, {e.path: e.sha for e in snapshot.entries()})


def test_reused_claims_follow_changes_to_names_gemfiles_and_go_modules() -> None:
    catalog, cache = default_catalog(), MemoryFactsCache()
    files = dict(BASE)
    results = [_reused(files, catalog, cache)]
    assert results[0] == _fresh(files)
    for step in STEPS:
        files.update(step)
        reused = _reused(files, catalog, cache)
        assert reused == _fresh(files), sorted(step)
        results.append(reused)
    # The steps did change the outcome: the test would catch a stale reuse.
    assert len({repr(r) for r in results}) > 2


def test_analyze_twice_in_one_process_gives_the_same_facts() -> None:
    catalog, cache = default_catalog(), MemoryFactsCache()
    first = analyze(MemorySnapshot(BASE), cache, catalog)
    assert analyze(MemorySnapshot(BASE), cache, catalog) == first
    assert analyze(MemorySnapshot(BASE), MemoryFactsCache(), default_catalog()) == first
