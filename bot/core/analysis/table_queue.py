"""A database table polled as a queue (Django): the consumer end, in one file.

A file that polls forever (a `loops` schedule) and holds a function that claims rows: it
selects rows of a model whose marker field is unset (`Flip.objects.filter(processed=None)`,
`__isnull=True`, `=False`) and marks them in the same function (`.update(`). That function
consumes the model's table, named by the model. The producers (the places that create such
rows, and the callers of the function that does) are found across files by
`handoff_links`. What it leaves: a table claimed with `select_for_update`/`SKIP LOCKED`
and no marker field, a query through a manager other than `objects`, other ORMs.

A second consumer shape, a table drained row by row (`drained_table_sites`): a loop straight
over a model's rows (`for job in Job.objects.all()[:100]:`) whose body works with the row and
then deletes that very row (`job.delete()`, not under a condition) — a job table emptied as
it is worked off. Only in a file that runs as a program of its own: a Django management
command (a `BaseCommand` subclass: cron or an operator runs it) or a file that polls forever.
A cleanup that deletes some rows (`if old: row.delete()`) or a related object
(`row.user.delete()`) is not one.

A third, a job table worked off by a scheduled function (`pending_table_sites`): a function
that runs on a schedule (a periodic task, a cron job) and selects rows of a model by a state
field set to a waiting state (`Asset.objects.filter(status=Asset.STATUS_PENDING)`,
`state="queued"`): the rows were written as jobs for it to take. Which code moves a row
out of that state is not checked (it is often a helper in another module); the waiting
state and the schedule together are the evidence. A scheduled query by any other state
(`status="active"`) or the same query outside a scheduled function is not one.
"""

from __future__ import annotations

from bot.core.analysis.py_defs import DefIndex
from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "db-table"
MAX_QUERIES = 200
MAX_BODY_LINES = 60  # a worked-off row's loop body is short
_CLAIM = lazy(r"(?<![\w.])([A-Z]\w{0,100}+)\.objects\.filter\(([^)\n]{0,300}+)\)")
# A state keyword argument whose value names a waiting state: `status=X.STATUS_PENDING`,
# `state="queued"`. Matched inside one filter's arguments (bounded above).
_WAITING = lazy(
    r"(?<![\w.])(?:status|state)[ \t]*+=[ \t]*+[\w.'\"]{0,100}?"
    r"(?i:pending|queued|waiting|scheduled)\b"
)
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


_DRAIN = lazy(
    r"(?m)^([ \t]*+)for[ \t]++([A-Za-z_]\w{0,60}+)[ \t]++in[ \t]++([A-Z]\w{0,100}+)\.objects\."
)


def drained_table_sites(text: str, lines: list[str]) -> tuple[HandoffSite, ...]:
    """Consumers of tables drained row by row (see the module's docstring), cited at the
    draining function's `def`."""
    if ".delete()" not in text or ".objects." not in text:
        return ()
    defs: DefIndex | None = None
    at = Lines(text)
    found: set[tuple[int, str]] = set()
    for k, m in enumerate(_DRAIN.finditer(text)):
        if k >= MAX_QUERIES:
            break
        i = at.at(m.start())
        if not _works_off(lines, i, len(m.group(1)), m.group(2)):
            continue
        defs = defs or DefIndex(text, lines)
        d = defs.holding(i)
        if d is not None:
            found.add((d.line, m.group(3)))
    return tuple(sorted(HandoffSite("consume", MECHANISM, model, n) for n, model in found))


def _works_off(lines: list[str], i: int, indent: int, row: str) -> bool:
    """Whether the body of the loop on line `i` uses `row` and then deletes it at the body's
    own level (every row handled is removed)."""
    body_indent = -1
    used = False
    for k in range(i, min(len(lines), i + MAX_BODY_LINES)):
        code = lines[k].rstrip()
        stripped = code.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        level = len(code) - len(stripped)
        if level <= indent:
            return False  # the loop ended
        if body_indent < 0:
            body_indent = level
        if stripped == row + ".delete()":
            return used and level == body_indent
        if row + "." in stripped or row + ")" in stripped or row + "," in stripped:
            used = True
    return False


def pending_table_sites(
    text: str, lines: list[str], scheduled: frozenset[str]
) -> tuple[HandoffSite, ...]:
    """Consumers of job tables a scheduled function (named in `scheduled`) selects waiting
    rows of (see the module's docstring), cited at that function's `def`."""
    if not scheduled or ".objects.filter(" not in text:
        return ()
    defs: DefIndex | None = None
    at = Lines(text)
    found: set[tuple[int, str]] = set()
    for k, m in enumerate(_CLAIM.finditer(text)):
        if k >= MAX_QUERIES:
            break
        if _WAITING.search(m.group(2)) is None:
            continue
        defs = defs or DefIndex(text, lines)
        d = defs.holding(at.at(m.start()))
        if d is not None and d.name in scheduled:
            found.add((d.line, m.group(1)))
    return tuple(sorted(HandoffSite("consume", MECHANISM, model, n) for n, model in found))
