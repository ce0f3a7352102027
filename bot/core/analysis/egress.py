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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.core.analysis import egress_sdk, resilience, sdk_models
from bot.core.analysis import http_models as models
from bot.core.analysis.egress_other import other_call
from bot.core.analysis.treesitter import Node, find, line, parse, reading, text, walk
from bot.core.model import OutboundCall, Signal

EGRESS_VERSION = 4  # 2: SMTP calls, programs run, knex clients (egress_other); 3: typed
# client parameters, URL tables, function-local bindings; 4: inherited HTTP verbs
# (`self.post`), Go request builders and `url.URL{Host:}`, URL-named candidate arguments,
# SDK clients (`sdk_models`)
MAX_RESOLVE_DEPTH = 6
MAX_CALLS_PER_FILE = 400

_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/?#\s]*@)?(\[[0-9a-f:]+\]|[a-z0-9_.-]+)", re.I)
_SETTING_ROOTS = (
    "settings.", "config.", "conf.", "cfg.", "app.config", "current_app.config",
    "Rails.application.", "Rails.configuration.", "Setting.", "Settings.", "AppConfig.",
)  # fmt: skip
_SELF_ROOTS = ("self.", "this.", "@")
# Objects that hold the program's own wiring, not data a user gave it.
_OWN_OBJECTS = frozenset(
    {"self", "this", "cls", "sb", "sandbox", "server", "app", "client", "api", "options", "opts",
     "config", "conf", "cfg", "settings", "args", "argv", "env", "ctx", "context", "request",
     "req", "window", "location", "document", "process", "os", "module", "exports"}
)  # fmt: skip
_DESTINATION = re.compile(r"(?i)hook|callback|notif|url|uri|endpoint|href|link|server|address")
_TIMEOUT_KEYS = frozenset(
    {"timeout", "connect_timeout", "read_timeout", "open_timeout", "write_timeout",
     "connectTimeout", "readTimeout", "requestTimeout"}
)  # fmt: skip
_STRING_TYPES = frozenset(
    {"string", "template_string", "interpreted_string_literal", "raw_string_literal",
     "string_literal", "concatenated_string"}
)  # fmt: skip

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
_CALLS = frozenset({"call", "call_expression", "new_expression"})
# Calls that make or reshape a URL (never a request of their own).
_URL_MAKERS = frozenset(
    {"URI", "URL", "parse", "urlparse", "urlsplit", "urljoin", "join", "Sprintf", "format", "str",
     "String", "encodeURI", "encodeURIComponent", "quote", "escape", "new", "Parse", "sub",
     "gsub", "replace", "redirect", "redirect_to", "link_to", "href", "open_in_browser"}
)  # fmt: skip
_CANDIDATE_ARGS = _STRING_TYPES | {"identifier", "constant", "binary", "binary_expression",
                                   "binary_operator", "call", "call_expression"}  # fmt: skip
# A parameter named like a URL: a function that calls out with it (however it reshapes it
# first) is a wrapper, its callers' arguments are the destinations.
_URL_PARAM = re.compile(
    r"(?i)^(?:.*_)?(?:url|uri|endpoint|href|link)s?$|[a-z](?:Url|URL|Uri|Endpoint)$"
)
# A name that says it holds a URL: `url`, `feed_url`, `apiEndpoint`, `c.webhookURL`, `apiLink`.
_URL_NAME = re.compile(
    r"(?:^|_)(?:[Uu]rl|URL|[Uu]ri|URI|[Ee]ndpoint|ENDPOINT)s?$"
    r"|[a-z0-9](?:Url|URL|Uri|URI|Endpoint|Link)s?$|_link$"
)
_FUNCTIONS = frozenset(
    {"function_definition", "function_declaration", "method_definition", "arrow_function",
     "function_expression", "method", "singleton_method", "method_declaration"}
)  # fmt: skip
_LOOPS = frozenset(
    {"while_statement", "for_statement", "do_statement", "until", "while", "begin"}
)  # fmt: skip


@dataclass
class _File:
    """What one walk learned about a file: names bound to values, client instances,
    import aliases and the wrappers it defines."""

    language: str
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> canonical module path
    values: dict[str, Node] = field(default_factory=dict)  # name -> the value bound to it
    # name -> (assignment, value) of its first bindings: a name bound more than once
    # resolves to its binding in the function where it is read, if any (`_local_binding`)
    bindings: dict[str, list[tuple[Node, Node]]] = field(default_factory=dict)
    local: dict[str, dict[int, Node]] = field(default_factory=dict)  # name -> function id -> value
    # node id -> the function the node is or is in (`_function_of`: asked per binding and name)
    functions: dict[int, Node | None] = field(default_factory=dict)
    instances: dict[str, tuple[str, Node | None]] = field(default_factory=dict)
    wrappers: dict[str, int] = field(default_factory=dict)  # function name -> URL param index
    consts: dict[str, str] = field(default_factory=dict)  # top-level name -> literal host
    # Go: fields of a method's receiver that its request sends to (`r.endpoint`): a function
    # that sets one from its parameter is a wrapper (a request builder, `_field_wrappers`)
    sent_fields: set[str] = field(default_factory=set)
    signals: list[Signal] = field(default_factory=list)
    sdk: egress_sdk.SdkNames = field(default_factory=egress_sdk.SdkNames)  # client parameters
    # `heads()`, kept while no alias or instance is added (the two maps never lose a key,
    # so their sizes say whether their names moved): asked once per call in the file.
    _heads_at: tuple[int, int] = (-1, -1)
    _heads: frozenset[str] = frozenset()

    def heads(self) -> frozenset[str]:
        """The first segments of the aliases and instance names (a call whose callee starts
        with none of them keeps its name)."""
        at = (len(self.instances), len(self.aliases))
        if at != self._heads_at:
            names = (*self.instances, *self.aliases)
            self._heads = frozenset(n.split(".", 1)[0] for n in names)
            self._heads_at = at
        return self._heads


