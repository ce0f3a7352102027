"""Which `x.get("/p", …)` calls are an HTTP client's requests, not route registrations.

A browser-side API client (`apiFetcher.get("/blocked")`, `client.post("/auth.info",
params)`, an `axios.create()` instance) is written like an Express router; taken for one,
each request it makes becomes an internet-facing entry point. A call registers a route when
its receiver is a server or router the file makes (`express()`, `Router()`, `new Koa…`,
`fastify()`, `new Hono()`), or when a handler (a function, an arrow, a function's name)
follows the path. It is a client's request when its receiver is a client the file makes
(`axios.create(…)`, `ky.create(…)`, `ofetch.create(…)`), or a receiver named like a client
(`fetcher`, `client`, `api`) gets no handler, or the only arguments are data (an object
literal, `params`, `body`). Code that runs in the browser by its place (`frontend/…`,
`*.tsx`) registers no routes unless the file makes or imports a server.

`client_call_starts` returns where those client calls start (the `.` before the verb): the
extractor skips route signals found there. Regular expressions are bounded; calls read per
file are capped.
"""

from __future__ import annotations

import itertools
import re

from bot.core.analysis.route_refs import split_args
from bot.core.analysis.words import Needles

MAX_CALLS = 2000  # `.verb("…"` calls judged in one file
_ARGS_WINDOW = 400  # characters of arguments read after the path
_CALL = re.compile(
    r"\.(?:get|post|put|patch|delete|all|options|head|route)(?:<[^()\n]{0,300}?>)?\(\s*+"
    r"(?P<q>[\"'`])[^\"'`\n]{0,300}(?P=q)"
)
_RECEIVER = re.compile(r"[A-Za-z_$][\w$]{0,80}\Z")
# `const app = express()`, `const router = new Router()`, `const api = axios.create({`.
# The keyword's `\b` written after it, so the engine skips to the letters c, l and v (~2x).
_MADE = re.compile(
    r"(?:const(?<!\wconst)|let(?<!\wlet)|var(?<!\wvar))\s++"
    r"(?P<name>[A-Za-z_$][\w$]{0,80})\s*+(?::[^=\n]{0,80})?=\s*+"
    r"(?:await\s++)?(?:new\s++)?(?P<callee>[A-Za-z_$][\w$]{0,80}(?:\.[A-Za-z_$][\w$]{0,80}){0,3})"
    r"\s*+(?:<[^>\n]{0,80}>)?\("
)
_SERVER_CALLEES = frozenset(
    {"express", "Router", "express.Router", "Koa", "KoaRouter", "fastify", "Fastify", "Hono",
     "OpenAPIHono", "polka", "restify.createServer", "http.createServer", "https.createServer",
     "createServer", "Elysia"}
)  # fmt: skip
_CLIENT_HEADS = frozenset({"axios", "ky", "ofetch", "$fetch", "got", "wretch", "redaxios"})
_CLIENT_NAMES = frozenset({"axios", "ky", "ofetch", "$fetch", "got", "wretch", "$http"})
_CLIENT_SUFFIXES = ("client", "fetcher", "api")
# A file that makes or imports a server: its calls may be routes even in a browser-looking
# folder (`web/server.js`).
# Only whether it matches counts. Each word boundary is written after its literal
# (`(?<!\wnew)`, not `\bnew`): every alternative then starts with a letter, and the engine
# skips the positions no alternative can start at instead of trying them all.
_SERVER_FILE = re.compile(
    r"express(?<!\wexpress)\(|new(?<!\wnew)\s++(?:Koa|Hono|Elysia)\b"
    r"|Fastify(?<!\wFastify)\(|fastify(?<!\wfastify)\(|http(?<!\whttp)s?\.createServer\("
    r"|from(?<!\wfrom)\s*+[\"'](?:express|koa|@koa/router|koa-router|fastify|hono|polka|restify)"
    r"[\"']"
    r"|require(?<!\wrequire)\(\s*+[\"']"
    r"(?:express|koa|@koa/router|koa-router|fastify|hono|polka|restify)[\"']"
)
# A word of each `_SERVER_FILE` form and each server or router `_made` finds: a file holding
# none of them makes no server.
_SERVER_WORDS = (
    "express", "Router", "Koa", "koa", "Hono", "hono", "Elysia", "astify", "createServer",
    "polka", "restify",
)  # fmt: skip
# Arguments named like data (`params`, `requestBody`), not like a handler (`getData`).
_DATA_NAME = re.compile(
    r"(?i:params|body|data|options|opts|payload|query|config|input|values|args|form|"
    r"formdata|json|headers|init|settings|attrs|props|variables|fields)\Z"
    r"|[a-z][\w$]{0,60}(?:Params|Payload|Body|Options|Opts|Input|Variables)\Z"
)
_NAME = re.compile(r"[A-Za-z_$][\w$]{0,80}(?:\.[A-Za-z_$][\w$]{0,80}){0,4}")
_LITERAL = re.compile(r"[\"'`\[\d-]|(?:true|false|null|undefined)\Z")
_HANDLER_KEY = re.compile(r"\bhandler\s*+:|\bhandler\s*+[,}]")


