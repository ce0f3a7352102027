"""A database table used as a queue through SQL strings (Go), across files.

The shape: one table that the code writes raw SQL for three ways — `INSERT INTO jobs` in
one function (the row is made to wait), `… FROM jobs` selected in another, and `DELETE FROM
jobs` or `UPDATE jobs SET` (the row worked off) — where a function run on a clock (a file's
schedule: a ticker, a `for` loop that sleeps) calls the selecting function and, itself or
through a function of its own file, the deleting one. That clock-run function consumes the
table, cited at its `func` line; the producers are the insert, and the calls of the function
holding it (`app.db.InsertJob(…)` in a handler), cited at the call.

Not a queue: a table that handlers insert into and other handlers read (no clock reads it),
or one a clock reads but never deletes or marks. SQL keywords are read upper-case only, in
code lines (not `//` comments). Bounded: `MAX_FILES` files, `MAX_TEXT` characters each,
`MAX_TABLES` tables, `MAX_SITES` producers per table; every pattern is linear.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.core.analysis.table_queue import MECHANISM as TABLE
from bot.core.model import FileFacts, HandoffSite

MAX_FILES = 3_000
MAX_TEXT = 1_000_000
MAX_LINE = 2_000
MAX_TABLES = 20
MAX_SITES = 60  # producers per table
MAX_STATEMENTS = 2_000  # SQL statements read per file

_FUNC = re.compile(r"func[ \t]*+(?:\([^()\n]{0,200}+\)[ \t]*+)?([A-Za-z_]\w{0,100}+)[ \t]*+[\[(]")
_TABLE = r"[`\"]?+([A-Za-z_]\w{0,63}+)"
_SQL = re.compile(
    rf"\b(?:(INSERT)[ \t]++INTO|(DELETE)[ \t]++FROM|(FROM)|(UPDATE))[ \t]++{_TABLE}"
    r"(?:[`\"]?+[ \t]++(SET)\b)?"
)


@dataclass
class _Func:
    path: str
    name: str
    line: int  # the `func` line
    end: int  # the last line before the next top-level `func`
    calls: set[str] = field(default_factory=set)  # names called in the body


@dataclass
class _Tables:
    inserts: dict[str, list[tuple[_Func, int]]] = field(default_factory=lambda: defaultdict(list))
    selects: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    removes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def link_go_tables(
    facts: Mapping[str, FileFacts], read: Callable[[str], str | None], skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]]]:
    """Consumer and producer sites of Go tables used as queues, by file; and the (path,
    line) of the producers found through the function holding the insert."""
    go = sorted(p for p, f in facts.items() if f.language == "go" and not skip(p))[:MAX_FILES]
    if not any(facts[p].schedules for p in go):
        return {}, set()
    funcs: dict[str, list[_Func]] = {}
    texts: dict[str, list[str]] = {}
    tables = _Tables()
    for p in go:
        text = (read(p) or "")[:MAX_TEXT]
        lines = text.split("\n")
        texts[p] = lines
        funcs[p] = _functions(p, lines)
        _statements(funcs[p], lines, tables)
    added: dict[str, set[HandoffSite]] = defaultdict(set)
    derived: set[tuple[str, int]] = set()
    # every name each file calls: which files to read for a function's callers
    called = {p: set().union(*(fn.calls for fn in fs)) for p, fs in funcs.items()}
    queued = 0
    for table in sorted(tables.inserts):
        if queued >= MAX_TABLES or not tables.selects.get(table) or not tables.removes.get(table):
            continue
        pollers = _pollers(facts, funcs, tables.selects[table], tables.removes[table])
        if not pollers:
            continue
        queued += 1
        for p, line in pollers:
            added[p].add(HandoffSite("consume", TABLE, table, line))
        count = 0
        followed: set[tuple[str, int]] = set()
        for holder, at in tables.inserts[table][:MAX_SITES]:
            added[holder.path].add(HandoffSite("produce", TABLE, table, at))
            count += 1
            if (holder.path, holder.line) in followed:
                continue  # a second insert of the same function: its callers are in
            followed.add((holder.path, holder.line))
            for p, i in _callers(texts, called, holder):
                if count >= MAX_SITES:
                    break
                added[p].add(HandoffSite("produce", TABLE, table, i, (holder.name,)))
                derived.add((p, i))
                count += 1
    return dict(added), derived


def _functions(path: str, lines: list[str]) -> list[_Func]:
    """The file's top-level functions and methods (a `func` at the start of a line), each
    with the names its body calls."""
    out: list[_Func] = []
    for i, raw in enumerate(lines, 1):
        if raw.startswith("func"):
            m = _FUNC.match(raw[:MAX_LINE])
            if m is not None:
                if out:
                    out[-1].end = i - 1
                out.append(_Func(path, m.group(1), i, len(lines)))
                continue
        if out and "(" in raw:
            code = _code(raw)
            out[-1].calls.update(_called(code))
    return out


_CALLED = re.compile(r"([A-Za-z_]\w{0,100}+)[ \t]*+\(")


def _called(code: str) -> set[str]:
    return {m.group(1) for m in _CALLED.finditer(code)}


def _code(raw: str) -> str:
    line = raw[:MAX_LINE]
    return "" if line.lstrip().startswith("//") else line


def _statements(funcs: list[_Func], lines: list[str], tables: _Tables) -> None:
    """Where the file's SQL inserts, selects and deletes or updates each table."""
    read = 0
    k = 0
    for i, raw in enumerate(lines, 1):
        if read >= MAX_STATEMENTS:
            return
        if "INTO" not in raw and "FROM" not in raw and "UPDATE" not in raw:
            continue
        code = _code(raw)
        while k + 1 < len(funcs) and funcs[k + 1].line <= i:
            k += 1
        holder = funcs[k] if funcs and funcs[k].line <= i else None
        if holder is None:
            continue
        for m in _SQL.finditer(code):
            read += 1
            insert, delete, select, update, table, set_ = m.groups()
            if insert:
                tables.inserts[table].append((holder, i))
            elif delete or (update and set_):
                tables.removes[table].add(holder.name)
            elif select:
                tables.selects[table].add(holder.name)


