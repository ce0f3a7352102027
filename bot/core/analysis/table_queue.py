"""A database table polled as a queue (Django): the consumer end, in one file.

A file that polls forever (a `loops` schedule) and holds a function that claims rows: it
selects rows of a model whose marker field is unset (`Flip.objects.filter(processed=None)`,
`__isnull=True`, `=False`) and marks them in the same function (`.update(`). That function
consumes the model's table, named by the model. The producers (the places that create such
rows, and the callers of the function that does) are found across files by
`handoff_links`. What it leaves: a table claimed with `select_for_update`/`SKIP LOCKED`
and no marker field, a query through a manager other than `objects`, other ORMs.
"""

from __future__ import annotations

from bot.core.analysis.py_defs import DefIndex
from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "db-table"
MAX_QUERIES = 200
_CLAIM = lazy(r"(?<![\w.])([A-Z]\w{0,100}+)\.objects\.filter\(([^)\n]{0,300}+)\)")
_UNSET = lazy(r"=[ \t]*+(?:None|False)\b|__isnull[ \t]*+=[ \t]*+True\b")


def table_queue_sites(text: str, lines: list[str]) -> tuple[HandoffSite, ...]:
    """Consumers of tables polled as queues, cited at the claiming function's `def`."""
    if ".objects.filter(" not in text or ".update(" not in text:
        return ()
    defs = DefIndex(text, lines)
    at = Lines(text)
    claimed: dict[int, set[str]] = {}  # def line -> models it selects unset rows of
    for k, m in enumerate(_CLAIM.finditer(text)):
        if k >= MAX_QUERIES:
            break
        if _UNSET.search(m.group(2)) is None:
            continue
        d = defs.holding(at.at(m.start()))
        if d is not None:
            claimed.setdefault(d.line, set()).add(m.group(1))
    if not claimed:
        return ()
    updating: set[int] = set()
    at = Lines(text)
    pos = text.find(".update(")
    looked = 0
    while pos != -1 and len(updating) < len(claimed) and looked < MAX_QUERIES:
        looked += 1
        d = defs.holding(at.at(pos))
        if d is not None and d.line in claimed:
            updating.add(d.line)
        pos = text.find(".update(", pos + 1)
    return tuple(
        sorted(
            HandoffSite("consume", MECHANISM, model, line)
            for line in updating
            for model in claimed[line]
        )
    )
