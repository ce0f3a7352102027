"""Helpers shared by the manifest and config extractors.

`FileExtractor` wraps a function of the file's bytes alone: the path only chooses the
extractor, never the facts, because cached facts are keyed by extractor and blob SHA.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from posixpath import basename

from bot.core.analysis.claims import Claims
from bot.core.lazy_pattern import lazy
from bot.core.limits import MAX_SCAN_CHARS
from bot.core.model import FileFacts

URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
ENV_REF = lazy(r"""ENV(?:\.fetch\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']""")


@dataclass(slots=True)
class FileExtractor:
    """Satisfies the `Extractor` protocol of `bot.core.analysis.extractors` structurally."""

    name: str
    version: int
    match: Callable[[str], bool]
    parse: Callable[[bytes], FileFacts]
    # A superset of the paths `match` accepts, for the registry's index (None: ask always).
    claims: Claims | None = None

    def matches(self, path: str) -> bool:
        return self.match(path)

    def extract(self, path: str, data: bytes) -> FileFacts:
        return self.parse(data)


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff")


def base(path: str) -> str:
    return basename(path)


def parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


# Line searches scan forward from a section's start, once per key or dependency: on a
# manifest of 20k dependencies that is quadratic. Each list of lines gets a budget of
# characters visited; once spent, searches answer None (the evidence has no line number).
_BUDGETS: list[tuple[list[str], list[int]]] = []  # (lines, [visits left]): the last few


def _budget(lines: list[str]) -> list[int]:
    for known, left in _BUDGETS:
        if known is lines:
            return left
    left = [MAX_SCAN_CHARS]
    _BUDGETS.insert(0, (lines, left))
    del _BUDGETS[4:]
    return left


def _scan(lines: list[str], start: int, test: Callable[[str], bool]) -> int | None:
    left = _budget(lines)
    for index in range(max(start, 0), len(lines)):
        if left[0] <= 0:
            return None
        line = lines[index]
        left[0] -= len(line) + 1
        if test(line):
            return index + 1
    return None


def find_line(lines: list[str], pattern: str, start: int = 0, flags: int = 0) -> int | None:
    """1-based number of the first line at index >= start matching `pattern`."""
    if _budget(lines)[0] <= 0:
        return None  # spent: not even the compile (~0.1 ms a pattern, one per key)
    search = re.compile(pattern, flags).search
    return _scan(lines, start, lambda line: search(line) is not None)


# Plain-text finders for needles that change with every call (one per dependency): each
# new pattern would cost `find_line` a regex compile (~0.1 ms), more than the search.


def find_text(lines: list[str], needle: str, start: int = 0) -> int | None:
    """1-based number of the first line at index >= start containing `needle`."""
    return _scan(lines, start, lambda line: needle in line)


def find_quoted(lines: list[str], needle: str, start: int = 0) -> int | None:
    """Like `find_text`, where `needle` follows a quote and optional spaces (`"  needle`)."""

    def test(line: str) -> bool:
        at = line.find(needle)
        while at >= 0:
            j = at - 1
            while j >= 0 and line[j] in " \t\r\n\f\v":
                j -= 1
            if j >= 0 and line[j] in "\"'":
                return True
            at = line.find(needle, at + 1)
        return False

    return _scan(lines, start, test)


def find_line_start(lines: list[str], needle: str, start: int = 0) -> int | None:
    """Like `find_text`, where the line starts with `needle` after its indentation."""
    return _scan(lines, start, lambda line: line.lstrip().startswith(needle))


def url_scheme(value: str) -> str:
    """The scheme of a URL-looking value (``postgresql+psycopg://…`` → ``postgresql+psycopg``)."""
    match = URL_SCHEME.match(value.strip().strip("\"'"))
    return match.group(1).lower() if match else ""


# --- process classification (Procfile, compose, package.json, platform configs) ----------

# `.*` between two words is bounded: a long line of the first word would otherwise be
# scanned to its end from each occurrence.
_HTTP = re.compile(
    r"gunicorn|uvicorn|hypercorn|daphne|waitress|granian|\bflask run|runserver|\bpuma\b|"
    r"\brails s(erver)?\b|\bunicorn\b|\bthin start|next start|nuxt start|react-router-serve|"
    r"remix-serve|\bnode\b[^\n]{0,200}?\b(server|app|index|main)\b|\bnpm (run )?start|yarn start|"
    r"pnpm start|serve\b|http-server|\bbin/web\b|\bweb\b"
)
_SCHEDULER = re.compile(
    r"celery\b[^\n]{0,200}?\bbeat\b|\bclockwork\b|rq-?scheduler|\bcron\b|crond|\bscheduler\b|"
    r"sidekiq-cron|whenever|\bclock\b"
)
_WORKER = re.compile(
    r"celery\b[^\n]{0,200}?\bworker\b|\bsidekiq\b|\brq worker\b|huey_consumer|\bdramatiq\b|\barq\b|"
    r"good_job|jobs:work|solid_queue|\bresque\b|\bworker\b|\bconsumer\b|\bqueue\b|shoryuken|"
    r"bullmq|\bdelayed_job\b|taskiq|temporal"
)
_HTTP_NAMES = {"web", "app", "api", "server", "http", "frontend", "backend", "site", "nginx"}
_WORKER_NAMES = {"worker", "workers", "jobs", "queue", "consumer", "sidekiq", "celery", "rq"}
_SCHEDULER_NAMES = {"clock", "scheduler", "cron", "beat", "celerybeat", "celery-beat", "clockwork"}


def process_kind(name: str, command: str, default: str | None) -> str | None:
    """Classify a named process: http, worker, scheduler — or `default` when unclear.

    The name wins over the command (Heroku's convention: ``web`` gets the router,
    ``worker``/``clock`` don't); a one-off ``release`` phase is not an entry point.
    """
    key = name.lower()
    if key == "release":
        return None
    if key in _SCHEDULER_NAMES or key.endswith(("-beat", "_beat", "-cron", "_cron")):
        return "scheduler"
    if key in _WORKER_NAMES or key.startswith("worker") or key.endswith(("-worker", "_worker")):
        return "worker"
    if key in _HTTP_NAMES:
        return "http"
    text = command.lower()
    if _SCHEDULER.search(text):
        return "scheduler"
    if _WORKER.search(text):
        return "worker"
    if _HTTP.search(text):
        return "http"
    return default
