"""One file's extraction ends at its CPU deadline: the file is skipped, the run goes on."""

from __future__ import annotations

import re
import time

import pytest

from bot.core.analysis import extractors
from bot.core.analysis.extractors import TIMED_OUT, extract_one
from bot.core.model import FileFacts


class _Backtracking:
    """An extractor with the kind of pattern issue 15 found: exponential on its input."""

    name = "backtracking"
    version = 1
    language = "python"

    def matches(self, path: str) -> bool:
        return True

    def extract(self, path: str, data: bytes) -> FileFacts:
        re.match(r"(a+)+b", data.decode())  # holds the GIL, in C, for hours on 40 "a"s
        return FileFacts(language="python")


class _Recursing(_Backtracking):
    def extract(self, path: str, data: bytes) -> FileFacts:
        def down(n: int) -> int:
            return down(n + 1)

        down(0)
        raise AssertionError


def test_a_runaway_pattern_is_stopped_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extractors, "FILE_SECONDS", 0.3)
    start = time.process_time()
    facts = extract_one(_Backtracking(), "x.py", b"a" * 40)
    assert time.process_time() - start < 5
    assert facts.skip_reason == TIMED_OUT


def test_a_parser_that_recurses_without_end_skips_its_file() -> None:
    facts = extract_one(_Recursing(), "x.py", b"x")
    assert facts.skip_reason is not None
    assert "deeper" in facts.skip_reason


class _Wrapping(_Backtracking):
    """A parser in C that calls back into Python (tree-sitter's progress callback): the
    deadline's FileTimeout raised in the callback comes out as the parser's SystemError."""

    def extract(self, path: str, data: bytes) -> FileFacts:
        from bot.core.analysis.deadline import FileTimeout

        try:
            n = 0
            while True:  # until the profiling timer's signal
                n += 1
        except FileTimeout as err:
            raise SystemError("error return with an exception set") from err


class _Failing(_Backtracking):
    def extract(self, path: str, data: bytes) -> FileFacts:
        raise ValueError("a parser's own failure")


def test_the_deadline_reported_as_another_error_is_still_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extractors, "FILE_SECONDS", 0.2)
    assert extract_one(_Wrapping(), "x.py", b"x").skip_reason == TIMED_OUT
    # before the deadline, a parser's failure is its own (and cached as such)
    assert extract_one(_Failing(), "x.py", b"x").skip_reason == "could not be read (ValueError)"
