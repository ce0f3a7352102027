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
  (`name: { cron: "…", class: "X" }`). JavaScript/TypeScript: NestJS `@Cron`/`@Interval`,
  node-cron `cron.schedule("…")`, `new CronJob("…")`. Go: robfig/cron `AddFunc`/`AddJob`,
  `time.NewTicker`/`time.Tick`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from bot.core.analysis.yaml_nodes import compose_yaml, get, items, line_of, scalar, sequence
from bot.core.model import ScheduleSite

MAX_NODES = 20_000
MAX_LINE = 2_000
_SCHEDULE_KEYS = ("schedule", "cron", "every")
_TARGET_KEYS = ("class", "command", "task", "job", "path", "run", "worker")
_YAML_TRIGGERS = (b"schedule", b"cron:", b"every:", b"crons")


def _sorted(sites: list[ScheduleSite]) -> tuple[ScheduleSite, ...]:
    return tuple(sorted(set(sites)))


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


def _yaml_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    root = compose_yaml(data.decode("utf-8", "replace"))
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
        for entry in sequence(get(on, "schedule")):
            node = get(entry, "cron")
            if node is not None:
                out.append(
                    ScheduleSite(name, _short(scalar(node)), "github-actions", line_of(node))
                )
        return _sorted(out)
    _walk(root, "", out, budget)
    return _sorted(out)


def _walk(
    node: object, key: str, out: list[ScheduleSite], budget: list[int], listed: bool = False
) -> None:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
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
            _walk(v, k, out, budget)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _walk(child, key, out, budget, listed=True)


_CRON_LINE = re.compile(
    r"\s*((?:@(?:reboot|yearly|annually|monthly|weekly|daily|midnight|hourly))"
    r"|(?:[\d*/,\-A-Za-z?]+[ \t]+){4}[\d*/,\-A-Za-z?]+)[ \t]+(\S[^\n]*)"
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


_TOML_FUNCTION = re.compile(r"\s*\[functions\.?\"?([\w\-]*)\"?\]")
_TOML_SCHEDULE = re.compile(r"\s*schedule\s*=\s*[\"']([^\"'\n]{1,100})[\"']")


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

_PY_TRIGGERS = (
    "crontab",
    "beat_schedule",
    "BEAT_SCHEDULE",
    "periodic",
    "interval",
    "run_every",
    "add_job",
    "scheduled_job",
    "schedule.every",
)
_PY_KEYWORDS = ("interval", "run_every", "cron", "crontab", "schedule")


def python_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if not any(t in text for t in _PY_TRIGGERS):
        return ()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    beat = "beat" in text.lower() or "crontab(" in text
    out: list[ScheduleSite] = []
    try:
        for node in ast.walk(tree):
            out.extend(_py_node(node, beat))
    except RecursionError:
        return ()
    return _sorted(out)


def _src(node: ast.AST | None) -> str:
    if node is None:
        return ""
    try:
        return _short(ast.unparse(node), 80)
    except (ValueError, RecursionError, AttributeError):
        return ""


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.split(r"[.:]", node.value)[-1]
    return ""


def _py_node(node: ast.AST, beat: bool) -> Iterator[ScheduleSite]:
    if isinstance(node, ast.Dict) and beat:
        keys = {_const(k): v for k, v in zip(node.keys, node.values, strict=False) if k}
        task = keys.get("task")
        if isinstance(task, ast.Constant) and isinstance(task.value, str):
            when = _src(keys.get("schedule")) or "celery beat"
            yield ScheduleSite(
                task.value.rpartition(".")[2], when, "celery-beat", task.lineno, task.value
            )
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call):
                continue
            name = _last_name(dec.func)
            given = next((k.value for k in dec.keywords if k.arg in _PY_KEYWORDS), None)
            if "periodic" in name:
                spec = _src(dec.args[0]) if dec.args else _src(given)
                yield ScheduleSite(node.name, spec or name, "periodic-task", node.lineno)
            elif given is not None:
                yield ScheduleSite(node.name, _src(given), name or "decorator", node.lineno)
    elif isinstance(node, ast.Call):
        func = node.func
        name = _last_name(func)
        if name in ("enqueue_once", "enqueue") and isinstance(func, ast.Attribute):
            interval = next((k.value for k in node.keywords if k.arg == "interval"), None)
            receiver = _last_name(func.value)
            if interval is not None and receiver:
                yield ScheduleSite(receiver, _src(interval), "interval", node.lineno)
        elif name == "add_periodic_task" and len(node.args) >= 2:
            yield ScheduleSite(
                _short(_src(node.args[1]), 60), _src(node.args[0]), "celery-beat", node.lineno
            )
        elif name in ("add_job", "scheduled_job") and node.args:
            trigger = next((_const(a) for a in node.args if _const(a) in ("cron", "interval")), "")
            if trigger:
                fn = _last_name(node.args[0]) if name == "add_job" else "scheduled job"
                kw = ", ".join(f"{k.arg}={_src(k.value)}" for k in node.keywords if k.arg)
                yield ScheduleSite(
                    fn or "job", _short(f"{trigger} {kw}".strip()), "apscheduler", node.lineno
                )
        elif name == "do" and isinstance(func, ast.Attribute) and "every" in _src(func):
            if not node.args:
                return
            yield ScheduleSite(
                _last_name(node.args[0]) or "job", _src(func.value), "schedule", node.lineno
            )


