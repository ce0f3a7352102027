"""Redis lists, hashes and sets used as buffers in one Python file: a hand-off between the
function that adds to a key and the function that drains it.

`redis.lpush(key(user_id), …)` in `record_failure`, then `lrange(key(user_id), …)` and
`delete(key(user_id))` in `send_digest` (run on a clock): work waits in Redis between the
two. The same for `hset(LAST_SEEN, …)` drained by `hkeys` + `hdel`. What counts:

* the key is a module constant bound to a string (`LAST_SEEN = "users:last_seen"`) or a
  call of a function of the file that returns one (`def key(uid): return "digest:{}"…`),
  and the hand-off is named by that string (no string, no hand-off: two files' `KEY`
  constants must not meet by name);
* some function adds to the key (`lpush`, `rpush`, `sadd`, `hset`, `zadd`, `xadd`) and
  another one drains it: reads it and removes from it (`lrange` + `delete`, `hkeys` +
  `hdel`, or a pop). A capped list (`lpush` then `ltrim` in the writer) or a cache (`hset`
  and `hget`, nothing removed by a reader) is no hand-off;
* producers are the adding lines; consumers the `def` of each other function that reads
  the key (the one that lists the keys as well as the one that drains them).

Only in a file that names redis. Lines are cut at `MAX_LINE`; at most `MAX_OPS` calls read.
"""

from __future__ import annotations

import re

from bot.core.analysis.py_defs import DefIndex
from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains
from bot.core.model import HandoffSite

MAX_LINE = 2_000
MAX_OPS = 500
MAX_KEY_LINES = 3  # lines of a key function's body searched for its string

_ADD = {"lpush": "list", "rpush": "list", "sadd": "set", "hset": "hash", "zadd": "zset"}
_ADD |= {"xadd": "stream", "hsetnx": "hash", "hmset": "hash"}
_READ = frozenset({"lrange", "smembers", "sscan_iter", "hkeys", "hgetall", "hscan_iter", "hget"})
_READ |= {"zrange", "zrangebyscore", "scan_iter", "keys", "xrange", "xread", "hvals"}
_REMOVE = frozenset({"delete", "hdel", "srem", "ltrim", "lrem", "zrem", "zremrangebyscore"})
_POP = frozenset({"lpop", "rpop", "blpop", "brpop", "spop", "zpopmin", "zpopmax", "getdel"})
_OPS = sorted({*_ADD, *_READ, *_REMOVE, *_POP}, key=len, reverse=True)
# A call's receiver is any name (`redis_connection.`, `self.redis.`, `pipe.`); its first
# argument the key (on the call's line or the next): a name, or a call of a name with no
# nested parentheses.
_CALL = re.compile(
    r"\.(" + "|".join(_OPS) + r")\([ \t]*+(?:\r?\n[ \t]*+)?([A-Za-z_][\w.]{0,100}+)"
    r"(\([^()\n]{0,200}+\))?"
)
_GATE_ADD = re.compile(r"\.(?:[lr]push|sadd|hset|hsetnx|hmset|zadd|xadd)\(")
_CONSTANT = re.compile(
    r"^([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+([\"'])([^\"'\n]{1,200}+)\2[ \t]*+$", re.M
)
_STRING = re.compile(r"[fbr]?([\"'])([^\"'\n]{1,200}+)\1")
MECHANISM = "redis-{}"  # one of `flow_sinks.REDIS_BUFFERS`


def may_buffer(text: str) -> bool:
    """Whether `text` may hold a Redis key used as a buffer (the movement gate's test)."""
    return (
        contains(text, "redis") and _GATE_ADD.search(text) is not None
    )  # the word first: one C pass


def redis_buffer_sites(text: str) -> tuple[HandoffSite, ...]:
    if not may_buffer(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    at = Lines(text)
    defs: DefIndex | None = None
    # key -> op -> [(line, function line)]
    ops: dict[str, dict[str, list[tuple[int, int]]]] = {}
    seen = 0
    pos = text.find(".")
    for m in _CALL.finditer(text, pos if pos >= 0 else len(text)):
        seen += 1
        if seen > MAX_OPS:
            break
        i = at.at(m.start())
        if lines[i - 1].lstrip().startswith("#"):
            continue
        defs = defs or DefIndex(text, lines)
        holder = defs.holding(i)
        i = at.at(m.start(2))  # the line that names the key (`lpush(` may end its line)
        if holder is None:
            continue
        key = m.group(2).rpartition(".")[2] + ("()" if m.group(3) else "")
        ops.setdefault(key, {}).setdefault(m.group(1), []).append((i, holder.line))
    out: list[HandoffSite] = []
    constants: dict[str, str] | None = None
    for key, by_op in ops.items():
        if constants is None and not key.endswith("()"):
            constants = {m.group(1): m.group(3) for m in _CONSTANT.finditer(text)}
        out += _buffer(key, by_op, lines, defs, constants or {})
    return tuple(out)


def _buffer(
    key: str,
    by_op: dict[str, list[tuple[int, int]]],
    lines: list[str],
    defs: DefIndex | None,
    constants: dict[str, str],
) -> list[HandoffSite]:
    adds = [(op, i, fn) for op, sites in by_op.items() if op in _ADD for i, fn in sites]
    if not adds:
        return []
    writers = {fn for _, _, fn in adds}
    readers = {fn for op, sites in by_op.items() if op in _READ | _POP for _, fn in sites}
    removers = {fn for op, sites in by_op.items() if op in _REMOVE | _POP for _, fn in sites}
    if not (readers & removers) - writers:
        return []  # nothing drains it but its writers: a cache or a capped list
    name = _label(key, lines, defs, constants)
    if not name:
        return []
    mechanism = MECHANISM.format(_ADD[adds[0][0]])
    via = (key.removesuffix("()"),)  # the name the line uses for the key
    out = [HandoffSite("produce", mechanism, name, i, via) for _, i, _ in adds]
    out += [HandoffSite("consume", mechanism, name, fn) for fn in sorted(readers - writers)]
    return out


def _label(key: str, lines: list[str], defs: DefIndex | None, constants: dict[str, str]) -> str:
    """The string a key is: a module constant's value, or the string its function returns
    (`"digest:{}".format(uid)`); "" when the file does not say."""
    if key.endswith("()"):
        d = defs.named(key[:-2]) if defs is not None else None
        if d is None:
            return ""
        for j in range(d.line, min(len(lines), d.line + MAX_KEY_LINES)):
            body = lines[j].strip()
            if body.startswith("return"):
                s = _STRING.search(body)
                return s.group(2) if s is not None else ""
        return ""
    return constants.get(key, "")
