"""Queue fixtures over real storage: a SQLite file in tmp, or a real redis-server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.tasks import Queue, build_queue
from bot.settings import Settings
from tests.app import recording_jobs  # noqa: F401 - registers the test job
from tests.helpers.redis import redis_url  # noqa: F401 - fixture

SECRET = "it's a secret to everybody"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")


@pytest.fixture
def sqlite_queue(settings: Settings) -> Iterator[Queue]:
    queue = build_queue(settings)
    yield queue
    queue.huey.storage.close()


@pytest.fixture
def redis_queue(settings: Settings, redis_url: str) -> Iterator[Queue]:  # noqa: F811
    from dataclasses import replace

    queue = build_queue(replace(settings, redis_url=redis_url))
    yield queue
    queue.huey.storage.pool.disconnect()


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest) -> Queue:
    """The same test over both storages."""
    return request.getfixturevalue(f"{request.param}_queue")  # type: ignore[no-any-return]


def drain(queue: Queue, limit: int = 50) -> int:
    """Run every ready task in this thread, as the consumer would; returns how many ran.

    Tasks due later go to huey's schedule, as the consumer's worker puts them.
    """
    ran = 0
    for _ in range(limit):
        task = queue.huey.dequeue()
        if task is None:
            return ran
        if queue.huey.ready_to_run(task):
            ran += 1
        queue.huey.execute(task)
    raise AssertionError(f"queue did not drain in {limit} tasks")
