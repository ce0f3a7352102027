"""JavaScript and TypeScript facts: imports, `process.env` reads, entry-point signals.

Comments are blanked first (strings are kept, so `"//"` inside a string survives), then
regular expressions find `import … from`, `export … from`, `require()`, `import()`.
Only string literals count as specifiers: `require("a" + b)` is dynamic and left out.
Resolution (relative paths, tsconfig `paths`, workspaces) happens in `graph`.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from bot.core.analysis.claims import claims
from bot.core.analysis.egress_services import browser_path
from bot.core.analysis.js_client_calls import client_call_starts
from bot.core.analysis.js_library_calls import js_library_calls
from bot.core.analysis.js_starts import JS_START_RULES
from bot.core.analysis.route_prefixes import js_router_prefixes
from bot.core.analysis.route_refs import route_handler_signals
from bot.core.analysis.scan import (
    Lines,
    blanked,
    literal_first,
    rule,
    scan_env,
    scan_signals,
    starts_word,
    unique_sorted,
)
from bot.core.analysis.words import words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import EnvRead, FileFacts, ImportRef, Signal

# Vue and Svelte single-file components import like modules; their <script> is JS or TS.
JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".vue", ".svelte")
TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")

# Strings first so comment markers inside them are not comments; regex literals are rare
# enough in import-bearing code that they are not modelled. Possessive bodies and optional
# closers: a string or comment left open runs to the end of its line (or of the file), so
# nothing is scanned twice (issue 15).
_TOKENS = re.compile(
    r"\"(?:\\.|[^\"\\\n])*+\"?|'(?:\\.|[^'\\\n])*+'?|`(?:\\.|[^`\\])*+`?"
    r"|(?P<c>//[^\n]*|/\*[\s\S]*?(?:\*/|\Z))"
)
_SPEC = r"[\"'](?P<spec>[^\"'\n]+)[\"']"
_IMPORTS = (
    # import x from "y"; import {a,\n b} from "y"; import type X from "y"; import "y"
    # The clause never runs over another `import`: a file of bare `import x` lines would
    # otherwise scan to its end from each one.
    (
        literal_first(
            rf"\bimport\s+(?:type\s+)?(?:(?:(?!import\b)[\w*${{}},\s])+?\s+from\s*)?{_SPEC}"
        ),
        "import",
    ),
    (
        literal_first(
            rf"\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{{[^}}]*\}})\s*from\s*{_SPEC}"
        ),
        "export",
    ),
    (literal_first(rf"\brequire\(\s*{_SPEC}\s*\)"), "require"),
    (literal_first(rf"\bimport\(\s*{_SPEC}\s*\)"), "dynamic"),
)
# What a statement takes from the module it requires, read from the text just before the
# `require(` (at most `_BINDING_WINDOW` characters): `const { a, b: c } = require(…)` takes
# a and b; `module.exports.a = require(…)` re-exports it as a (an index.js barrel).
_BINDING_WINDOW = 300
_DESTRUCTURE = re.compile(r"\b(?:const|let|var)\s*+\{([^{}]*+)\}\s*+=\s*+\Z")
_REEXPORT = re.compile(
    r"(?<![\w$.])(?:module\s*+\.\s*+)?exports\s*+\.\s*+([A-Za-z_$][\w$]*+)\s*+=\s*+\Z"
)
_BRACES = re.compile(r"\{([^{}]*+)\}")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_ENV = literal_first(
    r"\bprocess\.env\.([A-Za-z_$][\w$]*)"
    r"|\bprocess\.env\[\s*[\"'`]([A-Za-z_]\w*)[\"'`]\s*\]"
    r"|\bimport\.meta\.env\.([A-Za-z_$][\w$]*)"
    r"|\bDeno\.env\.get\(\s*[\"']([A-Za-z_]\w*)[\"']"
)
_ENV_DESTRUCTURE = re.compile(r"\{([^{}]*)\}\s*=\s*process\.env\b")

_Q = r"[\"'`]"
# Where a router is mounted (`app.use("/v1", routes)`, `router.use("/users", auth, users)`,
# or a table `{ path: "/users", route: userRoute }` its file passes to `.use(`): the path and
# the names after it, read against the file's `require`/default-`import` bindings, so the
# flows can say `/v1/users` for the routes of the file `users` was required from.
MAX_MOUNT = 200  # characters of one mount path
# (Koa: `router.use("/users", users.routes(), users.allowedMethods())`.)
_MOUNT_USE = lazy(
    rf"\.use\(\s*+{_Q}(?P<path>/[^\"'`\n]{{0,{MAX_MOUNT}}}){_Q}\s*+,"
    r"(?P<args>(?:[^()\n]|\(\s*+\)){1,300})\)"
)


def _mount_value(n: int) -> str:
    """A table row's value: a path string (group `p<n>`) or a name (group `i<n>`)."""
    path = rf"{_Q}(?P<p{n}>/[^\"'`\n]{{0,{MAX_MOUNT}}}){_Q}"
    return rf"(?:{path}|(?P<i{n}>[A-Za-z_$][\w$]*+))"


