"""Where a URL expression leads: `_resolve` gives (host, configured_by, origin).

A literal's host, a name bound in the file, a top-level table of URLs, an environment
variable or setting, a field of user data, a parameter of the enclosing function (which
makes that function a wrapper, `egress_wrappers`). Bounded by `MAX_RESOLVE_DEPTH`.
"""

from __future__ import annotations

import re

from bot.core.analysis.egress_file import (
    _CALLS,
    _CLASSES,
    _STRING_TYPES,
    _args,
    _callee,
    _element,
    _enclosing_class,
    _enclosing_function,
    _expr_name,
    _File,
    _function_of,
    _key_in,
    _keyword,
    _local_binding,
    _parameters,
    _string_literal,
)
from bot.core.analysis.egress_response import RETURNED_FIELD, response_source, returned_by_call
from bot.core.analysis.egress_sockets import file_imports
from bot.core.analysis.treesitter import Node, line, text
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_RESOLVE_DEPTH = 6
# `Acme::Links::NEWS_URL`: module names, then a constant in capitals (its last part)
_SCOPED_CONSTANT = lazy(r"(?:::)?(?:[A-Z]\w{0,80}+::){1,8}([A-Z][A-Z0-9_]{1,80}+)")

# A scheme or a protocol-relative `//`; a URL template's leading label (`//{s}.tile.…`, a
# tile server's subdomains) is not part of the host.
_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:)?//(?:[^@/?#\s]*@)?(?:\{[a-z0-9-]{1,10}\}\.)?"
    r"(\[[0-9a-f:]+\]|[a-z0-9_.-]+)",
    re.I,
)
_SETTING_ROOTS = (
    "settings.", "config.", "conf.", "cfg.", "app.config", "current_app.config",
    "Rails.application.", "Rails.configuration.", "Setting.", "Settings.", "AppConfig.",
)  # fmt: skip
_SELF_ROOTS = ("self.", "this.", "@")
# A Rails application's own configuration under its class (`MyApp::Application.config.x`,
# `Billing.configuration.endpoint[:live]`): set by the program (an initializer), not a user.
RB_CONFIG = lazy(r"[A-Z][\w:]{0,100}+\.(?:config|configuration|settings)\b[\w.]{0,200}+")
# Objects that hold the program's own wiring, not data a user gave it.
_OWN_OBJECTS = frozenset(
    {"self", "this", "cls", "sb", "sandbox", "server", "app", "client", "api", "options", "opts",
     "config", "conf", "cfg", "settings", "args", "argv", "env", "ctx", "context", "request",
     "req", "window", "location", "document", "process", "os", "module", "exports"}
)  # fmt: skip
_DESTINATION = lazy(r"(?i)hook|callback|notif|url|uri|endpoint|href|link|server|address")


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


# A leading value named as a path, not a host (`${config.relative_path}/api/x`,
# `${basePath}/users`): the app's own mount point (or where it serves its own assets), so
# the request stays with the app.
_PATH_NAME = lazy(
    r"(?i)(?:\A|[._])(?:relative_?(?:path|url)|base_?path|path_?prefix|mount_?path"
    r"|assets?_?base_?(?:url|path))\Z"
)


def _same_origin_prefix(expr: Node, parts: list[tuple[str, Node | None]]) -> bool:
    """A template opening with a path-named value followed by a literal `/…`."""
    if len(parts) < 2 or parts[1][1] is not None or not parts[1][0].startswith("/"):
        return False
    return _path_named(expr)


def _same_origin_concat(left: Node, right: Node) -> bool:
    """`base_path + '/…'`: a path-named value, then a literal path."""
    if right.type not in _STRING_TYPES:
        return False
    parts = _parts(right)
    return (
        bool(parts) and parts[0][1] is None and parts[0][0].startswith("/") and (_path_named(left))
    )


def _path_named(expr: Node) -> bool:
    if expr.type not in ("identifier", "member_expression", "attribute"):
        return False
    name = text(expr, 200)
    return "(" not in name and _PATH_NAME.search(name.rsplit(".", 1)[-1]) is not None


