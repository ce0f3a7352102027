"""Structured logs: one JSON object per line, carrying the delivery id, installation and
repository of the work at hand (bound with `context(...)`), and never a token or key.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

_CONTEXT: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "docs_refresh_log_context", default=None
)
# Whatever slips into a message: installation tokens, JWTs, PEM keys, auth headers.
_SECRETS = (
    re.compile(r"gh[pousr]_[A-Za-z0-9_]{16,}"),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
    re.compile(r"(?i)\b(authorization|token|bearer)(\s*[:=]\s*|\s+)(?:(?:token|bearer)\s+)?\S+"),
)
# One scan that any of the patterns above needs to match; most lines skip the four subs.
_MAYBE_SECRET = re.compile(r"gh[pousr]_|eyJ|-----BEGIN|(?i:authorization|token|bearer)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    if _MAYBE_SECRET.search(text) is None:
        return text
    for pattern in _SECRETS[:3]:
        text = pattern.sub(REDACTED, text)
    return _SECRETS[3].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


@contextlib.contextmanager
def context(**fields: Any) -> Iterator[None]:
    """Add fields (delivery, installation, repo, job…) to every record logged inside."""
    token = _CONTEXT.set(
        {**(_CONTEXT.get() or {}), **{k: v for k, v in fields.items() if v is not None}}
    )
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonFormatter(logging.Formatter):
    _cached: tuple[int, str] = (-1, "")  # one tuple: threads never pair a second and a stamp

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        cached_second, stamp = self._cached
        if second != cached_second:  # strftime once a second, not once a line
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._cached = (second, stamp)
        entry: dict[str, Any] = {
            "ts": f"{stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        entry.update(_CONTEXT.get() or {})
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (test captures swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process (idempotent: safe to call twice)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