_MOUNT_ROW = lazy(
    r"\{\s*+[\w$]++\s*+:\s*+"
    + _mount_value(1)
    + r"\s*+,\s*+[\w$]++\s*+:\s*+"
    + _mount_value(2)
    + r"\s*+,?\s*+\}"
)
_BINDING = literal_first(
    r"\b(?:const|let|var)\s++(?P<a>[A-Za-z_$][\w$]*+)\s*+=\s*+require\(\s*+[\"'](?P<s1>[^\"'\n]+)[\"']\s*+\)"
    r"|\bimport\s++(?P<b>[A-Za-z_$][\w$]*+)\s++from\s*+[\"'](?P<s2>[^\"'\n]+)[\"']"
)
RULES = (
    # Any receiver, but the path must start with "/": `map.get("key")` is not a route.
    rule(
        "/",
        # TypeScript may type the handler first: `router.get<Params, Body>(\n  '/', …)`.
        rf"\.(?:get|post|put|patch|delete|all|route)(?:<[^()\n]{{0,300}}?>)?\(\s*{_Q}"
        rf"(?P<route>/[^\"'`]*){_Q}",
        "entrypoint.http",
        "HTTP route",
        "route",
    ),
    rule("express(", r"\bexpress\(\s*\)", "entrypoint.http", "Express app"),
    rule("Fastify(", r"\b[Ff]astify\(", "entrypoint.http", "Fastify app"),
    rule("Koa(", r"\bnew\s+Koa\(", "entrypoint.http", "Koa app"),
    rule("Hono(", r"\bnew\s+Hono\(", "entrypoint.http", "Hono app"),
    rule("createServer(", r"\b(?:http|https)\.createServer\(", "entrypoint.http", "HTTP server"),
    # The file that starts the server (`src/index.js`: connect the database, then
    # `app.listen`) is often not the one that builds the app.
    rule("app.listen(", r"\bapp\.listen\(", "entrypoint.http", "HTTP server"),
    rule("NestFactory", r"\bNestFactory\.create\(", "entrypoint.http", "NestJS app"),
    rule("@Controller", r"@Controller\(", "entrypoint.http", "NestJS controller"),
    rule(
        "export",
        r"\bexport\s+(?:async\s+)?(?:function|const)\s+(?P<route>GET|POST|PUT|PATCH|DELETE)\b",
        "entrypoint.http",
        "route handler",
        "route",
    ),
    # Handlers a framework calls by file convention or by name (`bot.core.analysis.js_starts`).
    *JS_START_RULES,
    rule("#!", r"\A#![^\n]*\bnode\b", "entrypoint.cli", "node script"),
    rule(
        "commander",
        r"\bnew\s+Command\(|\bprogram\s*\.\s*command\(",
        "entrypoint.cli",
        "commander CLI",
    ),
    rule("yargs", r"\byargs\b", "entrypoint.cli", "yargs CLI"),
    rule("Worker(", r"\bnew\s+Worker\(\s*[\"'`]", "entrypoint.worker", "BullMQ worker"),
    rule(".process(", r"(?<!\w)\w+[Qq]ueue\.process\(", "entrypoint.worker", "Bull worker"),
    rule(
        "cron",
        r"\bcron\.schedule\(|\bnew\s+CronJob\(|\bschedule\.scheduleJob\(",
        "entrypoint.scheduler",
        "cron",
    ),
    rule("consumer", r"\bconsumer\.run\(", "entrypoint.consumer", "Kafka consumer"),
    rule("Consumer(", r"\bConsumer\.create\(", "entrypoint.consumer", "SQS consumer"),
    rule("winston", r"\bwinston\.createLogger\(", "observability.logging", "winston"),
    rule("pino", r"\bpino\(", "observability.logging", "pino"),
    rule("Sentry.init", r"\bSentry\.init\(", "observability.errors", "Sentry"),
    rule("prom-client", r"prom-client", "observability.metrics", "Prometheus"),
    rule("opentelemetry", r"@opentelemetry/", "observability.tracing", "OpenTelemetry"),
    rule("/health", r"[\"'`](/health[\w-]*)[\"'`]", "observability.health", "health check"),
    rule(
        "retry", r"\b(?:p-retry|async-retry|axios-retry)\b|\bpRetry\(", "resilience.retry", "retry"
    ),
    rule(
        "opossum",
        r"\bopossum\b|\bCircuitBreaker\(",
        "resilience.circuit-breaker",
        "circuit breaker",
    ),
)