_SCOPES = frozenset({"class", "module"})
MAX_CLIMB = 200  # ancestors looked at (minified or generated code nests deep)


def _scope_of(node: Node) -> int:
    """The id of the nearest class or module around `node` (0 at the top level)."""
    current = node.parent
    for _ in range(MAX_CLIMB):
        if current is None:
            return 0
        if current.type in _SCOPES:
            return current.id
        current = current.parent
    return 0


def _lexical_constant(f: _File, name: str, call: Node) -> Node | None:
    """A Ruby constant bound in more than one class: the binding of the nearest class or
    module around the reading call (Ruby looks constants up lexically), else None."""
    bindings = f.bindings.get(name, ())
    if len(bindings) < 2:
        return None
    by_scope: dict[int, Node] = {}
    for at, value in bindings:
        by_scope.setdefault(_scope_of(at), value)
    current = call.parent
    for _ in range(MAX_CLIMB):
        if current is None:
            return by_scope.get(0)
        if current.type in _SCOPES and current.id in by_scope:
            return by_scope[current.id]
        current = current.parent
    return None


_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def _scheme_choice(node: Node) -> bool:
    """Whether `node` picks between written schemes (`useSsl ? 'https' : 'http'`)."""
    if node.type not in ("ternary_expression", "conditional_expression"):
        return False
    branches = [c for c in node.named_children[1:] if c.type in _STRING_TYPES]
    return len(branches) == 2 and all(_string_literal(b) in _SCHEMES for b in branches)


_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})  # noqa: S104 (names, no bind)


def _local_default(node: Node) -> bool:
    """Whether `node` is a setting defaulting to the local machine (`env.HOST || 'localhost'`)."""
    if node.type not in ("binary_expression", "boolean_operator"):
        return False
    right = node.child_by_field_name("right")
    operator = node.child_by_field_name("operator")
    return (
        right is not None
        and right.type in _STRING_TYPES
        and text(operator, 4) in ("||", "??", "or")
        and _string_literal(right) in _LOCAL_NAMES
    )


