"""Go event buses keyed by an event type's name: `bus.Dispatch(&OrderPlaced{…})` to the
listeners registered with `bus.Listen((&OrderPlaced{}).Name(), &SendReceipt{})`.

The idiom (an in-process pub/sub whose topic is the event's name, whatever carries it:
watermill's GoChannel, a map of handlers, a broker): event types declare their topic with
a method returning a literal (`func (e *OrderPlaced) Name() string { return "order.placed" }`),
listeners are registered for the name read off an empty value of the type, and producers
hand a value of the type to a call named for publishing (`Dispatch`, `Publish`, `Emit`,
`Fire`, `Trigger`, `Broadcast`). The shape, not a library, is the evidence: a name read off
a type to key a registration, and that type handed to a publish. Sites, paired by
`link_events` (called by `handoff_links`):

* ``ev-named``: a type's name method returning a literal (name: the type, alias: the topic);
* ``ev-listen``: a registration (name: the event type as written, aliases: the listener
  type as written and ``inline`` when its handler is a closure in the literal);
* ``ev-wrap``: a function that registers for an event it is given (`func OnEvent(e Event) {
  bus.Listen(e.Name(), &Relay{}) }`, or a generic one reading `PT(new(T)).Name()`): its
  callers' `OnEvent(&OrderPlaced{})` / `OnEvent(func(e *OrderPlaced) …)` register;
* ``ev-emit``: a publish of `&T{…}` (name: the type as written, alias: the call);
* ``ev-handle``: a listener type's `Handle…`/`Process`/`Consume` method (the consumer).

Only names with a producer and a listener become hand-offs (producers cite the publish, named
`via` the type; consumers the listener's handle method, or the registration when the
handler is an inline closure). Line scans with anchored or literal-led bounded patterns.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

NAMED = "ev-named"
LISTEN = "ev-listen"
WRAP = "ev-wrap"
EMIT = "ev-emit"
HANDLE = "ev-handle"
ROLES = frozenset({NAMED, LISTEN, WRAP, EMIT, HANDLE})
RAW = "go-events"  # the raw sites' mechanism
MECHANISM = "event-bus"
WATERMILL = "watermill"
WATERMILL_GOCHANNEL = "watermill gochannel"
# MECHANISM and WATERMILL_GOCHANNEL stay in the process: `call_sites.IN_PROCESS_BUSES`
# lists them, so that the flows rank a publish after where the data is stored or sent.
MAX_SITES = 500
MAX_WINDOW = 4  # lines a call's arguments are read over
MAX_HEADER = 80  # lines above a registration searched for its function
MAX_CALLERS = 200
MAX_FILES = 400
MAX_DEPTH = 2  # wrappers of a wrapper followed

_NAME_METHODS = r"(?:Name|EventName|Topic)"
_NAMED = lazy(
    r"\Afunc[ \t]*+\([ \t]*+(?:[A-Za-z_]\w{0,60}+[ \t]++)?\*?[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\)"
    r"[ \t]*+" + _NAME_METHODS + r"\(\)[ \t]*+string[ \t]*+\{[ \t]*+"
    r"(?:return[ \t]++\"([^\"\n]{1,200}+)\")?"
)
_RETURN = lazy(r"\A[ \t]*+return[ \t]++\"([^\"\n]{1,200}+)\"[ \t]*+\Z")
# `Listen((&T{}).Name(), &L{…` / `Listen(T{}.Name(), L{…`
_LISTEN = lazy(
    r"\(\s*+\(?&?([A-Za-z_][\w.]{0,120}+)\{\}\)?\." + _NAME_METHODS + r"\(\)\s*+,\s*+"
    r"&?([A-Za-z_][\w.]{0,120}+)\{([^\n]{0,80})"
)
# `Listen(e.Name(), &L{…` / `Listen(name, &L{…`: an event the function is given.
_LISTEN_GIVEN = lazy(
    r"\(\s*+([a-z_]\w{0,60}+)(\." + _NAME_METHODS + r"\(\))?\s*+,\s*+"
    r"&?([A-Za-z_][\w.]{0,120}+)\{([^\n]{0,80})"
)
_NEW_NAME = lazy(
    r"\A[ \t]*+([a-z_]\w{0,60}+)[ \t]*+:?=[^\n]{0,120}?new\([^\n]{0,120}?\."
    + _NAME_METHODS
    + r"\(\)"
)
_FUNC_HEAD = lazy(r"\Afunc[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+[\[(]([^\n]{0,300})")
_EMIT = lazy(
    r"(?<![\w])((?:[Dd]ispatch|[Pp]ublish|[Ee]mit|[Ff]ire|[Tt]rigger|[Bb]roadcast)\w{0,40}+)"
    r"\(([^\n]{0,200}?)&([A-Za-z_][\w.]{0,120}?)\{"
)
_EMIT_VERBS = ("ispatch", "ublish", "mit", "ire", "rigger", "roadcast")
_HANDLE = lazy(
    r"\Afunc[ \t]*+\([ \t]*+[A-Za-z_]\w{0,60}+[ \t]++\*?([A-Za-z_]\w{0,100}+)[ \t]*+\)[ \t]*+"
    r"(?:Handle\w{0,40}+|Process|Consume)\("
)
# A wrapper's caller: `OnEvent(&T{})` or `OnEvent(func(e *T) …`.
_GIVEN_VALUE = lazy(r"\A\s*+&?([A-Za-z_][\w.]{0,120}+)\{")
_HANDED = lazy(r"\A\s*+([a-z_]\w{0,60}+)\s*+\)")
_GIVEN_FUNC = lazy(r"\A\s*+func\(\s*+[A-Za-z_]\w{0,60}+\s++\*?([A-Za-z_][\w.]{0,120}+)\s*+\)")


def may_hold(text: str) -> bool:
    return "Name()" in text or "Topic()" in text or "&" in text or ") Handle" in text


def event_sites(lines: list[str]) -> list[HandoffSite]:
    """The event-bus sites of one Go file's lines (see the module doc)."""
    out: list[HandoffSite] = []
    read_to = 0  # the last line a registration's window took
    for i, line in enumerate(lines, 1):
        if len(out) >= MAX_SITES:
            break
        stripped = line.lstrip()
        if stripped.startswith("//"):
            continue
        if line.startswith("func"):
            _definitions(lines, line, i, out)
            continue
        if i > read_to and (
            "Name()" in line or "Topic()" in line or ", &" in line or stripped.endswith("(")
        ):
            window, read_to = _window(lines, i)
            if "{}" in window and (m := _LISTEN.search(window)):
                inline = "inline" if "func(" in m.group(3) else ""
                out.append(HandoffSite(LISTEN, RAW, m.group(1), i, (m.group(2), inline)))
                continue
            if (g := _LISTEN_GIVEN.search(window)) and (w := _given(lines, i, g)):
                out.append(w)
                continue
        if "&" in line and "{" in line:
            _emits(lines, i, out)
    return out


