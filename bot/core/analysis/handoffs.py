"""Async hand-off sites in one file: where work is put on a queue and where it is taken off.

Per-file and pure (bytes in, `HandoffSite`s out), so the sites are cached with the file's
facts; `movement.pair_handoffs` pairs both ends across files by name. Every language is
scanned line by line, and only when a trigger word is in the file, with anchored patterns
whose repeats are bounded, so a long line cannot make them backtrack (every line is cut at
`MAX_LINE` characters first). Python was read with `ast` first: a walk cost about four times
the file's whole extraction on Django projects, for the same sites on the truth repositories.

What counts, by library (the names pair across files, so a producer in the web process
meets its consumer in the worker):

* Celery: `@shared_task`/`@app.task` definitions; `.delay`, `.apply_async`, `.s`/`.si`,
  `send_task("a.b.task")`. huey: `@huey.task`/`@db_task` and `x = huey.task(name=N)(f)`
  (answers to `f`, `x` and `N`); `.s(...)`, `.schedule(...)`. RQ: `@job`, `q.enqueue(f)`,
  `q.enqueue("a.b.f")`; job classes (`class X(JobRunner)`) and `X.enqueue(...)`.
  Dramatiq: `@dramatiq.actor`, `.send`, `.send_with_options`. Django-Q: `async_task(...)`.
  Redis pub/sub: `.publish("channel")` / `.subscribe("channel")`.
* Ruby (`handoffs_ruby`): Sidekiq, ActiveJob, ActionMailer, Resque, DelayedJob, Action Cable.
* JavaScript/TypeScript: Bull/BullMQ, NestJS, Agenda, pg-boss, graphile-worker, kafkajs,
  amqplib, Redis pub/sub, SQS, Socket.IO (`handoffs_js`).
* Go: channels that feed goroutines (`handoffs_go`), brokers and task queues
  (`handoffs_go_brokers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import fields
from operator import attrgetter

from bot.core.analysis.handoffs_go import go_sites
from bot.core.analysis.handoffs_js import _JS_TRIGGERS, javascript_sites  # noqa: F401
from bot.core.analysis.handoffs_ruby import ruby_sites
from bot.core.analysis.py_defs import DefIndex
from bot.core.analysis.python import _string_spans
from bot.core.analysis.scan import MAX_POSITIONS, Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.model import HandoffSite

MAX_LINE = 2_000  # characters of a line that patterns look at

_PY_TRIGGERS = (
    ".delay(",
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
    "dramatiq",
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
# The mechanism of a producer whose library the file does not show (`send_welcome.send(…)`
# with the actor imported from its module, `led.delay(0.5)`): kept, under its consumer's
# mechanism, only when a consumer of that name is found (`movement.confirm_producers`).
UNCONFIRMED = "unconfirmed"
_TASK_WORDS = ("task", "Task", "celery", "job", "actor", "huey")
_PY_TARGET = re.compile(r"\A[A-Za-z_][\w.]{0,200}+\Z")
_PY_QUEUE_CALL = re.compile(
    r"get_queue\([^()\n]{0,200}+\)\.enqueue(?:_call)?\([ \t]*+(?:func[ \t]*=[ \t]*)?"
    r"([A-Za-z_][\w.]{0,200}+)"
)
_PY_INSTANCE_CALL = re.compile(r"(?<![\w.])([A-Z]\w{0,100}+)\(\)\.(?:delay|apply_async)\(")
# At a line's start (a class attribute), not in a comment or a docstring's prose.
_PY_ARQ_FUNCTIONS = re.compile(
    r"^[ \t]*+functions[ \t]*+(?::[^=\n]{0,200}+)?=[ \t]*+\[([^\]]{0,2000}+)\]", re.M
)
_PY_ARQ_ITEM = re.compile(r"\A(?:func\([ \t]*+)?([A-Za-z_]\w{0,100}+)")
MAX_ARQ_FUNCTIONS = 200
_PY_ENQUEUE_JOB = re.compile(r"\.enqueue_job\([ \t]*+['\"](\w{1,200}+)['\"]")


def _last(name: str) -> str:
    return re.split(r"[.:]", name.strip("'\""))[-1] if name else ""


# The gate before a Python file is scanned: patterns that start with a literal ("." or
# "@") are found by the regex engine's fast search; plain `in` tests cost a pass each
# (~5 ms per test on 9 MB of Django code), so there are few of them.
_PY_DOT_TRIGGER = re.compile(
    r"\.(?:delay|apply_async|si?|enqueue\w*|publish|subscribe|send\w*|schedule|task|submit)\("
)
_PY_AT_TRIGGER = re.compile(r"@[\w.]*(?:task|job|actor)\b")
_PY_WORDS = ("_task(", "huey", "dramatiq", "Job", "Task)", "WorkerSettings")


def docstring_lines(text: str) -> frozenset[int]:
    """Lines inside triple-quoted strings (docs name `.delay(` and `@app.task` in prose);
    none when the quotes do not pair up."""
    spans = _string_spans(text)
    if not spans:
        return frozenset()
    at = Lines(text)
    out: set[int] = set()
    looked = 0  # where the last search for a line start stopped (spans come in order)
    for start, end in spans:
        first, last = at.at(start), at.at(end)
        # The opening line may hold code before the quotes; a one-line string is left
        # to the comment rule (rare in code that enqueues).
        out.update(range(first + 1, last + 1))
        # Searched back only to the last span: on one line of 100k strings, a search to
        # the line's start from each of them was quadratic (an earlier span on the same
        # line means code before the quotes).
        newline = text.rfind("\n", looked, start)
        if (newline != -1 or looked == 0) and not text[newline + 1 : start].strip():
            out.add(first)  # the quotes open the line: all of it is string
        looked = start
    return frozenset(out)


def _python_triggered(text: str) -> bool:
    return (
        _PY_DOT_TRIGGER.search(text) is not None
        or _PY_AT_TRIGGER.search(text) is not None
        or any(word in text for word in _PY_WORDS)
    )


# A file let in by the word "Job" alone (a Django model named Job is everywhere in some
# projects) can hold only two kinds of site: a class whose base ends in Job/JobRunner/Worker
# (`_PY_CLASS`: "class" before "Job" or "Worker" on one line), a `x = task(...)(f)` /
# `x = job(...)(f)` wrapper (the other decorators and every call word are needles of the
# gate itself), and a registry's `Job("name", ...)`. A file with none is not scanned.
def _job_word_may_find(text: str) -> bool:
    """False only when "Job" was the gate's sole reason and no site can follow from it."""
    if (
        _PY_DOT_TRIGGER.search(text) is not None
        or _PY_AT_TRIGGER.search(text) is not None
        or any(word in text for word in _PY_WORDS if word != "Job")
    ):
        return True
    return (
        "task(" in text
        or "job(" in text
        or "Job(" in text
        or _class_before("Job", text)
        or _class_before("Worker", text)
    )


