"""Python in-memory queues (`handoffs_inproc`): `queue.Queue`, `asyncio.Queue`,
`multiprocessing.Queue`, janus, their Lifo/Priority/Simple/Joinable kinds.

A queue made here (`self.update_q = asyncio.Queue()`, a module global) is a `declare` site;
`update_q.put(x)` / `.put_nowait(x)` (also `q.sync_q.put`) is the producer; the function that
loops on `update_q.get()` (or `iter(update_q.get, None)`) is the consumer, cited at its
`def`. Both are named by the queue's variable, on a queue made here or a name imported here
(`from app.bus import update_q`): `keep_declared` keeps the latter only when some file makes
a queue of that name. Lines are cut at `MAX_LINE`; patterns are anchored and bounded.

A class of the repository that holds such a queue and defines `put` is a queue kind of its
own (a `queue-class` site; its body is the queue's plumbing, not a hand-off): a variable
made from a class whose name ends in "Queue" (`jobs = JobQueue()`, a `made` site) is a queue
when some file defines that class so. A queue passed in as a parameter is named by the
callers: `def enqueue_safe(q, item): q.put(item)` is a producer wrapper (`handoff_links`),
and a function that loops on its parameter's `.get()` is a `drainer`, the consumer of the
queue each caller passes (`run_worker(jobs)`). An attribute set from the parameter of its
name (`self.jobs = jobs`) is that queue too. The methods of a class that put on the queue it
holds are its producer API (`handoffs_inproc_methods`).
"""

from __future__ import annotations

import re

from bot.core.analysis.handoffs_inproc_blocks import enclosing
from bot.core.analysis.handoffs_inproc_methods import method_wrappers
from bot.core.analysis.handoffs_python_gate import docstring_lines
from bot.core.analysis.py_defs import Def, DefIndex
from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000
QUEUE = "in-process-queue"

