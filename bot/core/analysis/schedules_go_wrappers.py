"""Go schedules added through the repository's own scheduler wrapper.

Many Go services hide their cron library behind a small type of their own
(`func (s *sched) Add(spec string, job func()) { s.c.AddFunc(spec, job) }`) and register
work with `sched.Add(cfg.BackupSchedule, func() { … })` all over the code, so neither the
library's name nor its method appears at the call. The rule is structural, whatever the
wrapper and its method are named:

* a *wrapper*: a function or method with a `func`-typed parameter whose body hands that
  parameter to a cron library's scheduling call (`AddFunc`, `AddJob`, `Schedule`,
  `FuncJob`, gocron's `NewTask`/`Do`), in a file that imports a cron package;
* a *call*: `x.M(spec, func() {` (or `x.M(spec, f)` with `f := func() {` or a `func f()` of
  the file), where
  `M` is the wrapper's name and the calling file is in the wrapper's package or imports it;
* or a call whose spec is a cron literal (`"@every 30m"`, five cron fields), or a constant
  the repository declares with such a value: a method given a cron spec and a closure
  schedules it, whatever it is called.

Per file this module only records raw material (mechanisms `WRAPPER`, `CONSTANT`, `CALL`);
`resolve` pairs them across the repository. Bounded line scans, linear patterns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from bot.core.analysis.schedules_go import _GO_CALL, _LOG_HEADS, _cron_spec
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ScheduleSite

WRAPPER = "cron-wrapper-def"
CONSTANT = "cron-spec-const"
CALL = "cron-wrapper-call"
RAW = frozenset({WRAPPER, CONSTANT, CALL})
MECHANISM = "cron"

MAX_LINE = 2_000
MAX_BODY = 60  # lines of a wrapper's body looked at
MAX_SPEC_LOOKBACK = 15
MAX_TASK_LINES = 4

_CRON_IMPORT = lazy(r"\"[\w.\-/]{0,200}/(?:go)?cron(?:/v\d{1,3})?\"")
# `func (s *T) Name(params)` or `func Name(params)`; a parameter may be `func(…)`-typed.
_FUNC_DEF = lazy(
    r"\Afunc[ \t]*+(?:\([^()\n]{0,200}\)[ \t]*+)?([A-Za-z_]\w{0,60})[ \t]*+"
    r"\(((?:[^()\n]|\([^()\n]{0,200}\)){0,400})\)"
)
_HANDS = ("AddFunc(", "AddJob(", ".Schedule(", "FuncJob(", "NewTask(", ".Do(")
# `const X = "…"` or, inside a const block, `X = "…"` (an optional type between).
_CONST = lazy(
    r"\A[ \t]*+(?:const[ \t]++)?([A-Za-z_]\w{0,100})(?:[ \t]++[\w.]{1,60})?[ \t]*+=[ \t]*+"
    r"\"([^\"\n]{1,100})\""
)
# `x.M(spec, func() {` / `x.M(spec, f)`: M exported or not, spec one simple expression.
_CALL = lazy(
    r"([A-Za-z_][\w.]{0,100})\.([A-Za-z_]\w{0,60})\([ \t]*+"
    r"(\"[^\"\n]{1,100}\"|[A-Za-z_][\w.]{0,120})[ \t]*+,[ \t]*+"
    r"(func\(\)[ \t]*+\{|[A-Za-z_]\w{0,60}[ \t]*+\))"
)
_NO_PARAMS = lazy(r"\Afunc[ \t]++([A-Za-z_]\w{0,60})[ \t]*+\(\)")
_CLOSURE_VAR = lazy(r"\A[ \t]*+([A-Za-z_]\w{0,60})[ \t]*+:?=[ \t]*+func\(\)")
_ASSIGN = lazy(r"\A[ \t]*+([A-Za-z_]\w{0,60})[ \t]*+:?=[ \t]*+([A-Za-z_][\w.]{0,120})[ \t]*+$")
# The library's own methods `go_schedules` reads already (robfig/cron's `Schedule` takes a
# schedule value, not a spec: a call `x.Schedule("* * * * *", f)` is a wrapper's).
_LIBRARY = frozenset({"AddFunc", "AddJob", "Do", "NewTask"})


def may_schedule(text: str) -> bool:
    return "func()" in text or '"@' in text or "cron" in text


def wrapper_sites(text: str) -> tuple[ScheduleSite, ...]:
    """Raw material of one Go file: wrapper definitions, cron-spec constants, calls."""
    if not may_schedule(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[ScheduleSite] = []
    if "cron" in text and _CRON_IMPORT.search(text):
        out.extend(_wrappers(lines))
    if '"' in text:
        out.extend(_constants(lines))
    if "func()" in text or "* *" in text or '"@' in text:  # a closure, or a cron literal
        out.extend(_calls(lines))
    return tuple(out)


def _params(text: str) -> list[tuple[str, str]]:
    """(name, type) of each parameter; `a, b string` gives both the type."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    out: list[tuple[str, str]] = []
    pending: list[str] = []
    for part in parts:
        words = part.strip().split(None, 1)
        if len(words) == 1:
            pending.append(words[0])
        elif len(words) == 2:
            for name in [*pending, words[0]]:
                out.append((name, words[1].strip()))
            pending = []
    return out


