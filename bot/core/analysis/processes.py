"""One process, one entry point (issue 18).

A file that starts a process is often named several times: the code's own signal
(`#!/usr/bin/env node`, `app.listen(`), the `bin/` folder convention, `package.json`'s
`bin`, a `start` script that runs pm2 on an ecosystem file whose app runs the file, a
compose or Procfile command. Each named an entry point of its own. Here entry points that
run the same code file are one: linked when an entry point's only code file is that file,
or its command names it (or names a file another entry point is declared in, such as
`pm2 start ecosystem.config.json`), or runs a `package.json` script another entry point is
(`yarn start`, `npm run web`). Only entry points of one kind merge, and only a process's
(one a manifest declares, or a command). The merged entry point takes the name a reader
knows it by: a deployed process's, then a package's command, then the code's; its
evidence is every member's. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.evidence import evidence_key, is_code
from bot.core.model import Entrypoint, FileFacts

MAX_TOKENS = 12  # words of one command looked at
# `npm start`, `npm run web`, `yarn start`, `yarn web`, `pnpm run web`, `bun run web`.
_SCRIPT = re.compile(r"\b(?:npm|yarn|pnpm|bun)(?:\s++run)?\s++([\w:.-]{1,60}+)")
_NOT_SCRIPTS = frozenset({"install", "ci", "add", "exec", "dlx", "x", "test", "build"})


def merge_processes(
    entries: Sequence[Entrypoint], facts: Mapping[str, FileFacts]
) -> tuple[Entrypoint, ...]:
    """`entries` with every set of entry points that run one process merged into one."""
    declared: dict[tuple[str, str], int] = {}  # (manifest, kind) -> entry points it declares
    for e in entries:
        for path in {ev.path for ev in e.evidence if not is_code(ev.path)}:
            declared[(path, e.kind)] = declared.get((path, e.kind), 0) + 1
    keys = [_keys(e, facts, declared) for e in entries]
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str, str], int] = {}
    for i, (e, found) in enumerate(zip(entries, keys, strict=True)):
        for key in found:
            j = first.setdefault((e.kind, *key), i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[Entrypoint]] = {}
    for i, e in enumerate(entries):
        groups.setdefault(root(i), []).append(e)
    out: list[Entrypoint] = []
    for group in groups.values():
        # A folder convention and a file's own signal (`Rails controllers`, a controller)
        # name a kind of file, not a process: merged only when a manifest declares one, or
        # for a command (one program, however many ways it is named).
        in_manifest = any(not is_code(ev.path) for e in group for ev in e.evidence)
        if len(group) > 1 and (in_manifest or group[0].kind == "cli"):
            out.append(_merged(group, facts))
        else:
            out += group
    return tuple(sorted(out, key=lambda e: (e.kind, e.name, e.evidence)))


def _keys(
    e: Entrypoint, facts: Mapping[str, FileFacts], declared: Mapping[tuple[str, str], int]
) -> set[tuple[str, str]]:
    """What the entry point runs: ("file", path) and ("script", `package.json:name`). The
    file it is declared in counts only when it declares no other entry point of its kind
    (two `bin` commands of one package.json are two programs)."""
    paths = {ev.path for ev in e.evidence}
    code = {p for p in paths if is_code(p)}
    out: set[tuple[str, str]] = set()
    if code:
        if len(code) == 1 and len(paths) == 1:
            out.add(("file", next(iter(code))))
        return out
    # Declared in a manifest: the file it is declared in, and what its command names.
    for path in paths:
        if declared.get((path, e.kind), 0) == 1:
            out.add(("file", path))
        folder = path.rpartition("/")[0]
        if path.rpartition("/")[2] == "package.json" and e.name:
            out.add(("script", f"{path}:{e.name}"))
        for word in e.detail.split()[:MAX_TOKENS]:
            word = word.strip("\"'`;,()").removeprefix("./")
            if not word or word.startswith(("-", "/")) or ".." in word:
                continue
            for candidate in (f"{folder}/{word}" if folder else word, word):
                if candidate in facts:
                    out.add(("file", candidate))
                    break
        manifest = f"{folder}/package.json" if folder else "package.json"
        for m in _SCRIPT.finditer(e.detail[:300]):
            if m.group(1) not in _NOT_SCRIPTS:
                out.add(("script", f"{manifest}:{m.group(1)}"))
    return out


def _rank(e: Entrypoint, facts: Mapping[str, FileFacts]) -> tuple[int, str]:
    """Which member names the merged entry point: a deployed process (compose, Procfile),
    a package's command (`bin`), the code's own signal, a script, a folder convention."""
    paths = [ev.path for ev in e.evidence]
    if any(is_code(p) for p in paths):
        return (4 if e.detail.endswith(" files") else 2, e.name)
    deployed = any(
        s.kind.startswith("deployment.") for p in paths if p in facts for s in facts[p].signals
    )
    if deployed:
        return (0, e.name)
    return (1 if e.kind == "cli" and is_code(e.detail.strip()) else 3, e.name)


def _merged(group: list[Entrypoint], facts: Mapping[str, FileFacts]) -> Entrypoint:
    group = sorted(group, key=lambda e: _rank(e, facts))
    head = group[0]
    evidence = sorted({ev for e in group for ev in e.evidence}, key=evidence_key)
    detail = head.detail
    if not detail or detail.endswith(" files"):
        # A command line (`pm2 start ecosystem.config.json`) says more than a script's path.
        details = [e.detail for e in group if e.detail and not e.detail.endswith(" files")]
        detail = next((d for d in details if " " in d), details[0] if details else "")
    return replace(head, evidence=tuple(evidence), detail=detail)