def _definitions(lines: list[str], line: str, i: int, out: list[HandoffSite]) -> None:
    if "Name()" in line or "Topic()" in line:
        m = _NAMED.match(line)
        if m:
            topic = m.group(2) or next(
                (r.group(1) for nxt in lines[i : i + 3] if (r := _RETURN.match(nxt))), ""
            )
            if topic:
                out.append(HandoffSite(NAMED, RAW, m.group(1), i, (topic,)))
    elif ") Handle" in line or ") Process(" in line or ") Consume(" in line:
        h = _HANDLE.match(line)
        if h:
            out.append(HandoffSite(HANDLE, RAW, h.group(1), i))


def _window(lines: list[str], i: int) -> tuple[str, int]:
    """Line `i` and, when its call goes on, the next few, joined; and the last line taken."""
    parts = [lines[i - 1]]
    k = i
    while k < len(lines) and k < i + MAX_WINDOW - 1 and parts[-1].rstrip().endswith(("(", ",")):
        parts.append(lines[k].strip())
        k += 1
    return " ".join(parts), k


def _given(lines: list[str], i: int, g: re.Match[str]) -> HandoffSite | None:
    """An `ev-wrap` site when the registration's event is the enclosing function's parameter
    (`e.Name()`) or a local read off a new value of a type parameter (`PT(new(T)).Name()`)."""
    var, method, listener, rest = g.group(1), g.group(2), g.group(3), g.group(4)
    inline = "inline" if "func(" in rest else ""
    for k in range(i - 1, max(0, i - 1 - MAX_HEADER), -1):
        above = lines[k - 1]
        if above.rstrip() == "}":
            return None  # the end of the function above (a generic head may go on `}](`)
        if not method and (n := _NEW_NAME.match(above)) and n.group(1) == var:
            method = "typeparam"
        if above.startswith("func"):
            h = _FUNC_HEAD.match(above)
            if h is None:
                return None
            if method == "typeparam":
                kind = "typeparam"
            elif method and _is_param(h.group(2), var):
                kind = "param"
            else:
                return None
            return HandoffSite(WRAP, RAW, h.group(1), i, (listener, inline, kind))
    return None


