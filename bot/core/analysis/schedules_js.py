"""JavaScript/TypeScript scheduled work in one file (moved out of `schedules`).

* NestJS `@Cron(…)` / `@Interval(…)` over a method (`@Timeout` runs once: no schedule).
* node-cron `cron.schedule('…')`, the `cron` package's `new CronJob('…')` and
  `CronJob.from({ cronTime: '…' })`, node-schedule `scheduleJob(['name',] '…')`; in a file
  importing node-schedule, `scheduleJob(settings.x.cron, fn)` too: the timing is configured,
  the job is still scheduled; named by the literal `id:`/`name:` of the object it is built in,
  else the first call its callback makes.
* Repeatable queue jobs: Bull/BullMQ `queue.add(…, { repeat: { cron | pattern | every } })`,
  BullMQ `queue.upsertJobScheduler('id', { pattern | every })`; Agenda `agenda.every('…',
  'job')`; pg-boss `boss.schedule('queue', '…')`.
* croner `Cron('…', [options,] fn)` / `new Cron(…)`, toad-scheduler's `new SimpleIntervalJob(
  { minutes: 10 }, task)` / `new CronJob({ cronExpression }, task)` named by the task's id.
* A task class of the app's own registry marked periodic by a `get cron()` (or `cron()`)
  that returns `{ interval: … }`: fired by one clock, named for the class, cited at the
  `interval`.
* A recursive `setTimeout` loop: a function that schedules itself again (`setTimeout(poll,
  5000)` inside `function poll`), mechanism ``setTimeout``, filtered like `setInterval`.
* An app-wide worker: a class whose method keeps `this.timer = setInterval(() =>
  this.poll(), ms)` in a file that makes one instance of it (`export default new Poller()`)
  and touches no DOM or React: mechanism ``setInterval worker``, named `Class.method`, kept
  in browser code too (a single web app's poller or pruner is its scheduled work; a
  component's clock is not, and has no class made once).
* `setInterval(fn, ms)` started at the top of a server file or in a top-level function (a
  worker's `main`): mechanism ``setInterval``; `movement.collect_schedules` leaves out browser
  code and examples by their path. One nested deeper (a method's per-object keep-alive) or
  in a file that touches the DOM or React is no scheduled work of the product. "One level"
  is the file's own indentation unit (2 or 4 columns). In a class that keeps its one
  instance (a singleton service's heartbeat), a method's `setInterval` counts too.

Each call's arguments are read over at most `MAX_CALL_LINES` lines; patterns are bounded.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from bot.core.analysis.handoffs_js import _js_comment, queue_adds, queue_variables
from bot.core.analysis.scan import Lines
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_CALL_LINES = 8  # lines of a call's arguments read for its `repeat`/`cronTime`
MAX_CALL_CHARS = 1_000  # characters of them (read one by one for the closing parenthesis)
MAX_CALLBACK_LINES = 120  # lines from `setInterval(() => {` to its `}, ms)`
MAX_INDENT_LINES = 400  # lines read for the file's indentation unit
MAX_SITES = 500
MAX_ARROW_TIMEOUTS = 100  # `setTimeout(() => {` callbacks read per file for a re-arm
MAX_SINGLETON_DEPTH = 3  # levels a singleton's timer may sit in (class, method, a branch)
INTERVAL = "setInterval"  # mechanism of a `setInterval` loop (Python's "interval" is a job's)
TIMEOUT_LOOP = "setTimeout"  # a function that sets a timeout on itself
WORKER = "setInterval worker"  # a method of a class made once, run on an interval

_JS_DECORATOR = lazy(r"\A\s*+@(Cron|Interval)\(\s*([^)\n]{1,120})\)")
_JS_METHOD = re.compile(
    r"\A\s*+(?:(?:public|private|protected|async|static)\s++)*([A-Za-z_$][\w$]*+)\s*+\("
)
_SPEC = r"(['\"`])([^'\"`\n]{1,100})"
_JS_CRON_CALL = lazy(
    r"(\.schedule|CronJob|scheduleJob)\(\s{0,200}" + _SPEC + r"\2"
    r"(?:\s{0,200},\s{0,200}" + r"(['\"`])([^'\"`\n]{1,100})\4)?"
)
_JS_RECEIVER = lazy(r"([A-Za-z_$][\w$]{0,100})\s*+\Z")
_JS_CRON_TIME = lazy(r"cronTime\s*+:\s*+" + _SPEC + r"\1")
_JS_REPEAT = lazy(r"repeat\s*+:\s*+\{")
_JS_WHEN = lazy(r"(?:cron|pattern)\s*+:\s*+" + _SPEC + r"\1|every\s*+:\s*+([^,}\n]{1,60})")
_JS_FIRST_LIT = lazy(r"\A\s*+" + _SPEC + r"\1")
_JS_COMPUTED_SCHEDULER = re.compile(
    r"\A\s*+([A-Za-z_$][\w$.]{0,100}+)\s*+,\s*+\{\s*+(?:pattern\s*+:\s*+([A-Za-z_$][\w$.]{0,100}+)"
    r"|every\s*+:\s*+([A-Za-z_$][\w$.]{0,100}+))"
)
# the receiver may end the line above (`void this._queue\n  .upsertJobScheduler(`)
_JS_UPSERT = lazy(r"(?:(?<![\w$])([A-Za-z_$][\w$]{0,100})[ \t]*+)?\.[ \t]*+upsertJobScheduler\(")
_JS_EVERY = re.compile(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100})\s*+\.\s*+(every|schedule)\(\s*+" + _SPEC + r"\3"
    r"\s*+,\s*+(?:(['\"`])([^'\"`\n]{1,200})\5|([A-Z][\w$.]{0,200}))"
)
_JS_INTERVAL = lazy(
    r"\A([ \t]*+)(?:(?:const|let|var)[ \t]++[\w$]{1,100}[ \t]*+=[ \t]*+"
    r"|[\w$.]{1,100}[ \t]*+=[ \t]*+)?setInterval\([ \t]*+(.{0,300})"
)
_JS_INTERVAL_ARGS = lazy(r"\A([A-Za-z_$][\w$.]{0,100})\s*+,\s*+([^)\n]{1,100}?)\s*+\)")
_JS_ARROW_ARGS = lazy(
    r"\A(?:async[ \t]*+)?\([^)\n]{0,100}+\)[ \t]*+=>[ \t]*+[^{\n][^\n]{0,300}?,[ \t]*+"
    r"([^,()\n]{1,100}+)\)"
)
_JS_CALLBACK_END = lazy(r"\A[ \t]*+\}[ \t]*+,[ \t]*+([^)\n]{1,100}?)[ \t]*+\)")
_TRIGGERS = (
    *("Cron", "cron", "Interval(", "scheduleJob", "repeat", "upsertJobScheduler", ".every("),
    ".schedule(",
    "croner",
    "toad-scheduler",
    "setTimeout(",
)
_BROWSER_WORDS = ("document.", "window.", "useEffect", "React", "localStorage", "$(")


def _call_text(lines: list[str], i: int, start: int) -> str:
    """The arguments of the call whose `(` ends at column `start` of line `i` (1-based), up to
    where its parentheses close or `MAX_CALL_LINES` lines."""
    parts: list[str] = []
    depth = 1
    budget = MAX_CALL_CHARS
    for j in range(i - 1, min(len(lines), i - 1 + MAX_CALL_LINES)):
        line = lines[j][start:] if j == i - 1 else lines[j]
        line = line[:budget]
        budget -= len(line)
        for k, ch in enumerate(line):
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0:
                    parts.append(line[:k])
                    return "\n".join(parts)
        parts.append(line)
        if budget <= 0:
            break
    return "\n".join(parts)


def _when(args: str) -> str:
    m = _JS_WHEN.search(args)
    if m is None:
        return ""
    return m.group(2) if m.group(2) else "every " + m.group(3).strip()


_TRIGGER_NEEDLES = Needles(_TRIGGERS)  # their words first (`words`): most files hold none
_BROWSER_NEEDLES = Needles(_BROWSER_WORDS)  # their words first (`words`): most files hold none


def javascript_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if not _TRIGGER_NEEDLES.any_in(text):
        return ()
    out: list[ScheduleSite] = []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    if "@Cron(" in text or "@Interval(" in text:
        _decorators(lines, out)
    if "cron" in text or "Cron" in text or "scheduleJob" in text:
        _cron_calls(text, lines, out)
    if "scheduleJob(" in text and "node-schedule" in text:
        _configured_node_schedule(text, lines, out)
    if "repeat" in text or "upsertJobScheduler" in text:
        _repeatable(text, lines, out)
    if ".every(" in text or ".schedule(" in text:
        _job_library(text, lines, out)
    browser = _BROWSER_NEEDLES.any_in(text)
    if "setInterval(" in text and not browser:
        _intervals(text, lines, out)
    if "setInterval(" in text and "class " in text and not browser:
        _class_workers(text, lines, out)
    if "cron()" in text:
        _task_cron(lines, out)
    if "croner" in text:
        _croner(text, lines, out)
    if "toad-scheduler" in text:
        _toad(text, lines, out)
    if "setTimeout(" in text and not browser:
        _timeout_loops(text, lines, out)
    return tuple(sorted(set(out[:MAX_SITES])))


def _decorators(lines: list[str], out: list[ScheduleSite]) -> None:
    for i, line in enumerate(lines, 1):
        if "@" not in line:
            continue
        m = _JS_DECORATOR.match(line)
        if m:
            method = ""
            for nxt in lines[i : i + 4]:
                mm = _JS_METHOD.match(nxt)
                if mm and not nxt.lstrip().startswith("@"):
                    method = mm.group(1)
                    break
            out.append(ScheduleSite(method or m.group(1), m.group(2).strip(), "nestjs", i))


def _cron_calls(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    at = Lines(text)
    for m in _JS_CRON_CALL.finditer(text):
        kind = m.group(1)
        before = text[max(0, m.start() - 100) : m.start()]
        if kind == ".schedule":
            r = _JS_RECEIVER.search(before)
            if r is None or "cron" not in r.group(1).lower():
                continue  # `queue.schedule(` of another library
        elif kind == "CronJob" and not before.rstrip().endswith("new"):
            continue
        i = at.at(m.start())
        if _js_comment(lines[i - 1]):
            continue
        if kind == "scheduleJob" and m.group(5):  # scheduleJob('name', '…', fn)
            out.append(ScheduleSite(m.group(3), m.group(5), "node-schedule", i))
            continue
        mech = "node-schedule" if kind == "scheduleJob" else "node-cron"
        out.append(ScheduleSite("cron job", m.group(3), mech, i))
    if "CronJob.from(" in text:
        at = Lines(text)
        pos = text.find("CronJob.from(")
        while pos != -1 and len(out) < MAX_SITES:
            i = at.at(pos)
            for j in range(i - 1, min(len(lines), i - 1 + MAX_CALL_LINES)):
                c = _JS_CRON_TIME.search(lines[j])
                if c:
                    out.append(ScheduleSite("cron job", c.group(2), "node-cron", j + 1))
                    break
            pos = text.find("CronJob.from(", pos + 1)


# `schedule.scheduleJob(jobs['scan'].schedule, () => …)`: a first argument that is no literal
_NS_CONFIGURED = lazy(
    r"(?<![\w$])scheduleJob\([ \t]*+"
    r"([A-Za-z_$][\w$.]{0,100}+(?:\[[^\]\n]{1,100}+\][\w$.]{0,100}+)*+)[ \t]*+,"
)
_NS_LABEL = lazy(r"(?<![\w$])(?:id|name)[ \t]*+:[ \t]*+" + _SPEC + r"\1")
_NS_CALLED = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+){0,3})\(")
_NS_NOT_CALLED = frozenset({"if", "for", "while", "switch", "return", "function", "catch"})
_NS_LOGGERS = frozenset({"log", "logger", "console"})  # a job's log line is not its work
MAX_LABEL_LINES = 10  # lines above a configured `scheduleJob(` read for its object's `id:`


def _configured_node_schedule(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """node-schedule's `scheduleJob(expr, fn)` with a cron the settings give (see module doc)."""
    at = Lines(text)
    for m in _NS_CONFIGURED.finditer(text):
        i = at.at(m.start())
        if len(out) >= MAX_SITES or _js_comment(lines[i - 1]):
            continue
        name = ""
        for j in range(i - 1, max(-1, i - 1 - MAX_LABEL_LINES), -1):
            if j != i - 1 and "scheduleJob(" in lines[j]:
                break  # the job above's object
            label = _NS_LABEL.search(lines[j])
            if label:
                name = label.group(2)
                break
        start = lines[i - 1].find("scheduleJob(") + len("scheduleJob(")
        rest = _call_text(lines, i, start)[len(m.group(0)) - len("scheduleJob(") :]
        called = ""
        for c in _NS_CALLED.finditer(rest):
            word = c.group(1)
            if word not in _NS_NOT_CALLED and word.partition(".")[0] not in _NS_LOGGERS:
                called = word
                break
        name = name or called or "scheduled job"
        out.append(ScheduleSite(name, f"configured ({m.group(1)})", "node-schedule", i, called))


