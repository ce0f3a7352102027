"""Learning a file's names before its calls are read: imports, bindings, constants.

`_learn` runs on every node of interest first: import aliases (`import requests as r`),
values bound to names (a local of a function before one bound elsewhere), client instances,
SDK client parameters, and the literal hosts of top-level constants (meta ``egress.const``).
"""

from __future__ import annotations

import re

from bot.core.analysis import egress_sdk, sdk_models
from bot.core.analysis import http_models as models
from bot.core.analysis.egress_factories import learn_ruby_method
from bot.core.analysis.egress_file import (
    _CALLS,
    _STRING_TYPES,
    _args,
    _callee,
    _canonical,
    _File,
    _function_of,
    _keyword,
    _string_literal,
)
from bot.core.analysis.egress_resolve import RB_CONFIG, _resolve
from bot.core.analysis.treesitter import Node, text, walk


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
            if f.language == "ruby":
                value = _unfrozen(value)
            name = text(name_node, 80)
            _bind(f, name, value)
            bindings = f.bindings.setdefault(name, [])
            if len(bindings) < 50:
                bindings.append((node, value))
            if f.language == "ruby" and RB_CONFIG.fullmatch(name) and value.type == "hash":
                if _function_of(f, node) is None:
                    _object_consts(f, name, value)  # `MyApp::Application.config.x = {…}`
                continue
            if value.type == "call" and f.language == "python" and name.isupper():
                if _function_of(f, node) is None:
                    _env_default_const(f, name, value)
                continue
            if value.type not in _STRING_TYPES and value.type not in _TABLES:
                continue
            if _function_of(f, node) is not None:
                continue
            if value.type in _TABLES:
                _object_consts(f, name, value)
            if value.type in _STRING_TYPES:
                host, _, origin = _resolve(f, value, 0, node)
                if (
                    origin == "literal"
                    and host
                    and "," not in host
                    and (
                        re.fullmatch(r"[A-Za-z_]\w*", name)
                        or (f.language == "ruby" and RB_CONFIG.fullmatch(name))
                    )
                ):
                    f.consts.setdefault(name, host)
    elif kind == "composite_literal" and f.language == "go":
        _go_keyed_consts(f, node)
    elif kind == "with_statement":
        for pattern in walk(node, frozenset({"as_pattern"}), 50):
            target = pattern.child_by_field_name("alias")
            made = pattern.named_children[0] if pattern.named_child_count else None
            if target is not None and made is not None:
                _bind(f, text(target, 80), made)
    elif kind == "method" and f.language == "ruby":
        learn_ruby_method(f, node)
    elif kind == "call" and f.language == "ruby" and _ruby_include_httparty(node):
        f.aliases["base_uri"] = "base_uri"
    elif f.language == "python" and kind == "function_definition":
        egress_sdk.learn_function(f.sdk, node, lambda c: _canonical(f, c), f.values, _callee)
    elif f.language == "python" and kind == "call" and f.sdk.marked(f.aliases):
        function = _function_of(f, node)
        if function is not None:
            egress_sdk.learn_mark(f.sdk, f.aliases, _callee(node), function)


# Readers of an environment variable with a default (`env("X", "https://…")`,
# `os.getenv`, `os.environ.get`, django-environ's `env.str`, decouple's `config`).
_ENV_READERS = frozenset({"env", "getenv", "get", "str", "url", "config"})


def _env_default_const(f: _File, name: str, value: Node) -> None:
    """`RELEASE_API = env("RELEASE_API", "https://api.x.io/…")` at a settings module's top
    level: the setting `RELEASE_API` names the default's host wherever it is imported."""
    if _callee(value).rsplit(".", 1)[-1] not in _ENV_READERS:
        return
    args = value.child_by_field_name("arguments")
    if args is None:
        return
    for arg in args.named_children[1:4]:
        if arg.type == "keyword_argument":
            if text(arg.child_by_field_name("name"), 20) != "default":
                continue
            arg = arg.child_by_field_name("value") or arg
        if arg.type not in _STRING_TYPES:
            continue
        host, _, origin = _resolve(f, arg, 0, value)
        if origin == "literal" and host and "," not in host:
            f.consts.setdefault(name, host)
        return


