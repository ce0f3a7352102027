"""Go facts: imports (single and grouped), `os.Getenv` reads, servers, CLIs and workers.

`go.mod`'s module path is read in `graph` (it resolves imports to folders); a `.go` file
only says what it imports. Comments are blanked first so commented-out imports don't count.
"""

from __future__ import annotations

import re

from bot.core.analysis.claims import claims
from bot.core.analysis.go_library_calls import library_calls
from bot.core.analysis.route_refs import route_handler_signals
from bot.core.analysis.route_wrappers_go import go_wrapped_routes
from bot.core.analysis.scan import (
    Lines,
    blanked,
    literal_first,
    rule,
    scan_env,
    scan_signals,
    unique_sorted,
)
from bot.core.analysis.words import words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ImportRef, Signal

# Possessive bodies and optional closers: a string or comment left open runs to the end of
# its line (or of the file), so no opening quote is ever scanned twice (issue 15).
_TOKENS = lazy(r"\"(?:\\.|[^\"\\\n])*+\"?|`[^`]*+`?|(?P<c>//[^\n]*|/\*[\s\S]*?(?:\*/|\Z))")
# "\nimport", not `^import` with re.M: a literal first character keeps the scan in C.
_IMPORT_ONE = lazy(r"\nimport[ \t]+(?:(?P<alias>[\w.]+)[ \t]+)?\"(?P<spec>[^\"]+)\"")
_IMPORT_GROUP = lazy(r"\nimport[ \t]*\(([^)]*)\)")
_GROUP_ITEM = lazy(r"(?:^|\n)[ \t]*(?:(?P<alias>[\w.]+)[ \t]+)?\"(?P<spec>[^\"]+)\"")
_PACKAGE_MAIN = lazy(r"^package[ \t]+main\b", re.M)
_FUNC_MAIN = lazy(r"^func[ \t]+main\(\)", re.M)
# A connection URL built as a struct (`url.URL{Scheme: "smtp", Host: h}`): the scheme
# names the service as a `smtp://…` literal would (`config.url`, matched by scheme).
# Not `file` (a path, which the catalogue's SQLite also lists) nor the web's own schemes.
_PLAIN_SCHEMES = frozenset({"file", "http", "https", "ws", "wss"})
_URL_SCHEME_FIELD = lazy(r"url\.URL\{[^{}]{0,400}?\bScheme:[ \t]*+\"([A-Za-z][\w+.\-]{0,30})\"")
_ENV = literal_first(
    r"\bos\.(?:Getenv|LookupEnv)\(\s*\"([A-Za-z_]\w*)\"\)"
    r"|\b(?:viper\.(?:Get\w*|BindEnv)|envconfig\.\w+)\(\s*\"([A-Z][A-Z0-9_]*)\""
)

