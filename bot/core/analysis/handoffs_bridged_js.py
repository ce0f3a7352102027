"""Events carried between processes by a bridged emitter pair (JS/TS).

An in-process `EventEmitter` is no hand-off (`handoffs_inproc`'s doc). But when one file
forwards *every* event of one bus to a transport (`outbound.onAny(forward)`) and re-emits
what the transport delivers on another bus (`inbound.emit(msg.event, msg.value)`), each
`outbound.emit('x')` in the repository reaches the `inbound.on('x')` handlers of the other
instances: a hand-off named `x`, via the transport the bridging file imports (`pg-pubsub`,
a Redis or NATS client; else "event bridge").

Per file (`bridged_sites`): raw sites only, roles `bus-emit` / `bus-on` (a literal event
name on a dotted receiver, the receiver in `aliases`) and `bus-bridge` (aliases: the bus
forwarded out, the bus re-emitted in). Per repository (`with_bridged_events`): the raw
emits on a forwarded bus become producers, the raw handlers on its re-emitting bus become
consumers, for the names both sides use; nothing without a bridge. Lines are cut at
`MAX_LINE`, patterns are bounded and start where a receiver starts: linear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.core.analysis.handoffs import SITE_ORDER
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

MAX_LINE = 2_000
MAX_SITES = 400  # raw emit/on sites kept per file
MAX_BUSES = 4  # buses forwarded out (and re-emitting) per bridging file
EMIT, ON, BRIDGE = "bus-emit", "bus-on", "bus-bridge"
DEFAULT = "event bridge"
# A receiver and its dot (`app.events.outbound.`), from where it starts; the method after it.
_RECEIVER = r"(?<![\w$.])((?:[A-Za-z_$][\w$]{0,60}+\.){1,7}+)"
_LITERAL_CALL = lazy(
    _RECEIVER + r"(emit|on|once|addListener)\([ \t]*+(['\"`])([A-Za-z_$][\w$:.\-]{0,100}+)\3"
)
_ON_ANY = lazy(_RECEIVER + r"(?:onAny\(|on\([ \t]*+['\"]\*['\"])")
_EMIT_VAR = lazy(
    _RECEIVER + r"emit\([ \t]*+[A-Za-z_$][\w$]{0,60}+(?:\.[A-Za-z_$][\w$]{0,60}+)?[ \t]*+[,)]"
)
_IMPORT = lazy(r"(?:require\(|from[ \t]++)[ \t]*+['\"]([@\w./\-]{1,100}+)['\"]")
_TRANSPORT_WORDS = ("pubsub", "redis", "nats", "amqp", "kafka", "mqtt", "pg-", "zeromq", "ws")
# Names every stream, socket or process emits: never the application's own event.
_BUILTIN = frozenset(
    [
        "error",
        "data",
        "end",
        "close",
        "finish",
        "open",
        "connect",
        "connection",
        "disconnect",
        "message",
        "ready",
        "exit",
        "drain",
        "readable",
        "pipe",
        "unpipe",
        "timeout",
        "listening",
        "request",
        "response",
        "upgrade",
    ]
)


_GATE = Needles((".emit(", ".on(", ".once("))


def may_hold(text: str) -> bool:
    return _GATE.any_in(text)


def bridged_sites(text: str) -> tuple[HandoffSite, ...]:
    if not may_hold(text):
        return ()
    out: list[HandoffSite] = []
    outs: list[tuple[str, int]] = []  # buses forwarded out (`onAny`), with the line
    ins: list[str] = []  # buses re-emitting a variable event name
    for i, raw in enumerate(text.split("\n"), 1):
        line = raw[:MAX_LINE]
        if "(" not in line or line.lstrip().startswith(("//", "*", "/*")):
            continue
        if ".emit(" in line or ".on(" in line or ".once(" in line or "Listener(" in line:
            for m in _LITERAL_CALL.finditer(line):
                name = m.group(4)
                if name in _BUILTIN or len(out) >= MAX_SITES:
                    continue
                role = EMIT if m.group(2) == "emit" else ON
                out.append(HandoffSite(role, DEFAULT, name, i, (m.group(1)[:-1],)))
        if "onAny(" in line or "'*'" in line or '"*"' in line:
            outs += [(m.group(1)[:-1], i) for m in _ON_ANY.finditer(line)]
        if ".emit(" in line:
            ins += [m.group(1)[:-1] for m in _EMIT_VAR.finditer(line)]
    if outs and ins:
        via = _transport(text)
        firsts = dict(reversed(outs))  # each bus forwarded out, at its first line
        for bus, at in list(firsts.items())[:MAX_BUSES]:
            for other in list(dict.fromkeys(ins))[:MAX_BUSES]:
                if other != bus:
                    out.append(HandoffSite(BRIDGE, via, "", at, (bus, other)))
    return tuple(dict.fromkeys(out))


def _transport(text: str) -> str:
    """The package a bridging file imports that carries messages, else `DEFAULT`."""
    for m in _IMPORT.finditer(text):
        spec = m.group(1)
        if not spec.startswith(".") and any(w in spec.lower() for w in _TRANSPORT_WORDS):
            return spec
    return DEFAULT


def with_bridged_events(facts: Mapping[str, FileFacts]) -> dict[str, FileFacts]:
    """`facts` with the raw bus sites of bridged buses turned into producers and consumers
    (see the module doc), and every raw bus site dropped."""
    bridges: dict[str, tuple[str, str]] = {}  # bus forwarded out → (bus re-emitted, via)
    raw = {p for p, f in facts.items() if any(s.role in (EMIT, ON, BRIDGE) for s in f.handoffs)}
    for path in sorted(raw):
        for s in facts[path].handoffs:
            if s.role == BRIDGE and len(s.aliases) == 2:
                bridges.setdefault(s.aliases[0], (s.aliases[1], s.mechanism))
    emitted: dict[str, set[str]] = {}
    handled: dict[str, set[str]] = {}
    for path in raw:
        for s in facts[path].handoffs:
            if s.role == EMIT and s.aliases and s.aliases[0] in bridges:
                emitted.setdefault(s.aliases[0], set()).add(s.name)
            elif s.role == ON and s.aliases:
                handled.setdefault(s.aliases[0], set()).add(s.name)
    out = dict(facts)
    for path in raw:
        kept: list[HandoffSite] = []
        for s in facts[path].handoffs:
            if s.role not in (EMIT, ON, BRIDGE):
                kept.append(s)
                continue
            bus = s.aliases[0] if s.aliases else ""
            if s.role == EMIT and bus in bridges:
                other, via = bridges[bus]
                if s.name in handled.get(other, set()):
                    kept.append(HandoffSite("produce", via, s.name, s.line))
            elif s.role == ON:
                for src, (other, via) in bridges.items():
                    if other == bus and s.name in emitted.get(src, set()):
                        kept.append(HandoffSite("consume", via, s.name, s.line))
        out[path] = replace(facts[path], handoffs=tuple(sorted(set(kept), key=SITE_ORDER)))
    return out
