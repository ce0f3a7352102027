"""Schedules declared as data in a YAML file: a named entry whose `schedule:` (or `cron:`,
`interval:`, `every:`) holds a cron expression or an ISO-8601 duration.

    jobs:
      purgeUploads:
        schedule: PT15M        → purgeUploads, every PT15M

An application's own scheduler reads such a file (an in-house one, often), so the library
does not matter: the key says when, the value is a clock's, and the entry above it names the
work (`handoff_job_files.scheduled_job_files` finds the job file of that name). A key at the
top of a file names nothing (a plugin's default) and is left out; so are values that are no
clock's (`interval: weekly`, `schedule: "Zeitplan"`), the files other extractors read for
schedules (workflows, crontabs, Kubernetes CronJobs) and Compose files (`interval: 30s` of a
health check). One pass over the lines with a stack of open keys: linear.
"""

from __future__ import annotations

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, base, decode
from bot.core.analysis.movement import is_schedule_file
from bot.core.analysis.schedules_go import CRON_FIELD
from bot.core.analysis.words import words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ScheduleSite

MECHANISM = "config"
MAX_LINE = 2_000
MAX_DEPTH = 64  # open keys kept; deeper YAML is no configuration a person writes
_WHEN_KEYS = frozenset({"schedule", "cron", "interval", "every"})
# A key `_KEY` reads is a whole word and its colon follows (spaces between): a file without
# one has no schedule. The words first, then a literal-led search (prose says "every" too).
_WHEN_COLONS = {k.encode(): lazy(rf"{k}[ \t]*+:".encode()) for k in sorted(_WHEN_KEYS)}
# `key:` (a mapping opens) or `key: value`, an optional list dash before it (on a line
# stripped of its indent, which is measured apart).
_KEY = lazy(r"(?:-[ \t]++)?([A-Za-z_$][\w$.\-]{0,100}+)[ \t]*+:(?:[ \t]++([^\n#]{1,200}+))?")
_ISO = lazy(
    r"P(?=\d|T\d)(?:\d{1,6}+Y)?(?:\d{1,6}+M)?(?:\d{1,6}+W)?(?:\d{1,6}+D)?"
    r"(?:T(?=\d)(?:\d{1,6}+H)?(?:\d{1,6}+M)?(?:\d{1,6}+(?:\.\d{1,6}+)?S)?)?"
)
_SKIP_NAMES = ("docker-compose", "compose.", "pnpm-", ".gitlab-ci", "dependabot", "renovate")


def is_config_yaml(path: str) -> bool:
    name = base(path).lower()
    if not name.endswith((".yml", ".yaml")) or name.startswith(_SKIP_NAMES):
        return False
    return not is_schedule_file(path) and not path.startswith(".github/")


def clock_value(value: str) -> bool:
    """Whether `value` is a cron expression (5 or 6 fields) or an ISO-8601 duration."""
    if _ISO.fullmatch(value):
        return True
    fields = value.split()
    return len(fields) in (5, 6) and all(CRON_FIELD.fullmatch(f) for f in fields)


def config_schedules(data: bytes) -> tuple[ScheduleSite, ...]:
    words = words_of(data).words
    if not any(w in words and k.search(data) for w, k in _WHEN_COLONS.items()):
        return ()
    if b"CronJob" in data:
        return ()
    out: list[ScheduleSite] = []
    stack: list[tuple[int, str]] = []  # (indent, key) of the mappings open above a line
    for i, raw in enumerate(decode(data).split("\n"), 1):
        line = raw[:MAX_LINE]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _KEY.match(stripped)
        if m is None:
            continue
        indent = len(line) - len(line.lstrip()) + (2 if stripped.startswith("- ") else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key, value = m.group(1), (m.group(2) or "").strip().strip("'\"")
        if not value:
            if len(stack) < MAX_DEPTH:
                stack.append((indent, key))
            continue
        if key in _WHEN_KEYS and stack and clock_value(value):
            name = stack[-1][1]
            out.append(ScheduleSite(name, value, MECHANISM, i, name))
    return tuple(sorted(set(out)))


def parse_config_yaml(data: bytes) -> FileFacts:
    return FileFacts(language="config", schedules=config_schedules(data))


CONFIG_SCHEDULE_EXTRACTOR = FileExtractor(
    "config_schedules",
    1,
    is_config_yaml,
    parse_config_yaml,
    claims(extensions=("yml", "yaml")),
)