def _lang(language: str) -> str:
    return "javascript" if language in ("typescript", "tsx") else language


def triggered(language: str, data: bytes) -> bool:
    """Whether the file may make a call of the tables (see `http_models.NEEDLES`), or of an
    HTTP verb its class inherits (`self.post(`, see `_own_verb_call`)."""
    family = _lang(language)
    if family == "python":
        # The needles and the import of a client: the import first, the rarer and cheaper.
        imports = models.PY_IMPORT.search(data) or models.PY_FROM.search(data)
        if imports is not None and any(needle in data for needle in models.NEEDLES[family]):
            return True
    elif any(needle in data for needle in models.NEEDLES[family]):
        return True
    if family in ("python", "javascript") and models.own_verb_call(data):
        return True
    return models.url_in_code(data)


def outbound_calls(
    language: str, data: bytes
) -> tuple[tuple[OutboundCall, ...], tuple[Signal, ...], tuple[tuple[str, str], ...]]:
    """The file's outbound calls, resilience signals and meta (``egress.wrapper`` names).
    `language` is a `treesitter.parse` language name. Each half runs only when the file's
    bytes show its trigger words; without either, the file is not parsed."""
    family = _lang(language)
    wanted = triggered(language, data), resilience.triggered(data)
    if not any(wanted):
        return (), (), ()
    root = parse(language, data)
    if root is None:
        return (), (), ()
    with reading(data):
        return _outbound_calls(language, family, root, data, *wanted)


def _outbound_calls(
    language: str, family: str, root: Node, data: bytes, calls_wanted: bool, signals_wanted: bool
) -> tuple[tuple[OutboundCall, ...], tuple[Signal, ...], tuple[tuple[str, str], ...]]:
    f = _File(family)
    nodes = find(language, root, _CALL_TYPES[family])
    calls = _split_hosts(_calls(f, nodes)) if calls_wanted else []
    if signals_wanted:
        f.signals.extend(resilience.resilience_signals(language, nodes, root, data, _callee))
    meta = tuple(
        sorted(
            [("egress.wrapper", name) for name in f.wrappers]
            + [("egress.const", f"{name}={host}") for name, host in f.consts.items()]
        )
    )
    return tuple(sorted(set(calls))), tuple(sorted(set(f.signals))), meta


def _calls(f: _File, nodes: list[Node]) -> list[OutboundCall]:
    for node in nodes:
        _learn(f, node)
    calls: list[OutboundCall] = []
    for node in nodes:
        if node.type in _CALLS:
            callee = _canonical(f, _callee(node))
            found = other_call(f, node, callee, _args(node), _resolve, _key_in, _string_literal)
            found = found if found is not None else _call(f, node)
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


# --- learning names ---------------------------------------------------------------


def _learn(f: _File, node: Node) -> None:
    kind = node.type
    if kind in ("import_statement", "import_from_statement"):
        _learn_import(f, node)
    elif kind in ("assignment", "variable_declarator", "short_var_declaration", "var_spec",
                  "const_spec", "assignment_expression", "assignment_statement"):  # fmt: skip
        left = node.child_by_field_name("left") or node.child_by_field_name("name")
        right = node.child_by_field_name("right") or node.child_by_field_name("value")
        if left is None or right is None:
            return
        if left.type == "expression_list":  # Go: a, b := x, y
            lefts, rights = left.named_children, right.named_children
        else:
            lefts, rights = (
                [left],
                [
                    right.named_children[0]
                    if right.type == "expression_list" and right.named_child_count
                    else right
                ],
            )
        for name_node, bound in zip(lefts, rights, strict=False):
            value = _unwrapped(bound)
            name = text(name_node, 80)
            _bind(f, name, value)
            bindings = f.bindings.setdefault(name, [])
            if len(bindings) < 50:
                bindings.append((node, value))
            if value.type not in _STRING_TYPES and value.type != "object":
                continue
            if _function_of(f, node) is not None:
                continue
            if value.type == "object":
                _object_consts(f, name, value)
            if value.type in _STRING_TYPES:
                host, _, origin = _resolve(f, value, 0, node)
                if (
                    origin == "literal"
                    and host
                    and "," not in host
                    and re.fullmatch(r"[A-Za-z_]\w*", name)
                ):
                    f.consts.setdefault(name, host)
    elif kind == "with_statement":
        for pattern in walk(node, frozenset({"as_pattern"}), 50):
            target = pattern.child_by_field_name("alias")
            made = pattern.named_children[0] if pattern.named_child_count else None
            if target is not None and made is not None:
                _bind(f, text(target, 80), made)
    elif kind == "call" and f.language == "ruby" and _ruby_include_httparty(node):
        f.aliases["base_uri"] = "base_uri"
    elif f.language == "python" and kind == "function_definition":
        egress_sdk.learn_function(f.sdk, node, lambda c: _canonical(f, c), f.values, _callee)
    elif f.language == "python" and kind == "call" and f.sdk.marked(f.aliases):
        function = _function_of(f, node)
        if function is not None:
            egress_sdk.learn_mark(f.sdk, f.aliases, _callee(node), function)


def _object_consts(f: _File, name: str, value: Node) -> None:
    """`const API = {base: "https://…"}` at top level: `API.base` names that host."""
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
        return
    for pair in value.named_children[:50]:
        if pair.type != "pair":
            continue
        key = text(pair.child_by_field_name("key"), 60).strip("\"'")
        item = pair.child_by_field_name("value")
        if item is not None and item.type in _STRING_TYPES:
            host, _, origin = _resolve(f, item, 0, pair)
            if origin == "literal" and host and "," not in host:
                f.consts.setdefault(f"{name}.{key}", host)


