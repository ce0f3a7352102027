"""The storage's promises over SQLite and a real redis-server, with explicit clocks."""

from __future__ import annotations

from bot.app.jobs import JobKey
from bot.app.metrics import Metrics, render
from bot.app.storage import DELIVERY_TTL, PENDING_TTL, Entry
from bot.app.tasks import Queue

KEY = JobKey(3, "o/r", "main")
NOW = 1_800_000_000.0


def test_delivery_id_is_remembered_for_three_days_then_forgotten(queue: Queue) -> None:
    entry = [Entry(None, b"task")]
    if queue.storage.kind == "redis":
        # Redis expires by its own clock: check the TTL it was given instead.
        assert not queue.storage.submit("d", entry, now=NOW).duplicate
        ttl = queue.storage.raw().ttl("docs-refresh:delivery:d")
        assert DELIVERY_TTL - 5 <= ttl <= DELIVERY_TTL
        return
    assert not queue.storage.submit("d", entry, now=NOW).duplicate
    assert queue.storage.submit("d", entry, now=NOW + DELIVERY_TTL - 1).duplicate
    assert not queue.storage.submit("d", entry, now=NOW + DELIVERY_TTL + 1).duplicate


def test_stale_pending_marker_never_blocks(queue: Queue) -> None:
    entry = [Entry(KEY, b"task")]
    assert queue.storage.submit(None, entry, now=NOW).enqueued == 1
    assert queue.storage.submit(None, entry, now=NOW + 1).coalesced == 1
    assert queue.storage.submit(None, entry, now=NOW + PENDING_TTL + 1).enqueued == 1


def test_duplicate_delivery_applies_nothing(queue: Queue) -> None:
    queue.storage.submit("d", [Entry(KEY, b"task")], now=NOW)
    queue.storage.clear_pending(KEY)
    again = queue.storage.submit("d", [Entry(KEY, b"task")], now=NOW + 1)
    assert (again.duplicate, again.enqueued) == (True, 0)
    assert queue.huey.pending_count() == 1


def test_github_requests_and_rate_limit_render_as_prometheus(queue: Queue) -> None:
    metrics = Metrics(queue.storage)
    metrics.github_request("get", 200, remaining=4999)
    metrics.github_request("get", 200, remaining=4998)
    metrics.github_request("post", 502)
    text = render(queue.storage.samples())
    assert 'docs_refresh_github_requests_total{method="GET",status="200"} 2' in text
    assert 'docs_refresh_github_requests_total{method="POST",status="502"} 1' in text
    assert "# TYPE docs_refresh_github_rate_limit_remaining gauge" in text
    assert 'docs_refresh_github_rate_limit_remaining{resource="core"} 4998' in text


def test_label_values_are_escaped(queue: Queue) -> None:
    Metrics(queue.storage).delivery('we"ird\nevent', "ignored")
    assert 'event="we\\"ird\\nevent"' in render(queue.storage.samples())