def _const(node: ast.AST | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


# --- Ruby, JavaScript/TypeScript, Go ------------------------------------------------

_RB_EVERY = re.compile(r"\s*every\s+([^\n]{1,120}?)\s+do\b")
_RB_RUNS = re.compile(r"\s*(runner|rake|command)\s+[\"']([^\"'\n]{1,200})[\"']")
_RB_HASH = re.compile(
    r"\s*[\"']?([\w\-]+)[\"']?\s*(?::|=>)\s*\{[^\n]{0,400}?\bcron:\s*[\"']([^\"'\n]{1,100})[\"']"
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


_JS_DECORATOR = re.compile(r"\s*@(Cron|Interval)\(\s*([^)\n]{1,120})\)")
_JS_METHOD = re.compile(
    r"\s*(?:(?:public|private|protected|async|static)\s+)*([A-Za-z_$][\w$]*)\s*\("
)
_JS_CALL = re.compile(
    r"(?:cron\.schedule|new\s+CronJob|schedule\.scheduleJob)\(\s*(['\"`][^'\"`\n]{1,100}['\"`])"
)


def javascript_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if (
        "Cron" not in text
        and "Interval(" not in text
        and "cron" not in text
        and "scheduleJob" not in text
    ):
        return ()
    out: list[ScheduleSite] = []
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    for i, line in enumerate(lines, 1):
        m = _JS_DECORATOR.match(line)
        if m:
            method = ""
            for nxt in lines[i : i + 4]:
                mm = _JS_METHOD.match(nxt)
                if mm and not nxt.lstrip().startswith("@"):
                    method = mm.group(1)
                    break
            out.append(ScheduleSite(method or m.group(1), m.group(2).strip(), "nestjs", i))
            continue
        for c in _JS_CALL.finditer(line):
            out.append(ScheduleSite("cron job", c.group(1).strip("'\"`"), "node-cron", i))
    return _sorted(out)


_GO_CRON = re.compile(r"\.(AddFunc|AddJob)\(\s*\"([^\"\n]{1,100})\"\s*,\s*([\w.]{0,100})")
_GO_TICK = re.compile(r"time\.(NewTicker|Tick)\(\s*([^)\n]{1,100})\)")


def go_schedules(text: str) -> tuple[ScheduleSite, ...]:
    if (
        "AddFunc" not in text
        and "AddJob" not in text
        and "time.Tick" not in text
        and "NewTicker" not in text
    ):
        return ()
    out: list[ScheduleSite] = []
    for i, line in enumerate(text.splitlines(), 1):
        line = line[:MAX_LINE]
        if line.lstrip().startswith("//"):
            continue
        for m in _GO_CRON.finditer(line):
            out.append(ScheduleSite(m.group(3) or "cron job", m.group(2), "robfig-cron", i))
        for m in _GO_TICK.finditer(line):
            out.append(ScheduleSite("ticker", m.group(2), "ticker", i))
    return _sorted(out)


def schedules_for(language: str, text: str) -> tuple[ScheduleSite, ...]:
    if language == "python":
        return python_schedules(text)
    if language == "ruby":
        return ruby_schedules(text)
    if language in ("javascript", "typescript"):
        return javascript_schedules(text)
    if language == "go":
        return go_schedules(text)
    return ()
