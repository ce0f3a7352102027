"""The storage on the SQLite file that also holds huey's queue (one machine).

Every write shares huey's connection and runs in one `BEGIN EXCLUSIVE` transaction, so
claiming a delivery and inserting its task into huey's `task` table commit together;
concurrent submits of one process share a transaction (`group_commit`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import sqlite3
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.app.jobs import Drop, JobKey
from bot.app.storage import (
    DELIVERY_TTL,
    PENDING_TTL,
    REMOVAL_TTL,
    Entry,
    Sample,
    Submitted,
    labels_text,
)
from bot.app.storage.group_commit import GroupCommit

SCHEMA = (
    "create table if not exists dr_delivery (id text primary key, expires_at real not null)",
    "create index if not exists dr_delivery_expiry on dr_delivery (expires_at)",
    "create table if not exists dr_pending (installation_id integer not null, name text not null,"
    " since real not null, primary key (installation_id, name))",
    "create table if not exists dr_removed (installation_id integer not null, repo text not null,"
    " at real not null, primary key (installation_id, repo))",
    "create table if not exists dr_lock (name text primary key, token text not null,"
    " expires_at real not null)",
    "create table if not exists dr_metric (name text not null, labels text not null,"
    " value real not null, gauge integer not null, primary key (name, labels))",
)
_UPSERT = (
    "insert into dr_metric (name, labels, value, gauge) values (?, ?, ?, ?)"
    " on conflict (name, labels) do update set value = "
)
COUNTER_UPSERT = _UPSERT + "dr_metric.value + excluded.value"
GAUGE_UPSERT = _UPSERT + "excluded.value"
PURGE_EVERY = 500  # submits between sweeps of expired delivery ids


class SqliteStore:
    kind = "sqlite"

    def __init__(self, huey_storage: Any) -> None:
        self._huey = huey_storage  # huey.storage.SqliteStorage
        self._submits = 0
        self._writes = GroupCommit(self._batch_transaction)
        self._intake = (-1, -1)  # (pid, fd) of the intake lock file: one per process
        # Delivery counters of the batch being written: one upsert per label set and batch
        # instead of one per delivery. Only the group commit's leader touches it.
        self._batch_counts: dict[tuple[str, str], float] = {}
        # close=True: a process that forks after this (gunicorn --preload) shares no handle.
        with self._huey.db(commit=True, close=True) as cur:
            for statement in SCHEMA:
                cur.execute(statement)

    def raw(self) -> Any:
        return self._huey.filename

    @contextlib.contextmanager
    def _batch_transaction(self) -> Iterator[sqlite3.Cursor]:
        """The group commit's transaction, taken in turn with the other web processes.

        Without the file lock, a process finding the database busy sleeps in SQLite's busy
        handler (1, 2, 5, 10… ms) after the other one has already committed; a blocking
        flock wakes as soon as it is released, and the writes queued meanwhile join the
        batch. The lock is advisory and only for intake: SQLite's own locking still rules.
        The lock file stays open: opening it per batch cost three syscalls.
        """
        fd = self._intake_lock()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            self._batch_counts.clear()  # a rolled-back batch counted nothing
            with self._huey.db(commit=True) as cursor:
                yield cursor
                for (name, labels), value in self._batch_counts.items():
                    _upsert_metric(cursor, name, labels, value, gauge=False)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _intake_lock(self) -> int:
        # Opened again after a fork: flock locks belong to the open file, which a forked
        # child would share with its parent (and so never wait for it).
        pid = os.getpid()
        if self._intake[0] != pid:
            path = f"{self._huey.filename}-intake.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            weakref.finalize(self, os.close, fd)
            self._intake = (pid, fd)
        return self._intake[1]

    def submit(
        self,
        delivery_id: str | None,
        entries: Sequence[Entry],
        drops: Sequence[Drop] = (),
        *,
        now: float,
        count: tuple[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> Submitted:
        return self._writes.run(
            lambda cur: self._apply(cur, delivery_id, entries, drops, now=now, count=count)
        )

    def _apply(
        self,
        cur: sqlite3.Cursor,
        delivery_id: str | None,
        entries: Sequence[Entry],
        drops: Sequence[Drop],
        *,
        now: float,
        count: tuple[str, tuple[tuple[str, str], ...]] | None,
    ) -> Submitted:
        enqueued = coalesced = 0
        self._submits += 1
        if self._submits % PURGE_EVERY == 0:
            cur.execute("delete from dr_delivery where expires_at < ?", (now,))
        if delivery_id is not None:
            cur.execute(
                "insert into dr_delivery (id, expires_at) values (?, ?) on conflict (id)"
                " do update set expires_at = excluded.expires_at"
                " where dr_delivery.expires_at < ?",
                (delivery_id, now + DELIVERY_TTL, now),
            )
            if cur.rowcount != 1:
                self._count(count, "duplicate")
                return Submitted(duplicate=True)
        for drop in drops:
            _drop(cur, drop, now)
        for entry in entries:
            if entry.key is not None and not _claim_pending(cur, entry.key, now):
                coalesced += 1
                continue
            cur.execute(
                "insert into task (queue, data, priority) values (?, ?, 0)",
                (self._huey.name, self._huey.to_blob(entry.data)),
            )
            enqueued += 1
        self._count(count, "accepted")
        return Submitted(enqueued=enqueued, coalesced=coalesced)

    def _count(self, count: tuple[str, tuple[tuple[str, str], ...]] | None, outcome: str) -> None:
        if count is not None:
            name, labels = count
            key = (name, labels_text((*labels, ("outcome", outcome))))
            self._batch_counts[key] = self._batch_counts.get(key, 0.0) + 1.0

    def clear_pending(self, key: JobKey) -> None:
        self._huey.sql(
            "delete from dr_pending where installation_id = ? and name = ?",
            (key.installation_id, key.pending_name),
            commit=True,
        )

    def removed_since(self, installation_id: int, repo: str | None, since: float) -> bool:
        rows = self._huey.sql(
            "select 1 from dr_removed where installation_id = ? and repo in ('', ?)"
            " and at >= ? and at > ? limit 1",
            (installation_id, repo or "", since, time.time() - REMOVAL_TTL),
            results=True,
        )
        return bool(rows)

    def acquire(self, name: str, ttl: float, *, now: float) -> SqliteLease | None:
        token = secrets.token_hex(16)
        with self._huey.db(commit=True) as cur:
            cur.execute(
                "insert into dr_lock (name, token, expires_at) values (?, ?, ?)"
                " on conflict (name) do update set token = excluded.token,"
                " expires_at = excluded.expires_at where dr_lock.expires_at < ?",
                (name, token, now + ttl, now),
            )
            taken = cur.rowcount == 1
        return SqliteLease(self, name, token, ttl) if taken else None

    def incr(self, name: str, labels: tuple[tuple[str, str], ...], by: float = 1.0) -> None:
        with self._huey.db(commit=True) as cur:
            _upsert_metric(cur, name, labels_text(labels), by, gauge=False)

    def set_gauge(self, name: str, labels: tuple[tuple[str, str], ...], value: float) -> None:
        with self._huey.db(commit=True) as cur:
            _upsert_metric(cur, name, labels_text(labels), value, gauge=True)

    def samples(self) -> list[Sample]:
        rows = self._huey.sql(
            "select name, labels, value from dr_metric order by name, labels", results=True
        )
        return [Sample(name, labels, float(value)) for name, labels, value in rows]

    def ping(self) -> None:
        self._huey.sql("select count(*) from dr_lock", results=True)


@dataclass
class SqliteLease:
    store: SqliteStore
    name: str
    token: str
    ttl: float

    def renew(self) -> bool:
        with self.store._huey.db(commit=True) as cur:
            cur.execute(
                "update dr_lock set expires_at = ? where name = ? and token = ?",
                (time.time() + self.ttl, self.name, self.token),
            )
            return bool(cur.rowcount == 1)

    def release(self) -> None:
        self.store._huey.sql(
            "delete from dr_lock where name = ? and token = ?", (self.name, self.token), commit=True
        )


def _claim_pending(cur: sqlite3.Cursor, key: JobKey, now: float) -> bool:
    """Set the key's marker unless a live one exists; True when this entry must be queued."""
    cur.execute(
        "insert into dr_pending (installation_id, name, since) values (?, ?, ?)"
        " on conflict (installation_id, name) do update set since = excluded.since"
        " where dr_pending.since < ?",
        (key.installation_id, key.pending_name, now, now - PENDING_TTL),
    )
    return bool(cur.rowcount == 1)


def _drop(cur: sqlite3.Cursor, drop: Drop, now: float) -> None:
    if not drop.repos:
        cur.execute("delete from dr_pending where installation_id = ?", (drop.installation_id,))
        _removed(cur, drop.installation_id, "", now)
    for repo in drop.repos:
        prefix = f"{repo}@"
        cur.execute(
            "delete from dr_pending where installation_id = ? and substr(name, 1, ?) = ?",
            (drop.installation_id, len(prefix), prefix),
        )
        _removed(cur, drop.installation_id, repo, now)


def _removed(cur: sqlite3.Cursor, installation_id: int, repo: str, now: float) -> None:
    cur.execute(
        "insert into dr_removed (installation_id, repo, at) values (?, ?, ?)"
        " on conflict (installation_id, repo) do update set at = excluded.at",
        (installation_id, repo, now),
    )


def _upsert_metric(
    cur: sqlite3.Cursor, name: str, labels: str, value: float, *, gauge: bool
) -> None:
    cur.execute(GAUGE_UPSERT if gauge else COUNTER_UPSERT, (name, labels, value, int(gauge)))