def _is_param(params: str, var: str) -> bool:
    """Whether `var` is a parameter in a function head's text after its name's `(` or `[`."""
    if "](" in params:
        params = params.partition("](")[2]  # past a generic function's type parameters
    for part in params.partition(")")[0].split(","):
        words = part.split()
        if words and words[0] == var:
            return True
    return False


def _emits(lines: list[str], i: int, out: list[HandoffSite]) -> None:
    line = lines[i - 1]
    if not any(v in line for v in _EMIT_VERBS):
        return
    for m in _EMIT.finditer(line):
        typ = m.group(3)
        if typ.rpartition(".")[2][:1].isupper() and ")" not in m.group(2)[-1:]:
            out.append(HandoffSite(EMIT, RAW, typ, i, (m.group(1),)))


# --- linking, across the repository ---


class Linker(Protocol):
    facts: Mapping[str, FileFacts]
    skip: Callable[[str], bool]

    def go_dirs(self, wrapper_dir: str) -> set[str]: ...

    def calls(
        self, path: str, name: str, method: bool, skip_prefix: str, qualifier: str = ""
    ) -> Iterable[tuple[int, str]]: ...

    def add(self, path: str, site: HandoffSite, derived: bool = False) -> None: ...

    def lines(self, path: str) -> list[str] | None: ...


def _dir(path: str) -> str:
    return path.rpartition("/")[0]


def _pick(
    found: Mapping[str, list[tuple[str, str, int]]], written: str, here: str
) -> list[tuple[str, str, int]]:
    """The definitions of a type as written at `here` (`pkg.T`: in a folder named `pkg`;
    `T`: in `here`'s folder), else the only one there is."""
    qualifier, _, name = written.rpartition(".")
    every = found.get(name, [])
    if qualifier:
        got = [d for d in every if d[0].rpartition("/")[2] == qualifier.rpartition(".")[2]]
    else:
        got = [d for d in every if d[0] == here]
    return got or (every if len(every) == 1 else [])


def link_events(linker: Linker, sites: list[tuple[str, HandoffSite]]) -> None:
    """Producers and consumers of the event-bus sites (see the module doc)."""
    named: dict[str, list[tuple[str, str, int]]] = defaultdict(list)  # T -> (dir, topic, line)
    handles: dict[str, list[tuple[str, str, int]]] = defaultdict(list)  # L -> (dir, path, line)
    listens: list[tuple[str, HandoffSite]] = []
    emits: list[tuple[str, HandoffSite]] = []
    for path, s in sites:
        if s.role == NAMED:
            named[s.name].append((_dir(path), s.aliases[0], s.line))
        elif s.role == HANDLE:
            handles[s.name].append((_dir(path), path, s.line))
        elif s.role == LISTEN:
            listens.append((path, s))
        elif s.role == EMIT:
            emits.append((path, s))
    if not named:
        return
    for path, w in sites:
        if w.role == WRAP:
            listens += _wrapper_callers(linker, path, w)
    consumers: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path, s in listens:
        topics = {t for _, t, _ in _pick(named, s.name, _dir(path))}
        listener, inline = s.aliases[0], s.aliases[1]
        ends = (
            [(path, s.line)]
            if inline
            else [(p, line) for _, p, line in _pick(handles, listener, _dir(path))]
        )
        for topic in topics:
            consumers[topic].update(ends or [(path, s.line)])
    if not consumers:
        return
    mechanism = _mechanism(linker.facts)
    heard: set[str] = set()
    for path, e in emits:
        for _, topic, _ in _pick(named, e.name, _dir(path)):
            if topic in consumers:
                via = (e.name.rpartition(".")[2],)  # the line names the type, not the topic
                linker.add(path, HandoffSite("produce", mechanism, topic, e.line, via))
                heard.add(topic)
    for topic in heard:
        for p, line in sorted(consumers[topic]):
            linker.add(p, HandoffSite("consume", mechanism, topic, line))


