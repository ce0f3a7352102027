"""Go routes registered through the file's own helper: `h(r, "getAlbum", api.GetAlbum)`.

Many Go routers register their endpoints through a small function of their own that takes
the router, the path and the handler and calls the router itself
(`func add(r chi.Router, path string, f handler) { r.HandleFunc("/"+path, wrap(f)) }`),
sometimes through a second helper that calls the first (`h` → `hr` → `add`). The rule is
structural: a function of the file is a *registrar* when its body calls a router verb
(`.HandleFunc(`, `.Get(`…) with its path parameter in the first argument, or calls a
registrar with that parameter at the registrar's path position. Each call of a registrar
elsewhere in the file with a string literal at that position registers a route, its handler
the call's last argument (a reference, as `route_refs.handler_ref` reads it). Nothing is
keyed on a name. Bounded line scans; a registrar is looked for `MAX_DEPTH` levels deep.
"""

from __future__ import annotations

from bot.core.analysis.route_refs import KIND, handler_ref, split_args
from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_DEPTH = 3
MAX_BODY = 80
MAX_ROUTES = 400
MAX_LINE = 2_000

_FUNC = lazy(r"\Afunc[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+\(")
_VERB = lazy(
    r"\.(?:HandleFunc|Handle|Get|Post|Put|Patch|Delete|Head|Options|GET|POST|PUT|PATCH"
    r"|DELETE|HEAD|OPTIONS|Any|All|Method)\("
)
_CALL = lazy(r"(?<![\w.])([A-Za-z_]\w{0,100}+)\(")
_STRING = lazy(r"\"([^\"\\\n]{1,200}+)\"")


def _words(text: str) -> set[str]:
    out, cur = set(), []
    for ch in text:
        if ch.isalnum() or ch == "_":
            cur.append(ch)
        elif cur:
            out.add("".join(cur))
            cur = []
    if cur:
        out.add("".join(cur))
    return out


def _string_params(after: str) -> list[tuple[int, str]]:
    """(index, name) of the `string` parameters of a signature's rest-of-line."""
    pieces, closed = split_args(after)
    if not closed:
        return []
    names: list[str] = []
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    for piece in pieces:
        words = piece.split(None, 1)
        if len(words) == 1:
            pending.append(words[0])
            continue
        for name in [*pending, words[0]]:
            names.append(name)
            if words[1].strip() == "string":
                out.append((len(names) - 1, name))
        pending = []
    return out


def go_wrapped_routes(text: str, lines: Lines | None = None) -> list[Signal]:
    """`route.handler` signals of the routes registered through the file's registrars."""
    if "func " not in text or '"' not in text:
        return []
    rows = [line[:MAX_LINE] for line in text.split("\n")]
    funcs: list[tuple[str, int, list[tuple[int, str]], list[str]]] = []
    for k, line in enumerate(rows):
        if line.startswith("func"):
            m = _FUNC.match(line)
            if m is None:
                continue
            params = _string_params(line[m.end() :])
            body = []
            for row in rows[k + 1 : k + 1 + MAX_BODY]:
                if row.startswith("}"):
                    break
                body.append(row)
            if params:
                funcs.append((m.group(1), k + 1, params, body))
    registrars: dict[str, int] = {}  # function -> index of its path parameter
    for _ in range(MAX_DEPTH):
        grew = False
        for name, _, params, body in funcs:
            if name in registrars:
                continue
            at = _registers(params, body, registrars)
            if at is not None:
                registrars[name] = at
                grew = True
        if not grew:
            break
    if not registrars:
        return []
    defs = {at for _, at, _, _ in funcs}
    out: list[Signal] = []
    for i, line in enumerate(rows, 1):
        if i in defs or "(" not in line or line.lstrip().startswith("//"):
            continue
        for c in _CALL.finditer(line):
            index = registrars.get(c.group(1))
            if index is None:
                continue
            pieces, closed = split_args(line[c.end() :])
            if not closed or len(pieces) <= index + 1:
                continue
            path = _STRING.fullmatch(pieces[index])
            ref = handler_ref(line[c.end() :], True)
            if path is None or not ref:
                continue
            out.append(Signal(KIND, "/" + path.group(1).lstrip("/"), i, ref))
            if len(out) >= MAX_ROUTES:
                return out
    return out


def _registers(
    params: list[tuple[int, str]], body: list[str], registrars: dict[str, int]
) -> int | None:
    """The index of the path parameter a body hands to a router verb (in its first
    argument) or to a registrar (at that registrar's path position), else None."""
    for line in body:
        if "(" not in line:
            continue
        verb = _VERB.search(line)
        if verb is not None:
            pieces, _ = split_args(line[verb.end() :])
            if pieces:
                first = _words(pieces[0])
                for index, name in params:
                    if name in first:
                        return index
        for c in _CALL.finditer(line):
            at = registrars.get(c.group(1))
            if at is None:
                continue
            pieces, _ = split_args(line[c.end() :])
            if len(pieces) > at:
                for index, name in params:
                    if pieces[at].strip() == name:
                        return index
    return None