# `"/p"`, or Go 1.22's `"GET /p"` (net/http's method patterns), followed by the handler: a
# registration passes one (`r.Get("/p", h)`); `fs.Get("/static/x.tpl")` reads a file.
_ROUTE = r"\(\s*\"(?:[A-Z]{3,7} {1,4})?(?P<route>/[^\"]*)\"[ \t]*,"
RULES = (
    rule("Handle", rf"\.(?:HandleFunc|Handle){_ROUTE}", "entrypoint.http", "HTTP route", "route"),
    rule(
        '("/',
        rf"\.(?:GET|POST|PUT|PATCH|DELETE|Get|Post|Put|Patch|Delete|Any){_ROUTE}",
        "entrypoint.http",
        "HTTP route",
        "route",
    ),
    # A gRPC / Connect service method, `func (s *S) CreateMemo(ctx context.Context, request
    # *v1pb.CreateMemoRequest)`: where each API call starts (the server that routes to it is
    # generated code).
    rule(
        "Request)",
        r"func \([A-Za-z_]\w* \*?[A-Za-z_]\w*\) (?P<method>[A-Z]\w*)\("
        r"ctx context\.Context, [A-Za-z_]\w* \*[A-Za-z_]\w*\.[A-Z]\w*Request\)",
        "entrypoint.http",
        "gRPC method",
        "method",
    ),
    rule("ListenAndServe", r"\bListenAndServe(?:TLS)?\(", "entrypoint.http", "HTTP server"),
    # An SMTP session's `Data(r io.Reader) error` (emersion/go-smtp's Session interface):
    # where a mail the app's own SMTP listener accepted comes in.
    rule(
        "io.Reader) error",
        r"func \([A-Za-z_]\w* \*?[A-Za-z_]\w*\) (?P<method>Data)\([A-Za-z_]\w* io\.Reader\) error",
        "entrypoint.http",
        "SMTP session (inbound mail)",
        "method",
    ),
    rule("gin.", r"\bgin\.(?:Default|New)\(\)", "entrypoint.http", "Gin app"),
    rule("echo.New", r"\becho\.New\(\)", "entrypoint.http", "Echo app"),
    rule("fiber.New", r"\bfiber\.New\(", "entrypoint.http", "Fiber app"),
    rule("grpc.NewServer", r"\bgrpc\.NewServer\(", "entrypoint.http", "gRPC server"),
    rule("cobra.Command", r"&cobra\.Command\{", "entrypoint.cli", "cobra command"),
    rule("flag.Parse", r"\bflag\.Parse\(\)", "entrypoint.cli", "flag CLI"),
    rule("cron.New", r"\bcron\.New\(", "entrypoint.scheduler", "cron"),
    rule("asynq.NewServer", r"\basynq\.NewServer\(", "entrypoint.worker", "asynq worker"),
    rule("machinery", r"\bmachinery\.NewServer\(|\.NewWorker\(", "entrypoint.worker", "worker"),
    rule(
        "NewConsumer",
        r"\b(?:sarama|kafka)\.NewConsumer\w*\(|\bkafka\.NewReader\(",
        "entrypoint.consumer",
        "Kafka consumer",
    ),
    rule(".Consume(", r"\.Consume\(", "entrypoint.consumer", "AMQP consumer"),
    rule(
        "slog.",
        r"\bslog\.New\(|\bzap\.New\w*\(|\blogrus\.New\(|\bzerolog\.New\(",
        "observability.logging",
        "structured logging",
    ),
    rule("sentry.Init", r"\bsentry\.Init\(", "observability.errors", "Sentry"),
    rule(
        "prometheus",
        r"\bprometheus\.(?:MustRegister|NewCounter\w*|NewHistogram\w*)\(",
        "observability.metrics",
        "Prometheus",
    ),
    rule(
        "otel", r"\botel\.(?:Tracer|SetTracerProvider)\(", "observability.tracing", "OpenTelemetry"
    ),
    rule("/health", r"\"(/health[\w-]*)\"", "observability.health", "health check"),
    rule(
        "backoff.",
        r"\bbackoff\.(?:Retry|NewExponentialBackOff)\w*\(",
        "resilience.backoff",
        "backoff",
    ),
    rule("retry.", r"\bretry\.Do\(", "resilience.retry", "retry-go"),
    rule(
        "gobreaker",
        r"\bgobreaker\.NewCircuitBreaker\(",
        "resilience.circuit-breaker",
        "circuit breaker",
    ),
)


# `//go:generate go run ./gen -out x.go`: a program the build runs, not the app.
GENERATOR = "build.generator"
_GO_GENERATE = lazy(r"^//go:generate[ \t]++go[ \t]++run[ \t]++(\./[\w./\-]{1,200}+)", re.M)
# `//go:build mage` (a magefile: build targets `mage` runs) or `//go:build ignore` (a script
# for `go run x.go`, a generator): a build constraint that keeps the file out of every build
# of the product, so what it calls is a developer's, not the app's. Only the constraint
# above the `package` clause counts, and only a tag it requires (`!mage` or `a || mage`
# builds without it).
BUILD_TOOL = "build.tool"
_TOOL_TAGS = frozenset({"mage", "ignore"})
_BUILD_LINE = lazy(r"\A//[ \t]*+(?:go:build[ \t]++|\+build[ \t]++)([^\n]{1,200}+)")
MAX_HEADER_LINES = 60


class GoExtractor:
    name = "go"
    # 2: unclosed strings and comments end their line or file; 3: gRPC methods; 4: route
    # handlers, Go 1.22 "GET /p" patterns; 5: sub-router prefixes, gorilla `.Methods(…)`;
    # 6: library calls that name a service (go_library_calls); 7: a handler wrapped with
    # literal options (`perm(h.send, "tx:send")`), `//go:generate go run ./gen` targets
    # 8: a route registration passes a handler after its path; 9: SMTP sessions; 10: fields
    # of decoded payloads named like a destination (`PAYLOAD_FIELD`); 11: routes registered
    # through the file's own registrar functions (`route_wrappers_go`); 12: files a
    # `mage`/`ignore` build constraint keeps out of the product (`BUILD_TOOL`); 13: the
    # scheme of a `url.URL{Scheme: "smtp"}` literal (`config.url`)
    version = 13
    claims = claims(extensions=("go",))

    def matches(self, path: str) -> bool:
        return path.endswith(".go")

    def extract(self, path: str, data: bytes) -> FileFacts:
        return extract_go(data.decode("utf-8", "replace"))


