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

One running process is also named by files that say what it runs in other words (issue 18,
seventh session): a compose command that runs `/opt/app/docker/uwsgi.ini` (a path inside
the image: its tail is the repository's file), a WSGI/ASGI server's app module
(`gunicorn shop.wsgi`, uwsgi's `module = shop.wsgi:application`, Clever Cloud's module),
or a platform config beside the Procfile that declares the one web process of the same
folder (`clevercloud/python.json` and the Procfile's `web`). Keys say *what* runs: a file
followed by a subcommand is that subcommand (`manage.py sendalerts` and `manage.py
sendreports` are two programs). Entry points of one manifest that run the identical
command under different names (compose `web`, `worker`, `cron` all `node server.js`) are
one process unless the code reads a setting the manifest gives those services (roles
selected by `SERVICES=worker`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.evidence import evidence_key, is_code
from bot.core.model import Entrypoint, FileFacts

MAX_TOKENS = 12  # words of one command looked at
MAX_SUFFIX = 8  # folders of a path inside an image tried against the repository's files
# `npm start`, `npm run web`, `yarn start`, `yarn web`, `pnpm run web`, `bun run web`.
_SCRIPT = re.compile(r"\b(?:npm|yarn|pnpm|bun)(?:\s++run)?\s++([\w:.-]{1,60}+)")
_NOT_SCRIPTS = frozenset({"install", "ci", "add", "exec", "dlx", "x", "test", "build"})
# WSGI/ASGI servers: the word after which an app module is named.
_SERVERS = frozenset(
    {"gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "uwsgi", "granian"}
)
_MODULE = re.compile(r"[A-Za-z_]\w{0,60}+(?:\.[A-Za-z_]\w{0,60}+){0,12}+")
_APP_OPTIONS = frozenset({"--module", "--wsgi", "--wsgi-file", "--app"})
# Platform configs that describe the one application of their folder: its web process is
# the Procfile's `web` of the same folder (a compose file describes many, by context).
_ROOT_PLATFORMS = frozenset({"procfile", "clevercloud", "docker", "heroku", "fly"})
_PLATFORM_FOLDERS = frozenset({"clevercloud", ".clevercloud", "docker", "deploy"})
# Which name a merged process takes: a deployment's own process name (Procfile, compose,
# platform services), then a process manager's or a platform's generic one.
_NAMING = ("procfile", "compose", "heroku", "fly", "render")
_KIND_ORDER = ("http", "webhook", "worker", "consumer", "scheduler")


def merge_processes(
    entries: Sequence[Entrypoint], facts: Mapping[str, FileFacts]
) -> tuple[Entrypoint, ...]:
    """`entries` with every set of entry points that run one process merged into one."""
    declared: dict[tuple[str, str], int] = {}  # (manifest, kind) -> entry points it declares
    for e in entries:
        for path in {ev.path for ev in e.evidence if not is_code(ev.path)}:
            declared[(path, e.kind)] = declared.get((path, e.kind), 0) + 1
    keys = [_keys(e, facts, declared) for e in entries]
    # A file run with a subcommand (`worker.py run`) is still the file's own entry point
    # when no other subcommand of it runs; `manage.py a` and `manage.py b` stay two.
    subcommands: dict[str, set[str]] = {}
    for found in keys:
        for kind, value in found:
            if kind == "file" and " " in value:
                subcommands.setdefault(value.partition(" ")[0], set()).add(value)
    for found in keys:
        found |= {
            ("file", bare)
            for kind, value in list(found)
            if kind == "file" and len(subcommands.get(bare := value.partition(" ")[0], ())) == 1
        }
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[root(i)] = root(j)

    first: dict[tuple[str, str, str], int] = {}
    for i, (e, found) in enumerate(zip(entries, keys, strict=True)):
        for key in found:
            j = first.setdefault((e.kind, *key), i)
            if j != i:
                join(i, j)
    for i, j in _one_web_per_folder(entries, keys, facts, declared):
        join(i, j)
    for i, j in _same_command(entries, facts):
        join(i, j)
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
    """What the entry point runs: ("file", path), ("file", "path subcommand"),
    ("script", `package.json:name`) and ("app", module). The file it is declared in counts
    only when it declares no other entry point of its kind (two `bin` commands of one
    package.json are two programs)."""
    paths = {ev.path for ev in e.evidence}
    code = {p for p in paths if is_code(p)}
    out: set[tuple[str, str]] = set()
    if code:
        if len(code) == 1 and len(paths) == 1:
            out.add(("file", next(iter(code))))
            if not e.detail:
                # An app object without routes of its own (`Django app (shop/wsgi.py)`) is
                # the server that serves it; a routes file stays a public entry point.
                out.add(("app file", next(iter(code))))
        return out
    # Declared in a manifest: the file it is declared in, and what its command names.
    words = e.detail.split()[:MAX_TOKENS]
    for path in paths:
        if declared.get((path, e.kind), 0) == 1:
            out.add(("file", path))
        folder = _context(path, _built_from(path, e.name, facts))
        if path.rpartition("/")[2] == "package.json" and e.name:
            out.add(("script", f"{path}:{e.name}"))
        for i, word in enumerate(words):
            found = _repository_file(word, folder, facts)
            if not found:
                continue
            # `manage.py sendalerts` and `manage.py sendreports` are two programs.
            after = words[i + 1].strip("\"'`;,()") if i + 1 < len(words) else ""
            if is_code(found) and _MODULE.fullmatch(after) and "." not in after:
                found = f"{found} {after}"
            out.add(("file", found))
        manifest = _package_json(folder, facts)
        for m in _SCRIPT.finditer(e.detail[:300]):
            if m.group(1) not in _NOT_SCRIPTS:
                out.add(("script", f"{manifest}:{m.group(1)}"))
    for module in _app_modules(words):
        out.add(("app", module))
        # The module's file is the code's own entry point (`Django app (shop/wsgi.py)`).
        for path in paths:
            folder = path.rpartition("/")[0]
            for base in {_app_folder(path), folder, ""}:
                stem = "/".join(filter(None, (base, module.replace(".", "/"))))
                for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
                    if candidate in facts:
                        out.add(("app file", candidate))
    return out


def _repository_file(word: str, folder: str, facts: Mapping[str, FileFacts]) -> str | None:
    """The repository's file a command's word names: relative to the manifest's folder or
    the root, or, for a path inside an image (`/opt/app/docker/uwsgi.ini`), its longest
    tail that is a repository file with an extension."""
    word = word.strip("\"'`;,()").removeprefix("./")
    if not word or word.startswith("-") or ".." in word:
        return None
    if word.startswith("/"):
        tail = word.strip("/").split("/")[-MAX_SUFFIX:]
        for i in range(len(tail)):
            candidate = "/".join(tail[i:])
            if "." in tail[-1] and candidate in facts:
                return candidate
        return None
    for candidate in (f"{folder}/{word}" if folder else word, word):
        if candidate in facts:
            return candidate
    return None


def _package_json(folder: str, facts: Mapping[str, FileFacts]) -> str:
    """The nearest package.json at or above the folder (a compose file under `docker/`
    runs the root's scripts); the folder's own when there is none."""
    parts = folder.split("/") if folder else []
    for i in range(len(parts), -1, -1):
        candidate = "/".join([*parts[:i], "package.json"])
        if candidate in facts:
            return candidate
    return f"{folder}/package.json" if folder else "package.json"


def _app_modules(words: Sequence[str]) -> set[str]:
    """The WSGI/ASGI app modules a command serves: `gunicorn -c conf.py shop.wsgi`,
    `uvicorn shop.main:app`, `uwsgi module = shop.wsgi:application`, or a bare
    `shop.wsgi:application` (a platform's module setting)."""
    words = [w.strip("\"'`;,()") for w in words]
    out: set[str] = set()
    if len(words) == 1 and ":" in words[0]:
        module = _module(words[0])
        return {module} if module else out
    served = False
    for i, word in enumerate(words):
        if word.rpartition("/")[2] in _SERVERS:
            served = True
            continue
        before = words[i - 1] if i else ""
        if not served or (before.startswith("-") and before not in _APP_OPTIONS):
            continue  # an option's value (`-c gunicorn.conf.py`, `-k uvicorn.workers.X`)
        if i + 1 < len(words) and words[i + 1] == "=":
            continue  # an ini key (`module = shop.wsgi:application`)
        module = _module(word)
        if module:
            out.add(module)
    return out


def _module(word: str) -> str | None:
    """`shop.wsgi:application` → `shop.wsgi`, `shop/wsgi.py` → `shop.wsgi`."""
    word = word.partition(":")[0]
    if word.endswith(".py") and "/" in word:
        word = word.removesuffix(".py").replace("/", ".")
    if word.endswith(".py") or not _MODULE.fullmatch(word):
        return None
    return word


def _platform(path: str, facts: Mapping[str, FileFacts]) -> str:
    f = facts.get(path)
    kinds = [s.kind for s in f.signals if s.kind.startswith("deployment.")] if f else []
    return kinds[0].removeprefix("deployment.") if kinds else ""


def _app_folder(path: str) -> str:
    folder = path.rpartition("/")[0]
    head, _, last = folder.rpartition("/")
    return head if last in _PLATFORM_FOLDERS else folder


def _one_web_per_folder(
    entries: Sequence[Entrypoint],
    keys: Sequence[set[tuple[str, str]]],
    facts: Mapping[str, FileFacts],
    declared: Mapping[tuple[str, str], int],
) -> list[tuple[int, int]]:
    """Platform configs of one folder that each declare a single web process declare the
    same one (Clever Cloud's module and the Procfile's `web`), unless both say which app
    they serve and the apps differ."""
    by_folder: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        paths = {ev.path for ev in e.evidence}
        if e.kind != "http" or len(paths) != 1:
            continue
        path = next(iter(paths))
        if is_code(path) or declared.get((path, "http"), 0) != 1:
            continue
        if _platform(path, facts) in _ROOT_PLATFORMS:
            by_folder.setdefault(_app_folder(path), []).append(i)
    pairs: list[tuple[int, int]] = []
    for members in by_folder.values():
        head = members[0]
        for i in members[1:]:
            apps = [{k for k in keys[j] if k[0] == "app"} for j in (head, i)]
            if not (apps[0] and apps[1] and not apps[0] & apps[1]):
                pairs.append((i, head))
    return pairs


def _same_command(
    entries: Sequence[Entrypoint], facts: Mapping[str, FileFacts]
) -> list[tuple[int, int]]:
    """Entry points that run the identical command in the same folder are one program (a
    devcontainer's `worker` and Procfile.dev's `worker`, both `bundle exec sidekiq`), run
    once or several times, unless a manifest gives them a setting the code reads (roles
    chosen by `SERVICES=worker`): then each is the process of its role."""
    read = {r.name for p, f in facts.items() if is_code(p) for r in f.env}
    by_command: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(entries):
        paths = {ev.path for ev in e.evidence}
        command = " ".join(e.detail.split()[:MAX_TOKENS])
        path = next(iter(paths))
        if len(paths) == 1 and command and not is_code(path):
            where = _context(path, _built_from(path, e.name, facts))
            by_command.setdefault((where, command), []).append(i)
    pairs: list[tuple[int, int]] = []
    for members in by_command.values():
        if len(members) < 2:
            continue
        settings = [_settings(entries[i].evidence[0].path, entries[i], facts) for i in members]
        if any(found & read for found in settings):
            continue
        head = min(members, key=lambda i: _kind_rank(entries[i].kind))
        pairs += [(i, head) for i in members if i != head]
    return pairs


def _built_from(path: str, name: str, facts: Mapping[str, FileFacts]) -> str:
    """The build a compose service runs (`api` and `web` both `npm start` in their own
    folders are two programs); "" elsewhere."""
    f = facts.get(path)
    signals = f.signals if f else ()
    return next((s.detail for s in signals if s.kind == "build.compose" and s.name == name), "")


def _context(path: str, built: str) -> str:
    """The folder a manifest's command runs in: a compose service's build context (the
    image's files), else the manifest's own folder."""
    folder = path.rpartition("/")[0]
    context = built.partition("|")[0]
    if not context or "://" in context:
        return folder
    joined = posixpath.normpath(posixpath.join(folder, context)) if folder else context
    joined = posixpath.normpath(joined)
    return "" if joined == "." else folder if joined.startswith("..") else joined


def _settings(path: str, e: Entrypoint, facts: Mapping[str, FileFacts]) -> set[str]:
    """The environment a manifest sets for one entry point: its variables between the
    entry point's line and the next process's (compose `environment:` under a service)."""
    f = facts.get(path)
    line = next((ev.line for ev in e.evidence if ev.line is not None), None)
    if f is None or line is None:
        return set()
    starts = sorted(
        s.line for s in f.signals if s.kind.startswith("deployment.") and s.line is not None
    )
    end = next((n for n in starts if n > line), None)
    return {r.name for r in f.env if r.line > line and (end is None or r.line < end)}


def _kind_rank(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def _rank(e: Entrypoint, facts: Mapping[str, FileFacts]) -> tuple[int, int, str]:
    """Which member names the merged entry point: a deployment's own process name (Procfile,
    compose), a process manager's or platform's, a package's command (`bin`), the code's own
    signal, a script, a folder convention; a web process before a worker of one command."""
    paths = [ev.path for ev in e.evidence]
    kind = _kind_rank(e.kind)
    if any(is_code(p) for p in paths):
        return (5 if e.detail.endswith(" files") else 3, kind, e.name)
    platforms = {_platform(p, facts) for p in paths} - {""}
    if platforms & set(_NAMING):
        return (0, kind, e.name)
    if platforms:
        return (1, kind, e.name)
    return (2 if e.kind == "cli" and is_code(e.detail.strip()) else 4, kind, e.name)


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