_WRAPPING = frozenset(
    {"await", "await_expression", "unary_expression", "parenthesized_expression",
     "as_expression", "satisfies_expression", "non_null_expression"}
)  # fmt: skip


def _unwrapped(value: Node) -> Node:
    """`await x`, `(x)`, `x as const`, `&x` → x."""
    for _ in range(8):
        if value.type not in _WRAPPING or not value.named_child_count:
            break
        value = value.named_children[
            0 if value.type.endswith(("as_expression", "satisfies_expression")) else -1
        ]
    return value


def _bind(f: _File, name: str, value: Node) -> None:
    if not name or len(name) > 80:
        return
    value = _unwrapped(value)
    f.values.setdefault(name, value)
    if value.type in _CALLS:
        callee = _canonical(f, _callee(value))
        if f.language == "javascript" and value.type == "call_expression" and callee == "require":
            args = _args(value)
            if args and args[0].type == "string":
                module = _string_literal(args[0])
                if module in models.JAVASCRIPT_MODULES:
                    f.aliases[name] = module
            return
        constructors = (
            models.PYTHON_CONSTRUCTORS if f.language == "python" else models.JAVASCRIPT_CONSTRUCTORS
        )
        if callee in constructors:
            key = constructors[callee]
            f.instances[name] = (callee, _keyword(f, value, key) if key else None)
        elif callee in (sdk_models.PYTHON if f.language == "python" else sdk_models.JAVASCRIPT):
            f.instances[name] = (callee, None)  # an SDK client: its calls go to its service


def _learn_import(f: _File, node: Node) -> None:
    if f.language == "python":
        if node.type == "import_statement":
            for item in node.named_children:
                if item.type == "aliased_import":
                    f.aliases[text(item.child_by_field_name("alias"))] = text(
                        item.child_by_field_name("name")
                    )
                else:
                    name = text(item)
                    f.aliases.setdefault(name.split(".")[0], name.split(".")[0])
        else:
            module = text(node.child_by_field_name("module_name"))
            for item in node.children_by_field_name("name"):
                if item.type == "aliased_import":
                    f.aliases[text(item.child_by_field_name("alias"))] = (
                        f"{module}.{text(item.child_by_field_name('name'))}"
                    )
                else:
                    f.aliases[text(item)] = f"{module}.{text(item)}"
        return
    source = node.child_by_field_name("source")
    module = _string_literal(source) if source is not None else ""
    if module not in models.JAVASCRIPT_MODULES and module not in sdk_models.JAVASCRIPT_MODULES:
        return
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                f.aliases[text(part)] = module
            elif part.type == "namespace_import":
                f.aliases[text(part.named_children[-1])] = module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    imported = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or imported
                    f.aliases[text(alias)] = f"{module}.{text(imported)}"


def _ruby_include_httparty(node: Node) -> bool:
    method = node.child_by_field_name("method")
    return text(method) == "include" and "HTTParty" in text(node.child_by_field_name("arguments"))


# --- calls ------------------------------------------------------------------------


def _callee(node: Node) -> str:
    """`a.b.c` for the called expression; calls inside a chain read as `x.R().Get`."""
    if node.type == "call":
        # A Ruby call names its parts `receiver` and `method`; a Python call has neither.
        receiver = node.child_by_field_name("receiver")
        method_node = node.child_by_field_name("method")
        if receiver is not None or method_node is not None:
            method = text(method_node, 80)
            return f"{_expr_name(receiver)}.{method}" if receiver is not None else method
    function = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    return _expr_name(function)


def _expr_name(node: Node | None, depth: int = 0) -> str:
    if node is None or depth > 8:
        return ""
    kind = node.type
    if kind in ("identifier", "constant", "property_identifier", "field_identifier",
                "package_identifier", "type_identifier"):  # fmt: skip
        return text(node, 80)
    if kind in ("attribute", "member_expression", "selector_expression"):
        obj = node.child_by_field_name("object") or node.child_by_field_name("operand")
        prop = (node.child_by_field_name("attribute") or node.child_by_field_name("property")
                or node.child_by_field_name("field"))  # fmt: skip
        return f"{_expr_name(obj, depth + 1)}.{text(prop, 80)}"
    if kind == "scope_resolution":
        scope = node.child_by_field_name("scope")
        name = text(node.child_by_field_name("name"), 80)
        return f"{_expr_name(scope, depth + 1)}::{name}" if scope is not None else name
    if kind in _CALLS:
        if kind == "call" and node.child_by_field_name("arguments") is None:
            return _callee(node)  # Ruby: `a.b.c` is a chain of calls without arguments
        return _callee(node) + "()"
    if kind in ("this", "self"):
        return kind
    return ""


def _canonical(f: _File, callee: str) -> str:
    """The callee with the file's import alias or client instance at its head replaced by
    the library path (`r.get` after `import requests as r` → `requests.get`)."""
    if not callee:
        return ""
    head = callee.split(".", 1)[0].split("(", 1)[0]
    if head not in f.heads():
        return callee
    # The longest name that is the callee or a head of it up to a ".": its prefixes, from
    # the whole callee down, cut at each "." (an instance before an alias of the same name).
    end = len(callee)
    while end >= 0:
        name, rest = callee[:end], callee[end:]
        if name in f.instances:
            return (
                f.instances[name][0]
                + (".*" if f.language == "javascript" and rest else "")
                + ("" if f.language == "javascript" and rest else rest)
            )
        if name in f.aliases:
            return f.aliases[name] + rest
        end = callee.rfind(".", 0, end)
    return callee


def _args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    return [
        a
        for a in args.named_children
        if a.type not in ("comment", "keyword_argument", "pair", "block_argument")
    ] + []


def _keyword(f: _File, node: Node, key: str) -> Node | None:
    """The value of keyword argument (or object/hash key) `key` of call `node`."""
    args = node.child_by_field_name("arguments")
    if args is None or not key:
        return None
    for arg in args.named_children:
        found = _key_in(f, arg, key, 0)
        if found is not None:
            return found
    return None


