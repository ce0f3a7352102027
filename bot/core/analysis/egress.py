"""Outbound calls of one file: which calls send data out, and to where, from its syntax tree.

`outbound_calls(language, data)` parses the file with tree-sitter (bounded, see
`treesitter`) when it holds one of the language's trigger words, finds the calls that
`http_models` lists (through the file's own import names, the client instances it
makes and the parameters annotated with a client type, ``session: ClientSession``), and
follows the URL argument to a destination:

* a literal, f-string, template or interpolated string whose host is written → that host;
* a name bound in the file (a constant, a local, an options object's ``url``) → its value
  (a local of the enclosing function before a name bound elsewhere in the file);
* an entry of a top-level dict or list of URL literals (``URLS[kind].format(…)``) → the
  host of the entry a literal key picks, else of every entry (one call, several hosts);
* an environment read (``os.environ``, ``process.env.X``, ``ENV[...]``, ``os.Getenv``) or a
  setting (``settings.X``, ``config.X``, ``Rails.application.credentials…``) → that name;
* a field of some other object (``notification.webhookUrl``, ``hook.url``) → user data;
* a parameter of the enclosing function → that function is a wrapper: its calls in the same
  file are outbound calls too, resolved at their own arguments.

A request through a method the class inherits (``self.post(url)`` in ``class A(Base)``
that does not define ``post``) and a call whose first argument is named like a URL
(``NewRequestBuilder(c.webhookURL)``) are candidates too. In Go, a function that stores its
parameter in a field its file's requests send to (``&builder{endpoint: endpoint}`` with
``http.NewRequest(…, r.endpoint, …)``) is a wrapper.

Comments and string contents are never calls: the parser says so. A call to a name that is
a wrapper in another file cannot be seen from this one, so a call whose first argument is a
URL with a literal host is kept as a ``candidate`` (its callee's name as client), and the
aggregation keeps it only when some file defines a wrapper of that name (meta
``egress.wrapper``). Timeouts set at the call are kept; the same tree gives the file's
resilience signals (`resilience`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.analysis import egress_bases as bases
from bot.core.analysis import egress_sdk, resilience
from bot.core.analysis import http_models as models
from bot.core.analysis.egress_candidates import _candidate
from bot.core.analysis.egress_csp import csp_hosts
from bot.core.analysis.egress_factories import FACTORY_META, factory_call
from bot.core.analysis.egress_file import (
    _CALLS,
    _CLASSES,
    _STRING_TYPES,
    _args,
    _callee,
    _canonical,
    _enclosing_function,
    _File,
    _first,
    _function_of,
    _key_in,
    _keyword,
    _lang,
    _parameters,
    _string_literal,
    _timeout,
    parameter_default,
    remembering_callees,
)
from bot.core.analysis.egress_gates import env_defaults, switched_off
from bot.core.analysis.egress_learn import _learn
from bot.core.analysis.egress_other import other_call
from bot.core.analysis.egress_resolve import _resolve
from bot.core.analysis.egress_snippets import markup_calls
from bot.core.analysis.egress_tiles import tile_calls
from bot.core.analysis.egress_wrappers import (
    _field_wrappers,
    _go_token_endpoint,
    _mark_wrapper,
    _note_sent_field,
    _own_verb_call,
    _wrapper_call,
)
from bot.core.analysis.treesitter import Node, find, line, parse, reading, text
from bot.core.analysis.words import Needles, words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall, Signal

EGRESS_VERSION = 35  # 2: SMTP calls, programs run, knex clients (egress_other); 3: typed
# client parameters, URL tables, function-local bindings; 4: inherited HTTP verbs
# (`self.post`), Go request builders and `url.URL{Host:}`, URL-named candidate arguments,
# SDK clients (`sdk_models`); 5: URLs from another request's response (`egress_response`),
# StatsD clients and raw sockets (`egress_sockets`); 6: statsd-instrument's `StatsD.<metric>`
# 7: Rails config values (`X::Application.config.k[:key]`) are settings with the initializer's
# hosts; a Ruby method of `self` read by key is not user data; 8: OAuth clients' `site:`
# 9: Ruby `URI::HTTPS.build(host: …)`
# 10: Go wrapper calls through the receiver, `Get/Post` on a declared `http.Client`
# 11: Ruby `TCPSocket.new` sockets; a module's verb called with a URL-named user value
# (`Outbound::HTTP.post(hook.url)`) is a candidate
# 12: `got`/`ky` open a JS file's parse only as words in code (not in `kysely`)
# 13: a default after `||`/`??` (`env('X') || 'https://…'`), `new URL('path', BASE)`
# 14: protocol-relative URLs and a template's leading label (`//{s}.tile.…`), Leaflet tile layers
# 15: Go `fmt.Sprintf("%s/…", base)` URLs through a value's field (origin "field"), struct
# literals that set an address field to a literal URL (`egress.const`); a request a page
# replays as described (`fetch(a.url, {method: a.method})`, origin "described")
# 16: Ruby URLs a method of the file returns, client factories (`egress_factories`),
# `HTTParty.send(verb, url)`, HTTMultiParty, URL-reshaping helpers keep the host
# 17: a Go URL field of what a call returned is noted (`egress_response.RETURNED_FIELD`)
# 18: a file or folder named for its role in the layout (`views`, `tasks`, `utils`) names no
# service (`egress_services._ROLE_WORDS`)
# 19: a provider's `wellKnown:` option read from settings is a configured OIDC provider
# 20: an element or loop item of an HTTP answer (`r.json()["results"][0]`) is the answer's
# URL, not a user's; a URL parameter's default (`def f(url=settings.X)`) is where the
# request goes; a top-level Python dict of URL literals gives `egress.const` hosts
# 21: the `request` npm client and its promise wrappers (`http_models._JS_REQUEST`)
# 22: a file whose feature gate returns literal false makes no calls; a Ruby module method
# returning `ENV.fetch("X", "https://…")` is meta (`egress_gates`); hosts a CSP directive
# names (`egress_csp`); a Ruby `X::Client.new("https://…")` is a client of that host
# 23: a Ruby SDK's verbs with a fixed host (`GitHubBub.get(path)`, `http_models.RUBY`)
# 24: a Go field every struct literal of the file sets from the configuration (`server:
# app.Config().X.API`) is that setting, not a user's URL (`egress_learn._go_config_field`);
# hosts that HTML in a Go string loads from (`<iframe src=…>`, `egress_snippets.markup_calls`)
# 25: a CSP directive inside a triple-quoted string (a docstring's example) is no policy
# 26: a conditional's branches give their hosts (`a if q else b`); OpenTelemetry's OTLP
# exporters send to their `endpoint`
# 27: map tile URL templates (`egress_tiles`)
# 28: a URL template led by a path-named value (`${config.relative_path}/api`) is same-origin
# 29: jQuery's `$.ajax`/`$.get`/`$.getJSON`/`$.post` (`http_models.JAVASCRIPT`)
# 30: `@react-email/components` no longer names Resend (catalogue; it renders, sends nothing)
# 31: a Python file in a service folder is read without trigger words; a helper called with
# the method's parameter (`get_data(remote_id)`, `url=` keyword) or an imported setting
# (`get_data(RELEASE_API)`) is a candidate; `X = env("X", "https://…")` is `egress.const`; a
# loop entry of a settings table is that setting; `/.well-known/<name>` on a user-named host
# (`WELL_KNOWN`); an OTLP exporter without endpoint reads OTEL_EXPORTER_OTLP_ENDPOINT
# 32: client bases (`egress_bases`: `super(url)`, an inherited `this.axios.get`); TypeScript
# `await x.get<T>(…)` is a call of `x.get`; `${tls ? 'https' : 'http'}://` is a scheme; a
# host defaulting to localhost (`env.HOST || 'localhost'`) is the app's own server
# 33: Ruby `Mod::NAME_URL` constants read by their name, `"…".freeze` constants learnt
# 34: Python `Client.URL` read from the class body of this file that binds it
# 35: Go SDKs of Gitea, Forgejo, Bitbucket, Docker Engine, Kubernetes API (catalogue)
MAX_CALLS_PER_FILE = 400

_CALL_TYPES = {
    "python": frozenset({"call", "function_definition", "with_statement", "assignment",
                         "import_statement", "import_from_statement", "while_statement",
                         "for_statement"}),
    "javascript": frozenset({"call_expression", "new_expression", "function_declaration",
                             "method_definition", "arrow_function", "function_expression",
                             "variable_declarator", "import_statement", "assignment_expression",
                             "while_statement", "for_statement", "do_statement"}),
    "ruby": frozenset({"call", "method", "assignment", "until", "while", "begin"}),
    "go": frozenset({"call_expression", "function_declaration", "method_declaration",
                     "short_var_declaration", "var_spec", "const_spec", "composite_literal",
                     "for_statement", "assignment_statement"}),
}  # fmt: skip
# A parameter named like a URL: a function that calls out with it (however it reshapes it
# first) is a wrapper, its callers' arguments are the destinations.
_URL_PARAM = lazy(r"(?i)^(?:.*_)?(?:url|uri|endpoint|href|link)s?$|[a-z](?:Url|URL|Uri|Endpoint)$")
# A request through a bare method's client (`faraday.get(`, `http.run_request(`); the
# literal first, the name after it (see the speed notes: literal-first scans).
_RB_FACTORY_USE = lazy(rb"\.(?:get|post|put|patch|head|run_request)[ (]")
MAX_FACTORY_PROBES = 200


def _factory_use(data: bytes) -> bool:
    """Whether some `.verb(` follows a lowercase name (`http.get(`, not `Foo.get(`)."""
    for n, m in enumerate(_RB_FACTORY_USE.finditer(data)):
        if n >= MAX_FACTORY_PROBES:
            return False
        before = data[m.start() - 1 : m.start()]
        if before.islower() or before.isdigit() or before == b"_":
            return True
    return False


_LOOPS = frozenset(
    {"while_statement", "for_statement", "do_statement", "until", "while", "begin"}
)  # fmt: skip


_NEEDLES = {family: Needles(needles) for family, needles in models.NEEDLES.items()}


def triggered(language: str, data: bytes) -> bool:
    """Whether the file may make a call of the tables (see `http_models.NEEDLES`), or of an
    HTTP verb its class inherits (`self.post(`, see `_own_verb_call`)."""
    family = _lang(language)
    if family == "python":
        # The needles and the import of a client: the import first, the rarer and cheaper.
        imports = words_of(data).has_any(models.PY_MODULE_WORDS) and (
            models.PY_IMPORT.search(data) or models.PY_FROM.search(data)
        )
        if imports and _NEEDLES[family].any_in(data):
            return True
    elif _NEEDLES[family].any_in(data) or (family == "javascript" and models.js_short_needle(data)):
        return True
    if family in ("python", "javascript") and models.own_verb_call(data):
        return True
    if family == "ruby" and _factory_use(data):
        return True  # `http.get(url)` through a client factory (`egress_factories`)
    return models.url_in_code(data)


def outbound_calls(
    language: str, data: bytes, named_folder: bool = False
) -> tuple[tuple[OutboundCall, ...], tuple[Signal, ...], tuple[tuple[str, str], ...]]:
    """The file's outbound calls, resilience signals and meta (``egress.wrapper`` names).
    `language` is a `treesitter.parse` language name. Each half runs only when the file's
    bytes show its trigger words; without either, the file is not parsed. A Python file in
    a folder named for a service (`named_folder`: `connectors/<name>.py`) is read for calls
    anyway: it may request only through a helper of its package (`get_data(url)`)."""
    family = _lang(language)
    defaults = env_defaults(data) if family == "ruby" else ()
    csp = csp_hosts(data) if family != "go" else ()
    if family == "go":  # HTML a Go program serves from its strings: what its tags load
        csp = tuple(markup_calls(data))
    tiles = tile_calls(data)  # map tile templates a map library fills (`egress_tiles`)
    wanted = (
        triggered(language, data) or (named_folder and family == "python"),
        resilience.triggered(data),
    )
    calls: tuple[OutboundCall, ...] = ()
    signals: tuple[Signal, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    root = parse(language, data) if any(wanted) else None
    if root is not None:
        with reading(data), remembering_callees():
            calls, signals, meta = _outbound_calls(language, family, root, data, *wanted)
    if calls and family in ("ruby", "python") and switched_off(data):
        calls = ()  # a client that says it cannot run (`egress_gates`)
    if tiles:  # a template a call at its line already sends (`L.tileLayer("…")`) is that call
        sent = {(c.line, c.host) for c in calls}
        csp += tuple(t for t in tiles if (t.line, t.host) not in sent)
    if csp:
        calls = tuple(sorted(set(calls) | set(csp)))
    return calls, signals, tuple(sorted(meta + defaults)) if defaults else meta


def _outbound_calls(
    language: str, family: str, root: Node, data: bytes, calls_wanted: bool, signals_wanted: bool
) -> tuple[tuple[OutboundCall, ...], tuple[Signal, ...], tuple[tuple[str, str], ...]]:
    f = _File(family)
    if family == "go" and b"http.Client" in data:
        f.go_clients = http_clients(data)
    nodes = find(language, root, _CALL_TYPES[family])
    calls = _split_hosts(_calls(f, nodes)) if calls_wanted else []
    if signals_wanted:
        f.signals.extend(resilience.resilience_signals(language, nodes, root, data, _callee))
    meta = tuple(
        sorted(
            [("egress.wrapper", name) for name in f.wrappers]
            + [("egress.const", f"{name}={host}") for name, host in f.consts.items()]
            + [(FACTORY_META, name) for name in f.factories]
            + _class_meta(f, language, root, data)
        )
    )
    return tuple(sorted(set(calls))), tuple(sorted(set(f.signals))), meta


def _class_meta(f: _File, language: str, root: Node, data: bytes) -> list[tuple[str, str]]:
    """Client bases and `extends` of a JS/TS file's classes (`egress_bases`)."""
    if f.language != "javascript" or (b"extends" not in data and b"this." not in data):
        return []
    out = bases.base_meta(f, lambda n: _function_of(f, n))
    if b"extends" in data:
        out += bases.extends_meta(find(language, root, _CLASSES)[:100])
    return sorted(set(out))