# A struct field named like a destination whose tag only says how to decode or encode it
# (`URL string \`json:"url"\``): a field of a payload read from (or written to) the wire.
# A field that also says how it is stored (`db:`, `gorm:`…) is a stored row's.
PAYLOAD_FIELD = "go.payload_field"
_TAGGED_FIELD = re.compile(
    r"\A[ \t]++([A-Za-z_]\w{0,100}+)[ \t]++[\w.*\[\]]{1,200}+[ \t]++`([^`\n]{0,300}+)`"
)
_PAYLOAD_TAGS = ('json:"', 'xml:"')
_STORED_TAGS = ("db:", "gorm:", "bun:", "sql:", "bson:", "pg:", "orm:", "structs:", "dynamodbav:")
_DESTINATION_FIELD = re.compile(r"(?i)url|uri|endpoint|href|link|hook|callback")
MAX_PAYLOAD_FIELDS = 200
MAX_LINE = 2_000


def payload_fields(text: str) -> list[Signal]:
    """`PAYLOAD_FIELD` signals: destination-named fields of payload structs (see above)."""
    out: list[Signal] = []
    for i, line in enumerate(text.splitlines(), 1):
        if "`" not in line or ":" not in line:
            continue
        m = _TAGGED_FIELD.match(line[:MAX_LINE])
        if m is None or not _DESTINATION_FIELD.search(m.group(1)):
            continue
        tag = m.group(2)
        if any(t in tag for t in _PAYLOAD_TAGS) and not any(t in tag for t in _STORED_TAGS):
            out.append(Signal(PAYLOAD_FIELD, m.group(1), i))
            if len(out) >= MAX_PAYLOAD_FIELDS:
                break
    return out


def build_tool_tag(text: str) -> str:
    """The tag (`mage`, `ignore`) a build constraint above the package clause requires."""
    for raw in text.split("\n", MAX_HEADER_LINES)[:MAX_HEADER_LINES]:
        line = raw.strip()
        if line.startswith("package ") or line == "package":
            return ""
        m = _BUILD_LINE.match(line)
        if m is None or "||" in m.group(1) or "," in m.group(1):
            continue
        if "+build" in line and len(m.group(1).split()) > 1:
            continue  # the old form: `// +build mage linux` is mage OR linux
        # `mage && linux` requires `mage`; `!mage` does not
        for word in m.group(1).replace("&&", " ").replace("(", " ").replace(")", " ").split():
            if word in _TOOL_TAGS:
                return word
    return ""


def _blank(m: re.Match[str]) -> str:
    return m.group() if m.group("c") is None else blanked(m.group())


def extract_go(text: str) -> FileFacts:
    code = _TOKENS.sub(_blank, text) if "/" in text else text
    lines = Lines(code)
    padded = "\n" + code  # so that line 1 starts after a "\n" too; offset p here is p-1 in code
    imports: list[ImportRef] = []
    aliases: list[tuple[str, str]] = []  # (path, alias as written or "")
    for m in _IMPORT_ONE.finditer(padded):
        imports.append(ImportRef(m.group("spec"), lines.at(m.start())))
        aliases.append((m.group("spec"), m.group("alias") or ""))
    for m in _IMPORT_GROUP.finditer(padded):
        base = m.start(1) - 1
        for item in _GROUP_ITEM.finditer(m.group(1)):
            imports.append(ImportRef(item.group("spec"), lines.at(base + item.start("spec"))))
            aliases.append((item.group("spec"), item.group("alias") or ""))
    words = words_of(text)  # comments are blanked with spaces: `code` has no other words
    signals = scan_signals(code, RULES, lines, words=words)
    signals += route_handler_signals(code, "go", lines)
    signals += go_wrapped_routes(code)
    signals += library_calls(code, aliases, lines)
    if "go:generate" in text:
        # In the comment the code has blanked: read from the text, at the same offsets.
        for m in _GO_GENERATE.finditer(text):
            signals.append(Signal(GENERATOR, "go:generate", lines.at(m.start()), m.group(1)))
    if "build" in text and (tool := build_tool_tag(text)):
        signals.append(Signal(BUILD_TOOL, tool, 1))
    main = _FUNC_MAIN.search(code)
    if main and _PACKAGE_MAIN.search(code):
        signals.append(Signal("entrypoint.cli", "main package", lines.at(main.start())))
    if 'json:"' in text or 'xml:"' in text:
        signals += payload_fields(text)
    if "url.URL{" in code and "Scheme:" in code:
        for m in _URL_SCHEME_FIELD.finditer(code):
            if (scheme := m.group(1).lower()) not in _PLAIN_SCHEMES:
                signals.append(Signal("config.url", "url.URL", lines.at(m.start(1)), scheme))
    env = scan_env(code, ("Getenv", "LookupEnv", "viper", "envconfig"), _ENV, lines, words=words)
    return FileFacts(
        language="go",
        imports=unique_sorted(imports),
        env=unique_sorted(env),
        signals=unique_sorted(signals),
    )
