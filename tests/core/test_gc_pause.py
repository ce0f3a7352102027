"""The collector pause: process-wide state shared by the worker's threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.core import gc_pause
from bot.core.config import RepoConfig
from bot.core.facts_cache import MemoryFactsCache
from bot.core.refresh import refresh
from bot.core.snapshot import MemorySnapshot


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    assert gc_pause._inside == 0, "a pause was left open"
    gc.enable()


def test_paused_inside_and_resumed_after() -> None:
    with gc_pause.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), gc_pause.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with gc_pause.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_nested_pauses_resume_only_at_the_outermost() -> None:
    with gc_pause.paused():
        with gc_pause.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@contextmanager
def another_thread_inside() -> Iterator[None]:
    """Another thread's analysis, inside a pause while the block runs, leaving after it."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gc_pause.paused():
            entered.set()
            release.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    assert entered.wait(10)
    try:
        yield
    finally:
        release.set()
        other.join(10)


def test_resumed_only_when_the_last_thread_leaves() -> None:
    with another_thread_inside():
        with gc_pause.paused():
            pass
        assert not gc.isenabled(), "the other thread is still inside"
    assert gc.isenabled()


def test_overlapping_analyses_still_collect_now_and_then() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collections.append(info["generation"])

    with another_thread_inside():
        gc.callbacks.append(seen)
        try:
            for _ in range(gc_pause.COLLECT_EVERY - 1):
                with gc_pause.paused(), gc_pause.paused():  # a refresh and its analysis
                    pass
            assert collections == [], "nested blocks count once, and not before the 8th"
            with gc_pause.paused():
                pass
            assert collections == [0], "the COLLECT_EVERY-th to finish collects the young"
            assert not gc.isenabled()
        finally:
            gc.callbacks.remove(seen)
    assert gc.isenabled()


def test_refresh_leaves_the_collector_as_it_found_it() -> None:
    snapshot = MemorySnapshot({"app.py": b"import os\nos.environ['X']\n", "README.md": b"# x\n"})
    refresh(snapshot, RepoConfig(), cache=MemoryFactsCache(), catalog=None)
    assert gc.isenabled()
    gc.disable()
    refresh(snapshot, RepoConfig(), cache=MemoryFactsCache(), catalog=None)
    assert not gc.isenabled()
