"""Ruby schedules declared in one file. Pure: text in, `ScheduleSite`s out (`schedules`
dispatches here). Lines are cut at `MAX_LINE`; every pattern is anchored, its repeats bounded.

* `whenever` (`config/schedule.rb`): `every … do` and the `runner`/`rake`/`command` inside.
* GoodJob cron (`config.good_job.cron = { name: { cron: "…", class: "X" } }` in
  `config/application.rb` or an initializer) and sidekiq-cron hashes, on one line or spread
  over the lines of the entry (at most `MAX_ENTRY_LINES`); cited at the `cron:` line.
* A call given a schedule and a job class as keywords (`X.create(name: "n", cron: "0 * * * *",
  class: "SweepJob")`, `every:` alike), on one line or over its argument lines: whatever
  the library, a `cron:`/`every:` that reads as a schedule beside a `class:` is one. Kept
  only when both are there and the value looks like a schedule (`_schedule_like`).
* clockwork: `every(1.hour, "job.name") { X.perform_later }` in a file that names Clockwork.
* rufus-scheduler: `scheduler.every '10m' do` / `.cron '0 2 * * *'` / `.interval`, named by
  the class the block runs (on the line or the next `MAX_BLOCK_LINES`), in a file that
  names Rufus (`.in`/`.at` run once: no schedule). Also, in a file that names Rufus or a
  `scheduler` (an object that delegates to one: `every(X) { … } if scheduler`) and is no
  `whenever` file: the bare `every '1m' do` of a class built on the scheduler, a number or
  a constant for the period (`@scheduler.every 5 do`, `every(CHECK_INTERVAL) {`), a period
  read from a setting with a literal default (`every ENV['X'].presence || '6h' do`), an
  interpolated cron string, and `schedule_cron`/`schedule_every`/`schedule_interval` with any
  first argument (rufus-scheduler's explicit names, which nothing else uses). Named by the
  class the block runs, else by the method it calls first.
"""

from __future__ import annotations

import re

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

MAX_LINE = 2_000
MAX_ENTRY_LINES = 12  # lines of a multi-line cron entry, from its key to its `class:`
MAX_BLOCK_LINES = 4  # lines of a rufus block searched for the class it runs


def _short(value: str, limit: int = 120) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


_RB_EVERY = lazy(r"\A\s*+every\s++([^\n]{1,120}?)\s+do\b")
_RB_RUNS = lazy(r"\A\s*+(runner|rake|command)\s++[\"']([^\"'\n]{1,200})[\"']")
_RB_HASH = lazy(
    r"\A\s*+[\"':]?([\w\-.]++)[\"']?\s*+(?::|=>)\s*+\{[^\n]{0,400}?\bcron:\s*[\"']([^\"'\n]{1,100})[\"']"
    r"(?:[^\n]{0,400}?\bclass:\s*[\"']([\w:]+)[\"'])?"
)

# A multi-line entry: its key opens a hash (`frequent_task: {`, `"a.b" => {`), its `cron:`
# and `class:` follow on their own lines.
# Or an entry added by key: `config.good_job.cron[:name] = {`.
_RB_KEY_OPEN = lazy(
    r"\A\s*+(?:[\"':]?([\w\-.]{1,100}+)[\"']?\s*+(?::|=>)"
    r"|[\w.]{1,200}+\[\s*+[\"':]?([\w\-.]{1,100}+)[\"']?\s*+\]\s*+=)\s*+\{\s*+\Z"
)
_RB_CRON_KEY = lazy(r"\A\s*+:?cron:?\s*+(?:=>\s*+)?[\"']([^\"'\n]{1,100}+)[\"']")
# A call whose keyword arguments follow on their own lines: `Cron::Job.create(` at a line's end.
_RB_CALL_OPEN = lazy(r"\A[ \t]*+(?:[\w@]{1,100}+[ \t]*+=[ \t]*+)?[\w@:.]{1,200}+\([ \t]*+\Z")
# Its keywords, one per line or all on the call's line: `name: "x"`, `cron: "…"`, `every: "…"`.
_RB_KW_NAME = lazy(r"(?<![\w:])name:[ \t]*+[\"']([^\"'\n]{1,100}+)[\"']")
_RB_KW_WHEN = lazy(r"(?<![\w:])(?:cron|every):[ \t]*+[\"']([^\"'\n]{1,100}+)[\"']")
_RB_KW_CLASS = lazy(r"(?<![\w:])class:[ \t]*+[\"']?((?:::)?[A-Z][\w:]{0,200}+)")
# A cron expression (5–7 fields of cron characters), a macro (`@hourly`) or words of a period
# (`every hour`, `1h`, `5 minutes`): what a schedule value reads as.
_RB_CRON_FIELDS = lazy(
    r"\A[ \t]*+(?:[\d*/,?LW#A-Za-z-]{1,40}+[ \t]++){4,6}[\d*/,?LW#A-Za-z-]{1,40}+[ \t]*+\Z"
)
_RB_PERIOD_WORDS = lazy(
    r"\A[ \t]*+(?:@\w{3,20}+|every[ \t]"
    r"|\d{1,9}+[ \t]*+(?:s|m|h|d|w|sec|min|hour|day|week)[a-z]{0,6}+\b)"
)


