"""Plugin families: a folder of member folders, one chosen at run time by a path the code
builds from a value.

``require(`../modules/search/${key}/engine`)``, ``import(`./providers/${name}/index.js`)``,
``path.join(ROOT, 'modules/analytics', key, 'code.yml')``: a written folder, a value, then a
file inside the value's folder. Each ``<folder>/<member>/…`` is a member of the family (a
search engine, a storage target, a sign-in strategy, an analytics snippet), chosen by
configuration, and the member's folder names the service its code reaches, as a
``providers/<name>/`` folder does (`egress_services`).

A family whose only loaders of code are on comment lines (``// require(`../x/${k}`)``) is
dead: nothing loads its code, and what that code names is claimed by nothing (a live loader
of its data files only, ``definition.yml``, lists the members without running them; a
relative import of one of its files from outside it makes it live after all).

Why generic: the shape is the path (a folder, a value, a file below the value), never the
folder's or a library's name. `loaders` is a bounded byte scan of one JS/TS file, led by the
literal of the call (`require(`, `import(`, `join(`, `resolve(`), with no nested repetition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from posixpath import dirname, join, normpath, splitext

from bot.core.analysis.scan import matches_at
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, Service

LIVE = "egress.family"  # meta: "<folder as written>*<file after the value>"
OFF = "egress.family.off"  # the same, written on a comment line
MAX_LOADERS = 50  # loaders looked at per file
MAX_FAMILIES = 200
_COMMENTS = (b"//", b"*", b"/*", b"#")
# `require(`../modules/search/${key}/engine`)`: the folder before the value, what follows it.
_TEMPLATE = lazy(
    rb"(?:require|import)\([ \t]*+`([\w@./-]{1,200}/)\$\{[^`}\n]{1,120}+\}([\w@./-]{0,200}+)`"
)
# `path.join(ROOT, 'modules/analytics', key, 'code.yml')`: a folder, a name, a file name.
_JOINED = lazy(
    rb"(?:join|resolve)\([^()\n]{0,200}?['\"]([\w@./-]{1,200}+)['\"][ \t]*+,[ \t]*+"
    rb"[A-Za-z_$][\w$.]{0,100}+[ \t]*+,[ \t]*+['\"]([\w@.-]{1,100}\.[A-Za-z]{1,8}+)['\"]"
)
# Each pattern needs its call's literal: `${` is in most TypeScript files, a loader in few.
_TEMPLATE_CALLS = Needles((b"require(", b"import("))
_JOINED_CALLS = Needles((b"join(", b"resolve("))
_CODE = frozenset({"", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"})


def loaders(data: bytes) -> tuple[tuple[str, str], ...]:
    """Meta of the family loaders `data` (a JS/TS file) writes: (`LIVE` or `OFF`,
    "<folder>*<rest>"), rest "" or "/<file>" (a member folder's file)."""
    patterns = []
    if _TEMPLATE_CALLS.any_in(data) and b"${" in data:
        patterns.append(_TEMPLATE)
    if _JOINED_CALLS.any_in(data):
        patterns.append(_JOINED)
    out: set[tuple[str, str]] = set()
    for pattern in patterns:
        # Each match starts with its call's name: tried only where one is written.
        calls = _TEMPLATE_CALLS if pattern is _TEMPLATE else _JOINED_CALLS
        for n, m in enumerate(matches_at(pattern, data, calls.needles)):
            if n >= MAX_LOADERS:
                break
            folder = m.group(1).decode("ascii").rstrip("/")
            rest = m.group(2).decode("ascii")
            if pattern is _JOINED:
                rest = "/" + rest
            if not folder or folder in (".", ".."):
                continue
            start = data.rfind(b"\n", 0, m.start()) + 1
            commented = data[start : m.start()].lstrip().startswith(_COMMENTS)
            out.add((OFF if commented else LIVE, f"{folder}*{rest}"))
    return tuple(sorted(out))


@dataclass(frozen=True)
class Families:
    """Folders of live families (members named by their folder) and of dead ones."""

    live: frozenset[str] = frozenset()
    dead: frozenset[str] = frozenset()

    def member(self, path: str) -> str:
        """The member folder `path` is in, in a live family; "" otherwise."""
        return _member(path, self.live)

    def is_dead(self, path: str) -> bool:
        return bool(_member(path, self.dead))


def _member(path: str, folders: frozenset[str]) -> str:
    if not folders:
        return ""
    parts = path.split("/")
    for i in range(len(parts) - 2, 0, -1):  # a member folder, then at least a file
        if "/".join(parts[:i]) in folders:
            return parts[i]
    return ""


def families(files: Mapping[str, FileFacts]) -> Families:
    """The repository's plugin families, from its files' loader meta (`loaders`)."""
    written: list[tuple[str, str, str, str]] = []  # (kind, file, folder, rest)
    for path, f in files.items():
        for key, value in f.meta:
            if key in (LIVE, OFF):
                folder, _, rest = value.partition("*")
                written.append((key, path, folder, rest))
                if len(written) >= MAX_FAMILIES:
                    break
    if not written:
        return Families()
    folders = _folders(files)
    live: set[str] = set()
    code: set[str] = set()  # families whose code some live line loads
    off: set[str] = set()
    for kind, path, folder, rest in written:
        for found in _resolved(path, folder, folders):
            if kind == OFF:
                off.add(found)
                continue
            if splitext(rest)[1] in _CODE:
                code.add(found)
            if rest.startswith("/"):
                live.add(found)  # a file inside each member's folder
    dead = off - code
    if dead:
        dead -= _imported_from_outside(files, dead)
    return Families(frozenset(live), frozenset(dead))


def _imported_from_outside(files: Mapping[str, FileFacts], folders: set[str]) -> set[str]:
    """The folders of `folders` some file outside them imports a file of, by a relative
    path (`require('../modules/logging/disk')`): loaded after all, whatever a comment says."""
    found: set[str] = set()
    for path, f in files.items():
        for ref in f.imports:
            if not ref.spec.startswith(("./", "../")):
                continue
            target = normpath(join(dirname(path), ref.spec))
            for folder in folders - found:
                into = target == folder or target.startswith(folder + "/")
                if into and not path.startswith(folder + "/"):
                    found.add(folder)
    return found


def _folders(files: Iterable[str]) -> dict[str, set[str]]:
    """Folder → the names of the folders right below it that hold some file."""
    out: dict[str, set[str]] = {}
    for path in files:
        parent = dirname(path)
        while parent:
            above = dirname(parent)
            below = out.setdefault(above, set())
            name = parent.rpartition("/")[2]
            if name in below:
                break  # the folders above are known already
            below.add(name)
            parent = above
    return out


def _resolved(path: str, folder: str, folders: Mapping[str, set[str]]) -> list[str]:
    """The repository folders a written folder names: relative to the loader's file when
    written so (`../modules/search`), else every folder whose path ends with it (a root
    joined at run time: `path.join(ROOT, 'modules/analytics', …)`); only folders with
    members."""
    if folder.startswith(("./", "../")):
        found = normpath(join(dirname(path), folder))
        return [found] if folders.get(found) and not found.startswith("..") else []
    tail = "/" + folder.strip("/")
    if tail == "/":
        return []
    return [d for d in folders if folders[d] and ("/" + d).endswith(tail)][:10]


def without_dead(
    services: tuple[Service, ...], family: Families, files: Mapping[str, FileFacts]
) -> tuple[Service, ...]:
    """`services` without their evidence in dead families' files; a service whose code
    evidence was all there goes (a manifest line alone is a package nothing live uses)."""
    if not family.dead:
        return services
    out: list[Service] = []
    for service in services:
        kept = tuple(e for e in service.evidence if not family.is_dead(e.path))
        if len(kept) == len(service.evidence):
            out.append(service)
            continue
        if any(_code(files.get(e.path)) for e in kept):
            out.append(replace(service, evidence=kept))
    return tuple(out)


def _code(f: FileFacts | None) -> bool:
    return f is not None and f.language not in ("manifest", "config", "other")


__all__ = ["LIVE", "OFF", "Families", "families", "loaders", "without_dead"]