def _calls(f: _File, nodes: list[Node]) -> list[OutboundCall]:
    for node in nodes:
        _learn(f, node)
    calls: list[OutboundCall] = []
    for node in nodes:
        if node.type in _CALLS:
            # Each walks the call's subtree: read once here for both readers.
            written = _callee(node)
            callee = _canonical(f, written)
            args = _args(node)
            found = other_call(f, node, callee, args, _resolve, _key_in, _string_literal)
            found = found if found is not None else _call(f, node, written, callee, args)
            if found is not None:
                calls.append(found)
        elif node.type == "composite_literal" and f.language == "go":
            token = _go_token_endpoint(f, node)
            if token is not None:
                calls.append(token)
        if len(calls) >= MAX_CALLS_PER_FILE:
            break
    if f.sent_fields:
        _field_wrappers(f, nodes)
    if not f.wrappers:
        return calls
    # A function that passes its parameter on to a wrapper is a wrapper too (bounded
    # rounds); then every call of a wrapper in this file is an outbound call.
    for _ in range(3):
        known = len(f.wrappers)
        for node in nodes:
            if node.type in _CALLS:
                _wrapper_call(f, node)
        if len(f.wrappers) == known:
            break
    # A call of this file's own wrapper is an outbound call, not a candidate.
    calls = [c for c in calls if c.client.removeprefix("call:") not in f.wrappers]
    for node in nodes:
        if node.type in _CALLS and (found := _wrapper_call(f, node)) is not None:
            calls.append(found)
    return calls


