"""Go schedules declared in one file (split from `schedules`): robfig/cron `AddFunc`/`AddJob`,
`time.NewTicker`/`time.Tick`, go-co-op/gocron, asynq's scheduler, a job built with functional
options (`cronjob.New("name", cronjob.WithJob(f), cronjob.WithInterval(d) | WithCron("…"))`),
a repeating actor alarm (`SetAlarm(ctx, name, …Properties{…, Interval: d})`). Each is named
for what it runs, or for the top-level function that starts it (a ticker, a cron entry given
a closure). Polling loops (`for { …; time.Sleep(d) }`) are `loops.go_loops`'.
"""

from __future__ import annotations

import re

from bot.core.analysis.loops import _GO_FUNC
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
# A cron field: digits, ranges, steps, `*`, `?`, or a day/month name (shared with crontabs).
CRON_FIELD = re.compile(r"[\d*/,\-?]+|[A-Za-z]{3}(?:-[A-Za-z]{3})?")


def _sorted(sites: list[ScheduleSite]) -> tuple[ScheduleSite, ...]:
    return tuple(sorted(set(sites), key=lambda s: (s.name, s.schedule, s.mechanism, s.line)))


_GO_CRON = lazy(r"\.(AddFunc|AddJob)\(\s*\"([^\"\n]{1,100})\"\s*,\s*([\w.]{0,100})")
# A cron made here (`c := cron.New(…)`, robfig/cron and its forks) and given an entry whose
# spec is read at run time (`c.AddFunc(spec, f)`, `c.Add(cfg.Interval, func() {`): a
# schedule whatever the spec is. The file must import a `…/cron` package.
_GO_CRON_NEW = lazy(r"\A[ \t]*+([A-Za-z_][\w.]{0,100})[ \t]*+:?=[ \t]*+cron\.New\(")
_GO_CRON_IMPORT = lazy(r"\"[\w.\-/]{0,200}/cron(?:/v\d{1,3})?\"")
_GO_CRON_VAR = lazy(
    r"([A-Za-z_][\w.]{0,100})\.(?:Add|AddFunc|AddJob)\(\s*+([A-Za-z_][\w.]{0,100})\s*+,"
    r"\s*+([\w.]{0,100})"
)
# What a closure runs: its first call that is not a log line.
_GO_CALL = lazy(r"\b([A-Za-z_][\w.]{0,100})\(")
_LOG_HEADS = frozenset({"log", "lo", "logger", "l", "fmt", "slog", "zap", "logrus", "println"})
# `spec := cfg.String("jobs.vacuum_interval")`: the setting a spec variable is read from.
_SETTING_READ = lazy(
    r"\A[ \t]*+([A-Za-z_]\w{0,100})[ \t]*+:?=[^\n]{0,200}?\(\s*+\"([^\"\n]{1,100})\""
)
MAX_SPEC_LOOKBACK = 10
_GO_TICK = lazy(r"time\.(NewTicker|Tick)\(\s*([^)\n]{1,100})\)")


def _cron_spec(value: str) -> bool:
    """`@every 5m`, `@daily` or five to seven cron fields (after an optional `CRON_TZ=`):
    `AddFunc("text/css", css.Minify)` is how tdewolff/minify registers a minifier."""
    fields = value.split()
    if fields and "=" in fields[0]:
        fields = fields[1:]
    if fields and fields[0].startswith("@"):
        return True
    return 5 <= len(fields) <= 7 and all(CRON_FIELD.fullmatch(f) for f in fields)


# go-co-op/gocron: v2 `s.NewJob(gocron.DurationJob(d) | gocron.CronJob("…", secs),
# gocron.NewTask(f))`, the task on the same line or the few below; v1 `s.Every(5).Minutes().Do(f)`
# and `s.Cron("…").Do(f)`. asynq: `scheduler.Register("…", asynq.NewTask("type"))`.
_GOCRON_JOB = lazy(r"gocron\.(DurationJob|CronJob)\(\s*+(?:\"([^\"\n]{1,100})\"|([^)\n]{1,100})\))")
_GOCRON_TASK = lazy(r"gocron\.NewTask\(\s*+([A-Za-z_][\w.]{0,100})")
_GOCRON_EVERY = lazy(
    r"\.Every\(\s*+([^)\n]{1,60})\)\.([A-Z]\w{0,20})\(\)[^\n]{0,200}?\.Do\(\s*+([A-Za-z_][\w.]{0,100})"
)
_GOCRON_CRON = lazy(
    r"\.Cron\(\s*+\"([^\"\n]{1,100})\"\)[^\n]{0,200}?\.Do\(\s*+([A-Za-z_][\w.]{0,100})"
)
_ASYNQ_REGISTER = lazy(
    r"\.Register\(\s*+\"([^\"\n]{1,100})\"\s*+,\s*+asynq\.NewTask\(\s*+(?:\"([^\"\n]{1,200})\"|([A-Za-z_][\w.]{0,200}))"
)
MAX_TASK_LINES = 4


