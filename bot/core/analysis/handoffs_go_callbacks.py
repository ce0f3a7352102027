"""Go callback registries: a struct keeps its subscribers' functions in a map and calls each.

The idiom (an in-process pub/sub without channels): a function type (`type listener
func(e *Event) error`) or a `func(` parameter; a method that takes one and stores it in a map
(or appends it to a slice) field of its receiver (`r.subs[id] = &entry{fn: l}`) subscribes,
and a method of the same receiver type that ranges and calls a value of that type (`for _, s
:= range subs { go func(s listener) { s(e) }(s.fn) }`, `for _, fn := range r.handlers {
fn(e) }`) publishes. Sites, paired by `handoff_links`:

* ``cb-subscribe``: the registering method, with (name of the hand-off, its arity);
* ``cb-publish``: the publishing method, with (name of the hand-off, its arity).

The hand-off is named by the function type, or by the field when the type is a literal
`func(`. The linker makes the function around each call of the subscribing method (with
that many arguments, in the package or one importing it) a consumer, and the callers of the
publishing method producers. Line scans with anchored, bounded patterns; lines are cut at
`MAX_LINE` by the caller.
"""

from __future__ import annotations

import re

from bot.core.analysis.py_defs import split_args
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

SUBSCRIBE = "cb-subscribe"
PUBLISH = "cb-publish"
MECHANISM = "in-process-pubsub"
MAX_TYPES = 50
MAX_PARAMS = 16

_FUNC_TYPE = lazy(r"\Atype[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++func[ \t]*+\(")
# A struct field holding a map or a slice: `subs map[int]*entry`, `handlers []Handler`.
_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++(map\[[^\]\n]{1,100}+\]|\[\])[ \t]*+"
    r"([\w.*]{1,200}+|func\()"
)
_METHOD = lazy(
    r"\Afunc[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]++\*?[ \t]*+([A-Za-z_]\w{0,100}+)"
    r"(?:\[[^\]\n]{0,100}+\])?[ \t]*+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\("
)
_STORE = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)\[[^\]\n]{1,200}+\][ \t]*+=(?!=)"
)
_APPEND = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+append\([ \t]*+"
    r"[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)[ \t]*+,"
)
_RANGE = lazy(
    r"\bfor[ \t]++[A-Za-z_]\w{0,100}+[ \t]*+,[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+:=[ \t]*+"
    r"range[ \t]++([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+\{"
)


def callback_sites(lines: list[str]) -> list[HandoffSite]:
    """The registry sites of one Go file's lines (see the module doc)."""
    types: set[str] = set()
    fields: dict[str, str] = {}  # map or slice field -> its element type as written
    for line in lines:
        if line.startswith("type") and len(types) < MAX_TYPES:
            t = _FUNC_TYPE.match(line)
            if t:
                types.add(t.group(1))
        elif (" map[" in line or " []" in line) and len(fields) < MAX_TYPES:
            f = _FIELD.match(line)
            if f:
                fields[f.group(1)] = f.group(3)
    if not fields or (not types and "func(" not in fields.values()):
        return []  # no function type and no field of function values: nothing to call
    subs: dict[str, tuple[str, int, str, int]] = {}  # receiver type -> (method, line, name, arity)
    pubs: dict[str, list[tuple[str, int, str, int]]] = {}
    for head, _start, end in _methods(lines):
        m = _METHOD.match(lines[head])
        if m is None:
            continue
        recv, rtype, name = m.groups()
        params = _params(lines[head][m.end() :])
        arity = -1 if any(kind.startswith("...") for _, kind in params) else len(params)
        typed = {p for p, kind in params if kind in types or kind.startswith("func(")}
        body = lines[head + 1 : end]
        stored = _stored(body, recv, fields)
        kinds = [kind for p, kind in params if p in typed]
        if typed and stored and rtype not in subs:
            label = kinds[0] if kinds[0] in types else stored
            subs[rtype] = (name, head + 1, label, arity)
            continue
        called = _calls_callback(body, recv, types, fields)
        if called:
            pubs.setdefault(rtype, []).append((name, head + 1, called, arity))
    out: list[HandoffSite] = []
    for rtype, (name, at, label, arity) in subs.items():
        published = [p for p in pubs.get(rtype, []) if p[2] == label]
        if not published:
            continue
        out.append(HandoffSite(SUBSCRIBE, MECHANISM, name, at, (label, str(arity))))
        for pname, pline, _, parity in published:
            out.append(HandoffSite(PUBLISH, MECHANISM, pname, pline, (label, str(parity))))
    return out


def _methods(lines: list[str]) -> list[tuple[int, int, int]]:
    """(head index, first body index, end index) of each top-level `func` (gofmt: a body
    ends at the next line that starts with `}`)."""
    out: list[tuple[int, int, int]] = []
    head = -1
    for k, line in enumerate(lines):
        if line.startswith("func"):
            head = k
        elif line.startswith("}") and head != -1:
            out.append((head, head + 1, k))
            head = -1
    return out


def _params(after: str) -> list[tuple[str, str]]:
    """(name, type) of each parameter from the text after the `(` of a signature."""
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for part in split_args(after)[:MAX_PARAMS]:
        words = part.split(None, 1)
        if len(words) == 1:
            pending.append(words[0])
        elif len(words) == 2:
            out += [(p, words[1]) for p in pending]
            pending = []
            out.append((words[0], words[1].strip()))
    return out


def _stored(body: list[str], recv: str, fields: dict[str, str]) -> str:
    """The receiver's map or slice field the body stores into, "" when none."""
    for line in body:
        if "=" not in line:
            continue
        s = _STORE.match(line)
        if s and s.group(1) == recv and s.group(2) in fields:
            return s.group(2)
        a = _APPEND.match(line) if "append(" in line else None
        if a and a.group(1) == recv and a.group(2) in fields and a.group(2) == a.group(3):
            return a.group(2)
    return ""


def _calls_callback(body: list[str], recv: str, types: set[str], fields: dict[str, str]) -> str:
    """The name of the callbacks the body ranges over and calls: a value declared with a
    function type of the file (`go func(s listener) { s(e) }`) called in a method that ranges,
    or a range value over a field of function values (`for _, fn := range r.handlers {
    fn(e) }`, named by the field when its type is a literal `func(`). "" when none."""
    if not any("range" in line for line in body):
        return ""
    declared: dict[str, str] = {}  # variable -> label
    for line in body:
        if "range" in line:
            r = _RANGE.search(line)
            if r and r.group(2) == recv and r.group(3) in fields:
                elem = fields[r.group(3)]
                if elem in types:
                    declared[r.group(1)] = elem
                elif elem == "func(":
                    declared[r.group(1)] = r.group(3)
        if "func(" in line:
            for t in types:
                for m in re.finditer(r"([A-Za-z_]\w{0,100}+)[ \t]++" + re.escape(t) + r"\b", line):
                    declared[m.group(1)] = t
        for var, label in declared.items():
            pos = line.find(var + "(")
            if pos != -1 and (pos == 0 or not (line[pos - 1].isalnum() or line[pos - 1] in "_.")):
                code = line.lstrip()
                if not code.startswith(("//", "func")):
                    return label
    return ""