_RB_VERBS = frozenset(models._RB_VERBS.split())
_JS_VERB_ENDS = tuple(f".{v}" for v in models._JS_VERBS.split())
# Go names typed or bound as an `http.Client`: a field or variable declaration, an
# assignment or a keyed struct element. Anchored or led by a literal; bounded.
_GO_CLIENT_DECL = lazy(rb"(?m)^[ \t]*+(?:var[ \t]++)?([A-Za-z_]\w{0,80}+)[ \t]++\*?http\.Client\b")
_GO_CLIENT_BOUND = lazy(rb"(?<!\w)([A-Za-z_]\w{0,80}+)[ \t]*+:?=?[ \t]*+&?http\.Client\{")
MAX_CLIENT_NAMES = 50


def http_clients(data: bytes) -> frozenset[str]:
    """The names a Go file declares or binds as an `http.Client` (the last segment of
    `s.client = &http.Client{…}`)."""
    names: set[str] = set()
    for pattern in (_GO_CLIENT_DECL, _GO_CLIENT_BOUND):
        for m in pattern.finditer(data):
            names.add(m.group(1).decode("ascii"))
            if len(names) >= MAX_CLIENT_NAMES:
                break
    return frozenset(names)


def _call(f: _File, node: Node, written: str, callee: str, args: list[Node]) -> OutboundCall | None:
    """The call's outbound call, if any: `written` is its callee as written (`_callee`),
    `callee` that canonically (`_canonical`), `args` its positional arguments (`_args`)."""
    table = models.MODELS[f.language]
    model = table.get(callee)
    if model is None and f.language == "ruby" and callee.endswith((".send", ".public_send")):
        # `HTTParty.send(http_method, url, …)`: a client's verb chosen at run time
        sent = table.get(callee.rsplit(".", 1)[0] + ".get")
        verb = text(_first(args), 20)
        if verb[:1] in (":", "'", '"') and verb.strip(":'\"") not in _RB_VERBS:
            sent = None  # `HTTParty.send(:include, …)`: no request
        if sent is not None and sent.position >= 0:
            model = sent._replace(position=sent.position + 1)
    if model is None and f.language in ("python", "javascript"):
        typed = _typed_call(f, node, written)
        if typed is not None:
            callee, model = typed
    base: Node | None = None
    name = written.rsplit(".", 1)[0]
    if model is None and f.language == "javascript" and callee.endswith(_JS_VERB_ENDS):
        for constructor in models.JAVASCRIPT_CONSTRUCTORS:
            if callee.startswith(constructor + ".*"):
                model = models.UrlArg(0, "url", constructor.split(".")[0])
                base = f.instances.get(name, ("", None))[1]
                break
    if name in f.instances and base is None:
        base = f.instances[name][1]
    if model is None and f.language == "go":
        receiver, _, method = callee.rpartition(".")
        if method in models.GO_RESTY_VERBS and ".R()." in callee:
            model = models.UrlArg(0, "", "resty")
        elif method in models.GO_CLIENT_VERBS and (
            receiver == "http.DefaultClient" or receiver.rpartition(".")[2] in f.go_clients
        ):
            model = models.UrlArg(0, "", "net/http")  # `c.client.PostForm(url, form)`
    if (
        model is None
        and f.language == "ruby"
        and callee.startswith("HTTP.")
        and callee.rsplit(".", 1)[-1] in models._RB_VERBS.split()
    ):
        model = models.UrlArg(0, "", "http.rb")
    if model is None and f.language == "python":
        sdk = egress_sdk.sdk_call(
            f.sdk, written, callee, lambda c: _canonical(f, c), _enclosing_function,
            lambda: _function_of(f, node),
        )  # fmt: skip
    elif model is None and f.language == "javascript":
        sdk = egress_sdk.js_sdk_call(f.instances, written)
    else:
        sdk = None
    if sdk is not None:  # an SDK client's call: to its service, whatever path it is given
        return OutboundCall("http", line(node), sdk.client, sdk.host, "", "sdk", _timeout(f, node))
    if model is None and f.language == "ruby":
        via = factory_call(f, node, written, _resolve, _timeout(f, node))
        if via is not None:
            return via
    if model is None:
        own = _own_verb_call(f, node, written)
        if own is None:
            own = bases.base_call(f, node, written, _resolve)
        return own if own is not None else _candidate(f, node, callee, args)
    if model.client == "pycurl" and not text(_first(args), 40).endswith(".URL"):
        return None
    if model.host:  # an SDK's verb: to its service, whatever path it is given (as `sdk`)
        timeout = _timeout(f, node)
        return OutboundCall("http", line(node), model.client, model.host, "", "sdk", timeout)
    url = _url_arg(f, node, model)
    if url is None and base is None and model.client == OTLP_CLIENT:
        # an OTLP exporter built without `endpoint` sends where the standard variable says
        return OutboundCall("http", line(node), model.client, "", OTLP_ENV, "env")
    if url is None and base is None:
        return OutboundCall(
            "http", line(node), model.client, origin="unknown", timeout=_timeout(f, node)
        )
    host, configured_by, origin = _resolve(f, url if url is not None else base, 0, node)
    if origin == "relative" and base is not None:
        host, configured_by, origin = _resolve(f, base, 0, node)
    if model.host_only and origin == "unknown" and url is not None and url.type in _STRING_TYPES:
        host, origin = _string_literal(url).lower(), "literal"
    if origin == "user" and f.language == "javascript" and _described(url, args):
        origin = "described"
    if origin == "parameter":
        _mark_wrapper(f, node, configured_by)
    elif origin in ("unknown", "user"):
        if url is not None:
            _note_sent_field(f, node, url)
        function = _enclosing_function(node)
        named = [p for p in _parameters(function) if _URL_PARAM.match(p)] if function else []
        if len(named) == 1 and _mark_wrapper(f, node, named[0]):
            host, configured_by, origin = "", named[0], "parameter"
    if origin == "parameter":
        # `def fetch(url=settings.API_URL)`: a caller that leaves the URL out sends to the
        # default, so the request goes there too (still a wrapper for the callers' URLs)
        default = parameter_default(_enclosing_function(node), configured_by)
        if default is not None:
            found = _resolve(f, default, 1, node)
            if found[2] in ("literal", "setting", "env", "constant") and (found[0] or found[1]):
                host, configured_by, origin = found
    return OutboundCall(
        "http", line(node), model.client, host, configured_by, origin, _timeout(f, node)
    )