def _opens_call(line: str) -> bool:
    """The line's `(` comes before any quote: a call's arguments, not code in a string."""
    paren = line.find("(")
    quotes = [q for q in (line.find('"'), line.find("'")) if q >= 0]
    return paren >= 0 and (not quotes or paren < min(quotes))


def _schedule_like(value: str) -> bool:
    return bool(_RB_CRON_FIELDS.match(value) or _RB_PERIOD_WORDS.match(value))


_RB_CLASS_KEY = lazy(r"\A\s*+:?class:?\s*+(?:=>\s*+)?[\"']?((?:::)?[A-Z][\w:]{0,200}+)")
_RB_CLOCKWORK = lazy(
    r"\A\s*+every\s*+\(\s*+([^,\n]{1,80}+),\s*+[\"']([^\"'\n]{1,120}+)[\"']([^\n]{0,400})"
)
_RB_RUNS_CLASS = lazy(
    r"(?<![\w:])([A-Z][\w:]{0,200}+)\.(?:perform_later|perform_async|perform_now|new|call)"
)


class _Entry:
    """A multi-line cron entry being read: its key, and the `cron:`/`class:` seen so far."""

    def __init__(self, key: str, line: int, call: bool = False) -> None:
        self.key, self.line, self.call = key, line, call
        self.cron, self.cron_line, self.target = "", 0, ""

    def site(self) -> ScheduleSite | None:
        if not self.cron_line:
            return None
        if self.call and not (self.target and _schedule_like(self.cron)):
            return None  # a call's keywords: a schedule only beside the job it runs
        return ScheduleSite(self.key or self.target, self.cron, "cron", self.cron_line, self.target)

    def read_keywords(self, line: str, i: int) -> None:
        """A call's keywords on line `i` (any order, one or more to a line)."""
        n, w, k = _RB_KW_NAME.search(line), _RB_KW_WHEN.search(line), _RB_KW_CLASS.search(line)
        if n:
            self.key = n.group(1)
        if w:
            self.cron, self.cron_line = w.group(1), i
        if k:
            self.target = k.group(1)