def _class_before(word: str, text: str) -> bool:
    """Whether a line holds "class" before `word`; each line is looked at once (linear)."""
    pos = text.find(word) if "class" in text else -1
    while pos != -1:
        start = text.rfind("\n", 0, pos) + 1
        if text.find("class", start, pos) != -1:
            return True
        end = text.find("\n", pos)
        if end == -1:
            return False
        pos = text.find(word, end)
    return False


def python_sites(text: str) -> tuple[HandoffSite, ...]:
    """Python hand-off sites, by a line scan (an `ast` walk cost ~4x the file's extraction
    on Django projects). Comment lines are skipped; a docstring line that reads like an
    enqueue is taken for one, which is rare and shows as "no consumer found"."""
    if not _python_triggered(text) or not _job_word_may_find(text):
        return ()
    scan = _PyScan(text)
    return _sorted(scan.sites())


_PY_DECORATOR = re.compile(r"\A[ \t]*+@([A-Za-z_][\w.]{0,200})[ \t]*(\(.{0,400})?\Z")
_PY_DEF = re.compile(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w*)")
_PY_CLASS = re.compile(r"\A[ \t]*+class[ \t]++([A-Za-z_]\w*+)[ \t]*+\(([^)\n]{0,400})\)")
_PY_ASSIGN = re.compile(
    r"\A[ \t]*+([A-Za-z_][\w.]{0,200})[ \t]*=[ \t]*([A-Za-z_][\w.]{0,200})\((.{0,400}?)\)"
    r"[ \t]*\([ \t]*([A-Za-z_][\w.]{0,200})[ \t]*\)"
)
_PY_CALL = re.compile(
    r"([A-Za-z_][\w.]{0,200})\.(delay|apply_async|si?|send_with_options|send|schedule"
    r"|enqueue(?:_call|_in|_at|_once)?|publish|subscribe)\("
    r"[ \t]*(?:(['\"])([\w.:/\-]{1,200})\3|(?:func[ \t]*=[ \t]*)?([A-Za-z_][\w.]{0,200}))?"
)
_PY_FUNC_CALL = re.compile(
    r"(?<!\w)(send_task|async_task)\([ \t]*"
    r"(?:(['\"])([\w.:\-]{1,200})\2|([A-Za-z_][\w.]{0,200}))"
)
_PY_NAME_KW = re.compile(r"\bname[ \t]*=[ \t]*(?:(['\"])([\w.:\-]{1,200})\1|([A-Za-z_]\w*))")
_PY_FIRST_ARG = re.compile(r"\A\([ \t]*+(?:(['\"])([\w.:\-]{1,200})\1|([A-Za-z_][\w.]*+))")
# A line is matched against the call patterns only when it holds one of these.
_PY_CALL_WORDS = (
    ".delay(",
    ".apply_async(",
    ".s(",
    ".si(",
    ".send",
    ".schedule(",
    ".enqueue",
    ".publish(",
    ".subscribe(",
    "send_task(",
    "async_task(",
    ".submit(",
    ".add_task(",
)
# A project's own job registry (`@job("refresh")` over a function): its jobs are made as
# `Job("refresh", ...)`, `Job(name="refresh", ...)` or `Job(INSTALL_JOB, ...)`, the name on
# the line or the next ones. Such a site counts only when a consumer answers to the name
# (`movement.pair_handoffs` drops a "job-registry" producer alone).
_PY_JOB_MADE = re.compile(r"(?<![\w.])Job\(")
_PY_JOB_NAME_KW = re.compile(r"(?<!\w)name[ \t]*=[ \t]*(['\"])([\w.:\-]{1,200})\1")
# Matched on a stripped argument text: no leading run of blanks to rescan.
_PY_JOB_FIRST = re.compile(r"(?:(['\"])([\w.:\-]{1,200})\1|([A-Z][A-Z0-9_]{0,100}+)(?![\w(.]))")
MAX_JOB_LINES = 3  # lines after `Job(` searched for its name
# Lines worth a look hold one of these: a decorator, a class, a wrapper, a call word.
_PY_NEEDLES = ("@", "class ", "task(", "Job(", *_PY_CALL_WORDS)


