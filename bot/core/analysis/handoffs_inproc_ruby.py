"""Ruby in-process hand-offs (`handoffs_inproc`).

* `Queue.new` / `SizedQueue.new(n)` held in a variable, an ivar, a global or a constant (a
  `declare` site): `q.push(x)` / `q << x` / `q.enq(x)` produce; a `q.pop` / `q.deq` /
  `q.shift` inside a loop (`loop do`, `while`, `until`, `.each`) consumes, cited at the
  `Thread.new` or `def` around the loop. Named by the variable without its sigil. A
  constant's ends count in any file (Ruby names no imports), when some file makes it.
* Redis pub/sub: `redis.publish("chan", msg)` / `redis.subscribe("chan") do |on|`, on a
  client whose name says Redis ("redis-pubsub", as in the other languages).
* ActiveSupport::Notifications: `instrument("name")` produces, `subscribe("name")` consumes
  (Rails' own events, `sql.active_record`, have no producer here and pair with nothing).

Lines are cut at `MAX_LINE`; patterns are anchored and bounded.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_inproc_blocks import enclosing
from bot.core.analysis.words import Needles, contains
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000
QUEUE = "in-process-queue"
NOTIFICATIONS = "as-notifications"

_VAR = r"(@{0,2}+|\$)([A-Za-z_]\w{0,100}+)"
# `Sidekiq::Queue.new("default")` is a Sidekiq API, not a queue: no namespace but Thread.
_MADE = lazy(
    r"\A[ \t]*+" + _VAR + r"[ \t]*+(?:\|\|)?=[ \t]*+(?:::|Thread::)?(?:Sized)?Queue\.new\b"
    r"(?![ \t]*+\([ \t]*+['\":])"
)
_PUSH = lazy(r"(?<![\w@$.])" + _VAR + r"(?:\.(?:push|enq)\b|[ \t]*+<<[ \t])")
_POP = lazy(r"(?<![\w@$.])" + _VAR + r"\.(?:pop|deq|shift)\b")
_HOLDER = lazy(r"\A[ \t]*+(?:def[ \t]|[\w:.]{0,100}?Thread\.new\b|Thread\.new\b)")
_LOOP = lazy(r"(?:\A[ \t]*+(?:loop[ \t]++do|loop[ \t]*+\{|while[ \t]|until[ \t])|\.each\b)")
_VERBS = (".push", ".enq", "<<", ".pop", ".deq", ".shift")
_ANY_VERB = Needles(_VERBS)
# Redis pub/sub on a client whose name says Redis (`$redis`, `@redis`, `Redis.current`).
_REDIS = lazy(
    r"(?<![\w.])[@$]{0,2}+\w{0,60}?(?i:redis)\w{0,60}+(?:\.current)?\."
    r"(publish|subscribe|psubscribe)\([ \t]*+['\"]([\w.:\-]{1,200}+)['\"]"
)
_AS = lazy(
    r"ActiveSupport::Notifications\.(instrument|subscribe)\([ \t]*+['\"]([\w.:\-]{1,200}+)['\"]"
)


def ruby_inproc_sites(text: str) -> list[HandoffSite]:
    out: list[HandoffSite] = []
    if contains(text, "Notifications."):
        for i, line in enumerate(text.split("\n"), 1):
            if "Notifications." in line and not line.lstrip().startswith("#"):
                for m in _AS.finditer(line[:MAX_LINE]):
                    role = "produce" if m.group(1) == "instrument" else "consume"
                    out.append(HandoffSite(role, NOTIFICATIONS, m.group(2), i))
    if (contains(text, "redis") or contains(text, "Redis")) and (
        contains(text, "publish(") or contains(text, "subscribe(")
    ):
        for i, line in enumerate(text.split("\n"), 1):
            if ("ublish(" in line or "ubscribe(" in line) and not line.lstrip().startswith("#"):
                for r in _REDIS.finditer(line[:MAX_LINE]):
                    role = "produce" if r.group(1) == "publish" else "consume"
                    out.append(HandoffSite(role, "redis-pubsub", r.group(2), i))
    if contains(text, "Queue.new") or _ANY_VERB.any_in(text):
        out += _queues([line[:MAX_LINE] for line in text.split("\n")])
    return out


def _queues(lines: list[str]) -> list[HandoffSite]:
    out: list[HandoffSite] = []
    names: set[str] = set()
    for i, line in enumerate(lines, 1):
        if "Queue.new" in line:
            m = _MADE.match(line)
            if m:
                names.add(m.group(2))
                out.append(HandoffSite("declare", QUEUE, m.group(2), i))
    blocks: list[tuple[int, bool]] = []  # the holder and loops around each line, when asked
    for i, line in enumerate(lines, 1):
        if not any(w in line for w in _VERBS) or line.lstrip().startswith("#"):
            continue
        for m in _PUSH.finditer(line):
            if _ours(m.group(1), m.group(2), names):
                out.append(HandoffSite("produce", QUEUE, m.group(2), i))
        for m in _POP.finditer(line):
            at = 0
            if _ours(m.group(1), m.group(2), names):
                blocks = blocks or enclosing(lines, _holds, _loops)
                holder, looped = blocks[i - 1]
                at = holder if looped else 0
            if at:
                out.append(HandoffSite("consume", QUEUE, m.group(2), at))
    return out


def _ours(sigil: str, name: str, names: set[str]) -> bool:
    """A queue made here, or a constant in capitals (`WORK`; made in another file:
    `keep_declared` checks). `Pushover.push(…)` is a class method."""
    return name in names or (not sigil and name.isupper())


def _holds(line: str) -> bool:
    return "Thread.new" in line or _HOLDER.match(line) is not None


def _loops(line: str) -> bool:
    return _LOOP.search(line) is not None