# Top-level tables of settings: a JS object, a Python dict (`SETTINGS = {"API": "https://…"}`).
_TABLES = frozenset({"object", "dictionary"})


def _object_consts(f: _File, name: str, value: Node) -> None:
    """`const API = {base: "https://…"}` at top level: `API.base` names that host (in Ruby
    also `MyApp::Application.config.api = {base: "https://…"}`, read as `…api[:base]`; in
    Python `API = {"base": "https://…"}`, read as `API["base"]`)."""
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", name) and not (
        f.language == "ruby" and RB_CONFIG.fullmatch(name)
    ):
        return
    for pair in value.named_children[:50]:
        if pair.type != "pair":
            continue
        key = text(pair.child_by_field_name("key"), 60).strip("\"':")
        item = pair.child_by_field_name("value")
        if item is not None and item.type in _STRING_TYPES:
            host, _, origin = _resolve(f, item, 0, pair)
            if origin == "literal" and host and "," not in host:
                f.consts.setdefault(f"{name}.{key}", host)


# A keyed field named like an address (`APIBaseURL`, `WebhookEndpoint`, `ServerURL`).
_GO_URL_KEY = re.compile(r"[A-Z]\w{0,100}?(?:URL|Url|Endpoint|Host)\Z")


def _go_keyed_consts(f: _File, node: Node) -> None:
    """A Go struct literal that sets an address field to a literal URL (a config's defaults,
    `APIBaseURL: "https://api.example.com"`): that field names the host wherever it is read
    (`s.config.APIBaseURL`), in this file or another (meta ``egress.const``)."""
    body = node.child_by_field_name("body")
    for element in body.named_children[:200] if body is not None else ():
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = element.named_children
        value = (
            value.named_children[0]
            if value.type == "literal_element" and value.named_child_count
            else value
        )
        name = text(key, 100).strip()
        _go_config_field(f, name, value)
        if value.type not in _STRING_TYPES or not _GO_URL_KEY.fullmatch(name):
            continue
        host, _, origin = _resolve(f, value, 0, node)
        if origin == "literal" and host and "," not in host:
            f.consts.setdefault(name, host)


# A segment of a value chain that is the program's configuration (`app.cfg.X`, `c.Config().X`).
_CONFIG_ROOTS = frozenset({"config", "cfg", "conf", "settings", "opts", "options"})


def _go_config_field(f: _File, name: str, value: Node) -> None:
    """`server: app.Config().Proxy.API` in a struct literal: the field holds the setting the
    operator wrote, so a request to `r.server` goes where configured, not to a user's URL.
    A field any literal of the file sets otherwise (a parameter, a request value) is left
    to the ordinary reading ("" marks it)."""
    if not name.isidentifier() or len(name) > 80:
        return
    chain = text(value, 200).replace("()", "") if value.type == "selector_expression" else ""
    segments = chain.split(".")
    configured = (
        len(segments) >= 3
        and all(s.isidentifier() for s in segments)
        and any(s.lower() in _CONFIG_ROOTS for s in segments[:-1])
    )
    said = segments[-1] if configured else ""
    if f.config_fields.setdefault(name, said) != said:
        f.config_fields[name] = ""


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


def _unfrozen(value: Node) -> Node:
    """Ruby's `"https://…".freeze` → the string (a frozen constant is still its URL)."""
    if value.type != "call":
        return value
    method = value.child_by_field_name("method")
    receiver = value.child_by_field_name("receiver")
    if (
        method is not None
        and receiver is not None
        and text(method, 10) == "freeze"
        and value.child_by_field_name("arguments") is None
        and receiver.type in _STRING_TYPES
    ):
        return receiver
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
