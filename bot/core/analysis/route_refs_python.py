"""Python routes registered by call with a handler reference, besides Django's `path()` and
DRF routers (`route_refs`): each is a `route.handler` signal that `bot.core.route_handlers`
resolves to the function or class the flow starts at (issue 18 item 3).

* Flask: `app.add_url_rule("/items", view_func=ItemAPI.as_view("items"))`.
* Starlette: `Route("/items", create_item, methods=["POST"])`, `WebSocketRoute(…)`.
* aiohttp: `web.post("/items", create_item)`, `app.router.add_post("/items", create_item)`,
  `add_route("POST", "/items", create_item)`.
* Falcon: `app.add_route("/items", ItemResource())` (its `on_get`/`on_post` responders).
* Tornado: `(r"/items", ItemHandler)` rows of an `Application([...])` table.
* Flask-RESTful / Flask-RESTX: `api.add_resource(ItemResource, "/items", …)` (the class
  first, its routes after it, often on the next line; its `get`/`post` methods handle), and
  the same through a method of the file that hands its first argument on to `add_resource`
  (`def add_org_resource(self, resource, *urls): … self.add_resource(resource, *urls)`).

Linear patterns: every repetition is bounded or possessive.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.analysis.route_refs import KIND, handler_ref, split_args
from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains, words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_ROUTES = 400  # registrations read from one file
# The route (a string that starts with "/"), then the rest of the line: the handler and options.
_TAIL = r"r?[\"'](?P<route>/[^\"'\n]{0,300})[\"']\s*+,\s*+(?P<args>[^\n]{0,300})"
_ROUTE = r"\(\s*+" + _TAIL
_VERBS = "get|post|put|patch|delete|head|options"
# (trigger, pattern): the verb group names the method when the call does.
_CALLS = (
    ("add_url_rule(", lazy(r"\.add_url_rule" + _ROUTE)),
    ("Route(", lazy(r"(?<![\w.])(?:WebSocket)?Route" + _ROUTE)),
    # `\b` written after the literal (a word character may not precede "web"): a leading
    # `\b` makes the engine try every position instead of jumping between "web"s.
    ("web.", re.compile(rf"web(?<!\wweb)\.(?P<verb>{_VERBS}|view)" + _ROUTE)),
    (".add_", re.compile(rf"\.add_(?P<verb>{_VERBS}|view|route)" + _ROUTE)),
    # aiohttp's `router.add_route("POST", "/items", h)` and `web.route("POST", "/items", h)`.
    (
        "route(",
        re.compile(
            r"(?:\.add_route|web(?<!\wweb)\.route)\(\s*+[\"'](?P<verb>[A-Za-z*]{1,7})[\"']\s*+,\s*+"
            + _TAIL
        ),
    ),
)
# A Tornado table row: the route and a handler class (capitalised), then `,` or `)`.
_TORNADO = lazy(
    r"\(\s*+r?[\"'](?P<route>/[^\"'\n]{0,300})[\"']\s*+,\s*+(?P<args>[A-Z][\w.]{0,120}\s*+[,)])"
)
_RESOURCE = lazy(
    r"\.add_resource\(\s*+(?P<ref>[A-Za-z_][\w.]{0,120}+)\s*+,\s*+"
    r"r?[\"'](?P<route>/[^\"'\n]{0,300})[\"']"
)
# A method that forwards its first parameter to `add_resource`, within `MAX_FORWARD` chars.
_FORWARDER = re.compile(
    r"^[ \t]++def[ \t]++([A-Za-z_]\w{0,60}+)\([ \t]*+self[ \t]*+,[ \t]*+([A-Za-z_]\w{0,60}+)",
    re.M,
)
MAX_FORWARD = 600
MAX_FORWARDERS = 8
_KEYWORD = lazy(r"(?:view_func|endpoint)\s*+=\s*+(?P<ref>[^\n]{1,300})")
_INSTANCE = lazy(r"(?P<ref>[A-Za-z_][\w.]{0,120})\(\s*+\)")  # `ItemResource()`


def python_route_signals(
    text: str, lines: Lines, skip: Callable[[int], bool] | None = None
) -> list[Signal]:
    """One `route.handler` signal per registration these frameworks' calls make."""
    out: list[Signal] = []
    words = words_of(text)
    calls = [p for t, p in _CALLS if words.may_hold(t) and t in text]
    if words.may_hold("tornado") and "tornado" in text:
        calls.append(_TORNADO)
    for pattern in calls:
        pos = 0
        while len(out) < MAX_ROUTES:
            m = pattern.search(text, pos)
            if m is None:
                break
            # Read on from the arguments: a list of routes holds more on the same line.
            pos = m.start("args")
            if skip is not None and skip(m.start()):
                continue
            ref = _handler(m.group("args"))
            if not ref:
                continue
            verb = (m.groupdict().get("verb") or "").upper()
            route = m.group("route")
            name = f"{verb} {route}" if verb in _METHOD_VERBS else route
            out.append(Signal(KIND, name, lines.at(m.start("args")), ref))
    if contains(text, "add_resource("):
        for m in _resource_calls(text).finditer(text):
            if len(out) >= MAX_ROUTES:
                break
            if skip is None or not skip(m.start()):
                out.append(Signal(KIND, m.group("route"), lines.at(m.start("ref")), m.group("ref")))
    return sorted(out, key=lambda sig: sig.line or 0)


def _resource_calls(text: str) -> re.Pattern[str]:
    """`_RESOURCE`, or the same call under the names of the file's methods that forward
    their first argument to `add_resource`."""
    names = []
    for m in _FORWARDER.finditer(text):
        body = text[m.end() : m.end() + MAX_FORWARD]
        if re.search(rf"\.add_resource\(\s*+{m.group(2)}\b", body) is not None:
            names.append(re.escape(m.group(1)))
            if len(names) >= MAX_FORWARDERS:
                break
    if not names:
        return _RESOURCE
    return re.compile(
        rf"\.(?:add_resource|{'|'.join(names)})\(\s*+(?P<ref>[A-Za-z_][\w.]{{0,120}}+)\s*+,\s*+"
        r"r?[\"'](?P<route>/[^\"'\n]{0,300})[\"']"
    )


_METHOD_VERBS = frozenset(v.upper() for v in _VERBS.split("|"))


def _handler(args: str) -> str:
    """The handler an argument list after the route names: the first positional one, or
    `view_func=`/`endpoint=`; a class instantiated without arguments names its class."""
    pieces, _closed = split_args(args)
    while pieces and pieces[0][:1] in ("'", '"'):
        pieces = pieces[1:]  # Flask's positional endpoint name: `add_url_rule("/x", "x", f)`
    if not pieces:
        return ""
    first = pieces[0]
    for piece in pieces:
        keyword = _KEYWORD.fullmatch(piece)
        if keyword is not None:
            first = keyword.group("ref").strip()
            break
    else:
        if "=" in first.partition("(")[0]:
            return ""  # only keywords (`endpoint="name"` of add_url_rule): no handler named
    instance = _INSTANCE.fullmatch(first)
    if instance is not None and instance.group("ref")[:1].isupper():
        return instance.group("ref")
    return handler_ref(first + ")", False)
