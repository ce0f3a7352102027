"""The prefixes a routes file puts in front of its routes (issue 18).

A route is registered under prefixes written elsewhere in the same file:

* Django: `path("ping/<uuid:code>/", include(uuid_urls))` puts the routes of the list
  `uuid_urls = [...]` (or of an inline `include([...])`) under `ping/<uuid:code>/`, and
  `path("api/", include("hc.api.urls"))` puts another module's under `api/` (that one is a
  `route.include` signal: `bot.core.route_handlers` joins it across files).
* Go: a sub-router or group assigned to a variable (gorilla
  `v1 := r.PathPrefix("/v1").Subrouter()`, gin/echo/fiber `g := r.Group("/v1")`) prefixes
  the routes registered on that variable; chi's `r.Route("/api", func(r chi.Router) {...})`
  the routes inside its function.

`Prefixes.at(position, receiver)` gives the prefix of a route registered there. Spans are
found by one pass over the file's brackets (strings skipped); every pattern is linear and
every list capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

INCLUDE_KIND = "route.include"
MAX_SPANS = 200
MAX_VARS = 200
MAX_TEXT = 400_000  # characters of one file read for its brackets
MAX_DEPTH = 8  # sub-routers of sub-routers followed

# `path("api/", include("hc.api.urls"))`, `re_path(r"^x/", include(("x.urls", "x")))`,
# `path("ping/", include(uuid_urls))`, `path("v1/", include([...]))`; a variable route
# (`path(prefix, include(...))`) is an unknown prefix: none.
_PY_INCLUDE = re.compile(
    r"(?:re_path|path|url)\(\s*+(?:r?[\"'](?P<route>[^\"'\n]{0,300})[\"']|[A-Za-z_]\w{0,80})"
    r"\s*+,\s*+include\(\s*+(?:\(\s*+)?(?:r?[\"'](?P<module>[\w.]{1,200})[\"']|(?P<list>\[)"
    r"|(?P<name>[A-Za-z_]\w{0,80})\s*+[,)])"
)
# `uuid_urls = [` (an annotation allowed) at the start of a line.
_PY_LIST = re.compile(r"^(?P<name>[A-Za-z_]\w{0,80})[ \t]*+(?::[^=\n]{0,120})?=[ \t]*+\[", re.M)
# Go sub-routers and groups, read from the `.` of the call.
_GO_GROUP = lazy(
    r"\.(?:PathPrefix\(\s*+\"(?P<pp>[^\"\n]{0,200})\"\s*+\)\s*+\.\s*+Subrouter\(\s*+\)"
    r"|Group\(\s*+\"(?P<grp>[^\"\n]{0,200})\""
    r"|Route\(\s*+\"(?P<route>[^\"\n]{0,200})\"\s*+,\s*+func\((?P<params>[^(){}\n]{0,200})\)"
    r"\s*+\{)"
)
# What a sub-router is assigned to, read on the (at most 140) characters before its `.`.
_ASSIGNED = lazy(r"(?P<var>[A-Za-z_]\w{0,60})\s{0,8}:?=\s{0,8}(?P<base>[A-Za-z_]\w{0,60})$")
_RECEIVER = lazy(r"(?P<var>[A-Za-z_]\w{0,60})$")
# Brackets, and the strings whose brackets are not code.
# A string not closed on its line ends there: its quote is never read again (no rescan
# from every quote of a line).
_TOKENS = re.compile(
    r"[\[\](){}]|\"(?:[^\"\\\n]|\\.)*+\"?|'(?:[^'\\\n]|\\.)*+'?|`[^`]{0,100000}+`?"
)


@dataclass
class Prefixes:
    """Where a file's routes are prefixed: spans of text, and variables bound to prefixes."""

    go: bool = False
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, prefix
    binds: list[tuple[int, str, str, str]] = field(default_factory=list)  # at, var, base, own

    def at(self, pos: int, receiver: str = "") -> str:
        """The prefix of a route registered at `pos` on `receiver` (Go), joined outer first."""
        if receiver:
            bound = self._bound(receiver, pos, MAX_DEPTH)
            if bound is not None:
                return bound
        return self._spanned(pos)

    def _spanned(self, pos: int) -> str:
        prefix = ""
        for start, end, own in self.spans:  # sorted by start: outer spans first
            if start <= pos < end:
                prefix = self.join(prefix, own)
        return prefix

    def _bound(self, var: str, pos: int, depth: int) -> str | None:
        found = None
        for at, name, base, own in self.binds:  # in text order: the last one before `pos`
            if at >= pos:
                break
            if name == var:
                found = (at, base, own)
        if found is None or depth <= 0:
            return None
        at, base, own = found
        outer = self._bound(base, at, depth - 1) if base != var else None
        return self.join(outer if outer is not None else self._spanned(at), own)

    def join(self, prefix: str, route: str) -> str:
        if not prefix:
            return route
        if self.go:
            return go_join(prefix, route)
        return django_join(prefix, route)