def _key_in(f: _File, node: Node, key: str, depth: int) -> Node | None:
    if node.type == "keyword_argument" and text(node.child_by_field_name("name")) == key:
        return node.child_by_field_name("value")
    if node.type == "pair":
        k = text(node.child_by_field_name("key"), 80).strip("\"':")
        if k == key:
            return node.child_by_field_name("value")
    if node.type in ("object", "hash", "dictionary") and depth < 2:
        for child in node.named_children:
            found = _key_in(f, child, key, depth + 1)
            if found is not None:
                return found
    if node.type == "identifier" and depth < 2 and node.text is not None:
        bound = f.values.get(text(node, 80))
        if bound is not None and bound.type in ("object", "hash", "dictionary"):
            return _key_in(f, bound, key, depth + 1)
    return None


_NUMBER_TYPES = frozenset({"integer", "float", "number", "int_literal", "float_literal"})


def _timeout(f: _File, node: Node) -> str:
    """The timeout set at the call: its literal value, or "set" when it is an expression."""
    args = node.child_by_field_name("arguments")
    if args is None:
        return ""
    for key in sorted(_TIMEOUT_KEYS):
        for arg in args.named_children:
            found = _key_in(f, arg, key, 0)
            if found is not None:
                return text(found, 16) if found.type in _NUMBER_TYPES else "set"
    return ""


_JS_VERB_ENDS = tuple(f".{v}" for v in models._JS_VERBS.split())


def _call(f: _File, node: Node) -> OutboundCall | None:
    written = _callee(node)  # asked once: each call walks the callee's expression
    callee = _canonical(f, written)
    table = models.MODELS[f.language]
    model = table.get(callee)
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
        method = callee.rsplit(".", 1)[-1]
        if method in models.GO_RESTY_VERBS and ".R()." in callee:
            model = models.UrlArg(0, "", "resty")
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
            _function_of(f, node),
        )  # fmt: skip
    elif model is None and f.language == "javascript":
        sdk = egress_sdk.js_sdk_call(f.instances, written)
    else:
        sdk = None
    if sdk is not None:  # an SDK client's call: to its service, whatever path it is given
        return OutboundCall("http", line(node), sdk.client, sdk.host, "", "sdk", _timeout(f, node))
    if model is None:
        own = _own_verb_call(f, node, written)
        return own if own is not None else _candidate(f, node, callee)
    if model.client == "pycurl" and not text(_first(_args(node)), 40).endswith(".URL"):
        return None
    url = _url_arg(f, node, model)
    if url is None and base is None:
        return OutboundCall(
            "http", line(node), model.client, origin="unknown", timeout=_timeout(f, node)
        )
    host, configured_by, origin = _resolve(f, url if url is not None else base, 0, node)
    if origin == "relative" and base is not None:
        host, configured_by, origin = _resolve(f, base, 0, node)
    if model.host_only and origin == "unknown" and url is not None and url.type in _STRING_TYPES:
        host, origin = _string_literal(url).lower(), "literal"
    if origin == "parameter":
        _mark_wrapper(f, node, configured_by)
    elif origin in ("unknown", "user"):
        if url is not None:
            _note_sent_field(f, node, url)
        function = _enclosing_function(node)
        named = [p for p in _parameters(function) if _URL_PARAM.match(p)] if function else []
        if len(named) == 1 and _mark_wrapper(f, node, named[0]):
            host, configured_by, origin = "", named[0], "parameter"
    return OutboundCall(
        "http", line(node), model.client, host, configured_by, origin, _timeout(f, node)
    )


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


def _first(nodes: list[Node]) -> Node | None:
    return nodes[0] if nodes else None


def _url_arg(f: _File, node: Node, model: models.UrlArg) -> Node | None:
    args = _args(node)
    if model.position >= 0 and len(args) > model.position:
        arg = args[model.position]
        if arg.type in ("object", "hash"):
            return _key_in(f, arg, "url", 0) or _key_in(f, arg, "baseURL", 0)
        if arg.type == "identifier":
            bound = f.values.get(text(arg, 80))
            if bound is not None and bound.type in ("object", "hash", "dictionary"):
                return _key_in(f, bound, "url", 0) or _key_in(f, bound, "baseURL", 0)
        return arg
    if model.keyword:
        found = _keyword(f, node, model.keyword)
        if found is not None:
            return found
    if model.position == -1 and args:
        return _key_in(f, args[0], "url", 0)
    return None


def _candidate(f: _File, node: Node, callee: str) -> OutboundCall | None:
    """A call to something else whose first argument is a URL with a written host, or one
    held by a setting or env var: kept for the aggregation, which knows every file's
    wrappers (a repository's own HTTP helper defined in another file)."""
    args = _args(node)
    if not args or args[0].type not in _CANDIDATE_ARGS | _FIELD_ARGS:
        return None
    name = callee.rsplit(".", 1)[-1]
    if not name or not name.replace("_", "a").isalnum() or name in _URL_MAKERS:
        return None
    first = args[0]
    # A URL-named argument (`apiEndpoint`, `c.webhookURL`) keeps the call even when its value
    # cannot be read: in a folder named for a service, the service is the destination.
    urlish = _URL_NAME.search(re.split(r"[.:]", text(first, 120))[-1]) is not None
    if first.type in _FIELD_ARGS and not urlish:
        return None
    parent = node.parent
    if parent is not None and parent.type in ("argument_list", "arguments") and _sends(f, parent):
        return None  # `get(URI("https://…"))`: the outer call is the one that sends
    if first.type in ("identifier", "constant") and text(first, 80) not in f.values:
        return None  # a parameter or a name from elsewhere: never a written host
    host, configured_by, origin = _resolve(f, first, 0, node)
    if origin == "user" and name in _GENERIC_METHODS:
        return None  # `cache.fetch(story.url)`: too common a name to be a wrapper's
    if origin == "unknown" and urlish and name not in _GENERIC_METHODS:
        return OutboundCall("candidate", line(node), f"call:{name}", "", "", "unknown")
    if origin not in ("literal", "env", "setting", "user") or (origin == "literal" and not host):
        return None
    return OutboundCall("candidate", line(node), f"call:{name}", host, configured_by, origin)


