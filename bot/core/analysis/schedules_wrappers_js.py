"""JS/TS schedules set through a repository's own layer, where no library call shows the
clock.

* A scheduling helper given a cron: a call whose callee's name says it schedules or repeats
  (`scheduleRecurringJob(queue, { jobName: Jobs.Nightly, pattern: "15 3 * * *" })`,
  `registerCron({ cron: NIGHTLY_CRON })`) with a `pattern:`/`cron:` key holding a cron
  expression, or a constant whose name says cron. Cited at the key, named by the object's
  `jobName:`/`name:` (else the callee). The libraries' own calls (`upsertJobScheduler`,
  `scheduleJob`, `.schedule(`) are read by `schedules_js`.
* A runner base paced by a member its subclasses give: an abstract class whose file re-arms
  a `setTimeout`/`setInterval` and declares `abstract get intervalMs()` (or an abstract
  property) that the file reads as `this.intervalMs`. Per file only raw sites are left: the
  base (`PACED_BASE`, target the member), an abstract class's parent (`ABSTRACT_CHILD`), and
  each getter a subclass defines (`SUBCLASS_GETTER`, schedule the parent, target the getter,
  the returned expression after a tab). `paced_subclasses` then names, by class name across
  the repository, every concrete subclass (through abstract ones, `MAX_DEPTH` deep) that
  gives the member: one loop each, cited at its getter.

Patterns are literal-led with bounded repeats; every scan is capped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.schedules_go import CRON_FIELD
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ScheduleSite

MECHANISM = "scheduler helper"
PACED = "runner loop"  # a subclass of a timer-paced base
PACED_BASE = "js-paced-base"
ABSTRACT_CHILD = "js-abstract-child"
SUBCLASS_GETTER = "js-subclass-getter"
RAW = frozenset({PACED_BASE, ABSTRACT_CHILD, SUBCLASS_GETTER})
MAX_SITES = 200
MAX_BACK = 6  # lines from a `pattern:` key up to its call
MAX_CALL_LINES = 12  # lines of that call searched for the job's name
MAX_CLASS_LINES = 600  # lines of a class read for its getters
MAX_GETTERS = 20  # per class
MAX_DEPTH = 3  # base -> abstract subclass -> ... -> subclass

_KEY = lazy(
    r"(?<![\w$.])(?:pattern|cron)[ \t]*+:[ \t]*+(?:(['\"`])([^'\"`\n]{1,100}+)\1"
    r"|([A-Z][A-Z0-9_]{0,100}+)(?![\w$(.]))"
)
_CALLEE = lazy(r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)[ \t]*+\(")
_SAYS = ("schedul", "recurr", "repeat", "cron")
_LIBRARY = frozenset({"upsertJobScheduler", "scheduleJob", "schedule", "add", "CronJob", "Cron"})
_JOB_NAME = lazy(
    r"(?<![\w$.])(?:jobName|name|id)[ \t]*+:[ \t]*+(?:(['\"`])([\w.:/\- ]{1,100}+)\1"
    r"|([A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+)?))"
)
_CLASS = lazy(
    r"\A(?:export[ \t]++)?(?:default[ \t]++)?(abstract[ \t]++)?class[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+)(?:[ \t]*+<[^>\n]{0,200}+>)?(?:[ \t]++extends[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+))?"
)
_ABSTRACT_MEMBER = lazy(
    r"\A[ \t]++(?:(?:public|protected|private|readonly)[ \t]++){0,2}+abstract[ \t]++"
    r"(?:readonly[ \t]++)?(?:get[ \t]++)?([A-Za-z_$][\w$]{0,100}+)"
)
_GETTER = lazy(
    r"\A[ \t]++(?:(?:public|protected|private|override|static)[ \t]++){0,3}+get[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+)[ \t]*+\([ \t]*+\)"
)
_RETURN = lazy(r"\A[ \t]*+return[ \t]++([^;\n]{1,100}+)")


def _cron(value: str) -> bool:
    fields = value.split()
    return len(fields) in (5, 6) and all(CRON_FIELD.fullmatch(f) for f in fields)


_PACE_WORDS = ("interval", "delay", "period", "every", "sleep", "tick")


def _paces(member: str) -> bool:
    """The member's name says it times a loop (`intervalMs`, `pollDelay`, `tickPeriod`)."""
    low = member.lower()
    return any(w in low for w in _PACE_WORDS)


def _code(line: str) -> bool:
    return not line.lstrip().startswith(("//", "*", "/*"))


def helper_schedules(text: str) -> tuple[ScheduleSite, ...]:
    """Schedules set through a scheduling helper, and the raw sites of timer-paced bases."""
    out: list[ScheduleSite] = []
    if "pattern" in text or "cron" in text:
        out += _helper_calls(text)
    if "class " in text:
        out += _class_sites(text)
    return tuple(out[:MAX_SITES])


