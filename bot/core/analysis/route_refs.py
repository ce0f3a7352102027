"""Routes registered with a handler reference: `path("ping/", views.ping)` (issue 18).

A routes file that names its handlers (Django `urlpatterns`, Go `mux.HandleFunc("/p",
h.save)`, gin/echo/chi `r.GET("/p", mw, handler)`, Express `app.get("/login",
userController.getLogin)`) says where each request goes; the flows start at that handler,
not at the routes file. Each registration is a `route.handler` signal: `name` the route as
written, `detail` the handler as written (`views.ping`, `handler.saveEntry`), `line` the
line that names the handler. `bot.core.route_handlers` resolves it to a function.

Read by regular expressions over the extractor's own text (comments and strings already
blanked where the extractor does so); every quantifier is bounded or possessive.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from bot.core.analysis.route_prefixes import Prefixes, go_prefixes, python_prefixes, receiver
from bot.core.analysis.scan import Lines, starts_word
from bot.core.analysis.words import Needles, Words, contains
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

KIND = "route.handler"
MAX_ROUTES = 400  # registrations read from one file
_ARGS = r"(?P<args>[^\n]{0,300})"
# Django `path`/`re_path`/`url`: the handler is the argument after the route.
_PY = re.compile(
    r"(?:re_path|path|url)\(\s*+r?[\"'](?P<route>[^\"'\n]{0,300})[\"']\s*+,\s*+" + _ARGS
)
# net/http (Go 1.22 "GET /p" patterns too), gorilla, chi, gin, echo, fiber: the handler is
# the last argument (middleware comes before it).
_GO = lazy(
    r"\.(?P<verb>HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Get|Post|Put"
    r"|Patch|Delete|Head|Options|All)\(\s*+\"(?:(?P<method>[A-Z]{3,7}) {1,4})?"
    r"(?P<route>/[^\"\n]{0,300})\"\s*+,\s*+" + _ARGS
)
# Express, Koa-router, Fastify shorthands: the handler is the last argument.
# koa-router's RPC-style names (`router.post("documents.create", …)`) are routes too, on a
# receiver named like a router and with the handler written inline (not `cache.get("k", f)`).
_JS = re.compile(
    r"\.(?P<verb>get|post|put|patch|delete|all|options|head)\(\s*+[\"'`]"
    r"(?P<route>/[^\"'`\n]{0,300}|[A-Za-z_$][\w$.:-]{0,200})[\"'`]\s*+,\s*+" + _ARGS
)
_JS_VERBS = ("post", "put", "patch", "delete", "all", "options", "head")
# `.get(` or another verb's call: the words first (`words`), most files hold none.
_JS_ROUTE_CALLS = Needles((".get(", *(f".{v}(" for v in _JS_VERBS)))
_JS_RECEIVER = re.compile(r"[A-Za-z_$][\w$]{0,80}\Z")
_ROUTER_NAMES = ("router", "routes", "api")  # as `bot.core.analysis.calls_js.ROUTER_NAMES`
# A Go handler written inline, after any middleware: the flow starts at that function
# (the call reader takes it as one, `bot.core.analysis.calls`).
INLINE = "func"
_GO_INLINE = lazy(r"(?:[\w.]{1,80}\s*+,\s*+){0,4}func\s*+\(")
# DRF routers: `router.register(r"users", UserViewSet, basename="user")`.
_DRF = re.compile(
    r"\.register\(\s*+(?:prefix\s*+=\s*+)?r?[\"'](?P<route>[^\"'\n]{0,300})[\"']\s*+,\s*+" + _ARGS
)
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# `const users = require("./controllers/users")`: where a CommonJS handler's module is.
_REQUIRE = lazy(
    r"(?:const|let|var)\s++(?P<name>[A-Za-z_$][\w$]{0,80})\s*+=\s*+require\(\s*+[\"'`]"
    r"(?P<spec>[^\"'`\n]{1,300})[\"'`]\s*+\)"
)
MODULE_KIND = "route.module"
_REF = re.compile(r"[A-Za-z_$][\w$]{0,80}(?:\.[A-Za-z_$][\w$]{0,80}){0,4}")
_AS_VIEW = re.compile(r"(?P<ref>[A-Za-z_][\w.]{0,200})\.as_view\([^\n]{0,200}")


def route_handler_signals(
    text: str,
    language: str,
    lines: Lines,
    skip: Callable[[int], bool] | None = None,
    words: Words | None = None,
) -> list[Signal]:
    """One `route.handler` signal per route registered with a handler reference. `words`:
    those of the text `text` was blanked from (`words.Needles.any_in`), for the JS gate."""
    if language == "python":
        if (
            not contains(text, "path(")
            and not contains(text, "url(")
            and not contains(text, "register(")
        ):
            return []
        pattern, last = _PY, False
    elif language == "go":
        if '("/' not in text and '("' not in text:
            return []
        pattern, last = _GO, True
    else:
        if not _JS_ROUTE_CALLS.any_in(text, words):
            return []  # (a route's string may be on the next line, or a koa-router name)
        pattern, last = _JS, True
    prefixes, out = _prefixes(text, language, lines)
    search = _PythonSearch(text).search if language == "python" else pattern.search
    pos = 0
    while len(out) < MAX_ROUTES:
        m = search(text, pos)
        if m is None:
            break
        at = m.start()
        # What a registration without a handler passes (`include([path(...)])`, a closure)
        # may hold registrations of its own on the same line: read on from its arguments.
        pos = m.start("args")
        if language == "python" and not starts_word(text, at):
            continue
        if skip is not None and skip(at):
            continue
        ref = handler_ref(m.group("args"), last)
        if not ref and language == "go" and _GO_INLINE.match(m.group("args")):
            ref = INLINE  # `r.Get("/x", func(w http.ResponseWriter, r *http.Request) {`
        route = m.group("route")
        line = lines.at(m.start("args"))
        if language not in ("python", "go") and (not ref or not route.startswith("/")):
            # A handler written inline (`async (ctx) => {` here or on a later line): the
            # call reader names it by the route's line (`route12`); nothing else resolves.
            if not route.startswith("/") and not _on_router(text, at):
                continue
            ref, line = INLINE, lines.at(m.start("route"))
            route = "/" + route.lstrip("/")
        if ref:
            pos = m.end()
            if prefixes is not None:
                route = prefixes.join(prefixes.at(at, _receiver(text, at, language)), route)
            method = _method(m)
            name = f"{method} {route}" if method else route
            out.append(Signal(KIND, name, line, ref))
    if language == "python" and contains(text, "register("):
        out += _drf_routes(text, lines, prefixes, skip, MAX_ROUTES - len(out))
    if language not in ("python", "go") and out and "require(" in text:
        out += _required(text, {sig.detail.split(".")[0] for sig in out}, lines)
    return out


def _drf_routes(
    text: str,
    lines: Lines,
    prefixes: Prefixes | None,
    skip: Callable[[int], bool] | None,
    room: int,
) -> list[Signal]:
    """Django REST framework: `router.register(r"users", views.UserViewSet)` routes
    `users/` to the viewset (its `list`, `create`... methods)."""
    out: list[Signal] = []
    for m in _DRF.finditer(text):
        if len(out) >= room:
            break
        if skip is not None and skip(m.start()):
            continue
        ref = handler_ref(m.group("args"), False)
        if ref:
            route = m.group("route")
            if prefixes is not None:
                route = prefixes.join(prefixes.at(m.start()), route)
            out.append(Signal(KIND, route, lines.at(m.start("args")), ref))
    return out


def _prefixes(text: str, language: str, lines: Lines) -> tuple[Prefixes | None, list[Signal]]:
    """The file's route prefixes (`bot.core.analysis.route_prefixes`), and its Django
    `route.include` signals."""
    if language == "python":
        prefixes, includes = python_prefixes(text, lines)
        return prefixes, includes
    if language == "go":
        return go_prefixes(text), []
    return None, []


def _on_router(text: str, dot: int) -> bool:
    """Whether the call at `dot` is made on a receiver named like a router (`router.post(`)."""
    m = _JS_RECEIVER.search(text, max(0, dot - 81), dot)
    return m is not None and m.group().lower().endswith(_ROUTER_NAMES)


def _receiver(text: str, at: int, language: str) -> str:
    return receiver(text, at) if language == "go" else ""


class _PythonSearch:
    """`_PY.search(text, pos)`, tried only where `re_path(`, `path(` or `url(` is written: a
    pattern that starts with an alternation is tried by the engine at every position of the
    text (~4x slower on Django code, where `get_absolute_url(` lets most files in). Each
    written start is tried at most once, as searches move forward."""

    def __init__(self, text: str) -> None:
        starts: list[int] = []
        for needle in ("path(", "url("):
            at = text.find(needle)
            while at >= 0:
                if needle == "path(" and at >= 3 and text.startswith("re_", at - 3):
                    starts.append(at - 3)
                starts.append(at)
                at = text.find(needle, at + 1)
        self.starts = sorted(starts)

    def search(self, text: str, pos: int) -> re.Match[str] | None:
        for i in range(bisect_left(self.starts, pos), len(self.starts)):
            m = _PY.match(text, self.starts[i])
            if m is not None:
                return m
        return None


def _required(text: str, heads: set[str], lines: Lines) -> list[Signal]:
    """A `route.module` signal (name: the binding, detail: the module) for each handler's
    head bound by `require`: the flows resolve `users.create` through it."""
    out: list[Signal] = []
    for m in _REQUIRE.finditer(text):
        if m.group("name") in heads and starts_word(text, m.start()):
            out.append(Signal(MODULE_KIND, m.group("name"), lines.at(m.start()), m.group("spec")))
    return out


def _method(m: re.Match[str]) -> str:
    """The HTTP method a registration names (`"POST /p"`, `.post(`, `r.GET(`, gorilla's
    `.Methods("POST")` or `.Methods(http.MethodPost)` after the call), or ""."""
    groups = m.groupdict()
    for found in (groups.get("method"), groups.get("verb")):
        if found and found.upper() in _METHODS:
            return found.upper()
    if groups.get("verb") in ("HandleFunc", "Handle"):
        named = _GORILLA_METHODS.search(m.group("args"))
        if named is not None:
            found = (named.group("quoted") or named.group("const") or "").upper()
            return found if found in _METHODS else ""
    return ""


# gorilla/mux: `router.HandleFunc("/p", h.save).Name("save").Methods(http.MethodPost)`.
_GORILLA_METHODS = lazy(
    r"\)\s*+(?:\.\s*+Name\(\s*+\"[^\"\n]{0,200}\"\s*+\)\s*+)?\.\s*+Methods\(\s*+"
    r"(?:\"(?P<quoted>[A-Z]{3,7})\"|http\.Method(?P<const>[A-Z][a-z]{2,6})\b)"
)


def handler_ref(args: str, last: bool) -> str:
    """The handler an argument list names: `views.ping` of `views.ping, name="x")`,
    `ctrl.create` of `auth, ctrl.create);` (`last`), `views.X` of `views.X.as_view(),`,
    `h.save` of `http.HandlerFunc(h.save))`; "" for an inline function or anything else."""
    pieces, closed = split_args(args)
    if not pieces or (last and not closed):
        return ""  # the last argument is on a later line: not read
    piece = pieces[-1] if last else pieces[0]
    for _ in range(3):
        view = _AS_VIEW.fullmatch(piece)
        if view is not None:
            return view.group("ref") if _REF.fullmatch(view.group("ref")) else ""
        if _REF.fullmatch(piece):
            return "" if piece in _NOT_HANDLERS else piece
        # `login_required(views.x)`, `wrap(h.x)`; a middleware given options as literals
        # wraps the one reference beside them (`perm(h.send, "tx:send")`).
        opened = piece.find("(")
        if opened < 1 or not piece.endswith(")") or not _REF.fullmatch(piece[:opened]):
            return ""
        if piece[:opened] == "include":
            return ""  # `include(…)` mounts another routes module, not a handler
        inner, closed = split_args(piece[opened + 1 : -1])
        if not last and not inner and piece[:opened].rpartition(".")[2][:1].isupper():
            # `feeds.LatestFeed()`: Django calls the instance of a class made without
            # arguments; the resolver starts at the methods the class defines.
            return piece
        inner = [p for p in inner if not _LITERAL.fullmatch(p)]
        if closed or len(inner) != 1:
            return ""
        piece = inner[0]
    return ""


# A string or number written as is: an option beside a wrapped handler, never the handler.
_LITERAL = re.compile(r"\"[^\"\\\n]{0,200}\"|'[^'\\\n]{0,200}'|`[^`\n]{0,200}`|-?\d{1,20}")


# Values that are not a handler.
_NOT_HANDLERS = frozenset({"null", "nil", "None", "undefined", "true", "false"})


def split_args(args: str) -> tuple[list[str], bool]:
    """The top-level arguments of a call's rest-of-line, and whether the call closes on it."""
    pieces: list[str] = []
    depth = 0
    start = 0
    quote = ""
    for i, c in enumerate(args):
        if quote:
            if c == quote:
                quote = ""
            continue
        if c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                pieces.append(args[start:i].strip())
                return [p for p in pieces if p], True
            depth -= 1
        elif c == "," and depth == 0:
            pieces.append(args[start:i].strip())
            start = i + 1
    pieces.append(args[start:].strip())
    return [p for p in pieces if p], False


