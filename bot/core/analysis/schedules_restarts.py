"""Periodic restarts of a server's workers, switched on by a call whose name says so
(`Killer.enable_rolling_restart(6 * 3600)`, `rolling_restart!`): the method's name is the
evidence — a rolling restart recycles workers one after another on a period. Pure: text in,
`ScheduleSite`s out (`schedules` dispatches here for Ruby files). The period is the call's
first argument as written, else the library's default (which the repository does not say).
"""

from __future__ import annotations

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MECHANISM = "rolling-restart"
DEFAULT = "the library's default period (not in the repository)"

# A call at the start of a statement (no `def`): an optional receiver, the method, and its
# first argument up to a comment, a `)` or a `,`.
_CALL = lazy(
    r"\A[ \t]*+(?:([\w:]{1,100}+)\.)?([a-z_]{0,60}?rolling_restart[a-z_!]{0,60}+)"
    r"(?![\w])[ \t(]*+([^\n#),]{0,80}+)"
)


def restart_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if not contains(text, "rolling_restart"):
        return ()
    out: list[ScheduleSite] = []
    for i, line in enumerate(text.splitlines(), 1):
        if "rolling_restart" not in line:
            continue
        m = _CALL.match(line[:MAX_LINE])
        if m is None:  # (`def x_rolling_restart` does not start with the name: no call)
            continue
        name = f"{m.group(1)}.{m.group(2)}" if m.group(1) else m.group(2)
        arg = m.group(3).strip()
        out.append(ScheduleSite(name, f"every {arg}" if arg else DEFAULT, MECHANISM, i, name))
    return tuple(out)