def _helper_calls(text: str) -> list[ScheduleSite]:
    lines = text.split("\n")
    at = Lines(text)
    out: list[ScheduleSite] = []
    for m in _KEY.finditer(text):
        if len(out) >= MAX_SITES:
            break
        when = m.group(2) or m.group(3)
        if m.group(2) is not None and not _cron(m.group(2)):
            continue
        if m.group(3) is not None and "CRON" not in m.group(3):
            continue
        i = at.at(m.start())
        if not _code(lines[i - 1]):
            continue
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1)
        callee, start = _helper(lines, i, col)
        if not callee:
            continue
        name = callee
        for j in range(start, min(len(lines), start + MAX_CALL_LINES)):
            n = _JOB_NAME.search(lines[j])
            if n is not None:
                name = (n.group(2) or n.group(3) or "").rpartition(".")[2] or callee
                break
        out.append(ScheduleSite(name, when.strip(), MECHANISM, i, callee))
    return out


def _helper(lines: list[str], i: int, col: int) -> tuple[str, int]:
    """The callee of the call holding column `col` of line `i` (found a few lines up), when
    its name says it schedules: (name, its line's index)."""
    for k in range(i - 1, max(-1, i - 1 - MAX_BACK), -1):
        line = lines[k][:col] if k == i - 1 else lines[k]
        if "(" not in line:
            continue
        for c in _CALLEE.finditer(line):
            name = c.group(1)
            if name in _LIBRARY or not any(w in name.lower() for w in _SAYS):
                continue
            if line[c.end() :].count(")") <= line[c.end() :].count("("):  # still open
                return name, k
        return "", k
    return "", i


def _class_sites(text: str) -> list[ScheduleSite]:
    lines = text.split("\n")
    timed = "setTimeout(" in text or "setInterval(" in text
    at = Lines(text)
    out: list[ScheduleSite] = []
    for pos in _positions(text, ("class ",), cap=MAX_SITES):
        i = at.at(pos)
        m = _CLASS.match(lines[i - 1])
        if m is None or (not m.group(3) and not (m.group(1) and timed)):
            continue
        abstract, name, parent = bool(m.group(1)), m.group(2), m.group(3) or ""
        body = lines[i : i + MAX_CLASS_LINES]
        end = next((k for k, line in enumerate(body) if line.rstrip() == "}"), len(body))
        body = body[:end]
        if abstract and parent:
            out.append(ScheduleSite(name, parent, ABSTRACT_CHILD, i))
        if abstract and timed:
            members = (_ABSTRACT_MEMBER.match(line) for line in body if "abstract" in line)
            for a in members:
                if a is not None and _paces(a.group(1)) and f"this.{a.group(1)}" in text:
                    out.append(ScheduleSite(name, "", PACED_BASE, i, a.group(1)))
        if not parent:
            continue
        getters = 0
        for k, line in enumerate(body):
            g = _GETTER.match(line) if "get " in line else None
            if g is None or not _code(line):
                continue
            returned = next(
                (r.group(1).strip() for r in map(_RETURN.match, body[k + 1 : k + 4]) if r), ""
            )
            target = f"{g.group(1)}\t{returned}"
            out.append(ScheduleSite(name, parent, SUBCLASS_GETTER, i + 1 + k, target))
            getters += 1
            if getters >= MAX_GETTERS:
                break
    return out


def paced_subclasses(
    facts: Mapping[str, FileFacts], skip: Callable[[str], bool]
) -> Iterable[tuple[str, ScheduleSite]]:
    """(path, schedule) for each concrete subclass giving a timer-paced base its member."""
    bases: dict[str, str] = {}
    children: dict[str, str] = {}
    getters: list[tuple[str, ScheduleSite]] = []
    for path, f in facts.items():
        if skip(path) or f.language not in ("javascript", "typescript"):
            continue
        for s in f.schedules:
            if s.mechanism == PACED_BASE:
                bases.setdefault(s.name, s.target)
            elif s.mechanism == ABSTRACT_CHILD:
                children.setdefault(s.name, s.schedule)
            elif s.mechanism == SUBCLASS_GETTER:
                getters.append((path, s))
    if not bases:
        return
    for _ in range(MAX_DEPTH):  # an abstract subclass paces its own subclasses alike
        for child, parent in children.items():
            if parent in bases and child not in bases:
                bases[child] = bases[parent]
    for path, s in getters:
        member, _, returned = s.target.partition("\t")
        if s.schedule in bases and bases[s.schedule] == member and s.name not in children:
            when = f"every {returned}" if returned else f"every {member}"
            yield path, ScheduleSite(s.name, when, PACED, s.line, s.schedule)
