"""The storage on Redis, shared by every web instance and worker on every machine.

`submit` is one Lua script (atomic): SET NX EX of the delivery id, drops, then for each
entry a pending marker (per-installation hash) and an LPUSH onto huey's list. Concurrent
submits of one process share a round trip: one pipeline of their scripts (`group_commit`).
Locks are `SET NX PX` with a random token; renew and release compare the token first.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import NoScriptError

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
from bot.app.storage.group_commit import Batcher

PREFIX = "docs-refresh:"
METRICS = PREFIX + "metrics"
GAUGES = PREFIX + "gauges"

# ARGV: prefix, queue, delivery ('' = none), delivery_ttl, now, pending_ttl, removal_ttl,
#       accepted_field, duplicate_field ('' = none), n_drops, (inst, n_repos, repo...)*,
#       n_entries, (inst ('' = unkeyed), name, data)*
SUBMIT_LUA = """
local p = ARGV[1]
local function count(field)
  if field ~= '' then redis.call('HINCRBYFLOAT', p .. 'metrics', field, 1) end
end
if ARGV[3] ~= '' then
  if not redis.call('SET', p .. 'delivery:' .. ARGV[3], '1', 'NX', 'EX', ARGV[4]) then
    count(ARGV[9])
    return {1, 0, 0}
  end
