"""Scheduled work declared in one file: cron files, beat schedules, recurring-job YAML,
decorators and tickers. Pure: bytes in, `ScheduleSite`s out, cached with the file's facts.

* YAML (Solid Queue `recurring.yml`, sidekiq-cron / sidekiq-scheduler, Kubernetes
  `CronJob`, GitHub Actions `on.schedule`, `vercel.json` crons — JSON is YAML): any mapping
  with a `schedule`, `cron` or `every` scalar is an entry; its key (or `metadata.name`, or
  `path`) names it, and `class`/`command`/`task`/`job`/`path` say what it runs. The walk
  visits at most `MAX_NODES` nodes, so aliases cannot blow it up.
* crontab lines (`m h dom mon dow command`, `@daily command`); Netlify `schedule = "…"`.
* Python (`schedules_python`): Celery beat entries and `add_periodic_task`, django-celery-beat,
  periodic decorators, APScheduler, rq-scheduler, Django-Q, arq, `schedule.every(…).do(f)`.
* Ruby (`schedules_ruby`): `whenever`, GoodJob/sidekiq-cron hashes, clockwork; the tasks of
  a rake namespace named for a clock (`schedules_rake`); rolling restarts
  (`schedules_restarts`).
* JavaScript/TypeScript: `schedules_js`. Go (`schedules_go`): robfig/cron `AddFunc`/`AddJob`,
  `time.NewTicker`/`time.Tick`, gocron, asynq's scheduler.
* Polling loops in Python, Ruby and Go (`loops.py`): a loop that never ends by its own
  condition and sleeps.
"""

from __future__ import annotations

import re
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING

from bot.core.analysis.loops import go_loops, js_loops, python_loops, ruby_loops
from bot.core.analysis.schedules_cron_options_js import cron_option_jobs
from bot.core.analysis.schedules_go import CRON_FIELD, go_schedules
from bot.core.analysis.schedules_go_wrappers import inside_wrappers
from bot.core.analysis.schedules_go_wrappers import wrapper_sites as go_wrapper_sites
from bot.core.analysis.schedules_js import javascript_schedules
from bot.core.analysis.schedules_python import python_schedules
from bot.core.analysis.schedules_rake import rake_schedules
from bot.core.analysis.schedules_restarts import restart_schedules
from bot.core.analysis.schedules_ruby import ruby_schedules, task_class_schedules
from bot.core.analysis.schedules_temporal_js import temporal_timers
from bot.core.analysis.words import Needles
from bot.core.analysis.yaml_nodes import compose_yaml, get, items, line_of, scalar, sequence
from bot.core.lazy_pattern import lazy
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
    if "<%" in text:  # an ERB-templated manifest: YAML once its tags are out
        return yaml_schedules(data)
    cron = crontab_schedules(text)
    if cron:
        return cron
    if "[functions" in text and "schedule" in text:
        return netlify_schedules(text)
    return yaml_schedules(data)


_YAML_NEEDLES = Needles(_YAML_TRIGGERS)  # their words first (`words`): most files hold none


def yaml_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    if not _YAML_NEEDLES.any_in(data):
        return ()
    try:
        return _yaml_schedules(data)
    except RecursionError:  # nesting deeper than PyYAML (or the walk) can follow
        return ()


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, by libyaml where PyYAML has it (a CI workflow file took ~25 ms to
    compose in pure Python), within `yaml_bounds`' nesting and expansion limits."""
    return compose_yaml(text, fast=True)


# An ERB tag of a templated manifest (`deploy/cron.yaml.erb`): `<% if … %>` lines make the
# text invalid YAML. A tag alone on its line becomes a blank line, one inside a value a word,
# so the lines keep their numbers.
# A tag holds no "%" (so each scan stops at the next one).
_ERB_LINE = lazy(r"^[ \t]*+<%[^%\n]{0,300}+%>[ \t]*+$", re.MULTILINE)
_ERB_TAG = lazy(r"<%[^%\n]{0,300}+%>")


def _without_erb(text: str) -> str:
    if "<%" not in text:
        return text
    return _ERB_TAG.sub("erb", _ERB_LINE.sub("", text))


def _yaml_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    root = _compose(_without_erb(data.decode("utf-8", "replace")))
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


# The first word of a command, never a user name (`cd /srv/app && ./bin/refresh`).
_SHELL_WORDS = frozenset({"cd", "exec", "env", "nice", "sh", "bash", "flock", "timeout", "test"})


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
        if not spec.startswith("@") and not all(CRON_FIELD.fullmatch(f) for f in spec.split()):
            continue
        command = m.group(2).strip()
        words = command.split()
        # `m h dom mon dow user command` in /etc/cron.d files: the command is after the user
        user = len(words) > 1 and words[0].isidentifier() and words[0] not in _SHELL_WORDS
        name = words[1] if user and "/" in words[1] else ""
        out.append(ScheduleSite(_short(name or command, 60), spec, "cron", i, _short(command)))
    return _sorted(out)


_TOML_FUNCTION = lazy(r"\A\s*+\[functions\.?\"?([\w\-]*+)\"?\]")
_TOML_SCHEDULE = lazy(r"\A\s*+schedule\s*+=\s*+[\"']([^\"'\n]{1,100})[\"']")


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


def schedules_for(language: str, text: str) -> tuple[ScheduleSite, ...]:
    if language == "python":
        return _sorted([*python_schedules(text), *python_loops(text)])
    if language == "ruby":
        ruby = [*ruby_schedules(text), *ruby_loops(text), *task_class_schedules(text)]
        return _sorted([*ruby, *rake_schedules(text), *restart_schedules(text)])
    if language in ("javascript", "typescript"):
        found = [*javascript_schedules(text), *js_loops(text), *cron_option_jobs(text)]
        timers = temporal_timers(text)
        if timers:  # a timer in a loop is the loop's own sleep: not a second schedule
            looped = {s.line for s in found}
            found += [t for t in timers if t.line not in looped]
        return _sorted(found)
    if language == "go":
        wrapped = go_wrapper_sites(text)
        inside = inside_wrappers(wrapped)  # a wrapper's own `c.AddFunc(spec, job)`
        own = [s for s in go_schedules(text) if s.line not in inside]
        return _sorted([*own, *go_loops(text), *wrapped])
    return ()
