"""package.json: dependencies by group, `bin` commands and the `start` script; pm2's
ecosystem file: the apps it runs and their scripts."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from operator import attrgetter
from typing import Any

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, base, decode, process_kind
from bot.core.model import Dependency, FileFacts, Signal

GROUPS = (
    ("dependencies", "main"),
    ("devDependencies", "dev"),
    ("peerDependencies", "peer"),
    ("optionalDependencies", "optional:npm"),
)


def is_package_json(path: str) -> bool:
    return base(path) == "package.json" and "node_modules/" not in path


# Every `"key":` of a line, the quote found at each position (a lookahead: a key may begin
# where another string closed). Between two quotes is scanned twice at most: linear.
_KEY = re.compile(r'"(?=([^"]*)"\s*:)')


# `Dependency`'s own order as a key: the dataclass's `__lt__` builds two tuples per compare
# (0.4 s of the 65k-dependency manifest's 0.7 s).
_ORDER = attrgetter("ecosystem", "name", "line", "group")


class _KeyLines:
    """Each key's lines, indexed in one pass over the file: a search per dependency from
    its section's start cost the square of a 65k-dependency manifest (and a regex compile
    apiece). Answers as `find_line(lines, '"key"\\s*:', start)` did."""

    def __init__(self, lines: list[str]) -> None:
        self._at: dict[str, list[int]] = {}
        for number, line in enumerate(lines, 1):
            if '"' in line:
                for m in _KEY.finditer(line):
                    found = self._at.setdefault(m.group(1), [])
                    if not found or found[-1] != number:
                        found.append(number)

    def line(self, key: str, start: int = 0) -> int | None:
        """1-based number of the first line at index >= start holding `"key":`."""
        found = self._at.get(key, ())
        i = bisect_left(found, start + 1)
        return found[i] if i < len(found) else None


def _aliased(spec: object) -> str:
    """The package an npm alias installs (`npm:@scope/name@^7` → `@scope/name`), else ""."""
    if not isinstance(spec, str) or not spec.startswith("npm:"):
        return ""
    name = spec[4:]
    at = name.find("@", 1)  # a scope's own `@` leads the name
    name = name[:at] if at > 0 else name
    return name.lower() if 0 < len(name) <= 214 else ""


SCRIPTS_RUN = "scripts.run"
MAX_SCRIPTS_TEXT = 20_000


def parse_package_json(data: bytes) -> FileFacts:
    text = decode(data)
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return FileFacts(language="manifest")
    if not isinstance(doc, dict):
        return FileFacts(language="manifest")
    keys = _KeyLines(text.splitlines())
    deps: list[Dependency] = []
    for key, group in GROUPS:
        table = doc.get(key)
        if not isinstance(table, dict):
            continue
        start = (keys.line(key) or 1) - 1
        for name, spec in table.items():
            line = keys.line(name, start)
            deps.append(Dependency("npm", name.lower(), line, group))
            real = _aliased(spec)
            if real:  # `"es7": "npm:@elastic/elasticsearch@7"`: the package is the real one
                deps.append(Dependency("npm", real, line, group))
    signals: list[Signal] = []
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    bin_ = doc.get("bin")
    if isinstance(bin_, str) and name:
        signals.append(Signal("entrypoint.cli", name.rsplit("/", 1)[-1], keys.line("bin"), bin_))
    elif isinstance(bin_, dict):
        start = (keys.line("bin") or 1) - 1
        for command, target in bin_.items():
            line = keys.line(command, start)
            signals.append(Signal("entrypoint.cli", command, line, str(target)))
    scripts = doc.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        command = scripts["start"]
        kind = process_kind("start", command, "http")
        start = (keys.line("scripts") or 1) - 1
        if kind:
            signals.append(
                Signal(f"entrypoint.{kind}", "start", keys.line("start", start), command)
            )
    meta: list[tuple[str, str]] = [("name", name)] if name else []
    if isinstance(scripts, dict):
        # what its scripts run (`node scripts/fetch-assets.mjs` at postinstall): a file of the
        # package's `scripts/` folder none of them names is run by CI or by hand
        ran = " ".join(v for v in scripts.values() if isinstance(v, str))
        if ran:
            meta.append((SCRIPTS_RUN, ran[:MAX_SCRIPTS_TEXT]))
    workspaces = doc.get("workspaces")
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    if isinstance(workspaces, list):
        meta.append(("workspaces", ",".join(w for w in workspaces if isinstance(w, str))))
    return FileFacts(
        language="manifest",
        dependencies=tuple(sorted(set(deps), key=_ORDER)),
        signals=tuple(sorted(set(signals))),
        meta=tuple(meta),
    )


PM2_FILES = ("ecosystem.config.json", "ecosystem.json", "pm2.json")
MAX_PM2_APPS = 20


def is_pm2_config(path: str) -> bool:
    return base(path) in PM2_FILES and "node_modules/" not in path


def parse_pm2_config(data: bytes) -> FileFacts:
    """`{"apps": [{"name": "api", "script": "src/index.js"}]}`: one entry point per app,
    its detail the script it runs (`package.json`'s `pm2 start ecosystem.config.json`
    then names the same process)."""
    text = decode(data)
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return FileFacts(language="manifest")
    apps = doc.get("apps") if isinstance(doc, dict) else None
    if not isinstance(apps, list):
        return FileFacts(language="manifest")
    keys = _KeyLines(text.splitlines())
    signals: list[Signal] = []
    start = 0
    for app in apps[:MAX_PM2_APPS]:
        if not isinstance(app, dict):
            continue
        script, name = app.get("script"), app.get("name")
        if not isinstance(script, str) or not script.strip():
            continue
        name = name if isinstance(name, str) and name.strip() else script
        line = keys.line("script", start)
        start = line or start
        kind = process_kind(name, script, "http")
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", name[:100], line, script[:300]))
    return FileFacts(language="manifest", signals=tuple(sorted(set(signals))))


JS_MANIFEST_EXTRACTORS = (
    FileExtractor(
        # 4: the commands its scripts run (`SCRIPTS_RUN`)
        "package_json",
        4,
        is_package_json,
        parse_package_json,
        claims(names=("package.json",)),
    ),
    FileExtractor("pm2_config", 1, is_pm2_config, parse_pm2_config, claims(names=PM2_FILES)),
)
