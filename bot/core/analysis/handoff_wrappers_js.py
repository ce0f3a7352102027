"""JavaScript/TypeScript hand-offs behind a repository's own job layer (issue 18).

Real applications rarely call `queue.add(...)` where they start a job: they write a base
class or a function around it, and the calls into that layer are the producers.

* A base class whose method adds to a queue with the job named by the class
  (`taskQueue.add({ name: this.constructor.name, props })`, a static method's `this.name`,
  a static field `this.constructor.jobName`, a name handed to `super("export")` and kept as
  `this.jobName`): each subclass (`class ExportTask extends BaseTask`) is a consumer, at its
  `perform`/`process` method, of the job its class names, and `new ExportTask().schedule(x)` /
  `ExportTask.schedule(x)` are producers of it. An abstract subclass without that method is
  followed one level further (depth 2).
* A function whose `queue.add(name, data)` takes the job's name from a parameter
  (`export function enqueue(name, data)`): each `enqueue("x", …)` produces "x", and a
  `queue.process("x", …)` in the same files consumes it.
* An event bus that persists, then enqueues: a class whose method puts its own rows on a
  queue (`@AfterSave static enqueue(model) { eventQueue.add(model) }`) makes
  `Event.create({ name: "documents.update" })` a producer of that event, and a processor
  that lists it (`static applicableEvents = ["documents.update"]`) its consumer, only where
  the code states both ends. A queue `.add({ name: "DeliverMessageJob", … })` with a literal job
  name is a producer of that job where it stands.

Per file (`wrapper_sites`, cached with the file's facts) only the layer's definitions are
found, as raw `js-base` / `js-wrapper` / `js-event-model` / `js-handles` sites;
`handoff_links_js.link_js` finds the subclasses and callers in the files that import them
(their text read, bounded). The queue is told by its receiver's
name (`…queue`/`…Queue`) or a `new Queue(`/`createQueue(` in the file: a `schedule()` that
adds to a set is no hand-off. Patterns are linear (bounded repeats, literal-led), every loop
is capped.
"""

from __future__ import annotations

import re

from bot.core.analysis.words import Needles, contains, words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000
MAX_SCOPES = 64  # nesting tracked per file
MAX_CALL_LINES = 6  # lines of an `.add(` call read for the job's identity
MAX_CALL_TEXT = 600
MAX_HEAD_LINES = 8  # lines a class's or method's head may span before its "{"

BASE = "js-base"
WRAPPER = "js-wrapper"
EVENT_MODEL = "js-event-model"  # a class whose method puts itself (a row) on a queue
HANDLES = "js-handles"  # an event name a processor says it handles
ROLES = frozenset({BASE, WRAPPER, EVENT_MODEL, HANDLES})
MAX_EVENT_LINES = 40  # lines of a `static applicableEvents = [` list
CONSUMER_METHODS = ("perform", "process", "run", "handle", "execute")

# The cheap gate (one literal-led search): an `.add(` on something named like a queue.
GATE = re.compile(r"ueue\w{0,60}+(?:\(\))?[ \t]*+\.[ \t]*+add[ \t]*+\(")
_MADE_WORDS = ("new Queue", "new Bull", "createQueue(", "makeQueue(")
_MADE = Needles(_MADE_WORDS)


def may_wrap(text: str) -> bool:
    """False only when no queue's `.add(` can be in `text`."""
    words = words_of(text)  # `GATE` cannot match without a word holding "ueue" and "add"
    if words.may_hold("ueue") and words.may_hold(".add(") and GATE.search(text) is not None:
        return True
    if contains(text, "Events") and _EVENTS_DECL.search(text) is not None:
        return True
    return contains(text, ".add") and _MADE.any_in(text)


