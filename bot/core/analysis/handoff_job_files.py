"""JS/TS jobs named by their file: `scheduler.registerJob({ name: 'resize-image' })` runs
`jobs/resize-image.js` (a scheduler that `require`s or forks `jobs/${name}`).

Whatever the scheduler's library (an in-house one, often), the shape says it: a call whose
name says job, task or queue (`registerJob`, `queueTask`, `enqueueJob`), given a string
literal (first argument, or the `name:` key of its object argument), and a file of that
name in a folder named for jobs (`JOB_FOLDERS`) whose module exports a function. Only both
ends count (`movement._BOTH_ENDS`): a literal no job file answers is not claimed.

A call whose object also says when (`schedule:`, `cron:`, `interval:`, `every:`) is a
schedule of that job, not a hand-off: it repeats on a clock.

Per file (`job_sites`, pure: bytes in, sites out) and per repository (`link_job_files`,
which names each job file's consumer by its path, where the facts cannot). Lines are cut at
`MAX_LINE`, a call's object is read for at most `MAX_CALL_LINES` lines, patterns are
bounded: linear on any input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from bot.core.analysis.handoffs import SITE_ORDER
from bot.core.analysis.words import Needles
from bot.core.evidence import evidence_key
from bot.core.lazy_pattern import lazy
from bot.core.model import Evidence, FileFacts, HandoffSite, Schedule, ScheduleSite

MECHANISM = "named job"
MAX_LINE = 2_000
MAX_CALL_LINES = 12  # lines of a call's object argument read for its keys
MAX_JOB_FILES = 400  # job-folder files read per repository
MAX_EXPORT_LINES = 400  # lines of a job file searched for its exported function
JOB_FOLDERS = frozenset(
    {"jobs", "job", "tasks", "task", "workers", "worker", "queues", "consumers", "processors"}
)
_WORDS = ("job", "task", "queue")
_WORD_GATE = Needles(_WORDS, folded=True)
# `name(` then a literal or `{`: the callee's last name, not `new X(` (a queue's own
# constructor names the queue, not a job file).
_CALL = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,80}+)[ \t]*+\([ \t]*+(?:(['\"`])([\w.:/\-]{1,120}+)\2|(\{))"
)
_NAME_KEY = lazy(r"(?<![\w$])name[ \t]*+:[ \t]*+(['\"`])([\w.:/\-]{1,120}+)\1")
_WHEN_KEY = lazy(r"(?<![\w$])(schedule|cron|interval|every)[ \t]*+:[ \t]*+([^,\n}]{1,120}+)")
# The module's own function: `module.exports = async (id) => {`, `export default function`.
_EXPORT = lazy(
    r"^(?:module\.)?exports[ \t]*+=[ \t]*+(?:async[ \t]++)?(?:function\b|\(|[A-Za-z_$][\w$]{0,80}+"
    r"[ \t]*+=>)|^export[ \t]++default[ \t]++(?:async[ \t]++)?(?:function\b|\()"
)


def may_hold(text: str) -> bool:
    # The words first (lowered, a part of one): a pass over the whole text only where one
    # may be. Outside ASCII, `lower` can make an ASCII letter (the Kelvin sign's "k").
    if text.isascii() and not _WORD_GATE.maybe_in(text):
        return False
    lowered = text.lower()
    return any(w in lowered for w in _WORDS)


def job_sites(text: str) -> tuple[tuple[HandoffSite, ...], tuple[ScheduleSite, ...]]:
    """The named-job producers and schedules of one JS/TS file (see the module doc)."""
    if not may_hold(text):
        return (), ()
    lines = text.split("\n")
    handoffs: list[HandoffSite] = []
    schedules: list[ScheduleSite] = []
    for i, raw in enumerate(lines):
        line = raw[:MAX_LINE]
        low = line.lower()
        if "(" not in line or not any(w in low for w in _WORDS):
            continue
        if line.lstrip().startswith(("//", "*", "/*")):
            continue
        for m in _CALL.finditer(line):
            if not any(w in m.group(1).lower() for w in _WORDS):
                continue
            if line[max(0, m.start() - 8) : m.start()].rstrip().endswith("new"):
                continue
            if _in_string(line, m.start()):
                continue
            name, when, named_at = m.group(3) or "", "", i
            if m.group(4):
                name, when, named_at = _object_keys(lines, i, m.end())
            if not name or "${" in name:
                continue
            if when:
                schedules.append(ScheduleSite(name, when, MECHANISM, i + 1, name))
            else:  # cited where the name is: the line a reader checks the job on
                handoffs.append(HandoffSite("produce", MECHANISM, name, named_at + 1))
    return tuple(dict.fromkeys(handoffs)), tuple(dict.fromkeys(schedules))


def _in_string(line: str, at: int) -> bool:
    """Whether position `at` is inside a quoted string of `line` (an odd count of quotes
    of one kind before it): `"registerJob('x')"` is text, not a call."""
    head = line[:at]
    return any(head.count(q) % 2 for q in ("'", '"', "`"))


def _object_keys(lines: list[str], start: int, col: int) -> tuple[str, str, int]:
    """The `name:` literal (and its line's index) and the `schedule:`-like value of the
    object opened at `lines[start][col - 1]`, read until its braces close (at most
    `MAX_CALL_LINES`)."""
    depth, name, when, named_at = 0, "", "", start
    for j in range(start, min(len(lines), start + MAX_CALL_LINES)):
        part = lines[j][:MAX_LINE][col - 1 :] if j == start else lines[j][:MAX_LINE]
        opened = depth
        for ch in part:
            depth += (ch == "{") - (ch == "}")
            if depth <= 0:
                break
        if opened <= 1 or j == start:  # keys of the object itself, not of one inside it
            if not name and (m := _NAME_KEY.search(part)):
                name, named_at = m.group(2), j
            if not when and (w := _WHEN_KEY.search(part)):
                when = w.group(2).strip().strip("'\"`")
        if depth <= 0:
            break
    return name, when, named_at


def job_file_stem(path: str) -> str:
    """`resize-image` for `src/jobs/resize-image.js` (any folder named for jobs above it),
    else ""."""
    folders = path.split("/")[:-1]
    if not any(f in JOB_FOLDERS for f in folders):
        return ""
    return path.rpartition("/")[2].partition(".")[0]


def export_line(text: str) -> int | None:
    """The line of a module's exported function (`module.exports = async (…) =>`)."""
    for i, line in enumerate(text.split("\n")[:MAX_EXPORT_LINES], 1):
        if _EXPORT.match(line[:MAX_LINE]):
            return i
    return None


def key(name: str) -> str:
    """How a job name and a file name meet: `purgeUploads`, `purge-uploads`, `purge_uploads`."""
    return name.lower().replace("-", "").replace("_", "")


def job_files(
    facts: Mapping[str, FileFacts],
    read_text: Callable[[str], str | None],
    skip: Callable[[str], bool],
    wanted: Iterable[str],
) -> dict[str, tuple[str, int]]:
    """key(job name) → (path, line) of the job file's exported function, for the names in
    `wanted` that one JS/TS file in a job folder is named for."""
    keys = {key(n) for n in wanted}
    found: dict[str, list[str]] = {}
    for path, f in sorted(facts.items()):
        if f.language not in ("javascript", "typescript") or skip(path):
            continue
        stem = job_file_stem(path)
        if stem and key(stem) in keys:
            found.setdefault(key(stem), []).append(path)
    out: dict[str, tuple[str, int]] = {}
    for k, paths in list(found.items())[:MAX_JOB_FILES]:
        if len(paths) != 1:
            continue  # two files answer to one name: which one runs is not said
        text = read_text(paths[0])
        at = export_line(text) if text is not None else None
        if at is not None:
            out[k] = (paths[0], at)
    return out


def with_job_files(
    facts: Mapping[str, FileFacts],
    read_text: Callable[[str], str | None],
    skip: Callable[[str], bool],
) -> dict[str, FileFacts]:
    """`facts` with each job file some producer names consuming it, and without the
    named-job producers no job file answers (a flow would show them as enqueues)."""
    added = link_job_files(facts, read_text, skip)
    answered = {s.name for sites in added.values() for s in sites}
    out = dict(facts)
    for path, f in facts.items():
        extra = added.get(path, set())
        if not extra and not any(s.mechanism == MECHANISM for s in f.handoffs):
            continue
        kept = [
            s
            for s in f.handoffs
            if s.mechanism != MECHANISM or s.role != "produce" or s.name in answered
        ]
        out[path] = replace(f, handoffs=tuple(sorted({*kept, *extra}, key=SITE_ORDER)))
    return out


def link_job_files(
    facts: Mapping[str, FileFacts],
    read_text: Callable[[str], str | None],
    skip: Callable[[str], bool],
) -> dict[str, set[HandoffSite]]:
    """path → the consumer sites of the job files some producer names."""
    names = {
        s.name
        for p, f in facts.items()
        if not skip(p)
        for s in f.handoffs
        if s.mechanism == MECHANISM and s.role == "produce"
    }
    if not names:
        return {}
    by_key: dict[str, list[str]] = {}
    for n in sorted(names):
        by_key.setdefault(key(n), []).append(n)
    out: dict[str, set[HandoffSite]] = {}
    for k, (path, line) in job_files(facts, read_text, skip, names).items():
        for name in by_key.get(k, ()):
            out.setdefault(path, set()).add(HandoffSite("consume", MECHANISM, name, line))
    return out


def scheduled_job_files(
    schedules: Iterable[Schedule],
    facts: Mapping[str, FileFacts],
    read_text: Callable[[str], str | None],
    skip: Callable[[str], bool],
) -> tuple[Schedule, ...]:
    """`schedules`, each named (or targeting) a job file's name also citing that file's
    exported function: a config's `purgeUploads: {schedule: PT15M}` runs
    `jobs/purge-uploads.js`, and the flow of the schedule starts there."""
    schedules = tuple(schedules)
    wanted = {n for s in schedules for n in (s.name, s.target) if n}
    if not wanted:
        return schedules
    files = job_files(facts, read_text, skip, wanted)
    if not files:
        return schedules
    out = []
    for s in schedules:
        hit = files.get(key(s.target)) or files.get(key(s.name))
        if hit is not None and Evidence(*hit) not in s.evidence:
            s = replace(s, evidence=tuple(sorted({*s.evidence, Evidence(*hit)}, key=evidence_key)))
        out.append(s)
    return tuple(out)
