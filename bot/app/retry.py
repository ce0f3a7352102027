"""Which job failures are worth another attempt, and when.

Transient GitHub trouble (5xx, 429, secondary rate limits, connection errors) retries with
exponential backoff, never sooner than GitHub's `retry-after` or `x-ratelimit-reset` asks.
User errors (bad markers, bad config) never retry: retrying cannot fix the repository.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from typing import Any

from bot.core.errors import DocsRefreshError

MAX_ATTEMPTS = 6  # the first run plus five retries: about 10 minutes of backoff
BASE_DELAY = 5.0
MAX_DELAY = 900.0
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def retry_delay(exc: BaseException, attempt: int, *, now: float) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when it must not retry."""
    if attempt + 1 >= MAX_ATTEMPTS or not is_transient(exc):
        return None
    backoff = min(MAX_DELAY, BASE_DELAY * 2.0**attempt) * (1 + random.random() / 4)
    hinted = hinted_delay(exc, now=now)
    return backoff if hinted is None else max(backoff, hinted)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DocsRefreshError):
        # The family is for what a person must fix; an adapter may mark one as transient.
        return bool(getattr(exc, "transient", False))
    if getattr(exc, "retry_after", None) is not None:
        return True
    status = _status(exc)
    if status is not None:
        headers = _headers(exc)
        limited = headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
        return status in TRANSIENT_STATUSES or (status == 403 and limited)
    # requests' errors are OSErrors too; ConnectionError and TimeoutError are builtins.
    return isinstance(exc, OSError | TimeoutError)


def hinted_delay(exc: BaseException, *, now: float) -> float | None:
    """What GitHub asked for: `retry-after` (seconds or a date), else the rate-limit reset."""
    explicit: object = getattr(exc, "retry_after", None)
    if isinstance(explicit, int | float):
        return max(0.0, float(explicit))
    headers = _headers(exc)
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        if retry_after.strip().isdigit():
            return float(retry_after)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - now)
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset and reset.strip().isdigit():
        return max(0.0, float(reset) - now) + 1.0  # +1: the reset second itself is still limited
    return None


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    if status is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _headers(exc: BaseException) -> dict[str, str]:
    headers: Any = getattr(exc, "headers", None)
    if headers is None:
        headers = getattr(getattr(exc, "response", None), "headers", None)
    if not isinstance(headers, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items()}
