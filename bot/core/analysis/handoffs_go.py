"""Go hand-off sites in one file: channels that feed goroutines.

Two shapes, both line scans with bounded, anchored patterns (lines cut at `MAX_LINE`):

* A channel local to the file: written (`ch <- v`) and ranged over (`for v := range ch`),
  the range cited at the `go func(` that runs it when it opens a few lines above.
* A channel held in a struct field (`queue chan model.Job`): its sends (`p.queue <- job`,
  also `case p.queue <- job:`) are `send` sites, a goroutine started with the field as an
  argument (`go w.Run(p.queue, …)`) is a `spawn` site, and a function whose parameter is a
  channel it receives from (`func (w *worker) Run(c <-chan model.Job)` with `<-c` or
  `range c`) is a `receive` site. They are only raw material: `handoff_links` pairs a spawn
  and a receiver of the same package, function, argument and element type, and only then
  makes the field's sends producers and the receiver a consumer, named by the element type.
  A function that sends on a field is a `wrapper` site: its callers produce too. A function
  that receives from a field (`for r := range s.queue`, `case r := <-s.queue:`) is a `drain`
  site (cited at the goroutine literal around the receive, else at its `func` line).
* A worker pool: a channel made in a function and handed to `go worker(…, ch, …)` whose
  function receives from that parameter (`_pool_channels`).
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.analysis.handoffs_go_alarms import alarm_sites, may_hold_alarms
from bot.core.analysis.handoffs_go_brokers import broker_sites
from bot.core.analysis.handoffs_go_buffers import MECHANISM as BUFFERED
from bot.core.analysis.handoffs_go_buffers import buffer_sites
from bot.core.analysis.handoffs_go_callbacks import _methods, callback_sites
from bot.core.analysis.handoffs_go_chantypes import chan_type_sites
from bot.core.analysis.handoffs_go_events import event_sites
from bot.core.analysis.handoffs_go_events import may_hold as may_hold_events
from bot.core.analysis.handoffs_go_fed import fed_sites
from bot.core.analysis.handoffs_go_globals import global_sites
from bot.core.analysis.handoffs_go_hubs import getter_sites, hub_sites
from bot.core.analysis.handoffs_go_wake import wake_sites
from bot.core.analysis.py_defs import split_args
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000
MAX_GO_FUNC_GAP = 5  # lines between `go func(` and the `range` it runs
MAX_PARAMS = 16

_GO_SEND = lazy(r"\A\s*+([A-Za-z_][\w.]{0,100})\s*<-\s*\S")
_GO_RANGE = lazy(r"\bfor\b[^\n]{0,200}?\brange\s+([A-Za-z_][\w.]{0,100})\s*\{")
# `go func(`, and the group helpers that run a literal as a goroutine: errgroup's and
# Go 1.25 WaitGroup's `g.Go(func() error {`.
_GO_GO_FUNC = lazy(r"\A[ \t]*+(?:go[ \t]++func|[A-Za-z_][\w.]{0,100}\.Go\([ \t]*+func)[ \t]*+\(")
# `func (p *Pool) Push(jobs model.JobList) {`: receiver (optional), name, parameters.
_GO_FUNC = lazy(
    r"\Afunc[ \t]*+(\([^()\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,100})[ \t]*+(?:\[[^\]\n]{0,200}\])?"
    r"\(([^()\n]{0,400})\)"
)
_GO_FUNC_NAME = lazy(r"\Afunc[ \t]*+(\([^()\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,100})[ \t]*+[\[(]")
_GO_STRUCT = lazy(r"\A[ \t]*+type[ \t]++[A-Za-z_]\w{0,100}[ \t]++struct[ \t]*+\{[ \t]*+\Z")
_GO_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100})[ \t]++(?:<-[ \t]*+)?chan(?:<-)?[ \t]++([\w.*\[\]{}]{1,200})"
)
_GO_FIELD_SEND = lazy(
    r"\A[ \t]*+(?:case[ \t]++)?[A-Za-z_]\w{0,100}\.([A-Za-z_]\w{0,100})[ \t]*+<-[ \t]*+\S"
)
# A send on a field reached through a value (`p.owner.queue <- msg`): the field may be
# declared in another file of the package (a `foreign` send, paired there by field name).
_GO_DEEP_SEND = lazy(r"\A[ \t]*+(?:case[ \t]++)?([A-Za-z_][\w.]{0,200})[ \t]*+<-[ \t]*+\S")
# `type msgChan chan message` / inside a `type (` block `msgChan chan message`.
_GO_CHAN_TYPE = lazy(
    r"\Atype[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++(?:<-[ \t]*+)?chan(?:<-)?[ \t]++"
    r"([\w.*\[\]{}]{1,200})[ \t]*+\Z"
)
_GO_CHAN_TYPE_IN_BLOCK = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++(?:<-[ \t]*+)?chan(?:<-)?[ \t]++"
    r"([\w.*\[\]{}]{1,200})[ \t]*+\Z"
)
# A field of a named type (`publish msgChan`), maybe with a trailing comment.
_GO_TYPED_FIELD = lazy(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+(?://|\Z)"
)
# A channel parameter a function may send on (`ch chan T`, `ch chan<- T`).
_GO_SEND_PARAM = lazy(r"\Achan(?:<-)?[ \t]*+([\w.*\[\]{}]{1,200})[ \t]*+\Z")
# A call passing arguments (`m.box.Scan(100, m.queue)`): the function's name and arguments.
# (up to a nested call: `wait(ch, done, func() {` reads `ch, done`)
_GO_CALL_ARGS = lazy(r"(?<!\w)([A-Za-z_]\w{0,100}+)\(([^()\n]{0,400}+)([()]?)")
# `ch: ch,` in a struct literal: the local channel stored in the field of that name.
_GO_KEYED = lazy(r"\A[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+:[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+,")
# Element types the program may send itself as a request (`a.reload <- syscall.SIGHUP`):
# a field or parameter of them counts where its sends and a consumer are both found.
SENT_SIGNALS = frozenset({"os.Signal"})
_GO_SPAWN = lazy(
    r"\A[ \t]*+go[ \t]++(?:[A-Za-z_]\w{0,100}\.)?([A-Za-z_]\w{0,100})[ \t]*+\(([^\n]{0,400})\)"
)
_GO_FIELD_ARG = lazy(r"\A[ \t]*+&?[A-Za-z_]\w{0,100}\.([A-Za-z_]\w{0,100})[ \t]*+\Z")
# A receive from a field of a value (`case r, ok := <-s.queue:`, `for r := range s.queue {`).
_GO_FIELD_RECV = lazy(r"(?:<-|\brange)[ \t]*+[A-Za-z_]\w{0,100}\.([A-Za-z_]\w{0,100})\b")
_GO_CHAN_PARAM = lazy(r"\A(?:<-[ \t]*+)?chan[ \t]++([\w.*\[\]{}]{1,200})[ \t]*+\Z")
# Element types that carry a signal, not work: a `done chan struct{}` is no queue.
_SIGNAL_TYPES = frozenset({"struct{}", "bool", "error", "os.Signal", "time.Time", "int"})


def go_sites(text: str) -> tuple[HandoffSite, ...]:
    """Channels written in one place and received by a goroutine (see the module doc), the
    ends of task queues and brokers (`handoffs_go_brokers`), broadcast hubs and queue types
    (`handoffs_go_hubs`), callback registries (`handoffs_go_callbacks`) and buffers flushed
    by a ticker (`handoffs_go_buffers`) and event buses keyed by a type's name
    (`handoffs_go_events`)."""
    out: list[HandoffSite] = []
    scanned = any(w in text for w in ("chan", "<-", "range", ".Lock()"))
    lines = [line[:MAX_LINE] for line in text.splitlines()] if scanned else []
    if "chan" in text or "<-" in text:
        out = _local_channels(lines) if "go " in text else []
        fielded = _field_channels(lines)
        # `s.queue` ranged in a goroutine of its own struct: the field hand-off (a drain)
        # says it, with the callers of the sending method; the local one would repeat it.
        drained = {d.aliases[0] for d in fielded if d.role == "drain"}
        out = [s for s in out if s.name.rsplit(".", 1)[-1] not in drained or "." not in s.name]
        out += fielded
        out += _wrapping_methods(lines, fielded)
        if "go " in text and "make(" in text:
            out += _pool_channels(lines, out)
        if "make(" in text:
            out += local_passes(lines)
            out += fed_sites(lines)
        if "<-" in text:
            out += global_sites(lines)  # channels in package variables
    if "<-" in text or "range" in text:
        out += hub_sites(lines)
        out += exported_receives(lines)
    if "chan" in text and "return" in text:
        out += getter_sites(lines)
    if "range" in text and "func(" in text and ("map[" in text or "[]" in text):
        out += callback_sites(lines)
    if ".Lock()" in text and ("time.NewTicker(" in text or "time.Tick(" in text or "<-" in text):
        out += buffer_sites(lines)
    if "chan struct{}" in text or "chan bool" in text or "<- struct{}{}" in text:
        # a buffer woken by the same field says it already (`handoffs_go_buffers`)
        taken = {s.line for s in out if s.role == "consume" and s.mechanism == BUFFERED}
        woken = wake_sites(lines)
        told = {s.name for s in woken if s.role == "consume" and s.line in taken}
        out += [s for s in woken if s.name not in told]
    if "chan" in text and "make(" in text and "\ntype " in text:
        out += chan_type_sites(lines)
    out += broker_sites(text)
    if may_hold_alarms(text):
        out += alarm_sites(lines or [line[:MAX_LINE] for line in text.splitlines()])
    if may_hold_events(text):
        out += event_sites(lines or [line[:MAX_LINE] for line in text.splitlines()])
    return tuple(sorted({s for s in out if s.name}))


_GO_MAKE = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100})[ \t]*+:?=[ \t]*+make\([ \t]*+chan[ \t]++([\w.*\[\]{}]{1,200})"
)


def _pool_channels(lines: list[str], sites: list[HandoffSite]) -> list[HandoffSite]:
    """A worker pool: a channel made here and handed to goroutines (`go worker(w, jobs)`) whose
    function receives from that parameter (a `receive` site): the channel's sends produce,
    the function consumes (cited at its `func` line, as a def)."""
    receivers = {(s.name, s.aliases[1]): s.line for s in sites if s.role == "receive"}
    if not receivers:
        return []
    made: set[str] = set()
    for line in lines:
        if "make(" in line:
            m = _GO_MAKE.match(line)
            if m and m.group(2) not in _SIGNAL_TYPES:
                made.add(m.group(1))
    out: list[HandoffSite] = []
    fed: set[str] = set()
    for line in lines:
        if "go " not in line:
            continue
        g = _GO_SPAWN.match(line)
        if g is None:
            continue
        for k, arg in enumerate(g.group(2).split(",")[:MAX_PARAMS]):
            var = arg.strip()
            at = receivers.get((g.group(1), str(k)))
            if var in made and at is not None:
                out.append(HandoffSite("consume", "go-channel", var, at))
                fed.add(var)
    if fed:
        for i, line in enumerate(lines, 1):
            m = _GO_SEND.match(line) if "<-" in line else None
            if m and m.group(1) in fed:
                out.append(HandoffSite("produce", "go-channel", m.group(1), i))
    return out


def local_passes(lines: list[str]) -> list[HandoffSite]:
    """``lpass`` sites: a channel made in a function (`ch := make(chan *Item, 10)`) and handed
    as argument k to a call (`src.fill(ctx, ch)`, `drain(ch)`), with (element type, k, the
    channel, the function's `func` line). `handoff_links` pairs, per channel, a call whose
    function sends on that parameter (a ``psend``, or one ``pfwd`` further) with one whose
    function receives from it (a ``receive``): a pipeline between two functions the
    channel's maker wires together."""
    out: list[HandoffSite] = []
    made: dict[str, str] = {}  # local channel -> element type
    func_at = 0
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            made, func_at = {}, i
            continue
        if not func_at or line.lstrip().startswith("//"):
            continue
        if "make(" in line:
            m = _GO_MAKE.match(line)
            if m and _not_signal(m.group(2)) and m.group(2) not in _SIGNAL_TYPES:
                made[m.group(1)] = m.group(2)
            continue
        if not made or "(" not in line:
            continue
        for called, args in _call_args(line):
            for k, arg in enumerate(args):
                var = arg.strip()
                if var in made and len(out) < MAX_LPASS:
                    aliases = (made[var], str(k), var, str(func_at))
                    out.append(HandoffSite("lpass", "go-channel", called, i, aliases))
    return out


MAX_LPASS = 40


def _local_channels(lines: list[str]) -> list[HandoffSite]:
    sends: list[tuple[str, int]] = []
    ranges: list[tuple[str, int]] = []
    go_func = (0, -1)  # (line, indentation) of the last `go func(`
    func_at = 0  # line of the enclosing top-level `func`
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("//"):
            continue
        if line.startswith("func"):
            func_at = i
        if ("go " in line or ".Go(" in line) and _GO_GO_FUNC.match(line):
            go_func = (i, len(line) - len(stripped))
        m = _GO_SEND.match(line)
        if m:
            sends.append((m.group(1), i))
        if "range" in line:
            m2 = _GO_RANGE.search(line)
            if m2:
                start, indent = go_func
                inside = 0 < i - start <= MAX_GO_FUNC_GAP and len(line) - len(stripped) > indent
                # The goroutine is the consumer: cited where it starts, as a def would be;
                # a range in the function's own body: that function (`Import` ranging over
                # the channel a `convert` goroutine fills).
                ranges.append((m2.group(1), start if inside else func_at or i))
    ranged = {name for name, _ in ranges}
    sent = {name for name, _ in sends}
    out = [HandoffSite("produce", "go-channel", n, i) for n, i in sends if n in ranged]
    out += [HandoffSite("consume", "go-channel", n, i) for n, i in ranges if n in sent]
    return out


def _channel_params(
    text: str,
) -> tuple[list[tuple[str, str]], dict[str, tuple[str, int]]]:
    """The (name, element type) of each parameter a function may receive from (("", "")
    for the others), and the channel parameters it may send on, with their index."""
    chans: list[tuple[str, str]] = []
    sendable: dict[str, tuple[str, int]] = {}
    for k, (param, kind) in enumerate(_params(text)):
        c = _GO_CHAN_PARAM.match(kind)
        ok = c is not None and "chan<-" not in kind
        chans.append((param, c.group(1)) if ok and c and _not_signal(c.group(1)) else ("", ""))
        w = _GO_SEND_PARAM.match(kind)
        if w and w.group(1) not in _SIGNAL_TYPES:
            sendable[param] = (w.group(1), k)
    return chans, sendable


def _balanced(line: str, at: int) -> str:
    """The text inside the parentheses opening at `at`, "" when they do not close."""
    depth = 0
    for j in range(at, len(line)):
        if line[j] == "(":
            depth += 1
        elif line[j] == ")":
            depth -= 1
            if depth == 0:
                return line[at + 1 : j]
    return ""


def _params(text: str) -> list[tuple[str, str]]:
    """(name, type) of each parameter; `a, b chan T` gives both names the type."""
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for part in split_args(text)[:MAX_PARAMS]:
        words = part.strip().split(None, 1)
        if len(words) == 1:
            pending.append(words[0])
        elif len(words) == 2:
            for name in pending:
                out.append((name, words[1]))
            pending = []
            out.append((words[0], words[1]))
    return out


_GO_RECV_METHOD = lazy(
    r"\Afunc[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]++\*?[ \t]*+[A-Za-z_]\w{0,100}+"
    r"(?:\[[^\]\n]{0,100}+\])?[ \t]*+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\("
)
MAX_WRAP_DEPTH = 2
MAX_THIN_BODY = 8  # a delegating method's body: a few lines around the call


def _wrapping_methods(lines: list[str], sites: list[HandoffSite]) -> list[HandoffSite]:
    """Methods of the file that call a sending method on their own receiver
    (`func (b *broker) Broadcast(e Event) { …; b.Send(e) }`) in a thin body: wrappers too, so
    their callers in other packages produce. Followed `MAX_WRAP_DEPTH` levels."""
    known = {
        s.name: (s.aliases[0], s.line)
        for s in sites
        if s.role == "wrapper" and s.aliases[1:2] == ("method",)
    }
    if not known:
        return []
    methods = []
    for head, start, end in _methods(lines):
        m = _GO_RECV_METHOD.match(lines[head])
        if m:
            methods.append((m.group(1), m.group(2), lines[start:end]))
    out: list[HandoffSite] = []
    for _ in range(MAX_WRAP_DEPTH):
        added = {}
        for recv, name, body in methods:
            if name in known or len(body) > MAX_THIN_BODY:
                continue
            for line in body:
                hit = next((w for w in known if f"{recv}.{w}(" in line), None)
                if hit is not None and not line.lstrip().startswith("//"):
                    elem, at = added[name] = known[hit]
                    # cited at the send it reaches: `handoff_links` promotes wrappers by it
                    out.append(HandoffSite("wrapper", "go-channel", name, at, (elem, "method")))
                    break
        if not added:
            break
        known.update(added)
    return out


def _chan_types(lines: list[str]) -> dict[str, str]:
    """Named channel types of the file (`type msgChan chan message`, also inside a `type (`
    block) -> their element type: a field of such a type is a channel field."""
    out: dict[str, str] = {}
    in_block = False
    for line in lines:
        if line.startswith("type"):
            in_block = line.rstrip().endswith("(")
            m = _GO_CHAN_TYPE.match(line)
        elif in_block:
            if line.startswith(")"):
                in_block = False
                continue
            m = _GO_CHAN_TYPE_IN_BLOCK.match(line) if "chan" in line else None
        else:
            continue
        if m and len(out) < MAX_PARAMS:
            out[m.group(1)] = m.group(2)
    return out


def _field_channels(lines: list[str]) -> list[HandoffSite]:
    fields: dict[str, str] = {}  # field -> element type
    named = _chan_types(lines) if any(line.startswith("type") for line in lines) else {}
    in_struct = False
    for line in lines:
        if in_struct:
            if line.startswith("}"):
                in_struct = False
                continue
            m = _GO_FIELD.match(line)
            if m and (m.group(2) not in _SIGNAL_TYPES or m.group(2) in SENT_SIGNALS):
                fields[m.group(1)] = m.group(2)
            elif named and (t := _GO_TYPED_FIELD.match(line)) and t.group(2) in named:
                elem = named[t.group(2)]
                if elem not in _SIGNAL_TYPES:
                    fields[t.group(1)] = elem
        elif line.startswith("type") and _GO_STRUCT.match(line):
            in_struct = True
    bound: dict[str, str] = {}  # local channel -> the field a struct literal stores it in
    if fields:
        for line in lines:
            if ":" in line:
                keyed = _GO_KEYED.match(line)
                if keyed and keyed.group(1) in fields:
                    bound[keyed.group(2)] = keyed.group(1)
    out: list[HandoffSite] = []
    # (name, line, chan params, "method" or "func") of the function the scan is in
    func: tuple[str, int, list[tuple[str, str]], str] | None = None
    sendable: dict[str, tuple[str, int]] = {}  # channel parameter -> (element type, index)
    received: set[str] = set()
    drained: set[str] = set()  # fields the current function receives from
    go_func = (0, -1)  # (line, indentation) of the last goroutine literal opened

    def close() -> None:
        if func is None:
            return
        name, at, chans, _ = func
        for k, (param, elem) in enumerate(chans):
            if param and param in received:
                out.append(HandoffSite("receive", "go-channel", name, at, (elem, str(k))))

    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            close()
            func, received, drained, go_func = None, set(), set(), (0, -1)
            sendable = {}
            m = _GO_FUNC.match(line)
            if m:
                chans, sendable = _channel_params(m.group(3))
                func = (m.group(2), i, chans, "method" if m.group(1) else "func")
            else:
                # Parameters with parentheses of their own (`fn func() []string`): read
                # between the balanced parentheses.
                n = _GO_FUNC_NAME.match(line)
                if n:
                    between = _balanced(line, n.end() - 1) if line[n.end() - 1] == "(" else ""
                    chans, sendable = _channel_params(between)
                    func = (n.group(2), i, chans, "method" if n.group(1) else "func")
            continue
        if func is None or line.lstrip().startswith("//"):
            continue
        if "<-" in line or "range" in line:
            for param, _ in func[2]:
                if param and _receives(line, param):
                    received.add(param)
        if "<-" in line:
            out += _other_sends(line, i, func[0], fields, sendable)
        if sendable and "(" in line:
            out += _forwards(line, i, func[0], sendable)
        if not fields:
            continue
        if "(" in line and ("." in line or bound) and not line.lstrip().startswith("go "):
            out += _passes(line, i, fields, bound)
        if ("go " in line or ".Go(" in line) and _GO_GO_FUNC.match(line):
            go_func = (i, len(line) - len(line.lstrip()))
        if "<-" in line or "range" in line:
            for r in _GO_FIELD_RECV.finditer(line):
                field = r.group(1)
                if field in fields and field not in drained:
                    drained.add(field)
                    # The draining goroutine when it opens just above, else the function.
                    start, indent = go_func
                    inner = len(line) - len(line.lstrip()) > indent
                    at = start if 0 < i - start <= MAX_GO_FUNC_GAP and inner else func[1]
                    out.append(HandoffSite("drain", "go-channel", fields[field], at, (field,)))
        if "<-" in line:
            s = _GO_FIELD_SEND.match(line)
            if s and s.group(1) in fields:
                elem = fields[s.group(1)]
                out.append(HandoffSite("send", "go-channel", elem, i, (s.group(1),)))
                out.append(HandoffSite("wrapper", "go-channel", func[0], i, (elem, func[3])))
        if "go " in line:
            g = _GO_SPAWN.match(line)
            if g:
                for k, arg in enumerate(g.group(2).split(",")[:MAX_PARAMS]):
                    a = _GO_FIELD_ARG.match(arg)
                    if a and a.group(1) in fields:
                        elem = fields[a.group(1)]
                        aliases = (elem, str(k), a.group(1))
                        site = HandoffSite("spawn", "go-channel", g.group(1), i, aliases)
                        out.append(site)
    close()
    return out


def _other_sends(
    line: str, i: int, func: str, fields: dict[str, str], sendable: dict[str, tuple[str, int]]
) -> list[HandoffSite]:
    """Sends the field scan does not read: on a channel parameter (`psend`: paired with the
    callers that pass a field, `pass`) and on a field the file does not declare, reached
    through a value (`p.owner.queue <- m`, `fsend`: paired with a drain of the package)."""
    m = _GO_DEEP_SEND.match(line)
    if m is None:
        return []
    target = m.group(1)
    if "." not in target:
        if target in sendable:
            elem, k = sendable[target]
            return [HandoffSite("psend", "go-channel", func, i, (elem, str(k), target))]
        return []
    field = target.rpartition(".")[2]
    if field in fields:
        if target.count(".") == 1:
            return []  # `s.queue <- v`: a `send` of the field scan
        return [HandoffSite("send", "go-channel", fields[field], i, (field,))]
    return [HandoffSite("fsend", "go-channel", field, i, (func,))]


def _forwards(
    line: str, i: int, func: str, sendable: dict[str, tuple[str, int]]
) -> list[HandoffSite]:
    """Calls that hand a channel parameter k on as argument j (`pump(ctx, out, url)` inside
    `func loop(ctx context.Context, out chan *Msg, …)`): ``pfwd`` sites, named by the
    function, with (element type, k, the function called, j). One level of such forwarding
    is followed from a field passed to the function (`handoff_links.go_exported`)."""
    out: list[HandoffSite] = []
    for called, args in _call_args(line):
        for j, arg in enumerate(args):
            got = sendable.get(arg.strip())
            if got is not None:
                aliases = (got[0], str(got[1]), called, str(j))
                out.append(HandoffSite("pfwd", "go-channel", func, i, aliases))
    return out


# A receive from an exported field of a value (`for m := range cl.Messages {`, `<-c.Events`):
# a channel another package's type may declare and send on (not a call, an index or deeper).
_EXPORTED_RECV = lazy(r"(?:<-|\brange)[ \t]*+[A-Za-z_]\w{0,100}+\.([A-Z]\w{0,100}+)(?![\w(.\[])")


def exported_receives(lines: list[str]) -> list[HandoffSite]:
    """``frecv`` sites: a function that receives from an exported field of a value, named by
    the field and cited at the goroutine literal around the receive (when it opens just
    above) or at its `func` line. `handoff_links` pairs them with the package that declares
    a channel field of that name and sends on it."""
    out: list[HandoffSite] = []
    func_at = 0
    go_func = (0, -1)
    seen: set[tuple[str, int]] = set()
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            func_at, go_func = i, (0, -1)
            continue
        if not func_at or line.lstrip().startswith("//"):
            continue
        if ("go " in line or ".Go(" in line) and _GO_GO_FUNC.match(line):
            go_func = (i, len(line) - len(line.lstrip()))
        if "<-" not in line and "range" not in line:
            continue
        for r in _EXPORTED_RECV.finditer(line):
            start, indent = go_func
            inner = len(line) - len(line.lstrip()) > indent
            at = start if 0 < i - start <= MAX_GO_FUNC_GAP and inner else func_at
            if (r.group(1), at) not in seen and len(seen) < MAX_PARAMS:
                seen.add((r.group(1), at))
                out.append(HandoffSite("frecv", "go-channel", r.group(1), at))
    return out


def _not_signal(elem: str) -> bool:
    return elem not in _SIGNAL_TYPES or elem in SENT_SIGNALS


# Builtins that take a channel and hand nothing off.
_BUILTINS = frozenset({"close", "len", "cap", "make", "append", "delete", "print", "println"})


def _passes(line: str, i: int, fields: dict[str, str], bound: dict[str, str]) -> list[HandoffSite]:
    """Calls that pass a field channel of this file as argument k (`m.box.Scan(10, m.queue)`,
    or a local stored in the field, `wait(ch, …)` beside `ch: ch,`): `pass` sites, named by
    the function called, with (element type, k, field)."""
    out: list[HandoffSite] = []
    for called, args in _call_args(line):
        for k, arg in enumerate(args):
            a = _GO_FIELD_ARG.match(arg)
            field = a.group(1) if a else bound.get(arg.strip(), "")
            if field in fields:
                site = HandoffSite("pass", "go-channel", called, i, (fields[field], str(k), field))
                out.append(site)
    return out


def _call_args(line: str) -> Iterator[tuple[str, list[str]]]:
    """Each call of `line` but a builtin's: the name called and its arguments split at commas
    (at most `MAX_PARAMS`)."""
    for c in _GO_CALL_ARGS.finditer(line):
        if c.group(1) in _BUILTINS:
            continue
        args = c.group(2).split(",")[:MAX_PARAMS]
        if c.group(3) == "(":
            args = args[:-1]  # the last is a nested call's name, not an argument
        yield c.group(1), args


_RANGE_CALL = lazy(r"\brange[ \t]++[A-Za-z_][\w.]{0,200}\(([^()\n]{0,400})\)")


def _receives(line: str, param: str) -> bool:
    """Whether `line` takes a value off `param`: `<-param` or `range param`, as a word, or
    ranges over a call given it (`range pipe.OrDone(ctx, param)`: a helper that forwards it)."""
    if "range" in line and "(" in line:
        r = _RANGE_CALL.search(line)
        if r and any(a.strip() == param for a in r.group(1).split(",")):
            return True
    for lead in ("<-", "range "):
        pos = line.find(lead + param)
        while pos != -1:
            end = pos + len(lead) + len(param)
            if end >= len(line) or not (line[end].isalnum() or line[end] == "_"):
                return True
            pos = line.find(lead + param, end)
    return False