def django_join(prefix: str, route: str) -> str:
    """Django concatenates: `api/` + `checks/` → `api/checks/`; `^api/` + `^x/$` → `^api/x/$`."""
    return prefix.removesuffix("$") + route.removeprefix("^")


def go_join(prefix: str, route: str) -> str:
    """`/v1` + `/users` → `/v1/users`; a method pattern keeps its method first."""
    method, sep, rest = route.partition(" ")
    if sep and rest.startswith("/") and method.isupper():
        return f"{method} {go_join(prefix, rest)}"
    tail = route.lstrip("/")
    head = prefix.rstrip("/")
    return f"{head}/{tail}" if tail else (head or "/")


def python_prefixes(text: str, lines: Lines) -> tuple[Prefixes, list[Signal]]:
    """A Django routes file's include prefixes, and a `route.include` signal (name: the
    module, detail: its prefix) for each module it includes under a prefix."""
    out = Prefixes()
    if "include(" not in text:
        return out, []
    wanted: list[tuple[int, str]] = []  # bracket position, prefix
    named: list[tuple[str, str]] = []
    modules: list[tuple[int, str, str]] = []
    for m in _PY_INCLUDE.finditer(text):
        if len(wanted) + len(named) + len(modules) >= MAX_SPANS:
            break
        route = m.group("route") or ""
        if m.group("module"):
            modules.append((m.start(), m.group("module"), route))
        elif not route:
            continue
        elif m.group("list"):
            wanted.append((m.start("list"), route))
        else:
            named.append((m.group("name"), route))
    if named:
        firsts: dict[str, str] = {}
        for name, route in named:
            firsts.setdefault(name, route)  # a list included at several prefixes: the first
        for m in _PY_LIST.finditer(text):
            if m.group("name") in firsts and len(wanted) < MAX_SPANS:
                wanted.append((m.end() - 1, firsts.pop(m.group("name"))))
    closes = _closers(text, {at for at, _ in wanted})
    out.spans = sorted((at, closes[at], route) for at, route in wanted if at in closes)
    signals = [
        Signal(INCLUDE_KIND, module, lines.at(at), out.join(out.at(at), route))
        for at, module, route in modules
    ]
    return out, signals


def go_prefixes(text: str) -> Prefixes:
    """A Go routes file's sub-router variables and chi `Route` functions."""
    out = Prefixes(go=True)
    if "Subrouter(" not in text and "Group(" not in text and "Route(" not in text:
        return out
    opens: list[tuple[int, str]] = []
    for m in _GO_GROUP.finditer(text):
        if len(out.binds) >= MAX_VARS or len(opens) >= MAX_SPANS:
            break
        if m.group("route") is not None:
            opens.append((m.end() - 1, m.group("route")))
            continue
        own = m.group("pp") if m.group("pp") is not None else m.group("grp")
        bound = _ASSIGNED.search(text, max(0, m.start() - 140), m.start())
        if bound is not None:
            out.binds.append((m.start(), bound.group("var"), bound.group("base"), own or ""))
    closes = _closers(text, {at for at, _ in opens})
    out.spans = sorted((at, closes[at], route) for at, route in opens if at in closes)
    return out


def receiver(text: str, dot: int) -> str:
    """The variable a Go registration is called on: `v1` of `v1.HandleFunc(`."""
    m = _RECEIVER.search(text, max(0, dot - 61), dot)
    return m.group("var") if m is not None else ""


def _closers(text: str, wanted: set[int]) -> dict[int, int]:
    """Opening bracket position → its closing bracket's, for the `wanted` openings (one pass
    over the file's brackets, strings skipped; unclosed ones are left out)."""
    if not wanted:
        return {}
    out: dict[int, int] = {}
    stack: list[int] = []
    last = max(wanted)
    for m in _TOKENS.finditer(text, 0, min(len(text), MAX_TEXT)):
        c = m.group()
        if len(c) != 1:
            continue
        if c in "([{":
            stack.append(m.start())
        elif stack:
            opened = stack.pop()
            if opened in wanted:
                out[opened] = m.start()
                if len(out) == len(wanted):
                    break
        elif m.start() > last:
            break
    return out


