"""Facts by blob SHA (and small doc/config blobs), kept in the queue's storage.

Same interface as `bot.core.facts_cache.FactsCache`, plus `get_blob`/`put_blobs` for the
remote snapshot. A SQLite file under DATA_DIR on one machine, Redis when several share
it. Entries are keyed by content, so they never go stale; Redis entries get a long TTL
(refreshed on write) so a removed repository's facts eventually leave.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.core.model import FileFacts

REDIS_PREFIX = "docs-refresh:facts:"
REDIS_BLOB_PREFIX = "docs-refresh:blob:"
REDIS_TTL = 30 * 24 * 3600
BATCH = 500  # SQLite's variable limit is 999 on old builds


def _dump(facts: FileFacts) -> bytes:
    return json.dumps(facts.to_row(), separators=(",", ":")).encode()


def _load(raw: bytes | str) -> FileFacts | None:
    try:
        data = json.loads(raw)
        if isinstance(data, list):
            return FileFacts.from_row(data)
        # Written before the compact rows (a JSON object per file): still good facts.
        return FileFacts.from_json(data)
    except (ValueError, KeyError, TypeError):  # another shape: a miss, recomputed
        return None


class SqliteFactsCache:
    """One SQLite file; safe across threads and processes (WAL, short transactions)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS blobs (sha TEXT PRIMARY KEY, value BLOB)")

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def get_many(self, keys: Iterable[str]) -> Mapping[str, FileFacts]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, FileFacts] = {}
        db = self._db()
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, value FROM facts WHERE key IN ({marks})", chunk)  # noqa: S608 (placeholders only)
            for key, value in rows:
                facts = _load(value)
                if facts is not None:
                    found[key] = facts
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        if not items:
            return
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)",
                [(k, _dump(v)) for k, v in items.items()],
            )

    def get_blob(self, sha: str) -> bytes | None:
        row = self._db().execute("SELECT value FROM blobs WHERE sha = ?", (sha,)).fetchone()
        return None if row is None else zlib.decompress(row[0])

    def put_blobs(self, items: Mapping[str, bytes]) -> None:
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO blobs (sha, value) VALUES (?, ?)",
                [(sha, zlib.compress(data)) for sha, data in items.items()],
            )


class RedisFactsCache:
    """Facts as JSON strings under `docs-refresh:facts:<key>` in a shared Redis."""

    def __init__(self, client: Any, ttl: int = REDIS_TTL) -> None:
        self._redis = client
        self._ttl = ttl

    def get_many(self, keys: Iterable[str]) -> Mapping[str, FileFacts]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, FileFacts] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            values = self._redis.mget([REDIS_PREFIX + k for k in chunk])
            for key, value in zip(chunk, values, strict=True):
                facts = None if value is None else _load(value)
                if facts is not None:
                    found[key] = facts
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        if not items:
            return
        with self._redis.pipeline(transaction=False) as pipe:
            for key, facts in items.items():
                pipe.set(REDIS_PREFIX + key, _dump(facts), ex=self._ttl)
            pipe.execute()

    def get_blob(self, sha: str) -> bytes | None:
        value = self._redis.get(REDIS_BLOB_PREFIX + sha)
        return None if value is None else zlib.decompress(value)

    def put_blobs(self, items: Mapping[str, bytes]) -> None:
        with self._redis.pipeline(transaction=False) as pipe:
            for sha, data in items.items():
                pipe.set(REDIS_BLOB_PREFIX + sha, zlib.compress(data), ex=self._ttl)
            pipe.execute()


def facts_cache_for(raw: Any, data_dir: Path) -> SqliteFactsCache | RedisFactsCache:
    """The cache beside the queue: Redis when the storage is Redis, else a SQLite file."""
    if raw is not None and hasattr(raw, "mget"):
        return RedisFactsCache(raw)
    return SqliteFactsCache(data_dir / "facts.sqlite3")
