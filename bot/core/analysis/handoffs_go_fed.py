"""Go channels an imported package fills: `notify.Watch(dir, w.events, notify.All)`.

The idiom: a channel made in the file (`w.events = make(chan notify.EventInfo, 8)`, or a
local) is handed to a call of an imported package (`pkg.Func(…, ch, …)`, among other
arguments) that sends on it, and a loop of the file receives from it (`case e := <-w.events:`,
`for e := range ch`). The package's call is the producer (cited at its line), the receiving
function the consumer (cited at the goroutine literal around the receive when it opens just
above, else at its `func` line). Generic: it keys on the shape (a channel made here, passed
to another package, received here), never on a package's name. A channel handed alone to a
call (`signal.Stop(ch)`, `close(ch)`) is not fed by it, nor is a signal channel.

Sites: ``produce`` and ``consume``, named by the element type (without its pointer) and the
channel.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "go-channel"
MAX_GO_FUNC_GAP = 5
MAX_SITES = 20
# Element types that carry a signal, not work (`os.Signal` too: the runtime's, not data).
_SIGNALS = frozenset({"struct{}", "bool", "error", "os.Signal", "time.Time", "int"})

_MAKE = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100}+(?:\.[A-Za-z_]\w{0,100}+)?)[ \t]*+:?=[ \t]*+"
    r"make\([ \t]*+chan[ \t]++([\w.*\[\]{}]{1,200}+)"
)
_IMPORT = lazy(r"\A[ \t]*+(?:import[ \t]++)?(?:([A-Za-z_]\w{0,100}+)[ \t]++)?\"([^\"\n]{1,300}+)\"")
_PKG_CALL = lazy(r"(?<![\w.])([a-z]\w{0,100}+)\.[A-Z]\w{0,100}+\(([^()\n]{0,400}+)\)")
_GO_FUNC = lazy(r"\A[ \t]*+(?:go[ \t]++func|[A-Za-z_][\w.]{0,100}\.Go\([ \t]*+func)[ \t]*+\(")


def _packages(lines: list[str]) -> set[str]:
    """The names the file's imports bind (`notify` of ".../notify", an alias as written)."""
    out: set[str] = set()
    block = False
    for line in lines:
        if line.startswith("import ("):
            block = True
            continue
        if block and line.startswith(")"):
            break
        if block or line.startswith("import "):
            m = _IMPORT.match(line)
            if m:
                segments = [
                    s for s in m.group(2).split("/") if not (s[:1] == "v" and s[1:].isdigit())
                ]
                out.add(m.group(1) or (segments[-1] if segments else m.group(2)))
            if not block:
                continue
        elif line.startswith(("func", "type", "var", "const")):
            break
    return out


def fed_sites(lines: list[str]) -> list[HandoffSite]:
    """The fed-channel sites of one Go file's lines (see the module doc)."""
    made: dict[str, str] = {}  # channel (`w.events` or `ch`) -> element type
    for line in lines:
        if "make(" in line and "chan" in line:
            m = _MAKE.match(line)
            if m and m.group(2) not in _SIGNALS:
                made.setdefault(m.group(1), m.group(2))
    if not made:
        return []
    packages = _packages(lines)
    fed: dict[str, list[int]] = {}
    for i, line in enumerate(lines, 1):
        if "(" not in line or line.lstrip().startswith("//"):
            continue
        for c in _PKG_CALL.finditer(line):
            if c.group(1) not in packages:
                continue
            args = [a.strip() for a in c.group(2).split(",")]
            if len(args) < 2:
                continue
            for a in args:
                if a in made:
                    fed.setdefault(a, []).append(i)
    if not fed:
        return []
    out: list[HandoffSite] = []
    func_at, go_func = 0, (0, -1)
    taken: set[tuple[str, int]] = set()
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            func_at, go_func = i, (0, -1)
            continue
        if not func_at or ("<-" not in line and "range" not in line and "go " not in line):
            continue
        if _GO_FUNC.match(line):
            go_func = (i, len(line) - len(line.lstrip()))
            continue
        for ch in fed:
            if not (_after(line, "<-", ch) or _after(line, "range ", ch)):
                continue
            start, indent = go_func
            inner = len(line) - len(line.lstrip()) > indent
            at = start if 0 < i - start <= MAX_GO_FUNC_GAP and inner else func_at
            if (ch, at) not in taken and len(out) < MAX_SITES:
                taken.add((ch, at))
                out.append(HandoffSite("consume", MECHANISM, _name(made[ch], ch), at))
    heard = {name for name, _ in taken}
    for ch, at_lines in fed.items():
        if ch in heard:
            via = (ch.rpartition(".")[2],)  # the call's line names the channel it hands on
            out += [
                HandoffSite("produce", MECHANISM, _name(made[ch], ch), i, via) for i in at_lines
            ]
    return out


def _name(elem: str, channel: str) -> str:
    """`notify.EventInfo (events)`: the element type and the channel, so that two files fed
    by the same library stay two hand-offs."""
    return f"{elem.lstrip('*')} ({channel.rpartition('.')[2]})"


def _after(line: str, lead: str, word: str) -> bool:
    pos = line.find(lead + word)
    while pos != -1:
        end = pos + len(lead) + len(word)
        if end >= len(line) or not (line[end].isalnum() or line[end] in "_."):
            return True
        pos = line.find(lead + word, end)
    return False
