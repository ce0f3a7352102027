"""Hand-written resilience from syntax trees: timeouts, backoff, Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.core.analysis import resilience
from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.treesitter import find, parse, reading

ROOT = Path(__file__).resolve().parents[3]


def signals(language: str, source: str) -> list[tuple[str, str, int | None]]:
    _, found, _ = outbound_calls(language, source.encode())
    return [(s.kind, s.name, s.line) for s in found]


@pytest.mark.parametrize(
    ("language", "source", "line"),
    [
        ("python", "client = Github(auth=a, timeout=15)\n", 1),
        ("javascript", "axios.get(u, { timeout: 5000 });\n", 1),
        ("ruby", "conn = Faraday.new(url: u, request: { timeout: 5 })\n", 1),
        ("ruby", "host.read_timeout = 10\n", 1),
        ("go", "package a\nvar c = &http.Client{Timeout: 10 * time.Second}\n", 2),
    ],
)
def test_a_timeout_set_at_a_call_is_found(language: str, source: str, line: int) -> None:
    assert ("resilience.timeout", "timeout set on calls", line) in signals(language, source)


def test_a_loop_that_sleeps_a_doubling_delay_is_backoff() -> None:
    src = (
        "import time\n"
        "def call(f):\n"
        "    delay = 1\n"
        "    for attempt in range(5):\n"
        "        try:\n"
        "            return f()\n"
        "        except OSError:\n"
        "            time.sleep(delay)\n"
        "            delay *= 2\n"
    )
    assert ("resilience.backoff", "hand-written backoff", 4) in signals("python", src)


def test_a_delay_computed_as_two_to_the_attempt_is_backoff() -> None:
    src = "def retry_delay(attempt):\n    return min(600, 5 * 2.0**attempt)\n"
    assert signals("python", src) == [("resilience.backoff", "hand-written backoff", 2)]


def test_a_bit_flag_is_not_backoff() -> None:
    assert signals("python", "FLAG_RETRY = 1 << 3\n") == []


def test_a_loop_that_sleeps_a_fixed_time_is_not_backoff() -> None:
    src = "import time\nwhile True:\n    poll_retries()\n    time.sleep(5)\n"
    assert signals("python", src) == []


def test_retry_after_read_in_code_counts_and_in_a_comment_or_sent_header_does_not() -> None:
    src = (
        "# honours retry-after\n"
        "def wait(headers):\n"
        '    return headers.get("retry-after")\n'
        'SENT = {"retry-after": "5"}\n'
    )
    assert signals("python", src) == [("resilience.retry", "Retry-After honoured", 3)]


def test_this_repository_backoff_and_timeouts_are_found() -> None:
    """The issue's own miss: bot/retry.py backs off exponentially and honours Retry-After,
    bot/github/auth.py passes timeout= to PyGithub."""
    retry = next(ROOT.glob("bot/**/retry.py"))
    _, found, _ = outbound_calls("python", retry.read_bytes())
    kinds = {s.kind for s in found}
    assert {"resilience.backoff", "resilience.retry"} <= kinds
    auth = ROOT / "bot" / "github" / "auth.py"
    _, found, _ = outbound_calls("python", auth.read_bytes())
    assert any(s.kind == "resilience.timeout" for s in found)


_POWER_PARTS = ["2", "1", "2.0", "**", "<<", "attempt", "retries", "x", " ", "(", ")", "[", "]",
                "\n", "#", "'", "kwargs", ",", "=", "f(", "*"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["python", "javascript", "ruby", "go"]),
    st.lists(st.sampled_from(_POWER_PARTS), max_size=40),
)
@example("python", ["2", "**", "attempt"])
@example("python", ["f(", "**", "kwargs", ")", "\n", "2", "**", "**", "retries"])
@example("ruby", ["x", "<<", "<<", "1", "<<", "retries"])
def test_powers_found_by_their_operators_are_those_a_walk_finds(
    language: str, parts: list[str]
) -> None:
    # Binary expressions are looked up from where `**` and `<<` are written instead of by a
    # walk over the whole tree: the backoff they show must be the same, broken code included.
    data = "".join(parts).encode()
    root = parse(language, data)
    assume(root is not None)
    with reading(data):
        walked = {
            n.id for n in find(language, root, resilience._BINARY) if resilience._exponential(n)
        }
        looked_up = {
            n.id for n in resilience._powers(language, root, data) if resilience._exponential(n)
        }
    assert looked_up == walked


def test_many_operators_fall_back_to_the_walk() -> None:
    data = b"x = " + b"2 ** y + " * 300 + b"2 ** attempt\n"
    root = parse("python", data)
    assert root is not None
    with reading(data):
        assert (
            len([n for n in resilience._powers("python", root, data) if resilience._exponential(n)])
            == 1
        )
