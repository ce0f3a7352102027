"""JS/TS work deferred out of the caller: `setImmediate(() => { … deliver(x) … })` inside a
function hands `deliver` to a later turn of the event loop (fire and forget).

Servers answer first and do slow work after it by deferring a callback: `setImmediate`,
`process.nextTick`, or a `setTimeout` started inside a function. The hand-off is to the
async function of the same file the callback calls (the first one it calls that the file
defines: `async function deliver(`, `Mod.deliver = async function`, `const deliver = async (`;
a plain function deferred is a UI's next tick more often than work), named
`deliver()`, cited at the deferring line (producer; its sink reads "via setImmediate") and
at that function's definition (consumer). A callback that calls the function around it
again is a timer loop (`schedules_js`), and one calling what a `setInterval` of the file
runs is that schedule's first run, not a hand-off; a top-level timer is start-up wiring;
browser code (the DOM, React) is left out, as `schedules_js` does.

Bounded: `MAX_CALLBACK_LINES` lines of a callback read, `MAX_SITES` sites per file; lines
cut at `MAX_LINE`; patterns literal-led and linear.
"""

from __future__ import annotations

from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "deferred call"
MAX_LINE = 2_000
MAX_CALLBACK_LINES = 60
MAX_ASCENT = 200  # lines walked up from a timer to the function around it
MAX_SITES = 100

_TRIGGERS = ("setImmediate(", "nextTick(", "setTimeout(")
_BROWSER_WORDS = ("document.", "window.", "useEffect", "React", "localStorage", "$(")
_DEFER = lazy(
    r"\A([ \t]++)(?:await[ \t]++)?(?:process\.)?(setImmediate|nextTick|setTimeout)[ \t]*+\("
    r"[ \t]*+(?:async[ \t]*+)?(?:\([^()\n]{0,200}+\)[ \t]*+=>|function[ \t]*+\([^()\n]{0,200}+\))"
    r"[ \t]*+\{"
)
_DEF = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:async[ \t]++)?function[ \t]*+\*?[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100}+)"
    r"|\A[ \t]*+((?:[A-Za-z_$][\w$]{0,100}+\.)?[A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:async[ \t]++)?(?:function\b|\([^()\n]{0,200}+\)[ \t]*+=>|[A-Za-z_$][\w$]{0,100}+[ \t]*+=>)"
    r"|\A[ \t]*+(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:async[ \t]++)?(?:function\b|\([^()\n]{0,200}+\)[ \t]*+=>)"
)
# `f(` or `Owner.f(`, as the file defines it (`console.log(` is no call of `Mod.log`).
_CALLED = lazy(r"(?<![\w$.])((?:[A-Za-z_$][\w$]{0,100}+\.)?[A-Za-z_$][\w$]{0,100}+)[ \t]*+\(")


_TRIGGER_NEEDLES = Needles(_TRIGGERS)  # their words first (`words`): most files hold none
_BROWSER_NEEDLES = Needles(_BROWSER_WORDS)  # their words first (`words`): most files hold none


def deferred_sites(text: str) -> tuple[HandoffSite, ...]:
    """Both ends of each deferred call in one server file (see the module doc)."""
    if not _TRIGGER_NEEDLES.any_in(text) or _BROWSER_NEEDLES.any_in(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    defs: dict[str, int] = {}
    for i, line in enumerate(lines, 1):
        if "function" in line or "=>" in line:
            m = _DEF.match(line)
            name = (m.group(1) or m.group(2) or m.group(3)) if m else ""
            if name and "async" in line:  # deferred work is asynchronous work
                defs.setdefault(name, i)
    if not defs:
        return ()
    clocked = {
        c.group(1)
        for line in lines
        if "setInterval(" in line
        for c in _CALLED.finditer(line, line.find("setInterval(") + 12)
    }
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        if len(out) >= MAX_SITES:
            break
        if not any(t in line for t in _TRIGGERS):
            continue
        m = _DEFER.match(line)
        if m is None:
            continue
        around = _around(lines, i, len(m.group(1).expandtabs(4)))
        if not around:
            continue  # a top-level timer: start-up wiring
        called = _first_local_call(lines, i, m.end(), defs)
        short = called.rpartition(".")[2]
        if called and called in clocked:
            continue  # the first run of what a `setInterval` of the file runs: a schedule
        if called and short != around.rpartition(".")[2] and defs[called] != i:
            # the producer's line names the timer, not the call: "enqueues f() via setTimeout"
            out.append(HandoffSite("produce", MECHANISM, f"{short}()", i, (m.group(2),)))
            out.append(HandoffSite("consume", MECHANISM, f"{short}()", defs[called]))
    return tuple(sorted(set(out)))


def _around(lines: list[str], i: int, indent: int) -> str:
    """The name of the function around line `i` (1-based) whose body holds column
    `indent`, or "" when the line is at the top level."""
    if indent == 0:
        return ""
    for j in range(i - 2, max(-1, i - 2 - MAX_ASCENT), -1):
        line = lines[j]
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if len(line[:width].expandtabs(4)) >= indent:
            continue
        m = _DEF.match(line)
        if m is not None:
            return m.group(1) or m.group(2) or m.group(3) or "?"
        if width == 0:
            return "?"  # some other top-level statement holds it (a call's callback)
    return "?"


def _first_local_call(lines: list[str], i: int, start: int, defs: dict[str, int]) -> str:
    """The first function of the file called in the callback opening at line `i`."""
    depth = 0
    for j in range(i - 1, min(len(lines), i - 1 + MAX_CALLBACK_LINES)):
        line = lines[j][start - 1 :] if j == i - 1 else lines[j]
        for c in _CALLED.finditer(line):
            if c.group(1) in defs:
                return c.group(1)
        depth += line.count("{") - line.count("}")
        if depth < 0 or (j > i - 1 and depth == 0):
            return ""
    return ""


def enclosing_definition(lines: list[str], i: int) -> int:
    """The line (1-based) of the function definition around line `i`, or 0."""
    line = lines[i - 1]
    indent = len(line[: len(line) - len(line.lstrip())].expandtabs(4))
    for j in range(i - 2, max(-1, i - 2 - MAX_ASCENT), -1):
        above = lines[j]
        if not above.strip():
            continue
        width = len(above) - len(above.lstrip())
        if len(above[:width].expandtabs(4)) >= indent:
            continue
        if _DEF.match(above) is not None:
            return j + 1
        indent = len(above[:width].expandtabs(4))
        if indent == 0:
            return 0
    return 0
