"""The patterns and tables of the Python hand-off scan (`handoffs_python`), split from it.

Every pattern is anchored or literal-first, its repeats bounded, so a long line cannot make
it backtrack (lines are cut at `MAX_LINE` characters first, `_cut`).
"""

from __future__ import annotations

import re

from bot.core.lazy_pattern import lazy

MAX_LINE = 2_000  # characters of a line that patterns look at

# The mechanism of a producer whose library the file does not show (`send_welcome.send(…)`
# with the actor imported from its module, `led.delay(0.5)`): kept, under its consumer's
# mechanism, only when a consumer of that name is found (`movement.confirm_producers`).
UNCONFIRMED = "unconfirmed"
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
    # a task object's other ways to start it (a task processor's thread, taskiq,
    # procrastinate): kept only when `handoff_decorated` finds the task's `def`
    "run_in_thread": UNCONFIRMED,
    "kiq": UNCONFIRMED,
    "defer_async": UNCONFIRMED,
}
_JOB_BASES = re.compile(r"(?:Job|JobRunner|Worker)\Z")
_TASK_WORDS = ("task", "Task", "celery", "job", "actor", "huey")
_PY_TARGET = re.compile(r"\A[A-Za-z_][\w.]{0,200}+\Z")
_PY_QUEUE_CALL = re.compile(
    r"get_queue\([^()\n]{0,200}+\)\.enqueue(?:_call)?\([ \t]*+(?:func[ \t]*=[ \t]*)?"
    r"([A-Za-z_][\w.]{0,200}+)"
)
_PY_INSTANCE_CALL = re.compile(r"(?<![\w.])([A-Z]\w{0,100}+)\(\)\.(?:delay|apply_async)\(")
# At a line's start (a class attribute), not in a comment or a docstring's prose.
_PY_ARQ_FUNCTIONS = lazy(
    r"^[ \t]*+functions[ \t]*+(?::[^=\n]{0,200}+)?=[ \t]*+\[([^\]]{0,2000}+)\]", re.M
)
_PY_ARQ_ITEM = lazy(r"\A(?:func\([ \t]*+)?([A-Za-z_]\w{0,100}+)")
MAX_ARQ_FUNCTIONS = 200
_PY_ENQUEUE_JOB = re.compile(r"\.enqueue_job\([ \t]*+['\"](\w{1,200}+)['\"]")


def _last(name: str) -> str:
    return re.split(r"[.:]", name.strip("'\""))[-1] if name else ""


_PY_DECORATOR = re.compile(r"\A[ \t]*+@([A-Za-z_][\w.]{0,200})[ \t]*(\(.{0,400})?\Z")
_PY_DEF = re.compile(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w*)")
_PY_CLASS = re.compile(r"\A[ \t]*+class[ \t]++([A-Za-z_]\w*+)[ \t]*+\(([^)\n]{0,400})\)")
_PY_ASSIGN = re.compile(
    r"\A[ \t]*+([A-Za-z_][\w.]{0,200})[ \t]*=[ \t]*([A-Za-z_][\w.]{0,200})\((.{0,400}?)\)"
    r"[ \t]*\([ \t]*([A-Za-z_][\w.]{0,200})[ \t]*\)"
)
_PY_CALL = re.compile(
    r"([A-Za-z_][\w.]{0,200})\.(delay|apply_async|si?|send_with_options|send|schedule"
    r"|run_in_thread|kiq|defer_async"
    r"|enqueue(?:_call|_in|_at|_once)?|publish|subscribe)\("
    r"[ \t]*(?:(['\"])([\w.:/\-]{1,200})\3|(?:func[ \t]*=[ \t]*)?([A-Za-z_][\w.]{0,200}))?"
)
_PY_FUNC_CALL = re.compile(
    r"(?<!\w)(send_task|async_task)\([ \t]*"
    r"(?:(['\"])([\w.:\-]{1,200})\2|([A-Za-z_][\w.]{0,200}))"
)
# `\b` written after "name" (`(?<!\wname)`): a leading `\b` made the engine try every position.
_PY_NAME_KW = re.compile(
    r"name(?<!\wname)[ \t]*=[ \t]*(?:(['\"])([\w.:\-]{1,200})\1|([A-Za-z_]\w*))"
)
_PY_FIRST_ARG = re.compile(r"\A\([ \t]*+(?:(['\"])([\w.:\-]{1,200})\1|([A-Za-z_][\w.]*+))")
# A project's own job registry (`@job("refresh")` over a function): its jobs are made as
# `Job("refresh", ...)`, `Job(name="refresh", ...)` or `Job(INSTALL_JOB, ...)`, the name on
# the line or the next ones. Such a site counts only when a consumer answers to the name
# (`movement.pair_handoffs` drops a "job-registry" producer alone).
_PY_JOB_MADE = re.compile(r"(?<![\w.])Job\(")
_PY_JOB_NAME_KW = re.compile(r"(?<!\w)name[ \t]*=[ \t]*(['\"])([\w.:\-]{1,200})\1")
# Matched on a stripped argument text: no leading run of blanks to rescan.
_PY_JOB_FIRST = re.compile(r"(?:(['\"])([\w.:\-]{1,200})\1|([A-Z][A-Z0-9_]{0,100}+)(?![\w(.]))")
MAX_JOB_LINES = 3  # lines after `Job(` searched for its name


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
_PY_ADD_TASK = lazy(r"\.add_task\([ \t]*+([A-Za-z_][\w.]{0,200}+)[ \t]*+[,)]")
_PY_SUBMIT = re.compile(r"\.submit\([ \t]*+(?:self\.)?([A-Za-z_]\w{0,100}+)[ \t]*+[,)]")
# Producers whose function is a producer API (`def launch_task(self, name)` enqueues):
# its callers produce too (`handoff_links`). A Celery signature or a registry's `Job(...)`
# is too weak alone, a thread pool is in-process.
_WRAPPABLE = frozenset({"celery", "rq", "huey", "dramatiq", "django-q", "redis-pubsub"})
# A method named like the library's own verbs (`enqueue_once` on a job class) is the
# library's shape, not a wrapper: its parameters are no job names. A module function so
# named for what it enqueues (`enqueue_report(report)`) is a wrapper; one named the verb
# alone (`def delay(...)`) is not.
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


# `from app.jobs import (refresh as refresh_job, …)`: one name and its alias of an import.
_PY_IMPORT_START = re.compile(r"\A[ \t]*+(?:from[ \t]++[\w.]{1,200}+[ \t]++)?import[ \t]")
_PY_ALIAS = re.compile(r"(?<![\w.])([A-Za-z_]\w{0,100}+)[ \t]++as[ \t]++([A-Za-z_]\w{0,100}+)")
MAX_IMPORT_LINES = 50  # lines of one parenthesised import read for aliases


def imported_aliases(lines: list[str]) -> dict[str, str]:
    """alias -> name for every `name as alias` of the file's import statements (one-line,
    or parenthesised over at most `MAX_IMPORT_LINES` lines)."""
    out: dict[str, str] = {}
    open_for = 0  # lines left of a parenthesised import
    for line in lines:
        code = line.split("#", 1)[0]
        if open_for:
            open_for -= 1
            if ")" in code:
                open_for = 0
                code = code.partition(")")[0]
        elif _PY_IMPORT_START.match(code):
            if "(" in code and ")" not in code:
                open_for = MAX_IMPORT_LINES
        else:
            continue
        if " as " in code:
            for m in _PY_ALIAS.finditer(code):
                out[m.group(2)] = m.group(1)
    return out
