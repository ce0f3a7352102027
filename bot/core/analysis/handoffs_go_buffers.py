"""Go in-memory buffers flushed by a ticker: a map or slice field used as a queue.

The idiom: a struct field (`pending map[string]*Update`, `batch []Event`); one method stores
into it under the struct's lock (`r.pending[id] = u`, `r.batch = append(r.batch, e)`), another
takes it and leaves it empty (`pending := r.pending; r.pending = make(map…)`, `r.batch =
r.batch[:0]`, `= nil`), and a function that loops on a ticker (`time.NewTicker`, `time.Tick`)
calls the taking method. The storing method is a producer API (its callers produce, through
`handoff_links`), the taking method consumes, cited at its `func` line. The taking method
must hand on what the field held (`batch := r.pending`, a `range` or `copy` of it): a
cache emptied on a timer is no queue. A taking method the storing one calls itself flushes
a full batch inline: no hand-off.

Sites: ``consume`` (named by the field) and ``buffer-wrapper`` (the storing method, with (field,
"method", its arity)). Line scans with anchored, bounded patterns; lines are cut at `MAX_LINE`
by the caller.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_go_callbacks import _methods, _params
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "in-memory-buffer"
WRAPPER = "buffer-wrapper"
MAX_FIELDS = 50

_FIELD = lazy(r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++(?:map\[|\[\])")
_METHOD = lazy(
    r"\Afunc[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]++\*?[ \t]*+[A-Za-z_]\w{0,100}+"
    r"(?:\[[^\]\n]{0,100}+\])?[ \t]*+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\("
)
_STORE = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)(?:\[[^\]\n]{1,200}+\][ \t]*+=(?!=)"
    r"|[ \t]*+=[ \t]*+append\([ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+,)"
)
# `r.pending = make(…)`, `= nil`, `= r.pending[:0]`, `= map[…]…{}`, `= []T{}`
_RESET = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:make\(|nil\b|[A-Za-z_]\w{0,100}+\.[A-Za-z_]\w{0,100}+\[[ \t]*+:[ \t]*+0[ \t]*+\]"
    r"|(?:map\[[^\]\n]{1,100}+\]|\[\])[\w.*]{1,200}+\{\})"
)
_TICKER = ("time.NewTicker(", "time.Tick(")
# `p.wake <- x` (also after `case`): the receiver's channel field a method sends on.
_SIGNAL_SEND = lazy(
    r"\A[ \t]*+(?:case[ \t]++)?([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+<-"
)
_SIGNAL_RECV = lazy(r"<-[ \t]*+([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)(?![\w.(\[])")
_CALLED = lazy(r"([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)\(")


def _sent(body: list[str], recv: str) -> set[str]:
    """The receiver's channel fields the body sends on."""
    out = set()
    for line in body:
        if "<-" in line:
            m = _SIGNAL_SEND.match(line)
            if m and m.group(1) == recv:
                out.add(m.group(2))
    return out


def _waits(body: list[str], recv: str) -> set[str]:
    """The receiver's channel fields a looping body receives from (`for {` … `<-p.wake`)."""
    if not any(line.strip() in ("for {", "for{") for line in body):
        return set()
    out = set()
    for line in body:
        if "<-" in line:
            for m in _SIGNAL_RECV.finditer(line):
                if m.group(1) == recv:
                    out.add(m.group(2))
    return out


def _reads(body: list[str], recv: str, field: str) -> bool:
    """Whether a method hands on what the buffer held before emptying it (`batch :=
    r.pending`, `for k, v := range r.pending`, `copy(out, r.pending)`): a cache cleared on a
    timer only empties it."""
    held = f"{recv}.{field}"
    for line in body:
        pos = line.find(held)
        if pos == -1:
            continue
        end = pos + len(held)
        if end < len(line) and (line[end].isalnum() or line[end] == "_"):
            continue
        if ":=" in line[:pos] or "range" in line[:pos] or "copy(" in line[:pos]:
            return True
    return False


def buffer_sites(lines: list[str]) -> list[HandoffSite]:
    """The buffer sites of one Go file's lines (see the module doc)."""
    fields: set[str] = set()
    for line in lines:
        if (" map[" in line or " []" in line) and len(fields) < MAX_FIELDS:
            f = _FIELD.match(line)
            if f:
                fields.add(f.group(1))
    woken = any("<-" in line for line in lines)
    if not fields and not woken:
        return []
    stores: dict[str, tuple[str, int, int]] = {}  # field -> (method, line, arity)
    takes: dict[str, list[tuple[str, int]]] = {}  # field -> (method, line) of each taker
    bodies: dict[str, list[str]] = {}  # method -> body lines
    ticking: list[list[str]] = []  # bodies of functions that loop on a ticker
    sends: dict[str, set[str]] = {}  # method -> the receiver's channel fields it sends on
    waits: dict[str, set[str]] = {}  # method -> the channel fields its loop receives from
    for head, start, end in _methods(lines):
        body = lines[start:end]
        m = _METHOD.match(lines[head])
        if any(t in line for line in body for t in _TICKER):
            ticking.append(body)
        if m is None:
            continue
        recv, name = m.groups()
        bodies[name] = body
        if woken:
            sends[name], waits[name] = _sent(body, recv), _waits(body, recv)
        locked = any(".Lock()" in line for line in body)
        for line in body:
            if "=" not in line:
                continue
            s = _STORE.match(line)
            # `r.f[k] = v`, or `r.f = append(r.f, v)` (not another field's)
            own = s is not None and (s.group(3) is None or s.group(3, 4) == (recv, s.group(2)))
            known = s is not None and (s.group(2) in fields or woken)
            if s and own and s.group(1) == recv and known and locked:
                params = _params(lines[head][m.end() :])
                arity = -1 if any(k.startswith("...") for _, k in params) else len(params)
                stores.setdefault(s.group(2), (name, head + 1, arity))
            r = _RESET.match(line)
            declared = r is not None and (r.group(2) in fields or woken)
            if r and r.group(1) == recv and declared and _reads(body, recv, r.group(2)):
                got = takes.setdefault(r.group(2), [])
                if (name, head + 1) not in got and len(got) < MAX_FIELDS:
                    got.append((name, head + 1))
    out: list[HandoffSite] = []
    for field, (store, store_line, arity) in sorted(stores.items()):
        flushed = False
        for take, take_line in takes.get(field, []):
            call = "." + take + "("
            if take == store or any(call in line for line in bodies.get(store, [])):
                continue  # the storing method flushes itself
            ticked = field in fields and any(call in line for body in ticking for line in body)
            if ticked or _woken(store, take, bodies, sends, waits):
                out.append(HandoffSite("consume", MECHANISM, field, take_line))
                flushed = True
        if flushed:
            site = HandoffSite(WRAPPER, MECHANISM, store, store_line, (field, "method", str(arity)))
            out.append(site)
    return out


def _woken(
    store: str,
    take: str,
    bodies: dict[str, list[str]],
    sends: dict[str, set[str]],
    waits: dict[str, set[str]],
) -> bool:
    """Whether the storing method wakes the taking one: it sends (itself or through one
    method of the file it calls) on a channel field the taking method's loop receives from."""
    waited = waits.get(take)
    if not waited:
        return False
    sent = set(sends.get(store, ()))
    for line in bodies.get(store, []):
        if "(" in line:
            for c in _CALLED.finditer(line):
                sent |= sends.get(c.group(2), set())
    return bool(sent & waited)