def go_schedules(text: str) -> tuple[ScheduleSite, ...]:
    """Go schedules, named for what they run, or for the function that starts them (a
    ticker, a cron entry given a closure)."""
    if (
        "AddFunc" not in text
        and "AddJob" not in text
        and "time.Tick" not in text
        and "NewTicker" not in text
        and "gocron" not in text
        and "asynq" not in text
        and "cron.New(" not in text
        and "WithInterval(" not in text
        and "WithCron(" not in text
        and "SetAlarm(" not in text
    ):
        return ()
    out: list[ScheduleSite] = []
    gocron, asynq = "gocron" in text, "asynq" in text
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    crons = _crons_made(lines) if "cron.New(" in text and _GO_CRON_IMPORT.search(text) else set()
    holder = ""  # the top-level function the line is in
    wrapped: dict[str, list[tuple[str, str, int]]] = {}
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            f = _GO_FUNC.match(line)
            holder = f.group(1) if f else ""
        if line.lstrip().startswith("//"):
            continue
        for m in _GO_CRON.finditer(line):
            if _cron_spec(m.group(2)):
                # `svc.SyncFeeds` runs SyncFeeds; a closure (`func() {`) what holds it
                run = m.group(3).rpartition(".")[2]
                name = run if run and run != "func" else holder or "cron job"
                out.append(ScheduleSite(name, m.group(2), "robfig-cron", i))
        if crons and "Add" in line:
            _cron_by_variable(lines, line, i, crons, holder, out)
        for m in _GO_TICK.finditer(line):
            out.append(ScheduleSite(holder or "ticker", m.group(2), "ticker", i))
        if gocron:
            _gocron(lines, line, i, out)
        if asynq and "Register(" in line:
            for r in _ASYNQ_REGISTER.finditer(line):
                task = r.group(2) or r.group(3).rpartition(".")[2]
                out.append(ScheduleSite(task, r.group(1), "asynq-scheduler", i, task))
        if "WithInterval(" in line or "WithCron(" in line:
            _option_job(lines, line, i, holder, out, wrapped)
        if "SetAlarm(" in line:
            _repeating_alarm(lines, line, i, holder, out)
    return _sorted(out)


# A job built with functional options: `pkg.New(` opens the call a few lines above, the
# same call passes `pkg.WithJob(f)` and `pkg.WithInterval(d)` / `pkg.WithCron("spec")`
# (italypaleale/francis cronjob and look-alike job libraries). A `WithInterval` with no
# `WithJob` beside it (a retry or poll option) is not a schedule.
_OPT_WHEN = lazy(
    r"\b([A-Za-z_]\w{0,60})\.(?:WithInterval|WithCron)\(\s*+"
    r"(?:\"([^\"\n]{1,100})\"|([^()\n,]{1,100}))"
)
_OPT_NEW = lazy(r"\b([A-Za-z_]\w{0,60})\.New\(\s*+(?:\"([^\"\n]{1,100})\"|([A-Za-z_]\w{0,60}))?")
_OPT_JOB = lazy(r"\.WithJob\(\s*+([A-Za-z_][\w.]{0,100})")
_OPT_NAME = lazy(r"\A[ \t]*+(?:\"([^\"\n]{1,100})\"|([A-Za-z_]\w{0,60}))[ \t]*+,")
MAX_OPTION_LINES = 10


def _option_job(
    lines: list[str],
    line: str,
    i: int,
    holder: str,
    out: list[ScheduleSite],
    seen: dict[str, list[tuple[str, str, int]]],
) -> None:
    m = _OPT_WHEN.search(line)
    if not m:
        return
    pkg, when = m.group(1), m.group(2) or m.group(3).strip()
    start = max(0, i - MAX_OPTION_LINES)
    lit = ident = job = ""
    for k in range(i - 1, start - 1, -1):
        n = _OPT_NEW.search(lines[k])
        if n and n.group(1) == pkg:
            lit, ident = n.group(2) or "", n.group(3) or ""
            a = _OPT_NAME.match(lines[k + 1]) if not (lit or ident) and k + 1 < len(lines) else None
            if a:
                lit, ident = a.group(1) or "", a.group(2) or ""
            window = lines[k : min(len(lines), i + MAX_OPTION_LINES)]
            job = next((j.group(1) for w in window if (j := _OPT_JOB.search(w))), "")
            break
    if not job:
        return
    run = job.rpartition(".")[2]
    if ident and holder:
        # a wrapper (`func newJob(name string, fn func(…) error)`): each call of it in the
        # file with a literal name is one job
        calls = _wrapper_calls(lines, holder, seen)
        if calls:
            out.extend(ScheduleSite(n, when, "job-options", k, t) for n, t, k in calls)
            return
    out.append(ScheduleSite(lit or run or holder, when, "job-options", i, run))


