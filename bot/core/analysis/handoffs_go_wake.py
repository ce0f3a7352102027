"""Go wake-up channels: work is stored somewhere (a table, a file, a list) and a worker is
woken to take it.

The idiom: a signal channel field (`wake chan struct{}`); a function stores work and then
sends on the field (`x.wake <- struct{}{}`), directly or through a small method that does
only that (`x.notify()`); a worker loops (`for {`) and, on a receive from the field
(`case <-x.wake:`), does work (the case does not just `return`: a stop channel is no
hand-off). The storing function is the producer (cited at its `func` line: what it stored is
said in its body), the looping function the consumer (cited at its `func` line). Generic:
the pairing is by the field, whatever the functions, the field or the store are called;
all ends must be in one file.

Named `Type.field` when the file declares the struct holding the field, else by the field.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_go_callbacks import _methods
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "go-channel"
MAX_SITES = 40

_STRUCT = lazy(r"\Atype[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++struct[ \t]*+\{")
_SIGNAL_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++chan[ \t]++(?:struct[ \t]*+\{\}|bool\b)"
)
# `x.wake <- struct{}{}` / `x.wake <- true`, also after `case`.
_SIGNAL_SEND = lazy(
    r"\A[ \t]*+(?:case[ \t]++)?([A-Za-z_]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)[ \t]*+<-[ \t]*+"
    r"(?:struct[ \t]*+\{\}[ \t]*+\{\}|true\b)"
)
_CASE_RECV = lazy(
    r"\A[ \t]*+case[ \t]++<-[ \t]*+[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)[ \t]*+:"
)
_FUNC_NAME = lazy(
    r"\Afunc[ \t]*+(?:\([ \t]*+([A-Za-z_]\w{0,100}+)?[^()\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,100}+)"
)
_CALL = lazy(r"[A-Za-z_]\w{0,100}+\.([A-Za-z_]\w{0,100}+)\(")
MAX_THIN = 8  # a helper that only signals: a few lines around a `select`
_QUIT = ("return", "break")


def wake_sites(lines: list[str]) -> list[HandoffSite]:
    """The wake-up hand-off sites of one Go file's lines (see the module doc)."""
    owner: dict[str, str] = {}  # signal field -> struct declaring it
    current = ""
    for line in lines:
        if line.startswith("type"):
            m = _STRUCT.match(line)
            current = m.group(1) if m else ""
        elif line.startswith("}"):
            current = ""
        elif current and "chan" in line:
            f = _SIGNAL_FIELD.match(line)
            if f:
                owner[f.group(1)] = current
    funcs = []  # (name, def line, body)
    for head, start, end in _methods(lines):
        m = _FUNC_NAME.match(lines[head])
        if m:
            funcs.append((m.group(2), head + 1, lines[start:end]))
    helpers: dict[str, str] = {}  # thin method that only signals -> field
    senders: dict[int, tuple[str, str]] = {}  # def line -> (name, field) of a storing function
    for name, at, body in funcs:
        sent = [
            s.group(2) for line in body if "<-" in line for s in [_SIGNAL_SEND.match(line)] if s
        ]
        if sent and len(body) <= MAX_THIN and not _works(body):
            helpers[name] = sent[0]
        elif sent:
            senders[at] = (name, sent[0])
    for name, at, body in funcs:
        if name in helpers or at in senders:
            continue
        for line in body:
            if "(" in line and not line.lstrip().startswith("//"):
                hit = next(
                    (helpers[c.group(1)] for c in _CALL.finditer(line) if c.group(1) in helpers),
                    None,
                )
                if hit is not None:
                    senders[at] = (name, hit)
                    break
    waiting: dict[str, list[int]] = {}  # field -> def lines of the loops woken by it
    for _, at, body in funcs:
        if not any(line.strip() in ("for {", "for{") for line in body):
            continue
        for k, line in enumerate(body):
            c = _CASE_RECV.match(line) if "case" in line else None
            if c and _does_work(body[k + 1 : k + 4]):
                waiting.setdefault(c.group(1), []).append(at)
    out: list[HandoffSite] = []
    for at, (name, field) in sorted(senders.items()):
        consumers = [c for c in waiting.get(field, []) if c != at]
        if not consumers or name in {n for n, a, _ in funcs if a in consumers}:
            continue
        label = f"{owner[field]}.{field}" if field in owner else field
        # "via" the storing function: the `func` line cited names it
        out.append(HandoffSite("produce", MECHANISM, label, at, (name,)))
        out += [HandoffSite("consume", MECHANISM, label, c) for c in consumers]
        if len(out) >= MAX_SITES:
            break
    return out


def _works(body: list[str]) -> bool:
    """Whether a body does more than signal: a call that is not a lock, a log or plumbing."""
    for line in body:
        for c in _CALL.finditer(line):
            if c.group(1) not in ("Lock", "Unlock", "RLock", "RUnlock", "Debug", "Trace"):
                return True
    return False


def _does_work(after: list[str]) -> bool:
    """Whether a `case` body does not stop the loop (`return`, `break`: a stop channel)."""
    for line in after:
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        # an empty case (`case <-x.wake:` then `case <-t.C:`) runs the loop's own work
        return not stripped.startswith(_QUIT)
    return True