_QUEUE_MADE = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?::[^=\n]{0,200}?)?=[ \t]*+"
    r"(?:new[ \t]++(?:Queue|Bull)\b|(?:createQueue|makeQueue)[ \t]*+\()"
)
# Its right-hand side, led by the literal `=`: see `_bound_on_lines`.
_QUEUE_MADE_RHS = lazy(r"=[ \t]*+(?:new[ \t]++(?:Queue|Bull)\b|(?:createQueue|makeQueue)[ \t]*+\()")
CLASS_HEAD = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:default[ \t]++)?(abstract[ \t]++)?class[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+)"
)
_FUNC = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:default[ \t]++)?(?:async[ \t]++)?function[ \t]*+\*?[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:<[^>\n]{0,200}>)?\(([^)\n]{0,400})"
)
_ARROW = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+"
    r"(?::[^=\n]{0,200}?)?=[ \t]*+(?:async[ \t]++)?(?:function[ \t]*+[\w$]{0,100}+)?[ \t]*+"
    r"\(([^)\n]{0,400})\)"
)
METHOD_HEAD = lazy(
    r"\A[ \t]*+((?:(?:public|private|protected|static|async|abstract|override|readonly)"
    r"[ \t]++){0,5})([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:<[^>\n]{0,200}>)?\(([^)\n]{0,400})"
)
_NOT_METHODS = frozenset(
    {"if", "for", "while", "switch", "catch", "return", "function", "await", "new", "super"}
)
# `taskQueue.add(`, or a queue made on demand: `taskQueue().add(`
_ADD = lazy(r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)(?:\(\))?[ \t]*+\.[ \t]*+add[ \t]*+\(")
_THIS_FIELD = lazy(r"this\.(constructor\.)?([A-Za-z_$][\w$]{0,100}+)(?![\w$(])")
_ASSIGN_FIELD = lazy(r"this\.([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+([A-Za-z_$][\w$]{0,100}+)")
_FIRST_ARG = lazy(r"\A[ \t]*+([A-Za-z_$][\w$]{0,100}+)[ \t]*+[,)]")
_LIBRARY_VERBS = ("enqueue", "schedule", "publish", "dispatch", "queue")
_COMMON = frozenset({"add", "push", "set", "emit", "send", "process", "run", "handle"})


def _params(raw: str) -> list[str]:
    """Parameter names as written (`name: string`, `data = {}`, `...rest`)."""
    out = []
    for part in raw.split(",")[:20]:
        name = part.strip().lstrip(".").split(":")[0].split("=")[0].strip().rstrip("?")
        out.append(name)
    return out


class _Scope:
    __slots__ = (
        *("abstract", "depth", "events", "fields", "kind", "name", "owner", "params"),
        "static",
    )

    def __init__(self, kind: str, name: str, depth: int, params: list[str]) -> None:
        self.kind = kind  # class | method | func
        self.name = name
        self.depth = depth  # brace depth outside the scope
        self.params = params
        self.static = False
        self.abstract = False
        self.owner: _Scope | None = None  # a method's class
        self.fields: dict[str, int] = {}  # class: field -> constructor parameter index
        self.events: tuple[int, list[str]] | None = None  # class: (line, names it handles)


def code_of(line: str) -> str:
    """The line without a `//` comment (a `//` inside a string is rare in these lines)."""
    cut = line.find("//")
    return line if cut == -1 or "://" in line[max(0, cut - 1) : cut + 2] else line[:cut]


def wrapper_sites(text: str) -> tuple[HandoffSite, ...]:
    """`js-base` (a class whose method enqueues the job its subclass names) and `js-wrapper`
    (a function whose enqueue names the job from a parameter) sites of one file."""
    if not may_wrap(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    # Each pattern only where it can find a name that counts (a scan each costs ~1 ms on a
    # 30 kB file): a queue is made by a word holding "Queue" or "Bull"; a collection matters
    # only when its name holds "queue" in some case (`_is_queue`), so the text does too.
    made = "Queue" in text or "Bull" in text
    queues = _bound_on_lines(_QUEUE_MADE, _QUEUE_MADE_RHS, text) if made else set()
    # `const queue = new Set()`: a collection named queue (a walk's frontier) is no broker
    local = set()
    if "queue" in text.casefold():
        local = _bound_on_lines(_COLLECTION, _COLLECTION_RHS, text) - queues
    out: list[HandoffSite] = []
    stack: list[_Scope] = []
    depth = 0
    pending: tuple[_Scope, int] | None = None  # opened on a line without its "{"
    for i, raw in enumerate(lines, 1):
        line = code_of(raw)
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("*", "/*")):
            continue
        top = stack[-1] if stack else None
        opened: _Scope | None = None
        if pending is not None and i - pending[1] > MAX_HEAD_LINES:
            pending = None
        m = CLASS_HEAD.match(line)
        if m is not None:
            opened = _Scope("class", m.group(2), depth, [])
            opened.abstract = bool(m.group(1))
        elif top is not None and top.kind == "class" and depth == top.depth + 1:
            mm = METHOD_HEAD.match(line)
            if mm is not None and mm.group(2) not in _NOT_METHODS:
                head = mm.group(3)
                if ")" not in line[mm.end(3) :]:  # parameters over several lines
                    rest = "\n".join(lines[i : i + MAX_HEAD_LINES])
                    head += "," + rest.partition(")")[0].replace("\n", " ")
                opened = _Scope("method", mm.group(2), depth, _params(head))
                opened.static = "static" in mm.group(1)
                opened.owner = top
        else:
            fm = _FUNC.match(line) or _ARROW.match(line)
            if fm is not None:
                opened = _Scope("func", fm.group(1), depth, _params(fm.group(2)))
        if opened is None and pending is not None and depth == pending[0].depth:
            opened = pending[0]  # `class A<\n  T,\n> {`: the head spans lines
        if opened is not None and len(stack) < MAX_SCOPES:
            if "{" in line:
                stack.append(opened)
                pending = None
            else:
                pending = (opened, pending[1] if pending and pending[0] is opened else i)
        if opened is not None and opened.kind == "method" and opened.owner is not None:
            _handled(opened.owner, opened, i, out)
        if top is not None and top.kind == "class" and "Events" in line:
            top.events = (i, _event_names(lines, i))
        # The innermost function, for the only two readers of it: a constructor's
        # `this.x = param` and an `.add(`.
        adds = ".add" in line
        if stack and (adds or "this." in line):
            here = next((s for s in reversed(stack) if s.kind != "class"), None)
            if here is not None and here.kind == "method" and here.name == "constructor":
                for a in _ASSIGN_FIELD.finditer(line):
                    if a.group(2) in here.params and here.owner is not None:
                        here.owner.fields[a.group(1)] = here.params.index(a.group(2))
            if here is not None and adds:
                _adds(lines, i, line, here, queues, local, out)
        depth += line.count("{") - line.count("}")
        while stack and depth <= stack[-1].depth:
            _handled(stack.pop(), None, i, out)
    return tuple(sorted(set(out)))


_EVENTS_DECL = re.compile(
    r"static[ \t]++(?:readonly[ \t]++)?(?:applicable|handled|subscribed)Events\b"
)
_STRING = lazy(r"(['\"`])([\w.:/\-]{1,200}+)\1")


def _event_names(lines: list[str], i: int) -> list[str]:
    """The string literals of `static applicableEvents = ["a", "b"]`, over a few lines."""
    if _EVENTS_DECL.search(lines[i - 1]) is None:
        return []
    names: list[str] = []
    for k in range(i - 1, min(len(lines), i - 1 + MAX_EVENT_LINES)):
        line = code_of(lines[k])
        if k == i - 1:
            line = line[line.find("Events") :].partition("=")[2]
        names += [m.group(2) for m in _STRING.finditer(line.partition("]")[0])]
        if "]" in line:
            break
    return names


def _handled(cls: _Scope, method: _Scope | None, i: int, out: list[HandoffSite]) -> None:
    """A processor's event names, at its consumer method (or where the list is, when the
    class ends without one)."""
    if cls.kind != "class" or not cls.events or not cls.events[1]:
        return
    if method is not None and method.name not in CONSUMER_METHODS:
        return
    line = i if method is not None else cls.events[0]
    for name in cls.events[1]:
        out.append(HandoffSite(HANDLES, "bull", name, line, (cls.name,)))
    cls.events = None


_COLLECTION = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?::[^=\n]{0,200}?)?=[ \t]*+"
    r"(?:new[ \t]++(?:Set|Map|WeakSet|Array)\b|\[)"
)
_COLLECTION_RHS = lazy(r"=[ \t]*+(?:new[ \t]++(?:Set|Map|WeakSet|Array)\b|\[)")


