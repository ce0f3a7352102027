"""Python schedules declared in one file, by a line scan of the files a trigger names (an
`ast` parse of a few large settings and test files cost ~a quarter of a Django project's
extraction). Pure: text in, `ScheduleSite`s out (`schedules` dispatches here).

* Celery beat entries (`"task": "a.b.c"` in a file that builds a beat schedule: `app.conf.
  beat_schedule`, `CELERY_BEAT_SCHEDULE`, a config module's `beat_schedule`), `sender.
  add_periodic_task(when, f.s(...))` (its first argument read to its closing parenthesis),
  django-celery-beat `PeriodicTask.objects.create(..., task="a.b.c")` in code or migrations.
* `@periodic_task`/`@db_periodic_task` (huey, old Celery), decorators given an `interval`/
  `run_every`/`cron`/`periodic` keyword (periodiq), APScheduler's `@scheduled_job(...)` and
  `add_job(f, "cron"|"interval"|CronTrigger(...))`, `enqueue_once(..., interval=)`.
* rq-scheduler `scheduler.cron("…", func=f)` / `scheduler.schedule(..., func=f, interval=)`,
  Django-Q `schedule("a.b.f", schedule_type=...)` / `Schedule.objects.create(func="a.b.f")`,
  arq `cron(f, ...)` in a file with `cron_jobs`, `schedule.every(…).do(f)`.
* A function that re-arms a `threading.Timer` on itself; the receivers of a periodic signal
  (`@receiver(hourly)`) and the functions a bare `@periodic` decorator registers, fired by
  one command that cron runs: each is a schedule at its decorator line.

Each call's arguments are read at most `MAX_CALL_LINES` lines on, by `split_args`.
"""

from __future__ import annotations

import re

from bot.core.analysis.handoffs_python_gate import docstring_lines
from bot.core.analysis.py_defs import closing_paren, split_args
from bot.core.analysis.words import Needles, Parts, words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_CALL_LINES = 8  # lines a scheduling call's arguments may span
MAX_CALL_TEXT = 1_200  # characters of them read


def _short(value: str, limit: int = 120) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _sorted(sites: list[ScheduleSite]) -> tuple[ScheduleSite, ...]:
    return tuple(sorted(set(sites), key=lambda s: (s.name, s.schedule, s.mechanism, s.line)))


# Only files holding one of these are scanned (each is a pass over every Python file, and
# a shorter needle such as "chedul" lets in files that only talk about schedulers).
_PY_TRIGGERS = (
    "crontab(",
    "beat_schedule",
    "BEAT_SCHEDULE",
    "eriodic",  # periodic_task, db_periodic_task, periodiq's `periodic=`, `PeriodicTask`
    "interval=",
    "run_every",
    "add_job(",
    "Trigger(",  # APScheduler's trigger objects handed to a project's own scheduling call
    "scheduled_job(",
    "schedule.every",
    "repeat_every",
    "Timer(",
    "@receiver(",
    "BaseCommand",
)
# One literal-first pass for Django-Q's `schedule_type`, arq's `cron_jobs`, rq-scheduler.
_PY_TRIGGER_UNDERSCORE = re.compile(r"_(?:type(?<=schedule_type)|jobs(?<=cron_jobs)|scheduler)")
_PY_ANY_TRIGGER = Needles(_PY_TRIGGERS)
_PY_UNDERSCORE_WORDS = Parts("schedule_type", "cron_jobs", "_scheduler")  # what it needs


def python_triggered(text: str) -> bool:
    """Whether `text` may declare a schedule this module reads."""
    return _PY_ANY_TRIGGER.any_in(text) or (
        words_of(text).has_any(_PY_UNDERSCORE_WORDS)
        and _PY_TRIGGER_UNDERSCORE.search(text) is not None
    )


_PY_KEYWORDS = ("interval", "run_every", "cron", "crontab", "schedule")