# Django REST framework's extra actions: `@action(methods=["get"], detail=False)` above a
# viewset's method routes `<prefix>/<method name>/` to it (the router makes the URL).
ACTION_KIND = "route.action"
MAX_ACTIONS = 100
MAX_DECORATOR_LINES = 6  # from `@action(` to its `def`
MAX_CLASS_UP = 2_000  # lines looked up from an action to its class
_ACTION_DEF = lazy(r"\A[ \t]++(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+\(")
_ACTION_CLASS = lazy(r"\Aclass[ \t]++([A-Za-z_]\w{0,100}+)")


def drf_action_signals(text: str, at: Lines, skip: Callable[[int], bool]) -> list[Signal]:
    """One `route.action` signal per `@action(` method of a class: `name` is `Class.method`,
    at the `def` line. Only where the file imports DRF's decorators."""
    if "@action(" not in text or "rest_framework" not in text:
        return []
    out: list[Signal] = []
    lines = text.split("\n")
    pos = text.find("@action(")
    while pos != -1 and len(out) < MAX_ACTIONS:
        i = at.at(pos)
        if not skip(pos) and lines[i - 1].lstrip().startswith("@action("):
            found = _action_method(lines, i)
            if found is not None:
                out.append(Signal(ACTION_KIND, found[0], found[1]))
        pos = text.find("@action(", pos + 1)
    return out


def _action_method(lines: list[str], i: int) -> tuple[str, int] | None:
    """(`Class.method`, its def line) for the `@action(` decorator on line `i`."""
    for k in range(i, min(len(lines), i + MAX_DECORATOR_LINES)):
        m = _ACTION_DEF.match(lines[k])
        if m is None:
            continue
        indent = len(lines[k]) - len(lines[k].lstrip())
        for j in range(i - 2, max(-1, i - 2 - MAX_CLASS_UP), -1):
            line = lines[j]
            code = line.lstrip()
            if not code or code.startswith(("#", "@", ")")):
                continue
            if len(line) - len(code) < indent:
                c = _ACTION_CLASS.match(code)
                return (f"{c.group(1)}.{m.group(1)}", k + 1) if c is not None else None
        return None
    return None
