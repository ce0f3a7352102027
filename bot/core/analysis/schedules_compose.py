"""Scheduled work in a Compose file (`deploy.parse_compose` reads the file): a service whose
command loops with a sleep (`sh -c 'while true; do …; sleep 3600; done'`), and ofelia's job
labels (`ofelia.job-exec.<name>.schedule: "@every 1h"` with its `.command`).

A service's command is read to `MAX_COMMAND` characters; every pattern is bounded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.analysis.loops import MECHANISM as LOOP
from bot.core.analysis.yaml_nodes import get, items, line_of, scalar, sequence, words
from bot.core.lazy_pattern import lazy
from bot.core.model import ScheduleSite

if TYPE_CHECKING:
    import yaml

MAX_COMMAND = 2_000
MAX_LABELS = 500
# `while true; do`, `while :; do`, `while [ 1 ]`, `until false`: a loop that never ends by
# its own condition; its pace is the `sleep` inside. So is a loop on a test of an
# environment variable (`while [ "${MODE:-on}" = "on" ]`): nothing in the command sets it.
_FOREVER = re.compile(
    r"(?<![\w-])(?:while[ \t]++(?:true|:|\[[ \t]*+1[ \t]*+\]"
    r"|\[[ \t]++\"?\$\{?[A-Za-z_]\w{0,100}+)|until[ \t]++false)"
)
_SLEEP = lazy(r"(?<![\w-])sleep[ \t]++([\w.]{1,40}+)")
_DONE = lazy(r"(?<![\w-])done\b")
MAX_LOOPS = 5
_OFELIA = lazy(
    r"\Aofelia\.job-(?:exec|run|local|service-run)\.([\w\-]{1,100}+)\.(schedule|command)\Z"
)


def _short(value: str, limit: int = 120) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def compose_schedules(services: yaml.Node | None) -> tuple[ScheduleSite, ...]:
    out: list[ScheduleSite] = []
    for name, _, service in items(services):
        command = get(service, "command") or get(service, "entrypoint")
        text = words(command)[:MAX_COMMAND]
        sleep = _paced(text) if command is not None else None
        if command is not None and sleep is not None:
            pace = f"loop, sleeps {sleep.group(1)}"
            out.append(ScheduleSite(name, pace, LOOP, line_of(command), _short(text)))
        out += _ofelia(get(service, "labels"))
    return tuple(sorted(set(out), key=lambda s: (s.name, s.schedule, s.mechanism, s.line)))


def _paced(text: str) -> re.Match[str] | None:
    """The `sleep` pacing the first endless loop that sleeps for a time (`sleep infinity`
    only waits), looked for up to the loop's `done`."""
    for loop in list(_FOREVER.finditer(text))[:MAX_LOOPS]:
        done = _DONE.search(text, loop.end())
        end = done.start() if done is not None else len(text)
        for sleep in _SLEEP.finditer(text, loop.end(), end):
            if sleep.group(1) != "infinity":
                return sleep
    return None


def _labels(node: yaml.Node | None) -> list[tuple[str, str, int]]:
    """(key, value, line) of a service's labels, a mapping or a list of `key=value`."""
    listed = sequence(node)
    if listed:
        pairs = [(*scalar(n).partition("=")[::2], line_of(n)) for n in listed[:MAX_LABELS]]
        return [(k.strip(), v.strip(), line) for k, v, line in pairs]
    return [(k, scalar(v), line_of(kn)) for k, kn, v in list(items(node))[:MAX_LABELS]]


def _ofelia(node: yaml.Node | None) -> list[ScheduleSite]:
    jobs: dict[str, dict[str, tuple[str, int]]] = {}
    for key, value, line in _labels(node):
        m = _OFELIA.match(key) if key.startswith("ofelia.") else None
        if m is not None:
            jobs.setdefault(m.group(1), {})[m.group(2)] = (value, line)
    out = []
    for job, parts in jobs.items():
        if "schedule" in parts:
            when, line = parts["schedule"]
            command = _short(parts.get("command", ("", 0))[0])
            out.append(ScheduleSite(job, _short(when, 80), "ofelia", line, command))
    return out