def python_schedules(text: str) -> tuple[ScheduleSite, ...]:
    """Python schedules by a line scan of the files a trigger names (an `ast` parse of a
    few large settings and test files cost ~a quarter of a Django project's extraction)."""
    if not python_triggered(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    beat = "beat" in text.lower() or "crontab(" in text
    quoted = docstring_lines(text)
    # The scheduling calls' literals this file holds: a line is searched for a call only
    # when it holds one (a search of every line of a settings file cost more than the scan).
    calls = tuple(n for n in _CALL_NEEDLES if n in text)
    command = "BaseCommand" in text  # a management command: cron runs it
    rq_jobs = "rq_scheduler" in text and "func" in text
    out: list[ScheduleSite] = []
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#") or i in quoted:
            continue
        if beat and "task" in line:
            m = _PY_BEAT_TASK.search(line)
            if m:
                when = _near(lines, i, _PY_BEAT_SCHEDULE) or "celery beat"
                out.append(
                    ScheduleSite(m.group(2).rpartition(".")[2], when, "celery-beat", i, m.group(2))
                )
                continue
        if stripped.startswith("@"):
            d = _PY_SCHED_DECORATOR.match(line)
            marked = _marked_periodic(lines, i, line)
            if marked is not None:
                out.append(marked)
            elif d:
                name = d.group(1).rpartition(".")[2]
                args = _decorator_args(lines, i, d.group(2))
                # fastapi-utils' `@repeat_every(seconds=…)`, Celery's periodic tasks, a task
                # processor's `@register_recurring_task(run_every=…)`, …
                periodic = "periodic" in name or _sched_word(name)
                if periodic or name in _SCHED_NAMES or _PY_WHEN.search(args):
                    target = _next_def(lines, i)
                    if target:
                        kind = "periodic-task" if "periodic" in name else name
                        out.append(
                            ScheduleSite(target, _short(args, 80), kind, target_line(lines, i))
                        )
            continue
        if "(" in line and _SCHED_WORD.search(line) is not None:
            wrapped = _wrapping_schedule(lines, i, line)
            if wrapped is not None:
                out.append(wrapped)
                continue
        # Each pattern only where its literal is: a search from every position of a line
        # that cannot match costs more than the rest of the scan.
        m2 = _PY_INTERVAL_CALL.search(line) if ".enqueue" in line and "interval" in line else None
        if m2:
            out.append(
                ScheduleSite(m2.group(1).rpartition(".")[2], _short(m2.group(2), 80), "interval", i)
            )
            continue
        if "schedule.every(" in line:
            e = _PY_EVERY.search(line)
            if e:
                name = _job(e.group("name"))
                out.append(ScheduleSite(name, _short(e.group("when"), 80), "schedule", i))
                continue
        if command and ".send" in line:
            fired = _PY_SIGNAL_SENT.search(line.split("#", 1)[0])
            if fired is not None and _PERIODIC_WORD.search(fired.group(1)):
                signal = fired.group(1)
                out.append(ScheduleSite(signal, "a command sends it", "periodic-signal", i, signal))
                continue
        if "Timer(" in line:
            timer = _rearmed_timer(lines, i, line)
            if timer is not None:
                out.append(timer)
                continue
        if rq_jobs and "func" in line:
            job = _rq_job_entry(lines, i, line)
            if job is not None:
                out.append(job)
                continue
        if calls and any(n in line for n in calls):
            # not a call named in a comment after the code
            site = _call_schedule(lines, i, line.split("#", 1)[0], text)
            if site is not None:
                out.append(site)
                continue
        if "Trigger(" in line:
            site = _trigger_argument(lines, i, line.split("#", 1)[0])
            if site is not None:
                out.append(site)
    return _sorted(out)


_PY_BEAT_TASK = re.compile(r"([\"'])task\1\s*:\s*[\"']([\w.]{1,200})[\"']")
_PY_BEAT_SCHEDULE = re.compile(r"[\"']schedule[\"']\s*+:\s*+(.{1,120}?)\s*+,?\s*+\Z")
_PY_SCHED_DECORATOR = re.compile(r"\A\s*+@([\w.]{1,200})\((.{0,300})\Z")
_PY_WHEN = re.compile(r"\b(?:interval|run_every|cron|crontab|schedule|periodic)\s*=|crontab\(")
_PY_DEF_OR_CLASS = re.compile(r"\A\s*+(?:async\s++)?(?:def|class)\s++([A-Za-z_]\w*)")
_PY_INTERVAL_CALL = re.compile(
    r"([\w.]{1,200})\.enqueue(?:_once)?\(.{0,300}?\binterval\s*=\s*([^,)]{1,120})"
)
_PY_EVERY = lazy(r"(?P<when>schedule\.every\(.{0,120}?)\.do\(\s*(?P<name>[\w.]{1,200})")


def _near(lines: list[str], line_no: int, pattern: re.Pattern[str]) -> str:
    """The first match of `pattern` within three lines of `line_no` (a beat entry's keys)."""
    for j in range(max(0, line_no - 4), min(len(lines), line_no + 3)):
        m = pattern.search(lines[j])
        if m:
            return _short(m.group(1), 80)
    return ""


def _next_def(lines: list[str], line_no: int) -> str:
    for j in range(line_no, min(len(lines), line_no + 12)):
        m = _PY_DEF_OR_CLASS.match(lines[j])
        if m:
            return m.group(1)
    return ""


def target_line(lines: list[str], line_no: int) -> int:
    """The line of the `def`/`class` a decorator at `line_no` decorates."""
    for j in range(line_no, min(len(lines), line_no + 12)):
        if _PY_DEF_OR_CLASS.match(lines[j]):
            return j + 1
    return line_no


def _args(text: str) -> str:
    """A decorator's arguments as written on its line, without the closing parenthesis."""
    text = text.strip()
    return text[:-1].strip() if text.endswith(")") else text


def _decorator_args(lines: list[str], i: int, first: str) -> str:
    """A decorator's arguments, without the closing parenthesis: on its line, or read over
    at most `MAX_CALL_LINES` lines when they go on (`@task(\n    run_every=…,\n)`)."""
    if closing_paren(first, 0) is not None or i >= len(lines):
        return _args(first)
    text = "\n".join([first, *lines[i : i + MAX_CALL_LINES - 1]])[:MAX_CALL_TEXT]
    return ", ".join(split_args(text))


# A decorator or registering call whose name says it repeats: `periodic_task`,
# `register_recurring_task`, `cron_job`. Why generic: such a name is the library's (or the
# project's) own statement that the function runs on a clock, whatever the library.
_SCHED_WORD = re.compile(r"(?i:periodic|recurring|cron)")
_SCHED_PART = frozenset({"periodic", "recurring", "cron", "crontab"})


def _sched_word(name: str) -> bool:
    """Whether a part of the snake_case `name` says it repeats."""
    return not _SCHED_PART.isdisjoint(name.lower().split("_"))


# `register_recurring_task(run_every=…)(fn)`, the decorator applied by a call (over several
# lines): the schedule is `fn`'s, cited at the call.
_PY_REGISTER_CALL = lazy(r"(?:[A-Za-z_]\w{0,100}+[ \t]*+=[ \t]*+)?([A-Za-z_][\w.]{0,200}+)\(")
_PY_APPLIED = lazy(r"\([ \t\n]*+([A-Za-z_][\w.]{0,200}+)[ \t\n]*+,?[ \t\n]*+\)")


def _wrapping_schedule(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    code = line.lstrip()
    m = _PY_REGISTER_CALL.match(code)
    if m is None:
        return None
    callee = m.group(1).rpartition(".")[2]
    if not _sched_word(callee):
        return None
    text = "\n".join([code[m.end() :], *lines[i : i + MAX_CALL_LINES - 1]])[:MAX_CALL_TEXT]
    end = closing_paren(text, 0)
    after = end + 1 if end is not None else 0
    while after < len(text) and text[after] in " \t":
        after += 1  # the blanks before the applied call's "(": the pattern starts at it
    applied = _PY_APPLIED.match(text, after) if end is not None else None
    if end is None or applied is None:
        return None
    when = ", ".join(split_args(text)) or callee
    return ScheduleSite(applied.group(1).rpartition(".")[2], _short(when, 80), callee, i)


# Decorators that schedule by their name alone: fastapi-utils, APScheduler.
_SCHED_NAMES = frozenset({"repeat_every", "scheduled_job"})
# A scheduling call, where its "(" is: (what it is, the literal it needs in the file).
_PY_SCHED_CALL = re.compile(
    r"(?:(?<=\.)(?P<dot>add_periodic_task|add_job|cron|schedule)|(?<![\w.])(?P<bare>schedule|cron)"
    r"|(?P<model>PeriodicTask|Schedule)\.objects\.(?:create|get_or_create|update_or_create))\("
)
_CALL_NEEDLES = (
    *("add_periodic_task(", "add_job(", "cron(", "schedule(", "Task.objects."),
    "Schedule.objects.",
)
_IDENT = lazy(r"\A([A-Za-z_][\w.]{0,200}+)")
_KW = lazy(r"\A([A-Za-z_]\w{0,60}+)[ \t]*+=(?!=)[ \t]*+(.{0,600})\Z", re.S)
_DOTTED = lazy(r"\A[\"']([\w.]{1,200}+)[\"']\Z")
_TASK_KEY = lazy(r"[\"']?task[\"']?[ \t]*+[:=][ \t]*+[\"']([\w.]{1,200}+)[\"']")
_LIBRARY_VERBS = (".send", ".delay", ".s", ".si", ".apply_async")


def _job(name: str) -> str:
    """`digest.send` / `ping.s` as `digest`: the job, not the library's verb."""
    for verb in _LIBRARY_VERBS:
        if name.endswith(verb) and len(name) > len(verb):
            name = name[: -len(verb)]
            break
    return name.rpartition(".")[2]


def _call_args(lines: list[str], i: int, start: int) -> tuple[list[str], dict[str, str]]:
    """The positional and keyword arguments of the call whose "(" ends at `start` on line
    `i`, read over at most `MAX_CALL_LINES` lines."""
    text = "\n".join([lines[i - 1][start:], *lines[i : i + MAX_CALL_LINES - 1]])
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for a in split_args(text[:MAX_CALL_TEXT]):
        kw = _KW.match(a)
        if kw is not None:
            keywords[kw.group(1)] = kw.group(2).strip()
        else:
            positional.append(a)
    return positional, keywords


def _call_schedule(lines: list[str], i: int, line: str, text: str) -> ScheduleSite | None:
    """A schedule made by a call on line `i` (the first one the line holds)."""
    if "(" not in line:
        return None
    m = _PY_SCHED_CALL.search(line)
    if m is None:
        return None
    pos, kws = _call_args(lines, i, m.end())
    what = m.group("dot") or m.group("bare") or m.group("model")
    if what == "add_periodic_task" and len(pos) >= 2:  # Celery: (when, signature)
        name = _IDENT.match(pos[1])
        if name:
            return ScheduleSite(_job(name.group(1)), _short(pos[0], 80), "celery-beat", i)
    elif what == "add_job":  # APScheduler: (func, trigger, **trigger_args)
        func = kws.get("func") or (pos[0] if pos else "")
        trigger = kws.get("trigger") or (pos[1] if len(pos) > 1 else "")
        name = _IDENT.match(func)
        if name and ("cron" in trigger.lower() or "interval" in trigger.lower()):
            rest = ", ".join(f"{k}={v}" for k, v in kws.items() if k not in ("func", "trigger"))
            when = _short(f"{trigger}, {rest}" if rest else trigger, 80)
            return ScheduleSite(_job(name.group(1)), when, "apscheduler", i)
    elif what in ("cron", "schedule") and m.group("dot"):
        # rq-scheduler: `scheduler.cron("0 * * * *", func=f)`, `.schedule(..., func=f,
        # interval=60)`; only in a file that names it (`.schedule(` is huey's enqueue too).
        if "rq_scheduler" not in text and "get_scheduler" not in text:
            return None
        func = kws.get("func", "")
        name = _IDENT.match(func)
        when = pos[0] if what == "cron" and pos else kws.get("interval", "")
        if name and when:
            return ScheduleSite(_job(name.group(1)), _short(when, 80), "rq-scheduler", i)
    elif what == "schedule":  # Django-Q: schedule("a.b.f", schedule_type=...)
        dotted = _DOTTED.match(pos[0]) if pos and "django_q" in text else None
        if dotted:
            when = kws.get("schedule_type") or kws.get("cron") or "schedule"
            return _dotted(dotted.group(1), when, "django-q", i)
    elif what == "cron":  # arq: cron(f, hour=…) in a worker's `cron_jobs`
        name = _IDENT.match(pos[0]) if pos and "cron_jobs" in text else None
        if name:
            when = ", ".join(f"{k}={v}" for k, v in kws.items()) or "cron"
            return ScheduleSite(_job(name.group(1)), _short(when, 80), "arq", i)
    elif what == "PeriodicTask":  # django-celery-beat, `task="a.b.c"` here or in defaults
        joined = "\n".join(lines[i - 1 : i - 1 + MAX_CALL_LINES])[:MAX_CALL_TEXT]
        task = _TASK_KEY.search(joined)
        # `"task": "a.b.c"` in a dict is the beat-entry rule's (the file names the beat)
        if task and not task.group(0).startswith(("'", '"')):
            when = next((k for k in ("crontab", "interval", "clocked", "solar") if k in kws), "")
            return _dotted(task.group(1), when or "django-celery-beat", "django-celery-beat", i)
    elif what == "Schedule" and "django_q" in text:
        dotted = _DOTTED.match(kws.get("func", ""))
        if dotted:
            return _dotted(dotted.group(1), kws.get("schedule_type", "schedule"), "django-q", i)
    return None


# `scheduler.schedule(func=f, trigger=CronTrigger(hour=4))`: an APScheduler trigger handed
# to a project's own wrapper around `add_job` (whose `func` is its parameter, so the wrapper
# says nothing). The call holding the trigger is the schedule, named by its `func`, else by
# its first argument (`tasks=jobs_for_tonight()`).
_TRIGGER_KW = lazy(
    r"(?<![\w.])trigger[ \t]*+=[ \t]*+(?:[A-Za-z_]\w{0,100}+\.){0,3}+((?:Cron|Interval)Trigger)\("
)
_CALLEE_END = lazy(r"([A-Za-z_][\w.]{0,200}+)[ \t]*+\Z")
_FIRST_IDENT = lazy(r"\A[ \t\n]*+([A-Za-z_][\w.]{0,200}+)")


def _open_paren(text: str) -> int | None:
    """Where the call still open at the end of `text` opens (quotes not followed)."""
    depth = 0
    for k in range(len(text) - 1, -1, -1):
        ch = text[k]
        if ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth == 0:
                return k if ch == "(" else None
            depth -= 1
    return None


def _trigger_argument(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    """A call given `trigger=CronTrigger(…)` on line `i` (the call may open up to
    `MAX_CALL_LINES` lines above), cited at the line its "(" is on."""
    m = _TRIGGER_KW.search(line)
    if m is None:
        return None
    first = max(0, i - MAX_CALL_LINES)
    joined = "\n".join([*lines[first : i - 1], line[: m.start()]])
    before = joined[-MAX_CALL_TEXT:]
    paren = _open_paren(before)
    if paren is None:
        return None
    start = before.rfind("\n", 0, paren) + 1
    if start == 0 and len(joined) > len(before):
        return None  # the call's line was cut: its column is unknown
    callee = _CALLEE_END.search(before[max(start, paren - 240) : paren])
    if callee is None or callee.group(1).rpartition(".")[2] == "add_job":
        return None  # `add_job(` is `_call_schedule`'s
    at = i - before.count("\n", paren)
    pos, kws = _call_args(lines, at, paren - start + 1)
    func = kws.get("func") or (pos[0] if pos else next(iter(kws.values()), ""))
    name = _FIRST_IDENT.match(func)
    if name is None:
        return None
    args = ", ".join(split_args(line[m.end() :][:MAX_CALL_TEXT]))
    return ScheduleSite(_job(name.group(1)), _short(f"{m.group(1)}({args})", 80), "apscheduler", at)


# rq-scheduler jobs declared as data, the keywords of `scheduler.schedule(**job)` or
# `scheduler.cron(**job)`: `{"func": f, "interval": timedelta(minutes=5)}` or
# `dict(func=f, cron_string="0 * * * *")`, in a file that names rq_scheduler.
_RQ_FUNC = re.compile(r"(?:([\"'])func\1[ \t]*+:|(?<![\w.])func[ \t]*+=(?!=))[ \t]*+[A-Za-z_]")
_RQ_KEY = re.compile(r"\A([\"'])(\w{1,60}+)\1[ \t]*+:[ \t]*+(.{1,600})\Z", re.S)
_RQ_WHEN_KEYS = ("interval", "cron_string")
MAX_DICT_LINES = 4  # lines searched back from "func" for the "{" or "dict(" that opens it


def _rq_job_entry(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    """A job of an rq-scheduler definition list whose `func` is on line `i`, named for the
    function, cited at its `func` line."""
    m = _RQ_FUNC.search(line.split("#", 1)[0])
    if m is None:
        return None
    keywords: dict[str, str] = {}
    for j in range(i - 1, max(-1, i - 1 - MAX_DICT_LINES), -1):
        text = lines[j] if j < i - 1 else line[: m.start()]
        brace, call = text.rfind("{"), text.rfind("dict(")
        if brace < 0 and call < 0:
            continue
        start = max(brace + 1, call + 5 if call >= 0 else -1)
        body = "\n".join([lines[j][start:], *lines[j + 1 : j + MAX_CALL_LINES]])
        for item in split_args(body[:MAX_CALL_TEXT]):
            kw = _RQ_KEY.match(item) if brace > call else None
            if kw is not None:
                keywords[kw.group(2)] = kw.group(3).strip()
            elif brace < call and (plain := _KW.match(item)) is not None:
                keywords[plain.group(1)] = plain.group(2).strip()
        break
    name = _IDENT.match(keywords.get("func", ""))
    when = next((keywords[k] for k in _RQ_WHEN_KEYS if k in keywords), "")
    if name is None or not when:
        return None
    return ScheduleSite(_job(name.group(1)), _short(when, 80), "rq-scheduler", i)


def _dotted(dotted: str, when: str, mechanism: str, line: int) -> ScheduleSite:
    return ScheduleSite(dotted.rpartition(".")[2], _short(when, 80), mechanism, line, dotted)


# A signal whose name says it fires on a clock (`hourly = Signal()`, sent by a command that
# cron runs): its receivers are the schedule. The same for the functions a bare decorator
# so named registers (`@periodic` appends to the list one command calls).
_PERIODIC_WORD = re.compile(r"hourly|daily|weekly|monthly|nightly|minutely|periodic|cron", re.I)
_PY_RECEIVER = re.compile(
    r"\A[ \t]*+@(?:[\w.]{0,100}+\.)?receiver\([ \t]*+(?:signal[ \t]*+=[ \t]*+)?([\w.]{1,200}+)"
)
# `periodic_task.send_robust(self)` in a management command (the one cron runs): the firing.
_PY_SIGNAL_SENT = re.compile(r"(?<!\w)([A-Za-z_]\w{0,200}+)\.send(?:_robust)?\(")
_PY_BARE_DECORATOR = re.compile(r"\A[ \t]*+@([\w.]{1,200}+)[ \t]*+\Z")


def _marked_periodic(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    """A periodic signal's receiver or a function a bare periodic decorator registers, cited
    at the decorator and named for the function."""
    r = _PY_RECEIVER.match(line) if "receiver(" in line else None
    if r is not None:
        signal = r.group(1).rpartition(".")[2]
        mechanism = "periodic-signal"
    else:
        bare = _PY_BARE_DECORATOR.match(line)
        if bare is None:
            return None
        signal = bare.group(1).rpartition(".")[2]
        mechanism = "periodic-registry"
    if _PERIODIC_WORD.search(signal) is None:
        return None
    target = _next_def(lines, i)
    return ScheduleSite(target, signal, mechanism, i) if target else None


# `threading.Timer(300, refresh_rates).start()` inside `def refresh_rates`: the function
# re-arms itself, every 300 s. A timer on another function runs once: no schedule.
_PY_TIMER = lazy(
    r"(?<![\w.])(?:threading\.)?Timer\([ \t]*+([^,()\n]{1,80}+),[ \t]*+(?:self\.)?"
    r"([A-Za-z_]\w{0,100}+)[ \t]*+[,)]"
)
_PY_DEF_INDENT = lazy(r"\A([ \t]*+)(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)")
MAX_HOLDER_LINES = 400  # lines searched back for the function that holds a timer


def _rearmed_timer(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    m = _PY_TIMER.search(line.split("#", 1)[0])
    if m is None:
        return None
    indent = len(line) - len(line.lstrip(" \t"))
    for j in range(i - 2, max(-1, i - 2 - MAX_HOLDER_LINES), -1):
        d = _PY_DEF_INDENT.match(lines[j])
        if d is not None and len(d.group(1)) < indent:
            if d.group(2) != m.group(2):
                return None
            when = f"every {m.group(1).strip()} s (re-armed timer)"
            return ScheduleSite(d.group(2), _short(when, 80), "timer", i, d.group(2))
    return None
