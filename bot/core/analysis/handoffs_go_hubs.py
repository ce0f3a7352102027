"""Go broadcast hubs: a struct keeps its subscribers' channels in a map and publishes to each.

The idiom (an in-process pub/sub): `subs map[string]chan Event` in a struct; a method that
ranges over the map and sends on each channel (`for _, ch := range h.subs { ch <- e }`) is the
publisher, and a method that makes a channel and stores it in the map (`h.subs[id] = ch`) and
returns it is the subscription. Sites, paired by `handoff_links`:

* ``hub-publish``: the publishing method, named by it, with (element type,): its callers
  (in the package and the packages that import it) produce;
* ``hub-subscribe``: the subscribing method, with (element type,);
* ``hub-receive``: a function that takes a channel from a method call (`sub, err :=
  a.events.Subscribe(id)`) and receives from it (`<-sub`, `range sub`), or receives from
  the call itself (`for b := range c.queue.Batches()`), named by the method called and
  cited at its `func` line: the consumer when that method subscribes.

A queue type is the same shape with one channel (`getter_sites`): a method that returns a
channel field of its receiver (`func (q *Queue[T]) Batches() <-chan []T { return q.out }`)
subscribes, and the methods that send on that field (`q.out <- batch`) publish, save one
the file starts as a goroutine (`go q.flushLoop()`: the queue's own worker, not its API).
Named by the receiver type when it is generic (`[]T` says nothing), else the element type.

Line scans with anchored, bounded patterns; lines are cut at `MAX_LINE` by the caller.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_HUBS = 20  # map-of-channel fields read per file
MAX_LOOKBACK = 60  # lines above a receive searched for the call that bound its channel
PUBLISH = "hub-publish"
SUBSCRIBE = "hub-subscribe"
RECEIVE = "hub-receive"

_MAP_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++map\[[^\]\n]{1,100}+\][ \t]*+(?:<-)?chan[ \t]++"
    r"([\w.*\[\]{}]{1,200}+)"
)
_RANGE_FIELD = lazy(
    r"\bfor[ \t]++(?:_|[A-Za-z_]\w{0,100}+)[ \t]*+,[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+:=[ \t]*+"
    r"range[ \t]++[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)"
)
_SEND = lazy(r"\A[ \t]*+(?:case[ \t]++)?([A-Za-z_]\w{0,100}+)[ \t]*+<-[ \t]*+\S")
_STORE = lazy(
    r"\A[ \t]*+[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)\[[^\]\n]{1,200}+\][ \t]*+=(?!=)"
)
_RECEIVED = lazy(r"(?:<-|\brange\b)[ \t]*+([A-Za-z_]\w{0,100}+)")
# `range c.queue.Batches()`, `<-q.Out()`: a receive from what a method call returns.
_RECEIVED_CALL = lazy(
    r"(?:<-|\brange\b)[ \t]*+[A-Za-z_]\w{0,100}+(?:\.[A-Za-z_]\w{0,100}+){0,5}\."
    r"([A-Za-z_]\w{0,100}+)\([ \t]*+\)"
)
_METHOD = lazy(r"\Afunc[ \t]*+\([^()\n]{1,200}+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\(")
_FUNC = lazy(r"\Afunc[ \t]*+(?:\([^()\n]{0,200}+\)[ \t]*+)?([A-Za-z_]\w{0,100}+)")
# `sub, err := a.events.Subscribe(id)`, `ch := hub.Join()`.
_TAKEN = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+(?:,[ \t]*+[A-Za-z_]\w{0,100}+[ \t]*+)?:?=[ \t]*+"
    r"[A-Za-z_][\w.]{0,200}\.([A-Za-z_]\w{0,100}+)\("
)


def hub_sites(lines: list[str]) -> list[HandoffSite]:
    """The hub sites of one file's lines (see the module doc)."""
    hubs: dict[str, str] = {}  # map field -> element type
    for line in lines:
        if "map[" in line and "chan" in line:
            m = _MAP_FIELD.match(line)
            if m and len(hubs) < MAX_HUBS:
                hubs[m.group(1)] = m.group(2)
    out: list[HandoffSite] = []
    method = ""  # the method (or function) the scan is in
    method_line = 0
    ranged: dict[str, str] = {}  # local channel ranged from a hub -> element type
    stored = ""  # the hub the current method stores into
    received: set[str] = set()  # methods whose channel the current function receives from
    looked: dict[str, str] = {}  # received variable -> the method that bound it, or ""

    def close() -> None:
        for name in sorted(received):
            out.append(HandoffSite(RECEIVE, "go-channel", name, method_line))

    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            close()
            f = _FUNC.match(line)
            method, method_line = (f.group(1), i) if f else ("", 0)
            ranged, stored, received, looked = {}, "", set(), {}
            if hubs and f and _METHOD.match(line):
                for field, elem in hubs.items():
                    if f"chan {elem}" in line[f.end() :]:
                        stored = field  # returns the hub's channel type: may subscribe
            continue
        if not method or line.lstrip().startswith("//"):
            continue
        if hubs and "range" in line:
            r = _RANGE_FIELD.search(line)
            if r and r.group(2) in hubs:
                ranged[r.group(1)] = hubs[r.group(2)]
        if "<-" in line:
            s = _SEND.match(line)
            if s and s.group(1) in ranged:
                out.append(HandoffSite(PUBLISH, "go-channel", method, i, (ranged[s.group(1)],)))
                ranged.pop(s.group(1))
        if "<-" in line or "range" in line:
            for c in _RECEIVED_CALL.finditer(line):
                received.add(c.group(1))
            for var in {r.group(1) for r in _RECEIVED.finditer(line)}:
                if var not in looked:
                    looked[var] = _taken_from(lines, i, method_line, var)
                if looked[var]:
                    received.add(looked[var])
        if stored and "=" in line:
            st = _STORE.match(line)
            if st and st.group(1) == stored:
                out.append(HandoffSite(SUBSCRIBE, "go-channel", method, i, (hubs[stored],)))
                stored = ""
    close()
    return out