# The call words that start with ".": no occurrence of one overlaps another, so one
# literal-first `finditer` finds exactly the places their nine `find` loops would.
_PY_DOT_WORDS = re.compile(
    r"\.(?:delay\(|apply_async\(|si?\(|send|schedule\(|enqueue|publish\(|subscribe\(|submit\("
    r"|add_task\()"
)
_PY_OTHER_NEEDLES = tuple(n for n in _PY_NEEDLES if not n.startswith("."))


def _py_positions(text: str) -> list[int]:
    """`_positions(text, _PY_NEEDLES)` with one pass for the dotted call words."""
    out = _positions(text, _PY_OTHER_NEEDLES)
    if len(out) < MAX_POSITIONS:
        for m in _PY_DOT_WORDS.finditer(text):
            out.append(m.start())
            if len(out) >= MAX_POSITIONS:
                break
        else:
            return sorted(out)
    return _positions(text, _PY_NEEDLES)  # capped: the same places, in the same order


def _cut(lines: list[str]) -> list[str]:
    """Lines cut at `MAX_LINE` characters (a copy only when one is longer)."""
    if lines and max(map(len, lines)) > MAX_LINE:
        return [line[:MAX_LINE] for line in lines]
    return lines


MAX_DECORATED = 12  # lines between a task decorator and its `def`
# A job named by an f-string or a concatenation (`q.enqueue(f"app.tasks.{name}")`,
# `"app.tasks." + name`): named from what is literal, the variable kept as `{name}`.
# Matched where the argument starts (blanks skipped by `_arg_start`): no leading run to rescan.
_PY_TEMPLATE = re.compile(
    r"(?:f(['\"])([\w.:/\-]{0,200}+)\{[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\}"
    r"([\w.:/\-]{0,200}+)\1|(['\"])([\w.:/\-]{1,200}+)\5[ \t]*+\+[ \t]*+([A-Za-z_]\w{0,100}+)"
    r"(?![\w.(\[]))"
)
# `executor.submit(fn, …)` in a file that makes a ThreadPoolExecutor/ProcessPoolExecutor:
# a pool fed by a queue in the same process, like a Go goroutine pool.
_PY_ADD_TASK = re.compile(r"\.add_task\([ \t]*+([A-Za-z_][\w.]{0,200}+)[ \t]*+[,)]")
_PY_SUBMIT = re.compile(r"\.submit\([ \t]*+(?:self\.)?([A-Za-z_]\w{0,100}+)[ \t]*+[,)]")
# Producers whose function is a producer API (`def launch_task(self, name)` enqueues):
# its callers produce too (`handoff_links`). A Celery signature or a registry's `Job(...)`
# is too weak alone, a thread pool is in-process.
_WRAPPABLE = frozenset({"celery", "rq", "huey", "dramatiq", "django-q", "redis-pubsub"})
# A function named like the library's own verbs (`enqueue_once` on a job class) is the
# library's shape, not a wrapper: its parameters are no job names.
_NOT_WRAPPERS = ("delay", "apply_async", "send", "enqueue", "publish", "schedule", "submit")
# A method is called as `x.name(` on anything: one with a name this common (a framework's
# hook, a view's verb, a collection's method) cannot be told from the many other methods
# called so, and is left alone. Functions are called by the name their module exports.
_COMMON_METHODS = frozenset(
    {
        *("add", "apply", "call", "clean", "create", "delete", "destroy", "dispatch"),
        *("execute", "get", "handle", "list", "patch", "perform", "perform_create"),
        *("perform_destroy", "perform_update", "post", "process", "push", "put", "rebuild"),
        *("remove", "retrieve", "run", "save", "setup", "start", "stop", "update"),
        *("partial_update", "form_valid", "validate", "write", "emit", "notify", "trigger"),
    }
)