def _bound_on_lines(pattern: re.Pattern[str], rhs: re.Pattern[str], text: str) -> set[str]:
    """The names `pattern` (`_QUEUE_MADE`, `_COLLECTION`) binds in `text`, scanning only the
    lines where `rhs`, its right-hand side, occurs. Led by a name, the whole pattern is tried
    at every identifier of the file (~4 ms of a 50 kB service, a warm refresh's largest
    part); no part of it crosses a newline and every match holds its right-hand side, so the
    lines `rhs` finds hold every match, and a line scanned alone gives the same ones."""
    names: set[str] = set()
    scanned = -1  # where the last line scanned ends
    for hit in rhs.finditer(text):
        if hit.start() < scanned:
            continue
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        scanned = len(text) if end < 0 else end
        names.update(m.group(1) for m in pattern.finditer(text, start, scanned))
    return names


def _is_queue(receiver: str, queues: set[str], local: set[str]) -> bool:
    if receiver in local:
        return False
    return receiver in queues or "queue" in receiver.casefold()


def _adds(
    lines: list[str],
    i: int,
    line: str,
    scope: _Scope,
    queues: set[str],
    local: set[str],
    out: list[HandoffSite],
) -> None:
    for m in _ADD.finditer(line):
        if not _is_queue(m.group(1), queues, local):
            continue
        call = "\n".join(
            x[:MAX_CALL_TEXT] for x in [line[m.end() :], *lines[i : i + MAX_CALL_LINES]]
        )
        call = call[:MAX_CALL_TEXT]
        job = call_arg(call, 0)
        named = JOB_KEY_LITERAL.search(job) if job.lstrip().startswith("{") else None
        if named is not None:
            # `taskQueue().add({ name: "DeliverMessageJob", props })`: the job is named here, cited
            # at the line that names it (the object may open on the `.add(` line's next)
            name = named.group(2)
            last = min(len(lines), i + MAX_CALL_LINES)
            at = next((k for k in range(i + 1, last + 1) if name in lines[k - 1]), i)
            out.append(HandoffSite("produce", "bull", name, i if name in line else at))
            continue
        owner = scope.owner
        if scope.kind == "method" and owner is not None and _itself(job, scope):
            # `static enqueue(model) { eventQueue.add(model) }`: rows of this class are
            # the messages (persist, then enqueue)
            out.append(HandoffSite(EVENT_MODEL, "bull", owner.name, i, (scope.name,)))
            continue
        if scope.kind == "method" and owner is not None:
            identity = _identity(job, scope, owner)
            if identity:
                aliases = (scope.name, identity, "static" if scope.static else "instance")
                out.append(HandoffSite(BASE, "bull", owner.name, i, aliases))
                continue
        first = _FIRST_ARG.match(call)
        if first is None or first.group(1) not in scope.params:
            continue
        if scope.name.casefold() in _COMMON or scope.name == "constructor":
            continue
        kind = "method" if scope.kind == "method" else "func"
        if kind == "method" and scope.name.startswith(_LIBRARY_VERBS):
            continue  # `.enqueue(` / `.schedule(` on anything: too common to follow
        index = str(scope.params.index(first.group(1)))
        out.append(HandoffSite(WRAPPER, "bull", scope.name, i, (first.group(1), index, kind)))