OTLP_CLIENT = "opentelemetry"
OTLP_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"  # what every OpenTelemetry SDK reads by default


def _described(url: Node | None, args: list[Node]) -> bool:
    """`fetch(action.url, { method: action.method, … })`: the URL and the method come from
    one object, a request someone described (an action button, a webhook), not the page's
    own API."""
    if url is None or url.type != "member_expression" or len(args) < 2:
        return False
    head = text(url.child_by_field_name("object"), 100)
    options = args[1]
    if options.type != "object" or not head:
        return False
    for pair in options.named_children[:20]:
        if pair.type == "pair" and text(pair.child_by_field_name("key"), 20) == "method":
            return text(pair.child_by_field_name("value"), 200).startswith(head + ".method")
    return False


_TYPED_VERBS = frozenset(
    {*models._PY_VERBS.split(), "request", "stream", "ws_connect", "urlopen"}
)  # fmt: skip
_TYPED_PARAMS = frozenset(
    {"typed_parameter", "typed_default_parameter", "required_parameter", "optional_parameter"}
)  # fmt: skip


def _typed_call(f: _File, node: Node, written: str) -> tuple[str, models.UrlArg] | None:
    """`session.head(url)` where `session` is a parameter annotated with a client type: the
    call canonically (`aiohttp.ClientSession.head`) and its model."""
    receiver, _, verb = written.partition(".")
    if verb not in _TYPED_VERBS or not receiver.isidentifier():
        return None
    python = f.language == "python"
    types = models.PYTHON_CLIENT_TYPES if python else models.JAVASCRIPT_CLIENT_TYPES
    modules = {t.split(".", 1)[0] for t in types}
    if not any(v.split(".", 1)[0] in modules for v in f.aliases.values()):
        return None  # no client imported: no annotation can name one
    client = _typed_client(f, node, receiver, types)
    if not client:
        return None
    if not python:
        return f"{client}.*", models.UrlArg(0, "url", client.split(".", 1)[0])
    model = models.PYTHON.get(f"{client}.{verb}")
    return (f"{client}.{verb}", model) if model is not None else None