_FIELD_ARGS = frozenset({"attribute", "member_expression", "selector_expression"})


def _sends(f: _File, arguments: Node) -> bool:
    """Whether the call whose arguments these are is a request of the tables: a call nested
    in another one's arguments is a candidate of its own unless the outer call sends."""
    outer = arguments.parent
    if outer is None or outer.type not in _CALLS:
        return False
    callee = _canonical(f, _callee(outer))
    return callee in models.MODELS[f.language] or callee.rsplit(".", 1)[-1] in _URL_MAKERS


_OWN_VERBS = frozenset({"get", "post", "put", "patch", "delete", "request"})
_HTTP_METHOD_NAMES = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def _own_verb_call(f: _File, node: Node, written: str) -> OutboundCall | None:
    """`self.post(url, …)` (`cls.`, `this.`) in a class with a base class that does not
    define `post` itself: a request through a method it inherits, most often from a base
    class in another file. A candidate: the aggregation keeps it only when some file defines
    a wrapper of that name. Any destination but a relative one or a parameter is kept (an
    unknown one names the service of a folder named for it)."""
    head, _, verb = written.partition(".")
    if head not in ("self", "cls", "this") or verb not in _OWN_VERBS:
        return None
    owner = _enclosing_class(node)
    if owner is None or not _has_base(owner) or verb in _methods_of(owner):
        return None
    args = _args(node)
    if not args:
        return None
    url = args[0]
    if verb == "request" and len(args) > 1 and _names_a_method(url):
        url = args[1]
    host, configured_by, origin = _resolve(f, url, 0, node)
    if origin in ("relative", "parameter") or (url.type in _STRING_TYPES and not host):
        return None  # `self.get("/health")`, `self.get("size")`: no destination written
    # Mappings and collections have `get` and `delete` too: there only a URL-named value is a
    # destination.
    named = _URL_NAME.search(re.split(r"[.:]", text(url, 120))[-1]) is not None
    if origin == "unknown" and verb in ("get", "delete") and not named:
        return None
    return OutboundCall(
        "candidate", line(node), f"call:{verb}", host, configured_by, origin, _timeout(f, node)
    )


def _names_a_method(node: Node) -> bool:
    """`"post"`, `method`, `http_method`: the first argument of `request(method, url)`."""
    if node.type in _STRING_TYPES:
        return _string_literal(node).lower() in _HTTP_METHOD_NAMES
    return node.type == "identifier" and text(node, 40).lower().endswith(("method", "verb"))


def _enclosing_class(node: Node) -> Node | None:
    current = node.parent
    for _ in range(300):
        if current is None:
            return None
        if current.type in _CLASSES:
            return current
        current = current.parent
    return None


def _has_base(owner: Node) -> bool:
    """Whether a class names a base class (`class A(Base)`, `class A extends B`)."""
    bases = owner.child_by_field_name("superclasses")
    if bases is not None:
        return any(text(b, 80) not in ("object", "") for b in bases.named_children[:10])
    return any(c.type == "class_heritage" for c in owner.named_children[:5])


def _methods_of(owner: Node) -> set[str]:
    """The names of the methods a class body defines itself."""
    body = owner.child_by_field_name("body")
    names: set[str] = set()
    for item in body.named_children[:300] if body is not None else ():
        if item.type == "decorated_definition":
            item = item.child_by_field_name("definition") or item
        if item.type in ("function_definition", "method_definition"):
            names.add(text(item.child_by_field_name("name"), 80))
    return names


def _note_sent_field(f: _File, node: Node, url: Node) -> None:
    """Go: a request to `r.endpoint` in a method of `r`: `endpoint` is a sent field."""
    if f.language != "go":
        return
    while url.type == "call_expression":  # `r.endpoint.String()`
        function = url.child_by_field_name("function")
        if function is None or function.type != "selector_expression":
            return
        url = function.child_by_field_name("operand") or url
        if url is function:
            return
    if url.type != "selector_expression":
        return
    operand = url.child_by_field_name("operand")
    function = _enclosing_function(node)
    if operand is None or operand.type != "identifier" or function is None:
        return
    receiver = function.child_by_field_name("receiver")
    names = [
        text(n, 80)
        for p in (receiver.named_children[:4] if receiver is not None else ())
        for n in p.children_by_field_name("name")[:4]
    ]
    if text(operand, 80) in names:
        f.sent_fields.add(text(url.child_by_field_name("field"), 80))


def _field_wrappers(f: _File, nodes: list[Node]) -> None:
    """Go: a function that sets a sent field from its parameter (`&Builder{endpoint: u}`,
    `b.endpoint = u`) is a wrapper whose callers' argument is the destination."""
    for node in nodes:
        pairs: list[tuple[str, Node | None]] = []
        if node.type == "composite_literal":
            body = node.child_by_field_name("body")
            for element in body.named_children[:60] if body is not None else ():
                if element.type == "keyed_element" and element.named_child_count == 2:
                    key, value = element.named_children
                    pairs.append((text(_element(key), 80), _element(value)))
        elif node.type == "assignment_statement":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and right is not None and left.named_child_count == 1:
                target = left.named_children[0]
                if target.type == "selector_expression" and right.named_child_count == 1:
                    field_name = text(target.child_by_field_name("field"), 80)
                    pairs.append((field_name, right.named_children[0]))
        for field_name, given in pairs:
            if field_name in f.sent_fields and given is not None and given.type == "identifier":
                _mark_wrapper(f, node, text(given, 80))


