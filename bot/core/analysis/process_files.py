"""Process managers' files: which processes a deployment runs when there is no Procfile.

* uWSGI ini (`[uwsgi]`): the app it serves (`module`/`wsgi-file`/`http`/`http-socket`) is
  an HTTP process, and each `attach-daemon`/`smart-attach-daemon` command a process of its
  own (healthchecks-style: `attach-daemon = ./manage.py sendalerts`).
* supervisord (`[program:name]` + `command=`), as in many Flask and Django deployments, in
  any `.conf` file that has such a section (`supervisord -c worker.conf`); an
  `[eventlistener:name]` on `events=TICK_60` runs its command on that clock: a schedule.
* systemd units (`[Service]` + `ExecStart=`), named by the command, or by the unit's
  `Description` when the command is a shell script (`/bin/sh -c '… exec granian …'`, its
  lines continued with `\\`, comment lines inside skipped as systemd does).

Signals as the Procfile's: ``deployment.<manager>`` per process and
``entrypoint.<kind>`` where `process_kind` can tell the kind. Bounded: `MAX_PROCESSES` per
file, lines cut at `MAX_LINE`.
"""

from __future__ import annotations

import re

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, decode, process_kind
from bot.core.model import FileFacts, ScheduleSite, Signal

MAX_PROCESSES = 50
MAX_LINE = 1_000
MAX_VALUE = 4_000  # a value continued over several lines
_SECTION = re.compile(r"\[[ \t]*+([A-Za-z][\w:.\- ]{0,100}?)[ \t]*+\]")
_KEY = re.compile(r"([A-Za-z][\w\-]{0,60})[ \t]*+=[ \t]*+([^\n]{0,1000})")
_UWSGI_APP = frozenset({"module", "wsgi-file", "wsgi", "http", "http-socket", "mount", "callable"})
_UWSGI_MODULES = ("module", "wsgi-file", "wsgi")
_UWSGI_DAEMONS = frozenset(
    {"attach-daemon", "smart-attach-daemon", "attach-daemon2", "legion-attach-daemon"}
)
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash"})
# A command's first words that say nothing about what it runs.
_RUNNERS = frozenset(
    {"exec", "env", "python", "python3", "node", "bundle", "uv", "poetry", "pipenv", "run", "npx"}
)


def _entries(text: str, continued: bool = False) -> list[tuple[int, str, str, str]]:
    """(line, section, key, value) of an ini-like file, comments and blank lines left out.
    With `continued`, a value whose line ends in `\\` goes on on the next lines (systemd)."""
    out: list[tuple[int, str, str, str]] = []
    section = ""
    open_value = False  # the last entry's value goes on
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw[:MAX_LINE].strip()
        if open_value:
            if line[:1] in ("#", ";"):
                continue  # a comment inside a continued value
            n, sec, key, value = out[-1]
            open_value = line.endswith("\\")
            more = line.removesuffix("\\").strip()
            if len(value) < MAX_VALUE:  # the rest of a full value is read past, not copied
                out[-1] = (n, sec, key, f"{value} {more}"[:MAX_VALUE])
            continue
        if not line or line[0] in "#;":
            continue
        s = _SECTION.fullmatch(line)
        if s:
            section = s.group(1).strip()
            continue
        k = _KEY.fullmatch(line)
        if k:
            value = k.group(2).strip()
            open_value = continued and value.endswith("\\")
            out.append((number, section, k.group(1).lower(), value.removesuffix("\\").strip()))
    return out


def command_name(command: str) -> str:
    """A process's name from its command: `./manage.py sendalerts --x` → `sendalerts`,
    `celery -A app worker` → `celery`, `/usr/bin/python3 -m app.worker` → `app.worker`."""
    words = [w for w in command.split() if "=" not in w or w.startswith("-")][:20]
    for i, word in enumerate(words):
        name = word.rpartition("/")[2]
        if name == "manage.py" and i + 1 < len(words):
            return words[i + 1][:100]
        if name == "-m" and i + 1 < len(words):
            return words[i + 1][:100]
        if name.startswith("-") or name in _RUNNERS or name.startswith("python"):
            continue
        return name[:100]
    return "process"


def _process(
    signals: list[Signal], manager: str, name: str, line: int, command: str, named: bool = True
) -> None:
    signals.append(Signal(f"deployment.{manager}", name, line, command))
    # A name taken from the command (`celery`) says less than the command (`… beat`).
    kind = process_kind(name if named else "", command, "worker")
    if kind:
        signals.append(Signal(f"entrypoint.{kind}", name, line, command))


