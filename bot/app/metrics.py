"""Counters and gauges in the queue storage, so web and worker processes on any machine
add to the same numbers; `/metrics` renders them as Prometheus text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.app.storage import Sample, Storage, labels_text

DELIVERIES = "docs_refresh_webhook_deliveries_total"
JOBS = "docs_refresh_jobs_total"
GITHUB_REQUESTS = "docs_refresh_github_requests_total"
RATE_LIMIT = "docs_refresh_github_rate_limit_remaining"
QUEUE_PENDING = "docs_refresh_queue_pending"
QUEUE_SCHEDULED = "docs_refresh_queue_scheduled"

FAMILIES: dict[str, tuple[str, str]] = {  # name -> (type, help)
    DELIVERIES: ("counter", "Webhook deliveries by event and outcome."),
    JOBS: ("counter", "Worker jobs by job name and outcome."),
    GITHUB_REQUESTS: ("counter", "Requests made to the GitHub API by method and status."),
    RATE_LIMIT: ("gauge", "GitHub rate-limit remaining, as last seen per resource."),
    QUEUE_PENDING: ("gauge", "Jobs waiting in the queue."),
    QUEUE_SCHEDULED: ("gauge", "Jobs scheduled for later (retries, lock waits)."),
}


class Metrics:
    """The recording side. The GitHub adapter calls `github_request` for every response."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def delivery(self, event: str, outcome: str) -> None:
        self.storage.incr(DELIVERIES, (("event", event), ("outcome", outcome)))

    def job(self, name: str, outcome: str) -> None:
        self.storage.incr(JOBS, (("job", name), ("outcome", outcome)))

    def github_request(
        self, method: str, status: int, remaining: int | None = None, resource: str = "core"
    ) -> None:
        self.storage.incr(GITHUB_REQUESTS, (("method", method.upper()), ("status", str(status))))
        if remaining is not None:
            self.storage.set_gauge(RATE_LIMIT, (("resource", resource),), float(remaining))


def render(samples: Iterable[Sample]) -> str:
    """Prometheus text exposition format 0.0.4, families in a fixed order."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    lines: list[str] = []
    for name in sorted(by_name, key=lambda n: (n not in FAMILIES, n)):
        kind, help_text = FAMILIES.get(name, ("untyped", name))
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for sample in sorted(by_name[name], key=lambda s: s.labels):
            labels = f"{{{sample.labels}}}" if sample.labels else ""
            lines.append(f"{name}{labels} {_number(sample.value)}")
    return "\n".join(lines) + "\n"


def gauge(name: str, value: float, **labels: str) -> Sample:
    return Sample(name, labels_text(tuple(labels.items())), value)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


GITHUB_LOGGER = "github.Requester"
_PYGITHUB_RESPONSE = "%s %s://%s%s %s %s ==> %i %s %s"  # Requester.__log's format


class GithubResponses(logging.Handler):
    """Counts PyGithub's responses from its debug log record (its one per-response hook).

    Installed on PyGithub's logger only, which stops propagating: its debug records (with
    masked headers) never reach the process's log; its other records are passed on.
    """

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(logging.DEBUG)
        self.metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if record.msg == _PYGITHUB_RESPONSE and isinstance(args, tuple) and len(args) == 9:
            verb, status, headers = args[0], args[6], args[7]
            if not isinstance(headers, dict):
                headers = {}
            remaining = headers.get("x-ratelimit-remaining")
            try:
                self.metrics.github_request(
                    str(verb),
                    int(str(status)),
                    None if remaining is None else int(str(remaining)),
                    str(headers.get("x-ratelimit-resource", "core")),
                )
            except Exception:  # metrics must never break a refresh
                self.handleError(record)
        elif record.levelno >= logging.INFO:
            logging.getLogger().handle(record)


def count_github_responses(metrics: Metrics) -> None:
    """Install `GithubResponses` once per process (the worker's)."""
    logger = logging.getLogger(GITHUB_LOGGER)
    if any(isinstance(h, GithubResponses) for h in logger.handlers):
        return
    logger.addHandler(GithubResponses(metrics))
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
