"""Jobs in flight: what each worker is running, so a job whose worker died runs again.

huey takes a task off the queue before running it, so a worker killed mid-job (OOM,
`kill -9`, a lost machine) would lose it. A keyed job therefore writes its task here
under its lock name before it starts and removes it when it ends, however it ends. A
record that outlives its run belongs to a dead worker: `recover` puts its task back on
the queue once that worker's lease is gone — at once when the worker was on this host
and its process is dead, else when the lease expires (`LOCK_TTL`). Running a job again
is safe: a refresh always works on the current head and reads its state from GitHub.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.app.storage import Entry, Lease, Storage

RUNNING_KEY = "docs-refresh:running"
SQL_SCHEMA = "create table if not exists dr_running (name text primary key, record text not null)"


@dataclass(frozen=True, slots=True)
class Running:
    name: str  # the job key's lock name
    task: bytes  # the serialized huey task, ready to enqueue again
    token: str  # the lease the run holds
    host: str
    pid: int
    since: float

    def to_json(self) -> str:
        data = {
            "task": base64.b64encode(self.task).decode("ascii"),
            "token": self.token,
            "host": self.host,
            "pid": self.pid,
            "since": self.since,
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, name: str, text: str | bytes) -> Running | None:
        try:
            data = json.loads(text)
            return cls(
                name,
                base64.b64decode(data["task"]),
                str(data["token"]),
                str(data["host"]),
                int(data["pid"]),
                float(data["since"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class Journal:
    """The records, in the queue storage: a SQLite table, or one Redis hash."""

    def __init__(self, huey_storage: Any, kind: str) -> None:
        self._huey = huey_storage
        self._redis = kind == "redis"
        if not self._redis:
            self._huey.sql(SQL_SCHEMA, commit=True)

    def put(self, record: Running) -> None:
        if self._redis:
            self._huey.conn.hset(RUNNING_KEY, record.name, record.to_json())
            return
        self._huey.sql(
            "insert into dr_running (name, record) values (?, ?)"
            " on conflict (name) do update set record = excluded.record",
            (record.name, record.to_json()),
            commit=True,
        )

    def remove(self, record: Running) -> None:
        """Remove the record of this run (not a later run's record under the same name)."""
        current = self.get(record.name)
        if current is None or current.token != record.token:
            return
        if self._redis:
            self._huey.conn.hdel(RUNNING_KEY, record.name)
            return
        self._huey.sql(
            "delete from dr_running where name = ? and record = ?",
            (record.name, record.to_json()),
            commit=True,
        )

    def get(self, name: str) -> Running | None:
        if self._redis:
            text = self._huey.conn.hget(RUNNING_KEY, name)
            return None if text is None else Running.from_json(name, text)
        rows = self._huey.sql("select record from dr_running where name = ?", (name,), results=True)
        return Running.from_json(name, rows[0][0]) if rows else None

    def records(self) -> list[Running]:
        if self._redis:
            items = [(k.decode(), v) for k, v in self._huey.conn.hgetall(RUNNING_KEY).items()]
        else:
            items = self._huey.sql("select name, record from dr_running", results=True)
        found = (Running.from_json(name, text) for name, text in items)
        return sorted((r for r in found if r is not None), key=lambda r: r.since)


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def recover(
    journal: Journal,
    storage: Storage,
    break_lease: Callable[[Running], None],
    *,
    ttl: float,
    now: float,
    alive: Callable[[int], bool] = process_alive,
    starting: bool = False,
) -> int:
    """Queue again the tasks of runs whose worker is gone; returns how many.

    `starting`: this process runs no job yet, so a record with its own pid on this host is
    a predecessor's (a restarted container often gets the same pid).
    """
    requeued = 0
    for record in journal.records():
        lease: Lease | None = storage.acquire(record.name, ttl, now=now)
        if lease is None:
            mine = record.pid == os.getpid()
            dead = (mine and starting) or (not mine and not alive(record.pid))
            if record.host != this_host() or not dead:
                continue  # still running, or elsewhere with its lease alive
            break_lease(record)  # its process is dead: the lease can only expire
            lease = storage.acquire(record.name, ttl, now=now)
            if lease is None:
                continue
        try:
            current = journal.get(record.name)
            if current is None or current.token != record.token:
                continue  # another worker recovered it (or it finished) meanwhile
            storage.submit(None, [Entry(None, record.task)], now=now)
            journal.remove(record)
            requeued += 1
        finally:
            lease.release()
    return requeued