def _go_token_endpoint(f: _File, node: Node) -> OutboundCall | None:
    """`oauth2.Endpoint{TokenURL: …}` (golang.org/x/oauth2): the config's code exchange posts
    to its token URL, so a written host there is where sign-in calls out."""
    if not text(node.child_by_field_name("type"), 40).endswith("oauth2.Endpoint"):
        return None
    body = node.child_by_field_name("body")
    for element in body.named_children[:20] if body is not None else ():
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = (_element(n) for n in element.named_children)
        if text(key, 20) == "TokenURL":
            host, _, origin = _resolve(f, value, 0, node)
            if origin == "literal" and host:
                return OutboundCall(
                    "http", line(element), "golang.org/x/oauth2", host, "", "literal"
                )
    return None


def _element(node: Node) -> Node:
    """A Go `literal_element` holds its expression."""
    if node.type == "literal_element" and node.named_child_count:
        return node.named_children[0]
    return node


# Method names of collections and caches as much as of HTTP wrappers: a call of one with user
# data is kept as a candidate only under a more specific name (`try_fetch`, `send_webhook`).
_GENERIC_METHODS = frozenset(
    {"get", "fetch", "post", "put", "patch", "delete", "head", "request", "call", "send", "open",
     "read", "write", "add", "set", "update", "create", "find", "load", "run", "perform"}
)  # fmt: skip


def _wrapper_call(f: _File, node: Node) -> OutboundCall | None:
    callee = _callee(node)
    head, _, name = callee.rpartition(".")
    if head not in ("", "this", "self", "cls", "@"):
        return None
    index = f.wrappers.get(name)
    if index is None:
        return None
    args = _args(node)
    if len(args) <= index:
        return None
    host, configured_by, origin = _resolve(f, args[index], 0, node)
    if origin == "parameter":
        _mark_wrapper(f, node, configured_by)
        return None
    if origin == "relative":
        return None
    return OutboundCall(
        "http", line(node), f"wrapper:{name}", host, configured_by, origin, _timeout(f, node)
    )


def _local_binding(f: _File, name: str, function: Node) -> Node | None:
    """The value `name` is first bound to in `function`, when the file binds it more than
    once (`url = …` in two functions: each reads its own)."""
    by_function = f.local.get(name)
    if by_function is None:  # once per name: a name is read many times
        bindings = f.bindings.get(name, ())
        by_function = {}
        for at, value in bindings if len(bindings) > 1 else ():
            around = _function_of(f, at)
            if around is not None:
                by_function.setdefault(around.id, value)
        f.local[name] = by_function
    return by_function.get(function.id)


def _function_of(f: _File, node: Node) -> Node | None:
    """`_enclosing_function`, remembered for the nodes it passes (minified code nests deep)."""
    passed: list[int] = []
    current = node.parent
    for _ in range(200):
        if current is None:
            found = None
            break
        if current.id in f.functions:
            found = f.functions[current.id]
            break
        if current.type in _FUNCTIONS:
            found = current
            break
        passed.append(current.id)
        current = current.parent
    else:
        return None  # too deep: not remembered (the bound counts from `node`)
    for at in passed:
        f.functions[at] = found
    return found


def _enclosing_function(node: Node) -> Node | None:
    current = node.parent
    depth = 0
    while current is not None and depth < 200:
        if current.type in _FUNCTIONS:
            return current
        current = current.parent
        depth += 1
    return None


def _parameters(function: Node) -> list[str]:
    params = function.child_by_field_name("parameters")
    if params is None:
        return []
    names: list[str] = []
    for p in params.named_children:
        if p.type == "parameter_declaration":  # Go: `a, b string` names two
            names.extend(text(n, 80) for n in p.children_by_field_name("name")[:20])
            continue
        ident = (
            p
            if p.type in ("identifier",)
            else (
                p.child_by_field_name("name")
                or p.child_by_field_name("pattern")
                or (p.named_children[0] if p.named_child_count else None)
            )
        )
        names.append(text(ident, 80))
    return names


def _function_name(function: Node) -> str:
    name = function.child_by_field_name("name")
    if name is not None:
        return text(name, 80)
    parent = function.parent
    if parent is not None and parent.type in (
        "variable_declarator",
        "pair",
        "assignment_expression",
        "field_definition",
        "public_field_definition",
    ):
        target = (
            parent.child_by_field_name("name")
            or parent.child_by_field_name("key")
            or parent.child_by_field_name("left")
            or parent.child_by_field_name("property")
        )
        return text(target, 80).rsplit(".", 1)[-1]
    return ""


def _mark_wrapper(f: _File, node: Node, parameter: str) -> bool:
    """Make the function around `node` a wrapper whose `parameter` is the URL; whether it is."""
    function = _enclosing_function(node)
    if function is None:
        return False
    params = _parameters(function)
    name = _function_name(function)
    if not name or parameter not in params:
        return False
    index = params.index(parameter)
    if f.language == "python" and params and params[0] in ("self", "cls"):
        index -= 1
    if index < 0:
        return False
    f.wrappers.setdefault(name, index)
    return True


# --- destinations -----------------------------------------------------------------


def _string_literal(node: Node | None) -> str:
    """The text of a string literal without quotes (interpolations dropped)."""
    if node is None:
        return ""
    parts = [
        c
        for c in node.named_children
        if c.type
        in (
            "string_fragment",
            "string_content",
            "interpreted_string_literal_content",
            "escape_sequence",
        )
    ]
    if parts:
        return "".join(text(p, 400) for p in parts)
    raw = text(node, 400)
    return raw.strip("\"'`") if node.type in _STRING_TYPES else ""