def ruby_schedules(text: str) -> tuple[ScheduleSite, ...]:
    rufus = contains(text, "ufus")  # `require 'rufus-scheduler'`, `Rufus::Scheduler.new`
    # The wider forms: a file naming Rufus or a scheduler object, and no `whenever` file.
    wide = (rufus or contains(text, "scheduler")) and _RB_WHENEVER.search(text) is None
    if not contains(text, "every") and not contains(text, "cron") and not rufus:
        return ()
    clockwork = contains(text, "lockwork")  # `require "clockwork"`, `module Clockwork`
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[ScheduleSite] = []
    every: tuple[str, int] | None = None
    entry: _Entry | None = None
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            continue
        if rufus and "." in line:
            site = _rufus(lines, i, line)
            if site is not None:
                out.append(site)
                continue
        if wide and ("every" in line or "cron" in line or "interval" in line):
            site = _rufus_wide(lines, i, line)
            if site is not None:
                out.append(site)
                continue
        if entry is not None and i - entry.line > MAX_ENTRY_LINES:
            entry = None
        if entry is not None and entry.call:
            entry.read_keywords(line, i)
            end = line.strip()
            if end.startswith(")") or end.endswith(")"):
                site = entry.site()
                if site is not None:
                    out.append(site)
                entry = None
            continue
        if entry is not None:
            c = _RB_CRON_KEY.match(line)
            if c:
                entry.cron, entry.cron_line = c.group(1), i
            k = _RB_CLASS_KEY.match(line)
            if k:
                entry.target = k.group(1)
            if line.strip().startswith("}") or (entry.cron_line and entry.target):
                site = entry.site()
                if site is not None:
                    out.append(site)
                entry = None
            continue
        if clockwork and "every" in line:
            w = _RB_CLOCKWORK.match(line)
            if w:
                runs = _RB_RUNS_CLASS.search(w.group(3))
                target = runs.group(1) if runs else ""
                out.append(ScheduleSite(w.group(2), w.group(1).strip(), "clockwork", i, target))
                continue
        m = _RB_EVERY.match(line)
        if m:
            every = (m.group(1), i)
            continue
        r = _RB_RUNS.match(line) if every else None
        if r and every:
            out.append(ScheduleSite(_short(r.group(2), 60), every[0], "whenever", i, r.group(1)))
            continue
        if "cron:" in line or "every:" in line:
            h = _RB_HASH.match(line) if "cron:" in line else None
            if h:
                out.append(ScheduleSite(h.group(1), h.group(2), "cron", i, h.group(3) or ""))
            elif "class:" in line and _opens_call(line):
                one = _Entry("", i, call=True)
                one.read_keywords(line, i)
                site = one.site()
                if site is not None:
                    out.append(site)
        elif line.rstrip().endswith("("):
            if _RB_CALL_OPEN.match(line):
                entry = _Entry("", i, call=True)
        elif line.rstrip().endswith("{"):
            o = _RB_KEY_OPEN.match(line)
            if o:
                entry = _Entry(o.group(1) or o.group(2), i)
    return tuple(sorted(set(out), key=lambda s: (s.name, s.schedule, s.mechanism, s.line)))


_RB_RUFUS = lazy(
    r"\A[ \t]*+[\w@$:]{1,100}+\.(every|cron|interval|repeat)[ \t(]++([\"'])([^\"'\n]{1,100}+)\2"
    r"([^\n]{0,300})"
)
# The wider forms (`_rufus_wide`): an optional receiver, the method, then its first argument.
_RB_RUFUS_WIDE = lazy(
    r"\A[ \t]*+(?:[\w@]{1,100}+[ \t]*+=[ \t]*+)?(?:[\w@$:]{1,100}+\.)?"
    r"(every|cron|interval|schedule_cron|schedule_every|schedule_interval)"
    r"(?:[ \t]*+\([ \t]*+|[ \t]++)([^\n]{1,300})"
)
# A period, first: a number, a duration (`1.hour`), a CONSTANT, a quoted string (cron may
# interpolate), a setting with a literal default (`ENV['X'].presence || '6h'`).
_RB_PERIOD = lazy(
    r"\A(?:(\d{1,9}+(?:\.\d{1,6}+)?(?:\.(?:seconds?|minutes?|hours?|days?|weeks?))?)"
    r"|([A-Z][A-Z0-9_]{0,100}+(?:::[A-Z][A-Z0-9_]{0,100}+){0,5})(?![\w:\[.(])"
    r"|([\"'])([^\"'\n]{1,150}+)\3"
    r"|[^\n|]{1,150}?\|\|[ \t]*+([\"'])([^\"'\n]{1,60}+)\5)"
)
_RB_BLOCK_OPEN = lazy(r"(?:\bdo\b|\{)")
_RB_WHENEVER = lazy(r"^[ \t]*+(?:runner|rake|command)[ \t]++[\"']", re.M)
_RB_FIRST_CALL = lazy(r"\A[ \t]*+(?:[\w@]{1,100}+\.)?([a-z_]\w{0,100}+[!?]?)(?![ \t]*+=[^=]|[.\w])")
_NOT_A_CALL = frozenset({"if", "unless", "end", "begin", "return", "next", "break", "puts"})