def _wrappers(lines: list[str]) -> list[ScheduleSite]:
    out = []
    for i, line in enumerate(lines):
        if not line.startswith("func"):
            continue
        m = _FUNC_DEF.match(line)
        if not m:
            continue
        jobs = [n for n, t in _params(m.group(2)) if t.startswith("func(") and n.isidentifier()]
        if not jobs:
            continue
        for k, body in enumerate(lines[i + 1 : i + 1 + MAX_BODY], i + 2):
            if body.startswith("}"):
                break
            if any(h in body for h in _HANDS) and any(_word_in(j, body) for j in jobs):
                # target: the line handing the job to the library (`inside_wrappers`)
                out.append(ScheduleSite(m.group(1), "", WRAPPER, i + 1, str(k)))
                break
    return out


def inside_wrappers(sites: tuple[ScheduleSite, ...]) -> frozenset[int]:
    """The lines where a wrapper hands its job parameter to the cron library: the library
    call there schedules whatever the wrapper's callers give, not a job of its own."""
    return frozenset(int(s.target) for s in sites if s.mechanism == WRAPPER and s.target.isdigit())


def _word_in(word: str, line: str) -> bool:
    start = line.find(word)
    while start != -1:
        end = start + len(word)
        before = line[start - 1] if start else " "
        after = line[end] if end < len(line) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = line.find(word, end)
    return False


def _constants(lines: list[str]) -> list[ScheduleSite]:
    out = []
    for i, line in enumerate(lines, 1):
        if "=" not in line or '"' not in line:
            continue
        m = _CONST.match(line)
        if m and _cron_spec(m.group(2)):
            out.append(ScheduleSite(m.group(1), m.group(2), CONSTANT, i))
    return out


