from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bot.cache import RedisFactsCache, SqliteFactsCache, facts_cache_for
from bot.core.model import Dependency, FileFacts, ImportRef

FACTS = FileFacts("python", imports=(ImportRef("os", 1),), dependencies=(Dependency("pypi", "x"),))


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
    cache.put_blob("sha", b"# doc\n")
    assert cache.get_blob("sha") == b"# doc\n"


def test_sqlite_cache_round_trips_and_survives_reopen(tmp_path: Path) -> None:
    check_round_trip(SqliteFactsCache(tmp_path / "f.sqlite3"))
    assert SqliteFactsCache(tmp_path / "f.sqlite3").get_many(["a"]) == {"a": FACTS}


def test_redis_cache_round_trips(redis_client: Any) -> None:
    check_round_trip(RedisFactsCache(redis_client))
    assert redis_client.ttl("docs-refresh:facts:a") > 0


def test_cache_follows_the_queue_storage(tmp_path: Path, redis_client: Any) -> None:
    assert isinstance(facts_cache_for(redis_client, tmp_path), RedisFactsCache)
    assert isinstance(facts_cache_for(str(tmp_path / "q.sqlite3"), tmp_path), SqliteFactsCache)