class _Extractor:
    def __init__(self, name: str, suffixes: tuple[str, ...]) -> None:
        self.name = name
        # 2: unclosed strings and comments end their line or file; 3: `app.listen(`;
        # 4: the names an import takes or a barrel re-exports; 5: where routers are mounted;
        # 6: route handlers; 7: string members of enums (`const.string`)
        self.version = 18  # 8: koa-router prefixes and `.routes()` mounts; 9: import lines
        # cite the module; 10: an HTTP client's calls are not routes; 11: handlers found by
        # convention (`js_starts`: Remix actions, server actions, tRPC, GraphQL resolvers);
        # 12: a handler wrapped with literal options; 13: services named by a call or a
        # literal (`js_library_calls`: CDP browsers, OIDC discovery, Gotenberg, TSA, CSC);
        # 14: GraphQL resolver maps whose first resolver is `async name() {`; 15: a bundle
        # under a licence banner is minified (`filters.content_skip_reason`); 16: node-schedule
        # jobs whose cron a setting gives (`schedules_js._configured_node_schedule`);
        # 17: TypeScript routes typed with generics (`router.get<P, B>('/x', …)`); 18: a
        # `new Worker(` is a Bull consumer only in a file that imports Bull (`handoffs_js`)
        self._suffixes = suffixes
        self.claims = claims(extensions=(s.lstrip(".") for s in suffixes))

    def matches(self, path: str) -> bool:
        return path.endswith(self._suffixes) and not path.endswith(".d.ts")

    def extract(self, path: str, data: bytes) -> FileFacts:
        return extract_javascript(
            data.decode("utf-8", "replace"), self.name, browser=browser_path(path)
        )


class JavaScriptExtractor(_Extractor):
    def __init__(self) -> None:
        super().__init__("javascript", JS_SUFFIXES)


class TypeScriptExtractor(_Extractor):
    def __init__(self) -> None:
        super().__init__("typescript", TS_SUFFIXES)


