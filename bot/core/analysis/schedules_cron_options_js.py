"""JS/TS cron jobs registered through the repository's own helper, told by the `cron`
package's option object.

The `cron` npm package takes its job as `{ cronTime, onTick, … }` (`CronJob.from(opts)`), and
apps that wrap it (`jobs.addJob({ name: 'prune', cronTime: '0 * * * *', onTick: prune })`)
keep that object's shape, so the call's name says nothing and the object says everything: an
object literal handed to a call with both a `cronTime:` and an `onTick:` key is a cron job,
whatever the call is named. It is named by its `name:` string when it has one, else by
the call, and cited at the call; an `onTick:` naming a function (`onTick: Jobs.prune`) is its
target, where the flow of the job starts.

When `cronTime:` is given a parameter of the function around it (`function restart(name,
spec) { jobs.add({ name, cronTime: spec, onTick }) }`), each call of that function in the
file with a string or template literal in that position is a job (one level).

`CronJob.from(` is read by `schedules_js`. Lines are cut at `MAX_LINE`; every look-back and
look-ahead is bounded; patterns are literal-led and linear.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MECHANISM = "cron"
MAX_LINE = 2_000
MAX_OBJECT_LINES = 30  # lines from a call's `({` to the object's close, read for `onTick`
MAX_BACK = 12  # lines walked up from `cronTime:` to the `({` that opens its object
MAX_ASCENT = 60  # lines walked up from the call to the function around it
MAX_SITES = 200

_SPEC = r"(['\"`])([^'\"`\n]{1,100}+)\1"
_CRON_TIME = lazy(r"(?<![\w$])cronTime[ \t]*+:[ \t]*+(?:" + _SPEC + r"|([A-Za-z_$][\w$]{0,60}+))")
_OPENER = lazy(r"([A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+){0,4}+)[ \t]*+\([ \t]*+\{")
_NAME = lazy(r"(?<![\w$])name[ \t]*+:[ \t]*+" + _SPEC)
# `onTick: Jobs.prune,`: the function the clock calls, when the object names one
_ON_TICK = lazy(
    r"(?<![\w$])onTick[ \t]*+:[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+){0,4}+)[ \t]*+(?:,|\}|$)"
)
_FUNC = lazy(
    r"(?:function[ \t]*+([A-Za-z_$][\w$]{0,100}+)"
    r"|(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+(?:async[ \t]++)?"
    r"(?:function[ \t]*+)?)[ \t]*+\(([^()\n]{0,300}+)\)"
)
# (the look-behind keeps a search over a run of blanks linear: it starts at the run's head)
_ARG = lazy(r"(?<![ \t])[ \t]*+(?:" + _SPEC + r"|[^,()'\"`\n]{1,200}+)[ \t]*+(?:,|\))")


def cron_option_jobs(text: str) -> tuple[ScheduleSite, ...]:
    """Jobs given as `{ cronTime, onTick }` objects to any call (see the module doc)."""
    if "cronTime" not in text or "onTick" not in text:
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    out: list[ScheduleSite] = []
    for i, line in enumerate(lines):
        if len(out) >= MAX_SITES:
            break
        if "cronTime" not in line or line.lstrip().startswith(("//", "*")):
            continue
        m = _CRON_TIME.search(line)
        opened = _opener(lines, i, m.start()) if m else None
        if m is None or opened is None:
            continue
        at, callee = opened
        if callee.endswith("CronJob.from") or not _has_on_tick(lines, at):
            continue
        named = _NAME.search("\n".join(lines[at : i + 1]))
        name = named.group(2) if named else callee
        if m.group(2):
            out.append(ScheduleSite(name, m.group(2), MECHANISM, at + 1, _on_tick(lines, at)))
        else:
            out.extend(_through_parameter(lines, at, m.group(3), named is None))
    return tuple(sorted(set(out)))


def _opener(lines: list[str], i: int, col: int) -> tuple[int, str] | None:
    """(line index, callee) of the `callee({` whose `{` opens the object holding column
    `col` of line `i`, within `MAX_BACK` lines."""
    balance = 0
    for j in range(i, max(-1, i - MAX_BACK), -1):
        part = lines[j][:col] if j == i else lines[j]
        balance += part.count("{") - part.count("}")
        if balance >= 1:
            found = None
            for o in _OPENER.finditer(part):
                found = o
            return (j, found.group(1)) if found is not None else None
    return None


def _on_tick(lines: list[str], at: int) -> str:
    for line in lines[at : at + MAX_OBJECT_LINES]:
        if "onTick" in line:
            m = _ON_TICK.search(line)
            return m.group(1) if m is not None else ""
    return ""


def _has_on_tick(lines: list[str], at: int) -> bool:
    depth = 0
    for line in lines[at : at + MAX_OBJECT_LINES]:
        if "onTick" in line:
            return True
        depth += line.count("{") - line.count("}")
        if depth <= 0:
            return False
    return False


def _through_parameter(lines: list[str], at: int, param: str, by_name: bool) -> list[ScheduleSite]:
    """Calls of the function around line `at` with a literal where `param` goes."""
    for j in range(at, max(-1, at - MAX_ASCENT), -1):
        f = _FUNC.search(lines[j])
        if f is None:
            continue
        func = f.group(1) or f.group(2)
        params = [p.strip().split("=", 1)[0].strip() for p in f.group(3).split(",")]
        if param not in params:
            return []
        index = params.index(param)
        named = params.index("name") if by_name and "name" in params else -1
        return _calls(lines, func, j, index, named)
    return []


def _calls(lines: list[str], func: str, defined: int, index: int, named: int) -> list[ScheduleSite]:
    out: list[ScheduleSite] = []
    needle = func + "("
    for k, line in enumerate(lines):
        if k == defined or needle not in line or len(out) >= MAX_SITES:
            continue
        pos = line.find(needle)
        if pos > 0 and (line[pos - 1].isalnum() or line[pos - 1] in "_$."):
            continue
        args = _literal_args(line, pos + len(needle))
        if index < len(args) and args[index]:
            name = args[named] if 0 <= named < len(args) and args[named] else func
            out.append(ScheduleSite(name, args[index], MECHANISM, k + 1))
    return out


def _literal_args(line: str, pos: int) -> list[str]:
    """The arguments from `pos` on, each its literal text or "" when not a literal."""
    out: list[str] = []
    while pos < len(line) and len(out) < 10:
        a = _ARG.match(line, pos)
        if a is None:
            break
        out.append(a.group(2) or "")
        pos = a.end()
        if line[pos - 1] == ")":
            break
    return out