# Flask `bp = Blueprint("auth", __name__, url_prefix="/auth")`, FastAPI
# `router = APIRouter(prefix="/items", tags=[...])`: the routes its decorators register
# in the same file are under that prefix.
_PY_ROUTER = re.compile(
    r"^(?P<name>[A-Za-z_]\w{0,80})[ \t]*+(?::[^=\n]{0,120})?=[ \t]*+(?:[A-Za-z_][\w.]{0,80}\.)?"
    r"(?:Blueprint|APIRouter)\((?P<args>[^()]{0,400})",
    re.M,
)
_PY_PREFIX_ARG = re.compile(r"\b(?:url_)?prefix\s*+=\s*+[\"'](?P<prefix>[^\"'\n]{0,200})[\"']")
_PY_DECORATED = lazy(
    r"@(?P<name>[A-Za-z_]\w{0,80})\.(?:route|get|post|put|patch|delete|head|options"
    r"|websocket|api_route)\("
)


def decorator_prefixes(text: str, lines: Lines, signals: list[Signal]) -> list[Signal]:
    """`signals` with each decorator route of a prefixed blueprint or router of this file
    (`@bp.route("/login")` under `url_prefix="/auth"`) prefixed: `/auth/login`."""
    # Each router the pattern reads is made by one of these calls: two substring tests spare
    # files that only say "prefix" (netbox's IP prefixes) a scan from every line start.
    if not contains(text, "prefix") or (
        not contains(text, "Blueprint(") and not contains(text, "APIRouter(")
    ):
        return signals
    routers: dict[str, str] = {}
    for m in _PY_ROUTER.finditer(text):
        found = _PY_PREFIX_ARG.search(m.group("args"))
        if found is not None and found.group("prefix").strip("/") and len(routers) < MAX_VARS:
            routers.setdefault(m.group("name"), found.group("prefix"))
    if not routers:
        return signals
    at_line: dict[int, str] = {}
    for m in _PY_DECORATED.finditer(text):
        if m.group("name") in routers and len(at_line) < MAX_SPANS * 5:
            at_line[lines.at(m.start())] = routers[m.group("name")]
    out = []
    for s in signals:
        prefix = at_line.get(s.line or 0) if s.kind == "entrypoint.http" else None
        if prefix is not None:
            s = Signal(s.kind, s.name, s.line, go_join(prefix, s.detail))
        out.append(s)
    return out


# koa-router and friends: `const router = new Router({ prefix: "/api" })` puts the routes
# registered on `router` under `/api`.
_JS_ROUTER = lazy(r"\bnew\s++(?:[\w$]{1,80}\.)?[\w$]{0,40}Router\(\s*+\{(?P<opts>[^{}]{0,300})\}")
_JS_PREFIX_OPT = lazy(r"\bprefix\s*+:\s*+[\"'`](?P<prefix>/[^\"'`\n]{0,200})[\"'`]")
_JS_ASSIGNED = lazy(r"(?P<var>[A-Za-z_$][\w$]{0,80})\s{0,8}=\s{0,8}$")
_JS_ROUTE_CALL = lazy(r"\.(?:get|post|put|patch|delete|all|route)\(\s*+[\"'`]/")
_JS_RECEIVER = lazy(r"(?P<var>[A-Za-z_$][\w$]{0,80})$")


def js_router_prefixes(code: str, lines: Lines, signals: list[Signal]) -> list[Signal]:
    """`signals` with the routes registered on a router made with a `prefix` option
    (`new Router({ prefix: "/api" })`) prefixed: `router.post("/users")` → `/api/users`."""
    if "prefix" not in code or "Router(" not in code:
        return signals
    routers: dict[str, str] = {}
    for m in _JS_ROUTER.finditer(code):
        opt = _JS_PREFIX_OPT.search(m.group("opts"))
        bound = _JS_ASSIGNED.search(code, max(0, m.start() - 100), m.start())
        if opt is not None and bound is not None and len(routers) < MAX_VARS:
            routers.setdefault(bound.group("var"), opt.group("prefix"))
    if not routers:
        return signals
    at_line: dict[int, str] = {}
    for m in _JS_ROUTE_CALL.finditer(code):
        on = _JS_RECEIVER.search(code, max(0, m.start() - 81), m.start())
        if on is not None and on.group("var") in routers and len(at_line) < MAX_SPANS * 5:
            at_line[lines.at(m.start())] = routers[on.group("var")]
    out = []
    for s in signals:
        prefix = at_line.get(s.line or 0)
        if prefix is not None and s.kind == "entrypoint.http" and s.detail.startswith("/"):
            s = Signal(s.kind, s.name, s.line, go_join(prefix, s.detail))
        elif prefix is not None and s.kind == "route.handler":
            method, sep, route = s.name.partition(" ")
            named = f"{method} {go_join(prefix, route)}" if sep else go_join(prefix, s.name)
            s = Signal(s.kind, named, s.line, s.detail)
        out.append(s)
    return out
