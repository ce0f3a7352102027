"""JS/TS pub/sub through the repository's own module: `bus.publish('x', …)` in one file,
`bus.on('x', fn)` in another, where `bus` is a module of the repository.

Apps that run several instances often put one small module in front of whatever carries
messages between them (an EventEmitter in one process, process IPC through a parent, a Redis
channel in a cluster) and export `publish` and `on` from it, so no broker's name is at the
calls. The shape is the same whatever the module is called: a binding to a *relative* module
(`const bus = require('./bus')`, `import bus from '../bus'`, `require.main.require('./src/
bus')`) that the file calls `.publish(<string>` on (a producer) or `.on(<string>` /
`.subscribe(<string>` on (a consumer). Neither end alone is claimed (`movement._BOTH_ENDS`):
an `.on('x')` of a module's event that nothing publishes is no hand-off, and `.emit` is an
in-process event, never read here.

Bounded: at most `MAX_BINDINGS` bindings and `MAX_USES` calls of each per file; lines cut at
`MAX_LINE`; patterns literal-led and linear.
"""

from __future__ import annotations

from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "pubsub"
MAX_LINE = 2_000
MAX_BINDINGS = 50
MAX_USES = 200

_REQUIRES = ("require('.", 'require(".', "from '.", 'from ".')
_BINDING = lazy(
    r"(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:require\.main\.)?require\([ \t]*+['\"]\.{1,2}/[^'\"\n]{1,200}+['\"][ \t]*+\)"
    r"[ \t]*+(?:[;,\r]|$)"
    r"|import[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]++from[ \t]++['\"]\.{1,2}/[^'\"\n]{1,200}+['\"]"
)
_CALL = lazy(r"\.(publish|on|subscribe)\([ \t]*+(['\"`])([^'\"`\n]{1,200}+)\2[ \t]*+[,)]")
_ROLES = {"publish": "produce", "on": "consume", "subscribe": "consume"}
_METHODS = (".publish(", ".on(", ".subscribe(")
# the binding a call is made on: the name that ends right before its `.`
_RECEIVER = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]{0,100}+)[ \t]*+\Z")


_REQUIRE_NEEDLES = Needles(_REQUIRES)  # their words first (`words`): most files hold none


def pubsub_sites(text: str) -> tuple[HandoffSite, ...]:
    """Both ends of the repository's own pub/sub module's messages in one file."""
    if not _REQUIRE_NEEDLES.any_in(text):
        return ()
    calls = _positions(text, _METHODS, MAX_USES)
    if not calls:
        return ()
    lines = text.split("\n")
    names = set(_bindings(lines))
    if not names:
        return ()
    at = Lines(text)
    out: list[HandoffSite] = []
    for pos in calls:
        head = _RECEIVER.search(text, max(0, pos - 101), pos)
        if head is None or head.group(1) not in names:
            continue
        m = _CALL.match(text, pos)
        i = at.at(pos)
        if m is not None and not _comment(lines[i - 1]):
            out.append(HandoffSite(_ROLES[m.group(1)], MECHANISM, m.group(3), i))
    return tuple(sorted(set(out)))


def _bindings(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if "require(" not in line and "import" not in line:
            continue
        m = _BINDING.search(line[:MAX_LINE])
        if m is not None and not _comment(line):
            out.append(m.group(1) or m.group(2))
            if len(out) >= MAX_BINDINGS:
                break
    return out


def _comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("//", "*", "/*"))