def _parts(node: Node) -> list[tuple[str, Node | None]]:
    """A string as (literal text, None) and ("", interpolated expression) parts."""
    out: list[tuple[str, Node | None]] = []
    for child in node.named_children:
        if child.type in (
            "string_fragment",
            "string_content",
            "interpreted_string_literal_content",
            "escape_sequence",
            "raw_string_literal_content",
        ):
            out.append((text(child, 400), None))
        elif child.type in ("interpolation", "template_substitution"):
            inner = child.child_by_field_name("expression") or (
                child.named_children[0] if child.named_child_count else None
            )
            out.append(("", inner))
    if not out and node.type == "raw_string_literal":
        out.append((text(node, 400).strip("`"), None))
    return out


def _resolve(f: _File, node: Node | None, depth: int, call: Node) -> tuple[str, str, str]:
    """(host, configured_by, origin) of an expression that gives a URL."""
    if node is None or depth > MAX_RESOLVE_DEPTH:
        return "", "", "unknown"
    kind = node.type
    if kind in _STRING_TYPES:
        if kind == "concatenated_string" and node.named_child_count:
            return _resolve(f, node.named_children[0], depth + 1, call)
        parts = _parts(node)
        prefix = ""
        for literal, expr in parts:
            if expr is None:
                prefix += literal
                continue
            host = _host(prefix)
            if host and _host_complete(prefix):
                return host, "", "literal"
            if not prefix or re.fullmatch(r"[a-z][a-z0-9+.-]*://", prefix, re.I):
                return _resolve(f, expr, depth + 1, call)
            break
        host = _host(prefix)
        if host:
            return host, "", "literal"
        return "", "", "relative" if prefix.startswith(("/", ".")) or prefix == "" else "unknown"
    if kind in ("binary_expression", "binary_operator", "binary"):
        left = node.child_by_field_name("left") or (
            node.named_children[0] if node.named_child_count else None
        )
        return _resolve(f, left, depth + 1, call)
    if (
        kind
        in (
            "parenthesized_expression",
            "await_expression",
            "await",
            "as_expression",
            "satisfies_expression",
            "non_null_expression",
        )
        and node.named_child_count
    ):
        return _resolve(f, node.named_children[0], depth + 1, call)
    if kind == "member_expression":
        obj = node.child_by_field_name("object")
        if obj is not None and obj.type in _CALLS:  # `new URL(x).href`
            return _resolve(f, obj, depth + 1, call)
    name = (
        _expr_name(node)
        if kind
        not in ("subscript", "subscript_expression", "element_reference", "index_expression")
        else ""
    )
    env = _env_name(node)
    if env:
        return "", env, "env"
    if kind in ("subscript", "subscript_expression"):
        hosts = _table_hosts(f, node, depth, call)
        if hosts:
            return ",".join(hosts), "", "literal"
    if kind == "call" and f.language == "ruby" and node.child_by_field_name("arguments") is None:
        name = _callee(node)  # a Ruby method call without arguments reads like a field
        kind = "attribute"
    elif kind in _CALLS:
        callee = _callee(node)
        last = callee.rsplit(".", 1)[-1]
        if (
            last
            in (
                "toString",
                "format",
                "String",
                "to_s",
                "geturl",
                "strip",
                "rstrip",
                "trim",
                "replace",
                "sub",
                "gsub",
                "removesuffix",
                "href",
                "join",
            )
            and "." in callee
        ):
            receiver = node.child_by_field_name("function") or node.child_by_field_name("receiver")
            if receiver is not None and receiver.type in (
                "attribute",
                "member_expression",
                "selector_expression",
            ):
                receiver = receiver.child_by_field_name("object") or receiver.child_by_field_name(
                    "operand"
                )
            if receiver is not None and receiver is not node:
                return _resolve(f, receiver, depth + 1, call)
        args = _args(node)
        if (
            last
            in (
                "URI",
                "parse",
                "URL",
                "str",
                "String",
                "urljoin",
                "Sprintf",
                "join",
                "JoinPath",
                "resolve",
                "new",
                "Parse",
                "quote",
                "encodeURI",
                "escape",
            )
            and args
        ):
            found = _resolve(f, args[0], depth + 1, call)
            if found[2] == "relative" and len(args) > 1:  # URL(path, base), urljoin(base…)
                return _resolve(f, args[1], depth + 1, call)
            return found
        return "", "", "unknown"
    if kind == "composite_literal" and f.language == "go":
        return _go_url_literal(f, node, depth, call)
    if kind in ("identifier", "constant"):
        ident = text(node, 80)
        function = _function_of(f, call)
        if function is not None and ident in _parameters(function):
            return "", ident, "parameter"
        bound = _local_binding(f, ident, function) if function is not None else None
        bound = bound if bound is not None else f.values.get(ident)
        if bound is not None and bound is not node:
            found = _resolve(f, bound, depth + 1, call)
            if found[2] == "unknown" and bound.type in ("object", "hash"):
                return _resolve(f, _key_in(f, bound, "url", 0), depth + 1, call)
            return found
        if kind == "constant" or ident.isupper():
            return "", ident, "constant"
        return "", "", "unknown"
    full = name or text(node, 120)
    if full.startswith(_SETTING_ROOTS) or full.startswith(
        ("Rails.application", "Rails.configuration")
    ):
        return "", full, "setting"
    if kind in (
        "attribute",
        "member_expression",
        "selector_expression",
        "subscript",
        "subscript_expression",
        "element_reference",
        "index_expression",
        "call",
    ):
        bound = f.values.get(full)
        if bound is None and f.language == "python":
            bound = _class_attribute(f, full, call)
        if bound is not None:
            return _resolve(f, bound, depth + 1, call)
        root = re.match(r"[A-Za-z_$][\w$]*", full)
        if root and root.group(0).isupper() and len(root.group(0)) > 1:
            return "", full, "constant"  # `GEOCODING.endpoint`: a constant's field
        # A lookup by key (`self.config["feed_url"]`, `hook["url"]`) reads stored data. A
        # field is user data when it is named like a destination (`notification.webhookUrl`,
        # `p.config.UserInfoUrl`) on an object that is not the program's own state or
        # configuration (`self.base_url`, `client.api_url`, `options.url`): those are unknown.
        keyed = kind in ("subscript", "subscript_expression", "element_reference")
        if keyed:
            return "", full[:120], "user"
        head = root.group(0) if root else ""
        last = re.split(r"[.\]\[]", full.rstrip("]"))[-1]
        if not _DESTINATION.search(last) or (
            head.lower() in _OWN_OBJECTS and not full.startswith(_SELF_ROOTS)
        ):
            return "", full[:120], "unknown"
        if full.startswith(_SELF_ROOTS) and full.count(".") + full.count("@") == 1:
            # `this.url` in a class mapped to stored rows (`extends BeanModel`,
            # `ApplicationRecord`, `models.Model`) is a field a user filled in.
            return "", full[:120], "user" if _in_model_class(call) else "unknown"
        if full.startswith(_SELF_ROOTS):
            return "", full[:120], "unknown"
        return "", full[:120], "user"
    return "", "", "unknown"


