"""Async hand-off sites in one file: where work is put on a queue and where it is taken off.

Per-file and pure (bytes in, `HandoffSite`s out), so the sites are cached with the file's
facts; `pair_handoffs` pairs both ends across files by name. Python is read with `ast`, and
only when a trigger word is in the file; Ruby, JavaScript/TypeScript and Go are scanned
line by line with anchored patterns that cannot backtrack over a long line (every line is
cut at `MAX_LINE` characters first). A file that does not parse gives no sites.

What counts, by library (the names pair across files, so a producer in the web process
meets its consumer in the worker):

* Celery: `@shared_task`/`@app.task` definitions; `.delay`, `.apply_async`, `.s`/`.si`,
  `send_task("a.b.task")`. huey: `@huey.task`/`@db_task` and `x = huey.task(name=N)(f)`
  (answers to `f`, `x` and `N`); `.s(...)`, `.schedule(...)`. RQ: `@job`, `q.enqueue(f)`,
  `q.enqueue("a.b.f")`; job classes (`class X(JobRunner)`) and `X.enqueue(...)`.
  Dramatiq: `@dramatiq.actor`, `.send`, `.send_with_options`. Django-Q: `async_task(...)`.
  Redis pub/sub: `.publish("channel")` / `.subscribe("channel")`.
* Sidekiq (`include Sidekiq::Job|Worker`, `perform_async|in|at`), ActiveJob (`class X <
  ApplicationJob`, `perform_later`, `set(...).perform_later`), ActionMailer `deliver_later`.
* Bull/BullMQ (`new Queue(name)` + `.add`, `new Worker(name)`, `queue.process`, NestJS
  `@InjectQueue(N)` + `.add` and `@Processor(N)`), kafkajs (`send({topic})`,
  `subscribe({topic(s)})`), amqplib (`sendToQueue`, `consume`), Redis pub/sub.
* Go: a channel written (`ch <- v`) and ranged over in a goroutine of the same file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence

from bot.core.model import HandoffSite

MAX_LINE = 2_000  # characters of a line that patterns look at
MAX_LOOKBACK = 3  # lines searched for the receiver of a chained `.perform_later`

_PY_TRIGGERS = (
    "delay(",
    "apply_async",
    "send_task",
    "shared_task",
    ".task(",
    "@task",
    "db_task",
    "huey",
    "Job)",
    "Worker)",
    "Runner)",
    "enqueue",
    "@job",
    "actor",
    "async_task",
    ".s(",
    ".si(",
    "publish(",
    "subscribe(",
    "send_with_options",
)
# Decorators that make a function a consumer, by their last name.
_PY_TASK_DECORATORS = {
    "shared_task": "celery",
    "task": "celery",  # app.task / huey.task / celery.task: the root says which
    "db_task": "huey",
    "job": "rq",
    "actor": "dramatiq",
}
_PY_PRODUCE = {
    "delay": "celery",
    "apply_async": "celery",
    "s": "signature",
    "si": "signature",
    "send_with_options": "dramatiq",
    "enqueue": "rq",
    "enqueue_call": "rq",
    "enqueue_in": "rq",
    "enqueue_at": "rq",
    "enqueue_once": "rq",
}
_JOB_BASES = re.compile(r"(?:Job|JobRunner|Worker)\Z")


def python_sites(text: str) -> tuple[HandoffSite, ...]:
    if not any(t in text for t in _PY_TRIGGERS):
        return ()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    try:
        return _sorted(_PyVisitor(text).sites(tree))
    except RecursionError:  # deep nesting: no sites rather than a crash
        return ()


def _dotted(node: ast.AST) -> str:
    """`a.b.c` of a Name/Attribute chain ("" for anything else, such as a call)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _last(name: str) -> str:
    return re.split(r"[.:]", name.strip("'\""))[-1] if name else ""