_KINDS = r"(?:Queue|SimpleQueue|LifoQueue|PriorityQueue|JoinableQueue)"
# `[self.]name[: T] = [mod.]Queue(`; the qualifier says which library (RQ's `Queue(` is none).
_MADE = re.compile(
    r"\A[ \t]*+(?:self\.|cls\.)?([A-Za-z_]\w{0,100}+)[ \t]*+(?::[^=\n]{0,200}+)?=[ \t]*+"
    r"((?:[A-Za-z_]\w{0,100}+\.){0,3}+)" + _KINDS + r"\("
)
_LIBRARIES = frozenset({"queue", "asyncio", "multiprocessing", "mp", "janus", "ctx", "manager"})
# `from queue import …` alone on its line (after indentation): found from its "from", a
# literal the engine skips to, then the line's start looked at (a leading `^` with re.M
# made the engine try every position of the file).
_FROM_LIBRARY = re.compile(
    r"from[ \t]++(?:queue|asyncio|asyncio\.queues|multiprocessing|janus)[ \t]++import\b"
)
_IMPORT = re.compile(r"\A[ \t]*+from[ \t]++[\w.]{1,200}+[ \t]++import[ \t]++\(?([^)\n#]{1,1000}+)")
_RECEIVER = r"(?<![\w.])(?:self\.|cls\.)?((?:[A-Za-z_]\w{0,100}+\.){0,3}?[A-Za-z_]\w{0,100}+)"
_PUT = re.compile(_RECEIVER + r"\.put(?:_nowait)?\(")
# `.get()`, `.get(timeout=1)`, `.get(True, 1)`: a queue's; `.get("key")` is a mapping's.
_GET = re.compile(_RECEIVER + r"\.get(?:_nowait)?\([ \t]*+(?:\)|timeout|block|True|False)")
_ITER_GET = re.compile(r"iter\([ \t]*+" + _RECEIVER + r"\.get[ \t]*+,")
# a queue class's own awaitable side (`await jobs.async_get(timeout=1)`)
_ASYNC_GET = re.compile(_RECEIVER + r"\.async_get\(")
# `[self.]jobs = JobQueue(`: a queue when the repository defines `JobQueue` as one
_MADE_OWN = re.compile(
    r"\A[ \t]*+(?:self\.|cls\.)?([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:[A-Za-z_]\w{0,100}+\.){0,3}+([A-Za-z_]\w{0,100}+)\("
)
_CLASS = re.compile(r"\A([ \t]*+)class[ \t]++([A-Za-z_]\w{0,100}+)")
_PUT_DEF = re.compile(r"\A[ \t]++(?:async[ \t]++)?def[ \t]++put\(")
# `self.jobs = jobs`, `self.jobs = kwargs["jobs"]`
_FROM_PARAM = re.compile(
    r"\A[ \t]*+self\.([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:([A-Za-z_]\w{0,100}+)|kwargs\[['\"]([A-Za-z_]\w{0,100}+)['\"]\])[ \t]*+\Z"
)
_DEF = re.compile(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++[A-Za-z_]")
_LOOP = re.compile(r"\A[ \t]*+(?:async[ \t]++)?(?:while|for)\b")
_DEF_NAME = lazy(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)")
_EXECUTOR = lazy(
    r"\.run_in_executor\([ \t]*+[\w.]{1,100}+[ \t]*+,[ \t]*+"
    r"(?:self\.)?([A-Za-z_]\w{0,100}+)[ \t]*+[,)]"
)
POOL = "thread-pool"
_SIDES = ("sync_q", "async_q")  # janus: one queue, a side for each world


# A file that only imports the queue: its `.put(` or its looped `.get()` lets it in.
_MAY_GET = re.compile(r"\.get(?:_nowait)?\((?:\)|timeout|block)|\.get,|\.async_get\(")


def python_may_hold(text: str) -> bool:
    return (
        contains(text, "Queue(")
        or contains(text, "run_in_executor(")
        or contains(text, ".put(")
        or contains(text, ".put_nowait(")
        or _MAY_GET.search(text) is not None
    )


def _imports_library(text: str) -> bool:
    """Whether a line of `text` imports from a queue library (`_FROM_LIBRARY` at its start)."""
    for m in _FROM_LIBRARY.finditer(text):
        start = m.start()
        if not text[text.rfind("\n", 0, start) + 1 : start].strip(" \t"):
            return True
    return False


def python_inproc_sites(text: str) -> list[HandoffSite]:
    if not python_may_hold(text):
        return []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    pooled = _executor_sites(lines) if "run_in_executor(" in text else []
    library = _imports_library(text)
    out: list[HandoffSite] = []
    names: set[str] = set()
    attrs: set[str] = set()  # `self.jobs` set from the parameter `jobs`
    for i, line in enumerate(lines, 1):
        if "Queue(" in line and "=" in line:
            m = _MADE.match(line)
            if m and (m.group(2).split(".")[-2] in _LIBRARIES if m.group(2) else library):
                names.add(m.group(1))
                out.append(HandoffSite("declare", QUEUE, m.group(1), i))
            elif (own := _MADE_OWN.match(line)) is not None and own.group(2).endswith("Queue"):
                names.add(own.group(1))
                out.append(HandoffSite("made", QUEUE, own.group(1), i, (own.group(2),)))
        elif "import" in line:
            imp = _IMPORT.match(line)
            if imp:
                for part in imp.group(1).split(","):
                    words = part.split()
                    if words:
                        names.add(words[-1])
        elif "self." in line and "=" in line:
            got = _FROM_PARAM.match(line)
            if got is not None and got.group(1) in (got.group(2), got.group(3)):
                attrs.add(got.group(1))
    blocks: list[tuple[int, bool]] = []  # the def and loops around each line, when asked
    quoted: frozenset[int] | None = None  # docstring lines (a `.put(` in prose), when asked
    defs: DefIndex | None = None
    owned: list[tuple[str, int]] = []  # `self.q.put(` of a queue this class holds
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#") or (".put" not in line and "get" not in line):
            continue
        if quoted is None:
            quoted = docstring_lines(text)
        if i in quoted:
            continue
        for m in _PUT.finditer(line):
            name = _queue_name(m.group(1))
            # a parameter shadows a module's name: its callers say which queue it is
            if (p := _param(m, defs := defs or DefIndex(text, lines), i)) is not None:
                d, index = p
                kind = "method" if d.method else "func"
                out.append(HandoffSite("produce", QUEUE, name, i))
                wrap = (f"{{{name}}}", name, str(index), kind)
                out.append(HandoffSite("wrapper", QUEUE, d.name, i, wrap))
            elif name in names or (name in attrs and m.group(0).startswith("self.")):
                out.append(HandoffSite("produce", QUEUE, name, i))
                if m.group(0).startswith("self."):
                    owned.append((name, i))
        for m in [*_GET.finditer(line), *_ITER_GET.finditer(line), *_ASYNC_GET.finditer(line)]:
            name = _queue_name(m.group(1))
            blocks = blocks or _blocks(lines)
            holder, looped = blocks[i - 1]
            if not looped or not holder:
                continue
            if (p := _param(m, defs := defs or DefIndex(text, lines), i)) is not None:
                d, index = p
                kind = "method" if d.method else "func"
                out.append(HandoffSite("drainer", QUEUE, d.name, d.line, (name, str(index), kind)))
            elif name in names or (name in attrs and m.group(0).startswith("self.")):
                out.append(HandoffSite("consume", QUEUE, name, holder))
    # A queue put and got in one function is its data structure (a search's frontier, an
    # iterator's buffer), not a hand-off: a producer inside its consumer counts for nothing.
    drains = {(s.name, s.line) for s in out if s.role == "consume"}
    if drains:
        blocks = blocks or _blocks(lines)
        out = [
            s for s in out if s.role != "produce" or (s.name, blocks[s.line - 1][0]) not in drains
        ]
    kept = {(s.name, s.line) for s in out if s.role == "produce"}
    if owned := [p for p in owned if p in kept]:
        out += method_wrappers(QUEUE, lines, owned, defs or DefIndex(text, lines))
    if "class " in text and any(s.role == "declare" for s in out):
        out = _queue_classes(lines, out)
    return pooled + out


def _param(m: re.Match[str], defs: DefIndex, i: int) -> tuple[Def, int] | None:
    """The function holding line `i` and the index of its parameter that `m`'s receiver
    is, when the receiver is a bare parameter (not `self.x`, not `a.b`)."""
    if m.group(0).startswith(("self.", "cls.")) or "." in m.group(1):
        return None
    d = defs.holding(i)
    if d is None or m.group(1) not in d.params:
        return None
    return d, d.params.index(m.group(1))


def _queue_classes(lines: list[str], sites: list[HandoffSite]) -> list[HandoffSite]:
    """A class that makes a queue and defines `put` is a queue kind (a `queue-class` site
    at its line); the sites in its body are its own plumbing and are left out."""
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        c = _CLASS.match(lines[i]) if "class " in lines[i] else None
        if c is None:
            i += 1
            continue
        indent = len(c.group(1))
        end = i + 1
        while end < len(lines):
            body = lines[end]
            code = body.lstrip()
            if code and not code.startswith("#") and len(body) - len(code) <= indent:
                break
            end += 1
        spans.append((i + 1, end, c.group(2)))
        i += 1
    out = list(sites)
    for first, last, name in spans:
        inside = [s for s in out if first < s.line <= last and s.role != "queue-class"]
        if any(s.role == "declare" for s in inside) and any(
            _PUT_DEF.match(lines[k]) for k in range(first, last)
        ):
            out = [s for s in out if s not in inside]
            out.append(HandoffSite("queue-class", QUEUE, name, first))
    return out


def _executor_sites(lines: list[str]) -> list[HandoffSite]:
    """`loop.run_in_executor(pool, fn, …)`: `fn` runs on a pool thread, as `executor.submit`
    does (`handoffs`, "thread-pool"); paired with `fn`'s `def` when this file has it."""
    defs: dict[str, int] = {}
    for i, line in enumerate(lines, 1):
        d = _DEF_NAME.match(line) if "def " in line else None
        if d:
            defs.setdefault(d.group(1), i)
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        if "run_in_executor(" in line and not line.lstrip().startswith("#"):
            for m in _EXECUTOR.finditer(line):
                at = defs.get(m.group(1))
                if at:
                    out.append(HandoffSite("produce", POOL, m.group(1), i))
                    out.append(HandoffSite("consume", POOL, m.group(1), at))
    return out


def _queue_name(receiver: str) -> str:
    parts = receiver.split(".")
    if len(parts) > 1 and parts[-1] in _SIDES:
        parts.pop()
    return parts[-1]


def _blocks(lines: list[str]) -> list[tuple[int, bool]]:
    return enclosing(
        lines, lambda line: _DEF.match(line) is not None, lambda line: _LOOP.match(line) is not None
    )
