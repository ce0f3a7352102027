"""Temporal (TypeScript SDK) hand-offs: workflows started by name, and the activities a
workflow schedules on a task queue. The library is the evidence: its client API and its
workflow package's functions are what hand work to another process (a worker).

Producers, mechanism ``temporal``, named by the workflow or activity:
* a client's `workflow.start|signalWithStart|execute('name' | fn, {…})` whose options name a
  `taskQueue` before the call closes (Temporal's required option: an unrelated
  `x.workflow.start()` of another library has none);
* in a workflow file (one importing `@temporalio/workflow`): `startChild|executeChild(fn, …)`,
  and the calls of the activities destructured from `proxyActivities<…>(…)`, directly or
  through a local function that returns it.
Consumers:
* a workflow file's exported functions: Temporal registers each by its name;
* a method decorated `@ActivityMethod(` (the NestJS wrappers' activity decorator).
Both ends are needed (`movement._BOTH_ENDS`): an exported helper nothing starts is no hand-off.
Every pattern starts with a literal and has bounded repeats; lines are cut at `MAX_LINE`.
"""

from __future__ import annotations

import re

from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "temporal"
MAX_LINE = 2_000
MAX_CALL_CHARS = 3_000  # characters of a start call's options searched for `taskQueue`
MAX_STARTS = 500  # start calls read per file
MAX_DECORATED = 4  # lines from `@ActivityMethod(` to its method
MAX_FACTORY_LINES = 3  # lines from a function's head to its `return proxyActivities`
MAX_CALLS = 200  # activity call sites read per file
WORKFLOW_PACKAGE = "@temporalio/workflow"

_NAME = r"[A-Za-z_$][\w$]{0,100}+"
_START = lazy(
    r"workflow\??\.(?:start|signalWithStart|execute)\([ \t\n]*+(['\"`]?)(" + _NAME + r")\1"
)
_CHILD = lazy(r"(?<![\w$.])(?:startChild|executeChild)\([ \t\n]*+(['\"`]?)(" + _NAME + r")\1")
_EXPORTED = lazy(
    r"\Aexport[ \t]++(?:(?:async[ \t]++)?function[ \t]*+\*?[ \t]*+(" + _NAME + r")[ \t]*+[(<]"
    r"|const[ \t]++(" + _NAME + r")[ \t]*+=[ \t]*+(?:async[ \t]*+)?(?:\(|function))"
)
# `const { a, b: c } = proxyActivities<T>(` or `= factory(`; the braces hold names only.
_DESTRUCTURE = lazy(
    r"\{([\w$ \t\n,:]{1,4000}+)\}[ \t]*+=[ \t]*+(" + _NAME + r")[ \t]*+(?:<[^>\n]{0,200}+>)?\("
)
_FACTORY_HEAD = lazy(r"(?:const|let|function)[ \t]++(" + _NAME + r")")
_METHOD = lazy(r"\A[ \t]*+(?:(?:public|protected|async)[ \t]++){0,3}(" + _NAME + r")[ \t]*+\(")
_COMMENT = ("//", "*", "/*")
_IDENT = lazy(r"\A" + _NAME + r"\Z")


def temporal_sites(text: str) -> tuple[HandoffSite, ...]:
    """The Temporal hand-off sites of one JavaScript/TypeScript file."""
    if "workflow" not in text and "ActivityMethod" not in text:
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    at = Lines(text)
    out: list[HandoffSite] = []
    if "taskQueue" in text:
        for n, m in enumerate(_START.finditer(text)):
            if n >= MAX_STARTS:
                break
            i = at.at(m.start())
            if not _comment(lines, i) and _names_queue(text, m.end()):
                out.append(HandoffSite("produce", MECHANISM, m.group(2), i))
    if WORKFLOW_PACKAGE in text:
        _workflow_file(text, lines, at, out)
    if "@ActivityMethod(" in text:
        for i, line in enumerate(lines, 1):
            if "@ActivityMethod(" in line and not _comment(lines, i):
                _decorated(lines, i, out)
    return tuple(out)


def _names_queue(text: str, start: int) -> bool:
    """Whether the call's arguments from `start` name a `taskQueue` before it closes."""
    end = text.find("taskQueue", start, start + MAX_CALL_CHARS)
    if end == -1:
        return False
    depth = 1
    for ch in text[start:end]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return False  # the call closed first: the name is another call's
    return True


def _comment(lines: list[str], i: int) -> bool:
    return lines[i - 1].lstrip().startswith(_COMMENT) if 0 < i <= len(lines) else True


def _workflow_file(text: str, lines: list[str], at: Lines, out: list[HandoffSite]) -> None:
    for i, line in enumerate(lines, 1):
        m = _EXPORTED.match(line)
        if m:
            out.append(HandoffSite("consume", MECHANISM, m.group(1) or m.group(2), i))
    for m in _CHILD.finditer(text):
        i = at.at(m.start())
        if not _comment(lines, i):
            out.append(HandoffSite("produce", MECHANISM, m.group(2), i))
    proxies = {"proxyActivities", *_factories(text, lines, at)}
    called: dict[str, str] = {}  # the name a call uses → the activity's name
    for m in _DESTRUCTURE.finditer(text):
        if m.group(2) not in proxies or _comment(lines, at.at(m.start())):
            continue
        for part in m.group(1).split(","):
            name, _, local = (p.strip() for p in part.partition(":"))
            if _IDENT.match(name) and _IDENT.match(local or name):
                called[local or name] = name
    if not called:
        return
    alternatives = "|".join(re.escape(n) for n in sorted(called, key=len, reverse=True))
    calls = re.compile(r"(?<![\w$.])(" + alternatives + r")\(")
    found = 0
    for i, line in enumerate(lines, 1):
        if "(" not in line or _comment(lines, i):
            continue
        for m in calls.finditer(line):
            if found >= MAX_CALLS:
                return
            found += 1
            out.append(HandoffSite("produce", MECHANISM, called[m.group(1)], i))


def _factories(text: str, lines: list[str], at: Lines) -> set[str]:
    """Local functions that return `proxyActivities(…)` (one per task queue, say)."""
    out = set()
    pos = text.find("return proxyActivities")
    while pos != -1:
        i = at.at(pos)
        for j in range(i, max(0, i - MAX_FACTORY_LINES) - 1, -1):
            m = _FACTORY_HEAD.search(lines[j - 1]) if j >= 1 else None
            if m:
                out.add(m.group(1))
                break
        pos = text.find("return proxyActivities", pos + 1)
    return out


def _decorated(lines: list[str], i: int, out: list[HandoffSite]) -> None:
    for j in range(i + 1, min(len(lines), i + MAX_DECORATED) + 1):
        line = lines[j - 1]
        if line.lstrip().startswith("@"):
            continue
        m = _METHOD.match(line)
        if m and m.group(1) not in ("constructor", "if", "for", "while", "switch"):
            out.append(HandoffSite("consume", MECHANISM, m.group(1), j))
        return