_WRAP_CALL = lazy(
    r"\b([A-Za-z_]\w{0,60})\(\s*+\"([^\"\n]{1,100})\"\s*+,\s*+([A-Za-z_][\w.]{0,100})"
)


def _wrapper_calls(
    lines: list[str], holder: str, seen: dict[str, list[tuple[str, str, int]]]
) -> list[tuple[str, str, int]]:
    """Each `holder("Name", f)` in the file, once per holder (`seen`) so a file of many
    option calls in one function is still read once."""
    if holder in seen:
        return seen[holder]
    out = seen[holder] = []
    for k, line in enumerate(lines, 1):
        if holder + "(" in line and not line.startswith("func"):
            for c in _WRAP_CALL.finditer(line):
                if c.group(1) == holder:
                    out.append((c.group(2), c.group(3).rpartition(".")[2], k))
    return out


# An actor alarm set with a repeat interval (`client.SetAlarm(ctx, name,
# actor.AlarmProperties{DueTime: t, Interval: "PT1H"})`): a recurring schedule. Without
# `Interval:` it fires once (a debounce), which is a hand-off, not a schedule.
_SET_ALARM = lazy(
    r"\.SetAlarm\(\s*+[A-Za-z_]\w{0,60}\s*+,\s*+(\"[^\"\n]{1,100}\"|[A-Za-z_][\w.]{0,100})"
)
_ALARM_INTERVAL = lazy(r"\A[ \t]*+Interval:[ \t]*+([^,\n]{1,100})")
MAX_ALARM_LINES = 6


def _repeating_alarm(
    lines: list[str], line: str, i: int, holder: str, out: list[ScheduleSite]
) -> None:
    m = _SET_ALARM.search(line)
    if not m:
        return
    for nxt in lines[i : i + MAX_ALARM_LINES]:
        r = _ALARM_INTERVAL.match(nxt)
        if r:
            name = m.group(1).strip('"').rpartition(".")[2]
            out.append(ScheduleSite(name or holder, r.group(1).strip(), "actor-alarm", i, holder))
            return
        if nxt.strip().startswith("})"):
            return


def _crons_made(lines: list[str]) -> set[str]:
    """The names the file binds to a new cron (`c`, `s.cron`)."""
    out: set[str] = set()
    for line in lines:
        if "cron.New(" in line:
            m = _GO_CRON_NEW.match(line)
            if m:
                out.add(m.group(1))
    return out


def _cron_by_variable(
    lines: list[str], line: str, i: int, crons: set[str], holder: str, out: list[ScheduleSite]
) -> None:
    """An entry of a cron made in this file whose spec is a variable: named for what it runs
    (a function, else the closure's first call that is not a log line), its schedule the
    setting the spec is read from when a line above reads one, else the variable."""
    for m in _GO_CRON_VAR.finditer(line):
        if m.group(1) not in crons:
            continue
        spec, run = m.group(2), m.group(3).rpartition(".")[2]
        if run == "func":
            run = _first_call(lines[i : i + MAX_TASK_LINES])
        when = spec
        for above in reversed(lines[max(0, i - 1 - MAX_SPEC_LOOKBACK) : i - 1]):
            r = _SETTING_READ.match(above)
            if r and r.group(1) == spec:
                when = r.group(2)
                break
        out.append(ScheduleSite(run or holder or "cron job", when, "robfig-cron", i))


def _first_call(lines: list[str]) -> str:
    for line in lines:
        for c in _GO_CALL.finditer(line):
            head, _, name = c.group(1).rpartition(".")
            if head.split(".")[0] in _LOG_HEADS or c.group(1) in _LOG_HEADS or name == "func":
                continue
            return name
    return ""


def _gocron(lines: list[str], line: str, i: int, out: list[ScheduleSite]) -> None:
    if "gocron." in line:
        for m in _GOCRON_JOB.finditer(line):
            when = m.group(2) or (m.group(3) or "").strip()
            target = ""
            for nxt in lines[i - 1 : i - 1 + MAX_TASK_LINES]:
                t = _GOCRON_TASK.search(nxt)
                if t:
                    target = t.group(1)
                    break
            out.append(ScheduleSite(target or "gocron job", when, "gocron", i, target))
    if ".Every(" in line:
        for m in _GOCRON_EVERY.finditer(line):
            when = f"every {m.group(1).strip()} {m.group(2).lower()}"
            out.append(ScheduleSite(m.group(3), when, "gocron", i, m.group(3)))
    if ".Cron(" in line:
        for m in _GOCRON_CRON.finditer(line):
            out.append(ScheduleSite(m.group(2), m.group(1), "gocron", i, m.group(2)))
