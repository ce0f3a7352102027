"""Ruby jobs chosen from a constant table by a key the caller gives.

A module keeps a frozen hash from an event name to its job class (`JOBS = { 'order.paid' =>
OrderPaidJob, … }`) and one method enqueues the job of the event it is given:
`Sidekiq::Client.push_bulk('class' => JOBS[event], 'args' => args)`, `push('class' =>
JOBS.fetch(event))`, `JOBS[event].perform_async(id)`. That method is a producer API whose
callers (`Events.enqueue(order, 'order.paid')`) produce the job the table maps their literal
key to, as `handoff_wrappers_ruby`'s helpers of a class they are given do.

`keyed_job` finds such an enqueue on a line of a method with the key among its parameters;
`job_table` reads the hash (one `key => Const` pair a line, string or symbol keys) from the
same file. The wrapper site carries the table as `key=Job` aliases so that `link_ruby` can
resolve each caller's literal key without reading the file again. Patterns are anchored or
start with a literal; the hash is read for at most `MAX_ENTRIES` lines.
"""

from __future__ import annotations

import re

from bot.core.lazy_pattern import lazy

KEYED = "keyed"  # the aliases of such a wrapper: (param, index, KEYED, "key=Job", …)
MAX_ENTRIES = 100
MAX_LINE = 2_000

# `TABLE[param]` or `TABLE.fetch(param)`, then `.perform_*` after it or `'class' =>` before it.
_REF = lazy(
    r"(?<![\w:])(?:::)?((?:[A-Z]\w{0,100}+::){0,10}[A-Z][A-Z0-9_]{0,100}+)"
    r"(?:\[[ \t]*+([a-z_]\w{0,100}+)[ \t]*+\]|\.fetch\([ \t]*+([a-z_]\w{0,100}+)[ \t]*+[,)])"
)
_PERFORM_AFTER = lazy(  # matched at the end of the reference (no `\A`: a `pos` is given)
    r"(?:\.set\b[^\n]{0,200}?)?\.(perform_later|perform_async|perform_in|perform_at|perform_bulk)\b"
)
_CLASS_KEY_BEFORE = lazy(r"""(?:["']class["'][ \t]*+=>|\bclass:)[ \t]*+\Z""")
# A plain parameter as a pushed hash's "class" (`push('class' => job, …)`).
CLASS_PARAM = lazy(r"""(?:["']class["'][ \t]*+=>|\bclass:)[ \t]*+([a-z_]\w{0,100}+)\b(?![.(\[])""")
_TABLE_HEAD = r"\A[ \t]*+{name}[ \t]*+=[ \t]*+\{{[ \t]*+\Z"
_ENTRY = lazy(
    r"""\A[ \t]*+(?:(["'])([\w.:\-/]{1,100}+)\1[ \t]*+=>|:?([a-z_]\w{0,100}+)[ \t]*+(?:=>|:))"""
    r"""[ \t]*+(?:::)?((?:[A-Z]\w{0,100}+::){0,10}[A-Z]\w{0,100}+)[ \t]*+,?[ \t]*+\Z"""
)
_TABLE_END = lazy(r"\A[ \t]*+\}")


def keyed_job(line: str, params: list[str]) -> tuple[str, str, str] | None:
    """(table, parameter, mechanism) of a job taken from a table by a parameter on `line`."""
    for m in _REF.finditer(line[:MAX_LINE]):
        param = m.group(2) or m.group(3)
        if param not in params:
            continue
        after = _PERFORM_AFTER.match(line, m.end())
        if after is not None:
            mech = "activejob" if after.group(1) == "perform_later" else "sidekiq"
            return m.group(1), param, mech
        if _CLASS_KEY_BEFORE.search(line[max(0, m.start() - 40) : m.start()]):
            return m.group(1), param, "sidekiq"
    return None


def job_table(lines: list[str], table: str) -> tuple[str, ...]:
    """The `key=Job` entries of `TABLE = {` … `}` in this file (its last name), or ()."""
    name = table.rpartition("::")[2]
    head = re.compile(_TABLE_HEAD.format(name=re.escape(name)))
    for i, line in enumerate(lines):
        if name not in line or head.match(line[:MAX_LINE]) is None:
            continue
        out: list[str] = []
        for entry in lines[i + 1 : i + 1 + MAX_ENTRIES]:
            if _TABLE_END.match(entry):
                return tuple(out)
            e = _ENTRY.match(entry[:MAX_LINE])
            if e is None:
                return ()  # not a plain table of job classes
            key = e.group(2) or e.group(3)
            out.append(f"{key}={e.group(4).rpartition('::')[2]}")
        return ()
    return ()


_KEY_ARG = lazy(r"""\A[ \t]*+(?:(["'])([\w.:\-/]{1,100}+)\1|:([a-z_]\w{0,100}+))[ \t]*+\Z""")


def job_for(argument: str, entries: tuple[str, ...]) -> str:
    """The job a caller's literal key (`'order.paid'`, `:paid`) maps to, or ""."""
    k = _KEY_ARG.match(argument[:MAX_LINE])
    if k is None:
        return ""
    key = k.group(2) or k.group(3)
    for entry in entries:
        name, _, job = entry.rpartition("=")
        if name == key:
            return job
    return ""