def _rufus(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    m = _RB_RUFUS.match(line)
    if m is None or ("do" not in m.group(4) and "{" not in m.group(4)):
        return None
    target = _target([m.group(4), *lines[i : i + MAX_BLOCK_LINES]])
    when = m.group(3) if m.group(1) == "cron" else f"{m.group(1)} {m.group(3)}"
    return ScheduleSite(target or "rufus job", when, "rufus-scheduler", i, target)


def _target(block: list[str]) -> str:
    for nxt in block:
        runs = _RB_RUNS_CLASS.search(nxt) or _RB_CONSTANT.search(nxt)
        if runs:
            return runs.group(1)
    return ""


def _rufus_wide(lines: list[str], i: int, line: str) -> ScheduleSite | None:
    """The wider rufus forms (see the module doc); the caller gates the file."""
    m = _RB_RUFUS_WIDE.match(line)
    if m is None:
        return None
    method, rest = m.group(1), m.group(2)
    explicit = method.startswith("schedule_")
    p = _RB_PERIOD.match(rest)
    if p is None and not explicit:
        return None
    if p is not None:
        period = p.group(1) or p.group(2) or p.group(4) or p.group(6)
        after = rest[p.end() :]
    else:
        arg = rest.split(",", 1)[0].split(")", 1)[0].strip()
        period, after = arg, rest[len(arg) :]
        if not period:
            return None
    if _RB_BLOCK_OPEN.search(after) is None:
        return None
    kind = method.removeprefix("schedule_")
    when = _short(period, 80) if kind == "cron" else f"{kind} {_short(period, 60)}"
    block = [after, *lines[i : i + MAX_BLOCK_LINES]]
    target = _target(block)
    name = target or _first_call(block) or "rufus job"
    return ScheduleSite(name, when, "rufus-scheduler", i, target)


def _first_call(block: list[str]) -> str:
    """The first method the block calls (`propagate!`), on its opening line or below."""
    head = block[0].split("{", 1)[1] if "{" in block[0] else ""
    for text in [head, *block[1:]]:
        c = _RB_FIRST_CALL.match(text)
        if c is not None and c.group(1) not in _NOT_A_CALL:
            return c.group(1)
    return ""


_RB_CONSTANT = lazy(r"(?<![\w:])([A-Z][\w:]{0,200}+)\.[a-z_]\w{0,100}+")


# A scheduled task as a class: a subclass of the application's task base (`class Purge <
# ApplicationScheduledTask`, `< PeriodicJob`), which a scheduler loop runs when the class's
# own timing method says (`def self.next_run_after` → `1.minute.from_now`), or on the
# base's default. Cited at the class line, and at the timing method when the class has one.
TASK_CLASS = "task-class"
MAX_TASK_CLASSES = 200  # task classes read from one file
_RB_TASK_CLASS = lazy(
    r"\A[ \t]*+class[ \t]++(?:[A-Z]\w{0,100}+::){0,10}([A-Z]\w{0,100}+)[ \t]*+<[ \t]*+"
    r"(?:::)?(?:[A-Z]\w{0,100}+::){0,10}((?:[A-Z]\w{0,100}?)?(?:Scheduled|Periodic|Recurring)"
    r"(?:Task|Job))\b"
)
_RB_TIMING = lazy(
    r"\A[ \t]*+def[ \t]++self\.(next_run_after|next_run_at|next_run|run_every|interval|schedule"
    r"|cron|frequency)\b[ \t]*+(?:\(\))?[ \t]*+(?:=[ \t]*+([^\n#]{1,120}))?"
)


def task_class_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if not contains(text, "Task") and not contains(text, "Job"):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: dict[str, list[ScheduleSite]] = {}
    current: tuple[str, str, int] | None = None  # (class, base, line) of a class not yet timed
    for i, line in enumerate(lines, 1):
        if "class" in line:
            c = _RB_TASK_CLASS.match(line)
            if c is not None and len(out) < MAX_TASK_CLASSES:
                name, base = c.group(1), c.group(2)
                current = (name, base, i) if name not in out else None
                out.setdefault(name, [ScheduleSite(name, f"as {base}", TASK_CLASS, i, name)])
                continue
        if current is None or "def" not in line:
            continue
        t = _RB_TIMING.match(line)
        if t is None:
            continue
        when = t.group(2) or next(
            (x.strip() for x in lines[i : i + MAX_BLOCK_LINES] if x.strip()), ""
        )
        when = _short(when, 80) if when and when != "end" else t.group(1)
        name, _, at = current
        # The class line says the same schedule: both cite one entry.
        out[name] = [ScheduleSite(name, when, TASK_CLASS, line_no, name) for line_no in (at, i)]
        current = None
    return tuple(s for sites in out.values() for s in sites)
