"""JS/TS delayed queues kept in a sorted set: members added with a time as their score, and
taken when due by a read of the set by score up to now.

The idiom is Redis's (`ZADD delayed <when> <id>` … `ZRANGEBYSCORE delayed -inf <now>`) and
any layer over it keeps its shape whatever it is called (`zadd`/`zAdd`/`sortedSetAdd`,
`zrangebyscore`/`getSortedSetRangeByScore`):

* consumer: a `…RangeByScore('key', …, now)` call (any case) whose last bound is the current
  time (`Date.now()`, or a `now` the function took from it), cited at the function around it
  (the worker that drains the set); a bound of `Date.now() - ttl` is an expiry sweep, not a
  queue, and is left out;
* producer: a sorted-set add (`zadd`, `zAdd`, `sortedSetAdd…`) whose first argument is the
  same key, or a `keys.push('key')` / `rows.push(['key', …])` onto an array that such an add
  takes within `MAX_PUSH_TO_ADD` lines.

Both ends are needed (`movement._BOTH_ENDS`): a set added to and never read by time is no
queue. Bounded line scans; patterns literal-led and linear.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_deferred_js import enclosing_definition
from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "sorted set (delayed queue)"
MAX_LINE = 2_000
MAX_PUSH_TO_ADD = 30  # lines from `keys.push('key')` to the add call taking `keys`
MAX_SITES = 200

_KEY = r"(['\"`])([\w:.\-]{1,200}+)\1"
_RANGE_WORDS = ("ByScore", "byscore", "BYSCORE", "Byscore")
_ADD_WORDS = ("zadd", "zAdd", "ZADD", "SetAdd", "SetsAdd", "setadd", "setsadd")
_RANGE = lazy(r"(?i)rangebyscore[ \t]*+\([ \t]*+" + _KEY + r"([^;\n]{0,300}+)")
_NOW = lazy(r",[ \t]*+(?:Date\.now\(\)|now)[ \t]*+\)")
# Sorted-set words: Redis's `zadd` (`zAdd`), or a layer's spelled-out `sortedSetAdd`.
_ADD = lazy(r"(?i)(?<![\w$])(?:zadd|sortedsets?add)[\w$]{0,30}+[ \t]*+\([ \t]*+" + _KEY)
_PUSH = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)\.push\([ \t]*+\[?[ \t]*+(['\"`])([\w:.\-]{1,200}+)\2"
)


_RANGE_NEEDLES = Needles(_RANGE_WORDS)  # their words first (`words`): most files hold none
_ADD_NEEDLES = Needles(_ADD_WORDS)  # their words first (`words`): most files hold none


def sorted_set_sites(text: str) -> tuple[HandoffSite, ...]:
    """Both ends of delayed queues kept in sorted sets, in one file."""
    lower_gate = _RANGE_NEEDLES.any_in(text)
    if not lower_gate and not _ADD_NEEDLES.any_in(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    at = Lines(text)
    needles = (*(_RANGE_WORDS if lower_gate else ()), *_ADD_WORDS, ".push(")
    out: list[HandoffSite] = []
    for i in sorted({at.at(p) for p in _positions(text, needles)}):
        if len(out) >= MAX_SITES:
            break
        line = lines[i - 1]
        if line.lstrip().startswith(("//", "*")):
            continue
        if lower_gate and any(n in line for n in _RANGE_WORDS):
            for m in _RANGE.finditer(line):
                if _NOW.search(m.group(3)) is not None:
                    found = enclosing_definition(lines, i)
                    out.append(HandoffSite("consume", MECHANISM, m.group(2), found or i))
        if any(n in line for n in _ADD_WORDS):
            for m in _ADD.finditer(line):
                out.append(HandoffSite("produce", MECHANISM, m.group(2), i))
        if ".push(" in line:
            for m in _PUSH.finditer(line):
                if _added(lines, i, m.group(1)):
                    out.append(HandoffSite("produce", MECHANISM, m.group(3), i))
    return tuple(sorted(set(out)))


def _added(lines: list[str], i: int, array: str) -> bool:
    """Whether an add call takes `array` within `MAX_PUSH_TO_ADD` lines after line `i`."""
    needle = "(" + array
    for line in lines[i : i + MAX_PUSH_TO_ADD]:
        pos = line.find(needle)
        while pos != -1:
            end = pos + len(needle)
            head = line[max(0, pos - 60) : pos].lower()
            tail = line[end : end + 1]
            callee = head.rpartition(".")[2]
            if ("zadd" in callee or "sortedset" in callee) and not (tail.isalnum() or tail in "_$"):
                return True
            pos = line.find(needle, end)
    return False
