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
from collections.abc import Callable

from bot.core.analysis.scan import Lines, starts_word
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
_GO = re.compile(
    r"\.(?:HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Get|Post|Put|Patch"
    r"|Delete|Head|Options|All)\(\s*+\"(?:[A-Z]{3,7} {1,4})?(?P<route>/[^\"\n]{0,300})\"\s*+,"
    r"\s*+" + _ARGS
)
# Express, Koa-router, Fastify shorthands: the handler is the last argument.
_JS = re.compile(
    r"\.(?:get|post|put|patch|delete|all|options|head)\(\s*+[\"'`](?P<route>/[^\"'`\n]{0,300})"
    r"[\"'`]\s*+,\s*+" + _ARGS
)
_REF = re.compile(r"[A-Za-z_$][\w$]{0,80}(?:\.[A-Za-z_$][\w$]{0,80}){0,4}")
_WRAPPED = re.compile(r"([A-Za-z_$][\w$.]{0,120})\((?P<inner>[^()]{0,200})\)")
_AS_VIEW = re.compile(r"(?P<ref>[A-Za-z_][\w.]{0,200})\.as_view\([^\n]{0,200}")


def route_handler_signals(
    text: str, language: str, lines: Lines, skip: Callable[[int], bool] | None = None
) -> list[Signal]:
    """One `route.handler` signal per route registered with a handler reference."""
    if language == "python":
        if "path(" not in text and "url(" not in text:
            return []
        pattern, last = _PY, False
    elif language == "go":
        if '("/' not in text and '("' not in text:
            return []
        pattern, last = _GO, True
    else:
        if "('/" not in text and '("/' not in text and "(`/" not in text:
            return []
        pattern, last = _JS, True
    out: list[Signal] = []
    for m in pattern.finditer(text):
        if len(out) >= MAX_ROUTES:
            break
        at = m.start()
        if language == "python" and not starts_word(text, at):
            continue
        if skip is not None and skip(at):
            continue
        ref = handler_ref(m.group("args"), last)
        if ref:
            out.append(Signal(KIND, m.group("route"), lines.at(m.start("args")), ref))
    return out


def handler_ref(args: str, last: bool) -> str:
    """The handler an argument list names: `views.ping` of `views.ping, name="x")`,
    `ctrl.create` of `auth, ctrl.create);` (`last`), `views.X` of `views.X.as_view(),`,
    `h.save` of `http.HandlerFunc(h.save))`; "" for an inline function or anything else."""
    pieces, closed = _split_args(args)
    if not pieces or (last and not closed):
        return ""  # the last argument is on a later line: not read
    piece = pieces[-1] if last else pieces[0]
    for _ in range(3):
        view = _AS_VIEW.fullmatch(piece)
        if view is not None:
            return view.group("ref") if _REF.fullmatch(view.group("ref")) else ""
        if _REF.fullmatch(piece):
            return "" if piece in _NOT_HANDLERS else piece
        wrapped = _WRAPPED.fullmatch(piece)
        if wrapped is None or "," in wrapped.group("inner") or wrapped.group(1) == "include":
            return ""  # `include(…)` mounts another routes module, not a handler
        piece = wrapped.group("inner").strip()  # `login_required(views.x)`, `wrap(h.x)`
    return ""


# Values that are not a handler.
_NOT_HANDLERS = frozenset({"null", "nil", "None", "undefined", "true", "false"})


def _split_args(args: str) -> tuple[list[str], bool]:
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
