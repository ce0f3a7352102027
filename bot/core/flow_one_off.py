"""Workers that only migrations set going: one-off jobs, not the running product's work.

A schema or data migration (`db/migrate/`, `db/data/` in Rails, `migrations/` in Django,
Alembic, Knex…) that enqueues a job runs once per deploy, from the release command. A job
whose every producer is such a migration (or another such job: a backfill that fans out per
user) is run by that command, so its flows are ranked with the commands (``cli``), not with
the deployment's workers. A job any clock runs, or that other code enqueues, keeps its rank.
Pure: hand-offs and schedules in, the consumer files out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.core.model import Handoff, Schedule

_MIGRATIONS = re.compile(r"(?:^|/)(?:db/(?:migrate|data)|migrations|alembic/versions)/")
MAX_ROUNDS = 4  # levels of jobs enqueued by one-off jobs
MAX_SCHEDULE_WORDS = 20  # words of a schedule's name and target read for the jobs it runs


def one_off_workers(handoffs: Sequence[Handoff], schedules: Iterable[Schedule]) -> frozenset[str]:
    """The files of hand-off consumers whose every hand-off is put in only by migrations or
    by such consumers, and which no schedule names."""
    clocked = {
        w.rsplit("::", 1)[-1]
        for s in schedules
        for w in f"{s.name} {s.target}".split()[:MAX_SCHEDULE_WORDS]
    }
    by_file: dict[str, list[Handoff]] = {}
    for h in handoffs:
        for ev in h.consumers:
            by_file.setdefault(ev.path, []).append(h)
    found: set[str] = set()
    for _ in range(MAX_ROUNDS):
        more = {
            path
            for path, consumed in by_file.items()
            if path not in found
            and all(
                h.producers
                and h.name not in clocked
                and all(_MIGRATIONS.search(p.path) or p.path in found for p in h.producers)
                for h in consumed
            )
        }
        if not more:
            break
        found |= more
    return frozenset(found)


__all__ = ["one_off_workers"]
