"""Go channels held in a package-level variable: `var Queue chan *Msg`, received by a daemon
goroutine of the package and sent to from anywhere (`Queue <- m`, `mail.Queue <- m`).

The idiom: the variable is declared (and usually made) in the file that drains it, the
goroutine often reading a local copy (`q := Queue`, so a restart can swap the variable),
while sends sit in other files of the package or in packages that import it. Sites, paired
by `link_globals` (called by `handoff_links`):

* ``gvar``: a receive from the variable or its local copy (name: the variable; aliases:
  the element type and the package), cited at the `go func(` around it, else its `func`;
* ``gsend``: a send to a variable the file does not declare (`Queue <- m`: name `Queue`,
  alias the file's package; `mail.Queue <- m`: name `mail.Queue`).

A send pairs with a receive of the same package (bare name) or of the package its
qualifier names, in a folder that imports it; only both ends become a hand-off, named as
other packages write the variable (`mail.Queue`). Signal element types (`chan struct{}`,
`bool`) are no queue. Line scans with anchored, bounded patterns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Protocol

from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

RECEIVE = "gvar"
SEND = "gsend"
ROLES = frozenset({RECEIVE, SEND})
RAW = "go-channel-raw"
MECHANISM = "go-channel"
MAX_SITES = 200
MAX_FILES = 400
_SIGNALS = frozenset({"struct{}", "bool", "error", "os.Signal", "time.Time", "int"})

_PACKAGE = lazy(r"\Apackage[ \t]++([A-Za-z_]\w{0,100}+)")
_VAR = lazy(
    r"\A(?:var[ \t]++|\t)([A-Za-z_]\w{0,100}+)[ \t]*+(?:=[ \t]*+make\([ \t]*+)?"
    r"(?<![\w.])chan[ \t]++([\w.*\[\]{}]{1,200}+)"
)
_COPY = lazy(r"\A[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+:?=[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\Z")
_RECV = lazy(r"(?:<-|\brange[ \t]++)[ \t]*+([A-Za-z_]\w{0,100}+)\b(?![.(\[])")
_SEND = lazy(
    r"\A[ \t]*+(?:case[ \t]++)?((?:[a-z]\w{0,100}+\.)?[A-Za-z_]\w{0,100}+)[ \t]*+<-[ \t]*+\S"
)
_GO_FUNC = lazy(r"\A[ \t]*+go[ \t]++func[ \t]*+\(")
# `ch :=` (and `a, ch :=`), `ch = make(`, `ch chan T` / `ch <-chan T` / `ch chan<- T`.
_BINDS = lazy(
    r"([A-Za-z_]\w{0,100}+)[ \t]*+(?::=|=[ \t]*+make\()"
    r"|([A-Za-z_]\w{0,100}+)[ \t]++(?:<-[ \t]*+)?chan\b"
)


def global_sites(lines: list[str]) -> list[HandoffSite]:
    """The package-variable channel sites of one Go file's lines (see the module doc)."""
    package = ""
    declared: dict[str, str] = {}  # variable -> element type
    block = False
    for line in lines:
        if not package and line.startswith("package "):
            p = _PACKAGE.match(line)
            package = p.group(1) if p else ""
        if line.startswith("var ("):
            block = True
            continue
        if block and line.startswith(")"):
            block = False
        if (line.startswith("var ") or (block and line.startswith("\t"))) and "chan" in line:
            m = _VAR.match(line)
            if m and m.group(2) not in _SIGNALS:
                declared[m.group(1)] = m.group(2)
    if not package:
        return []
    out = _receives(lines, declared, package) if declared else []
    out += _sends(lines, declared, package)
    return out[:MAX_SITES]


def _receives(lines: list[str], declared: dict[str, str], package: str) -> list[HandoffSite]:
    out: list[HandoffSite] = []
    func_at = 0
    copies: dict[str, str] = {}  # a local copy -> the variable
    goes: list[tuple[int, int]] = []  # open `go func(` literals: (indent, line)
    for i, line in enumerate(lines, 1):
        if line.startswith("func"):
            func_at, copies, goes = i, {}, []
            continue
        if not func_at:
            continue
        code = line.lstrip()
        indent = len(line) - len(code)
        while goes and code and indent <= goes[-1][0] and not code.startswith(("}", ")")):
            goes.pop()
        if _GO_FUNC.match(line):
            goes.append((indent, i))
            continue
        c = _COPY.match(line) if "=" in line else None
        if c and c.group(2) in declared:
            copies[c.group(1)] = c.group(2)
            continue
        if "<-" not in line and "range" not in line:
            continue
        for r in _RECV.finditer(line):
            var = copies.get(r.group(1)) or (r.group(1) if r.group(1) in declared else "")
            if var and not _SEND.match(line):
                at = goes[-1][1] if goes else func_at
                out.append(HandoffSite(RECEIVE, RAW, var, at, (declared[var], package)))
    return out


def _sends(lines: list[str], declared: dict[str, str], package: str) -> list[HandoffSite]:
    out: list[HandoffSite] = []
    bound: set[str] | None = None  # names the file binds itself, read once when needed
    for i, line in enumerate(lines, 1):
        if "<-" not in line:
            continue
        m = _SEND.match(line)
        if m is None:
            continue
        name = m.group(1)
        if "." in name:
            if not name.rpartition(".")[2][:1].isupper():
                continue  # `s.queue <- v`: a field, not another package's variable
        else:
            if bound is None:
                bound = _bound(lines)
            if name in declared or name in bound:
                continue  # a channel of this file: `handoffs_go`'s
        out.append(HandoffSite(SEND, RAW, name, i, (package,)))
    return out


def _bound(lines: list[str]) -> set[str]:
    """The names the file binds itself (`ch := make(…)`, `a, ch :=`, a `ch chan T` or
    `ch <-chan T` parameter or field)."""
    out: set[str] = set()
    for line in lines:
        if ":=" in line or "chan" in line or "= make(" in line:
            out.update(n for group in _BINDS.findall(line) for n in group if n)
    return out


class Linker(Protocol):
    facts: Mapping[str, FileFacts]
    skip: Callable[[str], bool]

    def go_dirs(self, wrapper_dir: str) -> set[str]: ...

    def add(self, path: str, site: HandoffSite, derived: bool = False) -> None: ...


def _dir(path: str) -> str:
    return path.rpartition("/")[0]


def link_globals(linker: Linker, sites: list[tuple[str, HandoffSite]]) -> None:
    """Both ends of each package variable with a receive and a send (see the module doc)."""
    receives: dict[tuple[str, str], list[tuple[str, HandoffSite]]] = defaultdict(list)
    for path, s in sites:
        if s.role == RECEIVE:
            receives[(_dir(path), s.name)].append((path, s))
    if not receives:
        return
    sends = [(p, s) for p, s in sites if s.role == SEND]
    for (home, var), ends in receives.items():
        package = ends[0][1].aliases[1]
        importers = linker.go_dirs(home) - {home}
        found = [
            (p, s)
            for p, s in sends
            if (s.name == var and _dir(p) == home and s.aliases[0] == package)
            or (s.name == f"{package}.{var}" and _dir(p) in importers)
        ]
        if not found:
            continue
        name = f"{package}.{var}"  # as other packages write it (`mail.Queue`)
        for p, s in found[:MAX_FILES]:
            linker.add(p, HandoffSite("produce", MECHANISM, name, s.line, (var,)))
        for p, s in ends:
            linker.add(p, HandoffSite("consume", MECHANISM, name, s.line))
