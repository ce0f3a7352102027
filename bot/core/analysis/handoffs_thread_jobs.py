"""Background jobs on a Python thread that report on a row made for them.

    log = ExportLog.objects.create(kind=kind, owner=request.user)
    t = threading.Thread(target=exporter.run_export, args=[items, log])
    t.start()

A thread started with a row just created in the same function (`X.objects.create(…)`
assigned to a name the thread's `args` pass on) is a job: the row is its record, which the
thread updates and a client reads back. The `Thread(` line is the producer, named by the
target's function (`run_export`); its `def` is the consumer, found in this file, or by
`handoff_links` (a `thread-target` site) in the files this one reaches by its imports.

A thread given no such row (a mail sent in the background, a helper's timer) runs code,
not a job anyone tracks, and is left out (`handoffs_inproc` says why). The call is read to
`MAX_CALL` characters from `Thread(`, the function above it to `MAX_BACK` lines; every
pattern is bounded.
"""

from __future__ import annotations

from bot.core.analysis.py_defs import DefIndex, split_args
from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "thread-job"
TARGET = "thread-target"  # the consumer to look for beyond this file
MAX_CALL = 800
MAX_BACK = 60  # lines between the row's creation and the thread
MAX_THREADS = 50

# `target=obj.method` / `target=self.method` / `target=func`, up to three qualifiers
_TARGET = lazy(
    r"(?<![\w.])target[ \t]*+=[ \t]*+((?:[A-Za-z_]\w{0,100}+\.){0,3}+)([A-Za-z_]\w{0,100}+)"
)
_ARGS = lazy(r"(?<![\w.])args[ \t]*+=[ \t]*+[\[(]")
# `name = Model.objects.create(` (a manager's create: the row exists when the thread runs)
_ROW = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+(?:[A-Za-z_]\w{0,100}+\.){1,3}?"
    r"objects\.create\("
)
_THREAD = lazy(r"(?<![\w.])(?:threading\.)?Thread\(")
_DEF = lazy(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+\(")


def may_hold(text: str) -> bool:
    return contains(text, "Thread(") and contains(text, "target") and ".objects.create(" in text


def thread_job_sites(text: str) -> list[HandoffSite]:
    if not may_hold(text):
        return []
    lines = text.split("\n")
    defs: DefIndex | None = None
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        if "Thread(" not in line or line.lstrip().startswith("#"):
            continue
        start = _THREAD.search(line[:MAX_CALL])
        if start is None:
            continue
        call = "\n".join([line[start.end() :], *lines[i : i + 10]])[:MAX_CALL]
        inner = ",".join(split_args(call))  # the call's own arguments, up to its ")"
        target = _TARGET.search(inner)
        passed = _ARGS.search(inner)
        if target is None or passed is None:
            continue
        given = {a.strip() for a in split_args(inner[passed.end() :])}
        defs = defs or DefIndex(text, lines)
        holder = defs.holding(i)
        first = max(holder.line if holder is not None else 1, i - MAX_BACK)
        rows = {
            m.group(1)
            for k in range(first, i)
            if "objects.create(" in lines[k - 1]
            if (m := _ROW.match(lines[k - 1])) is not None
        }
        if not rows & given:
            continue
        func = target.group(2)
        out.append(HandoffSite("produce", MECHANISM, func, i))
        own = target.group(1) in ("", "self.", "cls.")
        at = _own_def(lines, func) if own else None
        if at is not None:
            out.append(HandoffSite("consume", MECHANISM, func, at))
        else:
            out.append(HandoffSite(TARGET, MECHANISM, func, i))
        if len(out) >= 2 * MAX_THREADS:
            break
    return out


def _own_def(lines: list[str], func: str) -> int | None:
    for i, line in enumerate(lines, 1):
        if "def " in line and (m := _DEF.match(line)) is not None and m.group(1) == func:
            return i
    return None
