"""Scheduled work declared in one file: cron files, beat schedules, recurring-job YAML,
decorators and tickers. Pure: bytes in, `ScheduleSite`s out, cached with the file's facts.

* YAML (Solid Queue `recurring.yml`, sidekiq-cron / sidekiq-scheduler, Kubernetes
  `CronJob`, GitHub Actions `on.schedule`, `vercel.json` crons — JSON is YAML): any mapping
  with a `schedule`, `cron` or `every` scalar is an entry; its key (or `metadata.name`, or
  `path`) names it, and `class`/`command`/`task`/`job`/`path` say what it runs. The walk
  visits at most `MAX_NODES` nodes, so aliases cannot blow it up.
* crontab lines (`m h dom mon dow command`, `@daily command`); Netlify `schedule = "…"`.
* Python: Celery beat entries (`"task": "a.b.c"` in a file that builds a beat schedule),
  `@periodic_task`/`@db_periodic_task`, decorators and `enqueue_once` calls given an
  `interval`/`run_every`/`cron` keyword, `add_periodic_task`, APScheduler `add_job(f,
  "cron"|"interval")`, `schedule.every(…).do(f)`.
* Ruby: `whenever` (`every … do` + `runner`/`rake`/`command`), GoodJob/sidekiq-cron hashes
  (`name: { cron: "…", class: "X" }`). JavaScript/TypeScript: `schedules_js`. Go: robfig/cron
  `AddFunc`/`AddJob`, `time.NewTicker`/`time.Tick`, gocron, asynq's scheduler.
* Polling loops in Python, Ruby and Go (`loops.py`): a loop that never ends by its own
  condition and sleeps.
"""

from __future__ import annotations

import re
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING

from bot.core.analysis.handoffs import docstring_lines
from bot.core.analysis.loops import go_loops, python_loops, ruby_loops
from bot.core.analysis.schedules_js import javascript_schedules
from bot.core.analysis.yaml_nodes import compose_yaml, get, items, line_of, scalar, sequence
from bot.core.limits import MAX_NESTING
from bot.core.model import ScheduleSite

if TYPE_CHECKING:
    import yaml

MAX_NODES = 20_000
MAX_LINE = 2_000
_SCHEDULE_KEYS = ("schedule", "cron", "every")
_TARGET_KEYS = ("class", "command", "task", "job", "path", "run", "worker")
_YAML_TRIGGERS = (b"schedule:", b"cron:", b"every:", b'"crons"', b'"schedule"')


SCHEDULE_ORDER = attrgetter(*(f.name for f in fields(ScheduleSite)))  # as `HandoffSite`'s


def _sorted(sites: list[ScheduleSite]) -> tuple[ScheduleSite, ...]:
    return tuple(sorted(set(sites), key=SCHEDULE_ORDER))


def _short(value: str, limit: int = 120) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- files --------------------------------------------------------------------------


def file_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    """A schedule file whatever its format: crontab lines, Netlify TOML, or YAML/JSON."""
    text = data.decode("utf-8", "replace")
    cron = crontab_schedules(text)
    if cron:
        return cron
    if "[functions" in text and "schedule" in text:
        return netlify_schedules(text)
    return yaml_schedules(data)


def yaml_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    if not any(t in data for t in _YAML_TRIGGERS):
        return ()
    try:
        return _yaml_schedules(data)
    except RecursionError:  # nesting deeper than PyYAML (or the walk) can follow
        return ()


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, by libyaml where PyYAML has it (a CI workflow file took ~25 ms to
    compose in pure Python), within `yaml_bounds`' nesting and expansion limits."""
    return compose_yaml(text, fast=True)