def strip_comments(text: str) -> str:
    """Comments replaced by spaces (newlines kept, so offsets and lines stay put)."""
    if "//" not in text and "/*" not in text:
        return text
    out: list[str] = []
    done = 0
    for start, end in _comment_spans(text):
        comment = text[start:end]
        out += (
            text[done:start],
            blanked(comment) if "\n" in comment else " " * (end - start),
        )
        done = end
    out.append(text[done:])
    return "".join(out)


def _comment_spans(text: str) -> list[tuple[int, int]]:
    """Where `_TOKENS`, read from the start, finds comments; without reading every string.

    Only a block comment or a template literal spans lines, so where the last comment ended
    (`done`) is followed by no backtick up to the line holding the next `//` or `/*`, the
    tokens read from that line's start are the tokens read from `done`.
    """
    spans: list[tuple[int, int]] = []
    done = 0
    line, block = text.find("//"), text.find("/*")  # the next ones at or after `done`, or -1
    while True:
        if 0 <= line < done:
            line = text.find("//", done)
        if 0 <= block < done:
            block = text.find("/*", done)
        marker = min(line, block) if line >= 0 and block >= 0 else max(line, block)
        if marker < 0:
            return spans
        start = text.rfind("\n", done, marker) + 1
        if start <= done or text.find("`", done, start) >= 0:
            start = done
        for m in _TOKENS.finditer(text, start):
            if m.lastgroup == "c":
                spans.append(m.span())
                done = m.end()
                break
        else:
            return spans


def _bound_names(code: str, m: re.Match[str], kind: str) -> tuple[tuple[str, ...], str]:
    """The names a statement takes from its module (for an `export … from` or a
    `module.exports.x = require(…)`, the names it gives its own importers), and its kind:
    flows follow only the named parts of a barrel file. () when the names are not written."""
    if kind in ("import", "export"):
        braces = _BRACES.search(code, m.start(), m.start("spec"))
        if braces is None:
            return (), kind
        return _names(braces.group(1), exported=kind == "export"), kind
    if kind != "require":
        return (), kind
    window = code[max(0, m.start() - _BINDING_WINDOW) : m.start()]
    if found := _REEXPORT.search(window):
        return (found.group(1),), "export"
    if found := _DESTRUCTURE.search(window):
        return _names(found.group(1), exported=False), kind
    return (), kind


def _names(clause: str, exported: bool) -> tuple[str, ...]:
    """`a, b as c, type D` → (a, b, D) taken, or (a, c, D) given when `exported`; a
    destructuring `a: x` takes a."""
    out = []
    for item in clause.split(","):
        words = item.replace(":", " as ").split()
        if words and words[0] == "type":
            words = words[1:]
        if not words:
            continue
        name = words[-1] if exported and len(words) == 3 and words[1] == "as" else words[0]
        if _IDENT.fullmatch(name):
            out.append(name)
    return tuple(out)


def extract_javascript(text: str, language: str = "javascript", browser: bool = False) -> FileFacts:
    """`browser`: the file runs in the browser by its place (`frontend/…`, `*.tsx`)."""
    code = strip_comments(text)
    lines = Lines(code)
    imports: list[ImportRef] = []
    for pattern, kind in _IMPORTS:
        trigger = "require" if kind == "require" else "import" if kind != "export" else "export"
        if trigger not in code:
            continue
        for m in pattern.finditer(code):
            at = m.start()
            if starts_word(code, at) and (at == 0 or code[at - 1] not in ".$"):
                names, kind_at = _bound_names(code, m, kind)
                # cited at the line naming the module (`} from "./x"` of an import over lines)
                line = lines.at(m.start("spec"))
                imports.append(ImportRef(m.group("spec"), line, names=names, kind=kind_at))
    words = words_of(text)  # comments are blanked with spaces: `code` has no other words
    env = scan_env(code, ("env",), _ENV, lines, words=words)
    if words.may_hold("process.env") and "process.env" in code:
        for m in _ENV_DESTRUCTURE.finditer(code):
            line = lines.at(m.start())
            for item in m.group(1).split(","):
                name = item.split(":")[0].split("=")[0].strip()
                if re.fullmatch(r"[A-Za-z_$][\w$]*", name):
                    env.append(EnvRead(name, line))
    # An HTTP client's `api.get("/x")` is a request the file makes, not a route it serves.
    clients = client_call_starts(code, browser)
    skip = clients.__contains__ if clients else None
    signals = scan_signals(code, RULES, lines, skip, words=words)
    if words.may_hold(".use(") and ".use(" in code:
        signals += _mounts(code, lines)
    signals += route_handler_signals(code, language, lines, skip, words)
    signals += js_library_calls(code, lines, words=words)
    signals = js_router_prefixes(code, lines, signals)
    if words.may_hold("enum") and "enum" in code:
        signals += _enum_strings(code, lines)
    return FileFacts(
        language=language,
        imports=unique_sorted(imports),
        env=unique_sorted(env),
        signals=unique_sorted(signals),
    )


