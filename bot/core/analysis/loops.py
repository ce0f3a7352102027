"""Long-running polling loops: a loop that does not end by its own condition and sleeps in
its body (`while True: … time.sleep(30)`, `while not stop.is_set(): … stop.wait(30)`,
Go's `for { … time.Sleep(d) }`, Ruby's `loop do … sleep 60`). Such a loop is how a worker or a
management command polls a table used as a queue or a service: a schedule in the doc, named
by the function that holds it, cited at the loop and at the sleep that sets its pace.

One pass per file with a stack of open loops by indentation (Python and Ruby by rule, Go by
gofmt), so ten thousand nested loops cost what their lines cost. A sleep of a literal under a
second is a wait for a condition (a test helper, a start-up probe), not a schedule. The
loop's pace is its shallowest sleep (a wait in one branch is not it); an `if now - last >
60:` in a paced loop whose block sets `last` again is work done every 60 s (a health check).
JavaScript's `setInterval` is left out: most of it polls from a browser page, and the path
that would tell a page from a server is not part of a file's facts. Its `while (true) { …;
await delay(ms) }` is a loop here (a worker's poll; a browser file's loops are dropped by
path when schedules are collected), cited at the loop and at the last sleep of its own body
(an earlier one in an `if` is the idle wait of an early `continue`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_LOOPS = 50
MAX_CHECK_LINES = 40  # lines of an elapsed-time check's block looked at for its reset
MECHANISM = "loop"
# A loop that counts its attempts waits for something (a database at start-up): resilience.
_RETRY = lazy(r"retr(?:y|ies)|attempt", re.IGNORECASE)

# `while True:`, `while 1:`, `while not self.stopped:`, `while self.running:` (by prefix).
_PY_HEAD = re.compile(r"while[ \t(]++(?:True\b|1\b|not[ \t(]|self\.\w)")
_PY_DEF = re.compile(r"(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100})")
_PY_SLEEP = lazy(
    r"(?<!\w)(?:time\.|asyncio\.|gevent\.|trio\.)?sleep\(((?:[^()\n]|\([^()\n]{0,40}\)){1,80})\)"
)
# `while not stop.is_set():` paced by `stop.wait(30)` (a threading.Event: stops at once)
_PY_EVENT = lazy(r"while[ \t(]++not[ \t(]++([A-Za-z_][\w.]{0,200}?)\.is_set\(\)")
_WAIT_ARG = lazy(r"[ \t]{0,20}+(?:timeout[ \t]{0,20}+=[ \t]{0,20}+)?([^()\n,]{1,80}+)\)")
# `if now - last_check > 60:` whose block sets `last_check` again: work every 60 s
_PY_ELAPSED = lazy(
    r"if[ \t(]++[A-Za-z_][\w.()]{0,100}+[ \t]*+-[ \t]*+([A-Za-z_][\w.]{0,100}+)[ \t)]*+"
    r">=?[ \t]*+(\d{1,9}+(?:\.\d{1,9}+)?)[ \t]*+:"
)
# `jobs.get(block=False)`, `jobs.get_nowait()`, `jobs.get(timeout=1)`: the loop drains a queue
_PY_QUEUE_GET = lazy(r"\.get(?:_nowait)?\((?:\)|[ \t]*+(?:block|timeout)\b)")
_RB_HEAD = lazy(r"(?:loop[ \t]++do|while[ \t]++true|until[ \t]++false)\b")
_RB_DEF = lazy(r"def[ \t]++(?:self\.)?([A-Za-z_]\w{0,100}[?!]?)")
_RB_SLEEP = lazy(r"(?<![\w.])sleep[ \t(]++([^)\n#]{1,80})")
_GO_HEAD = lazy(r"for[ \t]*\{")
_GO_FUNC = lazy(r"func[ \t]++(?:\([^)\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,100})")
# `time.Sleep(d)`, `<-time.After(d)`, and a timer to a wall-clock time (`t :=
# time.NewTimer(time.Until(next))` then `<-t.C`: a daily job); a timer for a duration in a
# loop is a receive's timeout, not a pace.
_GO_SLEEP = lazy(r"time\.(?:Sleep|After|NewTimer(?=\(time\.Until\())\(([^\n]{1,80})\)")
_SHORT = lazy(r"(?:0*+(?:\.\d*+)?|\.\d++|\d++[ \t]*+\*[ \t]*+time\.(?:Milli|Micro|Nano)second)\Z")


def _code_only(line: str) -> str:
    """The line without its string literals (double, single or back quotes; escapes
    skipped), in one pass."""
    out: list[str] = []
    quote = ""
    escaped = False
    for ch in line:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote != "`":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        else:
            out.append(ch)
    return "".join(out)


def _short(value: str) -> bool:
    """A literal wait under a second (`0.1`, `0`, `50 * time.Millisecond`)."""
    return _SHORT.match(value) is not None


@dataclass
class _Loop:
    indent: int
    line: int
    function: str
    event: str = ""  # `while not stop.is_set():` waits on `stop.wait(n)`
    pace: tuple[int, int, str] | None = None  # (depth, line, value) of the shallowest sleep
    checks: list[tuple[int, str]] = field(default_factory=list)  # elapsed-time checks


def _indented(
    text: str,
    head: re.Pattern[str],
    func: re.Pattern[str],
    sleep: re.Pattern[str],
    needle: str,
    comment: str,
) -> tuple[ScheduleSite, ...]:
    funcs: list[tuple[int, str]] = []  # (indent, name) of the enclosing definitions
    loops: list[_Loop] = []  # the open loops
    done: list[_Loop] = []
    retried: set[int] = set()
    lines = text.split("\n")
    for i, raw in enumerate(lines, 1):
        line = raw[:MAX_LINE]
        code = line.lstrip(" \t")
        if not code or code.startswith(comment):
            continue
        depth = len(line) - len(code)
        while loops and depth <= loops[-1].indent:
            done.append(loops.pop())
        while funcs and depth <= funcs[-1][0]:
            funcs.pop()
        m = func.match(code)
        if m:
            funcs.append((depth, m.group(1)))
        elif head.match(code):
            ev = _PY_EVENT.match(code) if comment == "#" else None
            loops.append(_Loop(depth, i, funcs[-1][1] if funcs else "", ev.group(1) if ev else ""))
        elif loops and _RETRY.search(code) and (comment != "//" or _RETRY.search(_code_only(code))):
            # `max_retry -= 1`: a retry loop, not a schedule (in Go, a log line's "next retry
            # in 1 hour" is no counter; Python and Ruby keep the word test, which also tells
            # some queue consumers by their settings' names)
            retried.add(loops[-1].line)
        elif loops and comment == "#" and ".get" in code and _PY_QUEUE_GET.search(code):
            retried.add(loops[-1].line)  # a queue's consumer waits for work: no schedule
        elif loops:
            top = loops[-1]
            bare = code.split(comment, 1)[0]
            value = ""
            if needle in code and (s := sleep.search(bare)):
                value = s.group(1).strip()
            elif top.event and top.event + ".wait(" in bare:
                value = _wait_value(bare, top.event)
            if value and not _short(value) and (top.pace is None or depth < top.pace[0]):
                # the loop's own pace, not a wait in one of its branches
                top.pace = (depth, i, value)
            c = _PY_ELAPSED.match(bare) if comment == "#" and bare.startswith("if") else None
            if c is not None and _reset(lines, i, depth, c.group(1)):
                top.checks.append((i, c.group(2)))
    done += loops
    out: list[ScheduleSite] = []
    paced = 0
    for loop in sorted(done, key=lambda x: x.line):
        if loop.pace is None or loop.line in retried:
            continue
        _, at, wait = loop.pace
        pace = f"loop, sleeps {' '.join(wait.split())}"
        out += [
            ScheduleSite(loop.function, pace, MECHANISM, loop.line),
            ScheduleSite(loop.function, pace, MECHANISM, at),
        ]
        for at_check, every in loop.checks:
            when = f"every {every} s, in a loop"
            out.append(ScheduleSite(loop.function, when, MECHANISM, at_check))
        paced += 1
        if paced >= MAX_LOOPS:
            break
    return tuple(out)


def _wait_value(code: str, event: str) -> str:
    """The timeout of `event.wait(30)` / `event.wait(timeout=30)`."""
    rest = code[code.find(event + ".wait(") + len(event) + 6 :]
    m = _WAIT_ARG.match(rest)
    return m.group(1).strip() if m else ""


def _reset(lines: list[str], i: int, depth: int, stamp: str) -> bool:
    """Whether the block under the `if` at line `i` sets `stamp` again (`last = now`)."""
    for k in range(i, min(len(lines), i + MAX_CHECK_LINES)):
        line = lines[k][:MAX_LINE]
        code = line.lstrip(" \t")
        if not code or code.startswith("#"):
            continue
        if len(line) - len(code) <= depth:
            return False
        rest = code[len(stamp) :].lstrip(" \t") if code.startswith(stamp) else ""
        if rest.startswith("=") and not rest.startswith("=="):
            return True
    return False


def python_loops(text: str) -> tuple[ScheduleSite, ...]:
    if (not contains(text, "sleep(") and not contains(text, ".wait(")) or not contains(
        text, "while"
    ):
        return ()
    return _indented(text, _PY_HEAD, _PY_DEF, _PY_SLEEP, "sleep(", "#")


def ruby_loops(text: str) -> tuple[ScheduleSite, ...]:
    if not contains(text, "sleep") or (
        not contains(text, "loop") and not contains(text, "while") and not contains(text, "until")
    ):
        return ()
    return _indented(text, _RB_HEAD, _RB_DEF, _RB_SLEEP, "sleep", "#")


def go_loops(text: str) -> tuple[ScheduleSite, ...]:
    if "time.Sleep(" not in text and "time.After(" not in text and "time.Until(" not in text:
        return ()
    return _indented(text, _GO_HEAD, _GO_FUNC, _GO_SLEEP, "time.", "//")


# JavaScript/TypeScript, by indentation as Prettier leaves it.
_JS_WHILE_HEAD = r"while[ \t]*+\([ \t]*+(?:true|1|!?this\.\w)"
_JS_FOR_HEAD = r"for[ \t]*+\([ \t]*+;[ \t]*+;"
_JS_HEAD = re.compile(f"(?:{_JS_WHILE_HEAD}|{_JS_FOR_HEAD})")
# Its two halves, each led by its word, for the search over a whole file: the alternation
# is tried at every position (~5x slower on docmost and outline; the same answer).
_JS_HEAD_HALVES = (re.compile(_JS_WHILE_HEAD), re.compile(_JS_FOR_HEAD))
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
_JS_SLEEP = lazy(
    r"await[ \t]++(?:[\w$]{1,60}\.)?(?:delay|sleep|wait|pause|setTimeout)\(([^()\n]{1,80})\)"
    r"|setTimeout\([ \t]*+[\w$]{1,60}[ \t]*+,[ \t]*+([^()\n]{1,80})\)"
)
_JS_SHORT = lazy(r"\d{1,3}(?:\.\d*+)?\Z")  # a literal under a second, in milliseconds


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
    if all(half.search(text) is None for half in _JS_HEAD_HALVES):  # no line opens a loop
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