def _yaml_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    root = _compose(data.decode("utf-8", "replace"))
    if root is None:
        return ()
    out: list[ScheduleSite] = []
    budget = [MAX_NODES]
    kind = scalar(get(root, "kind"))
    if kind in ("CronJob", "ScheduledJob"):
        name = scalar(get(get(root, "metadata"), "name")) or "CronJob"
        spec = get(root, "spec")
        node = get(spec, "schedule")
        if node is not None:
            out.append(ScheduleSite(name, _short(scalar(node)), "kubernetes", line_of(node)))
        return _sorted(out)
    on = get(root, "on") or get(root, "true")  # YAML 1.1 reads a bare `on:` as true
    if on is not None and get(root, "jobs") is not None:
        name = scalar(get(root, "name")) or "workflow"
        target = _workflow_command(get(root, "jobs"))
        if target is None:
            return ()  # CI upkeep on a clock (stale issues, CodeQL, image builds)
        for entry in sequence(get(on, "schedule")):
            node = get(entry, "cron")
            if node is not None:
                out.append(
                    ScheduleSite(
                        name, _short(scalar(node)), "github-actions", line_of(node), target
                    )
                )
        return _sorted(out)
    _walk(root, "", out, budget)
    return _sorted(out)


# A `run:` step that starts the repository's own code, not a build, a test or a linter.
_APP_RUN = re.compile(
    r"(?<![\w-])(?:python3?|manage\.py|node|npm run|yarn|pnpm|npx|bundle exec|bin/rails|rails|rake"
    r"|go run|deno|bun|php|ruby|uv run|poetry run)(?![\w-])|(?<![\w./])\./[\w.-]"
)
_NOT_APP = re.compile(
    r"(?<![\w-])(?:test|tests|lint|build|pytest|rspec|jest|coverage|install|ci)\b"
)
MAX_STEPS = 200


def _workflow_command(jobs: yaml.Node | None) -> str | None:
    """The first `run:` command of a workflow that runs the repository's code, or None."""
    seen = 0
    for _, _, job in items(jobs):
        for step in sequence(get(job, "steps")):
            seen += 1
            if seen > MAX_STEPS:
                return None
            for line in scalar(get(step, "run")).splitlines()[:50]:
                line = line.strip()[:MAX_LINE]
                if _APP_RUN.search(line) and not _NOT_APP.search(line):
                    return _short(line, 80)
    return None