end
local now = tonumber(ARGV[5])
local i = 11
for _ = 1, tonumber(ARGV[10]) do
  local inst = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  local hash = p .. 'pending:' .. inst
  i = i + 2
  if n == 0 then
    redis.call('DEL', hash)
    redis.call('SET', p .. 'removed:' .. inst, ARGV[5], 'EX', ARGV[7])
  end
  for _ = 1, n do
    local prefix = ARGV[i] .. '@'
    for _, field in ipairs(redis.call('HKEYS', hash)) do
      if string.sub(field, 1, #prefix) == prefix then redis.call('HDEL', hash, field) end
    end
    redis.call('SET', p .. 'removed:' .. inst .. ':' .. ARGV[i], ARGV[5], 'EX', ARGV[7])
    i = i + 1
  end
end
local enqueued, coalesced = 0, 0
local entries = tonumber(ARGV[i])
i = i + 1
for _ = 1, entries do
  local inst, name, data = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  local queue = true
  if inst ~= '' then
    local hash = p .. 'pending:' .. inst
    local since = redis.call('HGET', hash, name)
    if since and now - tonumber(since) < tonumber(ARGV[6]) then
      queue = false
    else
      redis.call('HSET', hash, name, ARGV[5])
    end
  end
  if queue then
    redis.call('LPUSH', ARGV[2], data)
    enqueued = enqueued + 1
  else
    coalesced = coalesced + 1
  end
end
count(ARGV[8])
return {0, enqueued, coalesced}
"""
RENEW_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore:
    kind = "redis"

    def __init__(self, huey_storage: Any) -> None:
        self._conn = huey_storage.conn  # redis.Redis, shared with huey
        self._queue = huey_storage.queue_key
        self._submit = self._conn.register_script(SUBMIT_LUA)
        self._submits: Batcher[list[Any], Any] = Batcher(self._submit_batch)
        self._renew = self._conn.register_script(RENEW_LUA)
        self._release = self._conn.register_script(RELEASE_LUA)

    def raw(self) -> Any:
        return self._conn

    def submit(
        self,
        delivery_id: str | None,
        entries: Sequence[Entry],
        drops: Sequence[Drop] = (),
        *,
        now: float,
        count: tuple[str, tuple[tuple[str, str], ...]] | None = None,
    ) -> Submitted:
        args = self._script_args(delivery_id, entries, drops, now, count)
        was_duplicate, enqueued, coalesced = self._submits.run(args)
        return Submitted(bool(was_duplicate), int(enqueued), int(coalesced))

    def _script_args(
        self,
        delivery_id: str | None,
        entries: Sequence[Entry],
        drops: Sequence[Drop],
        now: float,
        count: tuple[str, tuple[tuple[str, str], ...]] | None,
    ) -> list[Any]:
        """SUBMIT_LUA's ARGV."""
        accepted = duplicate = ""
        if count is not None:
            name, labels = count
            accepted = _field(name, (*labels, ("outcome", "accepted")))
            duplicate = _field(name, (*labels, ("outcome", "duplicate")))
        args: list[Any] = [
            PREFIX,
            self._queue,
            delivery_id or "",
            DELIVERY_TTL,
            repr(now),
            PENDING_TTL,
            REMOVAL_TTL,
            accepted,
            duplicate,
            len(drops),
        ]
        for drop in drops:
            args += [drop.installation_id, len(drop.repos), *drop.repos]
        args.append(len(entries))
        for entry in entries:
            key = entry.key
            args += (
                ["", "", entry.data]
                if key is None
                else [
                    key.installation_id,
                    key.pending_name,
                    entry.data,
                ]
            )
        return args

    def _submit_batch(self, batch: list[list[Any]]) -> list[Any]:
        """One round trip for the submits queued together; each script stays atomic."""
        if len(batch) == 1:
            return [self._submit(args=batch[0])]
        # EVALSHA straight into the pipeline: Script objects would make the pipeline ask
        # SCRIPT EXISTS first, one more round trip per batch.
        pipe = self._conn.pipeline(transaction=False)
        for args in batch:
            pipe.evalsha(self._submit.sha, 0, *args)
        results: list[Any] = pipe.execute(raise_on_error=False)
        if any(isinstance(result, NoScriptError) for result in results):
            # The server lost its script cache (restart, SCRIPT FLUSH): nothing ran for
            # those, so run them again one by one (Script loads itself on NOSCRIPT).
            results = [
                self._submit(args=args) if isinstance(result, NoScriptError) else result
                for args, result in zip(batch, results, strict=True)
            ]
        return results

    def clear_pending(self, key: JobKey) -> None:
        self._conn.hdel(f"{PREFIX}pending:{key.installation_id}", key.pending_name)

    def removed_since(self, installation_id: int, repo: str | None, since: float) -> bool:
        keys = [f"{PREFIX}removed:{installation_id}"]
        if repo:
            keys.append(f"{PREFIX}removed:{installation_id}:{repo}")
        return any(at is not None and float(at) >= since for at in self._conn.mget(keys))

    def acquire(self, name: str, ttl: float, *, now: float) -> RedisLease | None:
        token = secrets.token_hex(16)
        key = f"{PREFIX}lock:{name}"
        if self._conn.set(key, token, nx=True, px=int(ttl * 1000)):
            return RedisLease(self, name, key, token, ttl)
        return None

    def incr(self, name: str, labels: tuple[tuple[str, str], ...], by: float = 1.0) -> None:
        self._conn.hincrbyfloat(METRICS, _field(name, labels), by)

    def set_gauge(self, name: str, labels: tuple[tuple[str, str], ...], value: float) -> None:
        self._conn.hset(GAUGES, _field(name, labels), repr(value))

    def samples(self) -> list[Sample]:
        pipe = self._conn.pipeline(transaction=False)
        pipe.hgetall(METRICS)
        pipe.hgetall(GAUGES)
        found: list[Sample] = []
        for table in pipe.execute():
            for field, value in table.items():
                name, _, labels = field.decode().partition("\t")
                found.append(Sample(name, labels, float(value)))
        return sorted(found, key=lambda s: (s.name, s.labels))

    def ping(self) -> None:
        self._conn.ping()


@dataclass
class RedisLease:
    store: RedisStore
    name: str
    key: str
    token: str
    ttl: float

    def renew(self) -> bool:
        return bool(self.store._renew(keys=[self.key], args=[self.token, int(self.ttl * 1000)]))

    def release(self) -> None:
        self.store._release(keys=[self.key], args=[self.token])


def _field(name: str, labels: tuple[tuple[str, str], ...]) -> str:
    return f"{name}\t{labels_text(labels)}"
