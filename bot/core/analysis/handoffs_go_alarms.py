"""Go actor alarms set once: `client.SetAlarm(ctx, name, actor.AlarmProperties{DueTime: t})`
with no `Interval:` asks the actor runtime to call the actor back later (a debounce, a
deferred step), and the runtime calls the actor's `Alarm(ctx, name, …)` method
(italypaleale/francis, and look-alike virtual-actor runtimes). The `SetAlarm` line is the
producer, the `func (…) Alarm(` line of the same file the consumer, paired by the alarm's
name. An alarm with an `Interval:` repeats: a schedule (`schedules_go`), not a hand-off.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "actor-alarm"
MAX_ALARM_LINES = 6
MAX_SITES = 20

_SET_ALARM = lazy(
    r"\.SetAlarm\(\s*+[A-Za-z_]\w{0,60}\s*+,\s*+"
    r"(?:\"([^\"\n]{1,100})\"|([A-Za-z_][\w.]{0,100}))"
)
_INTERVAL = lazy(r"\A[ \t]*+Interval:")
# `func (a *T) Alarm(ctx context.Context, name string, …)`: the method the runtime calls.
_ALARM_METHOD = lazy(r"\Afunc[ \t]*+\([^()\n]{1,200}\)[ \t]*+Alarm\([^()\n]{0,200}\bstring\b")


def may_hold_alarms(text: str) -> bool:
    return "SetAlarm(" in text and "Alarm(" in text


def alarm_sites(lines: list[str]) -> list[HandoffSite]:
    """One-shot alarms set in the file and the file's `Alarm` method that receives them."""
    names: list[tuple[str, int]] = []
    method = 0
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("//"):
            continue
        if line.startswith("func") and "Alarm(" in line and _ALARM_METHOD.match(line):
            method = method or i
        m = _SET_ALARM.search(line) if "SetAlarm(" in line and len(names) < MAX_SITES else None
        if m and not _repeats(lines, i):
            names.append((m.group(1) or (m.group(2) or "").rpartition(".")[2], i))
    if not method:
        return []
    out = [HandoffSite("produce", MECHANISM, name, i) for name, i in names]
    out += [HandoffSite("consume", MECHANISM, name, method) for name in {n for n, _ in names}]
    return out


def _repeats(lines: list[str], i: int) -> bool:
    """Whether the alarm set at line `i` has an `Interval:` before its literal closes."""
    for nxt in lines[i : i + MAX_ALARM_LINES]:
        if _INTERVAL.match(nxt):
            return True
        if nxt.strip().startswith("})"):
            return False
    return False
