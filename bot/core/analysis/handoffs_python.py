"""Python hand-off sites in one file, by a line scan (split from `handoffs`).

Celery, huey, RQ, Dramatiq, Django-Q, arq, Redis pub/sub, FastAPI background tasks, thread
pools, job classes and a project's own job registry; `handoffs` has the list of what
counts. The gate and the needles are in `handoffs_python_gate`, the patterns in
`handoffs_python_patterns`.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_python_gate import (
    _PY_CALL_WORDS,
    _job_word_may_find,
    _py_positions,
    _python_triggered,
    docstring_lines,
)
from bot.core.analysis.handoffs_python_patterns import (
    _COMMON_METHODS,
    _JOB_BASES,
    _NOT_WRAPPERS,
    _PY_ADD_TASK,
    _PY_ARQ_FUNCTIONS,
    _PY_ARQ_ITEM,
    _PY_ASSIGN,
    _PY_CALL,
    _PY_CLASS,
    _PY_DECORATOR,
    _PY_DEF,
    _PY_ENQUEUE_JOB,
    _PY_FIRST_ARG,
    _PY_FUNC_CALL,
    _PY_INSTANCE_CALL,
    _PY_JOB_FIRST,
    _PY_JOB_MADE,
    _PY_JOB_NAME_KW,
    _PY_NAME_KW,
    _PY_PRODUCE,
    _PY_QUEUE_CALL,
    _PY_SUBMIT,
    _PY_TARGET,
    _PY_TASK_DECORATORS,
    _PY_TEMPLATE,
    _TASK_WORDS,
    _WRAPPABLE,
    MAX_ARQ_FUNCTIONS,
    MAX_DECORATED,
    MAX_JOB_LINES,
    UNCONFIRMED,
    _arg_start,
    _cut,
    _last,
    _template,
    imported_aliases,
)
from bot.core.analysis.py_defs import DefIndex
from bot.core.analysis.scan import Lines
from bot.core.model import HandoffSite


def python_scan(text: str) -> list[HandoffSite]:
    """Python hand-off sites, unsorted, by a line scan (an `ast` walk cost ~4x the file's
    extraction on Django projects). Comment lines are skipped; a docstring line that reads
    like an enqueue is taken for one, which is rare and shows as "no consumer found"."""
    if not _python_triggered(text) or not _job_word_may_find(text):
        return []
    return _PyScan(text).sites()


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
        self._renamed: dict[str, str] | None = None
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
    def renamed(self) -> dict[str, str]:
        """Names imported under another (`from app.jobs import refresh as refresh_job`):
        the alias -> the name the job is defined under, which its consumer carries."""
        if self._renamed is None:
            self._renamed = imported_aliases(self.lines) if " as " in self.text else {}
        return self._renamed

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
            if d is None or d.name.startswith("__"):
                continue
            if d.name.startswith(_NOT_WRAPPERS) and (d.method or d.name in _NOT_WRAPPERS):
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
            named = self.renamed.get(named, named)
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
            original = self.renamed.get(name, name)
            via = (name,) if original != name else ()  # the line says the alias
            self.out.append(HandoffSite("produce", mech, original, line, via))