WELL_KNOWN = "egress.well_known"  # name: the RFC 8615 resource a user-named host is asked
_WELL_KNOWN = lazy(r"/\.well-known/([a-z0-9][a-z0-9._-]{0,60}+)")
_URLISH_CALL = re.compile(r"(?i)ur[il]")
_RB_RESHAPERS = frozenset({"to_s", "to_str", "strip", "freeze", "dup"})


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
        for at, (literal, expr) in enumerate(parts):
            if expr is None:
                prefix += literal
                continue
            if not prefix and _scheme_choice(expr):
                prefix = "https"  # `${tls ? 'https' : 'http'}://${host}`: a scheme, not a host
                continue
            host = _host(prefix)
            if host and _host_complete(prefix):
                return host, "", "literal"
            if not prefix and _same_origin_prefix(expr, parts):
                return "", "", "relative"
            if prefix and _local_default(expr):
                # `http://${process.env.HOST || 'localhost'}:…`: the app's own server
                return "", "", "relative"
            if not prefix or re.fullmatch(r"[a-z][a-z0-9+.-]*://", prefix, re.I):
                got = _resolve(f, expr, depth + 1, call)
                known = _WELL_KNOWN.match(parts[at + 1][0]) if at + 1 < len(parts) else None
                if prefix and known and got[2] == "user":
                    # `https://{domain}/.well-known/webfinger`: a standard discovery
                    # request to the server a user names, not a hook they configured
                    f.signals.append(Signal(WELL_KNOWN, known.group(1), line(call)))
                return got
            break
        host = _host(prefix)
        if host:
            return host, "", "literal"
        return "", "", "relative" if prefix.startswith(("/", ".")) or prefix == "" else "unknown"
    if kind in ("binary_expression", "binary_operator", "binary"):
        left = node.child_by_field_name("left") or (
            node.named_children[0] if node.named_child_count else None
        )
        right = node.child_by_field_name("right")
        if left is not None and right is not None and _same_origin_concat(left, right):
            return "", "", "relative"  # `config.relative_path + '/api/' + url`
        got = _resolve(f, left, depth + 1, call)
        operator = node.child_by_field_name("operator")
        if not got[0] and operator is not None and text(operator, 4) in ("||", "??"):
            # `env('LICENSE_URL') || 'https://license.example.com'`: the default's host,
            # set by the setting the left side reads
            alt = _resolve(f, node.child_by_field_name("right"), depth + 1, call)
            if alt[0] and alt[2] == "literal":
                return alt[0], got[1], "literal"
        return got
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
    if kind in ("conditional_expression", "ternary_expression"):
        # `f"https://a.io/search?q={q}" if q else f"https://a.io/list"`: the hosts the
        # branches write (the condition between them is no URL)
        branches = [
            node.child_by_field_name("consequence"),
            node.child_by_field_name("alternative"),
        ]
        if kind == "conditional_expression" and node.named_child_count == 3:
            branches = [node.named_children[0], node.named_children[2]]
        hosts = []
        for branch in branches:
            got = _resolve(f, branch, depth + 1, call)
            if got[2] == "literal" and got[0] not in hosts:
                hosts.append(got[0])
        if hosts:
            return ",".join(hosts), "", "literal"
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
        receiver = node.child_by_field_name("receiver")
        reshaper = text(node.child_by_field_name("method"), 20)
        if receiver is not None and reshaper in _RB_RESHAPERS:  # `Utils.normalize_uri(x).to_s`
            return _resolve(f, receiver, depth + 1, call)
        name = _callee(node)  # a Ruby method call without arguments reads like a field
        kind = "attribute"
    elif kind in _CALLS:
        callee = _callee(node)
        last = callee.rsplit(".", 1)[-1]
        if f.language == "ruby" and callee.endswith(("URI::HTTPS.build", "URI::HTTP.build")):
            return _uri_build(f, node, depth, call)
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
        if f.language == "ruby" and node.child_by_field_name("receiver") is None:
            returned = f.methods.get(callee)
            if returned is not None and returned is not node:  # `get(query_url(q))`
                return _resolve(f, returned, depth + 1, returned)
        if f.language == "ruby" and args and _URLISH_CALL.search(last):
            # `Utils.normalize_uri(base + path)`: a helper reshaping a URL keeps its host
            found = _resolve(f, args[0], depth + 1, call)
            if found[2] == "literal":
                return found
        if last == "Sprintf" and len(args) > 1 and _leading_verb(args[0]):
            # Go `fmt.Sprintf("%s/v1/calls", s.config.APIBaseURL, …)`: the base comes first.
            # Only a base the program writes or configures says where the request goes; a
            # field of a value is a "field": a struct literal elsewhere may set its default
            # (`APIBaseURL: "https://…"`, meta ``egress.const``), else it names nothing.
            found = _resolve(f, args[1], depth + 1, call)
            if found[2] in _WRITTEN:
                return found
            if found[2] == "user" and found[1] and "[" not in found[1]:
                return "", found[1], "field"
            return "", "", "unknown"
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
            if (
                last == "URL"
                and len(args) > 1
                and args[0].type in _STRING_TYPES
                and "://" not in text(args[0], 300)
            ):
                return _resolve(f, args[1], depth + 1, call)  # `new URL('api/x', BASE)`
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
        if bound is None and kind == "constant":
            bound = _lexical_constant(f, ident, call)
        bound = bound if bound is not None else f.values.get(ident)
        if bound is not None and bound is not node:
            found = _resolve(f, bound, depth + 1, call)
            if found[2] == "unknown" and bound.type in ("object", "hash"):
                return _resolve(f, _key_in(f, bound, "url", 0), depth + 1, call)
            return found
        returned = f.methods.get(ident) if kind == "identifier" else None
        if returned is not None and returned is not node:
            return _resolve(f, returned, depth + 1, returned)  # `get(check_url)`: its value
        if kind == "identifier" and f.language == "ruby":
            # A bare Ruby name that is no local nor method of the file: the reader of the
            # instance variable of that name (`attr_reader :base_url`, `@base_url = …`).
            held = _ivar(f, "@" + ident, depth, call)
            if held is not None:
                return held
        if kind == "constant" or ident.isupper():
            return "", ident, "constant"
        return "", "", "unknown"
    if kind == "scope_resolution" and f.language == "ruby":
        # `Acme::NEWS_URL`: a constant another module defines (that module's `egress.const`
        # may give its host, `egress_services` looks it up by its last name)
        scoped = _SCOPED_CONSTANT.fullmatch(text(node, 200))
        if scoped is not None:
            return "", scoped.group(0).lstrip(":"), "constant"
    if kind == "instance_variable" and f.language == "ruby":
        held = _ivar(f, text(node, 80), depth, call)
        return held if held is not None else ("", "", "unknown")
    full = name or text(node, 120)
    if (
        full.startswith(_SETTING_ROOTS)
        or full.startswith(("Rails.application", "Rails.configuration"))
        or (f.language == "ruby" and RB_CONFIG.match(full))
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
        head = root.group(0) if root else ""
        # …unless the object is what another request returned (`letter.url` of an SDK's
        # answer, `data["next"]` of `resp.json()`): that service's data, not a user's.
        source = response_source(f, head, call) if head else None
        if source is not None:
            return "", source, "response"
        if keyed and f.language == "ruby" and _implicit_self(f, head, call):
            # `data["url"]` with `data` neither a local nor a parameter: a method of the
            # object itself, read as `self.data["url"]` is (user data only in a model).
            return "", full[:120], "user" if _in_model_class(call) else "unknown"
        if keyed:
            setting = _looped_setting(f, head, call) if f.language == "python" else ""
            if setting:
                return "", setting, "setting"
            return "", full[:120], "user"
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
        one_dot = f.language == "go" and full.count(".") == 1
        if one_dot and f.config_fields.get(last):
            # `r.server` where every literal of the file sets `server:` from the program's
            # configuration (`egress_learn._go_config_field`): the operator's setting
            return "", f.config_fields[last], "setting"
        if one_dot and last[:1].isupper() and head in file_imports(f, call):
            # `consts.APIEndpoint`: an exported name of an imported package, a constant
            # or a package variable the program sets (`egress.const` may give its host)
            return "", full[:120], "constant"
        if f.language == "go" and full.count(".") == 1 and _decoded_from_parameter(f, head, call):
            # `json.Unmarshal([]byte(s), &data)` with `s` the function's parameter, then
            # `data.URL`: the caller's value round-tripped (a cache of requests), not a user's
            return "", full[:120], "unknown"
        if f.language == "go" and full.count(".") == 1 and returned_by_call(f, head, call):
            # `a, err := l.fetchArtist(…)` then `a.URL`: `egress_services` asks whether the
            # field is one of a decoded payload (another service's answer, not a user's)
            f.signals.append(Signal(RETURNED_FIELD, full[:120], line(call)))
        return "", full[:120], "user"
    return "", "", "unknown"


# `for name, config in settings.FONTS.items():` then `config["url"]`: an entry of a table
# the program's settings hold (an upper-case name), not a row a user filled in.
_LOOP = lazy(
    r"for[ \t]++(?:[A-Za-z_]\w{0,60}+[ \t]*+,[ \t]*+)?([A-Za-z_]\w{0,60}+)[ \t]++in[ \t]++"
    r"((?:[A-Za-z_]\w{0,60}+\.){0,3}([A-Z][A-Z0-9_]{1,60}+))(?:\.(?:items|values)\(\))?[ \t]*+:"
)


def _looped_setting(f: _File, head: str, call: Node) -> str:
    """The upper-case setting a `for` loop around `call` binds `head` to an entry of."""
    function = _function_of(f, call)
    if function is None:
        return ""
    for loop in _LOOP.finditer(text(function, MAX_FUNCTION_TEXT)):
        if loop.group(1) == head:
            return loop.group(3)
    return ""


_UNMARSHAL = lazy(r"Unmarshal\([ \t]*+([^,\n]{1,200}+),[ \t]*+&([A-Za-z_]\w{0,100}+)[ \t]*+\)")
_WORD = lazy(r"[A-Za-z_]\w{0,100}+")
MAX_FUNCTION_TEXT = 20_000


def _decoded_from_parameter(f: _File, head: str, call: Node) -> bool:
    """Whether the function around `call` decodes `head` from one of its own parameters
    (`json.Unmarshal([]byte(raw), &head)`, `raw` a parameter)."""
    function = _function_of(f, call)
    if function is None:
        return False
    body = text(function, MAX_FUNCTION_TEXT)
    if "Unmarshal(" not in body:
        return False
    params = set(_parameters(function))
    for m in _UNMARSHAL.finditer(body):
        if m.group(2) == head and any(w in params for w in _WORD.findall(m.group(1))):
            return True
    return False


def _uri_build(f: _File, node: Node, depth: int, call: Node) -> tuple[str, str, str]:
    """`URI::HTTPS.build(host: ENV["API_HOST"], path: …)`: where its `host:` comes from."""
    host = _keyword(f, node, "host")
    if host is None:
        return "", "", "unknown"
    if host.type in _STRING_TYPES and "#{" not in text(host, 200):
        written = _string_literal(host).lower()
        if re.fullmatch(r"[a-z0-9][a-z0-9.-]{0,250}", written):
            return written, "", "literal"
    found = _resolve(f, host, depth + 1, call)
    # A host handed in (a parameter, a form's field) is left unread: only one the program
    # writes or configures says where the built URL goes.
    return found if found[2] in ("literal", "env", "setting", "constant") else ("", "", "unknown")


def _implicit_self(f: _File, head: str, call: Node) -> bool:
    """Whether a Ruby word is a method call on `self` (no local, parameter or file value)."""
    if not head[:1].islower() or not head.isidentifier():
        return False
    function = _function_of(f, call)
    if function is None or head in _parameters(function):
        return False
    current = call.parent
    for _ in range(100):  # a block's own parameters (`each do |hook|`) are locals too
        if current is None or current.id == function.id:
            break
        if current.type in ("block", "do_block"):
            params = current.child_by_field_name("parameters")
            if params is not None and head in re.findall(r"\w+", text(params, 200)):
                return False
        current = current.parent
    return _local_binding(f, head, function) is None and head not in f.values


def _class_attribute(f: _File, full: str, call: Node) -> Node | None:
    """`self.URL`, `cls.URL`: the value a class body in this file binds to `URL` (the
    call's own class first). `Client.URL` names its class: only that class's binding."""
    m = _CLASS_ATTRIBUTE.fullmatch(full)
    if m is None:
        return None
    named = m.group(1) not in ("self", "cls")
    owner = _enclosing_class(call)
    found: Node | None = None
    for at, value in f.bindings.get(m.group(2), ())[:50]:
        block = at.parent.parent if at.parent is not None else None
        where = block.parent if block is not None else None
        if where is None or where.type != "class_definition":
            continue
        if named:
            name = where.child_by_field_name("name")
            if name is not None and text(name) == m.group(1):
                return value
            continue
        if owner is not None and where.id == owner.id:
            return value
        found = found or value
    return found


# `self.URL`, `cls.URL`, `Client.URL` (a class of this file by its capitalised name)
_CLASS_ATTRIBUTE = lazy(r"(self|cls|[A-Z]\w{0,100}+)\.([A-Za-z_]\w{0,100}+)")


_WRITTEN = frozenset({"literal", "constant", "env", "setting"})


def _leading_verb(node: Node) -> bool:
    """Whether a Go format string starts with the value of its first argument (`"%s/x"`)."""
    return node.type in _STRING_TYPES and _string_literal(node).startswith(("%s", "%v"))


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


MAX_IVAR_BINDINGS = 4  # assignments of one instance variable read for its value


def _ivar(f: _File, name: str, depth: int, call: Node) -> tuple[str, str, str] | None:
    """What a Ruby instance variable holds: the first of the file's assignments to it
    (`@base_url = "#{user.settings.x_url}/api"`, most often in `initialize`) that resolves
    to a destination; None when the file assigns it nowhere."""
    bindings = f.bindings.get(name, [])
    if not bindings:
        return None
    for _at, value in bindings[:MAX_IVAR_BINDINGS]:
        found = _resolve(f, value, depth + 1, call)
        if found[2] != "unknown":
            return found
    return "", "", "unknown"
