"""Rake tasks a clock runs: the tasks of a `namespace` whose name says it is scheduled
(`namespace :schedule do`, `:cron`, `:scheduler`, `:nightly`…). Pure: text in, `ScheduleSite`s
out (`schedules` dispatches here for Ruby files).

Such tasks are run by a scheduler outside the repository (Heroku Scheduler, a crontab on the
host, a CI schedule): the namespace's name is the only evidence, so the cadence is not claimed
— unless the name is one (`:hourly`, `:daily`) or the task itself skips other weekdays
(`next unless Date.today.tuesday?`). A task whose body does nothing (only comments, or a bare
`next`/`return` first) is no schedule. Blocks are followed by indentation: a rake file's
`namespace`/`task` … `end` are written at one indent, which keeps the scan linear.
"""

from __future__ import annotations

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_DEPTH = 20  # nested namespaces followed
MECHANISM = "rake"
EXTERNAL = "run by an external scheduler; cadence not in the repository"

# Words of a namespace's name (split at `_`/`-`) saying its tasks run on a clock.
_CLOCK_WORDS = frozenset(
    {
        "schedule",
        "scheduled",
        "scheduler",
        "cron",
        "crons",
        "cronjob",
        "cronjobs",
        "periodic",
        "recurring",
        "clock",
    }
)
_CADENCE_WORDS = frozenset({"hourly", "daily", "nightly", "weekly", "monthly"})
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_NAMESPACE = lazy(r"\A([ \t]*+)namespace[ \t(]++[:\"']([\w\-]{1,100}+)[\"']?[ \t)]*+do\b")
# `task name: :environment do`, `task :name => [...] do`, `task "name" do`, `task(:name) do`.
_TASK = lazy(
    r"\A([ \t]*+)task[ \t(]++"
    r"(?::([\w\-]{1,100}+)|[\"']([\w\-]{1,100}+)[\"']|([\w\-]{1,100}+):)"
)
_END = lazy(r"\A([ \t]*+)end\b")
_WEEKDAY_GUARD = lazy(r"\A[ \t]*+(?:next|return)[ \t]++unless[ \t]++([\w:.]{1,100}+)\?")
_NOTHING = lazy(r"\A[ \t]*+(?:next|return)[ \t]*+\Z")


def _words(name: str) -> set[str]:
    return set(name.lower().replace("-", "_").split("_"))


def rake_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if not contains(text, "namespace") or not contains(text, "task"):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[ScheduleSite] = []
    spaces: list[tuple[int, str, str]] = []  # (indent, name, cadence) of the open namespaces
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        closing = _END.match(line) is not None
        while spaces and (indent < spaces[-1][0] or (indent == spaces[-1][0] and not closing)):
            spaces.pop()  # code left of (or beside) the namespace line: its block is over
        if closing and spaces and indent == spaces[-1][0]:
            spaces.pop()
            continue
        if stripped.startswith("namespace"):
            n = _NAMESPACE.match(line)
            if n and len(spaces) < MAX_DEPTH:
                words = _words(n.group(2))
                parent = spaces[-1][2] if spaces else ""
                cadence = next(iter(sorted(words & _CADENCE_WORDS)), "")
                clock = cadence or (EXTERNAL if words & _CLOCK_WORDS else parent)
                spaces.append((len(n.group(1)), n.group(2), clock))
            continue
        if not spaces or not spaces[-1][2] or not stripped.startswith("task"):
            continue
        t = _TASK.match(line)
        if t is None or (not line.rstrip().endswith(("do", "|")) and " do " not in line):
            continue
        name = ":".join([*(s[1] for s in spaces), t.group(2) or t.group(3) or t.group(4)])
        first = _first_statement(lines, i, len(t.group(1)))
        if first is None or _NOTHING.match(first):
            continue
        when = spaces[-1][2]
        g = _WEEKDAY_GUARD.match(first)
        day = g.group(1).rpartition(".")[2] if g else ""
        if day in _DAYS:
            when = f"{day.capitalize()}s only (the task checks the day); {when}"
        out.append(ScheduleSite(name, when, MECHANISM, i, f"rake {name}"))
    return tuple(out)


def _first_statement(lines: list[str], at: int, indent: int) -> str | None:
    """The task's first line of code, None when its block ends first (or the file does)."""
    for k in range(at, len(lines)):  # (no slice: a copy of the rest for every task)
        line = lines[k]
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(stripped) <= indent:
            return None  # the task's `end` (or the next statement): an empty body
        return line
    return None
