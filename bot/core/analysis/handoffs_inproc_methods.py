"""A class's own methods that put on the queue it holds (`handoffs_inproc_python`).

A class that makes `self.jobs = queue.Queue()` and starts a worker on it is fed through its
methods: `def add(self, item): self.jobs.put_nowait(item)`. Such a method is the queue's
producer API, so its callers, in this file and in the files that import it, are producers
of the same queue (`handoff_links`, a `wrapper` site named for the method, aliases
`(queue, "", "", kind)`). A public method that only forwards to it in the same file
(`def submit(*items): Manager()._add(*items)`) is one too: one level further, in this file
only, at most `MAX_WRAPPERS` and `MAX_LIFTED` methods. A method named like a collection's or
a framework's own (`put`, `stop`, `__call__`: `_COMMON_METHODS`) is left alone, as other
wrappers are.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_python_patterns import _COMMON_METHODS
from bot.core.analysis.py_defs import Def, DefIndex
from bot.core.model import HandoffSite

MAX_WRAPPERS = 20  # methods putting on the queue taken per file (each is looked for)
MAX_LIFTED = 20  # forwarding methods taken per file
MAX_CALL_LINES = 200  # lines calling one wrapper looked at


def _wraps(d: Def | None) -> bool:
    if d is None or d.name.startswith("__"):
        return False
    return d.name.casefold() not in _COMMON_METHODS


def _kind(d: Def) -> str:
    # a `def` indented in a class body is called `X.name(`, a `@staticmethod` as well
    return "method" if d.method or d.indent > 0 else "func"


def method_wrappers(
    mechanism: str, lines: list[str], puts: list[tuple[str, int]], defs: DefIndex
) -> list[HandoffSite]:
    """Wrapper sites for the methods holding `puts` ((queue, line) of each `self.q.put`),
    then for the functions of this file that call one of those methods."""
    out: list[HandoffSite] = []
    named: dict[str, str] = {}  # wrapper -> queue
    for queue, line in puts:
        if len(named) >= MAX_WRAPPERS:
            break
        d = defs.holding(line)
        if d is None or not d.method or not _wraps(d):
            continue
        out.append(HandoffSite("wrapper", mechanism, d.name, line, (queue, "", "", "method")))
        named.setdefault(d.name, queue)
    lifted: set[str] = set()
    for name, queue in sorted(named.items()):
        needle = "." + name + "("
        looked = 0
        for i, text in enumerate(lines, 1):
            if needle not in text:
                continue
            looked += 1
            if looked > MAX_CALL_LINES or len(lifted) >= MAX_LIFTED:
                break
            if text.lstrip().startswith(("#", "def ", "async def ")):
                continue
            d = defs.holding(i)
            if d is None or d.name in named or d.name in lifted or not _wraps(d):
                continue
            lifted.add(d.name)
            out.append(HandoffSite("wrapper", mechanism, d.name, i, (queue, "", "", _kind(d))))
    return out