_JOB_KEY = r"(?<![\w$])(?:name|jobName|job|type|kind|task)[ \t]*+:[ \t]*+"
JOB_KEY_LITERAL = lazy(_JOB_KEY + r"(['\"`])([\w.:/\-]{1,200}+)\1")
_JOB_KEY_THIS = lazy(_JOB_KEY + r"(this\.[\w$.]{1,200}+)")


def call_arg(call: str, index: int) -> str:
    """Argument `index`'s text (top-level commas only), "" when there is none."""
    depth, start, k = 0, 0, 0
    for pos, ch in enumerate(call[:MAX_CALL_TEXT]):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return call[start:pos] if k == index else ""
            depth -= 1
        elif ch == "," and depth == 0:
            if k == index:
                return call[start:pos]
            k, start = k + 1, pos + 1
    return call[start:MAX_CALL_TEXT] if k == index else ""  # cut before its end


_SPREAD = lazy(r"\A[ \t\n]*+\{[ \t\n]*+\.\.\.([A-Za-z_$][\w$]{0,100}+)")


def _itself(job: str, method: _Scope) -> bool:
    """Whether the enqueued message is the method's own object or parameter row."""
    first = job.strip()
    spread = _SPREAD.match(job)
    if spread is not None:
        first = spread.group(1)
    return first == "this" or (method.static and first in method.params and first != "")


def _identity(job: str, method: _Scope, owner: _Scope) -> str:
    """How the job's name (`job`: the first argument of the `.add(`, or its `name:` key)
    comes from the class."""
    if job.lstrip().startswith("{"):
        key = _JOB_KEY_THIS.search(job)
        job = key.group(1) if key is not None else ""
    job = job.strip()
    if not job.startswith("this."):
        return ""
    return _identity_of(job, method, owner)


def _identity_of(call: str, method: _Scope, owner: _Scope) -> str:
    """How the enqueue names the job from the class: "name" (the class's own name, or its
    static `name`), "static:F" (a static field), "super:K" (constructor parameter K, given
    by the subclass's `super(…)`), or "" when it does not."""
    for m in _THIS_FIELD.finditer(call):
        via_constructor, field = bool(m.group(1)), m.group(2)
        if via_constructor or method.static:
            return "name" if field == "name" else f"static:{field}"
        if field in owner.fields:
            return f"super:{owner.fields[field]}"
    return ""
