"""package.json: dependencies by group, `bin` commands and the `start` script."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, base, decode, find_line, process_kind
from bot.core.model import Dependency, FileFacts, Signal

GROUPS = (
    ("dependencies", "main"),
    ("devDependencies", "dev"),
    ("peerDependencies", "peer"),
    ("optionalDependencies", "optional:npm"),
)


def is_package_json(path: str) -> bool:
    return base(path) == "package.json" and "node_modules/" not in path


def _key_line(lines: list[str], key: str, start: int = 0) -> int | None:
    return find_line(lines, r'"' + re.escape(key) + r'"\s*:', start)


def parse_package_json(data: bytes) -> FileFacts:
    text = decode(data)
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return FileFacts(language="manifest")
    if not isinstance(doc, dict):
        return FileFacts(language="manifest")
    lines = text.splitlines()
    deps: list[Dependency] = []
    for key, group in GROUPS:
        table = doc.get(key)
        if not isinstance(table, dict):
            continue
        start = (_key_line(lines, key) or 1) - 1
        for name in table:
            deps.append(Dependency("npm", name.lower(), _key_line(lines, name, start), group))
    signals: list[Signal] = []
    name = doc.get("name") if isinstance(doc.get("name"), str) else ""
    bin_ = doc.get("bin")
    if isinstance(bin_, str) and name:
        signals.append(
            Signal("entrypoint.cli", name.rsplit("/", 1)[-1], _key_line(lines, "bin"), bin_)
        )
    elif isinstance(bin_, dict):
        start = (_key_line(lines, "bin") or 1) - 1
        for command, target in bin_.items():
            line = _key_line(lines, command, start)
            signals.append(Signal("entrypoint.cli", command, line, str(target)))
    scripts = doc.get("scripts")
    if isinstance(scripts, dict) and isinstance(scripts.get("start"), str):
        command = scripts["start"]
        kind = process_kind("start", command, "http")
        start = (_key_line(lines, "scripts") or 1) - 1
        if kind:
            signals.append(
                Signal(f"entrypoint.{kind}", "start", _key_line(lines, "start", start), command)
            )
    meta: list[tuple[str, str]] = [("name", name)] if name else []
    workspaces = doc.get("workspaces")
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    if isinstance(workspaces, list):
        meta.append(("workspaces", ",".join(w for w in workspaces if isinstance(w, str))))
    return FileFacts(
        language="manifest",
        dependencies=tuple(sorted(set(deps))),
        signals=tuple(sorted(set(signals))),
        meta=tuple(meta),
    )


JS_MANIFEST_EXTRACTORS = (
    FileExtractor(
        "package_json", 1, is_package_json, parse_package_json, claims(names=("package.json",))
    ),
)