def _repeatable(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    queues = queue_variables(text, lines)
    # lines naming `repeat`, so each `.add(` asks a bisect, not its next lines' text
    repeats = [n for n, line in enumerate(lines) if "repeat" in line] if queues else []
    for i, line in enumerate(lines, 1):
        if len(out) >= MAX_SITES:
            return
        if ".add" in line and queues and not _js_comment(line):
            for m in queue_adds(line):
                if m.group(1) not in queues:
                    continue
                k = bisect_left(repeats, i - 1)
                if k == len(repeats) or repeats[k] >= i - 1 + MAX_CALL_LINES:
                    continue
                args = _call_text(lines, i, m.end())
                r = _JS_REPEAT.search(args)
                when = _when(args[r.end() :]) if r else ""
                if when:
                    first = _JS_FIRST_LIT.match(args)
                    queue = queues[m.group(1)]
                    name = first.group(2) if first else queue
                    out.append(ScheduleSite(name, when, "bull-repeat", i, queue))
        if "upsertJobScheduler(" in line and not _js_comment(line):
            for m in _JS_UPSERT.finditer(line):
                args = _call_text(lines, i, m.end())
                first = _JS_FIRST_LIT.match(args)
                when = _when(args)
                queue = queues.get(m.group(1) or "", "")
                if first and when:
                    out.append(ScheduleSite(first.group(2), when, "bullmq-scheduler", i, queue))
                    continue
                # `upsertJobScheduler(definition.id, { pattern: definition.trigger.cron })`:
                # one scheduler per job a registry defines, each at the cron it declares
                computed = _JS_COMPUTED_SCHEDULER.match(args)
                if computed:
                    name, when = computed.group(1), computed.group(2) or computed.group(3)
                    out.append(ScheduleSite(name, when, "bullmq-scheduler", i, queue))


def _job_library(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """`agenda.every('3 minutes', 'job')`, `boss.schedule('queue', '0 3 * * *')`."""
    at = Lines(text)
    for m in _JS_EVERY.finditer(text):
        recv, verb = m.group(1).lower(), m.group(2)
        i = at.at(m.start())
        if _js_comment(lines[i - 1]):
            continue
        first, literal = m.group(4), m.group(6)
        second = literal or (m.group(7) or "").rpartition(".")[2]
        if "agenda" in recv and verb == "every" and second:
            out.append(ScheduleSite(second, first, "agenda", i, second))
        elif "boss" in recv and verb == "schedule" and literal:
            out.append(ScheduleSite(first, literal, "pg-boss", i, first))


def _indent_unit(lines: list[str]) -> int:
    """The file's indentation step (2 or 4 columns, a tab as 2): the smallest indentation of
    its first lines, so "top level or one level in" reads alike in both styles."""
    unit = 0
    for line in lines[:MAX_INDENT_LINES]:
        if line[:1] in (" ", "\t") and line.strip() and not line.lstrip().startswith("*"):
            width = len(line) - len(line.lstrip())
            width = len(line[:width].expandtabs(2))
            if unit == 0 or width < unit:
                unit = width
    return min(max(unit, 2), 4)


# A class that keeps its one instance (`private static instance`, `static getInstance()`):
# a timer its methods start runs once per process, not once per object.
_SINGLETON = re.compile(
    r"static[ \t]++(?:readonly[ \t]++)?(?:_?instance\b|(?:async[ \t]++)?getInstance[ \t]*+\()"
)


def _intervals(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    unit = _indent_unit(lines)
    if "static" in text and _SINGLETON.search(text) is not None:
        unit = MAX_SINGLETON_DEPTH * unit
    at = Lines(text)
    pos = text.find("setInterval(")
    seen: set[int] = set()
    while pos != -1 and len(out) < MAX_SITES:
        i = at.at(pos)
        pos = text.find("setInterval(", pos + 1)
        if i in seen:
            continue
        seen.add(i)
        m = _JS_INTERVAL.match(lines[i - 1])
        if m is None or len(m.group(1).expandtabs(2)) > unit:
            continue
        args = _JS_INTERVAL_ARGS.match(m.group(2))
        arrow = _JS_ARROW_ARGS.match(m.group(2)) if args is None else None
        if args:
            target, every = args.group(1), args.group(2)
        elif arrow:  # `setInterval(() => void run(Day), Day.ms)` on one line
            target, every = "", arrow.group(1)
        else:
            target, every = "", ""
            for j in range(i, min(len(lines), i + MAX_CALLBACK_LINES)):
                end = _JS_CALLBACK_END.match(lines[j])
                if end and lines[j][: len(m.group(1))] == m.group(1):
                    every = end.group(1)
                    break
        if every:
            out.append(ScheduleSite(target or "setInterval", every.strip(), INTERVAL, i, target))


_JS_CLASS = lazy(r"\A(?:export[ \t]++)?(?:default[ \t]++)?class[ \t]++([A-Za-z_$][\w$]{0,100}+)")
# `this.timer = setInterval(() => this.pollAll(), intervalMillis);`
_JS_WORKER = lazy(
    r"\A[ \t]++this\.[\w$]{1,100}+[ \t]*+=[ \t]*+setInterval\([ \t]*+"
    r"(?:async[ \t]*+)?\([ \t]*+\)[ \t]*+=>[ \t]*+(?:void[ \t]++|await[ \t]++)?"
    r"this\.([A-Za-z_$][\w$]{0,100}+)\([^()\n]{0,200}+\)[ \t]*+,[ \t]*+([^()\n]{1,100}?)[ \t]*+\)"
)
_JS_CONST = lazy(
    r"\A(?:export[ \t]++)?const[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
    r"([\d_ *]{1,60}+)[ \t;]"
)


def _class_workers(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """`this.x = setInterval(() => this.m(), ms)` in a class the file makes once (see the
    module doc); `ms` shown by its value when the file sets it as a number."""
    klass = ""
    consts: dict[str, str] = {}
    for i, line in enumerate(lines, 1):
        if line.startswith(("class", "export", "const")):
            c = _JS_CLASS.match(line)
            if c:
                klass = c.group(1)
                continue
            k = _JS_CONST.match(line)
            if k:
                consts[k.group(1)] = " ".join(k.group(2).split())
            continue
        if not klass or "setInterval(" not in line or len(out) >= MAX_SITES:
            continue
        m = _JS_WORKER.match(line)
        if m is None or f"new {klass}(" not in text:
            continue
        every = m.group(2)
        value = consts.get(every)
        when = f"every {value} ms ({every})" if value else f"every {every}"
        out.append(ScheduleSite(f"{klass}.{m.group(1)}", when, WORKER, i, m.group(1)))


_CRONER = lazy(r"(?<![\w$.@])(?:new[ \t]++)?Cron\([ \t]*+" + _SPEC + r"\1")
_LAST_NAME = lazy(r"(?<![\w$.])([A-Za-z_$][\w$.]{0,100}+)[ \t\n]*+\Z")


def _croner(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """croner's `Cron('…', [options,] fn)`: named by `fn` when it is a name."""
    at = Lines(text)
    for m in _CRONER.finditer(text):
        i = at.at(m.start())
        if len(out) >= MAX_SITES or _js_comment(lines[i - 1]):
            continue
        start = lines[i - 1].find("(", lines[i - 1].find("Cron")) + 1
        args = _call_text(lines, i, start) if start else ""
        last = args.rpartition(",")[2] if "," in args else ""
        name = _LAST_NAME.search(last) if "=>" not in last and "{" not in last else None
        target = name.group(1) if name else ""
        out.append(ScheduleSite(target or "cron job", m.group(2), "croner", i, target))


_TOAD_JOB = lazy(
    r"new[ \t]++(SimpleIntervalJob|LongIntervalJob|CronJob)\([ \t]*+\{([^}\n]{1,200}+)\}"
    r"[ \t]*+,[ \t]*+([A-Za-z_$][\w$]{0,100}+)"
)
_TOAD_TASK = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+new[ \t]++(?:Async)?Task\([ \t]*+"
    + _SPEC
    + r"\2"
)
_TOAD_CRON = lazy(r"cronExpression[ \t]*+:[ \t]*+" + _SPEC + r"\1")


def _toad(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """toad-scheduler's jobs: each runs a task, named by the id its `new Task('id', …)` gives."""
    tasks = {m.group(1): m.group(3) for m in _TOAD_TASK.finditer(text)}
    at = Lines(text)
    for m in _TOAD_JOB.finditer(text):
        i = at.at(m.start())
        if len(out) >= MAX_SITES or _js_comment(lines[i - 1]):
            continue
        cron = _TOAD_CRON.search(m.group(2))
        when = cron.group(2) if cron else "every " + " ".join(m.group(2).split())
        task = m.group(3)
        out.append(ScheduleSite(tasks.get(task, task), when, "toad-scheduler", i, task))


_JS_TIMEOUT = re.compile(
    r"(?<![\w$.])setTimeout\([ \t]*+([A-Za-z_$][\w$]{0,100}+)[ \t]*+,[ \t]*+([^)\n]{1,100}?)"
    r"[ \t]*+\)"
)
_JS_TIMEOUT_ARROW = re.compile(
    r"(?<![\w$.])setTimeout\([ \t]*+(?:async[ \t]*+)?(?:\([^)\n]{0,100}+\)|[A-Za-z_$][\w$]{0,100}+)"
    r"[ \t]*+=>[ \t]*+\{[ \t]*+$"
)
# `function poll(`, `async function poll(`, `const poll = async () =>`, `poll = function (`,
# a class method `async poll() {`.
_JS_HOLDER = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:async[ \t]++)?(?:function\*?[ \t]++([A-Za-z_$][\w$]{0,100}+)"
    r"|(?:(?:const|let|var)[ \t]++)?([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+(?:async[ \t]*+)?"
    r"(?:function\b|\([^)\n]{0,200}+\)[ \t]*+=>|[A-Za-z_$][\w$]{0,100}+[ \t]*+=>)"
    r"|(?:(?:public|private|protected|static)[ \t]++)*([A-Za-z_$][\w$]{0,100}+)[ \t]*+"
    r"\([^)\n]{0,200}+\)[ \t]*+(?::[^{\n]{0,100}+)?\{)"
)
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "function", "return"})


def _timeout_loops(text: str, lines: list[str], out: list[ScheduleSite]) -> None:
    """`setTimeout(poll, ms)` inside `poll` itself: a loop that runs every `ms`."""
    at = Lines(text)
    arrows = 0
    pos = text.find("setTimeout(")
    while pos != -1 and len(out) < MAX_SITES:
        i = at.at(pos)
        end = text.find("\n", pos)  # each line once, however many calls it holds
        pos = -1 if end == -1 else text.find("setTimeout(", end)
        line = lines[i - 1]
        m = _JS_TIMEOUT.search(line)
        arrow = None
        if m is None and arrows < MAX_ARROW_TIMEOUTS:
            arrow = _JS_TIMEOUT_ARROW.search(line)
            arrows += arrow is not None
        if (m is None and arrow is None) or _js_comment(line):
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        closed = indent  # the least indentation of a `}` above: what it closes is no holder
        for j in range(i - 2, max(-1, i - 2 - MAX_CALLBACK_LINES), -1):
            width = len(lines[j]) - len(lines[j].lstrip(" \t"))
            if lines[j].lstrip().startswith("}"):
                closed = min(closed, width)
            h = _JS_HOLDER.match(lines[j])
            holder = (h.group(1) or h.group(2) or h.group(3)) if h else ""
            if not holder or holder in _NOT_METHODS:
                continue
            if width >= closed:
                continue  # a function nested beside the call (or closed above it), not around it
            if m is not None and holder == m.group(1):
                every = m.group(2).strip()
                out.append(ScheduleSite(holder, every, TIMEOUT_LOOP, i, holder))
            elif m is None:
                every = _rearmed_by(lines, i, line[:indent], holder)
                if every:
                    out.append(ScheduleSite(holder, every, TIMEOUT_LOOP, i, holder))
            break


def _rearmed_by(lines: list[str], i: int, indent: str, holder: str) -> str:
    """`setTimeout(() => { …; work().finally(tick) }, ms)` opened on line `i` inside `tick`:
    the delay when the callback names `holder` again (it schedules itself), else ""."""
    again = re.compile(r"(?<![\w$])" + re.escape(holder) + r"(?![\w$])")
    for j in range(i, min(len(lines), i + MAX_CALLBACK_LINES)):
        end = _JS_CALLBACK_END.match(lines[j])
        if end and lines[j].startswith(indent + "}"):  # the callback closes at the call's
            return end.group(1).strip() if any(again.search(x) for x in lines[i:j]) else ""
    return ""


_JS_CRON_GETTER = lazy(
    r"\A[ \t]*+(?:(?:public|protected|static|override)[ \t]++)*(?:get[ \t]++)?cron\(\)"
)
_JS_TASK_INTERVAL = lazy(r"\A[ \t]*+interval[ \t]*+:[ \t]*+([^,\n]{1,100}+)")
_JS_CLASS = lazy(r"(?<![\w$])class[ \t]++([A-Za-z_$][\w$]{0,100}+)")
MAX_GETTER_LINES = 6  # lines from `get cron() {` to its `interval:`


def _task_cron(lines: list[str], out: list[ScheduleSite]) -> None:
    """`get cron() { return { interval: TaskInterval.Hour } }` in a task class."""
    holder = ""
    for i, line in enumerate(lines, 1):
        if len(out) >= MAX_SITES:
            return
        if "class" in line:
            c = _JS_CLASS.search(line)
            holder = c.group(1) if c else holder
        if "cron()" not in line or not holder or _JS_CRON_GETTER.match(line) is None:
            continue
        for j in range(i, min(len(lines), i + MAX_GETTER_LINES)):
            m = _JS_TASK_INTERVAL.match(lines[j])
            if m is not None:
                out.append(ScheduleSite(holder, m.group(1).strip(), "task-cron", j + 1, holder))
                break