def _str(node: ast.AST | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _ref(node: ast.AST | None) -> str:
    """The name a task argument stands for: a string's last segment, a name, an attribute."""
    if node is None:
        return ""
    return _last(_str(node) or _dotted(node))


class _PyVisitor:
    def __init__(self, text: str) -> None:
        self.huey = "huey" in text
        self.dramatiq = "dramatiq" in text
        self.rq = "rq" in text.replace("require", "")  # `import rq`, `django_rq`, `from rq`
        self.out: list[HandoffSite] = []

    def sites(self, tree: ast.AST) -> list[HandoffSite]:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(node)
            elif isinstance(node, ast.ClassDef):
                self._class(node)
            elif isinstance(node, ast.Assign):
                self._assign(node)
            elif isinstance(node, ast.Call):
                self._call(node)
        return self.out

    def _decorator_mechanism(self, dec: ast.AST) -> tuple[str, str] | None:
        """(mechanism, registered name) when `dec` makes a task consumer."""
        call = dec if isinstance(dec, ast.Call) else None
        name = _dotted(call.func if call else dec)
        last = _last(name)
        mech = _PY_TASK_DECORATORS.get(last)
        if mech is None:
            return None
        root = name.split(".")[0]
        if last in ("task", "db_task") and (root == "huey" or self.huey):
            mech = "huey"
        elif last == "actor" and not self.dramatiq:
            return None
        elif last == "job" and not self.rq:
            mech = "job"  # a project's own job registry (`@job("refresh")`)
        registered = ""
        if call is not None:
            registered = next((_str(k.value) for k in call.keywords if k.arg == "name"), "")
            if last == "job" and call.args:
                registered = registered or _ref(call.args[0])
        return mech, registered

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for dec in node.decorator_list:
            found = self._decorator_mechanism(dec)
            if found:
                mech, registered = found
                aliases = (_last(registered),) if registered else ()
                self.out.append(HandoffSite("consume", mech, node.name, node.lineno, aliases))
                return

    def _class(self, node: ast.ClassDef) -> None:
        bases = [_last(_dotted(b)) for b in node.bases]
        if any(b and _JOB_BASES.search(b) for b in bases):
            self.out.append(HandoffSite("consume", "job-class", node.name, node.lineno))

    def _assign(self, node: ast.Assign) -> None:
        # x = huey.task(name=N)(f) / x = app.task(f)
        value = node.value
        if not (isinstance(value, ast.Call) and value.args):
            return
        inner = value.func
        registered = ""
        if isinstance(inner, ast.Call):
            found = self._decorator_mechanism(inner)
            for k in inner.keywords:
                if k.arg == "name":
                    registered = _str(k.value) or _dotted(k.value)
        else:
            found = self._decorator_mechanism(inner)
        if not found:
            return
        target = value.args[0]
        fn = _ref(target)
        if not fn:
            return
        aliases = {_last(_dotted(t)) for t in node.targets} | {_last(registered)}
        aliases.discard("")
        aliases.discard(fn)
        self.out.append(HandoffSite("consume", found[0], fn, node.lineno, tuple(sorted(aliases))))

    def _call(self, node: ast.Call) -> None:
        func = node.func
        line = getattr(func, "end_lineno", None) or node.lineno
        if isinstance(func, ast.Name):
            if func.id == "send_task" and node.args:
                self._produce("celery", _ref(node.args[0]), line)
            elif func.id == "async_task" and node.args:
                self._produce("django-q", _ref(node.args[0]), line)
            return
        if not isinstance(func, ast.Attribute):
            return
        attr = func.attr
        receiver = _dotted(func.value)
        if attr == "send_task" and node.args:
            self._produce("celery", _ref(node.args[0]), line)
        elif attr in ("publish", "subscribe") and node.args and _str(node.args[0]):
            role = "produce" if attr == "publish" else "consume"
            channel = _str(node.args[0])
            self.out.append(HandoffSite(role, "redis-pubsub", channel, line))
        elif attr == "send" and self.dramatiq and receiver:
            self._produce("dramatiq", _last(receiver), line)
        elif attr == "schedule" and self.huey and receiver:
            self._produce("huey", _last(receiver), line)
        elif attr in _PY_PRODUCE:
            mech = _PY_PRODUCE[attr]
            if mech == "rq":
                name = _last(receiver)
                if not (name[:1].isupper() and not name.isupper()):
                    # q.enqueue(f) / q.enqueue("a.b.f"): the job is the first argument
                    first = node.args[0] if node.args else None
                    first = first or next((k.value for k in node.keywords if k.arg == "func"), None)
                    if isinstance(first, ast.Name) and not self.rq:
                        return  # `ctx.enqueue(jobs)`: a list of something, not an RQ call
                    name = _ref(first)
                self._produce(mech, name, line)
            elif receiver:
                if mech in ("celery", "signature") and self.huey:
                    mech = "huey"
                self._produce(mech, _last(receiver), line)

    def _produce(self, mech: str, name: str, line: int) -> None:
        if name and name != "self":
            self.out.append(HandoffSite("produce", mech, name, line))


def _sorted(sites: Iterable[HandoffSite]) -> tuple[HandoffSite, ...]:
    return tuple(sorted(set(sites)))


# --- Ruby ---------------------------------------------------------------------------

_RB_TRIGGERS = ("perform_", "deliver_later", "Sidekiq", "Job", "Mailer", "broadcast")
_RB_PERFORM = re.compile(
    r"(?:([A-Z][\w:]*)\s*)?(?:\.set\b[^\n]{0,200}?)?\.(perform_later|perform_async|perform_in|perform_at|perform_bulk)\b"
)
_RB_CONST_LINE = re.compile(r"\s*([A-Z][\w:]*)\s*$|\s*([A-Z][\w:]*)\s*\.set\b")
_RB_MAILER = re.compile(r"([A-Z][\w:]*Mailer)\b[^\n]{0,300}?\.deliver_later\b")
_RB_CLASS = re.compile(r"\s*class\s+([A-Z][\w:]*)\s*(?:<\s*([A-Z][\w:]*))?")
_RB_SIDEKIQ = re.compile(r"\s*include\s+Sidekiq::(?:Job|Worker)\b")
_RB_DEF_PERFORM = re.compile(r"\s*def\s+perform\b")
_RB_BROADCAST = re.compile(
    r"(?:ActionCable\.server\.broadcast|broadcast_\w+?_to|broadcast_to)\s*\(?\s*([\"':@]?[\w.\-:]+)"
)
_RB_STREAM = re.compile(r"\s*stream_(?:from|for)\s*\(?\s*([\"':@]?[\w.\-:]+)")


def ruby_sites(text: str) -> tuple[HandoffSite, ...]:
    if not any(t in text for t in _RB_TRIGGERS):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[HandoffSite] = []
    open_class: tuple[str, str, int] | None = None  # (name, kind, line)
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        m = _RB_CLASS.match(line)
        if m:
            name, base = m.group(1), m.group(2) or ""
            if base.endswith("Job") or base == "ActiveJob::Base":
                open_class = (name, "activejob", i)
            elif base.endswith("Mailer") or base == "ActionMailer::Base":
                out.append(HandoffSite("consume", "actionmailer", _rb_last(name), i))
                open_class = None
            else:
                open_class = (name, "", i)
            continue
        if open_class and _RB_SIDEKIQ.match(line):
            open_class = (open_class[0], "sidekiq", open_class[2])
            continue
        if open_class and open_class[1] and _RB_DEF_PERFORM.match(line):
            out.append(HandoffSite("consume", open_class[1], _rb_last(open_class[0]), i))
            open_class = None
            continue
        if "perform_" in line:
            for m in _RB_PERFORM.finditer(line):
                const = m.group(1) or _rb_receiver(lines, i)
                mech = "activejob" if m.group(2) == "perform_later" else "sidekiq"
                via = () if m.group(1) else (m.group(2),)  # the line names the call only
                if const:
                    out.append(HandoffSite("produce", mech, _rb_last(const), i, via))
        if "deliver_later" in line:
            for m in _RB_MAILER.finditer(line):
                out.append(HandoffSite("produce", "actionmailer", _rb_last(m.group(1)), i))
            if "Mailer" not in line and line.lstrip().startswith(")"):
                # `Mailer.with(\n  …\n).welcome.deliver_later`: the mailer opened the call;
                # the line itself names the mail, which is what the alias says.
                name = _rb_mailer_above(lines, i)
                mail = _RB_MAIL_METHOD.search(line)
                if name:
                    via = (mail.group(1),) if mail else ()
                    out.append(HandoffSite("produce", "actionmailer", _rb_last(name), i, via))
        if "broadcast" in line:
            for m in _RB_BROADCAST.finditer(line):
                out.append(HandoffSite("produce", "actioncable", _rb_stream(m.group(1)), i))
        elif "stream_" in line:
            m = _RB_STREAM.match(line)
            if m:
                out.append(HandoffSite("consume", "actioncable", _rb_stream(m.group(1)), i))
    return _sorted(out)


def _rb_last(name: str) -> str:
    return name.rpartition("::")[2]


_RB_MAIL_METHOD = re.compile(r"\.(\w+)\s*\.deliver_later\b")
_RB_MAILER_OPEN = re.compile(r"\s*(?:[\w@.]+\s*=\s*)?([A-Z][\w:]*Mailer)\b")
MAX_MAILER_LOOKBACK = 8


def _rb_mailer_above(lines: Sequence[str], line_no: int) -> str:
    """The mailer whose call a line starting with `)` closes, a few lines up."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_MAILER_LOOKBACK), -1):
        m = _RB_MAILER_OPEN.match(lines[back - 1])
        if m:
            return m.group(1)
    return ""


def _rb_stream(token: str) -> str:
    return token.strip("\"':@")


def _rb_receiver(lines: Sequence[str], line_no: int) -> str:
    """The constant a chained `.perform_later` on its own line was called on."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_LOOKBACK), -1):
        m = _RB_CONST_LINE.match(lines[back - 1])
        if m:
            return m.group(1) or m.group(2)
    return ""


# --- JavaScript / TypeScript --------------------------------------------------------

_JS_TRIGGERS = (
    "Queue",
    "Worker(",
    "Processor(",
    ".process(",
    "topic",
    "sendToQueue",
    ".consume(",
    "publish(",
    "subscribe(",
)
_NAME_ARG = r"\s*(['\"`][\w.:/\-]{1,200}['\"`]|[A-Za-z_$][\w$.]{0,200})"
_JS_NEW_QUEUE = re.compile(
    r"(?:(?:const|let|var|this\.|readonly\s+|private\s+|public\s+)\s*)?([A-Za-z_$][\w$]*)\s*[:=][^=\n]{0,200}?new\s+(?:Queue|Bull|BullQueue)\s*(?:<[^>\n]{0,200}>)?\("
    + _NAME_ARG
)
_JS_INJECT = re.compile(
    r"@InjectQueue\("
    + _NAME_ARG
    + r"\s*\)\s*(?:(?:private|public|protected|readonly)\s+)*([A-Za-z_$][\w$]*)"
)
_JS_WORKER = re.compile(r"new\s+Worker\s*(?:<[^>\n]{0,200}>)?\(" + _NAME_ARG)
_JS_PROCESSOR = re.compile(r"@Processor\(\s*(?:\{\s*name\s*:)?" + _NAME_ARG)
_JS_ADD = re.compile(r"([A-Za-z_$][\w$]*)\s*\.\s*(?:add|addBulk)\s*\(")
_JS_PROCESS = re.compile(r"([A-Za-z_$][\w$]*)\s*\.\s*process\s*\(")
_JS_KAFKA_SEND = re.compile(r"\.send(?:Batch)?\(\s*\{\s*topic\s*:" + _NAME_ARG)
_JS_KAFKA_SUB = re.compile(r"\.subscribe\(\s*\{\s*topics?\s*:\s*\[?" + _NAME_ARG)
_JS_AMQP_SEND = re.compile(r"\.sendToQueue\(" + _NAME_ARG)
_JS_AMQP_CONSUME = re.compile(r"\.consume\(" + _NAME_ARG)
_JS_PUB = re.compile(r"\.publish\(\s*(['\"`][\w.:/\-]{1,200}['\"`])")
_JS_SUB = re.compile(r"\.subscribe\(\s*(['\"`][\w.:/\-]{1,200}['\"`])")


def javascript_sites(text: str) -> tuple[HandoffSite, ...]:
    if not any(t in text for t in _JS_TRIGGERS):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    queues: dict[str, str] = {}  # variable -> queue name
    for line in lines:
        if "Queue" in line:
            for m in _JS_NEW_QUEUE.finditer(line):
                queues[m.group(1)] = _js_name(m.group(2))
    if "@InjectQueue" in text:
        # The decorator and the parameter it names are often on two lines.
        for i, line in enumerate(lines):
            if "@InjectQueue" in line:
                joined = line + " " + (lines[i + 1] if i + 1 < len(lines) else "")
                for m in _JS_INJECT.finditer(joined):
                    queues[m.group(2)] = _js_name(m.group(1))
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        s = line.lstrip()
        if s.startswith("//") or s.startswith("*"):
            continue
        if queues and ".add" in line:
            for m in _JS_ADD.finditer(line):
                var = m.group(1)
                if var in queues:
                    via = (var,) if var != queues[var] else ()
                    out.append(HandoffSite("produce", "bull", queues[var], i, via))
        if queues and ".process" in line:
            for m in _JS_PROCESS.finditer(line):
                if m.group(1) in queues:
                    out.append(HandoffSite("consume", "bull", queues[m.group(1)], i))
        for pattern, role, mech in _JS_PATTERNS:
            for m in pattern.finditer(line):
                out.append(HandoffSite(role, mech, _js_name(m.group(1)), i))
    return _sorted(o for o in out if o.name)


_JS_PATTERNS = (
    (_JS_WORKER, "consume", "bull"),
    (_JS_PROCESSOR, "consume", "bull"),
    (_JS_KAFKA_SEND, "produce", "kafka"),
    (_JS_KAFKA_SUB, "consume", "kafka"),
    (_JS_AMQP_SEND, "produce", "amqp"),
    (_JS_AMQP_CONSUME, "consume", "amqp"),
    (_JS_PUB, "produce", "redis-pubsub"),
    (_JS_SUB, "consume", "redis-pubsub"),
)


def _js_name(token: str) -> str:
    token = token.strip("'\"`")
    return token.rpartition(".")[2] if "." in token and not token[:1].isupper() else token


# --- Go -----------------------------------------------------------------------------

_GO_SEND = re.compile(r"\s*([A-Za-z_][\w.]{0,100})\s*<-\s*\S")
_GO_RANGE = re.compile(r"\bfor\b[^\n]{0,200}?\brange\s+([A-Za-z_][\w.]{0,100})\s*\{")


def go_sites(text: str) -> tuple[HandoffSite, ...]:
    """Channels written in one place and ranged over by a goroutine in the same file."""
    if "chan " not in text or "go " not in text:
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    sends: list[tuple[str, int]] = []
    ranges: list[tuple[str, int]] = []
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("//"):
            continue
        m = _GO_SEND.match(line)
        if m:
            sends.append((m.group(1), i))
        if "range" in line:
            m2 = _GO_RANGE.search(line)
            if m2:
                ranges.append((m2.group(1), i))
    ranged = {name for name, _ in ranges}
    sent = {name for name, _ in sends}
    out = [HandoffSite("produce", "go-channel", n, i) for n, i in sends if n in ranged]
    out += [HandoffSite("consume", "go-channel", n, i) for n, i in ranges if n in sent]
    return _sorted(out)


def sites_for(language: str, text: str) -> tuple[HandoffSite, ...]:
    if language == "python":
        return python_sites(text)
    if language == "ruby":
        return ruby_sites(text)
    if language in ("javascript", "typescript"):
        return javascript_sites(text)
    if language == "go":
        return go_sites(text)
    return ()


def iter_names(site: HandoffSite) -> Iterator[str]:
    yield site.name
    yield from site.aliases