def parse_uwsgi(data: bytes) -> FileFacts:
    signals: list[Signal] = []
    entries = [e for e in _entries(decode(data)) if e[1] == "uwsgi"]
    app = next((e for e in entries if e[2] in _UWSGI_APP), None)
    if app is not None:
        # The app's process serves HTTP whatever its command says; the detail names the
        # app (`module = shop.wsgi:application`) when the file does, so the compose or
        # Procfile command that serves the same app is known as the same process.
        named = next((e for e in entries if e[2] in _UWSGI_MODULES), app)
        served = f"uwsgi {named[2]} = {named[3]}"
        signals += [
            Signal("deployment.uwsgi", "uwsgi", app[0], served),
            Signal("entrypoint.http", "uwsgi", app[0], served),
        ]
    for line, _, key, value in entries:
        if key in _UWSGI_DAEMONS and len(signals) < 2 * MAX_PROCESSES:
            # attach-daemon2 takes key=value options: `cmd=…,freq=…`.
            command = value
            if key == "attach-daemon2":
                command = value.removeprefix("cmd=").split(",")[0]
            elif key == "smart-attach-daemon":  # `<pidfile> <command>`
                command = value.partition(" ")[2].strip()
            _process(signals, "uwsgi", command_name(command), line, command, named=False)
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


_TICK = re.compile(r"(?<![\w])TICK_(\d{1,6})(?!\w)")


def parse_supervisor(data: bytes) -> FileFacts:
    text = decode(data)
    if "[program:" not in text and "[eventlistener:" not in text:
        return FileFacts(language="config")  # another `.conf` (nginx, a library's settings)
    signals: list[Signal] = []
    commands: dict[str, str] = {}
    ticks: list[tuple[str, int, str]] = []
    for line, section, key, value in _entries(text):
        if key == "command" and section.startswith("program:") and len(signals) < 2 * MAX_PROCESSES:
            name = section.partition(":")[2].strip()[:100] or command_name(value)
            _process(signals, "supervisor", name, line, value)
        elif section.startswith("eventlistener:") and len(ticks) < MAX_PROCESSES:
            if key == "command":
                commands[section] = value
            elif key == "events" and (tick := _TICK.search(value)) is not None:
                ticks.append((section, line, tick.group(1)))
    schedules = tuple(
        sorted(
            ScheduleSite(
                section.partition(":")[2].strip()[:100] or "eventlistener",
                f"every {seconds} s (supervisord TICK_{seconds})",
                "supervisord",
                line,
                commands.get(section, "")[:200],
            )
            for section, line, seconds in ticks
        )
    )
    return FileFacts(language="config", signals=tuple(sorted(set(signals))), schedules=schedules)


def parse_systemd(data: bytes) -> FileFacts:
    signals: list[Signal] = []
    entries = _entries(decode(data), continued=True)
    described = next((v for _, sec, k, v in entries if sec == "Unit" and k == "description"), "")
    for line, section, key, value in entries:
        if section == "Service" and key == "execstart" and len(signals) < 2 * MAX_PROCESSES:
            command = value.lstrip("-@:+!")
            name = command_name(command)
            if name in _SHELLS:  # `sh -c '…'` says nothing; the unit's description does
                name = described[:100] or name
            _process(signals, "systemd", name, line, command, named=False)
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


def _is_uwsgi(path: str) -> bool:
    return path.endswith(".ini")


def _is_supervisor(path: str) -> bool:
    """Any `.conf`: supervisord reads the file its `-c` names (`worker.conf`), so the
    sections, not the name, tell (`parse_supervisor` reads past any other file)."""
    return path.endswith(".conf")


def _is_systemd(path: str) -> bool:
    return path.endswith(".service")


PROCESS_EXTRACTORS = (
    FileExtractor("uwsgi", 2, _is_uwsgi, parse_uwsgi, claims(extensions=("ini",))),
    # 2: any `.conf` with supervisord sections; eventlistener TICK schedules
    FileExtractor("supervisor", 2, _is_supervisor, parse_supervisor, claims(extensions=("conf",))),
    FileExtractor("systemd", 2, _is_systemd, parse_systemd, claims(extensions=("service",))),
)
