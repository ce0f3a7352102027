"""Long-running polling loops: a loop that does not end by its own condition and sleeps in
its body (`while True: … time.sleep(30)`, Go's `for { … time.Sleep(d) }`, Ruby's `loop do …
sleep 60`). Such a loop is how a worker or a
management command polls a table used as a queue or a service: a schedule in the doc, named
by the function that holds it, cited at the loop and at the sleep that sets its pace.

One pass per file with a stack of open loops by indentation (Python and Ruby by rule, Go by
gofmt), so ten thousand nested loops cost what their lines cost. A sleep of a literal under a
second is a wait for a condition (a test helper, a start-up probe), not a schedule.
JavaScript's `setInterval` is left out: most of it polls from a browser page, and the path
that would tell a page from a server is not part of a file's facts.
"""

from __future__ import annotations

import re

from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_LOOPS = 50
MECHANISM = "loop"
# A loop that counts its attempts waits for something (a database at start-up): resilience.
_RETRY = re.compile(r"retr(?:y|ies)|attempt", re.IGNORECASE)

# `while True:`, `while 1:`, `while not self.stopped:`, `while self.running:` (by prefix).
_PY_HEAD = re.compile(r"while[ \t(]++(?:True\b|1\b|not[ \t(]|self\.\w)")
_PY_DEF = re.compile(r"(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100})")
_PY_SLEEP = re.compile(
    r"(?<!\w)(?:time\.|asyncio\.|gevent\.|trio\.)?sleep\(((?:[^()\n]|\([^()\n]{0,40}\)){1,80})\)"
)
_RB_HEAD = re.compile(r"(?:loop[ \t]++do|while[ \t]++true|until[ \t]++false)\b")
_RB_DEF = re.compile(r"def[ \t]++(?:self\.)?([A-Za-z_]\w{0,100}[?!]?)")
_RB_SLEEP = re.compile(r"(?<![\w.])sleep[ \t(]++([^)\n#]{1,80})")
_GO_HEAD = re.compile(r"for[ \t]*\{")
_GO_FUNC = re.compile(r"func[ \t]++(?:\([^)\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,100})")
_GO_SLEEP = re.compile(r"time\.(?:Sleep|After)\(([^\n]{1,80})\)")
_SHORT = re.compile(
    r"(?:0*+(?:\.\d*+)?|\.\d++|\d++[ \t]*+\*[ \t]*+time\.(?:Milli|Micro|Nano)second)\Z"
)


def _short(value: str) -> bool:
    """A literal wait under a second (`0.1`, `0`, `50 * time.Millisecond`)."""
    return _SHORT.match(value) is not None


def _indented(
    text: str,
    head: re.Pattern[str],
    func: re.Pattern[str],
    sleep: re.Pattern[str],
    needle: str,
    comment: str,
) -> tuple[ScheduleSite, ...]:
    funcs: list[tuple[int, str]] = []  # (indent, name) of the enclosing definitions
    loops: list[tuple[int, int, str]] = []  # (indent, line, function) of the open loops
    out: list[ScheduleSite] = []
    paced: set[int] = set()
    retried: set[int] = set()
    for i, raw in enumerate(text.split("\n"), 1):
        line = raw[:MAX_LINE]
        code = line.lstrip(" \t")
        if not code or code.startswith(comment):
            continue
        depth = len(line) - len(code)
        while loops and depth <= loops[-1][0]:
            loops.pop()
        while funcs and depth <= funcs[-1][0]:
            funcs.pop()
        m = func.match(code)
        if m:
            funcs.append((depth, m.group(1)))
        elif head.match(code):
            loops.append((depth, i, funcs[-1][1] if funcs else ""))
        elif loops and _RETRY.search(code):
            retried.add(loops[-1][1])  # `max_retry -= 1`: a retry loop, not a schedule
        elif loops and loops[-1][1] not in paced and needle in code:
            s = sleep.search(code.split(comment, 1)[0])
            if s and not _short(s.group(1).strip()):
                _, at, name = loops[-1]
                pace = f"loop, sleeps {' '.join(s.group(1).split())}"
                out += [
                    ScheduleSite(name, pace, MECHANISM, at),
                    ScheduleSite(name, pace, MECHANISM, i),
                ]
                paced.add(at)
                if len(paced) >= MAX_LOOPS:
                    break
    return tuple(o for o in out if not any(o.line in pair for pair in _pairs(out, retried)))


def _pairs(out: list[ScheduleSite], retried: set[int]) -> list[tuple[int, int]]:
    """(loop line, sleep line) of the loops that retry: both their sites go."""
    return [(a.line, b.line) for a, b in zip(out[::2], out[1::2], strict=True) if a.line in retried]


def python_loops(text: str) -> tuple[ScheduleSite, ...]:
    if "sleep(" not in text or "while" not in text:
        return ()
    return _indented(text, _PY_HEAD, _PY_DEF, _PY_SLEEP, "sleep(", "#")


def ruby_loops(text: str) -> tuple[ScheduleSite, ...]:
    if "sleep" not in text or ("loop" not in text and "while" not in text and "until" not in text):
        return ()
    return _indented(text, _RB_HEAD, _RB_DEF, _RB_SLEEP, "sleep", "#")


def go_loops(text: str) -> tuple[ScheduleSite, ...]:
    if "time.Sleep(" not in text and "time.After(" not in text:
        return ()
    return _indented(text, _GO_HEAD, _GO_FUNC, _GO_SLEEP, "time.", "//")
