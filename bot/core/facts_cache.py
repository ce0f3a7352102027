"""The seam for caching per-file facts by blob SHA (promise 7: cost follows the change).

Keys are `"<extractor>@<version>:<blob sha>"`; values are `FileFacts`. Adapters
(`bot/local/facts_cache.py`) store them in SQLite or Redis; the core only sees this protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from bot.core.model import FileFacts


class FactsCache(Protocol):
    def get_many(self, keys: Iterable[str]) -> Mapping[str, FileFacts]:
        """The cached facts for the keys that are present (missing keys are absent)."""

    def put_many(self, items: Mapping[str, FileFacts]) -> None: ...


class MemoryFactsCache:
    """A dict-backed cache that counts hits and misses, for the CLI and the tests."""

    def __init__(self) -> None:
        self.data: dict[str, FileFacts] = {}
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: Iterable[str]) -> Mapping[str, FileFacts]:
        found: dict[str, FileFacts] = {}
        for key in keys:
            if key in self.data:
                found[key] = self.data[key]
                self.hits += 1
            else:
                self.misses += 1
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        self.data.update(items)