def _walk(
    node: object,
    key: str,
    out: list[ScheduleSite],
    budget: list[int],
    listed: bool = False,
    depth: int = 0,
) -> None:
    import yaml

    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_NESTING:  # libyaml nests ~1,000 deep: past Python's stack
        return
    if isinstance(node, yaml.MappingNode):
        children = list(items(node))
        found = next(((k, v) for k, _, v in children if k in _SCHEDULE_KEYS and scalar(v)), None)
        if found is not None:
            target = next((scalar(v) for k, _, v in children if k in _TARGET_KEYS), "")
            mech = "cron" if found[0] == "cron" else "recurring"
            # An entry of a list (`crons: [{path, schedule}]`) is named by what it runs.
            name = (target or key) if listed else (key or target)
            name = name or "schedule"
            out.append(
                ScheduleSite(
                    name, _short(scalar(found[1])), mech, line_of(found[1]), _short(target)
                )
            )
            return
        for k, _, v in children:
            _walk(v, k, out, budget, depth=depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _walk(child, key, out, budget, listed=True, depth=depth + 1)


_CRON_LINE = re.compile(
    r"\A\s*+((?:@(?:reboot|yearly|annually|monthly|weekly|daily|midnight|hourly))"
    r"|(?:[\d*/,\-A-Za-z?]++[ \t]++){4}[\d*/,\-A-Za-z?]++)[ \t]++(\S[^\n]*)"
)
_CRON_FIELD = re.compile(r"[\d*/,\-?]+|[A-Za-z]{3}(?:-[A-Za-z]{3})?")


def crontab_schedules(text: str) -> tuple[ScheduleSite, ...]:
    out: list[ScheduleSite] = []
    for i, line in enumerate(text.splitlines(), 1):
        line = line[:MAX_LINE]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _CRON_LINE.match(line)
        if not m:
            continue
        spec = m.group(1)
        if not spec.startswith("@") and not all(_CRON_FIELD.fullmatch(f) for f in spec.split()):
            continue
        command = m.group(2).strip()
        words = command.split()
        # `m h dom mon dow user command` in /etc/cron.d files: the command is after the user
        name = words[1] if len(words) > 1 and words[0].isidentifier() and "/" in words[1] else ""
        out.append(ScheduleSite(_short(name or command, 60), spec, "cron", i, _short(command)))
    return _sorted(out)


_TOML_FUNCTION = re.compile(r"\A\s*+\[functions\.?\"?([\w\-]*+)\"?\]")
_TOML_SCHEDULE = re.compile(r"\A\s*+schedule\s*+=\s*+[\"']([^\"'\n]{1,100})[\"']")


def netlify_schedules(text: str) -> tuple[ScheduleSite, ...]:
    out: list[ScheduleSite] = []
    current = ""
    for i, line in enumerate(text.splitlines(), 1):
        line = line[:MAX_LINE]
        m = _TOML_FUNCTION.match(line)
        if m:
            current = m.group(1) or "functions"
            continue
        m2 = _TOML_SCHEDULE.match(line)
        if m2 and current:
            out.append(ScheduleSite(current, m2.group(1), "netlify", i))
    return _sorted(out)


# --- Python -------------------------------------------------------------------------

# Only files holding one of these are scanned (each is a pass over every Python file, and
# a shorter needle such as "chedul" lets in files that only talk about schedulers).
_PY_TRIGGERS = (
    "crontab(",
    "beat_schedule",
    "BEAT_SCHEDULE",
    "periodic_task",
    "interval=",
    "run_every",
    "add_job(",
    "scheduled_job(",
    "schedule.every",
    "repeat_every",
)
_PY_KEYWORDS = ("interval", "run_every", "cron", "crontab", "schedule")


def python_schedules(text: str) -> tuple[ScheduleSite, ...]:
    """Python schedules by a line scan of the files a trigger names (an `ast` parse of a
    few large settings and test files cost ~a quarter of a Django project's extraction)."""
    if not any(t in text for t in _PY_TRIGGERS):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    beat = "beat" in text.lower() or "crontab(" in text
    quoted = docstring_lines(text)
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
            if d:
                name, args = d.group(1).rpartition(".")[2], d.group(2)
                # fastapi-utils' `@repeat_every(seconds=…)`, Celery's periodic tasks, …
                if "periodic" in name or name == "repeat_every" or _PY_WHEN.search(args):
                    target = _next_def(lines, i)
                    if target:
                        kind = "periodic-task" if "periodic" in name else name
                        out.append(
                            ScheduleSite(
                                target, _short(_args(args), 80), kind, target_line(lines, i)
                            )
                        )
            continue
        # Each pattern only where its literal is: a search from every position of a line
        # that cannot match costs more than the rest of the scan.
        m2 = _PY_INTERVAL_CALL.search(line) if ".enqueue" in line and "interval" in line else None
        if m2:
            out.append(
                ScheduleSite(m2.group(1).rpartition(".")[2], _short(m2.group(2), 80), "interval", i)
            )
            continue
        m3 = (
            (_PY_PERIODIC_CALL.search(line) if "add_periodic_task(" in line else None)
            or (_PY_ADD_JOB.search(line) if ".add_job(" in line else None)
            or (_PY_EVERY.search(line) if "schedule.every(" in line else None)
        )
        if m3:
            out.append(
                ScheduleSite(
                    m3.group("name").rpartition(".")[2],
                    _short(m3.group("when"), 80),
                    m3.group("kind") if "kind" in m3.re.groupindex else "schedule",
                    i,
                )
            )
    return _sorted(out)


_PY_BEAT_TASK = re.compile(r"([\"'])task\1\s*:\s*[\"']([\w.]{1,200})[\"']")
_PY_BEAT_SCHEDULE = re.compile(r"[\"']schedule[\"']\s*+:\s*+(.{1,120}?)\s*+,?\s*+\Z")
_PY_SCHED_DECORATOR = re.compile(r"\A\s*+@([\w.]{1,200})\((.{0,300})\Z")
_PY_WHEN = re.compile(r"\b(?:interval|run_every|cron|crontab|schedule)\s*=|crontab\(")
_PY_DEF_OR_CLASS = re.compile(r"\A\s*+(?:async\s++)?(?:def|class)\s++([A-Za-z_]\w*)")
_PY_INTERVAL_CALL = re.compile(
    r"([\w.]{1,200})\.enqueue(?:_once)?\(.{0,300}?\binterval\s*=\s*([^,)]{1,120})"
)
_PY_PERIODIC_CALL = re.compile(
    r"add_periodic_task\(\s*(?P<when>[^,]{1,120}),\s*(?P<name>[\w.]{1,200})(?P<kind>)"
)
_PY_ADD_JOB = re.compile(
    r"\.add_job\(\s*(?P<name>[\w.]{1,200})\s*,\s*(?P<when>[\"'](?:cron|interval)[\"'].{0,120}?)\)?\s*\Z"
)
_PY_EVERY = re.compile(r"(?P<when>schedule\.every\(.{0,120}?)\.do\(\s*(?P<name>[\w.]{1,200})")


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


# --- Ruby, JavaScript/TypeScript, Go ------------------------------------------------

_RB_EVERY = re.compile(r"\A\s*+every\s++([^\n]{1,120}?)\s+do\b")
_RB_RUNS = re.compile(r"\A\s*+(runner|rake|command)\s++[\"']([^\"'\n]{1,200})[\"']")
_RB_HASH = re.compile(
    r"\A\s*+[\"']?([\w\-]++)[\"']?\s*+(?::|=>)\s*+\{[^\n]{0,400}?\bcron:\s*[\"']([^\"'\n]{1,100})[\"']"
    r"(?:[^\n]{0,400}?\bclass:\s*[\"']([\w:]+)[\"'])?"
)


def ruby_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if "every" not in text and "cron:" not in text:
        return ()
    out: list[ScheduleSite] = []
    every: tuple[str, int] | None = None
    for i, line in enumerate(text.splitlines(), 1):
        line = line[:MAX_LINE]
        if line.lstrip().startswith("#"):
            continue
        m = _RB_EVERY.match(line)
        if m:
            every = (m.group(1), i)
            continue
        r = _RB_RUNS.match(line) if every else None
        if r and every:
            out.append(ScheduleSite(_short(r.group(2), 60), every[0], "whenever", i, r.group(1)))
            continue
        if "cron:" in line:
            h = _RB_HASH.match(line)
            if h:
                out.append(ScheduleSite(h.group(1), h.group(2), "cron", i, h.group(3) or ""))
    return _sorted(out)


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
    return 5 <= len(fields) <= 7 and all(_CRON_FIELD.fullmatch(f) for f in fields)


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
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("//"):
            continue
        for m in _GO_CRON.finditer(line):
            if _cron_spec(m.group(2)):
                out.append(ScheduleSite(m.group(3) or "cron job", m.group(2), "robfig-cron", i))
        for m in _GO_TICK.finditer(line):
            out.append(ScheduleSite("ticker", m.group(2), "ticker", i))
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


def schedules_for(language: str, text: str) -> tuple[ScheduleSite, ...]:
    if language == "python":
        return _sorted([*python_schedules(text), *python_loops(text)])
    if language == "ruby":
        return _sorted([*ruby_schedules(text), *ruby_loops(text)])
    if language in ("javascript", "typescript"):
        return javascript_schedules(text)
    if language == "go":
        return _sorted([*go_schedules(text), *go_loops(text)])
    return ()
