from __future__ import annotations

import pytest

from bot.app.retry import MAX_ATTEMPTS, hinted_delay, is_transient, retry_delay
from bot.core.errors import ConfigError, MarkerError

NOW = 1_700_000_000.0


class HttpError(Exception):
    """Shaped like PyGithub's GithubException: a status and the response headers."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers or {}


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_errors_are_transient(status: int) -> None:
    assert is_transient(HttpError(status))


def test_secondary_rate_limit_waits_for_retry_after() -> None:
    err = HttpError(403, {"Retry-After": "90"})
    assert is_transient(err)
    delay = retry_delay(err, 0, now=NOW)
    assert delay is not None
    assert delay >= 90


def test_exhausted_primary_limit_waits_for_the_reset() -> None:
    err = HttpError(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 600)})
    assert hinted_delay(err, now=NOW) == 601.0


def test_plain_403_and_404_are_not_transient() -> None:
    assert not is_transient(HttpError(403))
    assert not is_transient(HttpError(404))


def test_user_errors_never_retry() -> None:
    assert retry_delay(MarkerError("bad", path="a.md", line=2), 0, now=NOW) is None
    assert retry_delay(ConfigError("bad"), 0, now=NOW) is None


def test_connection_errors_retry_with_growing_backoff_then_stop() -> None:
    delays = [retry_delay(ConnectionError("reset"), n, now=NOW) for n in range(MAX_ATTEMPTS)]
    assert all(d is not None for d in delays[:-1])
    assert delays[-1] is None
    assert delays[0] is not None
    assert delays[3] is not None
    assert delays[3] > delays[0]


def test_bugs_are_not_retried() -> None:
    assert retry_delay(KeyError("x"), 0, now=NOW) is None