def _pollers(
    facts: Mapping[str, FileFacts],
    funcs: Mapping[str, list[_Func]],
    selects: set[str],
    removes: set[str],
) -> list[tuple[str, int]]:
    """(path, `func` line) of the clock-run functions that call a selecting function and,
    themselves or through a function of their file, a deleting one."""
    out: list[tuple[str, int]] = []
    for p, fs in funcs.items():
        clocks = [s.line for s in facts[p].schedules]
        if not clocks:
            continue
        by_name = {fn.name: fn for fn in fs}
        for fn in fs:
            if not any(fn.line <= c <= fn.end for c in clocks) or not fn.calls & selects:
                continue
            reach = set(fn.calls)
            for name in fn.calls:
                inner = by_name.get(name)
                if inner is not None:
                    reach |= inner.calls
            if reach & removes:
                out.append((p, fn.line))
    return out


def _callers(
    texts: Mapping[str, list[str]], called: Mapping[str, set[str]], holder: _Func
) -> list[tuple[str, int]]:
    """Lines that call the function holding an insert (`x.InsertJob(` or `insertJob(`),
    outside its own body. An unexported name is called from its own package only."""
    home = holder.path.rpartition("/")[0]
    exported = holder.name[:1].isupper()
    out: list[tuple[str, int]] = []
    for p, lines in texts.items():
        if not exported and p.rpartition("/")[0] != home:
            continue
        if holder.name not in called[p]:
            continue
        for i, raw in enumerate(lines, 1):
            if holder.name not in raw or raw.startswith("func"):
                continue
            if p == holder.path and holder.line <= i <= holder.end:
                continue
            if holder.name in _called(_code(raw)):
                out.append((p, i))
                if len(out) >= MAX_SITES:
                    return out
    return out
