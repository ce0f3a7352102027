"""JavaScript/TypeScript in-memory job queues (`handoffs_inproc`): fastq and async's `queue`.

`const q = fastq(worker, 1)` (also `fastq.promise(…)`, `fastq(ctx, worker, n)`) or
`async.queue(worker, n)` is a `declare` site; `q.push(x)` / `q.unshift(x)` produce, on a
queue made here or a name imported here (`keep_declared` keeps those when some file makes a
queue of that name); the worker function is the consumer, cited at its definition in this
file, else at the queue's creation (an inline or imported worker). Named by the variable.
p-queue's `queue.add(() => f(x))` runs a closure, named by nothing: not here.
"""

from __future__ import annotations

import re

from bot.core.analysis.words import contains
from bot.core.model import HandoffSite

MAX_LINE = 2_000
QUEUE = "in-process-queue"

_MADE = re.compile(
    r"\A[ \t]*+(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)"
    r"[ \t]*+(?::[^=\n]{0,200}+)?=[ \t]*+(?:await[ \t]++)?(fastq(?:\.promise)?|async\.queue|queue)"
    # fastq's optional context first: `fastq(this, worker, 1)`
    r"[ \t]*+\([ \t]*+(?:(?:this|[A-Za-z_$][\w$]{0,100}+)[ \t]*+,[ \t]*+"
    r"(?=[A-Za-z_$][\w$]{0,100}+[ \t]*+,))?"
    r"([A-Za-z_$][\w$]{0,100}+)?"
)
_ASYNC_LIB = re.compile(r"(?:from[ \t]++|require\([ \t]*+)['\"]async['\"]")
_IMPORTED = re.compile(
    r"\A[ \t]*+(?:import[ \t]++(?:type[ \t]++)?([^;\n]{1,1000}?)[ \t]++from\b"
    r"|(?:const|let|var)[ \t]++([^=\n]{1,1000}?)[ \t]*+=[ \t]*+require\()"
)
_PUSH = re.compile(r"(?<![\w$])(?:this\.)?([A-Za-z_$][\w$]{0,100}+)\.(?:push|unshift)\(")


def js_may_hold(text: str) -> bool:
    """A file that makes a queue, or one that pushes on something named like a queue (the
    pushes on an imported name are kept only where a queue of that name is made)."""
    return (
        contains(text, "fastq")
        or contains(text, "queue(")
        or (contains(text, "ueue") and contains(text, ".push("))
    )


def js_inproc_sites(text: str) -> list[HandoffSite]:
    if not js_may_hold(text):
        return []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    async_lib = _ASYNC_LIB.search(text) is not None
    out: list[HandoffSite] = []
    names: set[str] = set()
    for i, line in enumerate(lines, 1):
        if "queue" in line or "fastq" in line:
            m = _MADE.match(line)
            if m and (m.group(2) != "queue" or async_lib):
                names.add(m.group(1))
                out.append(HandoffSite("declare", QUEUE, m.group(1), i))
                at = _defined(lines, m.group(3)) if m.group(3) else 0
                out.append(HandoffSite("consume", QUEUE, m.group(1), at or i))
                continue
        if "import" in line or "require(" in line:
            imp = _IMPORTED.match(line)
            if imp:
                for word in re.split(r"[\s{},*]+", imp.group(1) or imp.group(2))[:100]:
                    if word and word not in ("as", "type", "default"):
                        names.add(word)
    if not names:
        return []
    for i, line in enumerate(lines, 1):
        if (".push(" in line or ".unshift(" in line) and not line.lstrip().startswith("//"):
            for p in _PUSH.finditer(line):
                if p.group(1) in names:
                    out.append(HandoffSite("produce", QUEUE, p.group(1), i))
    return out


def _defined(lines: list[str], name: str) -> int:
    """The line that defines function `name` in this file (0: none)."""
    pattern = re.compile(
        r"\A[ \t]*+(?:export[ \t]++)?(?:(?:async[ \t]++)?function\*?[ \t]++"
        + re.escape(name)
        + r"\b|(?:const|let|var)[ \t]++"
        + re.escape(name)
        + r"[ \t]*+(?::[^=\n]{0,200}+)?=)"
    )
    for i, line in enumerate(lines, 1):
        if name in line and pattern.match(line):
            return i
    return 0
