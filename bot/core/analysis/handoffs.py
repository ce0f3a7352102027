"""Async hand-off sites in one file: where work is put on a queue and where it is taken off.

Per-file and pure (bytes in, `HandoffSite`s out), so the sites are cached with the file's
facts; `movement.pair_handoffs` pairs both ends across files by name. Every language is
scanned line by line, and only when a trigger word is in the file, with anchored patterns
whose repeats are bounded, so a long line cannot make them backtrack (every line is cut at
`MAX_LINE` characters first). Python was read with `ast` first: a walk cost about four times
the file's whole extraction on Django projects, for the same sites on the truth repositories.

What counts, by library (the names pair across files, so a producer in the web process
meets its consumer in the worker):

* Python (`handoffs_python`). Celery: `@shared_task`/`@app.task` definitions; `.delay`,
  `.apply_async`, `.s`/`.si`,
  `send_task("a.b.task")`. huey: `@huey.task`/`@db_task` and `x = huey.task(name=N)(f)`
  (answers to `f`, `x` and `N`); `.s(...)`, `.schedule(...)`. RQ: `@job`, `q.enqueue(f)`,
  `q.enqueue("a.b.f")`; job classes (`class X(JobRunner)`) and `X.enqueue(...)`.
  Dramatiq: `@dramatiq.actor`, `.send`, `.send_with_options`. Django-Q: `async_task(...)`.
  Redis pub/sub: `.publish("channel")` / `.subscribe("channel")`. Redis lists, hashes and
  sets filled in one function and drained in another (`handoffs_redis_python`, called
  from `movement`).
* Ruby (`handoffs_ruby`): Sidekiq, ActiveJob, ActionMailer, Resque, DelayedJob, Action Cable.
* JavaScript/TypeScript: Bull/BullMQ, NestJS, Agenda, pg-boss, graphile-worker, kafkajs,
  amqplib, Redis pub/sub, SQS, Socket.IO (`handoffs_js`).
* Go: channels that feed goroutines (`handoffs_go`), brokers and task queues
  (`handoffs_go_brokers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields
from operator import attrgetter

from bot.core.analysis.handoffs_go import go_sites
from bot.core.analysis.handoffs_js import javascript_sites
from bot.core.analysis.handoffs_python import python_scan
from bot.core.analysis.handoffs_ruby import ruby_sites
from bot.core.analysis.handoffs_temporal_js import temporal_sites
from bot.core.model import HandoffSite

__all__ = ["SITE_ORDER", "go_sites", "iter_names", "javascript_sites", "python_sites"]
__all__ += ["ruby_sites", "sites_for"]


def python_sites(text: str) -> tuple[HandoffSite, ...]:
    """Python hand-off sites (`handoffs_python`), in order."""
    return _sorted(python_scan(text))


# The dataclass's own order as a key: its `__lt__` builds two tuples per compare (2 s of a
# Go file's 100k channel sends).
SITE_ORDER = attrgetter(*(f.name for f in fields(HandoffSite)))


def _sorted(sites: Iterable[HandoffSite]) -> tuple[HandoffSite, ...]:
    return tuple(sorted(set(sites), key=SITE_ORDER))


def sites_for(language: str, text: str) -> tuple[HandoffSite, ...]:
    if language == "python":
        return python_sites(text)
    if language == "ruby":
        return ruby_sites(text)
    if language in ("javascript", "typescript"):
        temporal = temporal_sites(text)
        return _sorted(javascript_sites(text) + temporal) if temporal else javascript_sites(text)
    if language == "go":
        return go_sites(text)
    return ()


def iter_names(site: HandoffSite) -> Iterator[str]:
    yield site.name
    yield from site.aliases