def _class_attribute(f: _File, full: str, call: Node) -> Node | None:
    """`self.URL`, `cls.URL`: the value a class body in this file binds to `URL` (the
    call's own class first)."""
    m = re.fullmatch(r"(?:self|cls)\.([A-Za-z_]\w*)", full)
    if m is None:
        return None
    owner = _enclosing_class(call)
    found: Node | None = None
    for at, value in f.bindings.get(m.group(1), ())[:50]:
        block = at.parent.parent if at.parent is not None else None
        where = block.parent if block is not None else None
        if where is None or where.type != "class_definition":
            continue
        if owner is not None and where.id == owner.id:
            return value
        found = found or value
    return found


def _go_url_literal(f: _File, node: Node, depth: int, call: Node) -> tuple[str, str, str]:
    """`url.URL{Scheme: "https", Host: "api.example.io", …}`: its host."""
    if not text(node.child_by_field_name("type"), 40).endswith("URL"):
        return "", "", "unknown"
    body = node.child_by_field_name("body")
    for element in body.named_children[:20] if body is not None else ():
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = (_element(n) for n in element.named_children)
        if text(key, 20) != "Host":
            continue
        if value.type in _STRING_TYPES:
            host = _string_literal(value).lower()
            if re.fullmatch(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+(?::\d+)?", host):
                return host.split(":", 1)[0], "", "literal"
            return "", "", "unknown"
        return _resolve(f, value, depth + 1, call)
    return "", "", "unknown"


_TABLES = frozenset({"dictionary", "list", "tuple", "object", "array"})


def _table_hosts(f: _File, node: Node, depth: int, call: Node) -> list[str]:
    """`URLS[kind]`, `URLS["bpo"]` where `URLS` is a top-level dict or list of URL literals:
    the host of the entry a literal key picks, else the hosts of every entry."""
    table = node.child_by_field_name("value") or node.child_by_field_name("object")
    if table is None or table.type != "identifier":
        return []
    bound = f.values.get(text(table, 80))
    if bound is None or bound.type not in _TABLES or _enclosing_function(bound) is not None:
        return []
    key_node = node.child_by_field_name("subscript") or node.child_by_field_name("index")
    key = _string_literal(key_node) if key_node is not None else ""
    hosts: set[str] = set()
    for item in bound.named_children[:50]:
        value: Node | None = item
        if item.type == "pair":
            if key and text(item.child_by_field_name("key"), 80).strip("\"'") != key:
                continue
            value = item.child_by_field_name("value")
        if value is None or value.type not in _STRING_TYPES:
            continue
        host, _, origin = _resolve(f, value, depth + 1, call)
        if origin == "literal" and host and "," not in host:
            hosts.add(host)
    return sorted(hosts)


_CLASSES = frozenset({"class_declaration", "class", "class_definition", "class_expression"})
_MODEL_BASE = re.compile(r"(?:Model|Record)\b|ActiveRecord::Base")


def _in_model_class(node: Node) -> bool:
    """Whether `node` is in a class whose base names a model of stored rows."""
    current = node.parent
    for _ in range(300):
        if current is None:
            return False
        if current.type in _CLASSES:
            base = (
                current.child_by_field_name("superclass")
                or current.child_by_field_name("superclasses")
                or next((c for c in current.named_children if c.type == "class_heritage"), None)
            )
            return base is not None and _MODEL_BASE.search(text(base, 200)) is not None
        current = current.parent
    return False


def _env_name(node: Node) -> str:
    raw = text(node, 160)
    m = re.match(
        r"""(?:os\.environ(?:\.get)?\s*[\[(]\s*|os\.getenv\(\s*|os\.Getenv\(\s*|ENV(?:\.fetch)?\s*[\[(]\s*|process\.env\[\s*)["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]"""
        r"""|process\.env\.([A-Za-z_][A-Za-z0-9_]*)|import\.meta\.env\.([A-Za-z_][A-Za-z0-9_]*)""",
        raw,
    )
    if not m:
        return ""
    return next(g for g in m.groups() if g)


def _host(prefix: str) -> str:
    m = _HOST.match(prefix)
    if not m:
        return ""
    host = m.group(1).lower().rstrip(".")
    return host if "." in host or host == "localhost" or host.startswith("[") else ""


def _host_complete(prefix: str) -> bool:
    """Whether the literal prefix carries the whole host (something follows it)."""
    m = _HOST.match(prefix)
    return m is not None and len(prefix) > m.end()


def wrapper_names(metas: Iterable[tuple[str, str]]) -> set[str]:
    return {v for k, v in metas if k == "egress.wrapper"}
