"""Go schedules declared in one file (split from `schedules`): robfig/cron `AddFunc`/`AddJob`,
`time.NewTicker`/`time.Tick`, go-co-op/gocron, asynq's scheduler. Each is named for what it
runs, or for the top-level function that starts it (a ticker, a cron entry given a closure).
Polling loops (`for { …; time.Sleep(d) }`) are `loops.go_loops`'.
"""

from __future__ import annotations

import re

from bot.core.analysis.loops import _GO_FUNC
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
# A cron field: digits, ranges, steps, `*`, `?`, or a day/month name (shared with crontabs).
CRON_FIELD = re.compile(r"[\d*/,\-?]+|[A-Za-z]{3}(?:-[A-Za-z]{3})?")


def _sorted(sites: list[ScheduleSite]) -> tuple[ScheduleSite, ...]:
    return tuple(sorted(set(sites), key=lambda s: (s.name, s.schedule, s.mechanism, s.line)))


_GO_CRON = re.compile(r"\.(AddFunc|AddJob)\(\s*\"([^\"\n]{1,100})\"\s*,\s*([\w.]{0,100})")
_GO_TICK = re.compile(r"time\.(NewTicker|Tick)\(\s*([^)\n]{1,100})\)")


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
_GOCRON_JOB = re.compile(
    r"gocron\.(DurationJob|CronJob)\(\s*+(?:\"([^\"\n]{1,100})\"|([^)\n]{1,100})\))"
)
_GOCRON_TASK = re.compile(r"gocron\.NewTask\(\s*+([A-Za-z_][\w.]{0,100})")
_GOCRON_EVERY = re.compile(
    r"\.Every\(\s*+([^)\n]{1,60})\)\.([A-Z]\w{0,20})\(\)[^\n]{0,200}?\.Do\(\s*+([A-Za-z_][\w.]{0,100})"
)
_GOCRON_CRON = re.compile(
    r"\.Cron\(\s*+\"([^\"\n]{1,100})\"\)[^\n]{0,200}?\.Do\(\s*+([A-Za-z_][\w.]{0,100})"
)
_ASYNQ_REGISTER = re.compile(
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
    ):
        return ()
    out: list[ScheduleSite] = []
    gocron, asynq = "gocron" in text, "asynq" in text
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    holder = ""  # the top-level function the line is in
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
        for m in _GO_TICK.finditer(line):
            out.append(ScheduleSite(holder or "ticker", m.group(2), "ticker", i))
        if gocron:
            _gocron(lines, line, i, out)
        if asynq and "Register(" in line:
            for r in _ASYNQ_REGISTER.finditer(line):
                task = r.group(2) or r.group(3).rpartition(".")[2]
                out.append(ScheduleSite(task, r.group(1), "asynq-scheduler", i, task))
    return _sorted(out)


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
