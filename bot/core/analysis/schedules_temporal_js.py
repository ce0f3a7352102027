"""Temporal durable timers: a workflow's `sleep(…)` or `condition(fn, timeout)` (from
`@temporalio/workflow`) waits on the server's clock, and the work after it runs when the
timer fires, in whichever worker picks it up: scheduled work, cited at the timer. A timer in
a loop is already a polling loop (`loops`); the caller drops the echo at the same line.
Named for the exported function (the workflow) the timer is in. Bounded, literal-first.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MECHANISM = "temporal timer"
MAX_LINE = 2_000
MAX_SITES = 200
WORKFLOW_PACKAGE = "@temporalio/workflow"
_SLEEP = lazy(r"(?<![\w$.])sleep\([ \t]*+([^\n]{0,80})")
# `condition(() => done, '1 hour')`: a timeout after the predicate; `condition(fn)` waits on
# a signal only (no clock).
_CONDITION = lazy(r"(?<![\w$.])condition\([^,\n]{1,200},[ \t]*+([^\n)]{1,80})\)")
_EXPORTED = lazy(
    r"\Aexport[ \t]++(?:async[ \t]++)?(?:function[ \t]*+\*?|const)[ \t]*+([\w$]{1,100})"
)


def temporal_timers(text: str) -> tuple[ScheduleSite, ...]:
    if WORKFLOW_PACKAGE not in text or ("sleep(" not in text and "condition(" not in text):
        return ()
    out: list[ScheduleSite] = []
    workflow = "workflow"
    for i, raw in enumerate(text.split("\n"), 1):
        line = raw[:MAX_LINE]
        head = _EXPORTED.match(line)
        if head:
            workflow = head.group(1)
        if ("sleep(" not in line and "condition(" not in line) or _comment(line):
            continue
        m = _SLEEP.search(line) or _CONDITION.search(line)
        if m is None:
            continue
        arg = m.group(1).strip().rstrip(");,").strip() or "…"  # an argument on the next lines
        out.append(ScheduleSite(workflow, f"timer, waits {arg}", MECHANISM, i))
        if len(out) >= MAX_SITES:
            break
    return tuple(out)


def _comment(line: str) -> bool:
    return line.lstrip().startswith(("//", "*", "/*"))
