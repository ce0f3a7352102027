"""Long-running polling loops: a loop that does not end by its own condition and sleeps in
its body (`while True: … time.sleep(30)`, Go's `for { … time.Sleep(d) }`, Ruby's `loop do …
sleep 60`). Such a loop is how a worker or a
management command polls a table used as a queue or a service: a schedule in the doc, named
by the function that holds it, cited at the loop and at the sleep that sets its pace.

One pass per file with a stack of open loops by indentation (Python and Ruby by rule, Go by
gofmt), so ten thousand nested loops cost what their lines cost. A sleep of a literal under a
second is a wait for a condition (a test helper, a start-up probe), not a schedule.
JavaScript's `setInterval` is left out: most of it polls from a browser page, and the path
that would tell a page from a server is not part of a file's facts. Its `while (true) { …;
await delay(ms) }` is a loop here (a worker's poll; a browser file's loops are dropped by
path when schedules are collected), cited at the loop and at the last sleep of its own body
(an earlier one in an `if` is the idle wait of an early `continue`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# JavaScript/TypeScript, by indentation as Prettier leaves it.
_JS_HEAD = re.compile(
    r"(?:while[ \t]*+\([ \t]*+(?:true|1|!?this\.\w)|for[ \t]*+\([ \t]*+;[ \t]*+;)"
)
_JS_FUNC = re.compile(
    r"(?:export[ \t]++)?(?:default[ \t]++)?(?:async[ \t]++)?function\*?[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100})"
    r"|(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100})[ \t]*+=[ \t]*+"
    r"(?:async\b|function\b|\()"
    r"|(?:(?:private|public|protected|static)[ \t]++)?(?:async[ \t]++)?"
    r"(?!(?:if|for|while|switch|catch|return|await|function|new|else)\b)"
    r"([A-Za-z_$][\w$]{0,100})[ \t]*+\([^()\n]{0,200}\)[ \t]*+(?::[^{\n]{1,100})?\{"
)
# `await delay(ms)`, `await sleep(ms)`, `await setTimeout(ms)` (timers/promises), `await
# new Promise((r) => setTimeout(r, ms))`.
_JS_SLEEP = re.compile(
    r"await[ \t]++(?:[\w$]{1,60}\.)?(?:delay|sleep|wait|pause|setTimeout)\(([^()\n]{1,80})\)"
    r"|setTimeout\([ \t]*+[\w$]{1,60}[ \t]*+,[ \t]*+([^()\n]{1,80})\)"
)
_JS_SHORT = re.compile(r"\d{1,3}(?:\.\d*+)?\Z")  # a literal under a second, in milliseconds


@dataclass(slots=True)
class _JsLoop:
    indent: int
    line: int
    holder: str
    body: int = 0  # the body's own indentation
    sleep: int = 0  # line of the sleep that sets the pace
    sleep_indent: int = 0
    pace: str = ""
    retries: bool = False


def js_loops(text: str) -> tuple[ScheduleSite, ...]:
    if "await" not in text or ("while" not in text and "for" not in text):
        return ()
    funcs: list[tuple[int, str]] = []  # (indent, name) of the enclosing definitions
    loops: list[_JsLoop] = []
    out: list[ScheduleSite] = []

    def close(loop: _JsLoop) -> None:
        if loop.sleep and not loop.retries and len(out) < 2 * MAX_LOOPS:
            for at in (loop.line, loop.sleep):
                out.append(ScheduleSite(loop.holder, loop.pace, MECHANISM, at))

    for i, raw in enumerate(text.split("\n"), 1):
        line = raw[:MAX_LINE]
        code = line.lstrip(" \t")
        if not code or code.startswith(("//", "*", "/*")):
            continue
        depth = len(line) - len(code)
        while loops and depth <= loops[-1].indent:
            close(loops.pop())
        while funcs and depth <= funcs[-1][0]:
            funcs.pop()
        if _JS_HEAD.match(code):
            loops.append(_JsLoop(depth, i, funcs[-1][1] if funcs else ""))
            continue
        m = _JS_FUNC.match(code)
        if m:
            funcs.append((depth, m.group(m.lastindex or 0)))
        if not loops:
            continue
        loop = loops[-1]
        loop.body = loop.body or depth
        if _RETRY.search(code):
            loop.retries = True  # `attempt += 1`: a retry loop, not a schedule
        s = _JS_SLEEP.search(code.split("//", 1)[0])
        if s is None:
            continue
        value = " ".join((s.group(1) or s.group(2)).split())
        if _JS_SHORT.match(value):
            continue
        # The last sleep at the body's own depth sets the pace; a deeper one only until then.
        if not loop.sleep or depth <= loop.sleep_indent:
            loop.sleep, loop.sleep_indent, loop.pace = i, depth, f"loop, sleeps {value}"
    while loops:
        close(loops.pop())
    return tuple(out)