def _wrapper_callers(
    linker: Linker, path: str, w: HandoffSite, depth: int = 0
) -> list[tuple[str, HandoffSite]]:
    """`OnEvent(&T{})` / `OnEvent(func(e *T) …)` for a wrapper `OnEvent`: registrations. A
    function handing its own parameter on (`func OnUserEvent(e Event) { OnEvent(e) }`) is a
    wrapper too, `MAX_DEPTH` levels deep."""
    listener, inline, kind = w.aliases
    home = _dir(path)
    dirs = linker.go_dirs(home) if w.name[:1].isupper() else {home}
    files = [
        p
        for p, f in linker.facts.items()
        if f.language == "go" and _dir(p) in dirs and not linker.skip(p)
    ]
    out: list[tuple[str, HandoffSite]] = []
    for p in files[:MAX_FILES]:
        for i, after in linker.calls(p, w.name, method=False, skip_prefix="func"):
            m = (_GIVEN_FUNC if kind == "typeparam" else _GIVEN_VALUE).match(after)
            if m is None:
                handed = _HANDED.match(after) if kind == "param" else None
                outer = _outer(linker.lines(p) or [], i, handed.group(1)) if handed else ""
                if outer and depth < MAX_DEPTH and len(out) < MAX_CALLERS:
                    again = HandoffSite(WRAP, RAW, outer, w.line, w.aliases)
                    out += _wrapper_callers(linker, p, again, depth + 1)[: MAX_CALLERS - len(out)]
                continue
            # cited at the wrapper's registration, where its listener is named
            event = _retyped(m.group(1), p, path)
            out.append((path, HandoffSite(LISTEN, RAW, event, w.line, (listener, inline))))
            if len(out) >= MAX_CALLERS:
                return out
    return out


def _outer(lines: list[str], i: int, var: str) -> str:
    """The function holding line `i` when `var` is one of its parameters (gofmt layout)."""
    for k in range(i - 1, max(0, i - 1 - MAX_HEADER), -1):
        above = lines[k - 1]
        if above.rstrip() == "}":
            return ""
        if above.startswith("func"):
            h = _FUNC_HEAD.match(above)
            return h.group(1) if h and _is_param(h.group(2), var) else ""
    return ""


def _retyped(written: str, caller: str, home: str) -> str:
    """The event type as the wrapper's folder would write it (`T` in the caller's folder is
    `callerpkg.T` from the wrapper's)."""
    if "." in written or _dir(caller) == _dir(home):
        return written
    return f"{_dir(caller).rpartition('/')[2]}.{written}"


def _mechanism(facts: Mapping[str, FileFacts]) -> str:
    """watermill's in-process GoChannel, watermill (over a broker), or a plain event bus, by
    what the repository's Go code imports."""
    specs = {
        r.spec
        for f in facts.values()
        if f.language == "go"
        for r in f.imports
        if "watermill" in r.spec
    }
    if any(s.endswith("/pubsub/gochannel") for s in specs):
        return WATERMILL_GOCHANNEL
    if any("ThreeDotsLabs/watermill" in s for s in specs):
        return WATERMILL
    return MECHANISM