def _calls(lines: list[str]) -> list[ScheduleSite]:
    closures: dict[str, int] = {}  # a variable bound to a closure -> the line after it
    defined: set[str] = set()  # the file's own functions without parameters
    for i, line in enumerate(lines, 1):
        if "func()" in line and (c := _CLOSURE_VAR.match(line)):
            closures[c.group(1)] = i
        elif line.startswith("func ") and (d := _NO_PARAMS.match(line)):
            defined.add(d.group(1))
    out = []
    holder = ""  # the top-level function the line is in
    for i, line in enumerate(lines, 1):
        if line.startswith("func") and (h := _FUNC_DEF.match(line)):
            holder = h.group(1)
        if "," not in line or line.lstrip().startswith("//"):
            continue
        for m in _CALL.finditer(line):
            method, spec, job = m.group(2), m.group(3), m.group(4)
            if method in _LIBRARY:
                continue
            if job.startswith("func"):
                body = [line[m.end() :], *lines[i : i + MAX_TASK_LINES]]
                run = _first_call(body)
                if holder and _binds_first(body):
                    # `s := db.NewSession()` sets the job up: the function registering the
                    # closure names it better (`RegisterReminderCron`)
                    run = holder
            elif (var := job.rstrip(") \t")) in closures:
                at = closures[var]
                run = _first_call(
                    [lines[at - 1].partition("func()")[2], *lines[at : at + MAX_TASK_LINES]]
                )
            elif var in defined:
                run = var  # `sched.Add("0 * * * *", cleanup)`: a function of the file
            else:
                continue
            if spec.startswith('"'):
                spec = spec[1:-1]
                if not _cron_spec(spec):
                    continue  # `m.Handle("/path", f)`: no schedule
            else:
                spec = _assigned(lines, i, spec)
            out.append(ScheduleSite(run or method, spec, CALL, i, method))
    return out


# Calls that only note the time or build a context: not what a closure runs.
_PLUMBING = frozenset({*_LOG_HEADS, "time", "context", "errors", "ctx"})


def _binds_first(lines: list[str]) -> bool:
    """Whether the closure's first statement binds a variable (`s := open()`)."""
    for line in lines:
        code = line.strip()
        if code and not code.startswith("//"):
            return ":=" in code or code.startswith("var ")
    return False


def _first_call(lines: list[str]) -> str:
    """The closure's first call that is not a log line, a clock read or plumbing."""
    for line in lines:
        for c in _GO_CALL.finditer(line):
            head, _, name = c.group(1).rpartition(".")
            if head.split(".")[0] in _PLUMBING or c.group(1) in _PLUMBING or name == "func":
                continue
            return name
    return ""


def _assigned(lines: list[str], i: int, spec: str) -> str:
    """`spec` as the line above that sets it reads it (`s := conf.Backup.Schedule`)."""
    if "." in spec:
        return spec
    for above in reversed(lines[max(0, i - 1 - MAX_SPEC_LOOKBACK) : i - 1]):
        m = _ASSIGN.match(above)
        if m and m.group(1) == spec:
            return m.group(2)
    return spec


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


def resolve(
    facts: Mapping[str, FileFacts], skip: Callable[[str], bool]
) -> Iterable[tuple[str, ScheduleSite]]:
    """The calls that schedule work: (path, site with mechanism `cron`)."""
    wrappers: set[tuple[str, str]] = set()  # (folder, name)
    consts: dict[tuple[str, str], str] = {}  # (folder, name) -> spec
    calls: list[tuple[str, ScheduleSite]] = []
    for path, f in facts.items():
        if f.language != "go" or skip(path):
            continue
        for s in f.schedules:
            if s.mechanism == WRAPPER:
                wrappers.add((_folder(path), s.name))
            elif s.mechanism == CONSTANT:
                consts.setdefault((_folder(path), s.name), s.schedule)
            elif s.mechanism == CALL:
                calls.append((path, s))
    if not calls:
        return
    by_base: dict[tuple[str, str], str] = {}
    for (folder, name), spec_value in consts.items():
        by_base.setdefault((folder.rpartition("/")[2], name), spec_value)
    for path, s in calls:
        here = _folder(path)
        spec = s.schedule
        head, _, last = spec.rpartition(".")
        value: str | None = (
            consts.get((here, spec)) if not head else by_base.get((head.rpartition(".")[2], last))
        )
        if value is None and _cron_spec(spec):
            value = spec
        imported = {r.spec for r in facts[path].imports}
        wrapped = any(
            name == s.target
            and (folder == here or any(i == folder or i.endswith("/" + folder) for i in imported))
            for folder, name in wrappers
        )
        if value is not None or wrapped:
            yield path, replace(s, schedule=value or spec, mechanism=MECHANISM)