def _taken_from(lines: list[str], i: int, top: int, var: str) -> str:
    """The method whose call bound `var` on a line above `i` in the function starting at
    `top` (`sub, err := a.events.Subscribe(id)`), "" when none does."""
    for j in range(i - 1, max(top, i - MAX_LOOKBACK), -1):
        line = lines[j - 1]
        if var in line and "=" in line:
            t = _TAKEN.match(line)
            if t and t.group(1) == var:
                return t.group(2)
    return ""


_CHAN_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++(?:<-[ \t]*+)?chan(?:<-)?[ \t]++([\w.*\[\]{}]{1,200}+)"
)
# `func (q *Queue[T]) Batches() <-chan []T {`: receiver, its type, type parameters, name.
_GETTER = lazy(
    r"\Afunc[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]++\*?[ \t]*+([A-Za-z_]\w{0,100}+)"
    r"(\[[^\]\n]{0,100}+\])?[ \t]*+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\([ \t]*+\)"
    r"[ \t]*+(?:<-[ \t]*+)?chan\b"
)
_RETURN = lazy(r"\A[ \t]++return[ \t]++([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+\Z")
_FIELD_SEND = lazy(
    r"\A[ \t]*+(?:case[ \t]++)?([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+<-[ \t]*+\S"
)
_RECEIVER = lazy(r"func[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)")
_STARTED = lazy(r"\A[ \t]*+go[ \t]++[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)\(")


def getter_sites(lines: list[str]) -> list[HandoffSite]:
    """A queue type's sites: its channel getter (``hub-subscribe``) and the methods that
    send on that channel (``hub-publish``), see the module doc."""
    fields: dict[str, str] = {}
    for line in lines:
        if "chan" in line and len(fields) < MAX_HUBS:
            m = _CHAN_FIELD.match(line)
            if m:
                fields[m.group(1)] = m.group(2)
    if not fields:
        return []
    getters: dict[str, tuple[str, int, str]] = {}  # field -> (method, line, name)
    started: set[str] = set()
    for i, line in enumerate(lines):
        if line.startswith("func") and "chan" in line:
            g = _GETTER.match(line)
            nxt = _RETURN.match(lines[i + 1]) if g and i + 1 < len(lines) else None
            if g and nxt and nxt.group(1) == g.group(1) and nxt.group(2) in fields:
                name = g.group(2) if g.group(3) else fields[nxt.group(2)]
                getters.setdefault(nxt.group(2), (g.group(4), i + 1, name))
        elif "go " in line:
            s = _STARTED.match(line)
            if s:
                started.add(s.group(1))
    if not getters:
        return []
    out: list[HandoffSite] = []
    for method, at, name in getters.values():
        out.append(HandoffSite(SUBSCRIBE, "go-channel", method, at, (name,)))
    method, recv = "", ""
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            m = _METHOD.match(line)
            method = m.group(1) if m else ""
            r = _RECEIVER.match(line)
            recv = r.group(1) if r else ""
            continue
        if not method or method in started or "<-" not in line:
            continue
        s = _FIELD_SEND.match(line)
        if s and s.group(1) == recv and s.group(2) in getters:
            out.append(HandoffSite(PUBLISH, "go-channel", method, i, (getters[s.group(2)][2],)))
            method = ""  # one site per publishing method
    return out