def _typed_client(f: _File, node: Node, receiver: str, types: dict[str, str]) -> str:
    """The constructor whose instance `receiver` is, when the nearest enclosing function
    with a parameter of that name annotates it with a client type; "" otherwise."""
    function = _enclosing_function(node)
    for _ in range(8):
        if function is None:
            return ""
        params = function.child_by_field_name("parameters")
        for p in params.named_children[:40] if params is not None else ():
            ident = (
                p
                if p.type == "identifier"
                else p.child_by_field_name("name")
                or p.child_by_field_name("pattern")
                or (p.named_children[0] if p.named_child_count else None)
            )
            if text(ident, 80) != receiver:
                continue
            annotation = p.child_by_field_name("type") if p.type in _TYPED_PARAMS else None
            for written in _annotation_names(text(annotation, 200)):
                if (found := types.get(_canonical(f, written))) is not None:
                    return found
            return ""  # the nearest parameter of that name decides (it shadows outer ones)
        function = _enclosing_function(function)
    return ""


def _annotation_names(written: str) -> list[str]:
    """`ClientSession`, `"aiohttp.ClientSession"`, `Optional[X]`, `X | None`, TypeScript's
    `: AxiosInstance` → the type names written."""
    written = written.strip().removeprefix(":").strip().strip("\"'")
    for wrapper in ("Optional[", "typing.Optional["):
        if written.startswith(wrapper) and written.endswith("]"):
            written = written[len(wrapper) : -1]
    return [part.strip().strip("\"'") for part in written.split("|")[:4]]