class _PyScan:
    def __init__(self, text: str) -> None:
        self.text = text
        self._lines = Lines(text)
        # `split("\n")`, not `splitlines()`: line numbers count "\n" as `Lines` does.
        self.lines = _cut(text.split("\n"))
        self.huey = "huey" in text
        self.dramatiq = "dramatiq" in text
        self.rq = "rq" in text.replace("require", "")  # `import rq`, `django_rq`, `from rq`
        self.pool = "PoolExecutor" in text
        self.background = "BackgroundTasks" in text  # FastAPI / Starlette
        self._taskish: bool | None = None
        self.out: list[HandoffSite] = []
        self._defs: DefIndex | None = None

    @property
    def taskish(self) -> bool:
        """Whether a task word is in the file: `.delay(` on something no task word is near
        (`led.delay(0.5)`) is kept only when a consumer of that name is found. Looked up
        once, when a call needs it."""
        if self._taskish is None:
            self._taskish = any(w in self.text for w in _TASK_WORDS)
        return self._taskish

    @property
    def defs(self) -> DefIndex:
        if self._defs is None:
            self._defs = DefIndex(self.text, self.lines)
        return self._defs

    def sites(self) -> list[HandoffSite]:
        # Only the lines a candidate pattern finds (one C-level pass over the text) are
        # looked at in Python: a loop over every line of a 4,000-line views file is not.
        seen: set[int] = set()
        quoted = docstring_lines(self.text)
        for pos in _py_positions(self.text):
            i = self._line(pos)
            if i in seen or i > len(self.lines) or i in quoted:
                continue
            seen.add(i)
            line = self.lines[i - 1]
            stripped = line.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("@"):
                self._decorator(i, line)
            elif stripped.startswith("class "):
                self._class(i, line)
            if "=" in line and "(" in line:
                self._assign(i, line)
            if any(word in line for word in _PY_CALL_WORDS):
                self._calls(i, line.split("#", 1)[0])  # not a call named in a comment
            if "Job(" in line:
                self._job_made(i, line.split("#", 1)[0])
        if "WorkerSettings" in self.text:
            self._arq_functions(quoted)
        self._wrappers()
        return self.out

    def _arq_functions(self, quoted: frozenset[int]) -> None:
        """arq's `functions = [f, func(g, …)]` in a `WorkerSettings`: each is a consumer,
        cited at its `def` when this file has it, named as `enqueue_job("f")` names it."""
        for m in _PY_ARQ_FUNCTIONS.finditer(self.text):
            at = self._line(m.start(1))
            if at in quoted:
                continue
            for item in m.group(1).split(",")[:MAX_ARQ_FUNCTIONS]:
                name = _PY_ARQ_ITEM.match(item.strip())
                if name is None:
                    continue
                d = self.defs.named(name.group(1))
                line = d.line if d is not None else at
                self.out.append(HandoffSite("consume", "arq", name.group(1), line))

    def _wrappers(self) -> None:
        """A `wrapper` site for each producer inside a function: (job name, the parameter
        that names it or "", its index, "method" or "func"), at the producer's line."""
        for site in list(self.out):
            if site.role != "produce" or site.mechanism not in _WRAPPABLE:
                continue
            d = self.defs.holding(site.line)
            if d is None or d.name.startswith(_NOT_WRAPPERS) or d.name.startswith("__"):
                continue
            param, index, var = "", "", ""
            if "{" in site.name:
                var = site.name.partition("{")[2].partition("}")[0]
            elif site.name in d.params:
                var = site.name  # `q.enqueue(func)`, `task.delay()` with a parameter
            inner = site.name
            if var in d.params:
                param, index = var, str(d.params.index(var))
                inner = site.name if "{" in site.name else f"{{{var}}}"
            elif "{" in site.name:
                continue  # named by a local: nothing a caller says names it
            if d.method and d.name.casefold() in _COMMON_METHODS:
                continue
            kind = "method" if d.method else "func"
            aliases = (inner, param, index, kind)
            self.out.append(HandoffSite("wrapper", site.mechanism, d.name, site.line, aliases))

    def _line(self, pos: int) -> int:
        return self._lines.at(pos)

    def _mechanism(self, dotted: str, args: str) -> tuple[str, str] | None:
        """(mechanism, registered name) when a decorator (or wrapper) makes a consumer."""
        last = _last(dotted)
        mech = _PY_TASK_DECORATORS.get(last)
        if mech is None:
            return None
        root = dotted.split(".")[0]
        if last in ("task", "db_task") and (root == "huey" or self.huey):
            mech = "huey"
        elif last == "actor" and not self.dramatiq:
            return None
        elif last == "job" and not self.rq:
            mech = "job"  # a project's own job registry (`@job("refresh")`)
        registered = ""
        m = _PY_NAME_KW.search(args)
        if m:
            registered = m.group(2) or m.group(3) or ""
        elif last == "job":
            first = _PY_FIRST_ARG.match(args)
            if first:
                registered = first.group(2) or first.group(3) or ""
        return mech, _last(registered)

    def _decorator(self, i: int, line: str) -> None:
        m = _PY_DECORATOR.match(line)
        if m is None:
            return
        found = self._mechanism(m.group(1), m.group(2) or "")
        if found is None:
            return
        for j in range(i, min(len(self.lines), i + MAX_DECORATED)):
            d = _PY_DEF.match(self.lines[j])
            if d:
                mech, registered = found
                aliases = (registered,) if registered and registered != d.group(1) else ()
                self.out.append(HandoffSite("consume", mech, d.group(1), j + 1, aliases))
                if mech == "huey":
                    # Calling a huey task enqueues it: its callers are its producers
                    # (`handoff_links`, as a producer wrapper's are).
                    wrap = (d.group(1), "", "", "func")
                    self.out.append(HandoffSite("wrapper", "huey", d.group(1), j + 1, wrap))
                return
            if self.lines[j].lstrip().startswith("class "):
                return

    def _class(self, i: int, line: str) -> None:
        m = _PY_CLASS.match(line)
        if m is None:
            return
        bases = [_last(b.strip()) for b in m.group(2).split(",") if "=" not in b]
        if any(b and _JOB_BASES.search(b) for b in bases):
            self.out.append(HandoffSite("consume", "job-class", m.group(1), i))
        elif "Task" in bases and "celery" in self.text:
            # `class GenerateReport(Task)`: a Celery task class, run by `X().delay(…)`
            self.out.append(HandoffSite("consume", "celery", m.group(1), i))

    def _assign(self, i: int, line: str) -> None:
        # x = huey.task(name=N)(f) / x = app.task()(f)
        m = _PY_ASSIGN.match(line)
        if m is None:
            return
        found = self._mechanism(m.group(2), "(" + m.group(3))
        if found is None:
            return
        fn = _last(m.group(4))
        registered = ""
        kw = _PY_NAME_KW.search(m.group(3))
        if kw:
            registered = kw.group(2) or kw.group(3) or ""
        aliases = {_last(m.group(1)), _last(registered)} - {"", fn}
        self.out.append(HandoffSite("consume", found[0], fn, i, tuple(sorted(aliases))))

    def _calls(self, i: int, line: str) -> None:
        for m in _PY_FUNC_CALL.finditer(line):
            mech = "celery" if m.group(1) == "send_task" else "django-q"
            t = _PY_TEMPLATE.match(line, _arg_start(line, m.end(1) + 1))
            self._produce(mech, _template(t) if t else _last(m.group(3) or m.group(4) or ""), i)
            if t is None and mech == "django-q":
                self._target(mech, m.group(3) or m.group(4) or "", i)
        if "." not in line:
            return
        if self.pool and ".submit(" in line:
            self._submit(i, line)
        if ").enqueue" in line or ").delay(" in line or ").apply_async(" in line:
            self._chained(i, line)
        if ".enqueue_job(" in line:
            for m in _PY_ENQUEUE_JOB.finditer(line):
                self._produce("arq", m.group(1), i)
        if self.background and ".add_task(" in line:
            self._background(i, line)
        for m in _PY_CALL.finditer(line):
            receiver, attr = m.group(1), m.group(2)
            literal, arg = m.group(4), m.group(5)
            if attr in ("publish", "subscribe"):
                if literal:
                    role = "produce" if attr == "publish" else "consume"
                    self.out.append(HandoffSite(role, "redis-pubsub", literal, i))
            elif attr == "send":
                # a `.send(` far from dramatiq (an actor imported from its module) counts
                # only when an actor of that name is found
                self._produce("dramatiq" if self.dramatiq else UNCONFIRMED, _last(receiver), i)
            elif attr == "schedule":
                # a task imported from a huey module: counts when its consumer is found
                self._produce("huey" if self.huey else UNCONFIRMED, _last(receiver), i)
            elif attr.startswith("enqueue"):
                name = _last(receiver)
                if not (name[:1].isupper() and not name.isupper()):
                    # q.enqueue(f) / q.enqueue("a.b.f"): the job is the first argument
                    t = _PY_TEMPLATE.match(line, _arg_start(line, m.end(2) + 1))
                    if t is not None:
                        self._produce("rq", _template(t), i)
                        continue
                    if arg and not literal and not self.rq:
                        continue  # `ctx.enqueue(jobs)`: a list of something, not an RQ call
                    name = _last(literal or arg or "")
                    self._target("rq", literal or arg or "", i)
                self._produce("rq", name, i)
            else:
                mech = _PY_PRODUCE[attr]
                if mech in ("celery", "signature") and self.huey:
                    mech = "huey"
                elif mech == "celery" and not self.taskish:
                    mech = UNCONFIRMED
                self._produce(mech, _last(receiver), i)

    def _target(self, mech: str, named: str, line: int) -> None:
        """A "target" site: the function a job names (`q.enqueue(count_words)`, `"a.b.f"`),
        whose `def` `handoff_targets` finds as the consumer when nothing else consumes it."""
        if named and named != "self" and _PY_TARGET.match(named):
            self.out.append(HandoffSite("target", mech, named, line))

    def _chained(self, i: int, line: str) -> None:
        """`get_queue("q").enqueue(f)` (django-rq), `GenerateReport().delay(…)` (a Celery
        task class): the receiver is a call."""
        for m in _PY_QUEUE_CALL.finditer(line):
            self._produce("rq", _last(m.group(1)), i)
            self._target("rq", m.group(1), i)
        for m in _PY_INSTANCE_CALL.finditer(line):
            self._produce("celery" if self.taskish else UNCONFIRMED, m.group(1), i)

    def _submit(self, i: int, line: str) -> None:
        for m in _PY_SUBMIT.finditer(line):
            d = self.defs.named(m.group(1))
            if d is not None:
                self._produce("thread-pool", m.group(1), i)
                self.out.append(HandoffSite("consume", "thread-pool", m.group(1), d.line))

    def _background(self, i: int, line: str) -> None:
        """`background_tasks.add_task(fn, …)`: FastAPI runs `fn` after the response, in the
        same process. Paired with `fn` when this file defines it; named by it otherwise."""
        for m in _PY_ADD_TASK.finditer(line):
            name = _last(m.group(1))
            self._produce("background-task", name, i)
            d = self.defs.named(name)
            if d is not None:
                self.out.append(HandoffSite("consume", "background-task", name, d.line))

    def _job_made(self, i: int, line: str) -> None:
        m = _PY_JOB_MADE.search(line)
        if m is None:
            return
        # The site is the line that names the job (where a reader sees which one it is).
        rest = [line[m.end() :], *self.lines[i : i + MAX_JOB_LINES - 1]]
        at = i
        first = _PY_JOB_FIRST.match(rest[0].lstrip()) if rest[0].strip() else None
        if first is None and not rest[0].strip() and len(rest) > 1:
            first = _PY_JOB_FIRST.match(rest[1].lstrip())  # `Job(` alone, its argument below
            at = i + 1
        name = (first.group(2) or first.group(3)) if first is not None else None
        if name is None:
            for k, part in enumerate(rest):
                kw = _PY_JOB_NAME_KW.search(part)
                if kw is not None:
                    name, at = kw.group(2), i + k
                    break
                if ")" in part:
                    break
        if name:
            self.out.append(HandoffSite("produce", "job-registry", name, at))

    def _produce(self, mech: str, name: str, line: int) -> None:
        if name and name != "self":
            self.out.append(HandoffSite("produce", mech, name, line))


def _arg_start(line: str, pos: int) -> int:
    """Where the argument after `pos` starts, past blanks."""
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    return pos


def _template(m: re.Match[str]) -> str:
    """`f"app.tasks.{name}"` / `"app.tasks." + name` as `app.tasks.{name}`."""
    if m.group(3):
        return f"{m.group(2)}{{{m.group(3)}}}{m.group(4)}"
    return f"{m.group(6)}{{{m.group(7)}}}"


# The dataclass's own order as a key: its `__lt__` builds two tuples per compare (2 s of a
# Go file's 100k channel sends).
SITE_ORDER = attrgetter(*(f.name for f in fields(HandoffSite)))


def _sorted(sites: Iterable[HandoffSite]) -> tuple[HandoffSite, ...]:
    return tuple(sorted(set(sites), key=SITE_ORDER))


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