_SERVER_NEEDLES = Needles(_SERVER_WORDS)  # their words first (`words`): most files hold none


def client_call_starts(code: str, browser: bool) -> frozenset[int]:
    """Where the `.verb("…"` calls that are a client's requests start in `code`."""
    if "(" not in code:
        return frozenset()
    # The calls first: most files make none, and then neither scan of the whole file below
    # (the server, the names bound) can matter.
    calls = list(itertools.islice(_CALL.finditer(code), MAX_CALLS))
    if not calls:
        return frozenset()
    if not _SERVER_NEEDLES.any_in(code):
        # No server can be made or imported here: a browser file's calls are all requests.
        if browser:
            return frozenset(m.start() for m in calls)
        server_file, (server, client) = False, _made(code)
    else:
        server_file = _SERVER_FILE.search(code) is not None
        server, client = _made(code)
        server_file = server_file or bool(server)
    out: set[int] = set()
    for m in calls:
        at = m.start()
        if browser and not server_file:
            out.add(at)
            continue
        recv = _RECEIVER.search(code, max(0, at - 81), at)
        name = recv.group() if recv is not None else ""
        if name in server:
            continue
        if name in client:
            out.add(at)
            continue
        args, closed = split_args(code[m.end() : m.end() + _ARGS_WINDOW].lstrip(" \t,"))
        if _client_named(name):
            if not any(_handler(a) for a in args):
                out.add(at)
        elif closed and args and not any(_handler(a) for a in args):
            out.add(at)  # only data after the path: `http.post("/x", { id })`
    return frozenset(out)


def _made(code: str) -> tuple[set[str], set[str]]:
    """The names the file binds to a server or router it makes, and to a client it makes."""
    server: set[str] = set()
    client: set[str] = set()
    if "=" not in code:
        return server, client
    for n, m in enumerate(_MADE.finditer(code)):
        if n >= MAX_CALLS:
            break
        callee = m.group("callee")
        head, _, tail = callee.rpartition(".")
        router = callee.endswith("Router") and (not head or head in ("express", "koa", "Koa"))
        if callee in _SERVER_CALLEES or router:
            server.add(m.group("name"))
        elif head in _CLIENT_HEADS and tail in ("create", "extend"):
            client.add(m.group("name"))
        elif not head and callee.endswith(("Client", "Fetcher")):
            client.add(m.group("name"))  # `new ApiClient()`
    return server, client


def _client_named(name: str) -> bool:
    low = name.lower()
    return name in _CLIENT_NAMES or low.endswith(_CLIENT_SUFFIXES)


def _handler(arg: str) -> bool:
    """Whether an argument may be a request handler (or a route's options naming one)."""
    if "=>" in arg or arg.startswith(("function", "async")):
        return True
    if arg.startswith("{"):
        return _HANDLER_KEY.search(arg) is not None  # Fastify `{ schema, handler }`
    if _LITERAL.match(arg):
        return False
    if "(" in arg:
        return True  # `auth()`, `wrap(h.save)`: middleware or a wrapped handler
    if _NAME.fullmatch(arg):
        return _DATA_NAME.match(arg.rsplit(".", 1)[-1]) is None
    return False