def _split_hosts(calls: list[OutboundCall]) -> list[OutboundCall]:
    """A call whose URL comes from a table of several hosts is a call to each of them."""
    out: list[OutboundCall] = []
    for c in calls:
        if c.origin == "literal" and "," in c.host:
            out.extend(replace(c, host=host) for host in c.host.split(","))
        else:
            out.append(c)
    return out


def _url_arg(f: _File, node: Node, model: models.UrlArg) -> Node | None:
    args = _args(node)
    if model.position >= 0 and len(args) > model.position:
        arg = args[model.position]
        if arg.type == "identifier":
            bound = f.values.get(text(arg, 80))
            if bound is not None and bound.type in ("object", "hash", "dictionary"):
                arg = bound
        if arg.type in ("object", "hash", "dictionary"):
            keys = dict.fromkeys(("url", "baseURL", model.keyword or "url"))
            return next((v for k in keys if (v := _key_in(f, arg, k, 0)) is not None), None)
        return arg
    if model.keyword:
        found = _keyword(f, node, model.keyword)
        if found is not None:
            return found
    if model.position == -1 and args:
        return _key_in(f, args[0], "url", 0)
    return None


def wrapper_names(metas: Iterable[tuple[str, str]]) -> set[str]:
    return {v for k, v in metas if k == "egress.wrapper"}
