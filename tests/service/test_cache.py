from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.core.model import Dependency, EnvRead, FileFacts, ImportRef, Signal
from bot.local.facts_cache import RedisFactsCache, SqliteFactsCache, facts_cache_for

FACTS = FileFacts("python", imports=(ImportRef("os", 1),), dependencies=(Dependency("pypi", "x"),))
FULL = FileFacts(
    language="python",
    imports=(ImportRef("os.path", 1), ImportRef("", 2, level=1, names=("sub", "other"))),
    env=(EnvRead("DATABASE_URL", 3),),
    signals=(Signal("entrypoint.http", "Flask route /", 7, "GET /"), Signal("config.x", "X")),
    dependencies=(Dependency("pypi", "flask", 1), Dependency("npm", "left-pad", None, "dev")),
    meta=(("module", "example.com/x"),),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_client(tmp_path: Path) -> Iterator[Any]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield client
    client.close()
    proc.terminate()
    proc.wait(timeout=5)


def check_round_trip(cache: SqliteFactsCache | RedisFactsCache) -> None:
    assert cache.get_many(["a", "b"]) == {}
    cache.put_many({"a": FACTS})
    assert cache.get_many(["a", "b", "a"]) == {"a": FACTS}
    assert cache.get_blob("sha") is None
    cache.put_blobs({"sha": b"# doc\n", "other": b"x: 1\n"})
    assert cache.get_blob("sha") == b"# doc\n"
    assert cache.get_blob("other") == b"x: 1\n"


def test_sqlite_cache_round_trips_and_survives_reopen(tmp_path: Path) -> None:
    check_round_trip(SqliteFactsCache(tmp_path / "f.sqlite3"))
    assert SqliteFactsCache(tmp_path / "f.sqlite3").get_many(["a"]) == {"a": FACTS}


def test_redis_cache_round_trips(redis_client: Any) -> None:
    check_round_trip(RedisFactsCache(redis_client))
    assert redis_client.ttl("docs-refresh:facts:a") > 0


def test_cache_follows_the_queue_storage(tmp_path: Path, redis_client: Any) -> None:
    assert isinstance(facts_cache_for(redis_client, tmp_path), RedisFactsCache)
    assert isinstance(facts_cache_for(str(tmp_path / "q.sqlite3"), tmp_path), SqliteFactsCache)


def test_facts_written_as_json_objects_before_the_compact_rows_still_read(
    tmp_path: Path, redis_client: Any
) -> None:
    old = json.dumps(FULL.to_json(), separators=(",", ":"), sort_keys=True)
    sqlite_cache = SqliteFactsCache(tmp_path / "f.sqlite3")
    with sqlite3.connect(sqlite_cache.path) as db:
        db.execute("INSERT INTO facts (key, value) VALUES (?, ?)", ("old", old.encode()))
    assert sqlite_cache.get_many(["old"]) == {"old": FULL}
    redis_client.set("docs-refresh:facts:old", old)
    assert RedisFactsCache(redis_client).get_many(["old"]) == {"old": FULL}


@pytest.mark.parametrize(
    "stored",
    [
        b"not json",
        b"42",
        b'["python", [], []]',  # a row of another length
        b'["python", [["os", 1]], [], [], [], []]',  # an import of another length
        b'{"language": "python"}',  # an object missing fields
    ],
)
def test_a_value_of_another_shape_is_a_miss(tmp_path: Path, stored: bytes) -> None:
    cache = SqliteFactsCache(tmp_path / "f.sqlite3")
    with sqlite3.connect(cache.path) as db:
        db.execute("INSERT INTO facts (key, value) VALUES (?, ?)", ("k", stored))
    assert cache.get_many(["k"]) == {}


def test_stored_rows_are_compact(tmp_path: Path) -> None:
    cache = SqliteFactsCache(tmp_path / "f.sqlite3")
    cache.put_many({"k": FULL})
    with sqlite3.connect(cache.path) as db:
        (stored,) = db.execute("SELECT value FROM facts WHERE key = 'k'").fetchone()
    assert json.loads(stored)[0] == "python"  # a row, not an object naming every field
    assert len(stored) < len(json.dumps(FULL.to_json(), separators=(",", ":"))) * 0.7