_ENUM = re.compile(r"(?<![\w$])enum[ \t]++([A-Za-z_$][\w$]{0,100})[ \t]*+\{")
_ENUM_MEMBER = re.compile(r"([A-Za-z_$][\w$]{0,100})[ \t]*+=[ \t]*+(['\"])([^'\"\n]{1,200})\2")
MAX_ENUM_MEMBERS = 500
MAX_ENUM_BODY = 20_000
_ENUM_END = re.compile(r"\n[ \t]*+\}")


def _enum_strings(code: str, lines: Lines) -> list[Signal]:
    """`const.string` signals: `QueueName.EMAIL_QUEUE` is `'{email-queue}'` (a TypeScript
    enum's string members), so a queue named by the member is named by its value."""
    out: list[Signal] = []
    # A body ends at a line that starts with `}` (a value may hold one: BullMQ's
    # `'{email-queue}'`); those lines are found once, so ten thousand enums cost one pass.
    ends = [e.start() for e in _ENUM_END.finditer(code)]
    done = 0  # bodies do not overlap: an enum inside the last one's body is not read again
    for m in _ENUM.finditer(code):
        k = bisect_left(ends, m.end())
        if m.start() < done or k == len(ends) or ends[k] - m.end() > MAX_ENUM_BODY:
            continue
        done = ends[k]
        body = code[m.end() : ends[k]]
        for member in _ENUM_MEMBER.finditer(body):
            name = f"{m.group(1)}.{member.group(1)}"
            out.append(
                Signal("const.string", name, lines.at(m.end() + member.start()), member.group(3))
            )
            if len(out) >= MAX_ENUM_MEMBERS:
                return out
    return out


def _mounts(code: str, lines: Lines) -> list[Signal]:
    """`route.mount` signals: name the module spec mounted, detail the path it is mounted
    at. Only names bound to a relative module count (a middleware from a package does not
    hold routes)."""
    bound: dict[str, str] = {}
    for m in _BINDING.finditer(code):
        spec = m.group("s1") or m.group("s2")
        if starts_word(code, m.start()) and spec.startswith("."):
            bound.setdefault(m.group("a") or m.group("b"), spec)
    if not bound:
        return []
    out = []
    for m in _MOUNT_USE.finditer(code):
        for arg in m.group("args").split(","):
            name = arg.strip()
            spec = bound.get(name.removesuffix(".routes()").removesuffix(".middleware()"))
            if spec is not None:
                out.append(Signal("route.mount", spec, lines.at(m.start()), m.group("path")))
    for m in _MOUNT_ROW.finditer(code):
        path = m.group("p1") or m.group("p2")
        name = m.group("i2") if m.group("p1") else m.group("i1")
        spec = bound.get(name or "")
        if path is not None and spec is not None:
            out.append(Signal("route.mount", spec, lines.at(m.start()), path))
    return out
